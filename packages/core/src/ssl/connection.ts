/**
 * The state behind one `Ssl`, and the steps every call shares: flushing output, reading and processing one
 * record, recording a failure, a transport EOF, and the handshake. The steps of SSL_read, SSL_write and
 * SSL_shutdown are in read.ts, write.ts and shutdown.ts; the facade (ssl.ts) validates arguments, queues the
 * calls and answers the getters.
 *
 * Rules
 * - Calls run one at a time (the facade's op queue), and each begins with `beginCall()`.
 * - `callError` is OpenSSL's error queue: the error of the current call only. `lastError` is the most recent
 *   error of any call. `fatal` is the engine's sticky first failure (Engine.fail is the catch boundary).
 * - `rwstate` is what getError() reports as WANT_READ / WANT_WRITE when the call recorded no error (an error
 *   of the call takes precedence, so it needs no reset where one is recorded): `beginCall()` resets it, a BIO
 *   that must be retried sets it (`flush()`, `step()`), and the rules that return WANT_* without I/O (21, 9).
 * - `flags` are OpenSSL's SENT/RECEIVED shutdown bits over the engine's closure state, which is held there only
 *   (reference/openssl3-shutdown.md; each branch cites its rule).
 */

import {
  SSL_ERROR_SSL,
  SSL_ERROR_SYSCALL,
  SSL_ERROR_WANT_READ,
  SSL_ERROR_WANT_WRITE,
  SSL_ERROR_ZERO_RETURN,
  SSL_OP_IGNORE_UNEXPECTED_EOF,
  SSL_RECEIVED_SHUTDOWN,
  SSL_SENT_SHUTDOWN,
} from '../constants.js';
import type { Engine, RecordEvent } from '../engine/engine.js';
import { SslError } from '../errors/ssl-error.js';
import type { PostHandshakeAuthRefusal } from '../handshake/context.js';
import { AlertDescription } from '../wire/enums.js';
import type { BioIo, PullOutcome } from './bio-io.js';

/** A write that returned before all its bytes were in the write BIO; its retry must match it. */
export interface PendingWrite {
  /** Bytes of the caller's buffer already sealed into records. */
  done: number;
  /** Total bytes the call will report once complete. */
  total: number;
  /** The first call's buffer: a retry must pass the same (its ArrayBuffer and offset). Kept as the view, not its
   * ArrayBuffer, so that inspecting the Ssl never shows the rest of that memory (Node's shared Buffer pool). */
  data: Uint8Array;
  /** Plaintext sizes of the records sealed for this write, in order. */
  recs: number[];
}

export type RwState = 'nothing' | 'reading' | 'writing';

export class Connection {
  readonly engine: Engine;
  readonly io: BioIo;

  quiet: boolean;
  options: number;
  modeBits: number;
  started = false;
  /** OpenSSL's s3.warn_alert: 0 (close_notify) unless a warning alert arrived; decides ZERO_RETURN. */
  warnAlert = 0;
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
  /** Client: bytes of a writeEarlyData call sealed but not all in the write BIO yet (its retry reports them). */
  pendingEarly = 0;
  /** The handshake's last flight has been written once: later doHandshake calls return 1 at once. */
  initDone = false;
  /** What reading the next record threw in a synchronous path (ssl/read.ts readSync), for `step()` to record. */
  pullFailure: { error: unknown } | null = null;

  constructor(engine: Engine, io: BioIo, quiet: boolean, options: number, modeBits: number) {
    this.engine = engine;
    this.io = io;
    this.quiet = quiet;
    this.options = options;
    this.modeBits = modeBits;
  }

  /** OpenSSL's SSL_SENT_SHUTDOWN / SSL_RECEIVED_SHUTDOWN bits (SSL_get_shutdown / SSL_set_shutdown). */
  get flags(): number {
    return (this.engine.closeSent ? SSL_SENT_SHUTDOWN : 0) | (this.engine.closeReceived ? SSL_RECEIVED_SHUTDOWN : 0);
  }
  set flags(mode: number) {
    this.engine.setClosed((mode & SSL_SENT_SHUTDOWN) !== 0, (mode & SSL_RECEIVED_SHUTDOWN) !== 0);
  }

  /** The sticky first fatal failure. */
  get fatal(): SslError | null {
    return this.engine.error;
  }

  /**
   * SSL_get_error for a call that returned <= 0: this call's error, then the want-read/want-write state, then
   * ZERO_RETURN when RECEIVED is set and no warning alert replaced close_notify, else SYSCALL.
   */
  errorCode(): number {
    if (this.callError) return SSL_ERROR_SSL;
    if (this.rwstate === 'reading') return SSL_ERROR_WANT_READ;
    if (this.rwstate === 'writing') return SSL_ERROR_WANT_WRITE;
    if (this.flags & SSL_RECEIVED_SHUTDOWN && this.warnAlert === AlertDescription.CLOSE_NOTIFY) return SSL_ERROR_ZERO_RETURN;
    return SSL_ERROR_SYSCALL;
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
  refuse(reason: 'STILL_IN_INIT' | 'BAD_WRITE_RETRY' | 'PROTOCOL_IS_SHUTDOWN' | 'WRONG_SSL_VERSION' | PostHandshakeAuthRefusal): number {
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
  async step(): Promise<PullOutcome | RecordEvent | 'failed'> {
    let r: PullOutcome;
    try {
      const thrown = this.pullFailure;
      this.pullFailure = null;
      if (thrown) throw thrown.error;
      r = this.io.pull();
    } catch (e) {
      await this.fail(e);
      return 'failed';
    }
    if (r === 'want') this.rwstate = 'reading';
    if (r !== 'record') return r;
    try {
      return await this.engine.processRecord();
    } catch (e) {
      await this.fail(e);
      return 'failed';
    }
  }

  /**
   * A failure of this call: the engine records it (the first one is sticky, with its alert: Engine.fail), and it
   * is this call's error. An alert never jumps a half-written record: OpenSSL's waits behind it and is never sent.
   */
  async fail(e: unknown): Promise<void> {
    const { error, alertQueued } = await this.engine.fail(e, !this.io.holdsOutput);
    this.callError = error;
    this.lastError = error;
    if (!alertQueued) return;
    this.fatalAlertQueued = true;
    if (this.io.wbio) this.flush();
    // A transport that cannot take the alert does not replace the call's own error.
    this.callError = error;
    this.lastError = error;
  }

  /** Transport EOF where a record was expected (rules 13 and 16). Returns the call's return value. */
  async eof(retDuringData: number): Promise<number> {
    if (this.options & SSL_OP_IGNORE_UNEXPECTED_EOF && this.engine.handshakeComplete) {
      // OpenSSL assigns RECEIVED here (SSL_set_shutdown), clearing SENT, in read as in shutdown (rule 17).
      this.flags = SSL_RECEIVED_SHUTDOWN;
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
      // The engine set RECEIVED.
      if (ev === 'close-notify') return 0;
    }
  }
}
