/**
 * TLS 1.3 client handshake (RFC 8446 §2, §4), one class per state, each named after what it waits for and
 * holding only what is valid in it:
 *
 *   ExpectServerHello --HRR--> ExpectServerHello(after HRR)
 *   ExpectServerHello --SH--> ExpectEncryptedExtensions --> ExpectCertificateOrCertificateRequest
 *     --> ExpectCertificate (after CR) --> ExpectCertificateVerify --> ExpectFinished --> Connected
 *
 * A ServerHello without supported_versions goes to TLS 1.2 (client/hello12.ts, client/tls12.ts). Every check cites
 * its source. Verification happens before the state moves on: the proof values of common.ts are required by the
 * next state's constructor (a failed CertificateVerify never reaches ExpectFinished, nor a failed Finished keys).
 */
import { suiteById, suiteByName } from '../../crypto/suites.js';
import { SslError } from '../../errors/ssl-error.js';
import type { SslSession, } from '../../session/session.js';
import { equalBytes } from '../../wire/bytes.js';
import { GROUP_CODES, groupByCode, HandshakeType as H, ExtensionType as X } from '../../wire/enums.js';
import { findExtension, parseAlpn, parseCookie, parseKeyShareHrr, parseKeyShareServer, } from '../../wire/extensions.js';
import {
  type CertificateRequestMsg,
  type HandshakeMessage,
  HRR_RANDOM,
  parseCertificateRequest,
  parseEncryptedExtensions,
  parseServerHello,
  type ServerHello,
} from '../../wire/handshake.js';
import {
  type ChainVerified,
  HandshakeKeys,
  parsePeerCertificate,
  queueFinished,
  type SignatureVerified,
  unexpected,
  verifyCertificateVerify,
  verifyFinished,
  verifyPeerChain,
} from '../common.js';
import type { EngineConfig } from '../config.js';
import type { Handshake, HandshakeContext, RecordEvent } from '../context.js';
import type { ExternalPsk } from '../psk-external.js';
import { acceptRecordSizeLimit } from '../record-size.js';
import { sendClientCertificate } from './client-auth.js';
import { Connected } from './connected13.js';
import { earlyAllowance, earlyDataAnswer, endEarlyData, offersEarlyData, startEarlyData, stopEarlyData } from './early-data.js';
import { serverHello12 } from './hello12.js';
import { buildClientHello, ClientOffer, checkCommonHello, initialShareGroups } from './hello13.js';
import { acceptPsk, type PskAccepted } from './psk-external.js';
import { sessionFits } from './session12.js';
import { type ClientState12, Connected12, isHelloRequest12 } from './tls12.js';

type ClientState = ClientState12; // either version's (TLS 1.2 states also take the server's ChangeCipherSpec)

/** The client role: the connection-long data (server name, offered and received sessions) and the current state. */
export class ClientHandshake implements Handshake {
  private state: ClientState = new Start();
  hostName: string | null;
  /** The session offered for resumption (null: none, or it did not fit this connection). */
  offered: SslSession | null;
  /** True once the server accepted the offered session. */
  resumed = false;
  /** The external PSK of this connection (ContextOptions.pskUseSession), asked for at the first ClientHello. */
  external: ExternalPsk | null = null;
  /** The newest session made from a NewSessionTicket (what getSession() returns). */
  latestSession: SslSession | null = null;
  readonly tickets = null;
  readonly holdsInit = false;
  requestClientAuth(): 'NOT_SERVER' {
    return 'NOT_SERVER';
  }
  /** The session given to the constructor, kept so that a later `setServerName` decides again whether it fits. */
  readonly #session: SslSession | null;
  readonly #config: EngineConfig;

  constructor(cx: HandshakeContext, hostName: string | null, session: SslSession | null) {
    this.#config = cx.config;
    this.hostName = hostName;
    cx.serverName = hostName;
    this.#session = session;
    this.offered = this.sessionToOffer();
  }

  get stateName(): string {
    return this.state.name;
  }

  get earlyAllowance(): number {
    return earlyAllowance(this.#config, this.offered);
  }

  /** Offer a session only where it fits: resumable now, same server name, its version and suite still enabled. */
  private sessionToOffer(): SslSession | null {
    return sessionFits(this.#config, this.#session, this.hostName) ? this.#session : null;
  }

  setServerName(cx: HandshakeContext, name: string): boolean {
    this.hostName = name;
    cx.serverName = name;
    this.offered = this.sessionToOffer();
    return true;
  }

  invalidateSessions(): void {
    this.latestSession?.invalidate();
    if (this.resumed) this.offered?.invalidate();
  }

  async start(cx: HandshakeContext): Promise<void> {
    if (!(this.state instanceof Start)) return;
    // Never offer a session verified more weakly than this configuration asks (pins, verify result, host name).
    if (this.offered && !(await cx.config.sessionAcceptable(this.offered, this.hostName))) this.offered = null;
    const p = cx.config.provider;
    const random = p.randomBytes(32);
    cx.setClientRandom(random);
    if (cx.config.groups.length === 0) throw new TypeError('no key exchange group configured');
    // Key shares only when TLS 1.3 is offered (TLS 1.2 makes its ECDHE key after ServerKeyExchange); which: hello13.ts.
    const shareGroups = cx.config.versions.tls13 ? initialShareGroups(cx.config.groups) : [];
    const offer = new ClientOffer(random, await Promise.all(shareGroups.map((g) => p.generateKeyShare(g))));
    if (cx.config.versions.tls13 && cx.config.pskUse) this.external = cx.config.pskUse();
    const early = offersEarlyData(cx, this.offered) ? this.offered : null;
    cx.queueHandshake(await buildClientHello(cx, offer, this.hostName, this.offered, null, this.external, null, early !== null));
    cx.markHelloSeen();
    this.state = new ExpectServerHello(this, offer, null);
    // RFC 8446 §5.1: the initial ClientHello may use legacy_record_version 0x0301 (OpenSSL does).
    await cx.flushHandshake(0x0301);
    if (early) await startEarlyData(cx, early); // RFC 8446 §4.2.10 (client/early-data.ts)
  }

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

  async flushPostHandshake(): Promise<void> {}
}

/** Before start(): nothing is expected. */
class Start implements ClientState {
  readonly name = 'start';
  async handle(_cx: HandshakeContext, msg: HandshakeMessage): Promise<ClientState> {
    return unexpected(msg, this.name);
  }
}

class ExpectServerHello implements ClientState {
  readonly name = 'expect-server-hello';
  private readonly role: ClientHandshake;
  private readonly offer: ClientOffer;
  /** The suite a HelloRetryRequest chose (null: none came). */
  private readonly hrrSuite: number | null;
  constructor(role: ClientHandshake, offer: ClientOffer, hrrSuite: number | null) {
    this.role = role;
    this.offer = offer;
    this.hrrSuite = hrrSuite;
  }

  async handle(cx: HandshakeContext, msg: HandshakeMessage): Promise<ClientState> {
    if (cx.config.versions.tls12 && this.hrrSuite === null && isHelloRequest12(msg)) return this; // TLS 1.2 may still come
    if (msg.type !== H.SERVER_HELLO) return unexpected(msg, this.name);
    const sh = parseServerHello(msg.body);
    if (equalBytes(sh.random, HRR_RANDOM)) return this.handleHelloRetryRequest(cx, msg, sh);
    // No supported_versions: the server chose TLS 1.2 (client/hello12.ts), never after a HelloRetryRequest.
    if (cx.config.versions.tls12 && this.hrrSuite === null && !findExtension(sh.extensions, X.SUPPORTED_VERSIONS)) {
      await stopEarlyData(cx);
      return serverHello12(cx, msg, sh, this.offer, this.role);
    }
    checkCommonHello(cx, sh, 'ServerHello', this.offer);
    cx.version = 'TLSv1.3';
    if (this.hrrSuite !== null && sh.cipherSuite !== this.hrrSuite) {
      throw new SslError('WRONG_CIPHER_RETURNED', { detail: 'ServerHello suite differs from the HelloRetryRequest' });
    }
    const sent = this.offer.sentExtensions;
    for (const e of sh.extensions) {
      if (e.type !== X.KEY_SHARE && e.type !== X.SUPPORTED_VERSIONS && e.type !== X.PRE_SHARED_KEY) {
        throw new SslError(sent.has(e.type) ? 'BAD_EXTENSION' : 'UNSOLICITED_EXTENSION', { detail: `extension ${e.type} in ServerHello` });
      }
    }
    const pskData = findExtension(sh.extensions, X.PRE_SHARED_KEY);
    let psk: Uint8Array | null = null;
    let accepted: PskAccepted | null = null;
    if (pskData) {
      if (!this.offer.psks.length) throw new SslError('UNSOLICITED_EXTENSION', { detail: 'pre_shared_key was not offered' });
      // RFC 8446 §4.2.11: the index must be in range and the suite's hash must be the PSK's.
      const r = acceptPsk(cx, pskData, this.offer.psks, sh.cipherSuite);
      [psk, accepted] = [r.secret, r.accepted];
      this.role.resumed = r.chosen.kind === 'resumption';
      if (r.chosen !== this.offer.psks[0]) await stopEarlyData(cx);
    } else await stopEarlyData(cx);
    const ksData = findExtension(sh.extensions, X.KEY_SHARE);
    if (!ksData) throw new SslError('MISSING_KEY_SHARE');
    const entry = parseKeyShareServer(ksData);
    const share = this.offer.shares().find((s) => GROUP_CODES[s.group] === entry.group);
    if (!share) throw new SslError('BAD_KEY_SHARE', { detail: 'key_share for a group the client did not send' });
    const suite = suiteById(sh.cipherSuite);
    if (!suite) throw new SslError('WRONG_CIPHER_RETURNED');
    cx.suite = suite;
    cx.group = share.group;
    cx.transcript.hashName = suite.hash;
    cx.transcript.add(msg.raw);
    const shared = await share.deriveSecret(entry.keyExchange);
    if (!shared) throw new SslError('BAD_KEY_SHARE', { detail: 'invalid server key share' });
    const keys = await HandshakeKeys.derive(cx, suite, psk, shared);
    await cx.setReadKey(keys.server());
    // Early data that may still be accepted keeps the early key until EncryptedExtensions say (client/early-data.ts).
    if (!cx.early.writing) await cx.setWriteKey(keys.client());
    return new ExpectEncryptedExtensions(this.role, keys, sent, accepted);
  }

  private async handleHelloRetryRequest(cx: HandshakeContext, msg: HandshakeMessage, hrr: ServerHello): Promise<ClientState> {
    // RFC 8446 §4.1.4: at most one HRR; it must change something; only offered extensions.
    if (this.hrrSuite !== null) throw new SslError('TOO_MANY_HELLO_RETRY_REQUESTS');
    cx.helloRetried = true;
    checkCommonHello(cx, hrr, 'HelloRetryRequest', this.offer);
    await stopEarlyData(cx);
    let group: number | null = null;
    let cookie: Uint8Array | null = null;
    for (const e of hrr.extensions) {
      if (e.type === X.KEY_SHARE) group = parseKeyShareHrr(e.data);
      else if (e.type === X.COOKIE) cookie = parseCookie(e.data);
      else if (e.type !== X.SUPPORTED_VERSIONS) {
        throw new SslError(this.offer.sentExtensions.has(e.type) ? 'BAD_EXTENSION' : 'UNSOLICITED_EXTENSION', { detail: `extension ${e.type} in HelloRetryRequest` });
      }
    }
    if (group === null && cookie === null) throw new SslError('BAD_HELLO_RETRY_REQUEST', { detail: 'HelloRetryRequest would not change the ClientHello' });
    if (group !== null) {
      const name = groupByCode(group);
      if (!name || !cx.config.groups.includes(name)) throw new SslError('BAD_HELLO_RETRY_REQUEST', { detail: 'HelloRetryRequest selected a group that was not offered' });
      if (this.offer.shares().some((s) => s.group === name)) throw new SslError('BAD_HELLO_RETRY_REQUEST', { detail: 'HelloRetryRequest selected a group that already had a key share' });
      this.offer.replaceShares([await cx.config.provider.generateKeyShare(name)]);
    }
    const suite = suiteById(hrr.cipherSuite);
    if (!suite) throw new SslError('WRONG_CIPHER_RETURNED');
    // RFC 8446 §4.1.4: a PSK whose hash does not fit the suite chosen by the HRR is dropped (psksToOffer: the external one).
    if (this.role.offered && suiteByName(this.role.offered.cipherSuite)?.hash !== suite.hash) this.role.offered = null;
    cx.transcript.hashName = suite.hash;
    await cx.transcript.replaceWithMessageHash();
    cx.transcript.add(msg.raw);
    const next = new ExpectServerHello(this.role, this.offer, hrr.cipherSuite);
    cx.queueHandshake(await buildClientHello(cx, this.offer, this.role.hostName, this.role.offered, cookie, this.role.external, suite));
    await cx.flushHandshake();
    return next;
  }
}

class ExpectEncryptedExtensions implements ClientState {
  readonly name = 'expect-encrypted-extensions';
  private readonly role: ClientHandshake;
  private readonly keys: HandshakeKeys;
  private readonly sent: ReadonlySet<number>;
  private readonly psk: PskAccepted | null;
  constructor(role: ClientHandshake, keys: HandshakeKeys, sent: ReadonlySet<number>, psk: PskAccepted | null) {
    this.role = role;
    this.keys = keys;
    this.sent = sent;
    this.psk = psk;
  }

  async handle(cx: HandshakeContext, msg: HandshakeMessage): Promise<ClientState> {
    if (msg.type !== H.ENCRYPTED_EXTENSIONS) return unexpected(msg, this.name);
    const exts = parseEncryptedExtensions(msg.body);
    for (const e of exts) {
      // RFC 8446 §4.2: only extensions the client offered, and only those allowed in EncryptedExtensions.
      const allowed = e.type === X.SERVER_NAME || e.type === X.SUPPORTED_GROUPS || e.type === X.ALPN || e.type === X.MAX_FRAGMENT_LENGTH || e.type === X.RECORD_SIZE_LIMIT || e.type === X.EARLY_DATA;
      if (!this.sent.has(e.type)) throw new SslError('UNSOLICITED_EXTENSION', { detail: `extension ${e.type} in EncryptedExtensions` });
      if (!allowed) throw new SslError('BAD_EXTENSION', { detail: `extension ${e.type} is not allowed in EncryptedExtensions` });
    }
    const alpn = findExtension(exts, X.ALPN);
    if (alpn) {
      const list = parseAlpn(alpn);
      const chosen = list[0];
      if (list.length !== 1 || chosen === undefined || !cx.config.alpn?.includes(chosen)) {
        throw new SslError('BAD_ALPN', { detail: 'the server selected a protocol that was not offered' });
      }
      cx.alpnProtocol = chosen;
    }
    if (findExtension(exts, X.SERVER_NAME)?.length) throw SslError.decode('non-empty server_name in EncryptedExtensions');
    acceptRecordSizeLimit(cx, exts, 'TLSv1.3');
    await earlyDataAnswer(cx, exts, this.keys.client());
    cx.transcript.add(msg.raw);
    // A resumed handshake has no Certificate / CertificateVerify (RFC 8446 §2.2).
    return this.psk ? new ExpectFinished(this.role, this.keys, null, this.psk) : new ExpectCertificateOrCertificateRequest(this.role, this.keys);
  }
}

class ExpectCertificateOrCertificateRequest implements ClientState {
  readonly name = 'expect-certificate-or-request';
  private readonly role: ClientHandshake;
  private readonly keys: HandshakeKeys;
  constructor(role: ClientHandshake, keys: HandshakeKeys) {
    this.role = role;
    this.keys = keys;
  }

  async handle(cx: HandshakeContext, msg: HandshakeMessage): Promise<ClientState> {
    if (msg.type === H.CERTIFICATE_REQUEST) {
      const cr = parseCertificateRequest(msg.body);
      // RFC 8446 §4.3.2: the context is empty in the main handshake; signature_algorithms is required.
      if (cr.context.length !== 0) throw new SslError('INVALID_CONTEXT', { detail: 'non-empty certificate_request_context' });
      if (!findExtension(cr.extensions, X.SIGNATURE_ALGORITHMS)) throw new SslError('MISSING_SIGALGS_EXTENSION');
      cx.transcript.add(msg.raw);
      return new ExpectCertificate(this.role, this.keys, cr);
    }
    if (msg.type === H.CERTIFICATE) return serverCertificate(cx, msg, this.role, this.keys, null);
    return unexpected(msg, this.name);
  }
}

class ExpectCertificate implements ClientState {
  readonly name = 'expect-certificate';
  private readonly role: ClientHandshake;
  private readonly keys: HandshakeKeys;
  private readonly certRequest: CertificateRequestMsg;
  constructor(role: ClientHandshake, keys: HandshakeKeys, certRequest: CertificateRequestMsg) {
    this.role = role;
    this.keys = keys;
    this.certRequest = certRequest;
  }

  async handle(cx: HandshakeContext, msg: HandshakeMessage): Promise<ClientState> {
    if (msg.type !== H.CERTIFICATE) return unexpected(msg, this.name);
    return serverCertificate(cx, msg, this.role, this.keys, this.certRequest);
  }
}

/** The server's Certificate (RFC 8446 §4.4.2): a non-empty list, verified against the server name. */
async function serverCertificate(cx: HandshakeContext, msg: HandshakeMessage, role: ClientHandshake, keys: HandshakeKeys, cr: CertificateRequestMsg | null): Promise<ClientState> {
  const cert = parsePeerCertificate(msg, 'non-empty certificate_request_context');
  if (cert.entries.length === 0) throw new SslError('NO_CERTIFICATES_RETURNED');
  const chain = await verifyPeerChain(cx, cert, role.hostName);
  cx.transcript.add(msg.raw);
  return new ExpectCertificateVerify(role, keys, cr, chain);
}

class ExpectCertificateVerify implements ClientState {
  readonly name = 'expect-certificate-verify';
  private readonly role: ClientHandshake;
  private readonly keys: HandshakeKeys;
  private readonly certRequest: CertificateRequestMsg | null;
  private readonly chain: ChainVerified;
  constructor(role: ClientHandshake, keys: HandshakeKeys, certRequest: CertificateRequestMsg | null, chain: ChainVerified) {
    this.role = role;
    this.keys = keys;
    this.certRequest = certRequest;
    this.chain = chain;
  }

  async handle(cx: HandshakeContext, msg: HandshakeMessage): Promise<ClientState> {
    if (msg.type !== H.CERTIFICATE_VERIFY) return unexpected(msg, this.name);
    const verified = await verifyCertificateVerify(cx, this.chain, msg, true);
    return new ExpectFinished(this.role, this.keys, this.certRequest, verified);
  }
}

class ExpectFinished implements ClientState {
  readonly name = 'expect-finished';
  private readonly role: ClientHandshake;
  private readonly keys: HandshakeKeys;
  private readonly certRequest: CertificateRequestMsg | null;
  /** How the server authenticated: its CertificateVerify, or the resumed session's PSK. */
  readonly auth: SignatureVerified | PskAccepted;
  constructor(role: ClientHandshake, keys: HandshakeKeys, certRequest: CertificateRequestMsg | null, auth: SignatureVerified | PskAccepted) {
    this.role = role;
    this.keys = keys;
    this.certRequest = certRequest;
    this.auth = auth;
  }

  async handle(cx: HandshakeContext, msg: HandshakeMessage): Promise<ClientState> {
    if (msg.type !== H.FINISHED) return unexpected(msg, this.name);
    const { suite, schedule } = this.keys;
    const finished = await verifyFinished(cx, suite, this.keys.server(), msg, 'server');
    cx.markPeerFinished();
    const app = await this.keys.application(cx);
    await cx.setReadKey(app.server);
    await endEarlyData(cx, this.keys.client());
    // Second flight: [Certificate, CertificateVerify], Finished under the client handshake key.
    if (this.certRequest) await sendClientCertificate(cx, this.certRequest);
    await queueFinished(cx, suite, this.keys.client());
    await cx.flushHandshake();
    await cx.setWriteKey(app.client);
    const resumptionMaster = await schedule.resumptionMaster(await cx.transcript.hash());
    cx.markHandshakeComplete();
    // Nothing needs the transcript any more (but post-handshake authentication); the handshake secrets go with this state.
    cx.transcript.release(cx.config.postHandshakeAuth === true);
    return new Connected(this.role, suite, resumptionMaster, finished);
  }
}
