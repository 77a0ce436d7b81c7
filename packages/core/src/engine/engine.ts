/**
 * The sans-IO TLS engine (1.3, and 1.2 through handleRecord12): records in, records out, plaintext in and out. It knows nothing of BIOs,
 * return codes or OpenSSL's shutdown flags (ssl.ts and ssl/ map those); it knows records and handshake states.
 * What every record passes through (deframing, speculation, output queue, plaintext, closure, the sticky error,
 * status) is its base class, engine/record-layer.ts; this file adds the content of records, keys and the handshake.
 *
 * Verbs (quinn's): inputs `receive`/`inputDone` then `processRecord`, outputs `take`/`readPlaintext`, commands `send*`/`queue*`, getters (`status()`).
 *
 * Rules:
 * - Every method that awaits crypto is called through the Ssl op queue, one at a time. Record sequence
 *   numbers are taken synchronously inside the protectors, so output order is call order.
 * - Any failure inside is an `SslError` (peer or local); `fail()` (the catch boundary) records the first one and
 *   queues its alert. Anything else thrown is a bug and becomes internal_error.
 * - A handshake message never spans a key change (RFC 8446 §5.1): `setReadKey` refuses buffered fragments.
 * - Alerts received: close_notify ends the read side; user_canceled is tolerated (warning); every other
 *   alert is fatal whatever its level (RFC 8446 §6.2). An alert record without content is unexpected_message.
 * - One middlebox-compatibility CCS is dropped (RFC 8446 §5, between the first ClientHello and the peer's
 *   Finished); a second one is unexpected_message (CVE-2020-25648 is why stacks no longer count them).
 * - Once the read key is set, only the server accepts a plaintext alert, and only as the client's first answer
 *   to its flight (before any protected record from the client); everything else must be protected (§5).
 * - Early data (RFC 8446 §4.2.10, handshake/early-data.ts): accepted, it is application data before the handshake
 *   completes (`early.reading`, within max_early_data); rejected, `skipEarlyData` drops records that do not open under
 *   the handshake key (after an HRR: application data until the second ClientHello), within MAX_REJECTED_EARLY_DATA.
 */
import { X509_V_ERR_NOT_VERIFIED } from '../cert/verify.js';
import { hashLength } from '../crypto/provider.js';
import type { CipherSuite } from '../crypto/suites.js';
import { SslError } from '../errors/ssl-error.js';
import type { EarlyDataSkip, Handshake, HandshakeContext, PostHandshakeAuthRefusal, RecordEvent, TicketRequests } from '../handshake/context.js';
import { createHandshake, type HandshakeOptions } from '../handshake/create.js';
import { EarlyData } from '../handshake/early-data.js';
import { Transcript } from '../handshake/transcript.js';
import { nextTrafficSecret, trafficKeys } from '../keys/tls13-key-schedule.js';
import { plainRecord } from '../record/fragmenter.js';
import { RecordProtector12 } from '../record/tls12.js';
import { RecordProtector13 } from '../record/tls13.js';
import type { SslSession } from '../session/session.js';
import { ContentType, HandshakeType } from '../wire/enums.js';
import { encodeKeyUpdate, type HandshakeMessage, HandshakeReassembler, parseKeyUpdate } from '../wire/handshake.js';
import type { EngineConfig } from './config.js';
import { RecordLayer } from './record-layer.js';
import { ConnectionSecrets } from './secrets.js';
import type { Speculation } from './speculation.js';
export type { RecordEvent } from '../handshake/context.js';

/**
 * The engine of one connection. It holds its handshake role (client or server, handshake/create.ts) and passes
 * itself to it as the `HandshakeContext`; the role never sees the record layer.
 */
export class Engine extends RecordLayer implements HandshakeContext {
  readonly transcript: Transcript;
  /** The handshake role: its states, and the role-specific queries of the facade. */
  private readonly hs: Handshake;
  protected readonly reasm: HandshakeReassembler;
  // Secrets live in #private fields: no inspection, enumeration or serialisation reaches them (docs/robustness.md).
  #readSecret: Uint8Array | null = null;
  #writeSecret: Uint8Array | null = null;
  suite: CipherSuite | null = null;
  version: 'TLSv1.2' | 'TLSv1.3' | null = null;
  extendedMasterSecret = false;

  /** Handshake messages waiting to be packed into records with the current write key. */
  private hsOut: Uint8Array[] = [];
  handshakeComplete = false;
  /** True once ClientHello has been sent (client) or received (server): CCS is tolerated from then on. */
  protected helloSeen = false;
  /** True once the peer's Finished has been processed: CCS is no longer tolerated. */
  protected peerFinished = false;
  /** True once the peer's compatibility CCS was dropped: another one is unexpected_message. */
  private ccsSeen = false;
  /** True once a record from the peer opened under a read key (plaintext alerts are refused from then on). */
  private protectedSeen = false;
  /** Server: rejected early data to skip (RFC 8446 §4.2.10): records that do not open under the handshake key,
   * or (after a HelloRetryRequest) application-data records before the second ClientHello. */
  protected skipEarlyData: EarlyDataSkip = 'none';
  /** 0-RTT early data: offered, accepted, being written (client) or read (server). */
  readonly early = new EarlyData();
  /** Set by the facade: run before each post-handshake message is processed (OpenSSL writes what it owes, an
   * owed KeyUpdate reply, when its state machine is entered for the next message). */
  beforePostHandshakeMessage: (() => Promise<void>) | null = null;
  /** A KeyUpdate the application scheduled (keyUpdate()): null, or whether to request one back. While set,
   * the connection is "in init" (shutdown rule 10) and doHandshake/write send it. */
  pendingKeyUpdate: boolean | null = null;
  /** A reply owed to the peer's KeyUpdate(update_requested). Not "in init": sent before our next application
   * data, or by the read that processes the next post-handshake message; dropped once SENT is set (as
   * OpenSSL 3 does). */
  owedKeyUpdate = false;
  /** KeyUpdates memtls sent by itself because a write key reached its usage limit (RFC 8446 §5.5). */
  autoKeyUpdates = 0;
  /** True when the handshake resumed a session (PSK). */
  sessionReused = false;
  pskIdentity: Uint8Array | null = null;
  alpnProtocol: string | null = null;
  /** The key exchange group of the handshake. */
  group: string | null = null;
  /** True when the handshake went through a HelloRetryRequest. */
  helloRetried = false;
  serverName: string | null = null;
  peerCertificates: Uint8Array[] = [];
  /** OpenSSL's SSL_get_verify_result as a name: X509_V_OK only once the peer's path was validated (or the
   * resumed session's was), X509_V_ERR_NOT_VERIFIED while nothing was verified, else the X509_V_ERR_* found. */
  verifyCode: string = X509_V_ERR_NOT_VERIFIED;
  /** The host name the peer's leaf was checked against (null: none), kept in sessions. */
  verifiedHostname: string | null = null;
  /** The validated certification path, leaf first, trust anchor last (OpenSSL's SSL_get0_verified_chain);
   * empty unless this handshake validated the peer's path. */
  verifiedChain: Uint8Array[] = [];

  private readonly secrets: ConnectionSecrets; // exporter secrets, Finished verify_data, key log
  setExporterSecret(secret: Uint8Array): void { this.secrets.setExporterSecret(secret); }
  setExporter12(master: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array): void { this.secrets.setExporter12(master, clientRandom, serverRandom); }
  setClientRandom(random: Uint8Array): void { this.secrets.setClientRandom(random); }
  logSecret(label: string, secret: Uint8Array): void { this.secrets.logSecret(label, secret); }

  constructor(config: EngineConfig, opts: HandshakeOptions = { serverName: null, session: null }) {
    super(config);
    this.secrets = new ConnectionSecrets(config);
    this.transcript = new Transcript(config.provider);
    this.reasm = new HandshakeReassembler(config.limits.maxHandshakeMessage);
    this.hs = createHandshake(this, opts);
  }

  // ---------------------------------------------------------------- the handshake role (HandshakeContext members are documented there)

  /** Client: queue the ClientHello. Server: nothing. */
  start(): Promise<void> {
    return this.hs.start(this);
  }

  /** Handle one complete handshake message (transcript bookkeeping is the role's). */
  private handleHandshake(msg: HandshakeMessage): Promise<RecordEvent> {
    return this.hs.handle(this, msg);
  }

  /** RecordLayer.directAppData: the handshake is over, no early data is read or skipped, no handshake message is half received. */
  protected get directAppData(): boolean { return this.handshakeComplete && this.peerFinished && !this.early.reading && this.skipEarlyData === 'none' && this.reasm.buffered === 0; }

  /** True while the handshake (or a scheduled post-handshake flight: KeyUpdate, armed tickets) is unfinished. */
  get inInit(): boolean {
    return !this.handshakeComplete || this.pendingKeyUpdate !== null || this.hs.holdsInit;
  }

  /** The name of the handshake state (in UNEXPECTED_MESSAGE details). */
  get stateName(): string {
    return this.hs.stateName;
  }

  /** SSL_CTX_remove_session: the connection ended badly, its sessions must not be resumed (rule 19). */
  invalidateSessions(): void {
    this.hs.invalidateSessions();
  }

  /** Client: the newest session made from a NewSessionTicket (getSession()). Server: null. */
  get latestSession(): SslSession | null {
    return this.hs.latestSession;
  }

  /** Server: the tickets requested with newSessionTicket() (SSL_new_session_ticket). Client: null. */
  get tickets(): TicketRequests | null { return this.hs.tickets; }
  /** Client: the early data its session allows (writeEarlyData checks it before the ClientHello). */
  get earlyAllowance(): number { return this.hs.earlyAllowance; }

  /** Client: SSL_set_tlsext_host_name, before the ClientHello is built (the facade checks). False on a server. */
  setServerName(name: string): boolean {
    return this.hs.setServerName(this, name);
  }

  markHelloSeen(): void { this.helloSeen = true; }
  setPeerFinishedData(verifyData: Uint8Array): void { this.secrets.setFinished(false, verifyData); }
  markPeerFinished(): void { this.peerFinished = true; }
  markHandshakeComplete(): void { this.handshakeComplete = true; }
  setSkipEarlyData(mode: EarlyDataSkip): void { this.skipEarlyData = mode; }
  trafficSecret(write: boolean): Uint8Array { return (write ? this.#writeSecret : this.#readSecret) as Uint8Array; }
  /** Server: SSL_verify_client_post_handshake once the facade checked the version and the handshake. */
  requestClientAuth(): PostHandshakeAuthRefusal | null { return this.hs.requestClientAuth(); }

  /** Count one NewSessionTicket (limits.maxTickets) or post-handshake CertificateRequest (limits.maxCertRequests). */
  countPostHandshake(msg: 'ticket' | 'certRequest'): void { if (msg === 'ticket') this.flood.ticket(); else this.flood.certRequest(); }

  // ---------------------------------------------------------------- output

  /** Queue an unprotected record (the middlebox-compatibility CCS). */
  pushPlain(type: number, payload: Uint8Array): void {
    this.pushRecord(plainRecord(type, payload));
  }

  /** Queue a handshake message; it goes into the transcript unless `noTranscript`. */
  queueHandshake(raw: Uint8Array, noTranscript = false): void {
    if (!noTranscript) this.transcript.add(raw);
    this.tellMsg('sent', ContentType.HANDSHAKE, raw);
    if (raw[0] === HandshakeType.FINISHED) this.secrets.setFinished(true, raw.slice(4));
    this.hsOut.push(raw);
  }

  /** Pack queued handshake messages into records under the current write key. */
  async flushHandshake(legacyVersion = 0x0303): Promise<void> {
    if (this.hsOut.length === 0) return;
    const frags = this.fragmenter.handshakeFragments(this.hsOut, this.writeProt !== null);
    this.hsOut = [];
    for (const frag of frags) {
      if (this.writeProt) this.pushRecord(await this.writeProt.seal(ContentType.HANDSHAKE, frag));
      else this.pushRecord(plainRecord(ContentType.HANDSHAKE, frag, legacyVersion));
    }
  }

  /**
   * Seal several records of application data concurrently (each at most 2^14 bytes). Sequence numbers are
   * taken in order before any await, and the records are queued in order.
   */
  async sendAppDataBatch(chunks: readonly Uint8Array[]): Promise<void> {
    if (!this.writeProt || !(this.handshakeComplete || this.early.writing)) throw new Error('sendAppData before the handshake completed');
    await this.flushKeyUpdate();
    const prot = this.writeProt;
    const sealed = await Promise.all(chunks.map((c) => prot.seal(ContentType.APPLICATION_DATA, c)));
    for (const r of sealed) this.pushRecord(r);
  }

  /**
   * Send the scheduled KeyUpdate (and, with `includeOwed`, an owed reply), then move to the next write key
   * (RFC 8446 §4.6.3). One KeyUpdate answers both.
   */
  async flushKeyUpdate(includeOwed = true): Promise<void> {
    if (!this.handshakeComplete) return;
    const owed = includeOwed && this.owedKeyUpdate && !this.writeClosed;
    if (this.pendingKeyUpdate === null && !owed) return;
    const request = this.pendingKeyUpdate === true;
    this.pendingKeyUpdate = null;
    this.owedKeyUpdate = false;
    this.queueHandshake(encodeKeyUpdate(request), true);
    await this.flushHandshake();
    await this.updateWriteKey();
  }

  /**
   * Application-data records the write key may still seal before memtls rotates it (RFC 8446 §5.5, AES-GCM:
   * `limits.keyUpdateAfterRecords`); Infinity when no rotation is due (ChaCha20-Poly1305, before keys, or after
   * our close_notify).
   */
  get recordsBeforeKeyUpdate(): number {
    const prot = this.writeProt;
    // TLS 1.2 has no KeyUpdate: its keys are never rotated.
    if (!prot || !this.suite || !this.handshakeComplete || this.writeClosed || this.suite.aead === 'CHACHA20-POLY1305' || this.version === 'TLSv1.2') return Number.POSITIVE_INFINITY;
    return Math.max(0, this.config.limits.keyUpdateAfterRecords - prot.sequence);
  }

  /**
   * Rotate the write key now, unasked (the usage limit is reached): KeyUpdate(update_not_requested), which also
   * answers a KeyUpdate the peer requested. Never after our close_notify (shutdown rule 6).
   */
  async autoKeyUpdate(): Promise<void> {
    if (this.writeClosed || !this.handshakeComplete) return;
    this.autoKeyUpdates++;
    this.pendingKeyUpdate ??= false;
    await this.flushKeyUpdate(true);
  }

  /** What doHandshake sends after the handshake: the scheduled KeyUpdate and tickets, not an owed reply. */
  async flushPostHandshake(): Promise<void> {
    await this.flushKeyUpdate(false);
    await this.hs.flushPostHandshake(this);
  }

  // ---------------------------------------------------------------- keys

  async setReadKey(secret: Uint8Array): Promise<void> {
    const suite = this.suite as CipherSuite;
    if (this.reasm.buffered > 0) {
      throw new SslError('NOT_ON_RECORD_BOUNDARY', { detail: 'handshake message spans a key change' });
    }
    this.#readSecret = secret;
    this.readProt = await RecordProtector13.create(this.config.provider, suite, await trafficKeys(this.config.provider, suite.hash, secret, suite.keyLen, suite.ivLen), this.config.limits.seqLimit);
  }

  async setKey12(direction: 'read' | 'write', keys: { key: Uint8Array; iv: Uint8Array }): Promise<void> {
    const prot = await RecordProtector12.create(this.config.provider, this.suite as CipherSuite, keys);
    if (direction === 'read') this.readProt = prot;
    else this.writeProt = prot;
  }

  async setWriteKey(secret: Uint8Array | null): Promise<void> {
    const suite = this.suite as CipherSuite;
    this.#writeSecret = secret;
    // null: back to plaintext (a client's second ClientHello after it wrote early data).
    this.writeProt = secret && await RecordProtector13.create(this.config.provider, suite, await trafficKeys(this.config.provider, suite.hash, secret, suite.keyLen, suite.ivLen), this.config.limits.seqLimit);
  }

  private async updateWriteKey(): Promise<void> {
    const suite = this.suite as CipherSuite;
    await this.setWriteKey(await nextTrafficSecret(this.config.provider, suite.hash, this.#writeSecret as Uint8Array));
  }

  private async updateReadKey(): Promise<void> {
    const suite = this.suite as CipherSuite;
    await this.setReadKey(await nextTrafficSecret(this.config.provider, suite.hash, this.#readSecret as Uint8Array));
  }

  /** TLS-Exporter (RFC 8446 §7.5, RFC 5705; engine/secrets.ts); available once the handshake has completed. */
  exportKeyingMaterial(label: string, context: Uint8Array | null, length: number): Promise<Uint8Array> {
    if (!this.handshakeComplete) throw new TypeError('exportKeyingMaterial before the handshake completed');
    return this.secrets.export(this.suite, label, context, length);
  }

  /** TLS-Exporter computed synchronously, with a provider that has `hashSync` (and `hkdfExpandSync` in TLS 1.3), else null. */
  exportKeyingMaterialSync(label: string, context: Uint8Array | null, length: number): Uint8Array | null {
    return this.secrets.exportSync(this.suite, label, context, length);
  }

  /** A copy of the verify_data of the latest Finished sent (`sent`) or received, or null before there is one. */
  finishedData(sent: boolean): Uint8Array | null {
    return this.secrets.finishedData(sent);
  }

  // ---------------------------------------------------------------- input

  /** Handle one record: `header` is its 5 bytes, `body` the rest (its length was checked by the deframer). */
  protected override async handleRecord(header: Uint8Array, body: Uint8Array, pre?: Speculation): Promise<RecordEvent> {
    const outerType = header[0] as number;
    if (this.version === 'TLSv1.2') return this.handleRecord12(header, body, pre);
    if (outerType === ContentType.CHANGE_CIPHER_SPEC) {
      // RFC 8446 §5: a single-byte 0x01 CCS between the first ClientHello and the peer's Finished is
      // dropped; anything else is unexpected_message.
      // (Before the version is settled; only when TLS 1.3 was offered: a TLS 1.2-only client tolerates none.)
      if (!this.helloSeen || this.peerFinished || !this.config.versions.tls13 || body.length !== 1 || body[0] !== 1) {
        throw new SslError(body.length === 1 && body[0] === 1 ? 'CCS_RECEIVED_EARLY' : 'BAD_CHANGE_CIPHER_SPEC');
      }
      if (this.ccsSeen) throw new SslError('UNEXPECTED_CCS_MESSAGE', { detail: 'a second change_cipher_spec record' });
      this.ccsSeen = true;
      this.flood.empty();
      return 'none';
    }
    let type = outerType;
    let content = body;
    // A client that fails during the handshake may send its alert before it switched to its handshake key
    // (OpenSSL's client does: it installs that key just before its second flight); the server accepts it in
    // plaintext as the client's first answer. A client never does: the server's alerts follow its keys.
    if (this.readProt && outerType === ContentType.ALERT && !this.peerFinished && !this.protectedSeen && this.config.role === 'server') return this.handleAlert(body, this.reasm.buffered > 0);
    if (this.readProt) {
      if (outerType !== ContentType.APPLICATION_DATA) {
        throw new SslError('UNEXPECTED_RECORD', { detail: `plaintext record of type ${outerType} after keys were set` });
      }
      let opened: { type: number; content: Uint8Array };
      if (this.skipEarlyData === 'undecryptable') {
        // Rejected early data does not open under the handshake key: skip it (no sequence number is taken).
        const o = await this.readProt.openIfAuthentic(header, body);
        if (o === null) return this.skipRejectedEarlyData(5 + body.length);
        this.skipEarlyData = 'none';
        opened = o;
      } else {
        // A speculative decryption is used only if it was made with this key for this sequence number.
        opened = pre && pre.prot === this.readProt && this.readProt.adopt(pre.seq) ? this.readProt.finishOpen(await pre.result, header) : await this.readProt.open(header, body);
      }
      this.protectedSeen = true;
      type = opened.type;
      content = opened.content;
    } else if (outerType === ContentType.APPLICATION_DATA) {
      // After a HelloRetryRequest, the early data of the first ClientHello arrives before the second one.
      if (this.skipEarlyData === 'before-second-hello') return this.skipRejectedEarlyData(5 + body.length);
      throw new SslError('UNEXPECTED_RECORD', { detail: 'application data before the handshake keys' });
    }
    return this.handleContent(type, content, body);
  }

  /** A TLS 1.2 record (RFC 5246 §6): opened once the read key is installed; its header's type is its type. A CCS
   * goes to the state that expects it (which installs the read key); one mid-message or after the key is refused. */
  private async handleRecord12(header: Uint8Array, body: Uint8Array, pre?: Speculation): Promise<RecordEvent> {
    const type = header[0] as number;
    let content = body;
    if (this.readProt) {
      const prot = this.readProt;
      content = (pre && pre.prot === prot && prot.adopt(pre.seq) ? prot.finishOpen(await pre.result, header) : await prot.open(header, body)).content;
    } else if (type === ContentType.APPLICATION_DATA) throw new SslError('UNEXPECTED_RECORD', { detail: 'application data before the handshake keys' });
    if (type !== ContentType.ALERT && content.length > 0) this.warnAlerts = 0;
    if (type !== ContentType.CHANGE_CIPHER_SPEC) return this.handleContent(type, content, body);
    if (content.length !== 1 || content[0] !== 1) throw new SslError('BAD_CHANGE_CIPHER_SPEC');
    if (this.readProt) throw new SslError('UNEXPECTED_CCS_MESSAGE', { detail: 'a second change_cipher_spec' });
    if (this.reasm.buffered > 0) throw new SslError('UNEXPECTED_CCS_MESSAGE', { detail: 'change_cipher_spec inside a handshake message' });
    await this.hs.changeCipherSpec(this);
    return 'none';
  }

  /** The content of an opened record, by its type (both versions). */
  private async handleContent(type: number, content: Uint8Array, body: Uint8Array): Promise<RecordEvent> {
    switch (type) {
      case ContentType.ALERT:
        return this.handleAlert(content, this.reasm.buffered > 0);
      case ContentType.HANDSHAKE: {
        if (content.length === 0) throw new SslError('UNEXPECTED_RECORD', { detail: 'empty handshake record' });
        if (!this.handshakeComplete) this.flood.handshake(content.length);
        this.reasm.push(content);
        let ev: RecordEvent = 'none';
        for (let m = this.reasm.next(); m; m = this.reasm.next()) {
          if (this.handshakeComplete && this.beforePostHandshakeMessage) await this.beforePostHandshakeMessage();
          this.tellMsg('received', ContentType.HANDSHAKE, m.raw);
          const r = await this.handleHandshake(m);
          if (r !== 'none') ev = r;
        }
        return ev;
      }
      case ContentType.APPLICATION_DATA:
        if (this.early.reading && this.reasm.buffered === 0) this.early.count(content.length);
        else if (!this.handshakeComplete || !this.peerFinished) {
          throw new SslError('UNEXPECTED_RECORD', { detail: 'application data during the handshake' });
        }
        if (this.reasm.buffered > 0) throw new SslError('UNEXPECTED_RECORD', { detail: 'application data inside a handshake message' });
        if (content.length === 0) {
          this.flood.empty();
          return 'none';
        }
        this.flood.progress();
        // The deframer reuses one buffer for record bodies: keep a copy if the provider returned a view into it.
        this.plain.push(content.buffer === body.buffer ? content.slice() : content);
        return 'app-data';
      default:
        throw new SslError('BAD_RECORD_TYPE', { detail: `inner content type ${type}` });
    }
  }

  /** Post-handshake KeyUpdate (RFC 8446 §4.6.3). */
  async handleKeyUpdate(msg: HandshakeMessage): Promise<RecordEvent> {
    const requested = parseKeyUpdate(msg.body);
    this.flood.keyUpdate();
    await this.updateReadKey();
    // Shutdown rule 6: after our close_notify a requested update is never answered. It is still owed, as in
    // OpenSSL (s->key_update): flushKeyUpdate sends nothing while writeClosed, but setShutdown(0) lets the next
    // write send it.
    if (requested) this.owedKeyUpdate = true;
    return 'post-handshake';
  }

  // ---------------------------------------------------------------- plaintext

  get hashLen(): number {
    return this.suite ? hashLength(this.suite.hash) : 0;
  }

  /** Set SENT before our close_notify is written (rules 1/18); an owed KeyUpdate reply is dropped with it. */
  closeWrite(): void {
    this.setClosed(true, this.closeReceived);
    this.owedKeyUpdate = false;
  }

  /** SSL_key_update: schedule a KeyUpdate (requesting one back or not), sent by the next write or handshake call. */
  scheduleKeyUpdate(requestPeer: boolean): void {
    this.pendingKeyUpdate = requestPeer;
  }

  protected override withdrawSessions(): void {
    this.invalidateSessions();
  }
}
