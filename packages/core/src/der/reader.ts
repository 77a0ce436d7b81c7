/**
 * A strict DER reader (X.690 §10, as webpki and BearSSL read it): bytes in, a tree of `DerNode`s out, or a
 * `DerError` naming the first rule broken. No dependency; `cert/der.ts` builds the X.509 accessors on it.
 *
 * Rules (each is a `DerError` with the words quoted here):
 * - One element, nothing after it: "trailing bytes after the DER element".
 * - Identifier octets: the low-tag-number form only ("high tag number form is not supported"); nothing that
 *   memtls reads (X.509, PKCS#1, PKCS#8, SEC1) needs tag numbers above 30.
 * - Length octets: definite ("indefinite length is not DER"), minimal ("non-minimal DER length": the long form
 *   for a length below 128, or a leading zero octet), at most 4 octets ("DER length too large").
 * - No read past the end of the input or of the enclosing element ("truncated DER ...", "DER length exceeds the
 *   enclosing element"); nesting deeper than `MAX_DER_DEPTH` is "DER nesting too deep".
 * - Universal types are checked as they are read, so that every accessor sees DER only:
 *   SEQUENCE and SET constructed, strings and the other simple types primitive ("must be primitive/constructed");
 *   BOOLEAN one octet 0x00 or 0xFF; NULL empty; INTEGER non-empty and minimal (no redundant leading 0x00 or
 *   0xFF); BIT STRING with 0..7 unused bits, none on an empty string, and zero padding bits.
 * - Node count is bounded (`MAX_DER_NODES`) so that a small input cannot make a huge tree.
 *
 * Every node keeps `raw` (its exact tag, length and content octets, a view into the input): signatures are
 * checked over the bytes received, never over a re-encoding.
 */
import { DerError, MAX_DER_DEPTH } from './tlv.js';

/** Tag classes: the two top bits of the identifier octet (X.690 §8.1.2.2). */
export const TagClass = { UNIVERSAL: 0, APPLICATION: 1, CONTEXT: 2, PRIVATE: 3 } as const;

/** Universal tag numbers that the reader checks as it reads, and that the X.509 profile uses. */
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

/** The most elements one `readDer` call builds (a large certificate has a few hundred). */
export const MAX_DER_NODES = 20000;

/** One DER element. */
export interface DerNode {
  /** The tag class (`TagClass`). */
  readonly cls: number;
  /** The tag number (0..30). */
  readonly tag: number;
  /** True for the constructed encoding (bit 6 of the identifier octet). */
  readonly constructed: boolean;
  /** The whole encoding: identifier, length and content octets. */
  readonly raw: Uint8Array;
  /** The content octets. */
  readonly content: Uint8Array;
  /** The elements inside a constructed element, in order; empty for a primitive one. */
  readonly children: readonly DerNode[];
}

/**
 * Read exactly one strict DER element.
 * @param der the encoding; the nodes returned are views into it (no copy)
 * @returns the element, its constructed contents read recursively
 * @throws DerError naming the first violation of the rules above
 * @example
 * const cert = readDer(certDer); // cert.children[0] is the TBSCertificate
 */
export function readDer(der: Uint8Array): DerNode {
  const budget = { nodes: MAX_DER_NODES };
  const { node, end } = readAt(der, 0, der.length, 0, budget);
  if (end !== der.length) throw new DerError('trailing bytes after the DER element');
  return node;
}

function readAt(b: Uint8Array, off: number, limit: number, depth: number, budget: { nodes: number }): { node: DerNode; end: number } {
  if (depth > MAX_DER_DEPTH) throw new DerError('DER nesting too deep');
  if (--budget.nodes < 0) throw new DerError('too many DER elements');
  if (off >= limit) throw new DerError('truncated DER element');
  const id = b[off] as number;
  const tag = id & 0x1f;
  if (tag === 0x1f) throw new DerError('high tag number form is not supported');
  let p = off + 1;
  if (p >= limit) throw new DerError('truncated DER length');
  const l0 = b[p++] as number;
  let len = l0;
  if (l0 === 0x80) throw new DerError('indefinite length is not DER');
  if (l0 > 0x80) {
    const n = l0 & 0x7f;
    if (n > 4) throw new DerError('DER length too large');
    if (p + n > limit) throw new DerError('truncated DER length');
    if (b[p] === 0) throw new DerError('non-minimal DER length: leading zero octet');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (b[p++] as number);
    if (len < 0x80) throw new DerError('non-minimal DER length: long form below 128');
  }
  const end = p + len;
  if (end > limit) throw new DerError('DER length exceeds the enclosing element');
  const cls = id >> 6;
  const constructed = (id & 0x20) !== 0;
  const content = b.subarray(p, end);
  const children: DerNode[] = [];
  if (cls === TagClass.UNIVERSAL) checkUniversal(tag, constructed, content);
  if (constructed) {
    let q = p;
    while (q < end) {
      const r = readAt(b, q, end, depth + 1, budget);
      children.push(r.node);
      q = r.end;
    }
  }
  return { node: { cls, tag, constructed, raw: b.subarray(off, end), content, children }, end };
}

/** The DER rules of the universal types (X.690 §8.2, §8.3, §8.6, §8.8, §10.2, §11.1, §11.2). */
function checkUniversal(tag: number, constructed: boolean, v: Uint8Array): void {
  // EXTERNAL (8), EMBEDDED PDV (11), SEQUENCE, SET and CHARACTER STRING (29) are always constructed; in DER every
  // other universal type, strings included (§10.2), is primitive.
  const mustBeConstructed = tag === Tag.SEQUENCE || tag === Tag.SET || tag === 8 || tag === 11 || tag === 29;
  if (constructed !== mustBeConstructed) {
    throw new DerError(`universal ${tag} must be ${mustBeConstructed ? 'constructed' : 'primitive'} in DER`);
  }
  switch (tag) {
    case 0:
      throw new DerError('universal tag 0 is reserved');
    case Tag.BOOLEAN:
      if (v.length !== 1 || (v[0] !== 0 && v[0] !== 0xff)) throw new DerError('BOOLEAN is not DER: one octet, 0x00 or 0xFF');
      return;
    case Tag.INTEGER: {
      if (v.length === 0) throw new DerError('empty INTEGER');
      const b0 = v[0] as number;
      const b1 = v[1];
      if (b1 !== undefined && ((b0 === 0 && b1 < 0x80) || (b0 === 0xff && b1 >= 0x80))) {
        throw new DerError('non-minimal INTEGER: redundant leading octet');
      }
      return;
    }
    case Tag.BIT_STRING: {
      const unused = v[0];
      if (unused === undefined) throw new DerError('BIT STRING without its unused-bits octet');
      if (unused > 7) throw new DerError('BIT STRING unused bits above 7');
      if (v.length === 1 && unused !== 0) throw new DerError('empty BIT STRING with unused bits');
      if (((v[v.length - 1] as number) & ((1 << unused) - 1)) !== 0) throw new DerError('BIT STRING padding is not zero');
      return;
    }
    case Tag.NULL:
      if (v.length !== 0) throw new DerError('NULL with content');
      return;
    case Tag.OID:
      oidString(v);
      return;
    default:
  }
}

/**
 * The dotted form of OBJECT IDENTIFIER content octets (X.690 §8.19): non-empty, every subidentifier minimal (no
 * leading 0x80 octet) and terminated. Arcs of any size (UUID arcs under 2.25 have 128 bits).
 * @throws DerError for content that is not a DER OID
 */
export function oidString(v: Uint8Array): string {
  if (v.length === 0) throw new DerError('empty OBJECT IDENTIFIER');
  const arcs: bigint[] = [];
  let cur = 0n;
  let start = true;
  for (const c of v) {
    if (start && c === 0x80) throw new DerError('non-minimal OBJECT IDENTIFIER subidentifier');
    start = false;
    cur = (cur << 7n) | BigInt(c & 0x7f);
    if ((c & 0x80) === 0) {
      arcs.push(cur);
      cur = 0n;
      start = true;
    }
  }
  if (!start) throw new DerError('unterminated OBJECT IDENTIFIER subidentifier');
  const first = arcs[0] as bigint;
  const head = first < 40n ? `0.${first}` : first < 80n ? `1.${first - 40n}` : `2.${first - 80n}`;
  return arcs.length === 1 ? head : `${head}.${arcs.slice(1).join('.')}`;
}

/**
 * Encode one DER element with a minimal length (single-octet identifier).
 * @param id the identifier octet (class, constructed bit and a tag number below 31)
 * @param content the content octets
 * @throws RangeError for a tag number above 30 or content of 2^32 octets or more
 */
export function encodeDer(id: number, ...content: Uint8Array[]): Uint8Array {
  if ((id & 0x1f) === 0x1f || id < 0 || id > 0xff) throw new RangeError('encodeDer: low-tag-number identifier octet expected');
  let n = 0;
  for (const c of content) n += c.length;
  if (n > 0xffffffff) throw new RangeError('encodeDer: content too long');
  const len: number[] = [];
  if (n < 0x80) {
    len.push(n);
  } else {
    for (let x = n; x > 0; x = Math.floor(x / 256)) len.unshift(x & 0xff);
    len.unshift(0x80 | len.length);
  }
  const out = new Uint8Array(1 + len.length + n);
  out[0] = id;
  out.set(len, 1);
  let p = 1 + len.length;
  for (const c of content) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}

/**
 * The content octets of an OBJECT IDENTIFIER in dotted form.
 * @throws RangeError for a string that is not a dotted OID with a valid first arc
 */
export function encodeOidContent(dotted: string): Uint8Array {
  if (!/^[0-2]\.\d+(\.\d+)*$/.test(dotted)) throw new RangeError('encodeOidContent: not a dotted object identifier');
  const arcs = dotted.split('.').map((s) => BigInt(s));
  const [a, b] = arcs as [bigint, bigint];
  if (a < 2n && b >= 40n) throw new RangeError('encodeOidContent: second arc above 39');
  const out: number[] = [];
  for (const arc of [a * 40n + b, ...arcs.slice(2)]) {
    const sub = [Number(arc & 0x7fn)];
    for (let x = arc >> 7n; x > 0n; x >>= 7n) sub.unshift(Number(x & 0x7fn) | 0x80);
    out.push(...sub);
  }
  return Uint8Array.from(out);
}
