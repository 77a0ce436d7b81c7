/**
 * Strict DER (X.690 §10), the leaf that `cert/` and `crypto/` share: no import, no dependency.
 *
 * Rules:
 * - Single definite lengths in minimal form (X.690 §10.1), no trailing bytes: DER has one encoding per value,
 *   and signatures and certificates are checked over the exact bytes received.
 * - Two readers for two callers: `readDerTlv` here returns null on bad input and never throws (the crypto
 *   provider reads the peer's signatures and key blobs with it, single-byte tags and lengths up to 3 bytes);
 *   der/reader.ts `readDer` builds the checked tree that the certificate and key parsers read and throws
 *   `DerError` naming the first violation.
 */

/** One decoded TLV: `tag`, the content bytes, and the offset just past it in the parsed buffer. */
export interface DerTlv {
  readonly tag: number;
  readonly value: Uint8Array;
  readonly end: number;
}

/**
 * Read one DER TLV at `offset`.
 * @returns the TLV, or null for a multi-byte tag, an indefinite or non-minimal length, or a truncated value.
 */
export function readDerTlv(der: Uint8Array, offset = 0): DerTlv | null {
  const tag = der[offset];
  const first = der[offset + 1];
  if (tag === undefined || first === undefined || (tag & 0x1f) === 0x1f) return null;
  let pos = offset + 2;
  let length = first;
  if (first >= 0x80) {
    const n = first & 0x7f;
    // 0x80 is BER's indefinite form; more than 3 length bytes is never a key or signature we handle.
    if (n === 0 || n > 3 || pos + n > der.length) return null;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (der[pos + i] as number);
    pos += n;
    // X.690 §10.1: the long form only for lengths >= 128, and without leading zero bytes.
    if (length < 0x80 || der[offset + 2] === 0) return null;
  }
  if (pos + length > der.length) return null;
  return { tag, value: der.subarray(pos, pos + length), end: pos + length };
}

/** Encode one DER TLV with a minimal length (single-byte `tag`). */
export function encodeDerTlv(tag: number, value: Uint8Array): Uint8Array {
  const n = value.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : null;
  if (len === null) throw new RangeError('DER value too long');
  const out = new Uint8Array(1 + len.length + n);
  out[0] = tag;
  out.set(len, 1);
  out.set(value, 1 + len.length);
  return out;
}

/** A DER decoding failure: the message says what was wrong, never echoing key material. */
export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

/** The deepest nesting der/reader.ts accepts (a certificate needs about 10). */
export const MAX_DER_DEPTH = 32;
