/**
 * The TLS 1.2 server's lookup in the application's session cache (ContextOptions.lookupSession, OpenSSL's
 * SSL_CTX_sess_set_get_cb), for a session ID the context's own cache does not hold. What comes back is checked
 * as a session of the context's cache is (session12.ts: resumable12) and, when resumed, kept in that cache, so
 * that rule 19 can withdraw it there.
 */
import { decodeCachedSession } from '../../session/cached-bytes.js';
import { ExtensionType as X } from '../../wire/enums.js';
import { findExtension } from '../../wire/extensions.js';
import type { ClientHello } from '../../wire/handshake.js';
import type { HandshakeContext } from '../context.js';
import type { Negotiated12 } from './hello12.js';
import { type Resumable12, resumable12 } from './session12.js';

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
  if (!entry || cx.config.now().getTime() > entry.createdAt + entry.lifetime * 1000) return null;
  const found = resumable12(ch, neg, cx.config.suites12, ch.sessionId.slice(), entry);
  if (found) cache.add(found.id, entry);
  return found;
}
