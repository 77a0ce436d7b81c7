/**
 * TLS 1.3 server handshake (RFC 8446 §2, §4), one class per state, each named after what it waits for and
 * holding only what is valid in it:
 *
 *   ExpectClientHello --(no usable key share)--> send HRR --> ExpectClientHello (second, name ...-2)
 *   ExpectClientHello --> send SH, EE, [CR], Certificate, CV, Finished
 *     --> [ExpectCertificate --> ExpectCertificateVerify] --> ExpectFinished --> Connected
 *
 * Client certificates are requested when `verifyPeer` is set, and required unless `requirePeerCert` is false.
 * The proof values of common.ts are required by the next state's constructor (see client/tls13.ts).
 */
import { isHybridGroup } from '../../crypto/hybrid.js';
import { respondToKeyShare } from '../../crypto/key-exchange.js';
import type { GroupName } from '../../crypto/provider.js';
import type { CipherSuite } from '../../crypto/suites.js';
import { SslError } from '../../errors/ssl-error.js';
import { equalBytes } from '../../wire/bytes.js';
import { emptyEarlyDataExtension } from '../../wire/early-data.js';
import { ContentType, GROUP_CODES, groupByCode, HandshakeType as H, ProtocolVersion, ExtensionType as X } from '../../wire/enums.js';
import { type Extension, encodeAlpn, encodeCookie, encodeKeyShareHrr, encodeKeyShareServer, encodePreSharedKeyServer, encodeU16List, findExtension, type KeyShareEntry, parseCookie, parseKeyShareClient, parseU16List } from '../../wire/extensions.js';
import { type ClientHello, encodeCertificateRequest, encodeEncryptedExtensions, encodeServerHello, type HandshakeMessage, HRR_RANDOM, parseClientHello } from '../../wire/handshake.js';
import {
  type ChainVerified,
  type FinishedVerified,
  HandshakeKeys,
  parsePeerCertificate,
  queueCertificate,
  queueCertificateVerify,
  queueFinished,
  type SignatureVerified,
  unexpected,
  verifyCertificateVerify,
  verifyFinished,
  verifyPeerChain,
} from '../common.js';
import type { Credential, EngineConfig } from '../config.js';
import type { Handshake, HandshakeContext, PostHandshakeAuthRefusal, RecordEvent, TicketRequests } from '../context.js';
import { answerRecordSizeLimit } from '../record-size.js';
import { serverNameFromExtension } from '../server-name.js';
import { ServerClientAuth } from './client-auth.js';
import { acceptEarlyData, ExpectEndOfEarlyData } from './early-data.js';
import { chooseVersion } from './hello.js';
import { negotiate12 } from './hello12.js';
import { type CertificateAuth, type Negotiated, negotiate, type SelectedPsk, selectPsk } from './hello13.js';
import { findExternalPsk, type SelectedExternalPsk, selectExternalPsk } from './psk-external.js';
import { answerClientHello12 } from './resume12.js';
import { type IssuedTickets, sendTickets } from './tickets13.js';
import { Connected12, type ServerState12 } from './tls12.js';

/** How the client authenticated, if it was asked to: its CertificateVerify, or nothing (not asked / allowed none). */
type ClientAuth = SignatureVerified | { readonly unauthenticated: 'not-requested' | 'no-certificate' };

type ServerState = ServerState12; // either version's (TLS 1.2 states also take the client's ChangeCipherSpec)

/** What a HelloRetryRequest asked for: the second ClientHello must answer it (RFC 8446 §4.1.2). */
interface RetryRequest {
  group: GroupName;
  cookie: Uint8Array;
  suite: CipherSuite;
}

/** The server role: the connection-long data (tickets issued and requested, the resumed id) and the current state. */
export class ServerHandshake implements Handshake {
  private state: ServerState = new ExpectClientHello(this, null);
  readonly tickets: TicketRequests = { pending: 0, armed: false };
  readonly latestSession = null;
  readonly earlyAllowance = 0;
  /** Tickets this connection issued (rule 19 withdraws them), and their nonce counter. */
  readonly issued: IssuedTickets = { nonce: 0, ids: [] };
  /** The cache id of the session this connection resumed (rule 19 withdraws it too). */
  resumedId: Uint8Array | null = null;
  /** Post-handshake client authentication (server/client-auth.ts). */
  readonly clientAuth = new ServerClientAuth();
  /** The credentials the application's selectContext chose for this handshake (null: the context's own). */
  selectedCredentials: readonly Credential[] | null = null;
  readonly #config: EngineConfig;

  constructor(cx: HandshakeContext) {
    this.#config = cx.config;
  }

  get stateName(): string {
    return this.state.name;
  }

  get holdsInit(): boolean {
    return (this.tickets.pending > 0 && this.tickets.armed) || this.clientAuth.pending;
  }

  requestClientAuth(): PostHandshakeAuthRefusal | null {
    return this.state instanceof Connected ? this.clientAuth.request(this.#config.verifyPeer) : 'EXTENSION_NOT_RECEIVED';
  }

  setServerName(): boolean {
    return false;
  }

  invalidateSessions(): void {
    const cache = this.#config.sessionCache;
    if (!cache) return;
    for (const id of this.issued.ids) cache.remove(id);
    if (this.resumedId) cache.remove(this.resumedId);
  }

  async start(): Promise<void> {}

  async handle(cx: HandshakeContext, msg: HandshakeMessage): Promise<RecordEvent> {
    const st = this.state;
    this.state = await st.handle(cx, msg);
    return st instanceof Connected || st instanceof Connected12 ? 'post-handshake' : 'handshake';
  }

  async changeCipherSpec(cx: HandshakeContext): Promise<void> {
    const st = this.state;
    if (!st.changeCipherSpec) throw new SslError('UNEXPECTED_CCS_MESSAGE', { detail: `change_cipher_spec in state ${st.name}` });
    this.state = await st.changeCipherSpec(cx);
  }

  /** Requested tickets, once armed (after the scheduled KeyUpdate the engine sent first). */
  async flushPostHandshake(cx: HandshakeContext): Promise<void> {
    if (this.state instanceof Connected) await this.clientAuth.flush(cx);
    const t = this.tickets;
    if (t.pending > 0 && t.armed && cx.handshakeComplete && this.state instanceof Connected) {
      t.armed = false;
      // OpenSSL answers an owed KeyUpdate first and leaves the tickets for the next write.
      if (cx.owedKeyUpdate && !cx.writeClosed) {
        await cx.flushKeyUpdate(true);
        return;
      }
      const n = t.pending;
      t.pending = 0;
      await this.state.sendTickets(cx, n);
    }
  }
}

class ExpectClientHello implements ServerState {
  readonly name: string;
  private readonly role: ServerHandshake;
  /** Null for the first ClientHello; what the HelloRetryRequest asked for, for the second. */
  private readonly retry: RetryRequest | null;
  constructor(role: ServerHandshake, retry: RetryRequest | null) {
    this.role = role;
    this.retry = retry;
    this.name = retry ? 'expect-client-hello-2' : 'expect-client-hello';
  }

  async handle(cx: HandshakeContext, msg: HandshakeMessage): Promise<ServerState> {
    if (msg.type !== H.CLIENT_HELLO) return unexpected(msg, this.name);
    const ch = parseClientHello(msg.body);
    cx.setClientRandom(ch.random);
    cx.markHelloSeen();
    const prefix = cx.transcript.bytes().slice();
    const select = cx.config.selectCredentials;
    if (select && !this.retry) {
      // The application's certificate choice (SSL_CTX_set_cert_cb, Node's SNICallback): once per handshake, for
      // the name of the first ClientHello (a second one after a HelloRetryRequest keeps the choice).
      const sni = findExtension(ch.extensions, X.SERVER_NAME);
      this.role.selectedCredentials = await select(sni ? serverNameFromExtension(sni) : null);
    }
    // The version first (server/hello.ts): TLS 1.2 goes on in server/tls12.ts; a second ClientHello stays TLS 1.3.
    if (chooseVersion(cx, ch) === 'TLSv1.2') {
      if (this.retry) throw new SslError('UNSUPPORTED_PROTOCOL', { detail: 'the second ClientHello does not offer TLS 1.3' });
      return answerClientHello12(cx, ch, msg, negotiate12(cx, ch, this.role.selectedCredentials), this.role.issued);
    }
    // An external PSK the application knows (pskFindSession) steers the suite to its hash.
    const external = findExternalPsk(cx, ch);
    const neg = negotiate(cx, ch, this.role.selectedCredentials, this.retry?.suite ?? null, external?.psk.suite.hash ?? null);
    const groupsExt = findExtension(ch.extensions, X.SUPPORTED_GROUPS);
    const ksExt = findExtension(ch.extensions, X.KEY_SHARE);
    if (!groupsExt) throw new SslError('MISSING_KEY_SHARE', { detail: 'no supported_groups extension' });
    if (!ksExt) throw new SslError('MISSING_KEY_SHARE');
    const clientGroups = parseU16List(groupsExt, 'supported_groups');
    const shares = parseKeyShareClient(ksExt);
    // RFC 8446 §4.2.8: each share must be for a group listed in supported_groups (a Set: both lists may be long).
    const listedGroups = new Set(clientGroups);
    for (const s of shares) if (!listedGroups.has(s.group)) throw new SslError('BAD_KEY_SHARE', { detail: 'key share for a group not in supported_groups' });

    // RFC 8446 §4.2.10: early data accepted (server/early-data.ts) is read under the early key; rejected, it is
    // skipped: after a HelloRetryRequest until the second ClientHello, else while it does not open under the
    // handshake key.
    const retry = this.retry;
    const offersEarlyData = !retry && findExtension(ch.extensions, X.EARLY_DATA) !== undefined;
    if (retry) {
      cx.setSkipEarlyData('none');
      // RFC 8446 §4.1.2: the second ClientHello answers the HRR: the cookie echoed, one share for the group.
      const cookie = findExtension(ch.extensions, X.COOKIE);
      if (!cookie || !equalBytes(parseCookie(cookie), retry.cookie)) {
        throw new SslError('BAD_EXTENSION', { detail: 'second ClientHello did not echo the cookie' });
      }
      const want = GROUP_CODES[retry.group];
      if (shares.length !== 1 || shares[0]?.group !== want) throw new SslError('BAD_KEY_SHARE', { detail: 'second ClientHello lacks the requested key share' });
      if (neg.suite.id !== retry.suite.id) throw new SslError('NO_SHARED_CIPHER', { detail: 'second ClientHello changed the cipher suites' });
      const psk = (await selectPsk(cx, ch, msg.raw, prefix, neg.suite)) ?? (await selectExternalPsk(cx, ch, msg.raw, prefix, neg.suite, external));
      cx.transcript.add(msg.raw);
      return sendServerFlight(cx, this.role, ch, neg, shares[0], psk, true);
    }

    const { share, retryGroup } = chooseKeyShare(cx.config.groups, clientGroups, shares);
    cx.suite = neg.suite;
    cx.transcript.hashName = neg.suite.hash;
    if (share) {
      const psk = (await selectPsk(cx, ch, msg.raw, prefix, neg.suite)) ?? (await selectExternalPsk(cx, ch, msg.raw, prefix, neg.suite, external));
      cx.transcript.add(msg.raw);
      const early = offersEarlyData ? await acceptEarlyData(cx, ch, psk, neg) : null;
      if (offersEarlyData && !early) cx.setSkipEarlyData('undecryptable');
      return sendServerFlight(cx, this.role, ch, neg, share, psk, false, early);
    }
    cx.transcript.add(msg.raw);
    // No usable share (or none for the hybrid group we prefer): ask with a HelloRetryRequest (RFC 8446 §4.1.4).
    const group = retryGroup ?? cx.config.groups.find((g) => clientGroups.includes(GROUP_CODES[g]));
    if (!group) throw new SslError('NO_SUITABLE_KEY_SHARE', { detail: 'no group in common' });
    cx.helloRetried = true;
    if (offersEarlyData) cx.setSkipEarlyData('before-second-hello');
    if (offersEarlyData) cx.early.status = 'rejected';
    const cookie = cx.config.provider.randomBytes(32);
    const next = new ExpectClientHello(this.role, { group, cookie, suite: neg.suite });
    await cx.transcript.replaceWithMessageHash();
    const hrr = encodeServerHello({
      legacyVersion: ProtocolVersion.TLS12,
      random: HRR_RANDOM,
      sessionId: ch.sessionId,
      cipherSuite: neg.suite.id,
      compressionMethod: 0,
      extensions: [
        { type: X.SUPPORTED_VERSIONS, data: new Uint8Array([0x03, 0x04]) },
        { type: X.KEY_SHARE, data: encodeKeyShareHrr(GROUP_CODES[group]) },
        { type: X.COOKIE, data: encodeCookie(cookie) },
      ],
    });
    cx.queueHandshake(hrr);
    await cx.flushHandshake();
    if (ch.sessionId.length) queueCompatCcs(cx);
    return next;
  }
}

/**
 * The client's share to answer, or the group to ask for in a HelloRetryRequest. As before ML-KEM, the first
 * client share (the client's order) in a group we support; but when the most preferred of our groups that the client
 * lists (with or without a share) is a hybrid post-quantum one, that group, through a HelloRetryRequest if the
 * client sent no share for it: post-quantum protection is worth a round trip (OpenSSL 3.5's default server groups
 * put X25519MLKEM768 in a first tuple preferred the same way). A server listing the hybrid group after x25519
 * takes it only from a client that leads with it.
 */
function chooseKeyShare(ours: readonly GroupName[], clientGroups: readonly number[], shares: readonly KeyShareEntry[]): { share?: KeyShareEntry; retryGroup?: GroupName } {
  const best = ours.find((g) => clientGroups.includes(GROUP_CODES[g]) && (isHybridGroup(g) || shares.some((s) => s.group === GROUP_CODES[g])));
  if (best !== undefined && isHybridGroup(best)) {
    const share = shares.find((s) => s.group === GROUP_CODES[best]);
    return share ? { share } : { retryGroup: best };
  }
  const share = shares.find((s) => ours.some((g) => GROUP_CODES[g] === s.group));
  return share ? { share } : {};
}

/** RFC 8446 §D.4: in middlebox compatibility mode a dummy CCS follows the server's first handshake message. */
function queueCompatCcs(cx: HandshakeContext): void {
  cx.pushPlain(ContentType.CHANGE_CIPHER_SPEC, new Uint8Array([1]));
}

/** ServerHello, EncryptedExtensions, [CertificateRequest, Certificate, CertificateVerify], Finished (RFC 8446 §2). */
async function sendServerFlight(cx: HandshakeContext, role: ServerHandshake, ch: ClientHello, neg: Negotiated, share: KeyShareEntry, psk: SelectedPsk | SelectedExternalPsk | null, retried: boolean, early: Uint8Array | null = null): Promise<ServerState> {
  // Without a PSK the certificate authenticates: its refusal (none configured, no common scheme) is final now.
  let cert: CertificateAuth | null = null;
  if (!psk) {
    if (neg.auth instanceof SslError) throw neg.auth;
    cert = neg.auth;
  }
  const p = cx.config.provider;
  const group = groupByCode(share.group) as GroupName;
  cx.group = group;
  // A KEM group encapsulates to the client's key; an ECDH group answers with a fresh key pair (key-exchange.ts).
  const answer = await respondToKeyShare(p, group, share.keyExchange);
  if (!answer) throw new SslError('BAD_KEY_SHARE', { detail: `invalid client ${group} key share` });
  const shared = answer.secret;
  cx.version = 'TLSv1.3';
  cx.suite = neg.suite;
  cx.transcript.hashName = neg.suite.hash;
  cx.alpnProtocol = neg.alpn;
  cx.serverName = neg.sni;
  role.clientAuth.noteClientHello(ch);
  const sh = encodeServerHello({
    legacyVersion: ProtocolVersion.TLS12,
    random: p.randomBytes(32),
    sessionId: ch.sessionId,
    cipherSuite: neg.suite.id,
    compressionMethod: 0,
    extensions: [
      { type: X.KEY_SHARE, data: encodeKeyShareServer({ group: share.group, keyExchange: answer.publicKey }) },
      { type: X.SUPPORTED_VERSIONS, data: new Uint8Array([0x03, 0x04]) },
      ...(psk ? [{ type: X.PRE_SHARED_KEY, data: encodePreSharedKeyServer(psk.index) }] : []),
    ],
  });
  if (psk) cx.sessionReused = true;
  if (psk && 'external' in psk) cx.pskIdentity = psk.external.identity.slice();
  else if (psk) {
    role.resumedId = psk.id;
    cx.peerCertificates = psk.entry.peerCertificates.slice();
    cx.verifyCode = psk.entry.verifyResult;
  }
  cx.queueHandshake(sh);
  await cx.flushHandshake();
  if (ch.sessionId.length && !retried) queueCompatCcs(cx);
  const keys = await HandshakeKeys.derive(cx, neg.suite, psk ? ('external' in psk ? psk.external.key() : psk.entry.psk) : null, shared);
  await cx.setWriteKey(keys.server());
  // Accepted early data is read under the early key until EndOfEarlyData.
  await cx.setReadKey(early ?? keys.client());

  const ee: Extension[] = [];
  if (neg.sni !== null) ee.push({ type: X.SERVER_NAME, data: new Uint8Array(0) });
  if (neg.alpn !== null) ee.push({ type: X.ALPN, data: encodeAlpn([neg.alpn]) });
  const rsl = answerRecordSizeLimit(cx, ch.extensions, 'TLSv1.3');
  if (rsl) ee.push(rsl);
  if (early) ee.push(emptyEarlyDataExtension());
  cx.queueHandshake(encodeEncryptedExtensions(ee));
  // A resumed handshake authenticates with the PSK: no CertificateRequest, Certificate, CertificateVerify.
  // With postHandshakeAuth (SSL_VERIFY_POST_HANDSHAKE) the client is asked after the handshake only.
  const requestCert = cx.config.verifyPeer && !psk && !cx.config.postHandshakeAuth;
  if (cert) {
    if (requestCert) {
      cx.queueHandshake(encodeCertificateRequest({ context: new Uint8Array(0), extensions: [{ type: X.SIGNATURE_ALGORITHMS, data: encodeU16List(cx.config.signatureSchemes) }] }));
    }
    queueCertificate(cx, new Uint8Array(0), cert.credential.chain);
    await queueCertificateVerify(cx, cert.credential, cert.scheme, true);
  }
  await queueFinished(cx, neg.suite, keys.server());
  await cx.flushHandshake();
  const app = await keys.application(cx);
  await cx.setWriteKey(app.server);
  const next = requestCert ? new ExpectCertificate(role, keys, app.client) : new ExpectFinished(role, keys, app.client, { unauthenticated: 'not-requested' });
  return early ? new ExpectEndOfEarlyData(keys.client(), next) : next;
}

class ExpectCertificate implements ServerState {
  readonly name = 'expect-certificate';
  readonly #appClientSecret: Uint8Array;
  private readonly role: ServerHandshake;
  private readonly keys: HandshakeKeys;
  constructor(role: ServerHandshake, keys: HandshakeKeys, appClientSecret: Uint8Array) {
    this.role = role;
    this.keys = keys;
    this.#appClientSecret = appClientSecret;
  }

  async handle(cx: HandshakeContext, msg: HandshakeMessage): Promise<ServerState> {
    if (msg.type !== H.CERTIFICATE) return unexpected(msg, this.name);
    const cert = parsePeerCertificate(msg, 'certificate_request_context mismatch');
    cx.transcript.add(msg.raw);
    if (cert.entries.length === 0) {
      // verifyPeer on a server requires a certificate unless requireClientCert is false (RFC 8446 §4.4.2.4).
      if (cx.config.requirePeerCert) throw new SslError('PEER_DID_NOT_RETURN_A_CERTIFICATE');
      return new ExpectFinished(this.role, this.keys, this.#appClientSecret, { unauthenticated: 'no-certificate' });
    }
    const chain = await verifyPeerChain(cx, cert, null);
    return new ExpectCertificateVerify(this.role, this.keys, this.#appClientSecret, chain);
  }
}

class ExpectCertificateVerify implements ServerState {
  readonly name = 'expect-certificate-verify';
  readonly #appClientSecret: Uint8Array;
  private readonly role: ServerHandshake;
  private readonly keys: HandshakeKeys;
  private readonly chain: ChainVerified;
  constructor(role: ServerHandshake, keys: HandshakeKeys, appClientSecret: Uint8Array, chain: ChainVerified) {
    this.role = role;
    this.keys = keys;
    this.chain = chain;
    this.#appClientSecret = appClientSecret;
  }

  async handle(cx: HandshakeContext, msg: HandshakeMessage): Promise<ServerState> {
    if (msg.type !== H.CERTIFICATE_VERIFY) return unexpected(msg, this.name);
    const verified = await verifyCertificateVerify(cx, this.chain, msg, false);
    return new ExpectFinished(this.role, this.keys, this.#appClientSecret, verified);
  }
}

class ExpectFinished implements ServerState {
  readonly name = 'expect-finished';
  readonly #appClientSecret: Uint8Array;
  private readonly role: ServerHandshake;
  private readonly keys: HandshakeKeys;
  readonly auth: ClientAuth;
  constructor(role: ServerHandshake, keys: HandshakeKeys, appClientSecret: Uint8Array, auth: ClientAuth) {
    this.role = role;
    this.keys = keys;
    this.auth = auth;
    this.#appClientSecret = appClientSecret;
  }

  async handle(cx: HandshakeContext, msg: HandshakeMessage): Promise<ServerState> {
    if (msg.type !== H.FINISHED) return unexpected(msg, this.name);
    const { suite, schedule } = this.keys;
    const finished = await verifyFinished(cx, suite, this.keys.client(), msg, 'client');
    await cx.setReadKey(this.#appClientSecret);
    cx.markPeerFinished();
    const resumptionMaster = await schedule.resumptionMaster(await cx.transcript.hash());
    cx.markHandshakeComplete();
    // Nothing needs the transcript any more (but post-handshake authentication); the handshake secrets go with this state.
    cx.transcript.release(this.role.clientAuth.offered);
    const connected = new Connected(this.role, suite, resumptionMaster, finished);
    // After a resumption one replacement ticket at most, as OpenSSL sends (statem_srvr.c, TLS_ST_SW_SESSION_TICKET);
    // after a full handshake the configured number; none after an external PSK (unlike OpenSSL: a resumption would
    // lose which key authenticated the peer, and the external PSK is as cheap to use again).
    const tickets = cx.pskIdentity ? 0 : cx.sessionReused ? Math.min(1, cx.config.numTickets) : cx.config.numTickets;
    await connected.sendTickets(cx, tickets);
    return connected;
  }
}

class Connected implements ServerState {
  readonly name = 'connected';
  readonly #resumptionMasterSecret: Uint8Array;
  private readonly role: ServerHandshake;
  private readonly suite: CipherSuite;
  /** The client's Finished was verified: only then is the connection established. */
  readonly finished: FinishedVerified;
  constructor(role: ServerHandshake, suite: CipherSuite, resumptionMasterSecret: Uint8Array, finished: FinishedVerified) {
    this.role = role;
    this.suite = suite;
    this.finished = finished;
    this.#resumptionMasterSecret = resumptionMasterSecret;
  }

  async handle(cx: HandshakeContext, msg: HandshakeMessage): Promise<ServerState> {
    const auth = this.role.clientAuth;
    if (msg.type === H.KEY_UPDATE && !auth.midExchange) await cx.handleKeyUpdate(msg);
    else if ((await auth.handle(cx, msg, this.suite, this.name)) && !cx.writeClosed) await this.sendTickets(cx, cx.config.numTickets);
    return this;
  }

  /** Issue n NewSessionTickets (RFC 8446 §4.6.1) for this connection's resumption master secret. */
  sendTickets(cx: HandshakeContext, n: number): Promise<void> {
    return sendTickets(cx, this.role.issued, this.suite, this.#resumptionMasterSecret, n);
  }
}
