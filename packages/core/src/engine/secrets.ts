/**
 * The secrets a connection keeps after its handshake, apart from the record keys: what the exporter needs
 * (TLS 1.3 exporter_master_secret, RFC 8446 §7.5; TLS 1.2 master secret and randoms, RFC 5705), the verify_data of
 * both Finished (SSL_get_finished), and the key log (NSS key log format). All in #private fields: no inspection,
 * enumeration or serialisation reaches them (docs/robustness.md).
 */
import type { CipherSuite } from '../crypto/suites.js';
import { exporter12, exporter12Sync } from '../keys/tls12-key-schedule.js';
import { exportKeyingMaterial, exportKeyingMaterialSync } from '../keys/tls13-key-schedule.js';
import { toHex } from '../wire/bytes.js';
import type { EngineConfig } from './config.js';

export class ConnectionSecrets {
  readonly #config: EngineConfig;
  #exporterSecret: Uint8Array | null = null;
  #master12: { master: Uint8Array; clientRandom: Uint8Array; serverRandom: Uint8Array } | null = null;
  #finishedSent: Uint8Array | null = null;
  #finishedReceived: Uint8Array | null = null;
  /** ClientHello.random of this handshake: the key log names the connection by it. */
  #clientRandom: Uint8Array = new Uint8Array(0);

  constructor(config: EngineConfig) {
    this.#config = config;
  }

  setClientRandom(random: Uint8Array): void {
    this.#clientRandom = random;
  }

  setExporterSecret(secret: Uint8Array): void {
    this.#exporterSecret = secret;
  }

  setExporter12(master: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array): void {
    this.#master12 = { master, clientRandom, serverRandom };
  }

  setFinished(sent: boolean, verifyData: Uint8Array): void {
    if (sent) this.#finishedSent = verifyData;
    else this.#finishedReceived = verifyData;
  }

  /** A copy of the verify_data of the latest Finished sent (`sent`) or received, or null before there is one. */
  finishedData(sent: boolean): Uint8Array | null {
    const f = sent ? this.#finishedSent : this.#finishedReceived;
    return f ? f.slice() : null;
  }

  /**
   * Hand one secret to the application's key log in NSS key log format ("LABEL <client random> <secret>", hex),
   * the lines Wireshark reads. Only when the application asked for it (ContextOptions.keylog). An exception from
   * the application's callback is not the connection's failure: it is ignored.
   */
  logSecret(label: string, secret: Uint8Array): void {
    const log = this.#config.keylog;
    if (!log) return;
    try {
      log(`${label} ${toHex(this.#clientRandom)} ${toHex(secret)}`);
    } catch {
      // the application's callback failed; the handshake goes on
    }
  }

  /**
   * TLS-Exporter (RFC 8446 §7.5; RFC 5705 in TLS 1.2, where a null context, OpenSSL's use_context = 0, differs from
   * an empty one).
   */
  export(suite: CipherSuite | null, label: string, context: Uint8Array | null, length: number): Promise<Uint8Array> {
    const m = this.#master12;
    const p = this.#config.provider;
    if (m && suite) return exporter12(p, suite.hash, m.master, m.clientRandom, m.serverRandom, label, context, length);
    if (!this.#exporterSecret || !suite) throw new TypeError('exportKeyingMaterial before the handshake completed');
    return exportKeyingMaterial(p, suite.hash, this.#exporterSecret, label, context ?? new Uint8Array(0), length);
  }

  /** The exporter computed synchronously: null without hashSync (and, in TLS 1.3, hkdfExpandSync). */
  exportSync(suite: CipherSuite | null, label: string, context: Uint8Array | null, length: number): Uint8Array | null {
    const m = this.#master12;
    if (m && suite) return exporter12Sync(this.#config.provider, suite.hash, m.master, m.clientRandom, m.serverRandom, label, context, length);
    if (!this.#exporterSecret || !suite) throw new TypeError('exportKeyingMaterial before the handshake completed');
    return exportKeyingMaterialSync(this.#config.provider, suite.hash, this.#exporterSecret, label, context ?? new Uint8Array(0), length);
  }
}
