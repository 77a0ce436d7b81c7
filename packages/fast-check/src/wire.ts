/**
 * A small TLS 1.3 / 1.2 wire codec for hostile-peer tests, written independently of the engine's own codec (a bug
 * shared by encoder and decoder would otherwise hide itself): records, null-provider record protection (TLS 1.3
 * inner plaintext; TLS 1.2 AES-GCM records with the explicit nonce, RFC 5288 §3 / RFC 5246 §6.2.3.3), handshake
 * message framing, and the ClientHello / ServerHello / extension-block syntax of RFC 8446 §4.1-§4.2.
 * Nothing here validates: it builds and takes apart whatever bytes a test wants, including invalid ones.
 */
import { NULL_TAG_LENGTH, nullOpen, nullOpenRecord, nullSeal, nullSealRecord } from '@memtls/crypto-null';
import { CT, HT } from './codes.js';

export * from './codes.js';

/** The bytes of `parts`, one after the other. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const nibble = (c: number): number => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1);

/** Lower-case hex of `b`. */
export function hex(b: Uint8Array): string {
  let out = '';
  for (const x of b) out += HEX[x];
  return out;
}

/** Bytes of a hex string (as Node's Buffer: pairs of hex digits, stopping at the first pair that is not hex). */
export function fromHex(s: string): Uint8Array {
  const out = new Uint8Array(s.length >> 1);
  let n = 0;
  for (; n < out.length; n++) {
    const hi = nibble(s.charCodeAt(2 * n));
    const lo = nibble(s.charCodeAt(2 * n + 1));
    if (hi < 0 || lo < 0) break;
    out[n] = (hi << 4) | lo;
  }
  return n === out.length ? out : out.slice(0, n);
}
/** UTF-8 bytes of `s`. */
export const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

// ------------------------------------------------------------------ records

/** A record as it is on the wire. */
export interface Rec {
  /** Content type. */
  type: number;
  /** Record version. */
  version: number;
  /** The fragment. */
  body: Uint8Array;
}

/** Split a byte stream into records; a trailing partial record is returned as `rest`. */
export function parseRecords(bytes: Uint8Array): {
  /** The complete records. */
  records: Rec[];
  /** A trailing incomplete part. */
  rest: Uint8Array;
} {
  const records: Rec[] = [];
  let o = 0;
  while (bytes.length - o >= 5) {
    const len = ((bytes[o + 3] as number) << 8) | (bytes[o + 4] as number);
    if (bytes.length - o - 5 < len) break;
    records.push({ type: bytes[o] as number, version: ((bytes[o + 1] as number) << 8) | (bytes[o + 2] as number), body: bytes.slice(o + 5, o + 5 + len) });
    o += 5 + len;
  }
  return { records, rest: bytes.slice(o) };
}

/** A plaintext record: `type`, `version` (default 0x0303), the length, `body`. */
export function record(type: number, body: Uint8Array, version = 0x0303): Uint8Array {
  const out = new Uint8Array(5 + body.length);
  out[0] = type;
  out[1] = version >> 8;
  out[2] = version & 0xff;
  out[3] = (body.length >> 8) & 0xff;
  out[4] = body.length & 0xff;
  out.set(body, 5);
  return out;
}

/**
 * A record seen through the null provider: `sealed` records are opened, so `type` is the inner content type
 * (TLS 1.3: outer type 23; TLS 1.2, `v12`: the outer type, `seq` the explicit nonce it was sealed with);
 * `opaque` is set for a protected record that does not open (real crypto, or corrupted): a type-23 record, or
 * in TLS 1.2 a record that looks AES-GCM protected (`looksSealed12`).
 */
export interface Unit {
  /** It was protected (opened when not `opaque`). */
  sealed: boolean;
  /** Protected and not opened (real crypto, or corrupted). */
  opaque: boolean;
  /** Content type (the inner type of an opened TLS 1.3 record). */
  type: number;
  /** Record version. */
  version: number;
  /** The content (opened), or the protected fragment (`opaque`). */
  content: Uint8Array;
  /** TLS 1.2 record protection. */
  v12?: boolean;
  /** TLS 1.2: the sequence number it was sealed with. */
  seq?: number;
}

const TLS12_EXPLICIT = 8;

function seqBytes(seq: number): Uint8Array {
  const out = new Uint8Array(8);
  let s = seq;
  for (let i = 7; i >= 0 && s > 0; i--) {
    out[i] = s % 256;
    s = Math.floor(s / 256);
  }
  return out;
}

const aad12 = (seq: Uint8Array, type: number, version: number, length: number): Uint8Array =>
  new Uint8Array([...seq, type, version >> 8, version & 0xff, length >> 8, length & 0xff]);

/**
 * A TLS 1.2 AES-GCM record as a null-provider engine writes it with sequence number `seq`: header, the explicit
 * nonce (the sequence number, as memtls and OpenSSL send it), then `content || tag` over
 * `seq || type || version || length` (RFC 5246 §6.2.3.3).
 */
export function sealed12(type: number, content: Uint8Array, seq = 0): Uint8Array {
  const s = seqBytes(seq);
  return record(type, concat(s, nullSeal(aad12(s, type, 0x0303, content.length), content)));
}

/** Open a TLS 1.2 null-provider record (the sequence number read from its explicit nonce), or null. */
export function open12(r: Rec): {
  /** The sequence number (its explicit nonce). */
  seq: number;
  /** The content. */
  content: Uint8Array;
} | null {
  if (r.body.length < TLS12_EXPLICIT + NULL_TAG_LENGTH) return null;
  const s = r.body.subarray(0, TLS12_EXPLICIT);
  const ct = r.body.subarray(TLS12_EXPLICIT);
  const content = nullOpen(aad12(s, r.type, r.version, ct.length - NULL_TAG_LENGTH), ct);
  if (!content) return null;
  let seq = 0;
  for (const b of s) seq = seq * 256 + b;
  return { seq, content };
}

/**
 * A TLS 1.2 protected record that does not open (real crypto): a handshake, alert or CCS record whose body starts
 * with an explicit nonce of a small sequence number (six zero bytes) and holds at least a tag. The plaintext
 * forms of these types never start so (a CCS is one byte, an alert two, a handshake message has a non-zero
 * type or length); only hostile mutations make such bytes, and those are left alone.
 */
const looksSealed12 = (r: Rec): boolean =>
  (r.type === CT.HANDSHAKE || r.type === CT.ALERT || r.type === CT.CCS) && r.body.length >= TLS12_EXPLICIT + 16 && r.body.subarray(0, 6).every((b) => b === 0);

/** Split a byte stream into records and open the ones the null provider sealed (see `Unit`). */
export function toUnits(bytes: Uint8Array): {
  /** The records, opened where possible. */
  units: Unit[];
  /** A trailing incomplete part. */
  rest: Uint8Array;
} {
  const { records, rest } = parseRecords(bytes);
  const units = records.map((r): Unit => {
    if (r.type === CT.APP) {
      const opened = nullOpenRecord(record(r.type, r.body, r.version));
      if (opened) return { sealed: true, opaque: false, type: opened.type, version: r.version, content: opened.content };
    }
    if (r.type >= CT.CCS && r.type <= CT.APP) {
      const o12 = open12(r);
      if (o12) return { sealed: true, opaque: false, type: r.type, version: r.version, content: o12.content, v12: true, seq: o12.seq };
    }
    if (r.type === CT.APP) return { sealed: true, opaque: true, type: CT.APP, version: r.version, content: r.body };
    if (looksSealed12(r)) return { sealed: true, opaque: true, type: r.type, version: r.version, content: r.body, v12: true };
    return { sealed: false, opaque: false, type: r.type, version: r.version, content: r.body };
  });
  return { units, rest };
}

/** A unit back to record bytes, re-sealed with the null provider when it was sealed. */
export function fromUnit(u: Unit): Uint8Array {
  if (u.opaque) return record(u.type, u.content, u.version);
  if (!u.sealed) return record(u.type, u.content, u.version);
  if (u.v12) return sealed12(u.type, u.content, u.seq ?? 0);
  return nullSealRecord(u.type, u.content);
}

/** Units back to record bytes (`fromUnit` each). */
export const fromUnits = (units: readonly Unit[]): Uint8Array => concat(...units.map(fromUnit));

/** A protected record carrying `content` of inner type `type` (null provider, any key). */
export const sealed = (type: number, content: Uint8Array): Uint8Array => nullSealRecord(type, content);
/** An alert's two bytes: level (default 2, fatal), description. */
export const alertBody = (desc: number, level = 2): Uint8Array => new Uint8Array([level, desc]);

// ------------------------------------------------------------------ handshake messages

/** A handshake message (RFC 8446 §4). */
export interface HsMsg {
  /** Handshake type. */
  type: number;
  /** The body, without the 4-byte header. */
  body: Uint8Array;
}

/** A handshake message: type, 24-bit length, body. */
export function frame(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  out[0] = type;
  out[1] = (body.length >> 16) & 0xff;
  out[2] = (body.length >> 8) & 0xff;
  out[3] = body.length & 0xff;
  out.set(body, 4);
  return out;
}

/** Split a handshake byte stream into messages; an incomplete tail is returned as `rest`. */
export function splitMessages(stream: Uint8Array): {
  /** The complete messages. */
  msgs: HsMsg[];
  /** A trailing incomplete part. */
  rest: Uint8Array;
} {
  const msgs: HsMsg[] = [];
  let o = 0;
  while (stream.length - o >= 4) {
    const len = ((stream[o + 1] as number) << 16) | ((stream[o + 2] as number) << 8) | (stream[o + 3] as number);
    if (stream.length - o - 4 < len) break;
    msgs.push({ type: stream[o] as number, body: stream.slice(o + 4, o + 4 + len) });
    o += 4 + len;
  }
  return { msgs, rest: stream.slice(o) };
}

/**
 * A flight as handshake messages: each item is a message (with the protection and source record it came in)
 * or a non-handshake unit kept whole. Messages spanning records are attributed to the record they start in.
 */
export type Item =
  | {
      /** A handshake message. */
      kind: 'msg';
      /** It came (and goes back) in protected records. */
      sealed: boolean;
      /** TLS 1.2 record protection. */
      v12?: boolean;
      /** Index of the record it started in. */
      group: number;
      /** The message. */
      msg: HsMsg;
    }
  | {
      /** A record kept whole. */
      kind: 'unit';
      /** Its index. */
      group: number;
      /** The record. */
      unit: Unit;
    };

/** A flight's records as handshake messages (reassembled across records) and the other records kept whole. */
export function toItems(units: readonly Unit[]): Item[] {
  const items: Item[] = [];
  let buf: Uint8Array = new Uint8Array(0);
  let bufSealed = false;
  let bufV12 = false;
  let bufGroup = 0;
  const drain = (): void => {
    const { msgs, rest } = splitMessages(buf);
    for (const m of msgs) items.push({ kind: 'msg', sealed: bufSealed, ...(bufV12 ? { v12: true } : {}), group: bufGroup, msg: m });
    buf = rest;
  };
  units.forEach((u, i) => {
    if (u.type === CT.HANDSHAKE && !u.opaque) {
      if (buf.length === 0) {
        bufSealed = u.sealed;
        bufV12 = u.v12 === true;
        bufGroup = i;
      }
      buf = concat(buf, u.content);
      drain();
      return;
    }
    items.push({ kind: 'unit', group: i, unit: u });
  });
  // An incomplete tail (only in mutated input) is kept as raw handshake bytes.
  if (buf.length) items.push({ kind: 'unit', group: bufGroup, unit: { sealed: bufSealed, opaque: false, type: CT.HANDSHAKE, version: 0x0303, content: buf, ...(bufV12 ? { v12: true } : {}) } });
  return items;
}

/** Back to records: consecutive messages of the same group and protection share a record (max 2^14 each). */
export function fromItems(items: readonly Item[]): Uint8Array {
  const out: Uint8Array[] = [];
  let pending: Uint8Array[] = [];
  let pendSealed = false;
  let pendV12 = false;
  let pendGroup = -1;
  const flush = (): void => {
    if (!pending.length) return;
    const all = concat(...pending);
    for (let i = 0; i < all.length; i += 16384) {
      const part = all.subarray(i, Math.min(all.length, i + 16384));
      out.push(pendSealed ? (pendV12 ? sealed12(CT.HANDSHAKE, part) : sealed(CT.HANDSHAKE, part)) : record(CT.HANDSHAKE, part));
    }
    pending = [];
  };
  for (const it of items) {
    if (it.kind === 'unit') {
      flush();
      pendGroup = -1;
      out.push(fromUnit(it.unit));
      continue;
    }
    if (it.group !== pendGroup || it.sealed !== pendSealed || (it.v12 === true) !== pendV12) {
      flush();
      pendGroup = it.group;
      pendSealed = it.sealed;
      pendV12 = it.v12 === true;
    }
    pending.push(frame(it.msg.type, it.msg.body));
  }
  flush();
  return concat(...out);
}

// ------------------------------------------------------------------ hello syntax (RFC 8446 §4.1.2, §4.1.3)

/** An extension (RFC 8446 §4.2). */
export interface Ext {
  /** Extension type. */
  type: number;
  /** Extension data. */
  data: Uint8Array;
}

/** A ClientHello or ServerHello (RFC 8446 §4.1.2, §4.1.3; RFC 5246 §7.4.1.2). */
export interface Hello {
  /** legacy_version (0x0303 in TLS 1.3). */
  legacyVersion: number;
  /** The 32 random bytes. */
  random: Uint8Array;
  /** legacy_session_id (ServerHello: the echo). */
  sessionId: Uint8Array;
  /** ClientHello: the offered suites; ServerHello: one element. */
  suites: number[];
  /** Compression methods (one byte in a ServerHello). */
  compression: Uint8Array;
  /** The extensions, in order. */
  extensions: Ext[];
}

class Cursor {
  o = 0;
  readonly b: Uint8Array;
  constructor(b: Uint8Array) {
    this.b = b;
  }
  u8(): number {
    if (this.o + 1 > this.b.length) throw new Error('short');
    return this.b[this.o++] as number;
  }
  u16(): number {
    return (this.u8() << 8) | this.u8();
  }
  bytes(n: number): Uint8Array {
    if (this.o + n > this.b.length) throw new Error('short');
    const v = this.b.slice(this.o, this.o + n);
    this.o += n;
    return v;
  }
  get left(): number {
    return this.b.length - this.o;
  }
}

function readExts(c: Cursor): Ext[] {
  if (c.left === 0) return [];
  const block = new Cursor(c.bytes(c.u16()));
  const out: Ext[] = [];
  while (block.left) {
    const type = block.u16();
    out.push({ type, data: block.bytes(block.u16()) });
  }
  return out;
}

/** A ClientHello (`client`) or ServerHello body taken apart (throws on bytes too short). */
export function parseHello(body: Uint8Array, client: boolean): Hello {
  const c = new Cursor(body);
  const legacyVersion = c.u16();
  const random = c.bytes(32);
  const sessionId = c.bytes(c.u8());
  const suites: number[] = [];
  if (client) {
    const s = new Cursor(c.bytes(c.u16()));
    while (s.left >= 2) suites.push(s.u16());
  } else suites.push(c.u16());
  const compression = client ? c.bytes(c.u8()) : c.bytes(1);
  const extensions = readExts(c);
  return { legacyVersion, random, sessionId, suites, compression, extensions };
}

const u16b = (n: number): Uint8Array => new Uint8Array([(n >> 8) & 0xff, n & 0xff]);
/** `b` behind an 8-bit length. */
export const vec8 = (b: Uint8Array): Uint8Array => concat(new Uint8Array([b.length]), b);
/** `b` behind a 16-bit length. */
export const vec16 = (b: Uint8Array): Uint8Array => concat(u16b(b.length), b);
/** 16-bit values behind a 16-bit length (cipher suites, groups, signature schemes). */
export const u16list = (xs: readonly number[]): Uint8Array => vec16(concat(...xs.map(u16b)));

/** An extension block: the 16-bit length, then each extension's type, length and data. */
export function encodeExts(exts: readonly Ext[]): Uint8Array {
  return vec16(concat(...exts.map((e) => concat(u16b(e.type), vec16(e.data)))));
}

/** A ClientHello (`client`) or ServerHello as a framed handshake message (`withExtensions`: default true). */
export function encodeHello(h: Hello, client: boolean, withExtensions = true): Uint8Array {
  const parts = [u16b(h.legacyVersion), h.random, vec8(h.sessionId)];
  if (client) parts.push(u16list(h.suites), vec8(h.compression));
  else parts.push(u16b(h.suites[0] ?? 0), h.compression.subarray(0, 1));
  if (withExtensions) parts.push(encodeExts(h.extensions));
  return frame(client ? HT.CLIENT_HELLO : HT.SERVER_HELLO, concat(...parts));
}

/** The first extension of `type` in `h`. */
export const findExt = (h: Hello, type: number): Ext | undefined => h.extensions.find((e) => e.type === type);
