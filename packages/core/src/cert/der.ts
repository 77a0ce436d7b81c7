/**
 * Strict DER access on top of asn1js: the only module of `cert/` that imports the library.
 *
 * Rules:
 * - Every input is first walked by `checkDer` (der/tlv.ts), a small TLV walker of our own: definite lengths only, minimal
 *   length encodings, no trailing bytes, bounded depth. asn1js itself is a BER decoder (it accepts
 *   indefinite lengths and long forms), so this walk is what makes the whole parser DER-only.
 * - asn1js is called with `parseEmbedded: false` and resource limits, so OCTET STRING / BIT STRING contents are
 *   never speculatively decoded; extension values are decoded explicitly, one level at a time.
 * - Helpers throw `DerError` (a plain Error subclass with words only); callers turn it into an SslError or a
 *   TypeError at their own boundary.
 * - Original bytes of any element are available through `rawOf` (asn1js `valueBeforeDecodeView`): signatures
 *   are verified over the exact received bytes, never over a re-encoding.
 */
import * as asn1js from 'asn1js';
import { checkDer, DerError, MAX_DER_DEPTH } from '../der/tlv.js';

/** ASN.1 tag classes as asn1js numbers them. */
export const TagClass = { UNIVERSAL: 1, APPLICATION: 2, CONTEXT: 3, PRIVATE: 4 } as const;

/** Universal tag numbers used by the X.509 profile. */
export const Tag = {
  BOOLEAN: 1,
  INTEGER: 2,
  BIT_STRING: 3,
  OCTET_STRING: 4,
  NULL: 5,
  OID: 6,
  UTF8_STRING: 12,
  SEQUENCE: 16,
  SET: 17,
  PRINTABLE_STRING: 19,
  T61_STRING: 20,
  IA5_STRING: 22,
  UTC_TIME: 23,
  GENERALIZED_TIME: 24,
  UNIVERSAL_STRING: 28,
  BMP_STRING: 30,
} as const;

export type Node = asn1js.AsnType;

/**
 * Decode one complete DER element.
 * @param der the encoding (checked with `checkDer` first)
 * @param what words naming the structure, for error messages
 * @throws DerError when the bytes are not one well-formed DER element
 */
export function decodeDer(der: Uint8Array, what: string): Node {
  try {
    checkDer(der);
  } catch (e) {
    throw new DerError(`${what}: ${(e as Error).message}`);
  }
  let r: asn1js.FromBerResult;
  try {
    r = asn1js.fromBER(der, { parseEmbedded: false, maxDepth: MAX_DER_DEPTH + 1, maxNodes: 20000 });
  } catch {
    throw new DerError(`${what}: undecodable DER`);
  }
  if (r.offset === -1 || r.offset !== der.length) throw new DerError(`${what}: undecodable DER`);
  return r.result;
}

/** The exact original bytes (tag, length and contents) of a decoded element. */
export function rawOf(n: Node): Uint8Array {
  return (n as asn1js.BaseBlock).valueBeforeDecodeView;
}

function describe(n: Node): string {
  const id = n.idBlock;
  return id.tagClass === TagClass.UNIVERSAL ? `universal ${id.tagNumber}` : `[${id.tagNumber}] class ${id.tagClass}`;
}

/** The content octets of a primitive element (asn1js keeps them as `valueHexView` on every primitive block). */
function contentOf(n: Node): Uint8Array {
  const v = (n as unknown as { valueBlock: { valueHexView?: Uint8Array } }).valueBlock.valueHexView;
  if (!(v instanceof Uint8Array)) throw new DerError('expected a primitive element');
  return v;
}

/** True when `n` has the given class and number. */
export function isTag(n: Node | undefined, tagClass: number, tagNumber: number): n is Node {
  return n !== undefined && n.idBlock.tagClass === tagClass && n.idBlock.tagNumber === tagNumber;
}

function expectTag(n: Node | undefined, tagClass: number, tagNumber: number, constructed: boolean, what: string): Node {
  if (n === undefined) throw new DerError(`${what}: missing`);
  if (!isTag(n, tagClass, tagNumber) || n.idBlock.isConstructed !== constructed) {
    throw new DerError(`${what}: unexpected ${describe(n)}`);
  }
  return n;
}

/** The children of a SEQUENCE (or SET when `tag` says so). */
export function seq(n: Node | undefined, what: string, tag: number = Tag.SEQUENCE): Node[] {
  const s = expectTag(n, TagClass.UNIVERSAL, tag, true, what);
  return (s as asn1js.Constructed).valueBlock.value;
}

/** The children of a constructed context-specific element `[tagNumber]`. */
export function ctxConstructed(n: Node | undefined, tagNumber: number, what: string): Node[] {
  const s = expectTag(n, TagClass.CONTEXT, tagNumber, true, what);
  return (s as asn1js.Constructed).valueBlock.value;
}

/** The content bytes of a primitive context-specific element `[tagNumber]` (IMPLICIT tagging). */
export function ctxPrimitive(n: Node | undefined, tagNumber: number, what: string): Uint8Array {
  const s = expectTag(n, TagClass.CONTEXT, tagNumber, false, what);
  return (s as asn1js.Primitive).valueBlock.valueHexView;
}

/** The dotted form of an OBJECT IDENTIFIER. */
export function oid(n: Node | undefined, what: string): string {
  const s = expectTag(n, TagClass.UNIVERSAL, Tag.OID, false, what);
  const v = (s as asn1js.ObjectIdentifier).getValue();
  if (!/^\d+(\.\d+)+$/.test(v)) throw new DerError(`${what}: bad object identifier`);
  return v;
}

/** The two's-complement content bytes of an INTEGER, checked for minimal encoding. */
export function integerBytes(n: Node | undefined, what: string): Uint8Array {
  const s = expectTag(n, TagClass.UNIVERSAL, Tag.INTEGER, false, what);
  const v = (s as asn1js.Integer).valueBlock.valueHexView;
  if (v.length === 0) throw new DerError(`${what}: empty INTEGER`);
  const b0 = v[0] as number;
  const b1 = v[1];
  if (b1 !== undefined && ((b0 === 0 && b1 < 0x80) || (b0 === 0xff && b1 >= 0x80))) {
    throw new DerError(`${what}: non-minimal INTEGER`);
  }
  return v;
}

/** A small non-negative INTEGER as a number (path lengths, versions). */
export function smallInteger(n: Node | undefined, what: string): number {
  const v = integerBytes(n, what);
  if (((v[0] as number) & 0x80) !== 0) throw new DerError(`${what}: negative INTEGER`);
  if (v.length > 4) throw new DerError(`${what}: INTEGER too large`);
  let x = 0;
  for (const b of v) x = x * 256 + b;
  return x;
}

/** A DER BOOLEAN (TRUE must be encoded as 0xFF). */
export function boolean(n: Node | undefined, what: string): boolean {
  const s = expectTag(n, TagClass.UNIVERSAL, Tag.BOOLEAN, false, what);
  const v = (s as asn1js.Boolean).valueBlock.valueHexView;
  if (v.length !== 1 || (v[0] !== 0 && v[0] !== 0xff)) throw new DerError(`${what}: BOOLEAN is not DER`);
  return v[0] === 0xff;
}

/** The content bytes of a primitive OCTET STRING. */
export function octets(n: Node | undefined, what: string): Uint8Array {
  const s = expectTag(n, TagClass.UNIVERSAL, Tag.OCTET_STRING, false, what);
  return (s as asn1js.OctetString).valueBlock.valueHexView;
}

/** A primitive BIT STRING: its bytes and the number of unused bits in the last byte. */
export function bitString(n: Node | undefined, what: string): { bytes: Uint8Array; unusedBits: number } {
  const s = expectTag(n, TagClass.UNIVERSAL, Tag.BIT_STRING, false, what) as asn1js.BitString;
  const unusedBits = s.valueBlock.unusedBits;
  const bytes = s.valueBlock.valueHexView;
  if (unusedBits > 7 || (bytes.length === 0 && unusedBits !== 0)) throw new DerError(`${what}: bad BIT STRING`);
  const last = bytes[bytes.length - 1];
  if (last !== undefined && (last & ((1 << unusedBits) - 1)) !== 0) throw new DerError(`${what}: BIT STRING padding is not zero`);
  return { bytes, unusedBits };
}

/** A BIT STRING that must hold whole bytes (keys, signatures). */
export function bitStringBytes(n: Node | undefined, what: string): Uint8Array {
  const { bytes, unusedBits } = bitString(n, what);
  if (unusedBits !== 0) throw new DerError(`${what}: BIT STRING has unused bits`);
  return bytes;
}

/**
 * A Time (UTCTime or GeneralizedTime) as a Date, with the RFC 5280 §4.1.2.5 profile: seconds present, "Z"
 * zone, no fractions.
 */
export function time(n: Node | undefined, what: string): Date {
  if (n === undefined) throw new DerError(`${what}: missing`);
  const raw = contentOf(n);
  const s = latin1(raw);
  let year: number;
  let rest: string;
  if (isTag(n, TagClass.UNIVERSAL, Tag.UTC_TIME) && !n.idBlock.isConstructed) {
    if (!/^\d{12}Z$/.test(s)) throw new DerError(`${what}: UTCTime is not YYMMDDHHMMSSZ`);
    const yy = Number(s.slice(0, 2));
    year = yy >= 50 ? 1900 + yy : 2000 + yy; // RFC 5280 §4.1.2.5.1
    rest = s.slice(2);
  } else if (isTag(n, TagClass.UNIVERSAL, Tag.GENERALIZED_TIME) && !n.idBlock.isConstructed) {
    if (!/^\d{14}Z$/.test(s)) throw new DerError(`${what}: GeneralizedTime is not YYYYMMDDHHMMSSZ`);
    year = Number(s.slice(0, 4));
    rest = s.slice(4);
  } else {
    throw new DerError(`${what}: not a Time`);
  }
  const mo = Number(rest.slice(0, 2));
  const d = Number(rest.slice(2, 4));
  const h = Number(rest.slice(4, 6));
  const mi = Number(rest.slice(6, 8));
  const se = Number(rest.slice(8, 10));
  const t = Date.UTC(year, mo - 1, d, h, mi, se);
  const back = new Date(t);
  if (
    mo < 1 || mo > 12 || h > 23 || mi > 59 || se > 59 ||
    back.getUTCFullYear() !== year || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d
  ) {
    throw new DerError(`${what}: invalid date`);
  }
  return back;
}

/** Bytes to a string, one character per byte (no spread: values can be long). */
export function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return s;
}

/** A directory string attribute value as text (best effort; the bytes stay authoritative). */
export function directoryString(n: Node): string | null {
  const id = n.idBlock;
  if (id.tagClass !== TagClass.UNIVERSAL || id.isConstructed) return null;
  const bytes = contentOf(n);
  switch (id.tagNumber) {
    case Tag.UTF8_STRING:
      return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    case Tag.PRINTABLE_STRING:
    case Tag.IA5_STRING:
    case Tag.T61_STRING:
      return latin1(bytes);
    case Tag.BMP_STRING: {
      let s = '';
      for (let i = 0; i + 1 < bytes.length; i += 2) s += String.fromCharCode(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
      return s;
    }
    default:
      return null;
  }
}

/**
 * Encode a PKCS#8 PrivateKeyInfo (RFC 5208 §5) around an inner private key: SEQUENCE { INTEGER 0,
 * AlgorithmIdentifier { algorithm, parameters }, OCTET STRING privateKey }.
 * @param algorithm the key algorithm OID, dotted
 * @param parameters DER of the parameters (an OID or NULL), or null to omit them
 * @param privateKey the inner key encoding (PKCS#1 RSAPrivateKey or SEC1 ECPrivateKey DER)
 */
export function encodePkcs8(algorithm: string, parameters: Uint8Array | null, privateKey: Uint8Array): Uint8Array {
  const alg: asn1js.AsnType[] = [new asn1js.ObjectIdentifier({ value: algorithm })];
  if (parameters) {
    const p = asn1js.fromBER(parameters, { parseEmbedded: false });
    if (p.offset !== parameters.length) throw new DerError('bad algorithm parameters');
    alg.push(p.result);
  }
  const info = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 0 }),
      new asn1js.Sequence({ value: alg }),
      new asn1js.OctetString({ valueHex: privateKey }),
    ],
  });
  return new Uint8Array(info.toBER(false));
}
