/**
 * Hostile hellos: variants of a real memtls ClientHello / ServerHello, each breaking one rule of RFC 8446
 * §4.1-§4.2, with the alert the RFC names (or, where it names none, the one OpenSSL sends) and OpenSSL 3.0.19's
 * reason string measured with `openssl s_server -tls1_3` / `s_client -tls1_3` (docs/robustness.md has the table).
 * `memtls` is memtls's reason string where it differs from OpenSSL's.
 */
import { EXT, type Ext, encodeHello, findExt, type Hello, u16list, vec8, vec16 } from '@memtls/fast-check';

export interface Variant {
  name: string;
  /** RFC 8446 section the rule comes from. */
  rfc: string;
  /** The expected alert; null: the handshake goes on (the variant is legal). */
  alert: number | null;
  /** OpenSSL 3.0.19's reason string (null: not measured / not applicable). */
  openssl: string | null;
  /** memtls's reason string when it differs from OpenSSL's. */
  memtls?: string;
  /** OpenSSL's alert when it differs from the RFC's ('none': OpenSSL accepts the message). */
  opensslAlert?: number | 'none';
  make(h: Hello): Uint8Array;
}

const without = (h: Hello, type: number): Hello => ({ ...h, extensions: h.extensions.filter((e) => e.type !== type) });
const withExt = (h: Hello, e: Ext, replace = true): Hello => ({
  ...h,
  extensions: replace && findExt(h, e.type) ? h.extensions.map((x) => (x.type === e.type ? e : x)) : [...h.extensions.filter((x) => x.type !== EXT.PRE_SHARED_KEY), e],
});
const u16 = (n: number): Uint8Array => new Uint8Array([n >> 8, n & 0xff]);
const ch = (h: Hello): Uint8Array => encodeHello(h, true);
const sh = (h: Hello): Uint8Array => encodeHello(h, false);
/** KeyShareClientHello (a list) and KeyShareServerHello (one entry), RFC 8446 §4.2.8. */
const keyShare = (group: number, key: Uint8Array): Ext => ({ type: EXT.KEY_SHARE, data: vec16(new Uint8Array([...u16(group), ...vec16(key)])) });
const serverKeyShare = (group: number, key: Uint8Array): Ext => ({ type: EXT.KEY_SHARE, data: new Uint8Array([...u16(group), ...vec16(key)]) });

export const CLIENT_HELLO_VARIANTS: Variant[] = [
  { name: 'unchanged', rfc: '-', alert: null, openssl: null, make: ch },
  { name: 'no supported_versions (a TLS 1.2 ClientHello)', rfc: '4.2.1', alert: 70, openssl: 'unsupported protocol', make: (h) => ch(without(h, EXT.SUPPORTED_VERSIONS)) },
  { name: 'supported_versions without TLS 1.3', rfc: '4.2.1', alert: 70, openssl: 'unsupported protocol', make: (h) => ch(withExt(h, { type: EXT.SUPPORTED_VERSIONS, data: vec8(u16(0x0303)) })) },
  { name: 'no key_share', rfc: '9.2', alert: 109, openssl: 'no suitable key share', memtls: 'missing key share', make: (h) => ch(without(h, EXT.KEY_SHARE)) },
  { name: 'no supported_groups', rfc: '9.2', alert: 109, openssl: 'missing supported groups extension', memtls: 'missing key share', make: (h) => ch(without(h, EXT.SUPPORTED_GROUPS)) },
  { name: 'no signature_algorithms', rfc: '9.2', alert: 109, openssl: 'missing sigalgs extension', make: (h) => ch(without(h, EXT.SIGNATURE_ALGORITHMS)) },
  {
    name: 'duplicate extension (supported_groups twice)',
    rfc: '4.2',
    alert: 47,
    openssl: 'bad extension',
    memtls: 'duplicate extension',
    make: (h) => ch({ ...h, extensions: [findExt(h, EXT.SUPPORTED_GROUPS) as Ext, ...h.extensions] }),
  },
  { name: 'no cipher suite in common', rfc: '4.1.1', alert: 40, openssl: 'no shared cipher', make: (h) => ch({ ...h, suites: [0x009c, 0xc02f] }) },
  {
    name: 'only an unknown group (0x4242)',
    rfc: '4.1.1',
    alert: 40,
    openssl: 'no suitable key share',
    make: (h) => ch(withExt(withExt(h, { type: EXT.SUPPORTED_GROUPS, data: u16list([0x4242]) }), keyShare(0x4242, new Uint8Array(32).fill(9)))),
  },
  {
    name: 'key_share for a group not in supported_groups',
    rfc: '4.2.8',
    alert: 47,
    openssl: 'bad key share',
    make: (h) => ch(withExt(h, { type: EXT.SUPPORTED_GROUPS, data: u16list([0x0017]) })),
  },
  {
    name: 'signature_algorithms with only rsa_pkcs1_sha256 (server key: EC P-256)',
    rfc: '4.2.3',
    alert: 40,
    openssl: 'no suitable signature algorithm',
    make: (h) => ch(withExt(h, { type: EXT.SIGNATURE_ALGORITHMS, data: u16list([0x0401]) })),
  },
  { name: 'compression methods [1]', rfc: '4.1.2', alert: 47, openssl: 'no compression specified', opensslAlert: 50, memtls: 'bad compression algorithm', make: (h) => ch({ ...h, compression: new Uint8Array([1]) }) },
  { name: 'legacy_version 0x0301 with supported_versions (must be ignored)', rfc: '4.2.1', alert: null, openssl: null, make: (h) => ch({ ...h, legacyVersion: 0x0301 }) },
  { name: 'legacy_version 0x0304 with supported_versions (must be ignored)', rfc: '4.2.1', alert: null, openssl: null, make: (h) => ch({ ...h, legacyVersion: 0x0304 }) },
  { name: 'legacy_version 0x0200 (SSL 2)', rfc: 'D.5', alert: 70, openssl: 'bad legacy version', make: (h) => ch({ ...h, legacyVersion: 0x0200 }) },
  // RFC 8446 §D.5: 0x0300 or lower is protocol_version even with supported_versions offering TLS 1.3
  // (tlsfuzzer test-tls13-legacy-version).
  { name: 'legacy_version 0x0300 (SSL 3.0) with supported_versions', rfc: 'D.5', alert: 70, openssl: 'bad legacy version', make: (h) => ch({ ...h, legacyVersion: 0x0300 }) },
  { name: 'legacy_version 0x0000 with supported_versions', rfc: 'D.5', alert: 70, openssl: 'bad legacy version', make: (h) => ch({ ...h, legacyVersion: 0x0000 }) },
  { name: 'session id of 33 bytes', rfc: '4.1.2', alert: 50, openssl: 'length mismatch', memtls: 'bad packet', make: (h) => ch({ ...h, sessionId: new Uint8Array(33) }) },
  { name: 'truncated (last byte missing, length fixed)', rfc: '4', alert: 50, openssl: 'length mismatch', memtls: 'bad packet', make: (h) => { const b = ch(h); const m = b.slice(0, b.length - 1); m[3] = ((m[3] as number) - 1) & 0xff; if (m[3] === 0xff) m[2] = ((m[2] as number) - 1) & 0xff; return m; } },
  { name: 'trailing byte after the extensions', rfc: '4', alert: 50, openssl: 'length mismatch', memtls: 'bad packet', make: (h) => { const b = ch(h); const m = new Uint8Array(b.length + 1); m.set(b); m[3] = ((m[3] as number) + 1) & 0xff; if (m[3] === 0) m[2] = ((m[2] as number) + 1) & 0xff; return m; } },
  {
    name: 'pre_shared_key not the last extension',
    rfc: '4.2.11',
    alert: 47,
    openssl: 'bad extension',
    make: (h) => ch({ ...h, extensions: [{ type: EXT.PRE_SHARED_KEY, data: vec16(new Uint8Array([0, 5, 0, 1, 0xaa, 0, 0, 0, 0, 0, 33, 32, ...new Uint8Array(32)])) }, ...h.extensions] }),
  },
];

/** ServerHello variants for a client that offered x25519 only and TLS_AES_128_GCM_SHA256 (and the others). */
export const SERVER_HELLO_VARIANTS: Variant[] = [
  { name: 'a TLS 1.2 ServerHello (no supported_versions)', rfc: '4.2.1 / D', alert: 70, openssl: 'unsupported protocol', make: (h) => sh(without(h, EXT.SUPPORTED_VERSIONS)) },
  { name: 'supported_versions selecting TLS 1.2', rfc: '4.2.1', alert: 47, openssl: 'bad protocol version number', memtls: 'unsupported protocol', make: (h) => sh(withExt(h, { type: EXT.SUPPORTED_VERSIONS, data: u16(0x0303) })) },
  { name: 'no key_share', rfc: '4.2.8', alert: 109, openssl: 'no suitable key share', memtls: 'missing key share', make: (h) => sh(without(h, EXT.KEY_SHARE)) },
  { name: 'key_share for a group the client did not offer', rfc: '4.2.8', alert: 47, openssl: 'bad key share', make: (h) => sh(withExt(h, serverKeyShare(0x0017, new Uint8Array(65).fill(4)))) },
  { name: 'a cipher suite the client did not offer', rfc: '4.1.3', alert: 47, openssl: 'wrong cipher returned', make: (h) => sh({ ...h, suites: [0x1304] }) },
  { name: 'legacy_version 0x0304', rfc: '4.1.3', alert: 70, openssl: null, opensslAlert: 'none', memtls: 'bad legacy version', make: (h) => sh({ ...h, legacyVersion: 0x0304 }) },
  { name: 'legacy_session_id_echo differs', rfc: '4.1.3', alert: 47, openssl: 'invalid session id', memtls: 'bad session id', make: (h) => sh({ ...h, sessionId: new Uint8Array(32).fill(1) }) },
  { name: 'compression method 1', rfc: '4.1.3', alert: 47, openssl: 'invalid compression algorithm', memtls: 'bad compression algorithm', make: (h) => sh({ ...h, compression: new Uint8Array([1]) }) },
  { name: 'duplicate key_share', rfc: '4.2', alert: 47, openssl: 'bad extension', memtls: 'duplicate extension', make: (h) => sh({ ...h, extensions: [findExt(h, EXT.KEY_SHARE) as Ext, ...h.extensions] }) },
  { name: 'an unsolicited extension (ALPN)', rfc: '4.2', alert: 110, openssl: 'unsolicited extension', make: (h) => sh(withExt(h, { type: EXT.ALPN, data: vec16(vec8(new TextEncoder().encode('h2'))) })) },
  { name: 'an extension not allowed in ServerHello (supported_groups)', rfc: '4.2', alert: 47, openssl: 'bad extension', make: (h) => sh(withExt(h, { type: EXT.SUPPORTED_GROUPS, data: u16list([0x001d]) })) },
];
