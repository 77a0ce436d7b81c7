/**
 * The server's external session cache (OpenSSL's SSL_CTX_sess_set_new_cb and SSL_CTX_sess_set_get_cb; Node's
 * 'newSession' and 'resumeSession' events): the application is told of each TLS 1.2 session named by a session
 * ID, with the session as bytes, and is asked for a session ID the context's own cache does not hold.
 *
 * Rules:
 * - TLS 1.2 sessions named by a session ID only, as OpenSSL calls these callbacks (a session named by a TLS 1.2
 *   ticket has no session ID; TLS 1.3 tickets are the ticket machinery's).
 * - The bytes hold the master secret (session/cached-bytes.ts): the application stores them like a key, and only
 *   hands them back to servers of the same service (OpenSSL's session ID context).
 * - A session handed back passes the checks of one from the context's cache (server/session12.ts): unexpired,
 *   TLS 1.2 with the extended master secret, the same server name, its suite offered. Malformed bytes are a miss.
 * - What onNewSession throws or rejects is ignored (the session just is not stored outside); a lookupSession that
 *   throws or rejects, or returns anything but bytes or null, fails the handshake with CALLBACK_FAILED.
 */
import { SslError } from '../errors/ssl-error.js';

/** The external-session-cache options of a server context (ContextOptions); `S` is the connection type, `Ssl`. */
export interface SessionCacheOptions<S> {
  /**
   * Server: SSL_CTX_sess_set_new_cb: a TLS 1.2 session named by a session ID was made. `session` holds its master
   * secret (store it like a key). The handshake waits for a returned promise; what it throws is ignored.
   */
  onNewSession?: (sessionId: Uint8Array, session: Uint8Array, ssl: S) => void | Promise<void>;
  /**
   * Server: SSL_CTX_sess_set_get_cb: a client asks to resume a TLS 1.2 session ID the context's cache does not
   * hold: the bytes `onNewSession` was given for it, or null. May return a promise (the handshake waits).
   */
  lookupSession?: (sessionId: Uint8Array, ssl: S) => Uint8Array | null | undefined | Promise<Uint8Array | null | undefined>;
}

/** The engine's view of the external cache of one connection. */
export interface ExternalSessionCache {
  stored(sessionId: Uint8Array, session: Uint8Array): Promise<void>;
  lookup(sessionId: Uint8Array): Promise<Uint8Array | null>;
}

/**
 * Check the options for `role` (TypeError on misuse) and return the engine's external cache for a connection
 * (`owner`: the connection the callbacks are given), or null when neither callback is set.
 */
export function sessionCacheHooks<S>(opts: SessionCacheOptions<S>, role: 'client' | 'server'): (owner: S) => ExternalSessionCache | null {
  const { onNewSession: added, lookupSession: lookup } = opts;
  for (const [name, f] of [['onNewSession', added], ['lookupSession', lookup]] as const) {
    if (f === undefined) continue;
    if (typeof f !== 'function') throw new TypeError(`SslContext: ${name} must be a function`);
    if (role !== 'server') throw new TypeError(`SslContext: ${name} is a server option`);
  }
  if (!added && !lookup) return () => null;
  return (owner) => ({
    stored: async (id, session) => {
      try {
        await added?.(id.slice(), session, owner);
      } catch {
        // Ignored, as OpenSSL ignores its new-session callback's result: the session is only not kept outside.
      }
    },
    lookup: async (id) => {
      if (!lookup) return null;
      let r: unknown;
      try {
        r = await lookup(id.slice(), owner);
      } catch {
        throw new SslError('CALLBACK_FAILED', { detail: 'the lookupSession callback failed', origin: 'local' });
      }
      if (r === null || r === undefined) return null;
      if (!(r instanceof Uint8Array)) throw new SslError('CALLBACK_FAILED', { detail: 'the lookupSession callback returned neither bytes nor null', origin: 'local' });
      return r.slice();
    },
  });
}
