/**
 * The state behind one `Ssl`, and the steps every call shares: flushing output, reading and processing one
 * record, recording a failure, a transport EOF, and the handshake. The steps of SSL_read, SSL_write and
 * SSL_shutdown are in read.ts, write.ts and shutdown.ts; the facade (ssl.ts) validates arguments, queues the
 * calls and answers the getters.
 *
 * Rules
 * - Calls run one at a time (the facade's op queue), and each begins with `beginCall()`.
 * - `callError` is OpenSSL's error queue: the error of the current call only. `lastError` is the most recent
 *   error of any call. `fatal` is the sticky first fatal failure: the first error wins.
 * - `rwstate` is what getError() reports as WANT_READ / WANT_WRITE when the call recorded no error;
 *   `beginCall()` and `fail()` reset it.
 * - `flags` are OpenSSL's SENT/RECEIVED shutdown flags (reference/openssl3-shutdown.md; each branch cites its
 *   rule). `engine.writeClosed` mirrors SENT wherever SENT changes.
 */
import { SSL_OP_IGNORE_UNEXPECTED_EOF, SSL_RECEIVED_SHUTDOWN, SSL_SENT_SHUTDOWN } from '../constants.js';
import type { Engine, RecordEvent } from '../engine/engine.js';
import { SslError } from '../errors/ssl-error.js';
import { AlertDescription } from '../wire/enums.js';
import type { ReadOutcome, RecordIo } from './record-io.js';
import type { PendingWrite } from './write.js';

export type RwState = 'nothing' | 'reading' | 'writing';

export class Connection {
  readonly engine: Engine;
  readonly io: RecordIo;

  flags = 0;
  quiet: boolean;
  options: number;
  modeBits: number;
  started = false;
  /** OpenSSL's s3.warn_alert: 0 (close_notify) unless a warning alert arrived; decides ZERO_RETURN. */
  warnAlert = 0;
  /** The sticky first fatal failure. */
  fatal: SslError | null = null;
  /** The error of the current call only (OpenSSL's error queue, cleared at each call). */
  callError: SslError | null = null;
  /** The most recent error of any call, for errorReason(). */
  lastError: SslError | null = null;
  rwstate: RwState = 'nothing';

  pendingWrite: PendingWrite | null = null;
  /** Shutdown rule 9: a shutdown was attempted while a write was pending. */
  shutdownOverPendingWrite = false;
  /** Our close_notify is queued but not all in the write BIO yet (rule 3 retries only this). */
  alertPending = false;
  /** fail() queued the fatal alert (nothing else was waiting): while any of it is unwritten, OpenSSL holds it as a
   * pending 2-byte write, so a write() shorter than that is "bad length" (test/robustness/openssl-parity.test.ts). */
  fatalAlertQueued = false;
  /** The handshake's last flight has been written once: later doHandshake calls return 1 at once. */
  initDone = false;

  constructor(engine: Engine, io: RecordIo, quiet: boolean, options: number, modeBits: number) {
    this.engine = engine;
    this.io = io;
    this.quiet = quiet;
    this.options = options;
    this.modeBits = modeBits;
  }

  beginCall(): void {
    this.callError = null;
    this.rwstate = 'nothing';
  }

  /** SSL_in_init after the handshake: post-handshake work scheduled, or written only partly so far. */
  get inInit(): boolean {
    return this.engine.inInit || (this.engine.handshakeComplete && this.started && !this.initDone);
  }

  /** A write that could not flush: WANT_WRITE, or "broken pipe" when the BIO will never take the bytes. */
  writeFailed(): number {
    if (this.io.pipeBroken) {
      const err = new SslError('BROKEN_PIPE', { origin: 'local' });
      this.callError = err;
      this.lastError = err;
    }
    return -1;
  }

  /** Record a non-fatal error of a synchronous call (OpenSSL's error queue) and return 0. */
  refuse(reason: 'STILL_IN_INIT' | 'BAD_WRITE_RETRY' | 'PROTOCOL_IS_SHUTDOWN'): number {
    const err = new SslError(reason, { origin: 'local' });
    this.callError = err;
    this.lastError = err;
    return 0;
  }

  // ------------------------------------------------------------------ I/O helpers

  /** Move engine output into the write BIO (through the record I/O queue). True when everything was taken. */
  flush(): boolean {
    const r = this.io.flush();
    if (r === 'broken') {
      // The transport will never take these bytes (a shut pair end): OpenSSL's "broken pipe", whichever
      // call was writing (test/oracle, test/robustness).
      this.rwstate = 'nothing';
      const err = new SslError('BROKEN_PIPE', { origin: 'local' });
      this.callError = err;
      this.lastError = err;
      return false;
    }
    if (r === 'retry') {
      this.rwstate = 'writing';
      return false;
    }
    // Everything is in the BIO: post-handshake work that was scheduled is done (SSL_in_init turns false).
    if (this.engine.handshakeComplete && !this.engine.inInit) this.initDone = true;
    return true;
  }

  /** Read and process one record; protocol errors become the sticky failure. */
  async step(): Promise<ReadOutcome['kind'] | RecordEvent | 'failed'> {
    let r: ReadOutcome;
    try {
      r = this.io.readRecord();
    } catch (e) {
      await this.fail(e);
      return 'failed';
    }
    if (r.kind === 'want') this.rwstate = 'reading';
    if (r.kind !== 'record') return r.kind;
    try {
      const ev = await this.engine.handleRecord(r.header, r.body, this.io.takeSpeculation());
      if (ev !== 'app-data' && ev !== 'none') this.io.dropSpeculations();
      return ev;
    } catch (e) {
      this.io.dropSpeculations();
      await this.fail(e);
      return 'failed';
    }
  }

  /** Record the first fatal failure, set RECEIVED for a received fatal alert (rule 15), send our alert. */
  async fail(e: unknown): Promise<void> {
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
    if (err.alert !== null && !(this.flags & SSL_SENT_SHUTDOWN) && !this.io.holdsOutput) {
      try {
        await this.engine.sendAlert(err.alert, true);
        this.fatalAlertQueued = true;
        if (this.io.wbio) this.flush();
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
  async eof(retDuringData: number): Promise<number> {
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

  /** The steps of SSL_do_handshake, also run first by read and write while the handshake is unfinished. */
  async handshakeSteps(): Promise<number> {
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
}
