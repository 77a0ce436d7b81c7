/**
 * TLS 1.2 record protection with the AEAD suites (RFC 5246 §6.2.3.3): AES-GCM with a 4-byte fixed IV and an
 * 8-byte explicit nonce sent in each record (RFC 5288 §3: memtls sends the sequence number, as OpenSSL does);
 * ChaCha20-Poly1305 with the nonce of RFC 7905 §2 (fixed IV XOR the sequence number, nothing sent).
 * additional_data = seq_num(8) || type || version || plaintext length. No inner content type, no padding.
 *
 * Rules:
 * - A record's sequence number is taken synchronously, before the first await (as in record/tls13.ts).
 * - Plaintext is at most 2^14 bytes (record_overflow past it); the ciphertext limit, 2^14 + 2048, is the
 *   deframer's (checked when the header arrives).
 * - No sequence-number limit and no rekeying: TLS 1.2 has no KeyUpdate, and the AEAD limits are far away.
 */
import type { AeadKey, CryptoProvider } from '../crypto/provider.js';
import type { CipherSuite } from '../crypto/suites.js';
import { SslError } from '../errors/ssl-error.js';
import type { OpenedRecord, RecordProtector } from './protection.js';
import { MAX_PLAINTEXT } from './tls13.js';

/** RFC 5246 §6.2.3: TLSCiphertext.length is at most 2^14 + 2048. */
export const MAX_CIPHERTEXT_12 = (1 << 14) + 2048;
const TAG = 16;

/** The 8-byte big-endian sequence number. */
function seqBytes(seq: number): Uint8Array {
  const out = new Uint8Array(8);
  let s = seq;
  for (let i = 7; i >= 0 && s > 0; i--) {
    out[i] = s % 256;
    s = Math.floor(s / 256);
  }
  return out;
}

export class RecordProtector12 implements RecordProtector {
  // The AEAD key and the fixed IV live in #private fields: no inspection, enumeration or serialisation reaches them.
  readonly #key: AeadKey;
  readonly #iv: Uint8Array;
  /** Bytes of explicit nonce in each record (8: AES-GCM; 0: ChaCha20-Poly1305). */
  private readonly explicit: number;
  private seq = 0;

  private constructor(key: AeadKey, iv: Uint8Array, explicit: number) {
    this.#key = key;
    this.#iv = iv;
    this.explicit = explicit;
  }

  static async create(p: CryptoProvider, suite: CipherSuite, keys: { key: Uint8Array; iv: Uint8Array }): Promise<RecordProtector12> {
    // Own copy of the IV (a Buffer's slice() is a view: the nonce must never write into the caller's bytes).
    return new RecordProtector12(await p.importAeadKey(suite.aead, keys.key), Uint8Array.from(keys.iv), suite.explicitNonceLen);
  }

  get sequence(): number {
    return this.seq;
  }

  get synchronous(): boolean {
    return this.#key.sealSync !== undefined && this.#key.openSync !== undefined;
  }

  /** The AEAD nonce: fixed IV || explicit nonce (AES-GCM), or fixed IV XOR the padded sequence (ChaCha20). */
  private nonce(seq: Uint8Array, explicit: Uint8Array): Uint8Array {
    if (this.explicit > 0) {
      const n = new Uint8Array(this.#iv.length + explicit.length);
      n.set(this.#iv);
      n.set(explicit, this.#iv.length);
      return n;
    }
    const n = this.#iv.slice();
    for (let i = 0; i < 8; i++) n[n.length - 8 + i] = (n[n.length - 8 + i] as number) ^ (seq[i] as number);
    return n;
  }

  private static aad(seq: Uint8Array, type: number, v0: number, v1: number, length: number): Uint8Array {
    const a = new Uint8Array(13);
    a.set(seq);
    a[8] = type;
    a[9] = v0;
    a[10] = v1;
    a[11] = length >> 8;
    a[12] = length & 0xff;
    return a;
  }

  /** Seal one record of content type `type`: header || explicit nonce || ciphertext || tag. */
  seal(type: number, plaintext: Uint8Array): Promise<Uint8Array> {
    if (this.synchronous) return Promise.resolve(this.sealSync(type, plaintext));
    if (plaintext.length > MAX_PLAINTEXT) throw new RangeError('record plaintext too long');
    const seq = seqBytes(this.seq++);
    const explicit = this.explicit > 0 ? seq : new Uint8Array(0);
    return this.#key.seal(this.nonce(seq, explicit), RecordProtector12.aad(seq, type, 3, 3, plaintext.length), plaintext).then((ct) => RecordProtector12.record(type, explicit, ct));
  }

  /** header || explicit nonce || ciphertext || tag. */
  private static record(type: number, explicit: Uint8Array, ct: Uint8Array): Uint8Array {
    const len = explicit.length + ct.length;
    const rec = new Uint8Array(5 + len);
    rec[0] = type;
    rec[1] = 3;
    rec[2] = 3;
    rec[3] = len >> 8;
    rec[4] = len & 0xff;
    rec.set(explicit, 5);
    rec.set(ct, 5 + explicit.length);
    return rec;
  }

  /** `seal` with the key's synchronous `sealSync` (RecordProtector.sealSync). */
  sealSync(type: number, plaintext: Uint8Array): Uint8Array {
    const key = this.#key;
    if (!key.sealSync) throw new TypeError('sealSync: this AEAD key is asynchronous');
    if (plaintext.length > MAX_PLAINTEXT) throw new RangeError('record plaintext too long');
    const seq = seqBytes(this.seq++);
    const explicit = this.explicit > 0 ? seq : new Uint8Array(0);
    return RecordProtector12.record(type, explicit, key.sealSync(this.nonce(seq, explicit), RecordProtector12.aad(seq, type, 3, 3, plaintext.length), plaintext));
  }

  openAt(seq: number, header: Uint8Array, body: Uint8Array): Promise<Uint8Array | null> {
    if (this.#key.openSync) return Promise.resolve(this.openSyncAt(seq, header, body));
    // Too short for the explicit nonce and the tag: it cannot authenticate.
    if (body.length < this.explicit + TAG) return Promise.resolve(null);
    const s = seqBytes(seq);
    const explicit = body.subarray(0, this.explicit);
    const length = body.length - this.explicit - TAG;
    return this.#key.open(this.nonce(s, explicit), RecordProtector12.aad(s, header[0] as number, header[1] as number, header[2] as number, length), body.subarray(this.explicit));
  }

  /** `openAt` with the key's synchronous `openSync` (RecordProtector.openSyncAt). */
  openSyncAt(seq: number, header: Uint8Array, body: Uint8Array): Uint8Array | null {
    const key = this.#key;
    if (!key.openSync) throw new TypeError('openSyncAt: this AEAD key is asynchronous');
    if (body.length < this.explicit + TAG) return null;
    const s = seqBytes(seq);
    const explicit = body.subarray(0, this.explicit);
    const length = body.length - this.explicit - TAG;
    return key.openSync(this.nonce(s, explicit), RecordProtector12.aad(s, header[0] as number, header[1] as number, header[2] as number, length), body.subarray(this.explicit));
  }

  adopt(seq: number): boolean {
    if (seq !== this.seq) return false;
    this.seq++;
    return true;
  }

  finishOpen(raw: Uint8Array | null, header: Uint8Array): OpenedRecord {
    if (raw === null) throw new SslError('DECRYPTION_FAILED_OR_BAD_RECORD_MAC');
    if (raw.length > MAX_PLAINTEXT) throw new SslError('DATA_LENGTH_TOO_LONG', { detail: `plaintext of ${raw.length} bytes` });
    return { type: header[0] as number, content: raw };
  }

  async openIfAuthentic(header: Uint8Array, body: Uint8Array): Promise<OpenedRecord | null> {
    const raw = await this.openAt(this.seq, header, body);
    if (raw === null) return null;
    this.seq++;
    return this.finishOpen(raw, header);
  }

  async open(header: Uint8Array, body: Uint8Array): Promise<OpenedRecord> {
    const seq = this.seq++;
    return this.finishOpen(await this.openAt(seq, header, body), header);
  }
}
