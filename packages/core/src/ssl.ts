/**
 * `Ssl`: OpenSSL's SSL object over memory BIOs. The only module that knows both BIOs and OpenSSL's return
 * codes; the engine below it knows records and handshake states.
 *
 * Theory of operation
 * - Every public call is validated synchronously (API misuse throws TypeError/RangeError and changes
 *   nothing), then queued: calls run one at a time in call order, so overlapping read and write loops are
 *   safe. Promises exist only because WebCrypto is asynchronous; no call ever waits for the transport.
 * - Records are read from the read BIO exactly (5-byte header, then the body), never ahead, so bytes after
 *   a close_notify stay in the BIO (STARTTLS-style reuse of the transport).
 * - Output is written to the write BIO as far as it takes it; the rest is kept and retried first by the
 *   next call. Only one record is produced ahead of what the BIO took, so memory stays bounded.
 * - `getError(ret)` is OpenSSL's SSL_get_error: this call's error, then the want-read/want-write state,
 *   then ZERO_RETURN when RECEIVED is set and no warning alert replaced close_notify, else SYSCALL.
 * - The shutdown state machine follows reference/openssl3-shutdown.md; each branch cites its rule.
 */
import {
  SSL_ERROR_NONE,
  SSL_ERROR_SSL,
  SSL_ERROR_SYSCALL,
  SSL_ERROR_WANT_READ,
  SSL_ERROR_WANT_WRITE,
  SSL_ERROR_ZERO_RETURN,
  SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER,
  SSL_MODE_AUTO_RETRY,
  SSL_MODE_ENABLE_PARTIAL_WRITE,
  SSL_OP_IGNORE_UNEXPECTED_EOF,
  SSL_RECEIVED_SHUTDOWN,
  SSL_SENT_SHUTDOWN,
} from './constants.js';
import type { Bio } from './bio/bio.js';
import { isBytes } from './bio/bio.js';
import type { Engine, RecordEvent, Speculation } from './engine/engine.js';
import { SslError } from './errors/ssl-error.js';
import { ClientEngine } from './handshake/client13.js';
import { ServerEngine } from './handshake/server13.js';
import type { SslContext } from './ssl-context.js';
import { AlertDescription, ContentType } from './wire/enums.js';
import { MAX_PLAINTEXT } from './record/tls13-aead.js';
import { SslSession } from './session/session.js';

type RwState = 'nothing' | 'reading' | 'writing';
type ReadOutcome = { kind: 'record'; header: Uint8Array; body: Uint8Array } | { kind: 'want' } | { kind: 'eof'; midRecord: boolean };

interface PendingWrite {
  /** Bytes of the caller's buffer already sealed into records. */
  done: number;
  /** Total bytes the call will report once complete. */
  total: number;
  buffer: ArrayBufferLike;
  byteOffset: number;
  /** Plaintext sizes of the records sealed for this write, in order. */
  recs: number[];
}

/**
 * The outcome of one call, captured when the call ends: `ret` as the OpenSSL-style call returns it, `error`
 * what `getError(ret)` said at that moment, and `reason` the error reason of this call (null when none).
 * Use the `*Result` methods when calls overlap (a read loop and a write loop): `getError()` describes the
 * last call to end, which may be another one by the time an awaiting caller looks.
 */
export interface SslResult {
  ret: number;
  error: number;
  reason: string | null;
}

export interface SslOptions {
  serverName?: string;
  session?: SslSession;
}

export class Ssl {
  readonly ctx: SslContext;
  private readonly engine: Engine;
  private rbio: Bio | null = null;
  private wbio: Bio | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  private flags = 0;
  private quiet: boolean;
  private options: number;
  private modeBits: number;
  private started = false;
  /** OpenSSL's s3.warn_alert: 0 (close_notify) unless a warning alert arrived; decides ZERO_RETURN. */
  private warnAlert = 0;
  /** The sticky first fatal failure. */
  private fatal: SslError | null = null;
  /** The error of the current call only (OpenSSL's error queue, cleared at each call). */
  private callError: SslError | null = null;
  /** The most recent error of any call, for errorReason(). */
  private lastError: SslError | null = null;
  private rwstate: RwState = 'nothing';

  private out: Uint8Array[] = [];
  private outOffset = 0;
  private pendingWrite: PendingWrite | null = null;
  /** Shutdown rule 9: a shutdown was attempted while a write was pending. */
  private shutdownOverPendingWrite = false;
  /** Our close_notify is queued but not all in the write BIO yet (rule 3 retries only this). */
  private alertPending = false;

  private hdr = new Uint8Array(5);
  private hdrHave = 0;
  private body: Uint8Array | null = null;
  /** Reused for full-size record bodies, allocated at the first one (idle connections do not hold it). */
  private bodyBuf: Uint8Array | null = null;
  /** Records in flight with an asynchronous provider: 1 for synchronous ones (docs/performance.md). */
  private readonly inFlight: number;
  /** Speculative decryptions of the next complete records in the read BIO, in BIO order. */
  private spec: Speculation[] = [];
  /** Set when the write BIO refused bytes for good (a shut pair end): OpenSSL's "broken pipe". */
  private pipeBroken = false;
  /** The handshake's last flight has been written once: later doHandshake calls return 1 at once. */
  private initDone = false;
  private bodyHave = 0;

  constructor(ctx: SslContext, opts: SslOptions = {}) {
    if (!ctx || typeof (ctx as { engineConfig?: unknown }).engineConfig !== 'function') throw new TypeError('Ssl: ctx must be an SslContext');
    if (opts.serverName !== undefined && (typeof opts.serverName !== 'string' || opts.serverName.length === 0 || opts.serverName.length > 253)) {
      throw new TypeError('Ssl: serverName must be a non-empty host name');
    }
    this.ctx = ctx;
    this.quiet = ctx.getQuietShutdown();
    this.options = ctx.getOptions();
    this.modeBits = ctx.getMode();
    if (opts.session !== undefined && !(opts.session instanceof SslSession)) throw new TypeError('Ssl: session must be an SslSession (SslSession.fromBytes restores a saved one)');
    const config = ctx.engineConfig();
    this.inFlight = config.provider.synchronous ? 1 : PIPELINE_DEPTH;
    this.engine = config.role === 'client' ? new ClientEngine(config, opts.serverName ?? null, opts.session ?? null) : new ServerEngine(config);
  }

  // ------------------------------------------------------------------ configuration (synchronous)

  /** SSL_set_bio: the same BIO may be given twice. */
  setBio(rbio: Bio, wbio: Bio): void {
    for (const b of [rbio, wbio]) {
      if (!b || typeof b.read !== 'function' || typeof b.write !== 'function' || typeof b.shouldRetry !== 'function') {
        throw new TypeError('setBio: expected two BIOs (MemoryBio or newBioPair ends)');
      }
    }
    this.rbio = rbio;
    this.wbio = wbio;
  }

  setQuietShutdown(on: boolean): void {
    this.quiet = !!on;
  }
  getQuietShutdown(): boolean {
    return this.quiet;
  }
  getShutdown(): number {
    return this.flags;
  }
  /** SSL_set_shutdown assigns the flags (rule 12): SENT without an alert, RECEIVED as a clean EOF, or clear. */
  setShutdown(mode: number): void {
    if (!Number.isInteger(mode) || mode < 0 || mode > 3) throw new RangeError('setShutdown: mode must be a combination of SSL_SENT_SHUTDOWN and SSL_RECEIVED_SHUTDOWN');
    this.flags = mode;
    this.engine.writeClosed = (mode & SSL_SENT_SHUTDOWN) !== 0;
  }
  setOptions(bits: number): number {
    this.options |= checkBits(bits);
    return this.options;
  }
  clearOptions(bits: number): number {
    this.options &= ~checkBits(bits);
    return this.options;
  }
  getOptions(): number {
    return this.options;
  }
  setMode(bits: number): number {
    this.modeBits |= checkBits(bits);
    return this.modeBits;
  }
  clearMode(bits: number): number {
    this.modeBits &= ~checkBits(bits);
    return this.modeBits;
  }
  getMode(): number {
    return this.modeBits;
  }

  // ------------------------------------------------------------------ state (synchronous)

  /** SSL_get_error for the return value of the last call. */
  getError(ret: number): number {
    if (typeof ret !== 'number') throw new TypeError('getError: ret must be a number');
    if (ret > 0) return SSL_ERROR_NONE;
    if (this.callError) return SSL_ERROR_SSL;
    if (this.rwstate === 'reading') return SSL_ERROR_WANT_READ;
    if (this.rwstate === 'writing') return SSL_ERROR_WANT_WRITE;
    if (this.flags & SSL_RECEIVED_SHUTDOWN && this.warnAlert === AlertDescription.CLOSE_NOTIFY) return SSL_ERROR_ZERO_RETURN;
    return SSL_ERROR_SYSCALL;
  }

  /** OpenSSL's reason string for the most recent SSL_ERROR_SSL, or null. */
  errorReason(): string | null {
    return this.lastError ? this.lastError.reasonText : null;
  }

  /** The most recent error with its details (reason code, alert, origin, words). */
  lastErrorDetail(): SslError | null {
    return this.lastError;
  }

  pending(): number {
    return this.engine.pendingPlaintext;
  }
  isInitFinished(): boolean {
    return this.engine.handshakeComplete && !this.fatal;
  }
  version(): string | null {
    return this.engine.suite ? 'TLSv1.3' : null;
  }
  cipher(): string | null {
    return this.engine.handshakeComplete && this.engine.suite ? this.engine.suite.name : null;
  }
  alpnSelected(): string | null {
    return this.engine.alpnProtocol;
  }
  /** SSL_get_negotiated_group: 'x25519', 'secp256r1' or 'secp384r1', once known. */
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
  /** SSL_get_verify_result as OpenSSL's name: 'X509_V_OK' or the X509_V_ERR_* of the refused chain. */
  verifyResult(): string {
    return this.engine.verifyCode;
  }
  isServer(): boolean {
    return this.engine.config.role === 'server';
  }

  /** SSL_key_update: queue a KeyUpdate, sent by the next write or handshake call. Returns 1, or 0 if not possible. */
  keyUpdate(requestPeer: boolean): number {
    if (typeof requestPeer !== 'boolean') throw new TypeError('keyUpdate: requestPeer must be a boolean');
    this.beginCall();
    // As SSL_key_update: not while in init (a KeyUpdate or ticket already pending), not with a record
    // half written. Unlike OpenSSL, never after our close_notify (RFC 8446 §6.1; docs/shutdown.md).
    // After a fatal error the connection is not "init finished" either: OpenSSL says "still in init".
    if (this.fatal || this.inInit) return this.refuse('STILL_IN_INIT');
    if (this.outputPending || this.pendingWrite) return this.refuse('BAD_WRITE_RETRY');
    if (this.flags & SSL_SENT_SHUTDOWN) return this.refuse('PROTOCOL_IS_SHUTDOWN');
    this.engine.pendingKeyUpdate = requestPeer;
    return 1;
  }

  /**
   * The shortest retry OpenSSL would accept for a pending write: the bytes of its records already completely in
   * the BIO plus the first record not yet there. Records are sealed in order and sit at the tail of the output
   * queue, each `plaintext + 22` bytes long (header, inner type, 16-byte tag).
   */
  private retryFloor(pw: PendingWrite): number {
    let unwritten = this.engine.outputBytes - this.outOffset;
    for (const r of this.out) unwritten += r.length;
    let floor = pw.done;
    for (let i = pw.recs.length - 1; i >= 0 && unwritten > 0; i--) {
      const n = pw.recs[i] as number;
      unwritten -= n + 22;
      floor -= n;
      // The earliest record not completely written is the one in flight: a retry must still cover it.
      if (unwritten <= 0 || i === 0) {
        floor += n;
        break;
      }
    }
    return floor;
  }

  /** SSL_in_init after the handshake: post-handshake work scheduled, or written only partly so far. */
  private get inInit(): boolean {
    return this.engine.inInit || (this.engine.handshakeComplete && this.started && !this.initDone);
  }

  /** A write that could not flush: WANT_WRITE, or "broken pipe" when the BIO will never take the bytes. */
  private writeFailed(): number {
    if (this.pipeBroken) {
      const err = new SslError('BROKEN_PIPE', { origin: 'local' });
      this.callError = err;
      this.lastError = err;
    }
    return -1;
  }

  /** Record a non-fatal error of a synchronous call (OpenSSL's error queue) and return 0. */
  private refuse(reason: 'STILL_IN_INIT' | 'BAD_WRITE_RETRY' | 'PROTOCOL_IS_SHUTDOWN'): number {
    const err = new SslError(reason, { origin: 'local' });
    this.callError = err;
    this.lastError = err;
    return 0;
  }

  /** TLS-Exporter (RFC 8446 §7.5, SSL_export_keying_material). */
  exportKeyingMaterial(label: string, context: Uint8Array, length: number): Promise<Uint8Array> {
    if (typeof label !== 'string') throw new TypeError('exportKeyingMaterial: label must be a string');
    if (!isBytes(context)) throw new TypeError('exportKeyingMaterial: context must be a Uint8Array');
    if (!Number.isInteger(length) || length < 1 || length > 255 * 64) throw new RangeError('exportKeyingMaterial: bad length');
    if (!this.engine.handshakeComplete) throw new TypeError('exportKeyingMaterial: the handshake has not completed');
    return this.enqueue(() => this.engine.exportKeyingMaterial(label, context, length));
  }

  // ------------------------------------------------------------------ results bound to their call

  private result(ret: number): SslResult {
    return { ret, error: this.getError(ret), reason: this.callError ? this.callError.reasonText : null };
  }

  /** As doHandshake(), resolving with the call's own outcome (safe with overlapping calls). */
  doHandshakeResult(): Promise<SslResult> {
    this.requireBios('doHandshake');
    return this.enqueue(async () => {
      this.beginCall();
      return this.result(await this.handshakeSteps());
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

  // ------------------------------------------------------------------ the queue

  private enqueue<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private requireBios(what: string): void {
    if (!this.rbio || !this.wbio) throw new TypeError(`${what}: no BIOs set (call setBio first)`);
  }

  private beginCall(): void {
    this.callError = null;
    this.rwstate = 'nothing';
  }

  // ------------------------------------------------------------------ I/O helpers

  /** Move engine output into our queue and the queue into the write BIO. True when everything was taken. */
  private flush(): boolean {
    const fresh = this.engine.takeOutput();
    if (fresh.length) this.out.push(...fresh);
    const wbio = this.wbio as Bio;
    while (this.out.length) {
      const head = this.out[0] as Uint8Array;
      const chunk = this.outOffset ? head.subarray(this.outOffset) : head;
      const n = wbio.write(chunk);
      if (n <= 0) {
        if (n < 0 && !wbio.shouldRetry()) {
          // The transport will never take these bytes (a shut pair end): OpenSSL's "broken pipe", whichever
          // call was writing (test/oracle, test/robustness).
          this.pipeBroken = true;
          this.rwstate = 'nothing';
          const err = new SslError('BROKEN_PIPE', { origin: 'local' });
          this.callError = err;
          this.lastError = err;
          return false;
        }
        this.rwstate = 'writing';
        return false;
      }
      if (n < chunk.length) {
        this.outOffset += n;
        continue;
      }
      this.out.shift();
      this.outOffset = 0;
    }
    // Everything is in the BIO: post-handshake work that was scheduled is done (SSL_in_init turns false).
    if (this.engine.handshakeComplete && !this.engine.inInit) this.initDone = true;
    return true;
  }

  private get outputPending(): boolean {
    return this.out.length > 0 || this.engine.outputBytes > 0;
  }

  /** Read exactly one record from the read BIO. */
  private readRecord(): ReadOutcome {
    const rbio = this.rbio as Bio;
    while (this.hdrHave < 5) {
      const n = rbio.read(this.hdr.subarray(this.hdrHave));
      if (n > 0) {
        this.hdrHave += n;
        continue;
      }
      if (n < 0 && rbio.shouldRetry()) {
        this.rwstate = 'reading';
        return { kind: 'want' };
      }
      return { kind: 'eof', midRecord: this.hdrHave > 0 };
    }
    if (!this.body) {
      const h = this.hdr;
      const type = h[0] as number;
      const len = ((h[3] as number) << 8) | (h[4] as number);
      // Checks at header time, so a bad length never makes us buffer (BearSSL's rule).
      if (type < ContentType.CHANGE_CIPHER_SPEC || type > ContentType.APPLICATION_DATA) {
        // Plaintext HTTP sent to a TLS server: OpenSSL names it and sends no alert.
        if (this.isServer() && !this.engine.suite) {
          const start = String.fromCharCode(...h);
          if (/^(GET |POST |HEAD |PUT |DELET|OPTIO|PATCH)/.test(start)) throw new SslError('HTTP_REQUEST');
          if (start === 'CONNE') throw new SslError('HTTPS_PROXY_REQUEST');
        }
        throw new SslError(h[1] === 3 ? 'BAD_RECORD_TYPE' : 'WRONG_VERSION_NUMBER', { detail: `record type ${type}` });
      }
      if (h[1] !== 3 || (this.engine.suite !== null && h[2] !== 3 && this.engine.handshakeComplete)) {
        throw new SslError('WRONG_VERSION_NUMBER', { detail: `record version ${h[1]}.${h[2]}` });
      }
      if (len > this.engine.maxRecordBody()) throw new SslError(this.engine.maxRecordBody() > MAX_PLAINTEXT ? 'ENCRYPTED_LENGTH_TOO_LONG' : 'PACKET_LENGTH_TOO_LONG', { detail: `record of ${len} bytes` });
      // One buffer serves every large record: the engine is done with a body before the next one is read.
      if (len > 1024) {
        this.bodyBuf ??= new Uint8Array(MAX_PLAINTEXT + 256);
        this.body = this.bodyBuf.subarray(0, len);
      } else this.body = new Uint8Array(len);
      this.bodyHave = 0;
    }
    while (this.bodyHave < this.body.length) {
      const n = rbio.read(this.body.subarray(this.bodyHave));
      if (n > 0) {
        this.bodyHave += n;
        continue;
      }
      if (n < 0 && rbio.shouldRetry()) {
        this.rwstate = 'reading';
        return { kind: 'want' };
      }
      return { kind: 'eof', midRecord: true };
    }
    const header = this.hdr.slice();
    const body = this.body;
    this.hdrHave = 0;
    this.body = null;
    this.bodyHave = 0;
    return { kind: 'record', header, body };
  }

  /** Read and process one record; protocol errors become the sticky failure. */
  private async step(): Promise<ReadOutcome['kind'] | RecordEvent | 'failed'> {
    let r: ReadOutcome;
    try {
      r = this.readRecord();
    } catch (e) {
      await this.fail(e);
      return 'failed';
    }
    if (r.kind !== 'record') return r.kind;
    try {
      const ev = await this.engine.handleRecord(r.header, r.body, this.spec.shift());
      if (ev !== 'app-data' && ev !== 'none') this.spec = [];
      return ev;
    } catch (e) {
      this.spec = [];
      await this.fail(e);
      return 'failed';
    }
  }

  /**
   * With an asynchronous provider, start decrypting the complete application-data records already in the
   * read BIO (up to the pipeline depth), without consuming them: each is taken from the BIO only when it is
   * processed, so nothing past a close_notify is ever read (rule 7).
   */
  private speculate(): void {
    const rbio = this.rbio as Bio;
    if (this.inFlight <= 1 || this.spec.length || !rbio.peek || this.hdrHave || this.body) return;
    if (rbio.pending() < 2 * (5 + 17)) return;
    // A scratch buffer shared by all connections: used synchronously, records are copied out of it.
    peekScratch ??= new Uint8Array(PIPELINE_DEPTH * (5 + MAX_PLAINTEXT + 256));
    const peekBuf = peekScratch.subarray(0, Math.min(peekScratch.length, this.inFlight * (5 + MAX_PLAINTEXT + 256)));
    const n = rbio.peek(peekBuf);
    let off = 0;
    const found: { header: Uint8Array; body: Uint8Array }[] = [];
    while (found.length < this.inFlight && off + 5 <= n) {
      const len = ((peekBuf[off + 3] as number) << 8) | (peekBuf[off + 4] as number);
      if (peekBuf[off] !== ContentType.APPLICATION_DATA || len > MAX_PLAINTEXT + 256 || off + 5 + len > n) break;
      found.push({ header: peekBuf.slice(off, off + 5), body: peekBuf.slice(off + 5, off + 5 + len) });
      off += 5 + len;
    }
    if (found.length < 2) return;
    for (let i = 0; i < found.length; i++) {
      const f = found[i] as { header: Uint8Array; body: Uint8Array };
      const s = this.engine.speculativeOpen(i, f.header, f.body);
      if (!s) {
        this.spec = [];
        return;
      }
      s.result.catch(() => undefined);
      this.spec.push(s);
    }
  }

  /** Record the first fatal failure, set RECEIVED for a received fatal alert (rule 15), send our alert. */
  private async fail(e: unknown): Promise<void> {
    const err = e instanceof SslError ? e : new SslError('INTERNAL_ERROR', { detail: e instanceof Error ? e.message : String(e), origin: 'local' });
    this.callError = err;
    this.lastError = err;
    this.rwstate = 'nothing';
    if (this.fatal) return;
    this.fatal = err;
    if (err.receivedAlert !== null) this.flags |= SSL_RECEIVED_SHUTDOWN;
    // Rule 19: a fatal alert sent or received withdraws the session.
    if (err.receivedAlert !== null || (err.alert !== null && !(this.flags & SSL_SENT_SHUTDOWN))) this.engine.invalidateSessions();
    // Nothing follows our close_notify (rule 13: once SENT is set no alert is written), and an alert never
    // jumps a half-written record: OpenSSL's waits behind it and is never sent.
    if (err.alert !== null && !(this.flags & SSL_SENT_SHUTDOWN) && this.out.length === 0) {
      try {
        await this.engine.sendAlert(err.alert, true);
        if (this.wbio) this.flush();
      } catch {
        // the alert is best effort; the failure is already recorded
      }
      // A transport that cannot take the alert does not replace the call's own error (test/fuzz corpus).
      this.callError = err;
      this.lastError = err;
      this.rwstate = 'nothing';
    }
  }

  /** Transport EOF where a record was expected (rules 13 and 16). Returns the call's return value. */
  private async eof(retDuringData: number): Promise<number> {
    if (this.options & SSL_OP_IGNORE_UNEXPECTED_EOF && this.engine.handshakeComplete) {
      // OpenSSL assigns RECEIVED here (SSL_set_shutdown), clearing SENT, in read as in shutdown (rule 17).
      this.flags = SSL_RECEIVED_SHUTDOWN;
      this.engine.writeClosed = false;
      this.warnAlert = AlertDescription.CLOSE_NOTIFY;
      return 0;
    }
    await this.fail(new SslError('UNEXPECTED_EOF_WHILE_READING'));
    return retDuringData;
  }

  // ------------------------------------------------------------------ handshake

  /** SSL_do_handshake. 1 when done; <= 0: see getError. */
  doHandshake(): Promise<number> {
    this.requireBios('doHandshake');
    return this.enqueue(async () => {
      this.beginCall();
      return this.handshakeSteps();
    });
  }

  private async handshakeSteps(): Promise<number> {
    if (this.fatal) return -1;
    // As SSL_do_handshake: once the handshake is over and nothing is scheduled, 1 at once (a pending data
    // write is not flushed here: test/oracle).
    if (this.initDone && !this.engine.inInit) return 1;
    try {
      if (!this.started) {
        this.started = true;
        await this.engine.start();
      }
    } catch (e) {
      await this.fail(e);
      return -1;
    }
    for (;;) {
      if (!this.flush()) return -1;
      if (this.engine.handshakeComplete) {
        // Scheduled post-handshake work keeps the connection "in init" until its records are in the BIO.
        if (this.engine.inInit) this.initDone = false;
        try {
          await this.engine.flushPostHandshake();
        } catch (e) {
          await this.fail(e);
          return -1;
        }
        if (!this.flush()) return -1;
        this.initDone = true;
        return 1;
      }
      if (this.flags & SSL_RECEIVED_SHUTDOWN) return 0;
      const ev = await this.step();
      if (ev === 'failed') return -1;
      if (ev === 'want') return -1;
      if (ev === 'eof') return this.eof(-1);
      if (ev === 'close-notify') {
        this.flags |= SSL_RECEIVED_SHUTDOWN;
        return 0;
      }
    }
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
    return this.enqueue(async () => out(await this.readSteps(buf, peek)));
  }

  private async readSteps(buf: Uint8Array, peek: boolean): Promise<number> {
    this.beginCall();
    // Rule 7: after RECEIVED, 0 forever without touching the transport. OpenSSL checks this first, so a
    // received fatal alert also reads as 0 (with ZERO_RETURN: test/oracle read-after-fatal-alert).
    if (this.flags & SSL_RECEIVED_SHUTDOWN) return 0;
    // Rule 14: after a fatal error, -1 with an empty error queue.
    if (this.fatal) return -1;
    // SSL_read runs the handshake, and sends a scheduled KeyUpdate or ticket, first.
    if (!this.engine.handshakeComplete || this.inInit) {
      const r = await this.handshakeSteps();
      if (r <= 0) return r;
    }
    for (;;) {
      if (this.engine.pendingPlaintext > 0) return this.engine.readPlaintext(buf, peek);
      if (this.flags & SSL_RECEIVED_SHUTDOWN) return 0;
      this.speculate();
      const owed = this.engine.owedKeyUpdate;
      const ev = await this.step();
      // OpenSSL writes a KeyUpdate reply owed from an earlier read when it processes the next
      // post-handshake message (test/oracle keyupdate-reply-in-read).
      if (ev === 'post-handshake' && owed && this.engine.owedKeyUpdate) {
        // The reply is a 5-byte handshake write: behind a half-written application record OpenSSL's
        // ssl3_write_bytes refuses it as shorter than the write in flight (test/fuzz corpus 9090-0).
        const pw = this.pendingWrite;
        if (pw && KEY_UPDATE_MESSAGE_LENGTH < this.retryFloor(pw)) {
          await this.fail(new SslError('BAD_LENGTH', { origin: 'local', detail: 'a KeyUpdate reply is owed while an application write is half-written' }));
          return -1;
        }
        try {
          await this.engine.flushKeyUpdate(true);
          this.flush();
          this.rwstate = 'nothing';
        } catch (e) {
          await this.fail(e);
          return -1;
        }
      }
      switch (ev) {
        case 'failed':
          // Rule 15: the call that receives a fatal alert returns 0.
          return (this.fatal as SslError | null)?.receivedAlert != null ? 0 : -1;
        case 'want':
          return -1;
        case 'eof':
          // Rule 13: SSL_read returns 0 with "unexpected eof while reading".
          return this.eof(0);
        case 'close-notify':
          this.flags |= SSL_RECEIVED_SHUTDOWN;
          return 0;
        case 'post-handshake':
          // Rule 21: without AUTO_RETRY each processed post-handshake message returns WANT_READ once.
          if (!(this.modeBits & SSL_MODE_AUTO_RETRY)) {
            this.rwstate = 'reading';
            return -1;
          }
          break;
        default:
          break;
      }
    }
  }

  // ------------------------------------------------------------------ write

  /** SSL_write: bytes accepted (all of them unless partial writes are enabled); <= 0: see getError. */
  write(data: Uint8Array): Promise<number> {
    return this.writeOp(data, (r) => r);
  }

  private writeOp<T>(data: Uint8Array, out: (ret: number) => T): Promise<T> {
    if (!isBytes(data)) throw new TypeError('write: data must be a Uint8Array');
    this.requireBios('write');
    return this.enqueue(async () => out(await this.writeSteps(data)));
  }

  private async writeSteps(data: Uint8Array): Promise<number> {
    this.beginCall();
    // Rule 8: writing after SENT always fails, including a retry of a pending write; OpenSSL checks this
    // before the fatal state (test/oracle write-after-fatal-with-sent).
    if (this.flags & SSL_SENT_SHUTDOWN) {
      const err = new SslError('PROTOCOL_IS_SHUTDOWN', { origin: 'local' });
      this.callError = err;
      this.lastError = err;
      return -1;
    }
    let pw = this.pendingWrite;
    // OpenSSL checks a retry's length before the error state: "bad length" every time (test/oracle). A retry
    // must cover what was written plus the one record in flight, however many are sealed ahead (test/robustness).
    if (pw && data.length < this.retryFloor(pw)) {
      await this.fail(new SslError('BAD_LENGTH', { origin: 'local', detail: 'a retried write is shorter than what was already taken' }));
      return -1;
    }
    if (this.fatal) return -1; // rule 14
    // A write that finds the write buffer empty lets waiting tickets go out first (OpenSSL 3.0 ssl3_write_bytes).
    if (!pw && this.out.length === 0 && this.engine instanceof ServerEngine && this.engine.pendingTickets > 0) this.engine.ticketsArmed = true;
    if (!this.engine.handshakeComplete) {
      const r = await this.handshakeSteps();
      if (r <= 0) return r;
    }
    // Scheduled post-handshake work keeps the connection "in init" until its records are in the BIO.
    if (this.engine.inInit) this.initDone = false;
    try {
      await this.engine.flushPostHandshake();
    } catch (e) {
      await this.fail(e);
      return -1;
    }
    // Post-handshake records (a KeyUpdate, tickets) are written before an application write starts: OpenSSL
    // writes them in its handshake step, so a call that cannot finish them returns before any application
    // write exists, and the next call is not a retry of one (test/fuzz corpus differential/20261130-0).
    if (!pw && this.outputPending && !this.flush()) return this.writeFailed();
    if (pw) {
      const moved = data.buffer !== pw.buffer || data.byteOffset !== pw.byteOffset;
      if (moved && !(this.modeBits & SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER)) {
        this.pendingWrite = null;
        await this.fail(new SslError('BAD_WRITE_RETRY', { origin: 'local' }));
        return -1;
      }
      // A longer retry is a longer write: OpenSSL finishes the record in flight, then writes the rest too.
      if (data.length > pw.total) pw.total = data.length;
    } else {
      // SSL_write of 0 bytes writes what post-handshake work queued (a KeyUpdate, a ticket), then returns 0.
      if (data.length === 0) {
        try {
          if (this.engine.owedKeyUpdate) await this.engine.flushKeyUpdate(true);
        } catch (e) {
          await this.fail(e);
          return -1;
        }
        return this.flush() ? 0 : this.writeFailed();
      }
      pw = { done: 0, total: data.length, buffer: data.buffer, byteOffset: data.byteOffset, recs: [] };
      this.pendingWrite = pw;
    }
    // With SSL_MODE_ENABLE_PARTIAL_WRITE the call returns once a record is completely in the BIO,
    // reporting the bytes of the records written; otherwise once everything is.
    const partial = (this.modeBits & SSL_MODE_ENABLE_PARTIAL_WRITE) !== 0;
    for (;;) {
      if (!this.flush()) return this.writeFailed();
      if (pw.done >= pw.total || (partial && pw.done > 0)) {
        this.pendingWrite = null;
        return pw.done;
      }
      // Up to the pipeline depth of records sealed at once (one in partial-write mode).
      const chunks: Uint8Array[] = [];
      const depth = partial ? 1 : this.inFlight;
      for (let o = pw.done; chunks.length < depth && o < pw.total; o += MAX_PLAINTEXT) {
        chunks.push(data.subarray(o, Math.min(pw.total, o + MAX_PLAINTEXT)));
      }
      try {
        await this.engine.sendAppDataBatch(chunks);
      } catch (e) {
        this.pendingWrite = null;
        await this.fail(e);
        return -1;
      }
      for (const c of chunks) {
        pw.done += c.length;
        pw.recs.push(c.length);
      }
    }
  }

  // ------------------------------------------------------------------ shutdown

  /** SSL_shutdown: 0, 1 or -1, exactly as OpenSSL 3 (docs/shutdown.md). */
  shutdown(): Promise<number> {
    return this.shutdownOp((r) => r);
  }

  private shutdownOp<T>(out: (ret: number) => T): Promise<T> {
    this.requireBios('shutdown');
    return this.enqueue(async () => out(await this.shutdownSteps()));
  }

  private async shutdownSteps(): Promise<number> {
    this.beginCall();
    const inInitError = (): number => {
      const err = new SslError('SHUTDOWN_WHILE_IN_INIT', { origin: 'local' });
      this.callError = err;
      this.lastError = err;
      return -1;
    };
    // Rule 14: after a fatal error, "shutdown while in init" and nothing is sent.
    if (this.fatal) return inInitError();
    // Rule 10: in init (before/during the handshake, KeyUpdate or ticket pending): flags untouched.
    if (!this.started || this.inInit) return inInitError();
    // Rule 11: quiet shutdown sets both flags, writes and reads nothing.
    if (this.quiet) {
      this.flags = SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN;
      this.engine.writeClosed = true;
      return 1;
    }
    if (!(this.flags & SSL_SENT_SHUTDOWN)) {
      // Rule 1/18: SENT is set before the write is attempted; an owed KeyUpdate reply is dropped.
      this.flags |= SSL_SENT_SHUTDOWN;
      this.engine.writeClosed = true;
      this.engine.owedKeyUpdate = false;
      if (this.pendingWrite) {
        // Rule 9: the pending record blocks the alert; the next call fails with "bad write retry".
        this.shutdownOverPendingWrite = true;
        this.rwstate = this.pipeBroken ? 'nothing' : 'writing';
        return -1;
      }
      try {
        await this.engine.sendAlert(AlertDescription.CLOSE_NOTIFY, false);
      } catch (e) {
        await this.fail(e);
        return -1;
      }
      this.alertPending = true;
      if (!this.flush()) return -1;
      this.alertPending = false;
      return this.flags & SSL_RECEIVED_SHUTDOWN ? 1 : 0;
    }
    if (this.shutdownOverPendingWrite) {
      this.shutdownOverPendingWrite = false;
      this.pendingWrite = null;
      await this.fail(new SslError('BAD_WRITE_RETRY', { origin: 'local' }));
      return -1;
    }
    // Rule 3: a partly written close_notify is retried first (only the alert: a data record left half
    // written before setShutdown(SENT) is never finished; test/oracle shutdown-after-set-shutdown-...).
    if (this.alertPending) {
      if (!this.flush()) return -1;
      this.alertPending = false;
      return this.flags & SSL_RECEIVED_SHUTDOWN ? 1 : 0;
    }
    if (this.flags & SSL_RECEIVED_SHUTDOWN) return 1;
    for (;;) {
      // Rule 5: application data reaching shutdown's read is fatal, even half-consumed.
      if (this.engine.pendingPlaintext > 0) {
        this.engine.discardPlaintext();
        await this.fail(new SslError('APPLICATION_DATA_AFTER_CLOSE_NOTIFY'));
        return -1;
      }
      const ev = await this.step();
      switch (ev) {
        case 'failed':
          // A fatal alert from the peer also sets RECEIVED: with SENT set, that ends the shutdown with 1, as in
          // OpenSSL (the reason stays available through errorReason()).
          if ((this.fatal as SslError | null)?.receivedAlert != null && this.flags & SSL_RECEIVED_SHUTDOWN) return 1;
          return -1;
        case 'want':
          return -1;
        case 'eof':
          if (this.options & SSL_OP_IGNORE_UNEXPECTED_EOF) {
            // Rule 17: the option clears SENT here; the next call sends a second close_notify.
            this.flags = (this.flags & ~SSL_SENT_SHUTDOWN) | SSL_RECEIVED_SHUTDOWN;
            this.engine.writeClosed = false;
            this.warnAlert = AlertDescription.CLOSE_NOTIFY;
            return 0;
          }
          await this.fail(new SslError('UNEXPECTED_EOF_WHILE_READING'));
          return -1;
        case 'close-notify':
          this.flags |= SSL_RECEIVED_SHUTDOWN;
          return 1;
        case 'post-handshake':
          if (!(this.modeBits & SSL_MODE_AUTO_RETRY)) {
            this.rwstate = 'reading';
            return -1;
          }
          break;
        default:
          break;
      }
    }
  }

  /**
   * SSL_free: releases the BIOs. A connection freed after its handshake without having set SENT (by
   * shutdown, quiet shutdown or setShutdown) withdraws its sessions (rule 19).
   */
  free(): void {
    if (this.engine.handshakeComplete && !(this.flags & SSL_SENT_SHUTDOWN)) this.engine.invalidateSessions();
    this.engine.discardPlaintext();
    this.out = [];
    this.rbio = null;
    this.wbio = null;
  }

  /**
   * Client: the newest resumable session (from the last NewSessionTicket processed), or null: before any
   * ticket (rule 20) or once the session was withdrawn (rule 19). Server: null (its sessions live in the
   * context's cache).
   */
  getSession(): SslSession | null {
    if (!(this.engine instanceof ClientEngine)) return null;
    const s = this.engine.latestSession;
    return s?.isResumable() ? s : null;
  }

  /** SSL_session_reused: the handshake resumed a session. */
  sessionReused(): boolean {
    return this.engine.sessionReused;
  }

  /** SSL_set_num_tickets (server, before the handshake completes). */
  setNumTickets(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > 64) throw new RangeError('setNumTickets: an integer from 0 to 64');
    this.engine.config.numTickets = n;
  }

  /** SSL_new_session_ticket (server, TLS 1.3): queue one more ticket, sent by the next write or handshake. */
  newSessionTicket(): number {
    if (!(this.engine instanceof ServerEngine) || this.fatal || !this.engine.config.sessionCache) return 0;
    // As SSL_new_session_ticket: not during the handshake nor with a KeyUpdate scheduled (tickets may
    // accumulate). Unlike OpenSSL, never after our close_notify (RFC 8446 §6.1; docs/shutdown.md).
    if (!this.engine.handshakeComplete || this.engine.pendingKeyUpdate !== null || this.flags & SSL_SENT_SHUTDOWN) return 0;
    this.engine.pendingTickets++;
    if (!this.outputPending && !this.pendingWrite) this.engine.ticketsArmed = true;
    return 1;
  }
}

/** Records kept in flight with an asynchronous crypto provider (sealed ahead of the BIO, or opened ahead). */
const PIPELINE_DEPTH = 8;
/** A KeyUpdate message: 4-byte handshake header and the one-byte request_update. */
const KEY_UPDATE_MESSAGE_LENGTH = 5;
/** Scratch space for peeking at the read BIO, shared by all connections (used synchronously only). */
let peekScratch: Uint8Array | null = null;

function checkBits(bits: number): number {
  if (!Number.isInteger(bits) || bits < 0 || bits > 0xffffffff) throw new RangeError('option/mode bits must be a 32-bit unsigned integer');
  return bits;
}
