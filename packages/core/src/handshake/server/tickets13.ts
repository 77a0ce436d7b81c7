/**
 * The server's NewSessionTickets (RFC 8446 §4.6.1): stateless (the session sealed under the ticket key) by default,
 * stateful (an id into the context's session cache) with SSL_OP_NO_TICKET or maxEarlyData, as OpenSSL 3.0
 * (server/ticket-store.ts). With maxEarlyData the ticket carries early_data (RFC 8446 §4.2.10).
 */
import type { CipherSuite } from '../../crypto/suites.js';
import { resumptionPsk } from '../../keys/tls13-key-schedule.js';
import type { CachedSession } from '../../session/cache.js';
import { ticketEarlyDataExtension } from '../../wire/early-data.js';
import { encodeNewSessionTicket } from '../../wire/handshake.js';
import type { HandshakeContext } from '../context.js';
import { type IssuedTickets, issueTicket } from './ticket-store.js';

/** Bytes of one stateful NewSessionTicket message as `sendTickets` builds it: header 4, lifetime 4, age_add 4, nonce
 * 1+8, ticket 2+32, extensions 2 (a stateless ticket is longer). */
export const TICKET_MESSAGE_LENGTH = 4 + 4 + 4 + 1 + 8 + 2 + 32 + 2;

export type { IssuedTickets } from './ticket-store.js';

/** Issue n tickets for the resumption master secret, one record each, as OpenSSL sends them. */
export async function sendTickets(cx: HandshakeContext, issued: IssuedTickets, suite: CipherSuite, resumptionMasterSecret: Uint8Array, n: number): Promise<void> {
  const cache = cx.config.sessionCache;
  if (!cache || n <= 0) return;
  const p = cx.config.provider;
  for (let i = 0; i < n; i++) {
    // An 8-byte counter, as OpenSSL uses (RFC 8446 §4.6.1: unique per ticket on this connection).
    const nonce = new Uint8Array(8);
    new DataView(nonce.buffer).setUint32(4, issued.nonce);
    issued.nonce++;
    const ageAdd = new DataView(p.randomBytes(4).buffer).getUint32(0);
    const entry: CachedSession = {
      version: 'TLSv1.3',
      extendedMasterSecret: false,
      psk: await resumptionPsk(p, suite.hash, resumptionMasterSecret, nonce),
      hash: suite.hash,
      cipherSuite: suite.id,
      alpn: cx.alpnProtocol,
      serverName: cx.serverName,
      createdAt: cx.config.now().getTime(),
      lifetime: cx.config.ticketLifetime,
      ageAdd,
      peerCertificates: cx.peerCertificates.slice(),
      verifyResult: cx.verifyCode,
      maxEarlyData: cx.config.maxEarlyData,
    };
    const ticket = await issueTicket(cx, entry, issued);
    if (!ticket) return;
    cx.queueHandshake(encodeNewSessionTicket({ lifetime: entry.lifetime, ageAdd, nonce, ticket, extensions: entry.maxEarlyData > 0 ? [ticketEarlyDataExtension(entry.maxEarlyData)] : [] }), true);
    // One record per ticket, as OpenSSL sends them (each is one post-handshake event for the peer).
    await cx.flushHandshake();
  }
}
