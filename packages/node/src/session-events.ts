/**
 * Node's `tls.Server` events for an external session cache, `'newSession'` (sessionId, sessionData, callback) and
 * `'resumeSession'` (sessionId, callback(err, sessionData)), over the core's onNewSession / lookupSession
 * (OpenSSL's SSL_CTX_sess_set_new_cb / get_cb, which Node's events wrap).
 *
 * Rules:
 * - TLS 1.2 sessions named by a session ID, as OpenSSL calls the callbacks for them; unlike Node, memtls emits
 *   nothing for TLS 1.3 tickets (they are the ticket machinery's: the context's cache or ticket keys) nor for
 *   TLS 1.2 tickets (no session ID). `sessionData` is memtls's format (the core's session/cached-bytes.ts), not
 *   OpenSSL's DER: it holds the master secret, so store it like a key.
 * - The handshake waits for the listener's callback, as in Node (the server's handshakeTimeout still runs).
 *   `'resumeSession'` is only asked for a session ID the server's own cache lacks (Node keeps no cache of its
 *   own for session IDs, so there every lookup goes to the event). A `callback(err)` fails the connection with
 *   that Error ('tlsClientError'); data that is no memtls session, or a stale one, means a full handshake.
 * - Without a listener nothing is emitted and the server's own cache serves resumption.
 */
import type { EventEmitter } from 'node:events';
import type { ContextOptions, Ssl } from '@memtls/core';
import { recordAppError } from './tls-callbacks.js';

const servers = new WeakMap<Ssl, EventEmitter>();

/** Emit the session events of `ssl` on `server` (the tls.Server-like object that accepted it). */
export function setSessionEventTarget(ssl: Ssl, server: EventEmitter): void {
  servers.set(ssl, server);
}

/** The core hooks that turn sessions into Node's events (for every server context made from Node-style options). */
export function sessionEventHooks(): Pick<ContextOptions, 'onNewSession' | 'lookupSession'> {
  return {
    onNewSession: (id, session, ssl) => {
      const server = servers.get(ssl);
      if (!server || server.listenerCount('newSession') === 0) return;
      return new Promise<void>((resolve) => {
        server.emit('newSession', Buffer.from(id), Buffer.from(session), () => resolve());
      });
    },
    lookupSession: (id, ssl) => {
      const server = servers.get(ssl);
      if (!server || server.listenerCount('resumeSession') === 0) return null;
      return new Promise<Uint8Array | null>((resolve, reject) => {
        server.emit('resumeSession', Buffer.from(id), (err: Error | null | undefined, data?: Uint8Array | null) => {
          if (err) {
            recordAppError(ssl, err);
            reject(err);
          } else resolve(data ? new Uint8Array(data) : null);
        });
      });
    },
  };
}
