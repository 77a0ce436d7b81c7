/**
 * TLS 1.3 record protection (RFC 8446 §5.2-§5.3): per-record nonce = iv XOR seq, inner content type,
 * zero padding, AAD = the record header.
 *
 * Rules:
 * - A record's sequence number is taken synchronously, before the first await, so records sealed or
 *   opened concurrently can never swap nonces.
 * - Plaintext is at most 2^14 bytes; ciphertext at most 2^14 + 256 (checked once, by the deframer when the
 *   header arrives: record/deframer.ts); the whole TLSInnerPlaintext (content, type byte and padding) at most
 *   2^14 + 1.
 * - The sequence number never wraps: the connection must rekey (KeyUpdate) or close before `seqLimit`.
 */
import type { AeadKey, CryptoProvider } from '../crypto/provider.js';
import type { CipherSuite } from '../crypto/suites.js';
import { SslError } from '../errors/ssl-error.js';
import { ContentType } from '../wire/enums.js';
import type { OpenedRecord, RecordProtector } from './protection.js';

export const MAX_PLAINTEXT = 1 << 14;
export const MAX_CIPHERTEXT_13 = (1 << 14) + 256;
/** RFC 8446 §5.5: AES-GCM keys must be rotated well before 2^24.5 full-size records; memtls sends a KeyUpdate by
 * itself after `limits.keyUpdateAfterRecords` (ssl/write.ts), and refuses to go past 2^48 records with one key
 * rather than wrap. */
export const DEFAULT_SEQ_LIMIT = 2 ** 48;

export class RecordProtector13 implements RecordProtector {
  // The AEAD key and IV live in #private fields: no inspection, enumeration or serialisation reaches them.
  readonly #key: AeadKey;
  readonly #iv: Uint8Array;
  private seq = 0;
  readonly seqLimit: number;

  private constructor(key: AeadKey, iv: Uint8Array, seqLimit: number) {
    this.#key = key;
    this.#iv = iv;
    this.seqLimit = seqLimit;
  }

  static async create(p: CryptoProvider, suite: CipherSuite, keys: { key: Uint8Array; iv: Uint8Array }, seqLimit = DEFAULT_SEQ_LIMIT): Promise<RecordProtector13> {
    return new RecordProtector13(await p.importAeadKey(suite.aead, keys.key), keys.iv, seqLimit);
  }

  get sequence(): number {
    return this.seq;
  }

  get synchronous(): boolean {
    return this.#key.sealSync !== undefined && this.#key.openSync !== undefined;
  }

  private nonce(seq: number): Uint8Array {
    const n = this.#iv.slice();
    let s = seq;
    for (let i = n.length - 1; i >= n.length - 8 && s > 0; i--) {
      n[i] = (n[i] as number) ^ (s % 256);
      s = Math.floor(s / 256);
    }
    return n;
  }

  private takeSeq(forAlert = false): number {
    // One sequence number past the limit is kept for an alert, so exhaustion can still be reported.
    if (this.seq >= this.seqLimit + (forAlert ? 1 : 0)) throw new SslError('SEQUENCE_NUMBER_EXHAUSTED', { origin: 'local' });
    return this.seq++;
  }

  /** The outer header of a record with `plaintext` bytes of content: application_data, 0x0303, length. */
  private static header(plaintext: Uint8Array, padding: number): Uint8Array {
    const len = plaintext.length + 1 + padding + 16;
    return new Uint8Array([ContentType.APPLICATION_DATA, 0x03, 0x03, len >> 8, len & 0xff]);
  }

  /** The TLSInnerPlaintext (RFC 8446 §5.2): content, the real content type, zero padding. */
  private static inner(type: number, plaintext: Uint8Array, padding: number): Uint8Array {
    const inner = new Uint8Array(plaintext.length + 1 + padding);
    inner.set(plaintext);
    inner[plaintext.length] = type;
    return inner;
  }

  private static join(header: Uint8Array, ct: Uint8Array): Uint8Array {
    const rec = new Uint8Array(5 + ct.length);
    rec.set(header);
    rec.set(ct, 5);
    return rec;
  }

  /** Seal one record: returns header || ciphertext. `type` is the real (inner) content type. */
  seal(type: number, plaintext: Uint8Array, padding = 0): Promise<Uint8Array> {
    if (this.synchronous) return Promise.resolve(this.sealSync(type, plaintext, padding));
    if (plaintext.length > MAX_PLAINTEXT) throw new RangeError('record plaintext too long');
    const seq = this.takeSeq(type === ContentType.ALERT);
    const header = RecordProtector13.header(plaintext, padding);
    if (this.#key.sealRecord) return this.#key.sealRecord(this.nonce(seq), header, plaintext, type, padding);
    return this.#key.seal(this.nonce(seq), header, RecordProtector13.inner(type, plaintext, padding)).then((ct) => RecordProtector13.join(header, ct));
  }

  /** `seal` with the key's synchronous methods (RecordProtector.sealSync). */
  sealSync(type: number, plaintext: Uint8Array, padding = 0): Uint8Array {
    const key = this.#key;
    if (!key.sealSync) throw new TypeError('sealSync: this AEAD key is asynchronous');
    if (plaintext.length > MAX_PLAINTEXT) throw new RangeError('record plaintext too long');
    const seq = this.takeSeq(type === ContentType.ALERT);
    const header = RecordProtector13.header(plaintext, padding);
    if (key.sealRecordSync) return key.sealRecordSync(this.nonce(seq), header, plaintext, type, padding);
    return RecordProtector13.join(header, key.sealSync(this.nonce(seq), header, RecordProtector13.inner(type, plaintext, padding)));
  }

  /** `openAt` with the key's synchronous `openSync` (RecordProtector.openSyncAt). */
  openSyncAt(seq: number, header: Uint8Array, body: Uint8Array): Uint8Array | null {
    if (!this.#key.openSync) throw new TypeError('openSyncAt: this AEAD key is asynchronous');
    return this.#key.openSync(this.nonce(seq), header, body);
  }

  /**
   * Start opening the record that will have sequence number `seq` without taking it (speculative decryption
   * of records already in the read BIO). `adopt(seq)` later takes the number when the record is processed.
   * Resolves null when authentication fails.
   */
  openAt(seq: number, header: Uint8Array, body: Uint8Array): Promise<Uint8Array | null> {
    if (this.#key.openSync) return Promise.resolve(this.#key.openSync(this.nonce(seq), header, body));
    return this.#key.open(this.nonce(seq), header, body);
  }

  /** Take sequence number `seq` for a record opened with `openAt`; false if it is not the next one. */
  adopt(seq: number): boolean {
    if (seq !== this.seq) return false;
    this.takeSeq();
    return true;
  }

  /** Strip the inner plaintext (RFC 8446 §5.4) of an opened record. */
  static unpad(inner: Uint8Array | null): { type: number; content: Uint8Array } {
    if (inner === null) throw new SslError('DECRYPTION_FAILED_OR_BAD_RECORD_MAC');
    // RFC 8446 §5.2: the full encoded TLSInnerPlaintext MUST NOT exceed 2^14 + 1 octets, padding included.
    if (inner.length > MAX_PLAINTEXT + 1) throw new SslError('DATA_LENGTH_TOO_LONG', { detail: `inner plaintext of ${inner.length} bytes` });
    let end = inner.length - 1;
    while (end >= 0 && inner[end] === 0) end--;
    if (end < 0) throw new SslError('NO_PADDING_END');
    if (end > MAX_PLAINTEXT) throw new SslError('DATA_LENGTH_TOO_LONG');
    return { type: inner[end] as number, content: inner.subarray(0, end) };
  }

  /** What `openAt` resolved to, unpadded (RecordProtector). */
  finishOpen(raw: Uint8Array | null, _header: Uint8Array): OpenedRecord {
    return RecordProtector13.unpad(raw);
  }

  /**
   * Open a record that may not be protected with this key (rejected early data): null when it does not
   * authenticate, and then no sequence number is taken.
   */
  async openIfAuthentic(header: Uint8Array, body: Uint8Array): Promise<{ type: number; content: Uint8Array } | null> {
    if (this.seq >= this.seqLimit) throw new SslError('SEQUENCE_NUMBER_EXHAUSTED', { origin: 'local' });
    const seq = this.seq;
    const inner = await this.#key.open(this.nonce(seq), header, body);
    if (inner === null) return null;
    this.takeSeq();
    return RecordProtector13.unpad(inner);
  }

  /**
   * Open one protected record. `header` is the 5 bytes as received, `body` the ciphertext.
   * Returns the inner content type and content. Throws SslError on a bad tag, an oversized plaintext or a
   * record with no non-zero content type.
   */
  async open(header: Uint8Array, body: Uint8Array): Promise<{ type: number; content: Uint8Array }> {
    const seq = this.takeSeq();
    if (this.#key.openSync) return RecordProtector13.unpad(this.#key.openSync(this.nonce(seq), header, body));
    return RecordProtector13.unpad(await this.#key.open(this.nonce(seq), header, body));
  }
}
