/**
 * TLS 1.3 server handshake (RFC 8446 §2, §4). States, named after what they wait for:
 *
 *   ExpectClientHello --(no usable key share)--> send HRR --> ExpectClientHello2
 *   ExpectClientHello(2) --> send SH, EE, [CR], Certificate, CV, Finished
 *     --> [ExpectCertificate --> ExpectCertificateVerify] --> ExpectFinished --> Connected
 *
 * Negotiation follows the client's preference order for suites and key shares (as OpenSSL does by default)
 * and the server's order for ALPN. Client certificates are requested when `verifyPeer` is set and required.
 */
import type { GroupName, KeyShare } from '../crypto/provider.js';
import type { CipherSuite } from '../crypto/suites.js';
import type { Credential, EngineConfig } from '../engine/config.js';
import type { RecordEvent } from '../engine/engine.js';
import { Engine } from '../engine/engine.js';
import { SslError } from '../errors/ssl-error.js';
import { finishedVerifyData, KeySchedule, resumptionPsk } from '../keys/tls13-key-schedule.js';
import type { CachedSession } from '../session/cache.js';
import { concat, equalBytes } from '../wire/bytes.js';
import { ContentType, ExtensionType as X, HandshakeType as H, ProtocolVersion, PskKeyExchangeMode } from '../wire/enums.js';
import {
  encodeAlpn,
  encodeCookie,
  encodeKeyShareHrr,
  encodeKeyShareServer,
  encodePreSharedKeyServer,
  encodeU16List,
  type Extension,
  findExtension,
  type KeyShareEntry,
  parseAlpn,
  parseCookie,
  parseKeyShareClient,
  parsePreSharedKeyClient,
  parsePskModes,
  parseSupportedVersionsClient,
  parseU16List,
} from '../wire/extensions.js';
import {
  type ClientHello,
  encodeCertificate,
  encodeCertificateRequest,
  encodeCertificateVerify,
  encodeEncryptedExtensions,
  encodeFinished,
  encodeNewSessionTicket,
  encodeServerHello,
  type HandshakeMessage,
  HRR_RANDOM,
  parseCertificate,
  parseCertificateVerify,
  parseClientHello,
} from '../wire/handshake.js';
import { GROUP_CODES, groupByCode } from './client13.js';
import { serverNameFromExtension } from './server-name.js';
import { certificateVerifyContent, checkCertificateVerify, type PeerKey, schemeList, schemeName, tls13SchemesForKey } from './signature.js';

type ServerState =
  | 'expect-client-hello'
  | 'expect-client-hello-2'
  | 'expect-certificate'
  | 'expect-certificate-verify'
  | 'expect-finished'
  | 'connected';

interface Negotiated {
  suite: CipherSuite;
  credential: Credential;
  scheme: number;
  alpn: string | null;
  sni: string | null;
}

export class ServerEngine extends Engine {
  private state: ServerState = 'expect-client-hello';
  private hrrGroup: GroupName | null = null;
  private hrrCookie: Uint8Array | null = null;
  private hrrSuite: CipherSuite | null = null;
  private ks: KeySchedule | null = null;
  // Secrets live in #private fields: no inspection, enumeration or serialisation reaches them (docs/robustness.md).
  #hsSecrets: { client: Uint8Array; server: Uint8Array } | null = null;
  private clientCertKey: PeerKey | null = null;
  #resumptionMasterSecret: Uint8Array | null = null;
  /** Tickets requested with newSessionTicket() and not yet sent (shutdown rule 10: in init meanwhile). */
  pendingTickets = 0;
  /** OpenSSL 3.0: requested tickets put the connection "in init" only once no record is half written (at
   * newSessionTicket() time, or at the next write with an empty write buffer); until then they wait. */
  ticketsArmed = false;
  private ticketNonce = 0;
  /** Cache ids of the tickets this connection issued, and of the one it resumed (rule 19 withdraws them). */
  private readonly issued: Uint8Array[] = [];
  /** The credentials the application's selectContext chose for this handshake (null: the context's own). */
  private selectedCredentials: readonly Credential[] | null = null;
  private resumedId: Uint8Array | null = null;

  constructor(config: EngineConfig) {
    super(config);
  }

  get inInit(): boolean {
    return !this.handshakeComplete || this.pendingKeyUpdate !== null || (this.pendingTickets > 0 && this.ticketsArmed);
  }

  invalidateSessions(): void {
    const cache = this.config.sessionCache;
    if (!cache) return;
    for (const id of this.issued) cache.remove(id);
    if (this.resumedId) cache.remove(this.resumedId);
  }

  override async flushPostHandshake(): Promise<void> {
    await super.flushPostHandshake();
    if (this.pendingTickets > 0 && this.ticketsArmed && this.handshakeComplete) {
      this.ticketsArmed = false;
      // OpenSSL answers an owed KeyUpdate first and leaves the tickets for the next write (test/robustness).
      if (this.owedKeyUpdate && !this.writeClosed) {
        await this.flushKeyUpdate(true);
        return;
      }
      const n = this.pendingTickets;
      this.pendingTickets = 0;
      await this.sendTickets(n);
    }
  }

  /** Issue n NewSessionTickets (RFC 8446 §4.6.1): stateful, each an id into the session cache. */
  /** Bytes of one NewSessionTicket message as sendTickets builds it: header 4, lifetime 4, age_add 4, nonce 1+8,
   * ticket 2+32, extensions 2. */
  static readonly TICKET_MESSAGE_LENGTH = 4 + 4 + 4 + 1 + 8 + 2 + 32 + 2;

  private async sendTickets(n: number): Promise<void> {
    const cache = this.config.sessionCache;
    if (!cache || n <= 0) return;
    const p = this.config.provider;
    const suite = this.suite as CipherSuite;
    for (let i = 0; i < n; i++) {
      // An 8-byte counter, as OpenSSL uses (RFC 8446 §4.6.1: unique per ticket on this connection).
      const nonce = new Uint8Array(8);
      new DataView(nonce.buffer).setUint32(4, this.ticketNonce);
      this.ticketNonce++;
      const id = p.randomBytes(32);
      const ageAdd = new DataView(p.randomBytes(4).buffer).getUint32(0);
      const entry: CachedSession = {
        psk: await resumptionPsk(p, suite.hash, this.#resumptionMasterSecret as Uint8Array, nonce),
        hash: suite.hash,
        cipherSuite: suite.id,
        alpn: this.alpnProtocol,
        serverName: this.serverName,
        createdAt: this.config.now().getTime(),
        lifetime: this.config.ticketLifetime,
        ageAdd,
        peerCertificates: this.peerCertificates.slice(),
        verifyResult: this.verifyCode,
      };
      cache.add(id, entry);
      this.issued.push(id);
      this.queueHandshake(encodeNewSessionTicket({ lifetime: entry.lifetime, ageAdd, nonce, ticket: id, extensions: [] }), true);
      // One record per ticket, as OpenSSL sends them (each is one post-handshake event for the peer).
      await this.flushHandshake();
    }
  }

  get stateName(): string {
    return this.state;
  }

  async start(): Promise<void> {}

  protected async handleHandshake(msg: HandshakeMessage): Promise<RecordEvent> {
    switch (this.state) {
      case 'expect-client-hello':
      case 'expect-client-hello-2':
        if (msg.type !== H.CLIENT_HELLO) return this.unexpected(msg, this.state);
        return this.handleClientHello(msg);
      case 'expect-certificate':
        if (msg.type !== H.CERTIFICATE) return this.unexpected(msg, this.state);
        return this.handleClientCertificate(msg);
      case 'expect-certificate-verify':
        if (msg.type !== H.CERTIFICATE_VERIFY) return this.unexpected(msg, this.state);
        return this.handleClientCertificateVerify(msg);
      case 'expect-finished':
        if (msg.type !== H.FINISHED) return this.unexpected(msg, this.state);
        return this.handleFinished(msg);
      case 'connected':
        return this.handlePostHandshake(msg);
      default:
        return this.unexpected(msg, this.state);
    }
  }

  private negotiate(ch: ClientHello): Negotiated {
    const c = this.config;
    // Version (RFC 8446 §4.2.1): supported_versions decides; without it the client speaks TLS 1.2 or older.
    // RFC 8446 §D.5: legacy_version 0x0300 (SSL 3.0) or lower is protocol_version, whatever else is offered.
    if (ch.legacyVersion <= 0x0300) throw new SslError('BAD_LEGACY_VERSION', { detail: `ClientHello legacy_version 0x${ch.legacyVersion.toString(16).padStart(4, '0')}` });
    if (ch.legacyVersion >> 8 !== 3) throw new SslError('UNSUPPORTED_PROTOCOL', { detail: 'ClientHello legacy_version is not TLS' });
    const sv = findExtension(ch.extensions, X.SUPPORTED_VERSIONS);
    if (!sv || !parseSupportedVersionsClient(sv).includes(ProtocolVersion.TLS13)) {
      throw new SslError('UNSUPPORTED_PROTOCOL', { detail: 'the client does not offer TLS 1.3 (TLS 1.2 is not enabled)' });
    }
    // RFC 8446 §4.1.2: exactly one compression method, null.
    if (ch.compressionMethods.length !== 1 || ch.compressionMethods[0] !== 0) throw new SslError('BAD_COMPRESSION');
    // RFC 8446 §4.2.11: pre_shared_key must be the last extension.
    const pskIdx = ch.extensions.findIndex((e) => e.type === X.PRE_SHARED_KEY);
    if (pskIdx >= 0 && pskIdx !== ch.extensions.length - 1) throw new SslError('BAD_EXTENSION', { detail: 'pre_shared_key is not the last extension' });
    // The client's order decides; a Set keeps a list of 32767 suites linear to search.
    const offeredSuites = new Set(ch.cipherSuites);
    let suite: CipherSuite | undefined;
    for (const id of this.hrrSuite ? [this.hrrSuite.id] : ch.cipherSuites) {
      suite = offeredSuites.has(id) ? c.suites.find((s) => s.id === id) : undefined;
      if (suite) break;
    }
    if (!suite) throw new SslError('NO_SHARED_CIPHER');
    const sni = findExtension(ch.extensions, X.SERVER_NAME);
    const serverName = sni ? serverNameFromExtension(sni) : null;
    const sigalgs = findExtension(ch.extensions, X.SIGNATURE_ALGORITHMS);
    if (!sigalgs) throw new SslError('MISSING_SIGALGS_EXTENSION');
    const offered = parseU16List(sigalgs, 'signature_algorithms');
    const credential = pickCredential(this.selectedCredentials ?? c.credentials, serverName);
    if (!credential) throw new SslError('NO_SUITABLE_SIGNATURE_ALGORITHM', { detail: 'no certificate configured', origin: 'local' });
    // Our key signs with a scheme the client offered, that the key can make and that our sigalgs allow.
    const mine = tls13SchemesForKey(credential.keyType, credential.keyBits).filter((s) => c.signatureSchemes.includes(s));
    const scheme = offered.find((s) => mine.includes(s));
    if (scheme === undefined) {
      throw new SslError('NO_SUITABLE_SIGNATURE_ALGORITHM', { detail: `the client offers none of the schemes our ${credential.keyType} key may sign with (${schemeList(mine)})` });
    }
    let alpn: string | null = null;
    const alpnExt = findExtension(ch.extensions, X.ALPN);
    if (alpnExt) {
      const theirs = parseAlpn(alpnExt);
      if (c.alpnSelect) alpn = c.alpnSelect(serverName, theirs);
      else if (c.alpn?.length) {
        alpn = c.alpn.find((p) => theirs.includes(p)) ?? null;
        if (alpn === null) throw new SslError('NO_APPLICATION_PROTOCOL');
      }
    }
    return { suite, credential, scheme, alpn, sni: serverName };
  }

  /**
   * Choose a PSK from the ClientHello (RFC 8446 §4.2.11): the first identity that is in the cache, unexpired
   * and of the suite's hash, with its binder verified. A bad binder is fatal; an unknown ticket is ignored.
   */
  private async selectPsk(ch: ClientHello, raw: Uint8Array, prefix: Uint8Array, suite: CipherSuite): Promise<{ index: number; entry: CachedSession; id: Uint8Array } | null> {
    const pskExt = findExtension(ch.extensions, X.PRE_SHARED_KEY);
    if (!pskExt) return null;
    const modesExt = findExtension(ch.extensions, X.PSK_KEY_EXCHANGE_MODES);
    if (!modesExt) throw new SslError('MISSING_PSK_KEX_MODES_EXTENSION', { detail: 'pre_shared_key without psk_key_exchange_modes' });
    const offered = parsePreSharedKeyClient(pskExt);
    const cache = this.config.sessionCache;
    if (!cache || !parsePskModes(modesExt).includes(PskKeyExchangeMode.PSK_DHE_KE)) return null;
    const now = this.config.now().getTime();
    for (let i = 0; i < offered.identities.length; i++) {
      const id = (offered.identities[i] as { identity: Uint8Array }).identity;
      const entry = cache.get(id, now);
      if (!entry || entry.hash !== suite.hash) continue;
      const ks = new KeySchedule(this.config.provider, suite.hash);
      await ks.early(entry.psk);
      const th = await this.config.provider.hash(suite.hash, concat(prefix, raw.subarray(0, raw.length - offered.bindersLength)));
      const expected = await finishedVerifyData(this.config.provider, suite.hash, await ks.binderKey(), th);
      if (!equalBytes(expected, offered.binders[i] as Uint8Array)) throw new SslError('BAD_PSK_BINDER');
      return { index: i, entry, id: id.slice() };
    }
    return null;
  }

  private async handleClientHello(msg: HandshakeMessage): Promise<RecordEvent> {
    const ch = parseClientHello(msg.body);
    this.clientRandom = ch.random;
    this.helloSeen = true;
    const prefix = this.transcript.bytes().slice();
    const select = this.config.selectCredentials;
    if (select && this.state === 'expect-client-hello') {
      // The application's certificate choice (SSL_CTX_set_cert_cb, Node's SNICallback): once per handshake, for
      // the name of the first ClientHello (a second one after a HelloRetryRequest keeps the choice).
      const sni = findExtension(ch.extensions, X.SERVER_NAME);
      this.selectedCredentials = await select(sni ? serverNameFromExtension(sni) : null);
    }
    const neg = this.negotiate(ch);
    const groupsExt = findExtension(ch.extensions, X.SUPPORTED_GROUPS);
    const ksExt = findExtension(ch.extensions, X.KEY_SHARE);
    if (!groupsExt) throw new SslError('MISSING_KEY_SHARE', { detail: 'no supported_groups extension' });
    if (!ksExt) throw new SslError('MISSING_KEY_SHARE');
    const clientGroups = parseU16List(groupsExt, 'supported_groups');
    const shares = parseKeyShareClient(ksExt);
    // RFC 8446 §4.2.8: each share must be for a group listed in supported_groups (a Set: both lists may be long).
    const listedGroups = new Set(clientGroups);
    for (const s of shares) if (!listedGroups.has(s.group)) throw new SslError('BAD_KEY_SHARE', { detail: 'key share for a group not in supported_groups' });

    // RFC 8446 §4.2.10: memtls never accepts early data (no early_data in EncryptedExtensions); the client's
    // early data is skipped: after a HelloRetryRequest until the second ClientHello, else while it does not open
    // under the handshake key.
    const offersEarlyData = this.state === 'expect-client-hello' && findExtension(ch.extensions, X.EARLY_DATA) !== undefined;
    if (this.state === 'expect-client-hello-2') {
      this.skipEarlyData = 'none';
      // RFC 8446 §4.1.2: the second ClientHello answers the HRR: the cookie echoed, one share for the group.
      const cookie = findExtension(ch.extensions, X.COOKIE);
      if (this.hrrCookie && (!cookie || !equalBytes(parseCookie(cookie), this.hrrCookie))) {
        throw new SslError('BAD_EXTENSION', { detail: 'second ClientHello did not echo the cookie' });
      }
      const want = GROUP_CODES[this.hrrGroup as GroupName];
      if (shares.length !== 1 || shares[0]?.group !== want) throw new SslError('BAD_KEY_SHARE', { detail: 'second ClientHello lacks the requested key share' });
      if (neg.suite.id !== this.hrrSuite?.id) throw new SslError('NO_SHARED_CIPHER', { detail: 'second ClientHello changed the cipher suites' });
      const psk = await this.selectPsk(ch, msg.raw, prefix, neg.suite);
      this.transcript.add(msg.raw);
      return this.sendServerFlight(ch, neg, shares[0], psk);
    }

    const supported = this.config.groups.map((g) => GROUP_CODES[g]);
    const share = shares.find((s) => supported.includes(s.group));
    this.suite = neg.suite;
    this.transcript.hashName = neg.suite.hash;
    if (share) {
      const psk = await this.selectPsk(ch, msg.raw, prefix, neg.suite);
      this.transcript.add(msg.raw);
      if (offersEarlyData) this.skipEarlyData = 'undecryptable';
      return this.sendServerFlight(ch, neg, share, psk);
    }
    this.transcript.add(msg.raw);
    // No usable share: ask for one with a HelloRetryRequest (RFC 8446 §4.1.4), if a common group exists.
    const group = this.config.groups.find((g) => clientGroups.includes(GROUP_CODES[g]));
    if (!group) throw new SslError('NO_SUITABLE_KEY_SHARE', { detail: 'no group in common' });
    this.hrrGroup = group;
    this.helloRetried = true;
    if (offersEarlyData) this.skipEarlyData = 'before-second-hello';
    this.hrrSuite = neg.suite;
    this.hrrCookie = this.config.provider.randomBytes(32);
    await this.transcript.replaceWithMessageHash();
    const hrr = encodeServerHello({
      legacyVersion: ProtocolVersion.TLS12,
      random: HRR_RANDOM,
      sessionId: ch.sessionId,
      cipherSuite: neg.suite.id,
      compressionMethod: 0,
      extensions: [
        { type: X.SUPPORTED_VERSIONS, data: new Uint8Array([0x03, 0x04]) },
        { type: X.KEY_SHARE, data: encodeKeyShareHrr(GROUP_CODES[group]) },
        { type: X.COOKIE, data: encodeCookie(this.hrrCookie) },
      ],
    });
    this.queueHandshake(hrr);
    await this.flushHandshake();
    if (ch.sessionId.length) this.queueCompatCcs();
    this.state = 'expect-client-hello-2';
    return 'handshake';
  }

  /** RFC 8446 §D.4: in middlebox compatibility mode a dummy CCS follows the server's first handshake message. */
  private queueCompatCcs(): void {
    this.pushPlain(ContentType.CHANGE_CIPHER_SPEC, new Uint8Array([1]));
  }

  private async sendServerFlight(
    ch: ClientHello,
    neg: Negotiated,
    share: KeyShareEntry,
    psk: { index: number; entry: CachedSession; id: Uint8Array } | null,
  ): Promise<RecordEvent> {
    const p = this.config.provider;
    const group = groupByCode(share.group) as GroupName;
    this.group = group;
    const mine: KeyShare = await p.generateKeyShare(group);
    const shared = await mine.deriveSecret(share.keyExchange);
    if (!shared) throw new SslError('BAD_KEY_SHARE', { detail: 'invalid client key share' });
    this.suite = neg.suite;
    this.transcript.hashName = neg.suite.hash;
    this.alpnProtocol = neg.alpn;
    this.serverName = neg.sni;
    const sh = encodeServerHello({
      legacyVersion: ProtocolVersion.TLS12,
      random: p.randomBytes(32),
      sessionId: ch.sessionId,
      cipherSuite: neg.suite.id,
      compressionMethod: 0,
      extensions: [
        { type: X.KEY_SHARE, data: encodeKeyShareServer({ group: share.group, keyExchange: mine.publicKey }) },
        { type: X.SUPPORTED_VERSIONS, data: new Uint8Array([0x03, 0x04]) },
        ...(psk ? [{ type: X.PRE_SHARED_KEY, data: encodePreSharedKeyServer(psk.index) }] : []),
      ],
    });
    if (psk) {
      this.sessionReused = true;
      this.resumedId = psk.id;
      this.peerCertificates = psk.entry.peerCertificates.slice();
      this.verifyCode = psk.entry.verifyResult;
    }
    this.queueHandshake(sh);
    await this.flushHandshake();
    if (ch.sessionId.length && !this.hrrCookie) this.queueCompatCcs();
    this.ks = new KeySchedule(p, neg.suite.hash);
    await this.ks.early(psk ? psk.entry.psk : null);
    this.#hsSecrets = await this.ks.handshake(shared, await this.transcript.hash());
    this.logSecret('CLIENT_HANDSHAKE_TRAFFIC_SECRET', this.#hsSecrets.client);
    this.logSecret('SERVER_HANDSHAKE_TRAFFIC_SECRET', this.#hsSecrets.server);
    await this.setWriteKey(this.#hsSecrets.server);
    await this.setReadKey(this.#hsSecrets.client);

    const ee: Extension[] = [];
    if (neg.sni !== null) ee.push({ type: X.SERVER_NAME, data: new Uint8Array(0) });
    if (neg.alpn !== null) ee.push({ type: X.ALPN, data: encodeAlpn([neg.alpn]) });
    this.queueHandshake(encodeEncryptedExtensions(ee));
    // A resumed handshake authenticates with the PSK: no CertificateRequest, Certificate, CertificateVerify.
    const requestCert = this.config.verifyPeer && !psk;
    if (!psk) {
      if (requestCert) {
        this.queueHandshake(encodeCertificateRequest({ context: new Uint8Array(0), extensions: [{ type: X.SIGNATURE_ALGORITHMS, data: encodeU16List(this.config.signatureSchemes) }] }));
      }
      this.queueHandshake(encodeCertificate({ context: new Uint8Array(0), entries: neg.credential.chain.map((certData) => ({ certData, extensions: [] })) }));
      const key = await neg.credential.signingKey();
      const signature = await key.sign(schemeName(neg.scheme) as NonNullable<ReturnType<typeof schemeName>>, certificateVerifyContent(true, await this.transcript.hash()));
      this.queueHandshake(encodeCertificateVerify({ scheme: neg.scheme, signature }));
    }
    const fin = await finishedVerifyData(p, neg.suite.hash, this.#hsSecrets.server, await this.transcript.hash());
    this.queueHandshake(encodeFinished(fin));
    await this.flushHandshake();
    const app = await this.ks.master(await this.transcript.hash());
    this.exporterSecret = app.exporter;
    this.#appClientSecret = app.client;
    this.logSecret('CLIENT_TRAFFIC_SECRET_0', app.client);
    this.logSecret('SERVER_TRAFFIC_SECRET_0', app.server);
    this.logSecret('EXPORTER_SECRET', app.exporter);
    await this.setWriteKey(app.server);
    this.state = requestCert ? 'expect-certificate' : 'expect-finished';
    return 'handshake';
  }

  #appClientSecret: Uint8Array | null = null;

  private async handleClientCertificate(msg: HandshakeMessage): Promise<RecordEvent> {
    const cert = parseCertificate(msg.body);
    if (cert.context.length !== 0) throw new SslError('INVALID_CONTEXT', { detail: 'certificate_request_context mismatch' });
    this.transcript.add(msg.raw);
    if (cert.entries.length === 0) {
      // verifyPeer on a server requires a certificate unless requireClientCert is false (RFC 8446 §4.4.2.4).
      if (this.config.requirePeerCert) throw new SslError('PEER_DID_NOT_RETURN_A_CERTIFICATE');
      this.state = 'expect-finished';
      return 'handshake';
    }
    for (const e of cert.entries) if (e.extensions.length) throw new SslError('UNSOLICITED_EXTENSION', { detail: 'CertificateEntry extension that was not requested' });
    this.peerCertificates = cert.entries.map((e) => e.certData);
    // Verification first, so that a refused chain is reported with its X509_V_ERR_* code.
    await this.verifyPeerChain(null);
    this.clientCertKey = this.config.leafKey(this.peerCertificates[0] as Uint8Array);
    this.state = 'expect-certificate-verify';
    return 'handshake';
  }

  private async handleClientCertificateVerify(msg: HandshakeMessage): Promise<RecordEvent> {
    const cv = parseCertificateVerify(msg.body);
    await checkCertificateVerify(this.config.provider, this.config.signatureSchemes, this.clientCertKey as PeerKey, cv, await this.transcript.hash(), false);
    this.transcript.add(msg.raw);
    this.state = 'expect-finished';
    return 'handshake';
  }

  private async handleFinished(msg: HandshakeMessage): Promise<RecordEvent> {
    const suite = this.suite as CipherSuite;
    const hs = this.#hsSecrets as { client: Uint8Array; server: Uint8Array };
    const expected = await finishedVerifyData(this.config.provider, suite.hash, hs.client, await this.transcript.hash());
    this.checkFinished(expected, msg, 'client');
    this.transcript.add(msg.raw);
    await this.setReadKey(this.#appClientSecret as Uint8Array);
    this.peerFinished = true;
    this.#resumptionMasterSecret = await (this.ks as KeySchedule).resumptionMaster(await this.transcript.hash());
    this.state = 'connected';
    this.handshakeComplete = true;
    // Nothing needs the transcript or the handshake secrets any more: release them.
    this.transcript.release();
    this.ks = null;
    this.#hsSecrets = null;
    this.#appClientSecret = null;
    // After a resumption one replacement ticket at most, as OpenSSL sends (statem_srvr.c, TLS_ST_SW_SESSION_TICKET);
    // after a full handshake the configured number.
    await this.sendTickets(this.sessionReused ? Math.min(1, this.config.numTickets) : this.config.numTickets);
    return 'handshake';
  }
}

/** Pick the certificate for an SNI name: exact or single-label wildcard match, else the first one. */
export function pickCredential(creds: readonly Credential[], sni: string | null): Credential | undefined {
  if (sni) {
    const name = sni.toLowerCase();
    for (const c of creds) {
      for (const n of c.names) {
        const pat = n.toLowerCase();
        if (pat === name) return c;
        if (pat.startsWith('*.') && name.endsWith(pat.slice(1)) && !name.slice(0, name.length - pat.length + 1).includes('.')) return c;
      }
    }
  }
  return creds[0];
}
