/**
 * TLS 1.2 client handshake (RFC 5246 §7.3, RFC 8422 ECDHE, RFC 7627, RFC 5746), one class per state, each named
 * after what it waits for and holding only what is valid in it:
 *
 *   (ServerHello, client/hello12.ts) --> ExpectCertificate12 --> ExpectServerKeyExchange12
 *     --> ExpectCertificateRequestOrDone12 --> [ExpectServerHelloDone12] --> send [Certificate], ClientKeyExchange,
 *     [CertificateVerify], CCS, Finished --> ExpectCcs12 [NewSessionTicket, when announced] --> ExpectFinished12
 *     --> Connected12
 *
 * A resumption (our session's ID echoed in ServerHello) goes to client/resume12.ts instead; the session a full
 * handshake leaves is kept by client/session12.ts once the server's Finished is verified.
 * The server authenticates with the ServerKeyExchange signature: the state after it takes the SignatureVerified
 * proof, and the one after the Finished the FinishedVerified proof (common.ts), as in TLS 1.3. Renegotiation is
 * refused: Connected12 ignores HelloRequest (RFC 5246 §7.4.1.1 allows it; OpenSSL's s_server turns a
 * no_renegotiation warning into a fatal alert, so ignoring is what keeps the connection).
 */
import { isHybridGroup } from '../../crypto/hybrid.js';
import type { GroupName } from '../../crypto/provider.js';
import { SslError } from '../../errors/ssl-error.js';
import { concat } from '../../wire/bytes.js';
import { groupByCode, HandshakeType as H } from '../../wire/enums.js';
import { encodeCertificateVerify, type HandshakeMessage } from '../../wire/handshake.js';
import {
  type CertificateRequest12,
  CertificateType,
  encodeCertificate12,
  encodeClientKeyExchange12,
  parseCertificate12,
  parseCertificateRequest12,
  parseEmpty,
  parseServerKeyExchange12,
} from '../../wire/handshake12.js';
import { type ChainVerified, type FinishedVerified, type SignatureVerified, unexpected, verifyFinished12, verifyPeerChain, verifySignature12 } from '../common.js';
import type { Credential } from '../config.js';
import type { HandshakeContext } from '../context.js';
import { schemeName12, tls12SchemesForKey } from '../signature.js';
import { authFits, type Hello12, MasterSecret12 } from '../tls12-keys.js';
import { checkTicketArrived12, takeTicket12 } from './session12.js';

/** What a TLS 1.2 client state is (structurally the TLS 1.3 client's state, plus ChangeCipherSpec). */
export interface ClientState12 {
  readonly name: string;
  handle(cx: HandshakeContext, msg: HandshakeMessage): Promise<ClientState12>;
  changeCipherSpec?(cx: HandshakeContext): Promise<ClientState12>;
}

/**
 * True for a HelloRequest a negotiating client ignores, keeping it out of the transcript (RFC 5246 §7.4.1.1; OpenSSL
 * skips it in every client state but the established one, ServerHello's included); one with a body is a decode_error.
 */
export function isHelloRequest12(msg: HandshakeMessage): boolean {
  if (msg.type !== H.HELLO_REQUEST) return false;
  parseEmpty(msg.body, 'HelloRequest');
  return true;
}

/**
 * A state of the TLS 1.2 handshake (before Connected12): a HelloRequest is ignored and kept out of the transcript
 * (RFC 5246 §7.4.1.1: "ignored by the client if the client is currently negotiating a session"; OpenSSL skips it).
 */
export abstract class Negotiating12 implements ClientState12 {
  abstract readonly name: string;
  async handle(cx: HandshakeContext, msg: HandshakeMessage): Promise<ClientState12> {
    return isHelloRequest12(msg) ? this : this.receive(cx, msg);
  }
  protected abstract receive(cx: HandshakeContext, msg: HandshakeMessage): Promise<ClientState12>;
}

export class ExpectCertificate12 extends Negotiating12 {
  readonly name = 'expect-certificate-12';
  private readonly hello: Hello12;
  private readonly hostName: string | null;
  constructor(hello: Hello12, hostName: string | null) {
    super();
    this.hello = hello;
    this.hostName = hostName;
  }

  protected async receive(cx: HandshakeContext, msg: HandshakeMessage): Promise<ClientState12> {
    if (msg.type !== H.CERTIFICATE) return unexpected(msg, this.name);
    const certs = parseCertificate12(msg.body);
    if (certs.length === 0) throw new SslError('NO_CERTIFICATES_RETURNED');
    const chain = await verifyPeerChain(cx, { context: new Uint8Array(0), entries: certs.map((certData) => ({ certData, extensions: [] })) }, this.hostName);
    if (!authFits(this.hello.suite.auth, chain.key.keyType)) {
      throw new SslError('WRONG_CERTIFICATE_TYPE', { detail: `a ${chain.key.keyType} certificate for ${this.hello.suite.name}` });
    }
    cx.transcript.add(msg.raw);
    return new ExpectServerKeyExchange12(this.hello, chain);
  }
}

/** The server's ECDHE parameters, once their signature checked out. */
interface ServerShare {
  readonly group: GroupName;
  readonly publicKey: Uint8Array;
  readonly signed: SignatureVerified;
}

class ExpectServerKeyExchange12 extends Negotiating12 {
  readonly name = 'expect-server-key-exchange-12';
  private readonly hello: Hello12;
  private readonly chain: ChainVerified;
  constructor(hello: Hello12, chain: ChainVerified) {
    super();
    this.hello = hello;
    this.chain = chain;
  }

  protected async receive(cx: HandshakeContext, msg: HandshakeMessage): Promise<ClientState12> {
    if (msg.type !== H.SERVER_KEY_EXCHANGE) return unexpected(msg, this.name);
    const ske = parseServerKeyExchange12(msg.body);
    // RFC 8422 §5.4: a group the client offered in supported_groups (and an ECDHE one: a hybrid ML-KEM group is
    // TLS 1.3 only, though a client offering both versions lists it).
    const group = groupByCode(ske.group);
    if (!group || isHybridGroup(group) || !cx.config.groups.includes(group)) throw new SslError('WRONG_CURVE', { detail: `ServerKeyExchange group 0x${ske.group.toString(16)} was not offered` });
    const signed = await verifySignature12(cx, this.chain, ske.scheme, concat(this.hello.clientRandom, this.hello.serverRandom, ske.params), ske.signature, 'ServerKeyExchange');
    cx.transcript.add(msg.raw);
    cx.group = group;
    return new ExpectCertificateRequestOrDone12(this.hello, { group, publicKey: ske.publicKey, signed });
  }
}

class ExpectCertificateRequestOrDone12 extends Negotiating12 {
  readonly name = 'expect-certificate-request-or-done-12';
  private readonly hello: Hello12;
  private readonly share: ServerShare;
  constructor(hello: Hello12, share: ServerShare) {
    super();
    this.hello = hello;
    this.share = share;
  }

  protected async receive(cx: HandshakeContext, msg: HandshakeMessage): Promise<ClientState12> {
    if (msg.type === H.CERTIFICATE_REQUEST) {
      const cr = parseCertificateRequest12(msg.body);
      cx.transcript.add(msg.raw);
      return new ExpectServerHelloDone12(this.hello, this.share, cr);
    }
    if (msg.type !== H.SERVER_HELLO_DONE) return unexpected(msg, this.name);
    return serverHelloDone(cx, msg, this.hello, this.share, null);
  }
}

class ExpectServerHelloDone12 extends Negotiating12 {
  readonly name = 'expect-server-hello-done-12';
  private readonly hello: Hello12;
  private readonly share: ServerShare;
  private readonly certRequest: CertificateRequest12;
  constructor(hello: Hello12, share: ServerShare, certRequest: CertificateRequest12) {
    super();
    this.hello = hello;
    this.share = share;
    this.certRequest = certRequest;
  }

  protected async receive(cx: HandshakeContext, msg: HandshakeMessage): Promise<ClientState12> {
    if (msg.type !== H.SERVER_HELLO_DONE) return unexpected(msg, this.name);
    return serverHelloDone(cx, msg, this.hello, this.share, this.certRequest);
  }
}

/**
 * ServerHelloDone: our second flight. [Certificate], ClientKeyExchange (our ephemeral point), the master secret,
 * [CertificateVerify over the handshake messages], then ChangeCipherSpec and Finished under the new write key.
 */
async function serverHelloDone(cx: HandshakeContext, msg: HandshakeMessage, hello: Hello12, share: ServerShare, cr: CertificateRequest12 | null): Promise<ClientState12> {
  parseEmpty(msg.body, 'ServerHelloDone');
  cx.transcript.add(msg.raw);
  const mine = await cx.config.provider.generateKeyShare(share.group);
  const preMaster = await mine.deriveSecret(share.publicKey);
  if (!preMaster) throw new SslError('BAD_ECPOINT', { detail: `invalid ${share.group} point in ServerKeyExchange` });
  const cred = cr ? clientCredential(cx, cr) : null;
  if (cr) cx.queueHandshake(encodeCertificate12(cred ? cred.chain : []));
  cx.queueHandshake(encodeClientKeyExchange12(mine.publicKey));
  const secrets = await MasterSecret12.derive(cx, hello, preMaster);
  if (cred) {
    const key = await cred.signingKey();
    const signature = await key.sign(schemeName12(cred.scheme) as NonNullable<ReturnType<typeof schemeName12>>, cx.transcript.bytes());
    cx.queueHandshake(encodeCertificateVerify({ scheme: cred.scheme, signature }));
  }
  await secrets.sendCcsAndFinished(cx, 'client');
  return new ExpectCcs12(secrets, share.signed);
}

/**
 * Our certificate for a CertificateRequest (RFC 5246 §7.4.4, §7.4.6): the configured one when its type is asked
 * for and a scheme fits both lists, else none (an empty Certificate).
 */
function clientCredential(cx: HandshakeContext, cr: CertificateRequest12): (Credential & { scheme: number }) | null {
  const cred = cx.config.credentials[0];
  if (!cred) return null;
  const type = cred.keyType === 'rsa' ? CertificateType.RSA_SIGN : CertificateType.ECDSA_SIGN;
  if (!cr.certificateTypes.includes(type)) return null;
  const scheme = tls12SchemesForKey(cred.keyType, cred.keyBits).find((s) => cx.config.signatureSchemes12.includes(s) && cr.schemes.includes(s));
  return scheme === undefined ? null : { ...cred, scheme };
}

/** Waiting for the server's ChangeCipherSpec, which installs the server's write key as our read key. */
class ExpectCcs12 extends Negotiating12 {
  readonly name = 'expect-change-cipher-spec-12';
  private readonly secrets: MasterSecret12;
  private readonly signed: SignatureVerified;
  constructor(secrets: MasterSecret12, signed: SignatureVerified) {
    super();
    this.secrets = secrets;
    this.signed = signed;
  }

  protected async receive(cx: HandshakeContext, msg: HandshakeMessage): Promise<ClientState12> {
    if (takeTicket12(cx, msg, this.secrets.hello.session)) return this;
    return unexpected(msg, this.name);
  }

  async changeCipherSpec(cx: HandshakeContext): Promise<ClientState12> {
    checkTicketArrived12(this.secrets.hello.session);
    await cx.setKey12('read', this.secrets.keys('server'));
    return new ExpectFinished12(this.secrets, this.signed);
  }
}

class ExpectFinished12 extends Negotiating12 {
  readonly name = 'expect-finished-12';
  private readonly secrets: MasterSecret12;
  /** The server proved its key in ServerKeyExchange. */
  readonly auth: SignatureVerified;
  constructor(secrets: MasterSecret12, auth: SignatureVerified) {
    super();
    this.secrets = secrets;
    this.auth = auth;
  }

  protected async receive(cx: HandshakeContext, msg: HandshakeMessage): Promise<ClientState12> {
    if (msg.type !== H.FINISHED) return unexpected(msg, this.name);
    const finished = await verifyFinished12(cx, this.secrets.master(), msg, 'server');
    cx.markPeerFinished();
    await this.secrets.hello.session?.complete(cx, this.secrets.master());
    cx.markHandshakeComplete();
    cx.transcript.release();
    return new Connected12(finished);
  }
}

/** The connection is up: HelloRequest is ignored (no renegotiation); any other handshake message is unexpected. */
export class Connected12 implements ClientState12 {
  readonly name = 'connected-12';
  /** The peer's Finished was verified: only then is the connection established. */
  readonly finished: FinishedVerified;
  constructor(finished: FinishedVerified) {
    this.finished = finished;
  }

  async handle(_cx: HandshakeContext, msg: HandshakeMessage): Promise<ClientState12> {
    if (msg.type !== H.HELLO_REQUEST) return unexpected(msg, this.name);
    parseEmpty(msg.body, 'HelloRequest');
    return this;
  }
}
