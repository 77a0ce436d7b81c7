/**
 * TLS 1.3 client handshake (RFC 8446 §2, §4). States are named after what they wait for:
 *
 *   ExpectServerHello --HRR--> ExpectServerHello(after HRR)
 *   ExpectServerHello --SH--> ExpectEncryptedExtensions --> ExpectCertificateOrCertificateRequest
 *     --> ExpectCertificate (after CR) --> ExpectCertificateVerify --> ExpectFinished --> Connected
 *
 * Every check cites its source. Verification happens before the state moves on: a CertificateVerify that
 * fails never reaches ExpectFinished, a Finished that fails never derives traffic keys.
 */
import type { GroupName, KeyShare } from '../crypto/provider.js';
import { suiteById } from '../crypto/suites.js';
import type { RecordEvent } from '../engine/engine.js';
import { Engine } from '../engine/engine.js';
import { SslError } from '../errors/ssl-error.js';
import { finishedVerifyData, KeySchedule, resumptionPsk } from '../keys/tls13-key-schedule.js';
import { SslSession, sessionPsk } from '../session/session.js';
import { concat, equalBytes } from '../wire/bytes.js';
import { ExtensionType as X, HandshakeType as H, NamedGroup, ProtocolVersion, PskKeyExchangeMode } from '../wire/enums.js';
import {
  encodeAlpn,
  encodeCookie,
  encodeKeyShareClient,
  encodePreSharedKeyClient,
  encodePskModes,
  encodeServerName,
  encodeSupportedVersionsClient,
  encodeU16List,
  type Extension,
  findExtension,
  parseAlpn,
  parseCookie,
  parseKeyShareHrr,
  parseKeyShareServer,
  parsePreSharedKeyServer,
  parseSupportedVersionsServer,
  parseU16List,
} from '../wire/extensions.js';
import {
  type CertificateRequestMsg,
  encodeCertificate,
  encodeCertificateVerify,
  encodeClientHello,
  encodeFinished,
  type HandshakeMessage,
  HRR_RANDOM,
  parseCertificate,
  parseCertificateRequest,
  parseCertificateVerify,
  parseEncryptedExtensions,
  parseNewSessionTicket,
  parseServerHello,
  type ServerHello,
} from '../wire/handshake.js';
import type { EngineConfig } from '../engine/config.js';
import { sniHostName } from './server-name.js';
import { certificateVerifyContent, checkCertificateVerify, type PeerKey, schemeName, tls13SchemesForKey } from './signature.js';
import { suiteByName } from '../crypto/suites.js';

export const GROUP_CODES: Record<GroupName, number> = {
  x25519: NamedGroup.X25519,
  secp256r1: NamedGroup.SECP256R1,
  secp384r1: NamedGroup.SECP384R1,
};

export function groupByCode(code: number): GroupName | undefined {
  for (const [name, c] of Object.entries(GROUP_CODES)) if (c === code) return name as GroupName;
  return undefined;
}

/** A NewSessionTicket as the client stores it (sessions are built from these). */
export interface ReceivedTicket {
  lifetime: number;
  ageAdd: number;
  nonce: Uint8Array;
  ticket: Uint8Array;
  receivedAt: Date;
  maxEarlyData: number;
  /** The PSK this ticket stands for (RFC 8446 §4.6.1). */
  psk: Uint8Array;
}

type ClientState =
  | 'start'
  | 'expect-server-hello'
  | 'expect-encrypted-extensions'
  | 'expect-certificate-or-request'
  | 'expect-certificate'
  | 'expect-certificate-verify'
  | 'expect-finished'
  | 'connected';

export class ClientEngine extends Engine {
  private state: ClientState = 'start';
  private hostName: string | null;
  private random: Uint8Array = new Uint8Array(0);
  private sessionId: Uint8Array = new Uint8Array(0);
  // Secrets (ECDHE keys, handshake and resumption secrets, ticket PSKs) live in #private fields: no
  // inspection, enumeration or serialisation reaches them (docs/robustness.md).
  #shares: KeyShare[] = [];
  private hrrSeen = false;
  private hrrSuite = 0;
  private sentExtensions = new Set<number>();
  private ks: KeySchedule | null = null;
  #hsSecrets: { client: Uint8Array; server: Uint8Array } | null = null;
  private certRequest: CertificateRequestMsg | null = null;
  private serverCertKey: PeerKey | null = null;
  #resumptionMasterSecret: Uint8Array | null = null;
  readonly #tickets: ReceivedTicket[] = [];
  /** The session offered for resumption (null: none, or it did not fit this connection). */
  private offered: SslSession | null;
  /** The newest session made from a NewSessionTicket (what getSession() returns). */
  latestSession: SslSession | null = null;

  constructor(config: EngineConfig, hostName: string | null, session: SslSession | null) {
    super(config);
    this.hostName = hostName;
    this.serverName = hostName;
    this.#session = session;
    this.offered = this.sessionToOffer();
  }

  /** The session given to the constructor, kept so that a later `setHostName` decides again whether it fits. */
  readonly #session: SslSession | null;

  /** Offer a session only where it fits: resumable now, same server name, its suite still enabled. */
  private sessionToOffer(): SslSession | null {
    const session = this.#session;
    const suite = session ? suiteByName(session.cipherSuite) : undefined;
    const fits = session && suite && session.isResumable(this.config.now()) && session.serverName === this.hostName && this.config.suites.some((s) => s.id === suite.id);
    return fits ? session : null;
  }

  /** SSL_set_tlsext_host_name: the name to send and check, set before the ClientHello is built (the facade checks). */
  setHostName(hostName: string): void {
    this.hostName = hostName;
    this.serverName = hostName;
    this.offered = this.sessionToOffer();
  }

  invalidateSessions(): void {
    this.latestSession?.invalidate();
    if (this.sessionReused) this.offered?.invalidate();
  }

  get inInit(): boolean {
    return !this.handshakeComplete || this.pendingKeyUpdate !== null;
  }

  get stateName(): string {
    return this.state;
  }

  async start(): Promise<void> {
    if (this.state !== 'start') return;
    // Never offer a session verified more weakly than this configuration asks (pins, verify result, host name).
    if (this.offered && !(await this.config.sessionAcceptable(this.offered, this.hostName))) this.offered = null;
    const p = this.config.provider;
    this.random = p.randomBytes(32);
    this.clientRandom = this.random;
    const first = this.config.groups[0];
    if (!first) throw new TypeError('no key exchange group configured');
    this.#shares = [await p.generateKeyShare(first)];
    this.queueHandshake(await this.buildClientHello(null));
    this.helloSeen = true;
    this.state = 'expect-server-hello';
    // RFC 8446 §5.1: the initial ClientHello may use legacy_record_version 0x0301 (OpenSSL does).
    await this.flushHandshake(0x0301);
  }

  private async buildClientHello(cookie: Uint8Array | null): Promise<Uint8Array> {
    const c = this.config;
    const exts: Extension[] = [];
    // RFC 6066 §3: a DNS host name, lowercase, without a trailing dot; IP literals are not sent (server-name.ts).
    const sni = this.hostName === null ? null : sniHostName(this.hostName);
    if (sni !== null) exts.push({ type: X.SERVER_NAME, data: encodeServerName(sni) });
    exts.push({ type: X.SUPPORTED_GROUPS, data: encodeU16List(c.groups.map((g) => GROUP_CODES[g])) });
    exts.push({ type: X.SIGNATURE_ALGORITHMS, data: encodeU16List(c.signatureSchemes) });
    exts.push({ type: X.SUPPORTED_VERSIONS, data: encodeSupportedVersionsClient([ProtocolVersion.TLS13]) });
    exts.push({ type: X.KEY_SHARE, data: encodeKeyShareClient(this.#shares.map((s) => ({ group: GROUP_CODES[s.group], keyExchange: s.publicKey }))) });
    exts.push({ type: X.PSK_KEY_EXCHANGE_MODES, data: encodePskModes([PskKeyExchangeMode.PSK_DHE_KE]) });
    if (c.alpn?.length) exts.push({ type: X.ALPN, data: encodeAlpn(c.alpn) });
    if (cookie) exts.push({ type: X.COOKIE, data: encodeCookie(cookie) });
    const offered = this.offered;
    const pskSuite = offered ? suiteByName(offered.cipherSuite) : undefined;
    // RFC 8446 §4.2.11: pre_shared_key is last; its binder covers the ClientHello up to the binders.
    if (offered && pskSuite) {
      const age = (Math.max(0, c.now().getTime() - offered.receivedAt.getTime()) + offered.ageAdd) % 2 ** 32;
      exts.push({ type: X.PRE_SHARED_KEY, data: encodePreSharedKeyClient([{ identity: offered.ticket, obfuscatedTicketAge: age }], [new Uint8Array(pskSuite.hashLen)]) });
    }
    for (const e of exts) this.sentExtensions.add(e.type);
    const raw = encodeClientHello({
      legacyVersion: ProtocolVersion.TLS12,
      random: this.random,
      sessionId: this.sessionId,
      cipherSuites: c.suites.map((s) => s.id),
      compressionMethods: new Uint8Array([0]),
      extensions: exts,
    });
    if (offered && pskSuite) {
      const bindersLen = 2 + 1 + pskSuite.hashLen;
      const ks = new KeySchedule(c.provider, pskSuite.hash);
      await ks.early(sessionPsk(offered));
      const th = await c.provider.hash(pskSuite.hash, concat(this.transcript.bytes(), raw.subarray(0, raw.length - bindersLen)));
      raw.set(await finishedVerifyData(c.provider, pskSuite.hash, await ks.binderKey(), th), raw.length - pskSuite.hashLen);
    }
    return raw;
  }

  protected async handleHandshake(msg: HandshakeMessage): Promise<RecordEvent> {
    switch (this.state) {
      case 'expect-server-hello':
        if (msg.type !== H.SERVER_HELLO) return this.unexpected(msg, this.state);
        return this.handleServerHello(msg);
      case 'expect-encrypted-extensions':
        if (msg.type !== H.ENCRYPTED_EXTENSIONS) return this.unexpected(msg, this.state);
        return this.handleEncryptedExtensions(msg);
      case 'expect-certificate-or-request':
        if (msg.type === H.CERTIFICATE_REQUEST) return this.handleCertificateRequest(msg);
        if (msg.type === H.CERTIFICATE) return this.handleCertificate(msg);
        return this.unexpected(msg, this.state);
      case 'expect-certificate':
        if (msg.type !== H.CERTIFICATE) return this.unexpected(msg, this.state);
        return this.handleCertificate(msg);
      case 'expect-certificate-verify':
        if (msg.type !== H.CERTIFICATE_VERIFY) return this.unexpected(msg, this.state);
        return this.handleCertificateVerify(msg);
      case 'expect-finished':
        if (msg.type !== H.FINISHED) return this.unexpected(msg, this.state);
        return this.handleFinished(msg);
      case 'connected':
        if (msg.type === H.NEW_SESSION_TICKET) return this.handleNewSessionTicket(msg);
        return this.handlePostHandshake(msg);
      default:
        return this.unexpected(msg, this.state);
    }
  }

  private checkCommonHello(sh: ServerHello, what: string): void {
    // The version first: the checks of RFC 8446 §4.1.3 apply to a TLS 1.3 ServerHello only, and a server that
    // picked another version gets protocol_version (as OpenSSL 3 answers a TLS 1.2 ServerHello).
    const sv = findExtension(sh.extensions, X.SUPPORTED_VERSIONS);
    if (!sv) throw new SslError('UNSUPPORTED_PROTOCOL', { detail: 'the server did not negotiate TLS 1.3 (TLS 1.2 is not enabled)' });
    if (parseSupportedVersionsServer(sv) !== ProtocolVersion.TLS13) {
      throw new SslError('BAD_SELECTED_VERSION', { detail: 'supported_versions selected a version that was not offered' });
    }
    // RFC 8446 §4.1.3: legacy_version 0x0303, session id echoed, compression 0.
    if (sh.legacyVersion !== ProtocolVersion.TLS12) throw new SslError('BAD_LEGACY_VERSION', { detail: `${what} legacy_version` });
    if (!equalBytes(sh.sessionId, this.sessionId)) throw new SslError('BAD_SESSION_ID', { detail: `${what} did not echo the session id` });
    if (sh.compressionMethod !== 0) throw new SslError('BAD_COMPRESSION');
    if (!this.config.suites.some((s) => s.id === sh.cipherSuite)) {
      throw new SslError('WRONG_CIPHER_RETURNED', { detail: `${what} chose a suite that was not offered` });
    }
  }

  private async handleServerHello(msg: HandshakeMessage): Promise<RecordEvent> {
    const sh = parseServerHello(msg.body);
    if (equalBytes(sh.random, HRR_RANDOM)) return this.handleHelloRetryRequest(msg, sh);
    this.checkCommonHello(sh, 'ServerHello');
    if (this.hrrSeen && sh.cipherSuite !== this.hrrSuite) {
      throw new SslError('WRONG_CIPHER_RETURNED', { detail: 'ServerHello suite differs from the HelloRetryRequest' });
    }
    for (const e of sh.extensions) {
      if (e.type !== X.KEY_SHARE && e.type !== X.SUPPORTED_VERSIONS && e.type !== X.PRE_SHARED_KEY) {
        throw new SslError(this.sentExtensions.has(e.type) ? 'BAD_EXTENSION' : 'UNSOLICITED_EXTENSION', { detail: `extension ${e.type} in ServerHello` });
      }
    }
    const pskData = findExtension(sh.extensions, X.PRE_SHARED_KEY);
    let psk: Uint8Array | null = null;
    if (pskData) {
      if (!this.offered || !this.sentExtensions.has(X.PRE_SHARED_KEY)) throw new SslError('UNSOLICITED_EXTENSION', { detail: 'pre_shared_key was not offered' });
      // RFC 8446 §4.2.11: the index must be in range and the suite's hash must be the PSK's.
      if (parsePreSharedKeyServer(pskData) !== 0) throw new SslError('BAD_PSK', { detail: 'selected_identity out of range' });
      if (suiteByName(this.offered.cipherSuite)?.hash !== suiteById(sh.cipherSuite)?.hash) throw new SslError('BAD_PSK', { detail: 'suite hash differs from the PSK hash' });
      psk = sessionPsk(this.offered);
      this.sessionReused = true;
      this.peerCertificates = this.offered.peerCertificates.slice();
      // A resumed connection reports how the session's server was verified, never more.
      this.verifyCode = this.offered.verifyResult;
      this.verifiedHostname = this.offered.verifiedHostname;
    }
    const ksData = findExtension(sh.extensions, X.KEY_SHARE);
    if (!ksData) throw new SslError('MISSING_KEY_SHARE');
    const entry = parseKeyShareServer(ksData);
    const share = this.#shares.find((s) => GROUP_CODES[s.group] === entry.group);
    if (!share) throw new SslError('BAD_KEY_SHARE', { detail: 'key_share for a group the client did not send' });
    const suite = suiteById(sh.cipherSuite);
    if (!suite) throw new SslError('WRONG_CIPHER_RETURNED');
    this.suite = suite;
    this.group = share.group;
    this.transcript.hashName = suite.hash;
    this.transcript.add(msg.raw);
    const shared = await share.deriveSecret(entry.keyExchange);
    if (!shared) throw new SslError('BAD_KEY_SHARE', { detail: 'invalid server key share' });
    this.ks = new KeySchedule(this.config.provider, suite.hash);
    await this.ks.early(psk);
    this.#hsSecrets = await this.ks.handshake(shared, await this.transcript.hash());
    this.logSecret('CLIENT_HANDSHAKE_TRAFFIC_SECRET', this.#hsSecrets.client);
    this.logSecret('SERVER_HANDSHAKE_TRAFFIC_SECRET', this.#hsSecrets.server);
    await this.setReadKey(this.#hsSecrets.server);
    await this.setWriteKey(this.#hsSecrets.client);
    this.state = 'expect-encrypted-extensions';
    return 'handshake';
  }

  private async handleHelloRetryRequest(msg: HandshakeMessage, hrr: ServerHello): Promise<RecordEvent> {
    // RFC 8446 §4.1.4: at most one HRR; it must change something; only offered extensions.
    if (this.hrrSeen) throw new SslError('TOO_MANY_HELLO_RETRY_REQUESTS');
    this.hrrSeen = true;
    this.helloRetried = true;
    this.checkCommonHello(hrr, 'HelloRetryRequest');
    let group: number | null = null;
    let cookie: Uint8Array | null = null;
    for (const e of hrr.extensions) {
      if (e.type === X.KEY_SHARE) group = parseKeyShareHrr(e.data);
      else if (e.type === X.COOKIE) cookie = parseCookie(e.data);
      else if (e.type !== X.SUPPORTED_VERSIONS) {
        throw new SslError(this.sentExtensions.has(e.type) ? 'BAD_EXTENSION' : 'UNSOLICITED_EXTENSION', { detail: `extension ${e.type} in HelloRetryRequest` });
      }
    }
    if (group === null && cookie === null) throw new SslError('BAD_HELLO_RETRY_REQUEST', { detail: 'HelloRetryRequest would not change the ClientHello' });
    if (group !== null) {
      const name = groupByCode(group);
      if (!name || !this.config.groups.includes(name)) throw new SslError('BAD_HELLO_RETRY_REQUEST', { detail: 'HelloRetryRequest selected a group that was not offered' });
      if (this.#shares.some((s) => s.group === name)) throw new SslError('BAD_HELLO_RETRY_REQUEST', { detail: 'HelloRetryRequest selected a group that already had a key share' });
      this.#shares = [await this.config.provider.generateKeyShare(name)];
    }
    const suite = suiteById(hrr.cipherSuite);
    if (!suite) throw new SslError('WRONG_CIPHER_RETURNED');
    this.hrrSuite = hrr.cipherSuite;
    // RFC 8446 §4.1.4: a PSK whose hash does not fit the suite chosen by the HRR is dropped.
    if (this.offered && suiteByName(this.offered.cipherSuite)?.hash !== suite.hash) this.offered = null;
    this.transcript.hashName = suite.hash;
    await this.transcript.replaceWithMessageHash();
    this.transcript.add(msg.raw);
    this.queueHandshake(await this.buildClientHello(cookie));
    await this.flushHandshake();
    return 'handshake';
  }

  private async handleEncryptedExtensions(msg: HandshakeMessage): Promise<RecordEvent> {
    const exts = parseEncryptedExtensions(msg.body);
    for (const e of exts) {
      // RFC 8446 §4.2: only extensions the client offered, and only those allowed in EncryptedExtensions.
      const allowed = e.type === X.SERVER_NAME || e.type === X.SUPPORTED_GROUPS || e.type === X.ALPN || e.type === X.MAX_FRAGMENT_LENGTH || e.type === X.RECORD_SIZE_LIMIT || e.type === X.EARLY_DATA;
      if (!this.sentExtensions.has(e.type)) throw new SslError('UNSOLICITED_EXTENSION', { detail: `extension ${e.type} in EncryptedExtensions` });
      if (!allowed) throw new SslError('BAD_EXTENSION', { detail: `extension ${e.type} is not allowed in EncryptedExtensions` });
    }
    const alpn = findExtension(exts, X.ALPN);
    if (alpn) {
      const list = parseAlpn(alpn);
      const chosen = list[0];
      if (list.length !== 1 || chosen === undefined || !this.config.alpn?.includes(chosen)) {
        throw new SslError('BAD_ALPN', { detail: 'the server selected a protocol that was not offered' });
      }
      this.alpnProtocol = chosen;
    }
    const sni = findExtension(exts, X.SERVER_NAME);
    if (sni && sni.length !== 0) throw SslError.decode('non-empty server_name in EncryptedExtensions');
    this.transcript.add(msg.raw);
    // A resumed handshake has no Certificate / CertificateVerify (RFC 8446 §2.2).
    this.state = this.sessionReused ? 'expect-finished' : 'expect-certificate-or-request';
    return 'handshake';
  }

  private async handleCertificateRequest(msg: HandshakeMessage): Promise<RecordEvent> {
    const cr = parseCertificateRequest(msg.body);
    // RFC 8446 §4.3.2: the context is empty in the main handshake; signature_algorithms is required.
    if (cr.context.length !== 0) throw new SslError('INVALID_CONTEXT', { detail: 'non-empty certificate_request_context' });
    if (!findExtension(cr.extensions, X.SIGNATURE_ALGORITHMS)) throw new SslError('MISSING_SIGALGS_EXTENSION');
    this.certRequest = cr;
    this.transcript.add(msg.raw);
    this.state = 'expect-certificate';
    return 'handshake';
  }

  private async handleCertificate(msg: HandshakeMessage): Promise<RecordEvent> {
    const cert = parseCertificate(msg.body);
    if (cert.context.length !== 0) throw new SslError('INVALID_CONTEXT', { detail: 'non-empty certificate_request_context' });
    if (cert.entries.length === 0) throw new SslError('NO_CERTIFICATES_RETURNED');
    for (const e of cert.entries) {
      if (e.extensions.length) throw new SslError('UNSOLICITED_EXTENSION', { detail: 'CertificateEntry extension that was not requested' });
    }
    this.peerCertificates = cert.entries.map((e) => e.certData);
    // Verification first, so that a refused chain is reported with its X509_V_ERR_* code.
    await this.verifyPeerChain(this.hostName);
    this.serverCertKey = this.config.leafKey(this.peerCertificates[0] as Uint8Array);
    this.transcript.add(msg.raw);
    this.state = 'expect-certificate-verify';
    return 'handshake';
  }

  private async handleCertificateVerify(msg: HandshakeMessage): Promise<RecordEvent> {
    const cv = parseCertificateVerify(msg.body);
    await checkCertificateVerify(this.config.provider, this.config.signatureSchemes, this.serverCertKey as PeerKey, cv, await this.transcript.hash(), true);
    this.transcript.add(msg.raw);
    this.state = 'expect-finished';
    return 'handshake';
  }

  private async handleFinished(msg: HandshakeMessage): Promise<RecordEvent> {
    const p = this.config.provider;
    const suite = this.suite as NonNullable<typeof this.suite>;
    const hs = this.#hsSecrets as { client: Uint8Array; server: Uint8Array };
    const expected = await finishedVerifyData(p, suite.hash, hs.server, await this.transcript.hash());
    this.checkFinished(expected, msg, 'server');
    this.transcript.add(msg.raw);
    this.peerFinished = true;
    const app = await (this.ks as KeySchedule).master(await this.transcript.hash());
    this.exporterSecret = app.exporter;
    this.logSecret('CLIENT_TRAFFIC_SECRET_0', app.client);
    this.logSecret('SERVER_TRAFFIC_SECRET_0', app.server);
    this.logSecret('EXPORTER_SECRET', app.exporter);
    await this.setReadKey(app.server);
    // Second flight: [Certificate, CertificateVerify], Finished under the client handshake key.
    if (this.certRequest) await this.sendClientCertificate(this.certRequest);
    const fin = await finishedVerifyData(p, suite.hash, hs.client, await this.transcript.hash());
    this.queueHandshake(encodeFinished(fin));
    await this.flushHandshake();
    await this.setWriteKey(app.client);
    this.#resumptionMasterSecret = await (this.ks as KeySchedule).resumptionMaster(await this.transcript.hash());
    this.state = 'connected';
    this.handshakeComplete = true;
    // Nothing needs the transcript or the handshake secrets any more: release them.
    this.transcript.release();
    this.ks = null;
    this.#hsSecrets = null;
    this.#shares = [];
    return 'handshake';
  }

  private async sendClientCertificate(cr: CertificateRequestMsg): Promise<void> {
    const cred = this.config.credentials[0];
    const offered = parseU16List(findExtension(cr.extensions, X.SIGNATURE_ALGORITHMS) as Uint8Array, 'signature_algorithms');
    const mine = cred ? tls13SchemesForKey(cred.keyType, cred.keyBits).filter((s) => this.config.signatureSchemes.includes(s)) : [];
    const scheme = mine.find((s) => offered.includes(s));
    if (!cred || scheme === undefined) {
      // RFC 8446 §4.4.2: with no suitable certificate, send an empty Certificate message.
      this.queueHandshake(encodeCertificate({ context: cr.context, entries: [] }));
      return;
    }
    this.queueHandshake(encodeCertificate({ context: cr.context, entries: cred.chain.map((certData) => ({ certData, extensions: [] })) }));
    const key = await cred.signingKey();
    const sig = await key.sign(schemeName(scheme) as NonNullable<ReturnType<typeof schemeName>>, certificateVerifyContent(false, await this.transcript.hash()));
    this.queueHandshake(encodeCertificateVerify({ scheme, signature: sig }));
  }

  private async handleNewSessionTicket(msg: HandshakeMessage): Promise<RecordEvent> {
    const nst = parseNewSessionTicket(msg.body);
    if (++this.ticketRun > this.config.limits.maxTickets) throw new SslError('TOO_MANY_TICKETS');
    let maxEarlyData = 0;
    for (const e of nst.extensions) if (e.type === X.EARLY_DATA && e.data.length === 4) maxEarlyData = new DataView(e.data.buffer, e.data.byteOffset).getUint32(0);
    // RFC 8446 §4.6.1: lifetime 0 means "do not use"; more than 7 days is illegal_parameter.
    if (nst.lifetime > 604800) throw new SslError('BAD_TICKET_LIFETIME', { detail: 'ticket lifetime over 7 days' });
    if (nst.lifetime === 0) return 'post-handshake';
    const suite = this.suite as NonNullable<typeof this.suite>;
    const psk = await resumptionPsk(this.config.provider, suite.hash, this.#resumptionMasterSecret as Uint8Array, nst.nonce);
    const t: ReceivedTicket = { lifetime: nst.lifetime, ageAdd: nst.ageAdd, nonce: nst.nonce.slice(), ticket: nst.ticket.slice(), receivedAt: this.config.now(), maxEarlyData, psk };
    if (this.#tickets.length >= 8) this.#tickets.shift();
    this.#tickets.push(t);
    this.latestSession = new SslSession({
      cipherSuite: suite.name,
      serverName: this.hostName,
      alpn: this.alpnProtocol,
      ticket: t.ticket,
      psk,
      ageAdd: t.ageAdd,
      lifetime: t.lifetime,
      receivedAt: t.receivedAt,
      peerCertificates: this.peerCertificates.slice(),
      verifyResult: this.verifyCode,
      verifiedHostname: this.verifiedHostname,
    });
    return 'post-handshake';
  }
}
