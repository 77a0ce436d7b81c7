/**
 * The server's 0-RTT early data (RFC 8446 §4.2.10, §8): whether to accept the client's early data, and the state
 * that waits for EndOfEarlyData (RFC 8446 §4.5) while accepted early data is read under the early key.
 *
 * Accepted only when all hold (as OpenSSL 3.0's final_early_data and tls_parse_ctos_psk decide):
 * - the application reads early data (readEarlyData was its first call: OpenSSL accepts only inside
 *   SSL_read_early_data) and the context allows it (maxEarlyData > 0);
 * - the first ClientHello (no HelloRetryRequest), resuming with the client's first PSK, a ticket of ours that
 *   allowed early data (its max_early_data_size > 0);
 * - replay protection: the ticket was stateful and single-use (server/ticket-store.ts removes it from the cache
 *   as it is looked up while maxEarlyData > 0; a server with maxEarlyData issues only stateful tickets), so a
 *   replayed ClientHello finds no session. A stateless ticket never carries early data;
 * - the same cipher suite, ALPN protocol and server name as the session's;
 * - the ticket age the client reports (obfuscated_ticket_age - ticket_age_add) within TICKET_AGE_ALLOWANCE_MS of
 *   the server's own view (RFC 8446 §8.3; OpenSSL's TICKET_AGE_ALLOWANCE, 10 s).
 * Anything else rejects the early data, which the engine then skips (engine/engine.ts), and the handshake goes on.
 */
import { SslError } from '../../errors/ssl-error.js';
import { HandshakeType as H, ExtensionType as X } from '../../wire/enums.js';
import { findExtension, parsePreSharedKeyClient } from '../../wire/extensions.js';
import type { ClientHello, HandshakeMessage } from '../../wire/handshake.js';
import { unexpected } from '../common.js';
import type { HandshakeContext } from '../context.js';
import { clientEarlyTrafficSecret } from '../early-secret.js';
import type { Negotiated, SelectedPsk } from './hello13.js';
import type { SelectedExternalPsk } from './psk-external.js';
import type { ServerState12 } from './tls12.js';

/** How far the client's view of the ticket's age may be from the server's (RFC 8446 §8.3), as OpenSSL allows. */
export const TICKET_AGE_ALLOWANCE_MS = 10_000;

/**
 * The first ClientHello offered early data: accept it (status 'accepted'; returns client_early_traffic_secret, the
 * read key until EndOfEarlyData) or reject it (status 'rejected'; null).
 */
export async function acceptEarlyData(cx: HandshakeContext, ch: ClientHello, psk: SelectedPsk | SelectedExternalPsk | null, neg: Negotiated): Promise<Uint8Array | null> {
  cx.early.status = 'rejected';
  if (!psk || 'external' in psk || !acceptable(cx, ch, psk, neg)) return null;
  cx.early.status = 'accepted';
  cx.early.reading = true;
  cx.early.limit = psk.entry.maxEarlyData;
  return clientEarlyTrafficSecret(cx, neg.suite, psk.entry.psk);
}

function acceptable(cx: HandshakeContext, ch: ClientHello, psk: SelectedPsk, neg: Negotiated): boolean {
  const c = cx.config;
  const s = psk.entry;
  if (!cx.early.wanted || c.maxEarlyData === 0 || psk.index !== 0 || psk.id === null || s.maxEarlyData === 0) return false;
  if (s.cipherSuite !== neg.suite.id || s.alpn !== neg.alpn || s.serverName !== neg.sni) return false;
  const identity = parsePreSharedKeyClient(findExtension(ch.extensions, X.PRE_SHARED_KEY) as Uint8Array).identities[0];
  if (!identity) return false;
  const clientAge = (identity.obfuscatedTicketAge - s.ageAdd) >>> 0;
  const serverAge = c.now().getTime() - s.createdAt;
  return Math.abs(clientAge - serverAge) <= TICKET_AGE_ALLOWANCE_MS;
}

/** Accepted early data is being read under the early key; EndOfEarlyData switches to the handshake key. */
export class ExpectEndOfEarlyData implements ServerState12 {
  readonly name = 'expect-end-of-early-data';
  readonly #clientHandshakeSecret: Uint8Array;
  private readonly next: ServerState12;
  constructor(clientHandshakeSecret: Uint8Array, next: ServerState12) {
    this.#clientHandshakeSecret = clientHandshakeSecret;
    this.next = next;
  }

  async handle(cx: HandshakeContext, msg: HandshakeMessage): Promise<ServerState12> {
    if (msg.type !== H.END_OF_EARLY_DATA) return unexpected(msg, this.name);
    if (msg.body.length !== 0) throw SslError.decode('EndOfEarlyData with a body');
    cx.transcript.add(msg.raw);
    cx.early.reading = false;
    // A message after EndOfEarlyData in the same record would span the key change: setReadKey refuses it.
    await cx.setReadKey(this.#clientHandshakeSecret);
    return this.next;
  }
}
