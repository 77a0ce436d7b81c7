/**
 * A server's cached session as bytes, for an external session cache (OpenSSL's SSL_CTX_sess_set_new_cb /
 * SSL_CTX_sess_set_get_cb, what Node's 'newSession' / 'resumeSession' events carry): the application stores the
 * bytes under the session ID and hands them back when a client asks to resume it. The bytes hold the master
 * secret: store them like a key.
 *
 * Format 1: u8 format, u8 version (12 or 13), u16 suite, vec8 secret, vec8 hash name, vec8 ALPN, vec8 server
 * name, u64 created (ms, as two u32), u32 lifetime, u32 age_add, u32 max early data, u8 extended master secret, vec8 verify result,
 * vec24 of vec24 client chain. `decodeCachedSession` is strict: anything else is null (a miss, never a throw).
 */
import { fromUtf8, utf8 } from '../wire/bytes.js';
import { Reader } from '../wire/reader.js';
import { Writer } from '../wire/writer.js';
import type { CachedSession } from './cache.js';

const FORMAT = 1;

/** The bytes of `s` (they hold its secret). */
export function encodeCachedSession(s: CachedSession): Uint8Array {
  const w = new Writer(256);
  w.u8(FORMAT).u8(s.version === 'TLSv1.2' ? 12 : 13).u16(s.cipherSuite);
  w.vec8(s.psk).vec8(utf8(s.hash)).vec8(utf8(s.alpn ?? '')).vec8(utf8(s.serverName ?? ''));
  w.u32(Math.floor(s.createdAt / 2 ** 32)).u32(s.createdAt % 2 ** 32).u32(s.lifetime).u32(s.ageAdd).u32(s.maxEarlyData);
  w.u8(s.extendedMasterSecret ? 1 : 0).vec8(utf8(s.verifyResult));
  w.begin(3);
  for (const c of s.peerCertificates) w.vec24(c);
  w.end();
  return w.finish();
}

/** The session of `bytes` made by `encodeCachedSession`, or null for anything malformed. */
export function decodeCachedSession(bytes: Uint8Array): CachedSession | null {
  try {
    const r = new Reader(bytes);
    if (r.u8() !== FORMAT) return null;
    const v = r.u8();
    if (v !== 12 && v !== 13) return null;
    const cipherSuite = r.u16();
    const psk = r.vec8('secret', 1).slice();
    const hash = fromUtf8(r.vec8());
    const alpn = fromUtf8(r.vec8()) || null;
    const serverName = fromUtf8(r.vec8()) || null;
    const createdAt = r.u32() * 2 ** 32 + r.u32();
    const lifetime = r.u32();
    const ageAdd = r.u32();
    const maxEarlyData = r.u32();
    const ems = r.u8();
    const verifyResult = fromUtf8(r.vec8());
    if (ems > 1 || !/^[A-Z][A-Z0-9_]{0,63}$/.test(verifyResult) || (hash !== 'SHA-256' && hash !== 'SHA-384')) return null;
    const certs = r.sub24();
    const peerCertificates: Uint8Array[] = [];
    while (certs.remaining) peerCertificates.push(certs.vec24().slice());
    r.expectEnd();
    return { version: v === 12 ? 'TLSv1.2' : 'TLSv1.3', psk, hash, cipherSuite, alpn, serverName, createdAt, lifetime, ageAdd, maxEarlyData, peerCertificates, verifyResult, extendedMasterSecret: ems === 1 };
  } catch {
    return null;
  }
}
