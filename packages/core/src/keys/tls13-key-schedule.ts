/**
 * TLS 1.3 key schedule (RFC 8446 §7.1): HKDF-Expand-Label, Derive-Secret, the three-stage secret chain,
 * traffic keys, Finished keys, KeyUpdate, exporters (§7.5) and resumption PSKs (§4.6.1).
 *
 * Rule: every function takes the hash explicitly and returns fresh buffers; nothing here holds state except
 * `KeySchedule`, which walks early -> handshake -> master exactly once.
 */
import type { CryptoProvider, HashName } from '../crypto/provider.js';
import { hashLength } from '../crypto/provider.js';
import { utf8 } from '../wire/bytes.js';

const LABEL_PREFIX = utf8('tls13 ');

/** HkdfLabel encoding (RFC 8446 §7.1). */
export function hkdfLabel(label: string, context: Uint8Array, length: number): Uint8Array {
  const l = utf8(label);
  const out = new Uint8Array(2 + 1 + LABEL_PREFIX.length + l.length + 1 + context.length);
  out[0] = length >> 8;
  out[1] = length & 0xff;
  out[2] = LABEL_PREFIX.length + l.length;
  out.set(LABEL_PREFIX, 3);
  out.set(l, 3 + LABEL_PREFIX.length);
  out[3 + LABEL_PREFIX.length + l.length] = context.length;
  out.set(context, 4 + LABEL_PREFIX.length + l.length);
  return out;
}

export function expandLabel(
  p: CryptoProvider,
  hash: HashName,
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Promise<Uint8Array> {
  return p.hkdfExpand(hash, secret, hkdfLabel(label, context, length), length);
}

/** Derive-Secret(Secret, Label, Messages) with the transcript hash already computed. */
export function deriveSecret(p: CryptoProvider, hash: HashName, secret: Uint8Array, label: string, transcriptHash: Uint8Array): Promise<Uint8Array> {
  return expandLabel(p, hash, secret, label, transcriptHash, hashLength(hash));
}

export interface TrafficKeys {
  key: Uint8Array;
  iv: Uint8Array;
}

export async function trafficKeys(p: CryptoProvider, hash: HashName, secret: Uint8Array, keyLen: number, ivLen: number): Promise<TrafficKeys> {
  const [key, iv] = await Promise.all([
    expandLabel(p, hash, secret, 'key', new Uint8Array(0), keyLen),
    expandLabel(p, hash, secret, 'iv', new Uint8Array(0), ivLen),
  ]);
  return { key, iv };
}

/** verify_data = HMAC(finished_key, transcript_hash) (RFC 8446 §4.4.4). */
export async function finishedVerifyData(p: CryptoProvider, hash: HashName, baseKey: Uint8Array, transcriptHash: Uint8Array): Promise<Uint8Array> {
  const fk = await expandLabel(p, hash, baseKey, 'finished', new Uint8Array(0), hashLength(hash));
  return p.hmac(hash, fk, transcriptHash);
}

/** application_traffic_secret_N+1 (RFC 8446 §7.2). */
export function nextTrafficSecret(p: CryptoProvider, hash: HashName, secret: Uint8Array): Promise<Uint8Array> {
  return expandLabel(p, hash, secret, 'traffic upd', new Uint8Array(0), hashLength(hash));
}

/** TLS-Exporter (RFC 8446 §7.5). */
export async function exportKeyingMaterial(
  p: CryptoProvider,
  hash: HashName,
  exporterMasterSecret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Promise<Uint8Array> {
  const emptyHash = await p.hash(hash, new Uint8Array(0));
  const derived = await deriveSecret(p, hash, exporterMasterSecret, label, emptyHash);
  const ctxHash = await p.hash(hash, context);
  return expandLabel(p, hash, derived, 'exporter', ctxHash, length);
}

/**
 * TLS-Exporter (RFC 8446 §7.5) computed synchronously, for providers that offer `hashSync` and `hkdfExpandSync`;
 * null when the provider lacks them. The same derivation as `exportKeyingMaterial`.
 */
export function exportKeyingMaterialSync(
  p: CryptoProvider,
  hash: HashName,
  exporterMasterSecret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Uint8Array | null {
  const { hashSync, hkdfExpandSync } = p;
  if (!hashSync || !hkdfExpandSync) return null;
  const digest = (data: Uint8Array): Uint8Array => hashSync.call(p, hash, data);
  const expand = (secret: Uint8Array, l: string, ctx: Uint8Array, n: number): Uint8Array => hkdfExpandSync.call(p, hash, secret, hkdfLabel(l, ctx, n), n);
  const derived = expand(exporterMasterSecret, label, digest(new Uint8Array(0)), hashLength(hash));
  return expand(derived, 'exporter', digest(context), length);
}

/** PSK for a ticket: HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length). */
export function resumptionPsk(p: CryptoProvider, hash: HashName, resumptionMasterSecret: Uint8Array, nonce: Uint8Array): Promise<Uint8Array> {
  return expandLabel(p, hash, resumptionMasterSecret, 'resumption', nonce, hashLength(hash));
}

/**
 * The secret chain of RFC 8446 §7.1. Stages must be taken in order: `early` (constructor), `handshake`,
 * `master`. Each method returns the secrets of its stage.
 */
export class KeySchedule {
  readonly hash: HashName;
  private readonly p: CryptoProvider;
  private readonly zeros: Uint8Array;
  private emptyHash: Uint8Array | null = null;
  // The secrets live in #private fields: no inspection, enumeration or serialisation reaches them.
  #earlySecret: Uint8Array | null = null;
  #handshakeSecret: Uint8Array | null = null;
  #masterSecret: Uint8Array | null = null;

  constructor(p: CryptoProvider, hash: HashName) {
    this.p = p;
    this.hash = hash;
    this.zeros = new Uint8Array(hashLength(hash));
  }

  private async empty(): Promise<Uint8Array> {
    if (!this.emptyHash) this.emptyHash = await this.p.hash(this.hash, new Uint8Array(0));
    return this.emptyHash;
  }

  /** Early Secret = HKDF-Extract(0, PSK or zeros). */
  async early(psk: Uint8Array | null): Promise<Uint8Array> {
    this.#earlySecret = await this.p.hkdfExtract(this.hash, this.zeros, psk ?? this.zeros);
    return this.#earlySecret;
  }

  /** binder_key (RFC 8446 §7.1): "res binder" for resumption PSKs, "ext binder" for external ones. */
  async binderKey(label: 'res binder' | 'ext binder' = 'res binder'): Promise<Uint8Array> {
    if (!this.#earlySecret) throw new Error('key schedule: early secret first');
    return deriveSecret(this.p, this.hash, this.#earlySecret, label, await this.empty());
  }

  /** client_early_traffic_secret = Derive-Secret(Early Secret, "c e traffic", ClientHello) (RFC 8446 §7.1). */
  async clientEarlyTraffic(helloHash: Uint8Array): Promise<Uint8Array> {
    if (!this.#earlySecret) throw new Error('key schedule: early secret first');
    return deriveSecret(this.p, this.hash, this.#earlySecret, 'c e traffic', helloHash);
  }

  /** Handshake Secret from the (EC)DHE shared secret; returns both handshake traffic secrets. */
  async handshake(sharedSecret: Uint8Array, helloHash: Uint8Array): Promise<{ client: Uint8Array; server: Uint8Array }> {
    if (!this.#earlySecret) await this.early(null);
    const derived = await deriveSecret(this.p, this.hash, this.#earlySecret as Uint8Array, 'derived', await this.empty());
    this.#handshakeSecret = await this.p.hkdfExtract(this.hash, derived, sharedSecret);
    const [client, server] = await Promise.all([
      deriveSecret(this.p, this.hash, this.#handshakeSecret, 'c hs traffic', helloHash),
      deriveSecret(this.p, this.hash, this.#handshakeSecret, 's hs traffic', helloHash),
    ]);
    return { client, server };
  }

  /** Master Secret; returns the application traffic secrets and the exporter master secret (hash of CH..server Finished). */
  async master(serverFinishedHash: Uint8Array): Promise<{ client: Uint8Array; server: Uint8Array; exporter: Uint8Array }> {
    if (!this.#handshakeSecret) throw new Error('key schedule: handshake secret first');
    const derived = await deriveSecret(this.p, this.hash, this.#handshakeSecret, 'derived', await this.empty());
    this.#masterSecret = await this.p.hkdfExtract(this.hash, derived, this.zeros);
    const [client, server, exporter] = await Promise.all([
      deriveSecret(this.p, this.hash, this.#masterSecret, 'c ap traffic', serverFinishedHash),
      deriveSecret(this.p, this.hash, this.#masterSecret, 's ap traffic', serverFinishedHash),
      deriveSecret(this.p, this.hash, this.#masterSecret, 'exp master', serverFinishedHash),
    ]);
    return { client, server, exporter };
  }

  /** resumption_master_secret (hash of CH..client Finished). */
  async resumptionMaster(clientFinishedHash: Uint8Array): Promise<Uint8Array> {
    if (!this.#masterSecret) throw new Error('key schedule: master secret first');
    return deriveSecret(this.p, this.hash, this.#masterSecret, 'res master', clientFinishedHash);
  }
}
