/**
 * The TLS 1.2 secrets of one handshake, for both roles: the (extended) master secret (RFC 5246 §8.1, RFC 7627 §4),
 * the key block (§6.3) and our Finished (§7.4.9). The master secret lives in a #private field; it goes to the key
 * log as `CLIENT_RANDOM <client_random> <master_secret>` (NSS key log format, what Wireshark reads for TLS 1.2) and
 * to the engine for the RFC 5705 exporter.
 */
import type { CipherSuite } from '../crypto/suites.js';
import { extendedMasterSecret, finishedVerifyData12, type KeyBlock12, keyBlock12, masterSecret } from '../keys/tls12-key-schedule.js';
import { ContentType } from '../wire/enums.js';
import { encodeFinished } from '../wire/handshake.js';
import type { HandshakeContext } from './context.js';

/** The randoms of a TLS 1.2 handshake and what the hellos settled. */
export interface Hello12 {
  readonly suite: CipherSuite;
  readonly clientRandom: Uint8Array;
  readonly serverRandom: Uint8Array;
  /** The extended master secret was negotiated (both sides sent the extension). */
  readonly ems: boolean;
}

/** True when a certificate of this key type authenticates this suite (RFC 8422 §5.1; RFC 5246 §7.4.2). */
export function authFits(auth: 'ECDSA' | 'RSA' | null, keyType: string): boolean {
  return auth === 'RSA' ? keyType === 'rsa' || keyType === 'rsa-pss' : keyType === 'ec-p256' || keyType === 'ec-p384' || keyType === 'ed25519';
}

export class MasterSecret12 {
  readonly #master: Uint8Array;
  readonly #keys: KeyBlock12;

  private constructor(master: Uint8Array, keys: KeyBlock12) {
    this.#master = master;
    this.#keys = keys;
  }

  /**
   * The master secret from the ECDHE shared secret, once ClientKeyExchange is in the transcript (the extended
   * master secret's session_hash ends there), and the key block.
   */
  static async derive(cx: HandshakeContext, hello: Hello12, preMaster: Uint8Array): Promise<MasterSecret12> {
    const p = cx.config.provider;
    const { suite, clientRandom, serverRandom } = hello;
    const master = hello.ems
      ? await extendedMasterSecret(p, suite.hash, preMaster, await cx.transcript.hash())
      : await masterSecret(p, suite.hash, preMaster, clientRandom, serverRandom);
    cx.logSecret('CLIENT_RANDOM', master);
    cx.setExporter12(master, clientRandom, serverRandom);
    return new MasterSecret12(master, await keyBlock12(p, suite.hash, master, clientRandom, serverRandom, suite.keyLen, suite.ivLen));
  }

  /** The master secret (a method, not a getter: inspection with getters must not reach it). */
  master(): Uint8Array {
    return this.#master;
  }

  /** The write key and fixed IV of one side. */
  keys(side: 'client' | 'server'): { key: Uint8Array; iv: Uint8Array } {
    const k = this.#keys;
    return side === 'client' ? { key: k.clientKey, iv: k.clientIv } : { key: k.serverKey, iv: k.serverIv };
  }

  /**
   * Send our ChangeCipherSpec, install our write key (the CCS is the state change, RFC 5246 §7.1) and send our
   * Finished under it.
   */
  async sendCcsAndFinished(cx: HandshakeContext, side: 'client' | 'server'): Promise<void> {
    await cx.flushHandshake();
    cx.pushPlain(ContentType.CHANGE_CIPHER_SPEC, new Uint8Array([1]));
    await cx.setKey12('write', this.keys(side));
    const suite = cx.suite as CipherSuite;
    cx.queueHandshake(encodeFinished(await finishedVerifyData12(cx.config.provider, suite.hash, this.#master, side, await cx.transcript.hash())));
    await cx.flushHandshake();
  }
}
