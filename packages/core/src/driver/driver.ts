/**
 * `Driver`: runs one `Ssl` over an abstract async byte transport (BearSSL's br_sslio, ws's split between the
 * protocol and the socket). It owns the `Ssl`'s two memory BIOs, the handshake, read, write and shutdown
 * loops, one error taxonomy (errors.ts) and one shutdown policy. The adapters (Node Duplex, web streams,
 * WebSocket) are glue plus their own backpressure. No `node:` import: it runs in browsers.
 *
 * Theory of operation
 * - Transport bytes go into the read BIO (`receive`, `receiveEof`); after every Ssl call everything in the
 *   write BIO goes to the transport, synchronously (one `transport.writev` for several chunks when the
 *   transport has it, else `write` per chunk), so bytes reach the transport in the order the engine produced them.
 * - Calls are serialised here, not only by the core's op queue: `getError(ret)` and `errorReason()` describe
 *   the most recent call, and the core starts the next queued call as soon as one settles, so they are read
 *   (into a `CallOutcome`) before another call may begin. A call made while none is queued or running starts
 *   at once after the handshake (no hop through the lock's promise).
 * - A call that returns WANT_READ is retried when bytes (or EOF) arrive. After the handshake a read is not even
 *   made while the engine has taken every complete record and holds no plaintext (input-frames.ts tracks where
 *   the records end): it could only return WANT_READ. An input sequence number taken
 *   before each call closes the race "bytes arrived while the call was running". Pull sources are asked for
 *   one chunk (`requestInput`) only then.
 * - Writes are sealed `writePiece` bytes at a time (default 16 KiB, one record); after each piece the driver
 *   waits while the transport asks it to (`drained`).
 *
 * Shutdown policy (OpenSSL 3 semantics, docs/shutdown.md)
 * - `shutdown()` sends close_notify: SSL_shutdown returns 0 (sent) or 1 (the peer's was already read).
 *   Shutdown rule 10: a KeyUpdate the peer requested may still be queued after the handshake ("shutdown while
 *   in init"); an empty SSL_write sends it, then SSL_shutdown is called once more.
 * - The peer's close_notify (`read` → 0) ends reading; when ours was sent, SSL_shutdown is called again and
 *   must complete (1). With `waitForPeer`, `shutdown()` resolves only then; data the peer sends before its
 *   close_notify still goes to `read` (rule 5: never through shutdown).
 * - The reader gone (`readerGone()`) makes the shutdown one-sided: close_notify sent, nothing awaited.
 * - A transport EOF without close_notify is truncation (ERR_MEMTLS_TRUNCATED), unless the context ignores
 *   unexpected EOF; an input that ended with an error is ERR_MEMTLS_TRANSPORT.
 * - Failures are sticky: the first one is what every later operation rejects with.
 */
import { MemoryBio } from '../bio/memory-bio.js';
import { SSL_ERROR_NONE, SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE, SSL_ERROR_ZERO_RETURN, SSL_SENT_SHUTDOWN } from '../constants.js';
import type { Ssl } from '../ssl.js';
import { type CallOutcome, type DriverCall, DriverError, DriverErrorCode, type DriverPhase, errorFromOutcome } from './errors.js';
import { InputFrames } from './input-frames.js';
import { checkWritePiece, engineFailure, flushOutput } from './output.js';
import type { DriverEarlyData, DriverOptions, DriverTransport } from './transport.js';

const EMPTY = new Uint8Array(0);

type Waiter = () => void;

/** Runs an `Ssl` over a `DriverTransport`; see the module rules. */
export class Driver {
  /** The connection. Inspect it freely; drive it only through the driver. */
  readonly ssl: Ssl;
  readonly #rbio = new MemoryBio();
  readonly #wbio = new MemoryBio();
  readonly #transport: DriverTransport;
  readonly #coalesce: boolean;
  readonly #writePiece: number;
  readonly #onCall: ((o: CallOutcome) => void) | undefined;
  readonly #onReadIdle: (() => void) | undefined;
  readonly #onPeerClose: (() => void) | undefined;
  #inputSeq = 0;
  /** Bytes received, and where their complete records end (to skip reads that could only return WANT_READ). */
  #received = 0;
  readonly #frames = new InputFrames();
  #inputEnded = false;
  #waiters: Waiter[] = [];
  /** The last call made (settled or not): the next one starts after it. */
  #lock: Promise<unknown> = Promise.resolve();
  /** Calls queued or running (a call made while this is 0 starts at once). */
  #busy = 0;
  #inflight = 0;
  #freePending = false;
  #freed = false;
  #handshake: Promise<void> | null = null;
  #secure = false;
  #failure: DriverError | null = null;
  #inputFailure: { cause: unknown } | null = null;
  #outputFailure: { cause: unknown } | null = null;
  #peerClosed = false;
  #readDone = false;
  #readDoneWaiters: Waiter[] = [];

  /**
   * Take over `ssl` (its BIOs are set here) on `transport`. Nothing runs until an operation is called.
   * @param ssl a fresh `Ssl` (no BIOs set, no call made).
   * @param transport the transport's glue.
   * @param options write coalescing, the write piece and hooks.
   * @throws {TypeError|RangeError} when `writePiece` is not an integer from 1 to 1048576.
   */
  constructor(ssl: Ssl, transport: DriverTransport, options: DriverOptions = {}) {
    this.#writePiece = checkWritePiece(options.writePiece);
    this.ssl = ssl;
    this.#transport = transport;
    this.#coalesce = options.coalesceWrites === true;
    this.#onCall = options.onCall;
    this.#onReadIdle = options.onReadIdle;
    this.#onPeerClose = options.onPeerClose;
    ssl.setBio(this.#rbio, this.#wbio);
  }

  // ------------------------------------------------------------------ state

  /** True once the handshake completed. */
  get secure(): boolean {
    return this.#secure;
  }

  /** True once the peer's close_notify was read. */
  get peerClosed(): boolean {
    return this.#peerClosed;
  }

  /** The first failure, or null. */
  get failure(): DriverError | null {
    return this.#failure;
  }

  /** Ciphertext received and not yet processed (the read BIO). */
  bufferedCiphertext(): number {
    return this.#rbio.pending();
  }

  /** Ciphertext produced and not yet handed to the transport (the write BIO). */
  pendingOutput(): number {
    return this.#wbio.pending();
  }

  // ------------------------------------------------------------------ the transport's side

  /**
   * Bytes from the peer. With `owned`, the transport gives them away (it never changes them afterwards, as a
   * `net.Socket`'s 'data' chunks): they are kept as they are, else copied.
   */
  receive(bytes: Uint8Array, owned = false): void {
    if (bytes.length) {
      if (owned) this.#rbio.adopt(bytes);
      else this.#rbio.write(bytes);
      this.#received += bytes.length;
      this.#frames.feed(bytes);
    }
    this.#inputArrived();
  }

  /** The transport's input ended (FIN, stream done). */
  receiveEof(): void {
    this.#inputEnded = true;
    this.#rbio.setEof();
    this.#inputArrived();
  }

  /** The transport's input ended in an error: the EOF the engine then reports is ERR_MEMTLS_TRANSPORT, not truncation. */
  receiveError(cause: unknown): void {
    if (this.#inputFailure === null) this.#inputFailure = { cause };
    this.receiveEof();
  }

  /** The transport could not deliver bytes the driver wrote: the next write or shutdown fails with ERR_MEMTLS_TRANSPORT. */
  outputFailed(cause: unknown): void {
    if (this.#outputFailure === null) this.#outputFailure = { cause };
  }

  /** True once the transport reported that it could not deliver our bytes. */
  get outputBroken(): boolean {
    return this.#outputFailure !== null;
  }

  #inputArrived(): void {
    this.#inputSeq++;
    this.#wake();
  }

  #wake(): void {
    if (this.#waiters.length === 0) return;
    const ws = this.#waiters;
    this.#waiters = [];
    for (const w of ws) w();
  }

  /** Resolve once input arrived after `seq` was taken (at once if it already has), or on failure. */
  #waitInput(seq: number): Promise<void> {
    if (seq !== this.#inputSeq || this.#failure) return Promise.resolve();
    const p = new Promise<void>((resolve) => this.#waiters.push(resolve));
    this.#transport.requestInput?.();
    return p;
  }

  // ------------------------------------------------------------------ calls

  #call(name: DriverCall, fn: () => Promise<number>): Promise<CallOutcome> {
    const go = (): Promise<CallOutcome> => this.#callNow(name, fn);
    // After the handshake, with nothing queued or running: start now (the lock's tail is settled, so the order
    // is the same). Handshake calls keep the hop: the first starts a microtask after the adapter's constructor.
    const now = this.#busy === 0 && this.#secure;
    this.#busy++;
    const run = now ? go() : this.#lock.then(go, go);
    this.#lock = run;
    return run;
  }

  /** One call; `#busy` counts it until its outcome is read (and its output flushed). */
  async #callNow(call: DriverCall, fn: () => Promise<number>): Promise<CallOutcome> {
    try {
      if (this.#freed) throw this.#failure ?? this.abort();
      this.#inflight++;
      let ret: number;
      try {
        ret = await fn();
      } finally {
        this.#inflight--;
      }
      const ssl = this.ssl;
      const err = ret > 0 ? SSL_ERROR_NONE : ssl.getError(ret);
      const failed = ret <= 0 && err !== SSL_ERROR_WANT_READ && err !== SSL_ERROR_WANT_WRITE && err !== SSL_ERROR_ZERO_RETURN;
      const outcome: CallOutcome = { call, ret, err, failure: failed ? engineFailure(ssl) : null };
      this.#flush();
      this.#onCall?.(outcome);
      if (this.#freePending && this.#inflight === 0) this.#freeNow();
      return outcome;
    } finally {
      this.#busy--;
    }
  }

  /** Everything in the write BIO to the transport (output.ts). */
  #flush(): void {
    flushOutput(this.#wbio, this.#transport, this.#coalesce);
  }

  #drained(op: 'handshake' | 'write' | 'shutdown'): Promise<void> | undefined {
    return this.#transport.drained(op);
  }

  /** Record the first failure (sticky) and wake everything that waits. */
  #fail(e: DriverError): DriverError {
    if (this.#failure) return this.#failure;
    this.#failure = e;
    this.#wake();
    this.#endRead();
    return e;
  }

  #failCall(o: CallOutcome, phase: DriverPhase): DriverError {
    return this.#fail(errorFromOutcome(o, phase, this.#inputFailure));
  }

  #failOutput(phase: DriverPhase, call: DriverCall): DriverError {
    return this.#fail(new DriverError(DriverErrorCode.TRANSPORT, phase, `${phase}: the transport refused bytes`, { call, side: 'out', cause: this.#outputFailure?.cause }));
  }

  /**
   * Make the transport's refusal of our bytes (`outputFailed`) the sticky failure, for an adapter that
   * judges it after `shutdown()` (a refused close_notify is no failure once the peer's was read).
   */
  failOutput(phase: DriverPhase): DriverError {
    return this.#failOutput(phase, 'SSL_shutdown');
  }

  // ------------------------------------------------------------------ handshake

  /**
   * Run the handshake (started by the first call; later calls return the same promise). Rejects with a `DriverError`.
   * `early` (first call only): a client's 0-RTT early data to write first (writeEarlyData; not sent when the session
   * does not allow it: `ssl.getEarlyDataStatus()` says what became of it), or a server's reader of early data
   * (readEarlyData until 0, each chunk to `read`), RFC 8446 §4.2.10.
   */
  handshake(early?: DriverEarlyData): Promise<void> {
    if (this.#handshake === null) this.#handshake = this.#runHandshake(early);
    return this.#handshake;
  }

  /** OpenSSL's early-data calls before SSL_do_handshake: SSL_write_early_data once, or SSL_read_early_data until 0. */
  async #earlyData(early: DriverEarlyData): Promise<void> {
    if (early.write) {
      const data = early.write;
      const o = await this.#call('SSL_write_early_data', () => this.ssl.writeEarlyData(data));
      // 0 with SSL_ERROR_SSL: the session allows no early data (a local refusal, not fatal): the handshake goes on.
      if (o.ret < 0) throw this.#failCall(o, 'handshake');
      const d = this.#drained('handshake');
      if (d) await d;
      return;
    }
    const read = early.read;
    if (!read) return;
    const buf = new Uint8Array(16 * 1024);
    for (;;) {
      if (this.#failure) throw this.#failure;
      const seq = this.#inputSeq;
      const o = await this.#call('SSL_read_early_data', () => this.ssl.readEarlyData(buf));
      if (o.ret > 0) read(buf.slice(0, o.ret));
      else if (o.ret === 0) return;
      else if (o.err === SSL_ERROR_WANT_READ) await this.#waitInput(seq);
      else throw this.#failCall(o, 'handshake');
    }
  }

  async #runHandshake(early: DriverEarlyData | undefined): Promise<void> {
    if (early) await this.#earlyData(early);
    for (;;) {
      if (this.#failure) throw this.#failure;
      const seq = this.#inputSeq;
      const o = await this.#call('SSL_do_handshake', () => this.ssl.doHandshake());
      const d = this.#drained('handshake');
      if (d) await d;
      if (o.ret === 1) break;
      if (o.err === SSL_ERROR_WANT_READ) {
        await this.#waitInput(seq);
        continue;
      }
      throw this.#failCall(o, 'handshake');
    }
    this.#secure = true;
  }

  // ------------------------------------------------------------------ read

  /**
   * Read plaintext into `buf` once the handshake is done: the byte count (> 0), or 0 after the peer's
   * close_notify (and, when ours was sent, the completed shutdown). Waits for transport bytes as needed, or
   * with `wait` false returns -1 when none are there (the caller reads again when `receive` is called: an
   * idle connection then holds no read buffer). Never waits for the transport's write side. Rejects with
   * the sticky `DriverError`.
   */
  async read(buf: Uint8Array, wait = true): Promise<number> {
    for (;;) {
      if (this.#failure) throw this.#failure;
      const seq = this.#inputSeq;
      if (this.#nothingToRead()) {
        if (!wait) return -1;
        await this.#waitInput(seq);
        continue;
      }
      const o = await this.#call('SSL_read', () => this.ssl.read(buf));
      if (o.ret > 0) return o.ret;
      if (o.err === SSL_ERROR_WANT_READ) {
        this.#onReadIdle?.();
        if (!wait && seq === this.#inputSeq) return -1;
        await this.#waitInput(seq);
        continue;
      }
      if (o.err === SSL_ERROR_ZERO_RETURN) return this.#peerCloseNotify();
      throw this.#failCall(o, 'read');
    }
  }

  /**
   * After the handshake, with no call queued or running: the engine has taken every complete record from the
   * read BIO and holds no plaintext, and the input has not ended, so SSL_read could only return WANT_READ.
   */
  #nothingToRead(): boolean {
    if (!this.#secure || this.#busy !== 0 || this.#inputEnded) return false;
    return this.ssl.pending() === 0 && this.#frames.noRecordBeyond(this.#received - this.#rbio.pending());
  }

  async #peerCloseNotify(): Promise<number> {
    this.#peerClosed = true;
    this.#onPeerClose?.();
    if (this.ssl.getShutdown() & SSL_SENT_SHUTDOWN) {
      const o = await this.#call('SSL_shutdown', () => this.ssl.shutdown());
      if (o.ret < 0) throw this.#failCall(o, 'shutdown');
    }
    this.#endRead();
    return 0;
  }

  /** The reader is gone (e.g. a cancelled stream): a later shutdown is one-sided. */
  readerGone(): void {
    this.#endRead();
  }

  #endRead(): void {
    if (this.#readDone) return;
    this.#readDone = true;
    const ws = this.#readDoneWaiters;
    this.#readDoneWaiters = [];
    for (const w of ws) w();
  }

  // ------------------------------------------------------------------ write

  /**
   * Seal and send `data` (after the handshake), `writePiece` bytes per SSL_write, waiting whenever the transport
   * asks. Rejects with the sticky `DriverError` (ERR_MEMTLS_TRANSPORT when the transport refused our bytes).
   */
  async write(data: Uint8Array): Promise<void> {
    const size = this.#writePiece;
    for (let off = 0; off < data.length; off += size) {
      if (this.#failure) throw this.#failure;
      const piece = off === 0 && data.length <= size ? data : data.subarray(off, Math.min(data.length, off + size));
      const o = await this.#call('SSL_write', () => this.ssl.write(piece));
      const d = this.#drained('write');
      if (d) await d;
      if (this.#outputFailure) throw this.#failOutput('write', 'SSL_write');
      if (o.ret <= 0) throw this.#failCall(o, 'write');
    }
  }

  // ------------------------------------------------------------------ shutdown

  /**
   * Send close_notify (once the handshake is done; nothing if it was already sent). With `waitForPeer`,
   * resolve only when the bidirectional shutdown completed or the reader is gone (see the module rules).
   * Closing the transport afterwards is the adapter's. Rejects with the sticky `DriverError`.
   */
  async shutdown(waitForPeer: boolean): Promise<void> {
    if (this.#failure) throw this.#failure;
    const ssl = this.ssl;
    let ret = 1;
    if (!(ssl.getShutdown() & SSL_SENT_SHUTDOWN)) {
      let o = await this.#call('SSL_shutdown', () => ssl.shutdown());
      if (o.ret < 0 && o.failure?.sslReason === 'SHUTDOWN_WHILE_IN_INIT' && ssl.isInitFinished()) {
        await this.#call('SSL_write', () => ssl.write(EMPTY));
        o = await this.#call('SSL_shutdown', () => ssl.shutdown());
      }
      const d = this.#drained('shutdown');
      if (d) await d;
      if (o.ret < 0) throw this.#failCall(o, 'shutdown');
      ret = o.ret;
    } else if (!this.#peerClosed) ret = 0;
    if (waitForPeer && ret === 0) {
      if (!this.#readDone) await new Promise<void>((resolve) => this.#readDoneWaiters.push(resolve));
      if (this.#failure) throw this.#failure;
      const d = this.#drained('shutdown');
      if (d) await d;
    }
  }

  // ------------------------------------------------------------------ teardown

  /**
   * Stop: every waiting and later operation rejects with the first failure (ERR_MEMTLS_ABORTED unless one
   * came first). Sends nothing; the transport is the adapter's to close.
   * @returns the sticky failure.
   */
  abort(cause?: unknown): DriverError {
    const details = cause === undefined ? {} : { cause };
    return this.#fail(new DriverError(DriverErrorCode.ABORTED, this.#secure ? 'transport' : 'handshake', 'aborted', details));
  }

  /** SSL_free once no call is running (like SSL_free without SSL_shutdown: no SENT, the session is not resumable). */
  free(): void {
    if (this.#inflight === 0) this.#freeNow();
    else this.#freePending = true;
  }

  #freeNow(): void {
    this.#freePending = false;
    if (this.#freed) return;
    this.#freed = true;
    this.ssl.free();
  }
}
