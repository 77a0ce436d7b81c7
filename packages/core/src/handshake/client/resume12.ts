/**
 * The client's abbreviated TLS 1.2 handshake (RFC 5246 §7.3, RFC 5077 §3.1), once ServerHello echoed the session
 * ID we sent for our session:
 *
 *   (ServerHello, client/hello12.ts) --> ExpectCcsResumed12 [NewSessionTicket, when announced]
 *     --> ExpectFinishedResumed12 --> send CCS, Finished --> Connected12
 *
 * The keys come from the session's master secret and the new randoms. The server must resume with the session's
 * suite (else illegal_parameter) and with the extended master secret the session was made with (RFC 7627 §5.3,
 * else handshake_failure). The resumed connection reports the session's server certificates, verify result and
 * checked host name: resumption never verifies more than the full handshake did.
 */
import { SslError } from '../../errors/ssl-error.js';
import { type SslSession, sessionPsk } from '../../session/session.js';
import { HandshakeType as H, ExtensionType as X } from '../../wire/enums.js';
import { findExtension } from '../../wire/extensions.js';
import type { HandshakeMessage, ServerHello } from '../../wire/handshake.js';
import { unexpected, verifyFinished12 } from '../common.js';
import type { HandshakeContext } from '../context.js';
import { type Hello12, MasterSecret12 } from '../tls12-keys.js';
import { type ClientSessions, checkTicketArrived12, clientPlan12, takeTicket12 } from './session12.js';
import { type ClientState12, Connected12, Negotiating12 } from './tls12.js';

export async function resumeSession12(cx: HandshakeContext, sh: ServerHello, hello: Hello12, session: SslSession, role: ClientSessions): Promise<ClientState12> {
  if (hello.suite.name !== session.cipherSuite) {
    throw new SslError('OLD_SESSION_CIPHER_NOT_RETURNED', { detail: `the server resumed a ${session.cipherSuite} session with ${hello.suite.name}` });
  }
  if (hello.ems !== session.extendedMasterSecret) {
    throw new SslError('INCONSISTENT_EXTMS', {
      detail: 'the server resumed a session made with the extended master secret without negotiating it (RFC 7627 §5.3)',
    });
  }
  cx.sessionReused = true;
  role.resumed = true;
  role.latestSession = session;
  cx.peerCertificates = session.peerCertificates.slice();
  // A resumed connection reports how the session's server was verified, never more.
  cx.verifyCode = session.verifyResult;
  cx.verifiedHostname = session.verifiedHostname;
  // RFC 5077 §3.3: a server may renew the ticket (announced in ServerHello, sent before its ChangeCipherSpec).
  const renew = findExtension(sh.extensions, X.SESSION_TICKET) !== undefined;
  const plan = renew ? clientPlan12(role, session.sessionId, true, true) : null;
  return new ExpectCcsResumed12(await MasterSecret12.resume(cx, { ...hello, session: plan }, sessionPsk(session)));
}

class ExpectCcsResumed12 extends Negotiating12 {
  readonly name = 'expect-change-cipher-spec-resumed-12';
  private readonly secrets: MasterSecret12;
  constructor(secrets: MasterSecret12) {
    super();
    this.secrets = secrets;
  }

  protected async receive(cx: HandshakeContext, msg: HandshakeMessage): Promise<ClientState12> {
    if (takeTicket12(cx, msg, this.secrets.hello.session)) return this;
    return unexpected(msg, this.name);
  }

  async changeCipherSpec(cx: HandshakeContext): Promise<ClientState12> {
    checkTicketArrived12(this.secrets.hello.session);
    await cx.setKey12('read', this.secrets.keys('server'));
    return new ExpectFinishedResumed12(this.secrets);
  }
}

class ExpectFinishedResumed12 extends Negotiating12 {
  readonly name = 'expect-finished-resumed-12';
  private readonly secrets: MasterSecret12;
  constructor(secrets: MasterSecret12) {
    super();
    this.secrets = secrets;
  }

  protected async receive(cx: HandshakeContext, msg: HandshakeMessage): Promise<ClientState12> {
    if (msg.type !== H.FINISHED) return unexpected(msg, this.name);
    const finished = await verifyFinished12(cx, this.secrets.master(), msg, 'server');
    cx.markPeerFinished();
    await this.secrets.hello.session?.complete(cx, this.secrets.master());
    await this.secrets.sendCcsAndFinished(cx, 'client');
    cx.markHandshakeComplete();
    cx.transcript.release();
    return new Connected12(finished);
  }
}
