/**
 * X.509 accessors over the strict DER reader (der/reader.ts): the only module of `cert/` that reads DER.
 *
 * Rules:
 * - `decodeDer` reads the whole input with `readDer`: definite minimal lengths, low tag numbers, no trailing
 *   bytes, bounded depth and node count, and the universal types (BOOLEAN, INTEGER, BIT STRING, NULL, OID,
 *   primitive/constructed forms) already checked; the accessors below add the per-field checks.
 * - OCTET STRING / BIT STRING contents are never decoded speculatively; extension values are decoded explicitly,
 *   one level at a time.
 * - Helpers throw `DerError` (a plain Error subclass with words only); callers turn it into an SslError or a
 *   TypeError at their own boundary.
 * - Original bytes of any element are available through `rawOf`: signatures are verified over the exact
 *   received bytes, never over a re-encoding.
 */
import { type DerNode, encodeDer, encodeOidContent, oidString, readDer, Tag, TagClass } from '../der/reader.js';
import { DerError } from '../der/tlv.js';

export { Tag, TagClass };

/** A decoded DER element. */
export type Node = DerNode;

/**
 * Decode one complete DER element.
 * @param der the encoding
 * @param what words naming the structure, for error messages
 * @throws DerError when the bytes are not one well-formed DER element
 */
export function decodeDer(der: Uint8Array, what: string): Node {
  try {
    return readDer(der);
  } catch (e) {
    if (e instanceof DerError) throw new DerError(`${what}: ${e.message}`);
    throw e;
  }
}

/** The exact original bytes (tag, length and contents) of a decoded element. */
export function rawOf(n: Node): Uint8Array {
  return n.raw;
}

function describe(n: Node): string {
  return n.cls === TagClass.UNIVERSAL ? `universal ${n.tag}` : `[${n.tag}] class ${n.cls}`;
}

/** The content octets of a primitive element. */
function contentOf(n: Node): Uint8Array {
  if (n.constructed) throw new DerError('expected a primitive element');
  return n.content;
}

/** True when `n` has the given class and number. */
export function isTag(n: Node | undefined, tagClass: number, tagNumber: number): n is Node {
  return n !== undefined && n.cls === tagClass && n.tag === tagNumber;
}

function expectTag(n: Node | undefined, tagClass: number, tagNumber: number, constructed: boolean, what: string): Node {
  if (n === undefined) throw new DerError(`${what}: missing`);
  if (!isTag(n, tagClass, tagNumber) || n.constructed !== constructed) {
    throw new DerError(`${what}: unexpected ${describe(n)}`);
  }
  return n;
}

/** The children of a SEQUENCE (or SET when `tag` says so). */
export function seq(n: Node | undefined, what: string, tag: number = Tag.SEQUENCE): Node[] {
  return expectTag(n, TagClass.UNIVERSAL, tag, true, what).children as Node[];
}

/** The children of a constructed context-specific element `[tagNumber]`. */
export function ctxConstructed(n: Node | undefined, tagNumber: number, what: string): Node[] {
  return expectTag(n, TagClass.CONTEXT, tagNumber, true, what).children as Node[];
}

/** The content bytes of a primitive context-specific element `[tagNumber]` (IMPLICIT tagging). */
export function ctxPrimitive(n: Node | undefined, tagNumber: number, what: string): Uint8Array {
  return expectTag(n, TagClass.CONTEXT, tagNumber, false, what).content;
}

/** The dotted form of an OBJECT IDENTIFIER. */
export function oid(n: Node | undefined, what: string): string {
  const s = expectTag(n, TagClass.UNIVERSAL, Tag.OID, false, what);
  try {
    return oidString(s.content);
  } catch {
    throw new DerError(`${what}: bad object identifier`);
  }
}

/** The two's-complement content bytes of an INTEGER, checked for minimal encoding. */
export function integerBytes(n: Node | undefined, what: string): Uint8Array {
  const s = expectTag(n, TagClass.UNIVERSAL, Tag.INTEGER, false, what);
  const v = s.content;
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
  const v = s.content;
  if (v.length !== 1 || (v[0] !== 0 && v[0] !== 0xff)) throw new DerError(`${what}: BOOLEAN is not DER`);
  return v[0] === 0xff;
}

/** The content bytes of a primitive OCTET STRING. */
export function octets(n: Node | undefined, what: string): Uint8Array {
  return expectTag(n, TagClass.UNIVERSAL, Tag.OCTET_STRING, false, what).content;
}

/** A primitive BIT STRING: its bytes and the number of unused bits in the last byte. */
export function bitString(n: Node | undefined, what: string): { bytes: Uint8Array; unusedBits: number } {
  const v = expectTag(n, TagClass.UNIVERSAL, Tag.BIT_STRING, false, what).content;
  const unusedBits = v[0];
  const bytes = v.subarray(1);
  if (unusedBits === undefined || unusedBits > 7 || (bytes.length === 0 && unusedBits !== 0)) throw new DerError(`${what}: bad BIT STRING`);
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
  if (isTag(n, TagClass.UNIVERSAL, Tag.UTC_TIME) && !n.constructed) {
    if (!/^\d{12}Z$/.test(s)) throw new DerError(`${what}: UTCTime is not YYMMDDHHMMSSZ`);
    const yy = Number(s.slice(0, 2));
    year = yy >= 50 ? 1900 + yy : 2000 + yy; // RFC 5280 §4.1.2.5.1
    rest = s.slice(2);
  } else if (isTag(n, TagClass.UNIVERSAL, Tag.GENERALIZED_TIME) && !n.constructed) {
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
  if (n.cls !== TagClass.UNIVERSAL || n.constructed) return null;
  const bytes = contentOf(n);
  switch (n.tag) {
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
  if (parameters) readDer(parameters); // one strict DER element, or DerError
  const alg = encodeDer(0x30, encodeDer(0x06, encodeOidContent(algorithm)), ...(parameters ? [parameters] : []));
  return encodeDer(0x30, Uint8Array.of(0x02, 0x01, 0x00), alg, encodeDer(0x04, privateKey));
}
