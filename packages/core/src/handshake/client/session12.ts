/**
 * The client's TLS 1.2 sessions (RFC 5246 §7.4.1.2, RFC 5077, RFC 7627 §5.3): which saved session may be offered,
 * what the ClientHello carries for it (legacy_session_id, session_ticket), and the session a full or resumed
 * handshake leaves behind. A session is kept only when the extended master secret was used: sessions without it
 * are not resumable (RFC 7627 §5.3), so they are neither kept nor offered.
 */

import { SslError } from '../../errors/ssl-error.js';
import { SslSession } from '../../session/session.js';
import { HandshakeType as H, ExtensionType as X } from '../../wire/enums.js';
import type { Extension } from '../../wire/extensions.js';
import type { HandshakeMessage } from '../../wire/handshake.js';
import { parseNewSessionTicket12 } from '../../wire/ticket12.js';
import type { EngineConfig } from '../config.js';
import type { HandshakeContext } from '../context.js';
import type { SessionPlan12 } from '../tls12-keys.js';

/** What the client role keeps of sessions (ClientHandshake): the offered one, whether it was resumed, the newest. */
export interface ClientSessions {
  readonly hostName: string | null;
  readonly offered: SslSession | null;
  resumed: boolean;
  latestSession: SslSession | null;
}

/** Seconds a TLS 1.2 session is kept when the server names no lifetime (OpenSSL's default session timeout). */
const DEFAULT_LIFETIME = 7200;

/**
 * May `session` be offered on this connection (the policy check, sessionAcceptable, comes on top): resumable now,
 * the same server name, its version enabled and its suite offered. A TLS 1.2 session also needs the extended
 * master secret and something that names it: a session ID, or a ticket unless SSL_OP_NO_TICKET.
 */
export function sessionFits(c: EngineConfig, session: SslSession | null, hostName: string | null): boolean {
  if (!session?.isResumable(c.now()) || session.serverName !== hostName) return false;
  if (session.version === 'TLSv1.3') return c.versions.tls13 && c.suites.some((s) => s.name === session.cipherSuite);
  const named = session.sessionId.length > 0 || (session.ticket.length > 0 && !c.noTicket);
  return c.versions.tls12 && session.extendedMasterSecret && named && c.suites12.some((s) => s.name === session.cipherSuite);
}

/** What a ClientHello carries for TLS 1.2 resumption: decided once per handshake (a second ClientHello repeats it). */
export interface Offer12 {
  /** legacy_session_id: the session's ID, or a fresh one beside a ticket to recognise acceptance (RFC 5077 §3.4). */
  readonly sessionId: Uint8Array;
  /** session_ticket: the session's ticket, or empty to ask for one; null with SSL_OP_NO_TICKET or without TLS 1.2. */
  readonly ticket: Extension | null;
}

/** What a ClientHello offered, as the checks of a TLS 1.2 ServerHello need it (hello13.ts's ClientOffer). */
export interface Offered12 {
  readonly random: Uint8Array;
  /** Every extension type sent in a ClientHello of this handshake. */
  readonly sentExtensions: ReadonlySet<number>;
  readonly resumption12: Offer12 | null;
}

export function offer12(c: EngineConfig, session: SslSession | null): Offer12 {
  const s = session?.version === 'TLSv1.2' ? session : null;
  const tickets = c.versions.tls12 && !c.noTicket;
  const ticket = tickets ? { type: X.SESSION_TICKET, data: s ? s.ticket : new Uint8Array(0) } : null;
  if (!s) return { sessionId: new Uint8Array(0), ticket };
  const sessionId = s.sessionId.length > 0 ? s.sessionId : tickets && s.ticket.length > 0 ? c.provider.randomBytes(32) : new Uint8Array(0);
  return { sessionId, ticket };
}

/**
 * The session a TLS 1.2 handshake leaves: named by `sessionId` and/or the ticket the server announces (the
 * session_ticket extension in ServerHello). With the extended master secret it becomes the role's latest
 * session once the server's Finished is verified; without it nothing is kept, but an announced ticket is still
 * expected and read. After a resumption the new session keeps the resumed one's verification (cx holds it).
 */
export function clientPlan12(role: ClientSessions, sessionId: Uint8Array, ticketExpected: boolean, ems: boolean): SessionPlan12 {
  const plan: SessionPlan12 = {
    sessionId,
    ticketExpected,
    ticket: null,
    complete: async (cx, master) => {
      const t = plan.ticket;
      const ticket = t ? t.ticket : new Uint8Array(0);
      // RFC 5077 §3.3: an empty ticket means none; then only a session ID can name the session.
      if (!ems || (ticket.length === 0 && sessionId.length === 0) || !cx.suite) return;
      role.latestSession = new SslSession({
        version: 'TLSv1.2',
        cipherSuite: cx.suite.name,
        serverName: role.hostName,
        alpn: cx.alpnProtocol,
        ticket,
        psk: master.slice(),
        ageAdd: 0,
        lifetime: t && t.lifetimeHint > 0 ? t.lifetimeHint : DEFAULT_LIFETIME,
        receivedAt: cx.config.now(),
        peerCertificates: cx.peerCertificates.slice(),
        verifyResult: cx.verifyCode,
        verifiedHostname: cx.verifiedHostname,
        sessionId,
        extendedMasterSecret: true,
      });
    },
  };
  return plan;
}

/** A NewSessionTicket before the server's ChangeCipherSpec: taken once, only if ServerHello announced it. */
export function takeTicket12(cx: HandshakeContext, msg: HandshakeMessage, plan: SessionPlan12 | null | undefined): boolean {
  if (msg.type !== H.NEW_SESSION_TICKET || !plan?.ticketExpected || plan.ticket) return false;
  plan.ticket = parseNewSessionTicket12(msg.body);
  cx.transcript.add(msg.raw);
  return true;
}

/** RFC 5077 §3.3: a server that announced a ticket sends it before its ChangeCipherSpec. */
export function checkTicketArrived12(plan: SessionPlan12 | null | undefined): void {
  if (plan?.ticketExpected && !plan.ticket) {
    throw new SslError('UNEXPECTED_CCS_MESSAGE', { detail: 'ChangeCipherSpec before the NewSessionTicket that ServerHello announced (RFC 5077 §3.3)' });
  }
}
