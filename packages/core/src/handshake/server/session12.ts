/**
 * The server's TLS 1.2 sessions (RFC 5246 §7.4.1.3, RFC 5077, RFC 7627 §5.3). A full handshake with the extended
 * master secret makes a session: named by a NewSessionTicket when the client sent session_ticket and
 * SSL_OP_NO_TICKET is off (the ServerHello then has an empty session ID, as OpenSSL's), else by a fresh 32-byte
 * session ID into the context's session cache (stateful, so rule 19 withdraws it exactly). The ticket is
 * stateless (the session sealed under the ticket key, server/ticket-store.ts), or a cache id when the state cannot
 * be sealed. Sessions without the extended master secret are not kept.
 */
import type { CipherSuite } from '../../crypto/suites.js';
import { SslError } from '../../errors/ssl-error.js';
import type { CachedSession } from '../../session/cache.js';
import { encodeCachedSession } from '../../session/cached-bytes.js';
import { ExtensionType as X } from '../../wire/enums.js';
import { type Extension, encodeAlpn, findExtension } from '../../wire/extensions.js';
import type { ClientHello } from '../../wire/handshake.js';
import { encodeEcPointFormats, encodeRenegotiationInfo } from '../../wire/handshake12.js';
import { encodeNewSessionTicket12 } from '../../wire/ticket12.js';
import type { HandshakeContext } from '../context.js';
import type { SessionPlan12 } from '../tls12-keys.js';
import type { Negotiated12 } from './hello12.js';
import { findTicket, issueTicket } from './ticket-store.js';
import type { IssuedTickets } from './tickets13.js';

/** The extensions of a TLS 1.2 ServerHello. A resumed one names no server (RFC 6066 §3) and renews no ticket. */
export function serverHelloExtensions12(neg: Negotiated12, resumed: boolean, ticket: boolean): Extension[] {
  const exts: Extension[] = [];
  if (neg.secureRenegotiation) exts.push({ type: X.RENEGOTIATION_INFO, data: encodeRenegotiationInfo(new Uint8Array(0)) });
  if (neg.ems) exts.push({ type: X.EXTENDED_MASTER_SECRET, data: new Uint8Array(0) });
  if (neg.pointFormats) exts.push({ type: X.EC_POINT_FORMATS, data: encodeEcPointFormats() });
  if (neg.sni !== null && !resumed) exts.push({ type: X.SERVER_NAME, data: new Uint8Array(0) });
  if (neg.alpn !== null) exts.push({ type: X.ALPN, data: encodeAlpn([neg.alpn]) });
  if (ticket) exts.push({ type: X.SESSION_TICKET, data: new Uint8Array(0) });
  if (neg.recordSizeLimit) exts.push(neg.recordSizeLimit);
  return exts;
}

/** The session a full handshake makes (null: none, without a cache or the extended master secret). */
export function serverPlan12(cx: HandshakeContext, ch: ClientHello, neg: Negotiated12, issued: IssuedTickets): SessionPlan12 | null {
  const cache = cx.config.sessionCache;
  if (!cache || !neg.ems) return null;
  const p = cx.config.provider;
  const ticketExpected = !cx.config.noTicket && findExtension(ch.extensions, X.SESSION_TICKET) !== undefined;
  const sessionId = ticketExpected ? new Uint8Array(0) : p.randomBytes(32);
  return {
    sessionId,
    ticketExpected,
    ticket: null,
    complete: async (cx, master) => {
      const suite = cx.suite as CipherSuite;
      const entry: CachedSession = {
        version: 'TLSv1.2',
        psk: master.slice(),
        hash: suite.hash,
        cipherSuite: suite.id,
        alpn: cx.alpnProtocol,
        serverName: cx.serverName,
        createdAt: cx.config.now().getTime(),
        lifetime: cx.config.ticketLifetime,
        ageAdd: 0,
        peerCertificates: cx.peerCertificates.slice(),
        verifyResult: cx.verifyCode,
        extendedMasterSecret: true,
        maxEarlyData: 0,
      };
      if (!ticketExpected) {
        cache.add(sessionId, entry);
        issued.ids.push(sessionId);
        // SSL_CTX_sess_set_new_cb: a session named by a session ID goes to the application's cache too.
        await cx.config.externalSessions?.stored(sessionId, encodeCachedSession(entry));
        return;
      }
      // RFC 5077 §3.3: after the client's Finished, before our ChangeCipherSpec.
      await queueTicket12(cx, entry, issued);
    },
  };
}

/** Issue a NewSessionTicket for `entry` (RFC 5077 §3.3): stateless, or a cache id (server/ticket-store.ts). */
export async function queueTicket12(cx: HandshakeContext, entry: CachedSession, issued: IssuedTickets): Promise<void> {
  // RFC 5077 §3.3: an empty ticket when none can be issued (the ServerHello announced one).
  const ticket = (await issueTicket(cx, entry, issued)) ?? new Uint8Array(0);
  cx.queueHandshake(encodeNewSessionTicket12({ lifetimeHint: entry.lifetime, ticket }));
}

/** A session the ClientHello asks to resume, with its cache id (null: a stateless ticket) and suite. */
export interface Resumable12 {
  id: Uint8Array | null;
  entry: CachedSession;
  suite: CipherSuite;
  /** A stateless ticket opened by a key being retired: a fresh ticket goes out in the abbreviated handshake. */
  renew: boolean;
}

/**
 * The session a ClientHello asks to resume: by its ticket when it sends a non-empty one (and SSL_OP_NO_TICKET is
 * off), else by its session ID, as OpenSSL looks them up. Resumed only if ours (a stateless ticket that opens, or a
 * cache entry), unexpired, a TLS 1.2 session, for the same server name, with its suite offered and still enabled;
 * else a full handshake. A ClientHello without the extended master secret for a session made with it is refused
 * (RFC 7627 §5.3: handshake_failure).
 */
export async function findSession12(cx: HandshakeContext, ch: ClientHello, neg: Negotiated12): Promise<Resumable12 | null> {
  if (!cx.config.sessionCache) return null;
  const ticket = cx.config.noTicket ? undefined : findExtension(ch.extensions, X.SESSION_TICKET);
  const id = ticket && ticket.length > 0 ? ticket : ch.sessionId;
  if (id.length === 0) return null;
  const found = await findTicket(cx, id, { opens: 0 });
  const entry = found?.entry;
  if (!found || entry?.version !== 'TLSv1.2' || !entry.extendedMasterSecret || entry.serverName !== neg.sni) return null;
  const suite = cx.config.suites12.find((s) => s.id === entry.cipherSuite);
  if (!suite || suite.hash !== entry.hash || !ch.cipherSuites.includes(suite.id)) return null;
  if (!neg.ems) {
    throw new SslError('INCONSISTENT_EXTMS', { detail: 'the client resumes a session made with the extended master secret without offering it (RFC 7627 §5.3)' });
  }
  // A ticket renewed only if the client can take one: it sent session_ticket.
  return { id: found.cacheId, entry, suite, renew: found.renew && ticket !== undefined };
}
