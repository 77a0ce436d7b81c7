/**
 * A server's cached session as bytes, for an external session cache (OpenSSL's SSL_CTX_sess_set_new_cb /
 * SSL_CTX_sess_set_get_cb, what Node's 'newSession' / 'resumeSession' events carry): the application stores the
 * bytes under the session ID and hands them back when a client asks to resume it. The bytes hold the master
 * secret: store them like a key.
 *
 * The layout is the one stateless tickets seal (session/stateless-ticket.ts `encodeState`), without an issuing
 * context (`origin`): one serialisation of a server's session. `decodeCachedSession` is strict: anything else is
 * null (a miss, never a throw).
 */
import type { CachedSession } from './cache.js';
import { decodeState, encodeState } from './stateless-ticket.js';

/** The bytes of `s` (they hold its secret). */
export function encodeCachedSession(s: CachedSession): Uint8Array {
  const { origin: _origin, ...rest } = s;
  return encodeState(rest);
}

/** The session of `bytes` made by `encodeCachedSession`, or null for anything malformed. */
export function decodeCachedSession(bytes: Uint8Array): CachedSession | null {
  const s = decodeState(bytes);
  if (s === null) return null;
  const { origin: _origin, ...rest } = s;
  return rest;
}
