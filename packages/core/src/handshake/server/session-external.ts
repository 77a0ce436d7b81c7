/**
 * The TLS 1.2 server's lookup in the application's session cache (ContextOptions.lookupSession, OpenSSL's
 * SSL_CTX_sess_set_get_cb), for a session ID the context's own cache does not hold. As OpenSSL adds what its get
 * callback returns to the internal cache, the session goes into the context's cache under its ID and is then looked
 * up there: it passes exactly the checks of a cached session (findSession12: unexpired, TLS 1.2 with the extended
 * master secret, the same server name, its suite offered), and rule 19 can withdraw it there. A session that does
 * not pass is taken out again.
 */
import { decodeCachedSession } from '../../session/cached-bytes.js';
import { ExtensionType as X } from '../../wire/enums.js';
import { findExtension } from '../../wire/extensions.js';
import type { ClientHello } from '../../wire/handshake.js';
import type { HandshakeContext } from '../context.js';
import type { Negotiated12 } from './hello12.js';
import { findSession12, type Resumable12 } from './session12.js';

/** The session the application's cache holds for the ClientHello's session ID, if it may be resumed; else null. */
export async function lookupExternalSession12(cx: HandshakeContext, ch: ClientHello, neg: Negotiated12): Promise<Resumable12 | null> {
  const external = cx.config.externalSessions;
  const cache = cx.config.sessionCache;
  if (!external || !cache || ch.sessionId.length === 0) return null;
  // A client that sends a ticket is resumed by its ticket or not at all (as OpenSSL: no session-ID lookup then).
  const ticket = cx.config.noTicket ? undefined : findExtension(ch.extensions, X.SESSION_TICKET);
  if (ticket && ticket.length > 0) return null;
  const bytes = await external.lookup(ch.sessionId);
  const entry = bytes ? decodeCachedSession(bytes) : null;
  if (!entry) return null;
  const id = ch.sessionId.slice();
  cache.add(id, entry);
  const found = await findSession12(cx, ch, neg);
  if (!found) cache.remove(id);
  return found;
}
