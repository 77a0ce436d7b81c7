/**
 * Where a server's tickets live, for both versions (RFC 8446 §4.6.1, RFC 5077): stateless by default (the session
 * sealed under the context's ticket key, session/stateless-ticket.ts), stateful (a random id into the session
 * cache) with SSL_OP_NO_TICKET in TLS 1.3, as OpenSSL 3.0 does, or with maxEarlyData (single-use tickets: replay
 * protection for early data, as OpenSSL's default without SSL_OP_NO_ANTI_REPLAY), or when the state cannot be sealed (over
 * MAX_STATE bytes, e.g. a long client chain, or the ticket-key callback gave no key). Only stateful ids go to
 * `issued.ids`: rule 19 withdraws cache entries, and cannot reach a stateless ticket (as in OpenSSL).
 */
import { X509_V_ERR_NOT_VERIFIED } from '../../cert/verify.js';
import type { CachedSession } from '../../session/cache.js';
import { looksStateless, openTicket, sealTicket, TICKET_NONCE_LENGTH } from '../../session/stateless-ticket.js';
import { equalBytes } from '../../wire/bytes.js';
import type { HandshakeContext } from '../context.js';

/** The stateful tickets a connection issued (cache ids, withdrawn by rule 19) and the counter its TLS 1.3 ticket
 * nonces come from. */
export interface IssuedTickets {
  nonce: number;
  readonly ids: Uint8Array[];
}

/** Stateless tickets opened per ClientHello at most: each costs one AEAD decryption (and maybe a key callback). */
export const MAX_TICKET_OPENS = 4;

/** A session a ticket (or TLS 1.2 session ID) names. */
export interface FoundSession {
  entry: CachedSession;
  /** The cache id (rule 19 withdraws it when this connection ends badly); null for a stateless ticket. */
  cacheId: Uint8Array | null;
  /** A stateless ticket opened by a key being retired: issue a fresh one (TLS 1.2; TLS 1.3 always sends one). */
  renew: boolean;
}

/** Tickets opened so far on one ClientHello (bounded by MAX_TICKET_OPENS), and whether a foreign ticket's chain
 * was verified again (at most once per ClientHello). */
export interface OpenBudget {
  opens: number;
  reverified?: boolean;
}

/** True when this server issues stateless tickets: ticket keys exist, SSL_OP_NO_TICKET is off, and the provider
 * has AES-256-GCM (a custom provider without it gets stateful tickets). */
export function statelessTickets(cx: HandshakeContext): boolean {
  return cx.config.ticketKeys !== null && !cx.config.noTicket && cx.config.provider.supportsAead('AES-256-GCM');
}

/**
 * A ticket for `entry`: sealed when the server issues stateless tickets and the state fits, else a fresh cache id
 * (recorded in `issued` for rule 19). Null only without a session cache (sessionCache: false).
 */
export async function issueTicket(cx: HandshakeContext, entry: CachedSession, issued: IssuedTickets): Promise<Uint8Array | null> {
  const c = cx.config;
  if (!c.sessionCache) return null;
  // A TLS 1.3 ticket that allows early data is stateful: single-use is the replay protection (findTicket).
  if (statelessTickets(cx) && c.ticketKeys && !(entry.version === 'TLSv1.3' && entry.maxEarlyData > 0)) {
    const sealed = await sealTicket(c.ticketKeys, c.provider.randomBytes(TICKET_NONCE_LENGTH), entry);
    if (sealed) return sealed;
  }
  const id = c.provider.randomBytes(32);
  c.sessionCache.add(id, entry);
  issued.ids.push(id);
  return id;
}

/**
 * The session `ticket` names: a stateless ticket opened under our keys (unless SSL_OP_NO_TICKET, as OpenSSL then
 * looks tickets up in its cache only), else a cache entry. Null for anything unknown, expired, tampered with or
 * over the budget: the caller does a full handshake.
 */
export async function findTicket(cx: HandshakeContext, ticket: Uint8Array, budget: OpenBudget): Promise<FoundSession | null> {
  const c = cx.config;
  if (!c.sessionCache) return null;
  const now = c.now().getTime();
  if (looksStateless(ticket)) {
    if (!statelessTickets(cx) || !c.ticketKeys || budget.opens >= MAX_TICKET_OPENS) return null;
    budget.opens++;
    const opened = await openTicket(c.ticketKeys, ticket, now);
    if (!opened) return null;
    const entry = equalBytes(opened.session.origin ?? new Uint8Array(0), c.ticketKeys.origin) ? opened.session : await adoptForeign(cx, opened.session, budget);
    return entry ? { entry, cacheId: null, renew: opened.renew } : null;
  }
  const entry = c.sessionCache.get(ticket, now);
  // Early data enabled: a TLS 1.3 ticket is single-use (removed as it is found), so a replayed ClientHello finds
  // nothing (RFC 8446 §8.1; OpenSSL's default anti-replay).
  if (entry?.version === 'TLSv1.3' && c.maxEarlyData > 0) c.sessionCache.remove(ticket);
  return entry ? { entry, cacheId: ticket.slice(), renew: false } : null;
}

/**
 * A session sealed by another context that shares our ticket keys (another machine, or another SslContext in this
 * process): resumed only as this context's own client-certificate policy would have accepted it, so that a shared
 * key never turns "not verified" into "verified" (OpenSSL separates such contexts with the session ID context).
 * Without verifyPeer the client's certificates are not reported (as in this context's full handshake); with it,
 * the stored chain is verified again under this context's anchors, pins and callback (at most once per
 * ClientHello), and a session without certificates resumes only when a certificate is optional. Null: a full
 * handshake.
 */
async function adoptForeign(cx: HandshakeContext, s: CachedSession, budget: OpenBudget): Promise<CachedSession | null> {
  const c = cx.config;
  if (!c.verifyPeer) return { ...s, peerCertificates: [], verifyResult: X509_V_ERR_NOT_VERIFIED };
  if (s.peerCertificates.length === 0) return c.requirePeerCert ? null : { ...s, verifyResult: X509_V_ERR_NOT_VERIFIED };
  if (!c.verifyChain || budget.reverified) return null;
  budget.reverified = true;
  const r = await c.verifyChain(s.peerCertificates, null);
  return r.error ? null : { ...s, verifyResult: r.code };
}
