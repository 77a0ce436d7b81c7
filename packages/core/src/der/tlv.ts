/**
 * Strict DER (X.690 §10), the leaf that `cert/` and `crypto/` share: no import, no dependency.
 *
 * Rules:
 * - Single definite lengths in minimal form (X.690 §10.1), no trailing bytes: DER has one encoding per value,
 *   and signatures and certificates are checked over the exact bytes received.
 * - Two readers for two callers: `readDerTlv` returns null on bad input and never throws (the crypto provider
 *   reads the peer's signatures and key blobs with it, single-byte tags and lengths up to 3 bytes);
 *   `checkDer` walks a whole element and throws `DerError` naming the first violation (a quick well-formedness
 *   check; der/reader.ts builds the tree that the certificate and key parsers read).
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

/** The deepest nesting `checkDer` accepts (a certificate needs about 10). */
export const MAX_DER_DEPTH = 32;

/**
 * Walk the TLVs of `der` and throw unless it is exactly one DER element: definite, minimally encoded lengths,
 * constructed contents that parse completely, depth at most 32, no trailing bytes.
 * @param der the encoding to check
 * @throws DerError describing the first violation
 */
export function checkDer(der: Uint8Array): void {
  const end = walk(der, 0, der.length, 0);
  if (end !== der.length) throw new DerError('trailing bytes after the DER element');
}

function walk(b: Uint8Array, off: number, limit: number, depth: number): number {
  if (depth > MAX_DER_DEPTH) throw new DerError('DER nesting too deep');
  if (off >= limit) throw new DerError('truncated DER element');
  const id = b[off] as number;
  let p = off + 1;
  if ((id & 0x1f) === 0x1f) {
    // high tag number form: base-128, no leading 0x80, value >= 31
    let tag = 0;
    let first = true;
    for (;;) {
      if (p >= limit) throw new DerError('truncated DER tag');
      const c = b[p++] as number;
      if (first && c === 0x80) throw new DerError('non-minimal DER tag');
      first = false;
      tag = tag * 128 + (c & 0x7f);
      if (tag > 0x1fffff) throw new DerError('DER tag number too large');
      if ((c & 0x80) === 0) break;
    }
    if (tag < 31) throw new DerError('non-minimal DER tag');
  }
  if (p >= limit) throw new DerError('truncated DER length');
  const l0 = b[p++] as number;
  let len: number;
  if (l0 < 0x80) {
    len = l0;
  } else if (l0 === 0x80) {
    throw new DerError('indefinite length is not DER');
  } else {
    const n = l0 & 0x7f;
    if (n > 4) throw new DerError('DER length too large');
    if (p + n > limit) throw new DerError('truncated DER length');
    if (b[p] === 0) throw new DerError('non-minimal DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (b[p++] as number);
    if (len < 0x80) throw new DerError('non-minimal DER length');
  }
  const end = p + len;
  if (end > limit) throw new DerError('DER length exceeds the enclosing element');
  if (id & 0x20) {
    let q = p;
    while (q < end) q = walk(b, q, end, depth + 1);
  }
  return end;
}
