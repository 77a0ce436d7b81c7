/**
 * ECDSA signatures between TLS and WebCrypto: TLS carries `Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }`
 * (RFC 8446 §4.2.3, RFC 3279 §2.2.3) while WebCrypto speaks fixed-width raw r||s (WebCrypto §23.4 "ECDSA").
 * The TLVs are read and written by der/tlv.ts.
 *
 * Rules:
 * - Parsing is strict DER (X.690 §10): single-byte tags, definite lengths in minimal form, no trailing bytes.
 *   Signatures come from the peer, so every parser returns `null` on bad input and never throws.
 * - INTEGERs in signatures must be minimal, non-negative, non-zero and fit the curve's field size.
 */
import { encodeDerTlv, readDerTlv } from '../der/tlv.js';

/** Read one strict DER INTEGER holding a positive value of at most `size` bytes; returns it left-padded. */
function readPositiveInteger(der: Uint8Array, offset: number, size: number): { value: Uint8Array; end: number } | null {
  const tlv = readDerTlv(der, offset);
  if (tlv === null || tlv.tag !== 0x02 || tlv.value.length === 0) return null;
  let v = tlv.value;
  const b0 = v[0] as number;
  if (b0 & 0x80) return null; // negative
  if (b0 === 0 && v.length > 1) {
    if (((v[1] as number) & 0x80) === 0) return null; // non-minimal: a leading zero not needed for the sign
    v = v.subarray(1);
  }
  if (v.length > size || v.every((x) => x === 0)) return null; // oversized, or zero (r and s are in [1, n-1])
  const value = new Uint8Array(size);
  value.set(v, size - v.length);
  return { value, end: tlv.end };
}

/**
 * Convert a DER ECDSA signature to WebCrypto's raw r||s.
 * @param der the peer's signature bytes.
 * @param size the curve's field size in bytes (32 for P-256, 48 for P-384, 66 for P-521).
 * @returns `2 * size` bytes, or null when the encoding is not strict DER (BER lengths, non-minimal or
 *   negative INTEGERs, values wider than the field, zero values, missing or trailing bytes).
 * @example ecdsaDerToRaw(fromHex('3006020101020102'), 32) // r = 1, s = 2, each padded to 32 bytes
 */
export function ecdsaDerToRaw(der: Uint8Array, size: number): Uint8Array | null {
  const seq = readDerTlv(der, 0);
  if (seq === null || seq.tag !== 0x30 || seq.end !== der.length) return null;
  const r = readPositiveInteger(seq.value, 0, size);
  if (r === null) return null;
  const s = readPositiveInteger(seq.value, r.end, size);
  if (s === null || s.end !== seq.value.length) return null;
  const raw = new Uint8Array(2 * size);
  raw.set(r.value, 0);
  raw.set(s.value, size);
  return raw;
}

/** Minimal DER INTEGER content for an unsigned big-endian magnitude. */
function integerContent(magnitude: Uint8Array): Uint8Array {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const v = magnitude.subarray(i); // at least one byte: the loop keeps the last one
  if (((v[0] as number) & 0x80) === 0) return v;
  const out = new Uint8Array(v.length + 1); // a leading 0x00 keeps the value positive
  out.set(v, 1);
  return out;
}

/**
 * Convert WebCrypto's raw r||s ECDSA signature to DER, with minimal INTEGER encodings.
 * @throws RangeError when `raw` is empty or has an odd length (a programmer error: WebCrypto output is even).
 * @example ecdsaRawToDer(raw64) // 0x30 len 0x02 len r 0x02 len s
 */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  if (raw.length === 0 || raw.length % 2 !== 0) throw new RangeError('raw ECDSA signature must have even length');
  const half = raw.length / 2;
  const r = encodeDerTlv(0x02, integerContent(raw.subarray(0, half)));
  const s = encodeDerTlv(0x02, integerContent(raw.subarray(half)));
  const body = new Uint8Array(r.length + s.length);
  body.set(r, 0);
  body.set(s, r.length);
  return encodeDerTlv(0x30, body);
}
