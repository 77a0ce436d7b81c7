/**
 * The TLS 1.3 client after the handshake (RFC 8446 §4.6): NewSessionTicket makes a resumable session (§4.6.1),
 * KeyUpdate moves the keys (§4.6.3), a CertificateRequest is answered when post-handshake auth was offered (§4.6.2,
 * client-auth.ts); anything else is unexpected_message.
 */
import type { CipherSuite } from '../../crypto/suites.js';
import { SslError } from '../../errors/ssl-error.js';
import { resumptionPsk } from '../../keys/tls13-key-schedule.js';
import { SslSession } from '../../session/session.js';
import { parseTicketMaxEarlyData } from '../../wire/early-data.js';
import { HandshakeType as H } from '../../wire/enums.js';
import { type HandshakeMessage, parseNewSessionTicket } from '../../wire/handshake.js';
import { type FinishedVerified, unexpected } from '../common.js';
import type { HandshakeContext } from '../context.js';
import { answerPostHandshakeRequest } from './client-auth.js';
import type { ClientState12 } from './tls12.js';

/** Where a ticket's session goes (the client role): the newest one is what getSession() returns. */
export interface SessionHolder {
  latestSession: SslSession | null;
  readonly hostName: string | null;
}

export class Connected implements ClientState12 {
  readonly name = 'connected';
  readonly #resumptionMasterSecret: Uint8Array;
  private readonly role: SessionHolder;
  private readonly suite: CipherSuite;
  /** The server's Finished was verified: only then is the connection established. */
  readonly finished: FinishedVerified;
  constructor(role: SessionHolder, suite: CipherSuite, resumptionMasterSecret: Uint8Array, finished: FinishedVerified) {
    this.role = role;
    this.suite = suite;
    this.finished = finished;
    this.#resumptionMasterSecret = resumptionMasterSecret;
  }

  async handle(cx: HandshakeContext, msg: HandshakeMessage): Promise<ClientState12> {
    if (msg.type === H.NEW_SESSION_TICKET) await this.handleNewSessionTicket(cx, msg);
    else if (msg.type === H.KEY_UPDATE) await cx.handleKeyUpdate(msg);
    else if (msg.type === H.CERTIFICATE_REQUEST) await answerPostHandshakeRequest(cx, msg, this.suite, this.name);
    else unexpected(msg, this.name);
    return this;
  }

  private async handleNewSessionTicket(cx: HandshakeContext, msg: HandshakeMessage): Promise<void> {
    const nst = parseNewSessionTicket(msg.body);
    cx.countPostHandshake('ticket');
    // RFC 8446 §4.6.1: lifetime 0 means "do not use"; more than 7 days is illegal_parameter.
    if (nst.lifetime > 604800) throw new SslError('BAD_TICKET_LIFETIME', { detail: 'ticket lifetime over 7 days' });
    if (nst.lifetime === 0) return;
    const suite = this.suite;
    const psk = await resumptionPsk(cx.config.provider, suite.hash, this.#resumptionMasterSecret, nst.nonce);
    this.role.latestSession = new SslSession({
      maxEarlyData: parseTicketMaxEarlyData(nst.extensions), // RFC 8446 §4.2.10, kept for a later 0-RTT
      cipherSuite: suite.name,
      serverName: this.role.hostName,
      alpn: cx.alpnProtocol,
      ticket: nst.ticket.slice(),
      psk,
      ageAdd: nst.ageAdd,
      lifetime: nst.lifetime,
      receivedAt: cx.config.now(),
      peerCertificates: cx.peerCertificates.slice(),
      verifyResult: cx.verifyCode,
      verifiedHostname: cx.verifiedHostname,
    });
  }
}
