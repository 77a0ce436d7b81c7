/**
 * `Ssl`: OpenSSL's SSL object over memory BIOs. With the modules under ssl/, the only code that knows both
 * BIOs and OpenSSL's return codes; the engine below it (engine/) knows records and handshake states and can be
 * driven without any BIO.
 *
 * Theory of operation
 * - Every public call is validated synchronously (API misuse throws TypeError/RangeError and changes
 *   nothing), then queued: calls run one at a time in call order, so overlapping read and write loops are
 *   safe. Promises exist only because WebCrypto is asynchronous; no call ever waits for the transport.
 * - One record in: ssl/bio-io.ts reads from the read BIO exactly the bytes the engine's deframer asks for
 *   (5-byte header, then the body; never ahead, so bytes after a close_notify stay in the BIO), then the engine
 *   processes the record; the facade maps the event to OpenSSL's return codes.
 * - One record out: the engine seals it into its queue; ssl/bio-io.ts writes it to the write BIO as far as it
 *   takes it and keeps the rest, retried first by the next call (OpenSSL's pending writes). Ahead of what the
 *   BIO took there is at most one record, or one pipeline batch (up to 8) with an asynchronous provider.
 * - `getError(ret)` is OpenSSL's SSL_get_error: this call's error, then the want-read/want-write state,
 *   then ZERO_RETURN when RECEIVED is set and no warning alert replaced close_notify, else SYSCALL.
 * - The shutdown state machine follows reference/openssl3-shutdown.md; each branch cites its rule. SENT and
 *   RECEIVED are the engine's closure state, shown as OpenSSL's bits.
 *
 * Layout: this file is the facade (the op queue, getters and setters; types and argument checks in ssl/api.ts).
 * The connection's state and the steps calls share are in ssl/connection.ts; the steps of SSL_read, SSL_write
 * and SSL_shutdown in ssl/read.ts, ssl/write.ts and ssl/shutdown.ts; BIO pumping in ssl/bio-io.ts.
 */

import type { Bio } from './bio/bio.js';
import { isBytes } from './bio/bio.js';
import { SSL_ERROR_NONE, SSL_OP_NO_TICKET, SSL_SENT_SHUTDOWN } from './constants.js';
import type { MsgInfo } from './engine/config.js';
import { Engine } from './engine/engine.js';
import type { SslError } from './errors/ssl-error.js';
import { MAX_PLAINTEXT } from './record/tls13.js';
import type { SslSession } from './session/session.js';
import { checkBios, checkBits, checkEarlyDataArgs, checkExporterArgs, checkServerNameCall, checkSslArgs, OpQueue, type SslOptions, type SslResult } from './ssl/api.js';
import { BioIo } from './ssl/bio-io.js';
import { verifyClientPostHandshake } from './ssl/client-auth.js';
import { Connection } from './ssl/connection.js';
import { readEarlyDataSteps, writeEarlyDataSteps } from './ssl/early-data.js';
import { readSteps, readSync, writeOwedBeforeMessage } from './ssl/read.js';
import { shutdownSteps } from './ssl/shutdown.js';
import { writeSteps, writeSync } from './ssl/write.js';
import type { SslContext } from './ssl-context.js';

export type { SslOptions, SslResult } from './ssl/api.js';

/**
 * SSL: one TLS connection over a read BIO and a write BIO. Calls never wait for the transport: they return -1 and
 * `getError()` says SSL_ERROR_WANT_READ when bytes are missing.
 */
export class Ssl {
  /** The context this connection was made from. */
  readonly ctx: SslContext;
  private readonly engine: Engine;
  /** The connection's state, its record I/O and the steps of each call (ssl/connection.ts). */
  private readonly conn: Connection;
  /** Calls run one at a time, in call order (ssl/api.ts). */
  private readonly queue = new OpQueue();

  constructor(ctx: SslContext, opts: SslOptions = {}) {
    checkSslArgs(ctx, opts);
    this.ctx = ctx;
    this.engine = new Engine(ctx.engineConfig(this), { serverName: opts.serverName ?? null, session: opts.session ?? null });
    this.conn = new Connection(this.engine, new BioIo(this.engine), ctx.getQuietShutdown(), ctx.getOptions(), ctx.getMode());
    this.engine.beforePostHandshakeMessage = () => writeOwedBeforeMessage(this.conn);
  }

  // ------------------------------------------------------------------ configuration (synchronous)
  /** SSL_set_bio: the same BIO may be given twice. */
  setBio(rbio: Bio, wbio: Bio): void {
    checkBios(rbio, wbio);
    this.conn.io.attach(rbio, wbio);
  }

  /** SSL_set_quiet_shutdown: `shutdown()` then sets both flags without sending close_notify. */
  setQuietShutdown(on: boolean): void {
    this.conn.quiet = !!on;
  }
  /** SSL_get_quiet_shutdown. */
  getQuietShutdown(): boolean {
    return this.conn.quiet;
  }
  /** SSL_get_shutdown: SSL_SENT_SHUTDOWN and SSL_RECEIVED_SHUTDOWN bits. */
  getShutdown(): number {
    return this.conn.flags;
  }
  /** SSL_set_shutdown assigns the flags (rule 12): SENT without an alert, RECEIVED as a clean EOF, or clear. */
  setShutdown(mode: number): void {
    if (!Number.isInteger(mode) || mode < 0 || mode > 3) throw new RangeError('setShutdown: mode must be a combination of SSL_SENT_SHUTDOWN and SSL_RECEIVED_SHUTDOWN');
    this.conn.flags = mode;
  }
  /** SSL_set_options: adds SSL_OP_* bits; returns the new bit set. */
  setOptions(bits: number): number {
    this.conn.options |= checkBits(bits);
    this.engine.config.noTicket = (this.conn.options & SSL_OP_NO_TICKET) !== 0;
    return this.conn.options;
  }
  /** SSL_clear_options: removes SSL_OP_* bits; returns the new bit set. */
  clearOptions(bits: number): number {
    this.conn.options &= ~checkBits(bits);
    this.engine.config.noTicket = (this.conn.options & SSL_OP_NO_TICKET) !== 0;
    return this.conn.options;
  }
  /** SSL_get_options: the SSL_OP_* bits. */
  getOptions(): number {
    return this.conn.options;
  }
  /** SSL_set_mode: adds SSL_MODE_* bits; returns the new bit set. */
  setMode(bits: number): number {
    this.conn.modeBits |= checkBits(bits);
    return this.conn.modeBits;
  }
  /** SSL_clear_mode: removes SSL_MODE_* bits; returns the new bit set. */
  clearMode(bits: number): number {
    this.conn.modeBits &= ~checkBits(bits);
    return this.conn.modeBits;
  }
  /** SSL_get_mode: the SSL_MODE_* bits. */
  getMode(): number {
    return this.conn.modeBits;
  }

  // ------------------------------------------------------------------ state (synchronous)
  /** SSL_get_error for the return value of the last call. */
  getError(ret: number): number {
    if (typeof ret !== 'number') throw new TypeError('getError: ret must be a number');
    return ret > 0 ? SSL_ERROR_NONE : this.conn.errorCode();
  }

  /** OpenSSL's reason string for the most recent SSL_ERROR_SSL, or null. */
  errorReason(): string | null {
    return this.conn.lastError ? this.conn.lastError.reasonText : null;
  }

  /** The most recent error with its details (reason code, alert, origin, words). */
  lastErrorDetail(): SslError | null {
    return this.conn.lastError;
  }

  /** SSL_pending: decrypted bytes ready for `read()` without touching the read BIO. */
  pending(): number {
    return this.engine.pendingPlaintext;
  }
  /** SSL_is_init_finished: true once the handshake completed (and no fatal error since). */
  isInitFinished(): boolean {
    return this.engine.handshakeComplete && !this.conn.fatal;
  }
  /** SSL_get_version: 'TLSv1.3' or 'TLSv1.2' once negotiated, else null. */
  version(): string | null {
    return this.engine.version ?? (this.engine.suite ? 'TLSv1.3' : null);
  }
  /** The negotiated cipher suite's IANA name (e.g. 'TLS_AES_128_GCM_SHA256'), or null. */
  cipher(): string | null {
    return this.engine.handshakeComplete && this.engine.suite ? this.engine.suite.name : null;
  }
  /** The ALPN protocol agreed, or null. */
  alpnSelected(): string | null {
    return this.engine.alpnProtocol;
  }
  /** SSL_get_negotiated_group: 'x25519', 'secp256r1', 'secp384r1', 'X25519MLKEM768' or 'SecP256r1MLKEM768', once known. */
  group(): string | null {
    return this.engine.group;
  }
  /** True when the handshake went through a HelloRetryRequest. */
  helloRetried(): boolean {
    return this.engine.helloRetried;
  }
  /** Server: the SNI host name the client sent. Client: the name it sent. */
  serverName(): string | null {
    return this.engine.serverName;
  }
  /** The peer's certificate chain as DER, leaf first (empty before it arrives). */
  peerCertificates(): Uint8Array[] {
    return this.engine.peerCertificates.slice();
  }
  /**
   * SSL_get0_verified_chain: the certification path this handshake validated, DER, leaf first and the trust
   * anchor last (also when the peer did not send it). Empty when nothing was validated: verification off or
   * failed (also when a verify callback accepted the failure), no certificate, or a resumed session.
   */
  verifiedChain(): Uint8Array[] {
    return this.engine.verifiedChain.map((d) => d.slice());
  }
  /**
   * SSL_get_verify_result as a name: 'X509_V_OK' only when the peer's certificate path was validated (in this
   * handshake, or in the full handshake of the resumed session); 'X509_V_ERR_NOT_VERIFIED' when nothing was
   * verified (verifyPeer: false, no client certificate, handshake not there yet); else the X509_V_ERR_* found,
   * also when a verify callback accepted it.
   */
  verifyResult(): string {
    return this.engine.verifyCode;
  }
  /** True for the server role. */
  isServer(): boolean {
    return this.engine.config.role === 'server';
  }

  /** SSL_key_update: queue a KeyUpdate, sent by the next write or handshake call. Returns 1, or 0 if not possible. */
  keyUpdate(requestPeer: boolean): number {
    if (typeof requestPeer !== 'boolean') throw new TypeError('keyUpdate: requestPeer must be a boolean');
    const c = this.conn;
    c.beginCall();
    // As SSL_key_update: TLS 1.3 only (TLS 1.2 has no KeyUpdate: "wrong ssl version"); not while in init (a KeyUpdate or ticket already pending), not with a record
    // half written. Unlike OpenSSL, never after our close_notify (RFC 8446 §6.1; docs/shutdown.md).
    // After a fatal error the connection is not "init finished" either: OpenSSL says "still in init".
    if (this.engine.version === 'TLSv1.2') return c.refuse('WRONG_SSL_VERSION');
    if (c.fatal || c.inInit) return c.refuse('STILL_IN_INIT');
    if (c.io.outputPending || c.pendingWrite) return c.refuse('BAD_WRITE_RETRY');
    if (c.flags & SSL_SENT_SHUTDOWN) return c.refuse('PROTOCOL_IS_SHUTDOWN');
    this.engine.scheduleKeyUpdate(requestPeer);
    return 1;
  }

  /** SSL_verify_client_post_handshake (server, TLS 1.3; docs/extensions.md): queue a CertificateRequest, sent by
   * the next doHandshake, write or read. 1, or 0 with errorReason() ('extension not received', 'request pending'...). */
  verifyClientPostHandshake(): number { return verifyClientPostHandshake(this.conn); }

  /** TLS-Exporter (SSL_export_keying_material): RFC 8446 §7.5 in TLS 1.3, RFC 5705 in TLS 1.2. A null context is
   * OpenSSL's use_context = 0: the same as an empty context in TLS 1.3, another value in TLS 1.2. */
  exportKeyingMaterial(label: string, context: Uint8Array | null, length: number): Promise<Uint8Array> {
    checkExporterArgs('exportKeyingMaterial', label, context, length, 255 * 64, this.engine.handshakeComplete);
    return this.queue.run(() => this.engine.exportKeyingMaterial(label, context, length));
  }

  /** TLS-Exporter computed synchronously (as Node's), with a provider that has `hashSync` and `hkdfExpandSync` (node:crypto;
   * TLS 1.2 needs `hashSync` only); else an Error: use `exportKeyingMaterial`. Same arguments and checks. */
  exportKeyingMaterialSync(label: string, context: Uint8Array | null, length: number): Uint8Array {
    checkExporterArgs('exportKeyingMaterialSync', label, context, length, 255 * (this.engine.hashLen || 64), this.engine.handshakeComplete);
    const out = this.engine.exportKeyingMaterialSync(label, context, length);
    if (!out) throw new Error('exportKeyingMaterialSync: the crypto provider is asynchronous (it has no hashSync/hkdfExpandSync); use Ssl.exportKeyingMaterial, which returns a Promise');
    return out;
  }

  /** SSL_get_finished: a copy of the verify_data of the latest Finished message sent, or null before one was sent. */
  getFinished(): Uint8Array | null {
    return this.engine.finishedData(true);
  }

  /** SSL_get_peer_finished: a copy of the verify_data of the latest Finished message received (and checked), or null. */
  getPeerFinished(): Uint8Array | null {
    return this.engine.finishedData(false);
  }

  /**
   * SSL_set_tlsext_host_name (client): the name sent as SNI (not for an IP literal) and checked against the
   * certificate, replacing the `serverName` option. Only before the handshake started: afterwards, or on a server,
   * a TypeError (the ClientHello is already built). An invalid name is a TypeError too.
   */
  setServerName(name: string): void {
    checkServerNameCall(this.isServer(), this.conn.started, name);
    this.engine.setServerName(name);
  }

  /**
   * SSL_set_max_send_fragment: the most plaintext each record we send carries from now on (handshake messages and
   * application data alike), 512 to 16384. Returns 1, or 0 (nothing changed) for a size outside that range.
   */
  setMaxSendFragment(size: number): number {
    if (typeof size !== 'number') throw new TypeError('setMaxSendFragment: size must be a number');
    if (!Number.isInteger(size) || size < 512 || size > MAX_PLAINTEXT) return 0;
    this.engine.maxSendFragment = size;
    return 1;
  }

  /** SSL_get_max_send_fragment. */
  getMaxSendFragment(): number {
    return this.engine.maxSendFragment;
  }

  /**
   * SSL_set_msg_callback for this connection only: told of every handshake message and alert from now on, sent
   * or received, in the clear (null removes it). It replaces the context's `msgCallback` for this connection.
   */
  setMsgCallback(cb: ((info: MsgInfo) => void) | null): void {
    if (cb !== null && typeof cb !== 'function') throw new TypeError('setMsgCallback: cb must be a function or null');
    this.engine.config.msgCallback = cb;
  }

  /** The message callback this connection uses now (the context's, or the one `setMsgCallback` set), or null. */
  getMsgCallback(): ((info: MsgInfo) => void) | null {
    return this.engine.config.msgCallback;
  }

  // ------------------------------------------------------------------ results bound to their call
  private result(ret: number): SslResult {
    return { ret, error: this.getError(ret), reason: this.conn.callError ? this.conn.callError.reasonText : null };
  }

  /** As doHandshake(), resolving with the call's own outcome (safe with overlapping calls). */
  doHandshakeResult(): Promise<SslResult> {
    this.requireBios('doHandshake');
    return this.queue.run(async () => {
      this.conn.beginCall();
      return this.result(await this.conn.handshakeSteps());
    });
  }

  /** As read(), resolving with the call's own outcome. */
  readResult(buf: Uint8Array): Promise<SslResult> {
    return this.readOrPeek(buf, false, 'read', (r) => this.result(r));
  }

  /** As peek(), resolving with the call's own outcome. */
  peekResult(buf: Uint8Array): Promise<SslResult> {
    return this.readOrPeek(buf, true, 'peek', (r) => this.result(r));
  }

  /** As write(), resolving with the call's own outcome. */
  writeResult(data: Uint8Array): Promise<SslResult> {
    return this.writeOp(data, (r) => this.result(r));
  }

  /** As shutdown(), resolving with the call's own outcome. */
  shutdownResult(): Promise<SslResult> {
    return this.shutdownOp((r) => this.result(r));
  }

  private requireBios(what: string): void {
    if (!this.conn.io.rbio || !this.conn.io.wbio) throw new TypeError(`${what}: no BIOs set (call setBio first)`);
  }

  // ------------------------------------------------------------------ handshake
  /** SSL_do_handshake. 1 when done; <= 0: see getError. */
  doHandshake(): Promise<number> {
    this.requireBios('doHandshake');
    return this.queue.run(async () => {
      this.conn.beginCall();
      return this.conn.handshakeSteps();
    });
  }

  // ------------------------------------------------------------------ read
  /** SSL_read: bytes copied into buf; <= 0: see getError. */
  read(buf: Uint8Array): Promise<number> {
    return this.readOrPeek(buf, false, 'read', (r) => r);
  }

  /** SSL_peek: as read, leaving the bytes in place. */
  peek(buf: Uint8Array): Promise<number> {
    return this.readOrPeek(buf, true, 'peek', (r) => r);
  }

  private readOrPeek<T>(buf: Uint8Array, peek: boolean, what: string, out: (ret: number) => T): Promise<T> {
    if (!isBytes(buf)) throw new TypeError(`${what}: buf must be a Uint8Array`);
    if (buf.length === 0) throw new RangeError(`${what}: buf must not be empty`);
    this.requireBios(what);
    // With no call queued, the synchronous path (issue 16) may serve it now, in call order all the same.
    const now = this.queue.idle ? readSync(this.conn, buf, peek) : null;
    if (now !== null) return this.queue.served(out(now));
    return this.queue.run(async () => out(await readSteps(this.conn, buf, peek)));
  }

  // ------------------------------------------------------------------ write
  /** SSL_write: bytes accepted (all of them unless partial writes are enabled); <= 0: see getError. */
  write(data: Uint8Array): Promise<number> {
    return this.writeOp(data, (r) => r);
  }

  private writeOp<T>(data: Uint8Array, out: (ret: number) => T): Promise<T> {
    if (!isBytes(data)) throw new TypeError('write: data must be a Uint8Array');
    this.requireBios('write');
    const now = this.queue.idle ? writeSync(this.conn, data) : null;
    if (now !== null) return this.queue.served(out(now));
    return this.queue.run(async () => out(await writeSteps(this.conn, data)));
  }

  // ------------------------------------------------------------------ shutdown
  /** SSL_write_early_data (client, before the handshake; docs/early-data.md): bytes written; <= 0: see getError. */
  writeEarlyData(data: Uint8Array): Promise<number> {
    checkEarlyDataArgs(this.isServer(), 'client', 'writeEarlyData', data);
    this.requireBios('writeEarlyData');
    return this.queue.run(() => writeEarlyDataSteps(this.conn, data));
  }

  /** SSL_read_early_data (server, first calls): early data bytes (> 0), 0 when no more will come (then doHandshake),
   * < 0: see getError. */
  readEarlyData(buf: Uint8Array): Promise<number> {
    checkEarlyDataArgs(this.isServer(), 'server', 'readEarlyData', buf);
    this.requireBios('readEarlyData');
    return this.queue.run(() => readEarlyDataSteps(this.conn, buf));
  }

  /** SSL_get_early_data_status: 'not_sent', 'rejected' (also until the server's answer) or 'accepted'. */
  getEarlyDataStatus(): 'not_sent' | 'rejected' | 'accepted' {
    return this.engine.early.status;
  }

  /** SSL_shutdown: 0, 1 or -1, exactly as OpenSSL 3 (docs/shutdown.md). */
  shutdown(): Promise<number> {
    return this.shutdownOp((r) => r);
  }

  private shutdownOp<T>(out: (ret: number) => T): Promise<T> {
    this.requireBios('shutdown');
    return this.queue.run(async () => out(await shutdownSteps(this.conn)));
  }

  /**
   * SSL_free: releases the BIOs. A connection freed after its handshake without having set SENT (by
   * shutdown, quiet shutdown or setShutdown) withdraws its sessions (rule 19).
   */
  free(): void {
    if (this.engine.handshakeComplete && !(this.conn.flags & SSL_SENT_SHUTDOWN)) this.engine.invalidateSessions();
    this.engine.discardPlaintext();
    this.conn.io.release();
  }

  /**
   * Client: the newest resumable session (TLS 1.3: from the last NewSessionTicket processed; TLS 1.2: from the
   * end of the handshake, the one it resumed), or null: before any ticket (rule 20), once the session was
   * withdrawn (rule 19), or after a TLS 1.2 handshake without the extended master secret (RFC 7627 §5.3).
   * Server: null (its sessions live in the context's cache).
   */
  getSession(): SslSession | null {
    const s = this.engine.latestSession;
    return s?.isResumable() ? s : null;
  }

  /** SSL_session_reused: the handshake resumed a session, or used an external PSK (as OpenSSL counts it). */
  sessionReused(): boolean {
    return this.engine.sessionReused;
  }
  /** The identity of the external PSK that authenticated the peer (pskFindSession / pskUseSession), else null. */
  pskIdentity(): Uint8Array | null {
    return this.engine.pskIdentity?.slice() ?? null;
  }

  /** SSL_set_num_tickets (server, before the handshake completes). */
  setNumTickets(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > 64) throw new RangeError('setNumTickets: an integer from 0 to 64');
    this.engine.config.numTickets = n;
  }

  /** SSL_new_session_ticket (server, TLS 1.3): queue one more ticket, sent by the next write or handshake. */
  newSessionTicket(): number {
    const tickets = this.engine.tickets;
    // As SSL_new_session_ticket: TLS 1.3 servers only (0, no error, in TLS 1.2).
    if (!tickets || !this.engine.config.sessionCache || this.engine.version === 'TLSv1.2') return 0;
    // As SSL_new_session_ticket: not during the handshake, and not while "in init" unless tickets already
    // requested and not yet built are what keeps it there (OpenSSL's extra_tickets_expected): a scheduled
    // KeyUpdate, or a ticket built but not yet in the BIO, refuses (test/fuzz corpus differential/20261125-0).
    // A fatal error counts as in init, so after one a request is still counted if another is waiting (it is
    // never sent: test/fuzz corpus differential/1559420635-1).
    // Unlike OpenSSL, never after our close_notify (RFC 8446 §6.1; docs/shutdown.md).
    if (!this.engine.handshakeComplete || this.conn.flags & SSL_SENT_SHUTDOWN) return 0;
    if ((this.conn.fatal || this.conn.inInit) && tickets.pending === 0) return 0;
    tickets.pending++;
    if (!this.conn.io.outputPending && !this.conn.pendingWrite) tickets.armed = true;
    return 1;
  }
}
