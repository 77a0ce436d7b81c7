/**
 * SSL_verify_client_post_handshake (RFC 8446 §4.6.2) at the facade: OpenSSL's checks in its order, then the
 * request is queued by the server role (handshake/server/client-auth.ts) and sent by the next doHandshake, write
 * or read. Refusals return 0 with the reason in errorReason(), as OpenSSL puts it on its error queue; nothing is
 * sent and the connection goes on.
 */
import type { Connection } from './connection.js';

/** Returns 1 when the CertificateRequest is queued, else 0 (errorReason(): why). */
export function verifyClientPostHandshake(c: Connection): number {
  c.beginCall();
  const e = c.engine;
  // ssl_lib.c SSL_verify_client_post_handshake: the version (TLS 1.2, or no version yet: "wrong ssl version"),
  // the role, a finished handshake with nothing else scheduled, then the client's offer and requests in flight.
  if (e.version !== 'TLSv1.3') return c.refuse('WRONG_SSL_VERSION');
  if (e.config.role !== 'server') return c.refuse('NOT_SERVER');
  if (c.fatal || c.inInit || !e.handshakeComplete) return c.refuse('STILL_IN_INIT');
  // Then the client's offer and the requests in flight, and last send_certificate_request's check: a server that
  // does not verify clients (verifyPeer: false, no SSL_VERIFY_PEER) asks for no certificate, "invalid config".
  const refusal = e.requestClientAuth();
  if (refusal) return c.refuse(refusal);
  return 1;
}
