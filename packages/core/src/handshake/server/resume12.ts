/**
 * The server's answer to a ClientHello that chose TLS 1.2: a full handshake (server/tls12.ts) or, for a session
 * it has (server/session12.ts), the abbreviated one (RFC 5246 §7.3, RFC 5077 §3.1):
 *
 *   send ServerHello (the client's session ID echoed), CCS, Finished --> ExpectCcsResumed12
 *     --> ExpectFinishedResumed12 --> Connected12
 *
 * The keys come from the session's master secret and the new randoms; the session's suite is used. The resumed
 * connection reports the session's client certificates and verify result, and rule 19 withdraws the session
 * when this connection ends badly.
 */

import { HandshakeType as H, ProtocolVersion } from '../../wire/enums.js';
import { type ClientHello, DOWNGRADE_TLS12, encodeServerHello, type HandshakeMessage } from '../../wire/handshake.js';
import { unexpected, verifyFinished12 } from '../common.js';
import type { HandshakeContext } from '../context.js';
import { MasterSecret12 } from '../tls12-keys.js';
import type { Negotiated12 } from './hello12.js';
import { lookupExternalSession12 } from './session-external.js';
import { findSession12, queueTicket12, type Resumable12, serverHelloExtensions12 } from './session12.js';
import type { IssuedTickets } from './tickets13.js';
import { Connected12, type ServerState12, sendServerFlight12 } from './tls12.js';

export async function answerClientHello12(cx: HandshakeContext, ch: ClientHello, msg: HandshakeMessage, neg: Negotiated12, issued: IssuedTickets): Promise<ServerState12> {
  // The context's cache first, then the application's (SSL_CTX_sess_set_get_cb) for a session ID it lacks.
  const found = (await findSession12(cx, ch, neg)) ?? (await lookupExternalSession12(cx, ch, neg));
  return found ? resume(cx, ch, msg, neg, found, issued) : sendServerFlight12(cx, ch, msg, neg, issued);
}

async function resume(cx: HandshakeContext, ch: ClientHello, msg: HandshakeMessage, neg: Negotiated12, found: Resumable12, issued: IssuedTickets): Promise<ServerState12> {
  const { entry, suite } = found;
  const serverRandom = cx.config.provider.randomBytes(32);
  // RFC 8446 §4.1.3: a server that speaks TLS 1.3 marks a TLS 1.2 ServerHello with DOWNGRD01.
  if (cx.config.versions.tls13) serverRandom.set(DOWNGRADE_TLS12, 24);
  cx.version = 'TLSv1.2';
  cx.suite = suite;
  cx.alpnProtocol = neg.alpn;
  cx.serverName = neg.sni;
  cx.extendedMasterSecret = true;
  cx.sessionReused = true;
  cx.peerCertificates = entry.peerCertificates.slice();
  cx.verifyCode = entry.verifyResult;
  // Rule 19: this connection ending badly withdraws the session it resumed (a cache entry; not a stateless ticket).
  if (found.id) issued.ids.push(found.id);
  cx.transcript.hashName = suite.hash;
  cx.transcript.add(msg.raw);
  // RFC 5077 §3.4: a ticket accepted, the ServerHello echoes the client's session ID. A ticket opened by a key
  // being retired is renewed (§3.3: announced in ServerHello, sent before our ChangeCipherSpec), as OpenSSL's
  // SSL_TICKET_SUCCESS_RENEW; its session keeps the original creation time and lifetime.
  const exts = serverHelloExtensions12(neg, true, found.renew);
  cx.queueHandshake(encodeServerHello({ legacyVersion: ProtocolVersion.TLS12, random: serverRandom, sessionId: ch.sessionId, cipherSuite: suite.id, compressionMethod: 0, extensions: exts }));
  if (found.renew) await queueTicket12(cx, entry, issued);
  const secrets = await MasterSecret12.resume(cx, { suite, clientRandom: ch.random, serverRandom, ems: true }, entry.psk);
  await secrets.sendCcsAndFinished(cx, 'server');
  return new ExpectCcsResumed12(secrets);
}

class ExpectCcsResumed12 implements ServerState12 {
  readonly name = 'expect-change-cipher-spec-resumed-12';
  private readonly secrets: MasterSecret12;
  constructor(secrets: MasterSecret12) {
    this.secrets = secrets;
  }

  async handle(_cx: HandshakeContext, msg: HandshakeMessage): Promise<ServerState12> {
    return unexpected(msg, this.name);
  }

  async changeCipherSpec(cx: HandshakeContext): Promise<ServerState12> {
    await cx.setKey12('read', this.secrets.keys('client'));
    return new ExpectFinishedResumed12(this.secrets);
  }
}

class ExpectFinishedResumed12 implements ServerState12 {
  readonly name = 'expect-finished-resumed-12';
  private readonly secrets: MasterSecret12;
  constructor(secrets: MasterSecret12) {
    this.secrets = secrets;
  }

  async handle(cx: HandshakeContext, msg: HandshakeMessage): Promise<ServerState12> {
    if (msg.type !== H.FINISHED) return unexpected(msg, this.name);
    const finished = await verifyFinished12(cx, this.secrets.master(), msg, 'client');
    cx.markPeerFinished();
    cx.markHandshakeComplete();
    cx.transcript.release();
    return new Connected12(finished);
  }
}
