/**
 * Extension blocks and the codecs of the extensions memtls understands (RFC 8446 §4.2, RFC 6066 §3,
 * RFC 7301). Decoding is strict: every parser consumes its whole body or throws decode_error.
 * Nothing here decides protocol questions (which extensions are allowed where): the handshake does.
 */
import { SslError } from '../errors/ssl-error.js';
import { fromUtf8, utf8 } from './bytes.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

export interface Extension {
  type: number;
  data: Uint8Array;
}

/** Parse an extensions<..> block (the reader is positioned at its 2-byte length). Duplicates are refused. */
export function readExtensions(r: Reader, what: string): Extension[] {
  const block = r.sub16(`${what} extensions`);
  const out: Extension[] = [];
  const seen = new Set<number>();
  while (block.remaining > 0) {
    const type = block.u16('extension type');
    const data = block.vec16('extension data');
    if (seen.has(type)) throw new SslError('DUPLICATE_EXTENSION', { detail: `extension ${type} twice in ${what}` });
    seen.add(type);
    out.push({ type, data });
  }
  return out;
}

export function writeExtensions(w: Writer, exts: readonly Extension[]): void {
  w.begin(2);
  for (const e of exts) w.u16(e.type).vec16(e.data);
  w.end();
}

export function findExtension(exts: readonly Extension[], type: number): Uint8Array | undefined {
  for (const e of exts) if (e.type === type) return e.data;
  return undefined;
}

function encode(fn: (w: Writer) => void): Uint8Array {
  const w = new Writer(64);
  fn(w);
  return w.finish();
}

function parseAll<T>(data: Uint8Array, what: string, fn: (r: Reader) => T): T {
  const r = new Reader(data);
  const v = fn(r);
  r.expectEnd(what);
  return v;
}

// --- server_name (RFC 6066 §3) ---
export function encodeServerName(host: string): Uint8Array {
  return encode((w) => w.begin(2).u8(0).vec16(utf8(host)).end());
}
/** One ServerName entry: its name_type and its name (RFC 6066 §3: every type starts with a 16-bit length). */
export interface ServerNameEntry {
  type: number;
  name: Uint8Array;
}
/** The entries of a server_name list (syntax only; handshake/server-name.ts decides what is acceptable). */
export function parseServerName(data: Uint8Array): ServerNameEntry[] {
  return parseAll(data, 'server_name', (r) => {
    const list = r.sub16('server_name list', 1);
    const out: ServerNameEntry[] = [];
    while (list.remaining > 0) {
      const type = list.u8();
      const name = list.vec16('host_name', 1);
      // RFC 6066 §3: "The ServerNameList MUST NOT contain more than one name of the same name_type."
      if (out.some((e) => e.type === type)) throw SslError.decode(`two server names of type ${type}`);
      out.push({ type, name });
    }
    return out;
  });
}

// --- record_size_limit (RFC 8449 §4) ---
export function encodeRecordSizeLimit(limit: number): Uint8Array {
  return encode((w) => w.u16(limit));
}
/** The peer's RecordSizeLimit; below 64 is illegal_parameter (RFC 8449 §4). */
export function parseRecordSizeLimit(data: Uint8Array): number {
  const limit = parseAll(data, 'record_size_limit', (r) => r.u16());
  if (limit < 64) throw new SslError('BAD_EXTENSION', { detail: `record_size_limit ${limit} (at least 64)` });
  return limit;
}

// --- u16 lists: supported_groups, signature_algorithms(_cert) ---
export function encodeU16List(values: readonly number[]): Uint8Array {
  return encode((w) => {
    w.begin(2);
    for (const v of values) w.u16(v);
    w.end();
  });
}
export function parseU16List(data: Uint8Array, what: string): number[] {
  return parseAll(data, what, (r) => {
    const l = r.sub16(what, 2);
    if (l.remaining % 2) throw SslError.decode(`odd length ${what}`);
    const out: number[] = [];
    while (l.remaining) out.push(l.u16());
    return out;
  });
}

// --- supported_versions (RFC 8446 §4.2.1) ---
export function encodeSupportedVersionsClient(versions: readonly number[]): Uint8Array {
  return encode((w) => {
    w.begin(1);
    for (const v of versions) w.u16(v);
    w.end();
  });
}
export function parseSupportedVersionsClient(data: Uint8Array): number[] {
  return parseAll(data, 'supported_versions', (r) => {
    const l = r.sub8('supported_versions', 2);
    if (l.remaining % 2) throw SslError.decode('odd supported_versions');
    const out: number[] = [];
    while (l.remaining) out.push(l.u16());
    return out;
  });
}
export function parseSupportedVersionsServer(data: Uint8Array): number {
  return parseAll(data, 'supported_versions', (r) => r.u16());
}

// --- key_share (RFC 8446 §4.2.8) ---
export interface KeyShareEntry {
  group: number;
  keyExchange: Uint8Array;
}
export function encodeKeyShareClient(entries: readonly KeyShareEntry[]): Uint8Array {
  return encode((w) => {
    w.begin(2);
    for (const e of entries) w.u16(e.group).vec16(e.keyExchange);
    w.end();
  });
}
export function parseKeyShareClient(data: Uint8Array): KeyShareEntry[] {
  return parseAll(data, 'key_share', (r) => {
    const l = r.sub16('client_shares');
    const out: KeyShareEntry[] = [];
    const seen = new Set<number>();
    while (l.remaining) {
      const group = l.u16();
      const keyExchange = l.vec16('key_exchange', 1);
      // RFC 8446 §4.2.8: clients MUST NOT offer multiple KeyShareEntry values for the same group.
      if (seen.has(group)) throw new SslError('BAD_KEY_SHARE', { detail: 'duplicate group in key_share' });
      seen.add(group);
      out.push({ group, keyExchange });
    }
    return out;
  });
}
export function encodeKeyShareServer(e: KeyShareEntry): Uint8Array {
  return encode((w) => w.u16(e.group).vec16(e.keyExchange));
}
export function parseKeyShareServer(data: Uint8Array): KeyShareEntry {
  return parseAll(data, 'key_share', (r) => ({ group: r.u16(), keyExchange: r.vec16('key_exchange', 1) }));
}
export function encodeKeyShareHrr(group: number): Uint8Array {
  return encode((w) => w.u16(group));
}
export function parseKeyShareHrr(data: Uint8Array): number {
  return parseAll(data, 'key_share', (r) => r.u16());
}

// --- ALPN (RFC 7301) ---
export function encodeAlpn(protocols: readonly string[]): Uint8Array {
  return encode((w) => {
    w.begin(2);
    for (const p of protocols) w.vec8(utf8(p));
    w.end();
  });
}
export function parseAlpn(data: Uint8Array): string[] {
  return parseAll(data, 'alpn', (r) => {
    const l = r.sub16('protocol_name_list', 2);
    const out: string[] = [];
    while (l.remaining) out.push(fromUtf8(l.vec8('protocol name', 1)));
    return out;
  });
}

// --- cookie (RFC 8446 §4.2.2) ---
export function encodeCookie(cookie: Uint8Array): Uint8Array {
  return encode((w) => w.vec16(cookie));
}
export function parseCookie(data: Uint8Array): Uint8Array {
  return parseAll(data, 'cookie', (r) => r.vec16('cookie', 1));
}

// --- psk_key_exchange_modes (RFC 8446 §4.2.9) ---
export function encodePskModes(modes: readonly number[]): Uint8Array {
  return encode((w) => {
    w.begin(1);
    for (const m of modes) w.u8(m);
    w.end();
  });
}
export function parsePskModes(data: Uint8Array): number[] {
  return parseAll(data, 'psk_key_exchange_modes', (r) => [...r.vec8('ke_modes', 1)]);
}

// --- pre_shared_key (RFC 8446 §4.2.11) ---
export interface PskIdentity {
  identity: Uint8Array;
  obfuscatedTicketAge: number;
}
export interface OfferedPsks {
  identities: PskIdentity[];
  binders: Uint8Array[];
  /** Length of the binders list including its 2-byte length prefix (for the partial ClientHello). */
  bindersLength: number;
}
export function parsePreSharedKeyClient(data: Uint8Array): OfferedPsks {
  return parseAll(data, 'pre_shared_key', (r) => {
    const ids = r.sub16('identities', 7);
    const identities: PskIdentity[] = [];
    while (ids.remaining) identities.push({ identity: ids.vec16('identity', 1), obfuscatedTicketAge: ids.u32() });
    const bindersLength = r.remaining;
    const bl = r.sub16('binders', 33);
    const binders: Uint8Array[] = [];
    while (bl.remaining) binders.push(bl.vec8('binder', 32));
    if (binders.length !== identities.length) throw new SslError('BAD_PSK', { detail: 'binder count differs from identity count' });
    return { identities, binders, bindersLength };
  });
}
export function encodePreSharedKeyClient(identities: readonly PskIdentity[], binders: readonly Uint8Array[]): Uint8Array {
  return encode((w) => {
    w.begin(2);
    for (const i of identities) w.vec16(i.identity).u32(i.obfuscatedTicketAge);
    w.end();
    w.begin(2);
    for (const b of binders) w.vec8(b);
    w.end();
  });
}
export function encodePreSharedKeyServer(selected: number): Uint8Array {
  return encode((w) => w.u16(selected));
}
export function parsePreSharedKeyServer(data: Uint8Array): number {
  return parseAll(data, 'pre_shared_key', (r) => r.u16());
}

// --- early_data in NewSessionTicket (RFC 8446 §4.2.10) ---
export function parseMaxEarlyData(data: Uint8Array): number {
  return parseAll(data, 'early_data', (r) => r.u32());
}
