/**
 * TLS 1.2 server handshake (RFC 5246 §7.3, RFC 8422 ECDHE, RFC 7627, RFC 5746), one class per state, each named
 * after what it waits for and holding only what is valid in it:
 *
 *   (ClientHello, version chosen by server/hello.ts) --> send ServerHello, Certificate, ServerKeyExchange,
 *     [CertificateRequest], ServerHelloDone --> [ExpectCertificate12] --> ExpectClientKeyExchange12
 *     --> [ExpectCertificateVerify12] --> ExpectCcs12 --> ExpectFinished12 --> send CCS, Finished --> Connected12
 *
 * A full handshake with the extended master secret makes a session (server/session12.ts: a session ID, or a
 * NewSessionTicket sent before our CCS); server/resume12.ts resumes one with the abbreviated handshake.
 * Client certificates follow the TLS 1.3 rules (requested with verifyPeer, required unless requirePeerCert is
 * false, verified by common.ts). Renegotiation is refused: a ClientHello after the handshake gets a
 * no_renegotiation warning and is not processed (OpenSSL 3.0 with SSL_OP_NO_RENEGOTIATION).
 */
import type { KeyShare } from '../../crypto/provider.js';
import { SslError } from '../../errors/ssl-error.js';
import { concat } from '../../wire/bytes.js';
import { AlertDescription, GROUP_CODES, HandshakeType as H, ProtocolVersion } from '../../wire/enums.js';
import { type ClientHello, DOWNGRADE_TLS12, encodeServerHello, type HandshakeMessage, parseCertificateVerify } from '../../wire/handshake.js';
import {
  CertificateType,
  encodeCertificate12,
  encodeCertificateRequest12,
  encodeEcdheParams,
  encodeServerHelloDone,
  encodeServerKeyExchange12,
  parseCertificate12,
  parseClientKeyExchange12,
} from '../../wire/handshake12.js';
import { type ChainVerified, type FinishedVerified, type SignatureVerified, unexpected, verifyFinished12, verifyPeerChain, verifySignature12 } from '../common.js';
import type { HandshakeContext } from '../context.js';
import { schemeName12 } from '../signature.js';
import { type Hello12, MasterSecret12 } from '../tls12-keys.js';
import type { Negotiated12 } from './hello12.js';
import { serverHelloExtensions12, serverPlan12 } from './session12.js';
import type { IssuedTickets } from './tickets13.js';

/** What a TLS 1.2 server state is (structurally the TLS 1.3 server's state, plus ChangeCipherSpec). */
export interface ServerState12 {
  readonly name: string;
  handle(cx: HandshakeContext, msg: HandshakeMessage): Promise<ServerState12>;
  changeCipherSpec?(cx: HandshakeContext): Promise<ServerState12>;
}

/** How the client authenticated: its CertificateVerify, or nothing (not asked / allowed to send none). */
type ClientAuth12 = SignatureVerified | { readonly unauthenticated: 'not-requested' | 'no-certificate' };

/** The first flight: ServerHello, Certificate, ServerKeyExchange, [CertificateRequest], ServerHelloDone. */
export async function sendServerFlight12(cx: HandshakeContext, ch: ClientHello, msg: HandshakeMessage, neg: Negotiated12, issued: IssuedTickets): Promise<ServerState12> {
  const p = cx.config.provider;
  const serverRandom = p.randomBytes(32);
  // RFC 8446 §4.1.3: a server that speaks TLS 1.3 marks a TLS 1.2 ServerHello with DOWNGRD01.
  if (cx.config.versions.tls13) serverRandom.set(DOWNGRADE_TLS12, 24);
  cx.version = 'TLSv1.2';
  cx.suite = neg.suite;
  cx.group = neg.group;
  cx.alpnProtocol = neg.alpn;
  cx.serverName = neg.sni;
  cx.extendedMasterSecret = neg.ems;
  cx.transcript.hashName = neg.suite.hash;
  cx.transcript.add(msg.raw);
  const session = serverPlan12(cx, ch, neg, issued);
  const exts = serverHelloExtensions12(neg, false, session?.ticketExpected === true);
  const sessionId = session ? session.sessionId : new Uint8Array(0);
  cx.queueHandshake(encodeServerHello({ legacyVersion: ProtocolVersion.TLS12, random: serverRandom, sessionId, cipherSuite: neg.suite.id, compressionMethod: 0, extensions: exts }));
  cx.queueHandshake(encodeCertificate12(neg.credential.chain));
  const share = await p.generateKeyShare(neg.group);
  const params = encodeEcdheParams(GROUP_CODES[neg.group], share.publicKey);
  const key = await neg.credential.signingKey();
  const signature = await key.sign(schemeName12(neg.scheme) as NonNullable<ReturnType<typeof schemeName12>>, concat(ch.random, serverRandom, params));
  cx.queueHandshake(encodeServerKeyExchange12(params, neg.scheme, signature));
  const requestCert = cx.config.verifyPeer;
  if (requestCert) {
    cx.queueHandshake(
      encodeCertificateRequest12({ certificateTypes: new Uint8Array([CertificateType.RSA_SIGN, CertificateType.ECDSA_SIGN]), schemes: [...cx.config.signatureSchemes12], authorities: new Uint8Array(0) }),
    );
  }
  cx.queueHandshake(encodeServerHelloDone());
  await cx.flushHandshake();
  const hello: Hello12 = { suite: neg.suite, clientRandom: ch.random, serverRandom, ems: neg.ems, session };
  return requestCert ? new ExpectCertificate12(hello, share) : new ExpectClientKeyExchange12(hello, share, null);
}

class ExpectCertificate12 implements ServerState12 {
  readonly name = 'expect-certificate-12';
  private readonly hello: Hello12;
  readonly #share: KeyShare;
  constructor(hello: Hello12, share: KeyShare) {
    this.hello = hello;
    this.#share = share;
  }

  async handle(cx: HandshakeContext, msg: HandshakeMessage): Promise<ServerState12> {
    if (msg.type !== H.CERTIFICATE) return unexpected(msg, this.name);
    const certs = parseCertificate12(msg.body);
    cx.transcript.add(msg.raw);
    if (certs.length === 0) {
      // RFC 5246 §7.4.6: a server that requires a certificate answers handshake_failure.
      if (cx.config.requirePeerCert) throw new SslError('PEER_DID_NOT_RETURN_A_CERTIFICATE_TLS12');
      return new ExpectClientKeyExchange12(this.hello, this.#share, null);
    }
    const chain = await verifyPeerChain(cx, { context: new Uint8Array(0), entries: certs.map((certData) => ({ certData, extensions: [] })) }, null);
    return new ExpectClientKeyExchange12(this.hello, this.#share, chain);
  }
}

class ExpectClientKeyExchange12 implements ServerState12 {
  readonly name = 'expect-client-key-exchange-12';
  private readonly hello: Hello12;
  readonly #share: KeyShare;
  private readonly chain: ChainVerified | null;
  constructor(hello: Hello12, share: KeyShare, chain: ChainVerified | null) {
    this.hello = hello;
    this.#share = share;
    this.chain = chain;
  }

  async handle(cx: HandshakeContext, msg: HandshakeMessage): Promise<ServerState12> {
    if (msg.type !== H.CLIENT_KEY_EXCHANGE) return unexpected(msg, this.name);
    const point = parseClientKeyExchange12(msg.body);
    const preMaster = await this.#share.deriveSecret(point);
    if (!preMaster) throw new SslError('BAD_ECPOINT', { detail: `invalid ${this.#share.group} point in ClientKeyExchange` });
    cx.transcript.add(msg.raw);
    const secrets = await MasterSecret12.derive(cx, this.hello, preMaster);
    if (this.chain) return new ExpectCertificateVerify12(secrets, this.chain);
    return new ExpectCcs12(secrets, { unauthenticated: cx.config.verifyPeer ? 'no-certificate' : 'not-requested' });
  }
}

class ExpectCertificateVerify12 implements ServerState12 {
  readonly name = 'expect-certificate-verify-12';
  private readonly secrets: MasterSecret12;
  private readonly chain: ChainVerified;
  constructor(secrets: MasterSecret12, chain: ChainVerified) {
    this.secrets = secrets;
    this.chain = chain;
  }

  async handle(cx: HandshakeContext, msg: HandshakeMessage): Promise<ServerState12> {
    if (msg.type !== H.CERTIFICATE_VERIFY) return unexpected(msg, this.name);
    const cv = parseCertificateVerify(msg.body);
    // RFC 5246 §7.4.8: the signature covers every handshake message up to this one.
    const verified = await verifySignature12(cx, this.chain, cv.scheme, cx.transcript.bytes().slice(), cv.signature, 'client CertificateVerify');
    cx.transcript.add(msg.raw);
    return new ExpectCcs12(this.secrets, verified);
  }
}

class ExpectCcs12 implements ServerState12 {
  readonly name = 'expect-change-cipher-spec-12';
  private readonly secrets: MasterSecret12;
  private readonly auth: ClientAuth12;
  constructor(secrets: MasterSecret12, auth: ClientAuth12) {
    this.secrets = secrets;
    this.auth = auth;
  }

  async handle(_cx: HandshakeContext, msg: HandshakeMessage): Promise<ServerState12> {
    return unexpected(msg, this.name);
  }

  async changeCipherSpec(cx: HandshakeContext): Promise<ServerState12> {
    await cx.setKey12('read', this.secrets.keys('client'));
    return new ExpectFinished12(this.secrets, this.auth);
  }
}

class ExpectFinished12 implements ServerState12 {
  readonly name = 'expect-finished-12';
  private readonly secrets: MasterSecret12;
  readonly auth: ClientAuth12;
  constructor(secrets: MasterSecret12, auth: ClientAuth12) {
    this.secrets = secrets;
    this.auth = auth;
  }

  async handle(cx: HandshakeContext, msg: HandshakeMessage): Promise<ServerState12> {
    if (msg.type !== H.FINISHED) return unexpected(msg, this.name);
    const finished = await verifyFinished12(cx, this.secrets.master(), msg, 'client');
    cx.markPeerFinished();
    // The session is kept (and its NewSessionTicket queued) once the client's Finished is verified.
    await this.secrets.hello.session?.complete(cx, this.secrets.master());
    await this.secrets.sendCcsAndFinished(cx, 'server');
    cx.markHandshakeComplete();
    cx.transcript.release();
    return new Connected12(finished);
  }
}

/** The connection is up. A ClientHello (renegotiation) gets a no_renegotiation warning and nothing else. */
export class Connected12 implements ServerState12 {
  readonly name = 'connected-12';
  /** The client's Finished was verified: only then is the connection established. */
  readonly finished: FinishedVerified;
  constructor(finished: FinishedVerified) {
    this.finished = finished;
  }

  async handle(cx: HandshakeContext, msg: HandshakeMessage): Promise<ServerState12> {
    if (msg.type !== H.CLIENT_HELLO) return unexpected(msg, this.name);
    await cx.sendAlert(AlertDescription.NO_RENEGOTIATION, false);
    return this;
  }
}
