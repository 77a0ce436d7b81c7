/**
 * `TlsStreams`: a memtls connection over any byte transport given as a `ReadableStream<Uint8Array>` /
 * `WritableStream<Uint8Array>` pair, exposed as a plaintext pair of the same shape. Runs in browsers,
 * workers and Node (it uses only the WHATWG streams, `@memtls/core` and two `MemoryBio`s).
 *
 * Theory of operation
 * - The `Ssl` reads from a MemoryBio that is filled from the transport on demand: only when a call
 *   reports WANT_READ is one more transport chunk read. Ciphertext therefore waits in the transport (whose
 *   own backpressure applies) and the read BIO holds at most one chunk plus a partial record.
 * - After every `Ssl` call the write BIO is drained into one transport write, synchronously in the tick
 *   the call returned, so bytes reach the transport in the order the engine produced them. The handshake,
 *   write and shutdown paths await that write: the transport's backpressure reaches `writable` and the
 *   write BIO stays bounded (plaintext is sealed 16 KiB at a time). The read path never waits for the
 *   transport's write side (what a read produces is small: a KeyUpdate reply, an alert), so reading goes
 *   on while writes are stalled.
 * - `getError` and `errorReason` are read right after the call they describe, in the same tick: calls
 *   from the read and the write side overlap (the core serves them in call order) and the error state is
 *   per connection, as in OpenSSL.
 * - Plaintext is decrypted ahead of the reader up to `readableHighWaterMark` bytes, then not at all until
 *   the reader takes some: the transport is not read either.
 *
 * Close rules
 * - The peer's close_notify (`read` → 0 / SSL_ERROR_ZERO_RETURN) closes `readable`.
 * - Closing `writable` runs the shutdown: the first `shutdown()` sends close_notify (returns 0, or 1 when
 *   the peer's close_notify was already read). On 0, application data the peer still sends goes to
 *   `readable` (OpenSSL rule 5: it must go through `read`, never through `shutdown`); once `readable`
 *   has seen the close_notify the second `shutdown()` must return 1. Then the transport is closed and
 *   `closed` resolves. If `readable` was cancelled, the shutdown is one-sided: close_notify, then close.
 * - The transport ending without close_notify errors `readable` with `ERR_MEMTLS_TRUNCATED` (OpenSSL's
 *   "unexpected eof while reading"; the engine sends its decode_error alert as OpenSSL does).
 * - Any failure is sticky: the first one errors both streams, rejects `opened`/`closed`, and closes the
 *   transport (after the alert the engine queued, if any).
 */
import {
  MemoryBio,
  SSL_ERROR_NONE,
  SSL_ERROR_SSL,
  SSL_ERROR_WANT_READ,
  SSL_ERROR_ZERO_RETURN,
  Ssl,
  SslContext,
  type ContextOptions,
  type SslSession,
} from '@memtls/core';
import { TlsErrorCode, TlsStreamError, type TlsPhase } from './errors.js';

/** A byte transport: what the peer sends arrives on `readable`; what is written to `writable` goes to it. */
export interface ByteTransport {
  /** Bytes from the peer. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the peer. */
  readonly writable: WritableStream<Uint8Array>;
}

/** Options of `new TlsStreams(transport, options)`. */
export interface TlsStreamsOptions {
  /** An `SslContext`, or the options to make one (role, ca, cert, key, alpn, ...). */
  context: SslContext | ContextOptions;
  /** Client: SNI and the name the certificate is checked against. Required by a verifying client (the
   * transport's address, e.g. a relay URL, says nothing about the TLS server) unless the context sets
   * verifyHostname: false. */
  serverName?: string;
  /** Client: a session to resume. */
  session?: SslSession;
  /** Plaintext bytes decrypted ahead of the reader of `readable` (default 64 KiB). */
  readableHighWaterMark?: number;
  /** Plaintext bytes queued in `writable` before its writer sees backpressure (default 64 KiB). */
  writableHighWaterMark?: number;
  /** Called once when the peer's close_notify has been read (`readable` is then closed). */
  onPeerClose?: () => void;
}

/** What `opened` resolves to. */
export interface TlsInfo {
  /** The protocol version, 'TLSv1.3'. */
  version: string | null;
  /** The cipher suite's IANA name. */
  cipher: string | null;
  /** The ALPN protocol agreed, or null. */
  alpn: string | null;
  /** True when a session was resumed. */
  sessionReused: boolean;
}

/** Bytes held on the receive path, for monitoring and tests. */
export interface TlsBufferStats {
  /** Ciphertext in the read BIO (at most one transport chunk plus a partial record). */
  ciphertext: number;
  /** Decrypted plaintext queued in `readable`, not yet taken by its reader. */
  plaintext: number;
  /** Ciphertext produced by the engine and not yet handed to the transport. */
  outgoing: number;
}

const DEFAULT_HWM = 64 * 1024;
/** Plaintext sealed per `Ssl.write` call: one record, so the write BIO never holds more than that. */
const WRITE_SLICE = 16 * 1024;
const READ_CHUNK = 16 * 1024;

interface Outcome {
  ret: number;
  err: number;
  reason: string | null;
  /** With SSL_ERROR_SSL: the engine's error (reason code and words) and a failed verification's X509_V_ERR name. */
  detail?: { sslReason: string; words: string; verifyResult: string | null };
}

/** OpenSSL's reason string for a transport EOF without close_notify (what `errorReason()` returns). */
const UNEXPECTED_EOF = 'unexpected eof while reading';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Rejections are reported through the streams as well: never let an unobserved one crash Node.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

function checkSize(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`TlsStreams: ${name} must be a positive integer`);
  return v;
}

/** Any BufferSource as a Uint8Array view (no copy). */
export function asBytes(chunk: unknown, what: string): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError(`${what}: expected a Uint8Array (or another BufferSource), got ${chunk === null ? 'null' : typeof chunk}`);
}

/** Queue size of a chunk: its byte length, or 0 for a non-byte chunk (which write() then refuses). */
function byteLengthOf(chunk: unknown): number {
  return ArrayBuffer.isView(chunk) || chunk instanceof ArrayBuffer ? chunk.byteLength : 0;
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * TLS over a byte transport, as a plaintext `readable` / `writable` pair. The handshake starts at once.
 *
 * @example
 * const tls = new TlsStreams(transport, { context: { role: 'client', ca }, serverName: 'example.test' });
 * await tls.opened;
 * const w = tls.writable.getWriter();
 * await w.write(new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n'));
 * await w.close(); // close_notify; resolves once the peer's close_notify was read too
 * for await (const chunk of tls.readable) console.log(chunk.length);
 */
export class TlsStreams {
  /** The memtls `Ssl` under the streams, for inspection (version, shutdown flags, session); do not drive it. */
  readonly ssl: Ssl;
  /** Plaintext from the peer; closes at its close_notify, errors with a `TlsStreamError`. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Plaintext to the peer; closing it runs the TLS shutdown. */
  readonly writable: WritableStream<Uint8Array>;
  /** Resolves when the handshake is complete; rejects with a `TlsStreamError`. */
  readonly opened: Promise<TlsInfo>;
  /** Resolves after a clean close of both directions and of the transport; rejects on failure. */
  readonly closed: Promise<void>;

  readonly #rbio = new MemoryBio();
  readonly #wbio = new MemoryBio();
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #readableHwm: number;
  readonly #onPeerClose: (() => void) | undefined;
  readonly #opened = deferred<TlsInfo>();
  readonly #closed = deferred<void>();
  /** Resolved when `readable` is done: close_notify read, cancelled by its reader, or failed. */
  readonly #readSideDone = deferred<void>();

  #readableController: ReadableStreamDefaultController<Uint8Array> | null = null;
  #writableController: WritableStreamDefaultController | null = null;
  #filling: Promise<void> | null = null;
  #lastWrite: Promise<void> = Promise.resolve();
  #transportError: unknown;
  #transportFailed = false;
  #transportWriteError: unknown;
  #transportWriteFailed = false;
  #transportClosing = false;
  #peerClosed = false;
  #readCancelled = false;
  #failure: TlsStreamError | null = null;

  /**
   * @param transport the byte transport; its streams are locked for the life of the connection.
   * @param options the context and connection options.
   * @throws {TypeError} if the transport or options are not usable (e.g. a locked stream).
   */
  constructor(transport: ByteTransport, options: TlsStreamsOptions) {
    if (!transport || !(transport.readable instanceof ReadableStream) || !(transport.writable instanceof WritableStream)) {
      throw new TypeError('TlsStreams: transport must be { readable: ReadableStream, writable: WritableStream }');
    }
    if (!options || typeof options !== 'object' || !options.context) throw new TypeError('TlsStreams: options.context is required');
    const ctx = options.context instanceof SslContext ? options.context : new SslContext(options.context);
    const sslOpts: { serverName?: string; session?: SslSession } = {};
    if (options.serverName !== undefined) sslOpts.serverName = options.serverName;
    if (options.session !== undefined) sslOpts.session = options.session;
    this.#readableHwm = checkSize('readableHighWaterMark', options.readableHighWaterMark, DEFAULT_HWM);
    const writableHwm = checkSize('writableHighWaterMark', options.writableHighWaterMark, DEFAULT_HWM);
    this.#onPeerClose = options.onPeerClose;
    if (ctx.needsServerName && options.serverName === undefined) {
      throw new TypeError('TlsStreams: serverName is required: it is the name the server certificate is checked against (a transport such as a WebSocket relay names the relay, not the TLS server); or set verifyHostname: false in the context to opt out explicitly');
    }
    this.ssl = new Ssl(ctx, sslOpts);
    this.ssl.setBio(this.#rbio, this.#wbio);
    this.#reader = transport.readable.getReader();
    this.#writer = transport.writable.getWriter();
    this.#reader.closed.catch(() => undefined);
    this.#writer.closed.catch(() => undefined);

    this.opened = this.#opened.promise;
    this.closed = this.#closed.promise;

    this.readable = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#readableController = controller;
        },
        pull: (controller) => this.#pull(controller),
        cancel: () => {
          this.#readCancelled = true;
          this.#readSideDone.resolve();
        },
      },
      { highWaterMark: this.#readableHwm, size: (chunk) => chunk.byteLength },
    );
    this.writable = new WritableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#writableController = controller;
        },
        write: (chunk) => this.#write(asBytes(chunk, 'TlsStreams.writable')),
        close: () => this.#shutdown(),
        abort: (reason) => {
          this.#fail(new TlsStreamError(TlsErrorCode.ABORTED, `aborted: ${describe(reason)}`, { phase: 'write', cause: reason }), true);
        },
      },
      // A chunk that is not bytes is refused by write(), not by size() (which would error the stream silently).
      { highWaterMark: writableHwm, size: byteLengthOf },
    );

    this.#handshake().then(
      (info) => this.#opened.resolve(info),
      (e) => this.#opened.reject(e),
    );
  }

  /** Bytes held on the receive and send paths. */
  stats(): TlsBufferStats {
    const desired = this.#readableController?.desiredSize ?? this.#readableHwm;
    return {
      ciphertext: this.#rbio.pending(),
      plaintext: Math.max(0, this.#readableHwm - desired),
      outgoing: this.#wbio.pending(),
    };
  }

  /** Tear the connection down at once, without close_notify: both streams error with `ERR_MEMTLS_ABORTED`. */
  abort(reason?: unknown): void {
    this.#fail(new TlsStreamError(TlsErrorCode.ABORTED, reason === undefined ? 'aborted' : `aborted: ${describe(reason)}`, { phase: 'transport', cause: reason }), true);
  }

  // ------------------------------------------------------------------ transport

  /** Read one transport chunk into the read BIO (shared by concurrent callers); EOF and errors end the BIO. */
  #fill(): Promise<void> {
    if (this.#filling) return this.#filling;
    const p = this.#reader.read().then(
      (r) => {
        if (r.done) {
          this.#rbio.setEof();
          return;
        }
        let bytes: Uint8Array;
        try {
          bytes = asBytes(r.value, 'transport readable');
        } catch (e) {
          this.#transportBroke(e);
          return;
        }
        if (bytes.length) this.#rbio.write(bytes);
      },
      (e) => this.#transportBroke(e),
    );
    this.#filling = p.finally(() => {
      this.#filling = null;
    });
    return this.#filling;
  }

  #transportBroke(e: unknown): void {
    if (!this.#transportFailed) {
      this.#transportFailed = true;
      this.#transportError = e;
    }
    this.#rbio.setEof();
  }

  /** Hand everything in the write BIO to the transport in one write; resolves when the transport took it. */
  #flush(): Promise<void> {
    const n = this.#wbio.pending();
    if (n === 0) return this.#lastWrite;
    const bytes = new Uint8Array(n);
    this.#wbio.read(bytes);
    if (this.#transportClosing) return this.#lastWrite;
    this.#lastWrite = this.#writer.write(bytes).catch((e: unknown) => {
      if (!this.#transportWriteFailed) {
        this.#transportWriteFailed = true;
        this.#transportWriteError = e;
      }
    });
    return this.#lastWrite;
  }

  /** Close the transport: its writable (graceful, after queued bytes) and our reading side. */
  async #closeTransport(abortive: boolean): Promise<void> {
    if (this.#transportClosing) return;
    this.#transportClosing = true;
    const w = abortive ? this.#writer.abort() : this.#writer.close();
    await Promise.allSettled([w, this.#reader.cancel()]);
  }

  // ------------------------------------------------------------------ outcomes and failures

  /** getError/errorReason for `ret`; call in the tick the call resolved (see the module rules). */
  #outcome(ret: number): Outcome {
    if (ret > 0) return { ret, err: SSL_ERROR_NONE, reason: null };
    const err = this.ssl.getError(ret);
    if (err !== SSL_ERROR_SSL) return { ret, err, reason: null };
    const e = this.ssl.lastErrorDetail();
    const verify = this.ssl.verifyResult();
    // Only a verification that ran and failed is worth reporting (X509_V_ERR_NOT_VERIFIED: it never ran).
    const verifyResult = verify !== 'X509_V_OK' && verify !== 'X509_V_ERR_NOT_VERIFIED' ? verify : null;
    return { ret, err, reason: this.ssl.errorReason(), ...(e ? { detail: { sslReason: e.reason, words: e.message, verifyResult } } : {}) };
  }

  #errorFor(phase: TlsPhase, o: Outcome): TlsStreamError {
    if (this.#failure) return this.#failure;
    const opts = { phase, reason: o.reason, sslError: o.err, sslReason: o.detail?.sslReason ?? null, verifyResult: o.detail?.verifyResult ?? null };
    const eof = o.reason === UNEXPECTED_EOF;
    if (eof && this.#transportFailed) {
      const cause = this.#transportError;
      if (cause instanceof TlsStreamError) return cause;
      return new TlsStreamError(TlsErrorCode.TRANSPORT, `${phase}: the transport failed: ${describe(cause)}`, { ...opts, cause });
    }
    if (eof) {
      const what = phase === 'handshake' ? 'before the handshake completed' : 'without close_notify';
      return new TlsStreamError(TlsErrorCode.TRUNCATED, `${phase}: the transport closed ${what} (unexpected eof while reading)`, opts);
    }
    // The engine's words in full (as @memtls/node's message): for a refused certificate, the X509_V_ERR name,
    // the depth and OpenSSL's text, not only "certificate verify failed".
    return new TlsStreamError(TlsErrorCode.SSL, `${phase}: ${o.detail?.words ?? o.reason ?? `SSL_ERROR ${o.err}`}`, opts);
  }

  /** Record the first failure: error both streams, reject the promises, close the transport. */
  #fail(e: TlsStreamError, abortive = false): TlsStreamError {
    if (this.#failure) return this.#failure;
    this.#failure = e;
    try {
      this.#readableController?.error(e);
    } catch {
      // already closed
    }
    try {
      this.#writableController?.error(e);
    } catch {
      // already closed
    }
    this.#opened.reject(e);
    this.#closed.reject(e);
    this.#readSideDone.resolve();
    // Graceful unless aborted, so an alert the engine queued still reaches the peer.
    void this.#lastWrite.then(() => this.#closeTransport(abortive));
    return e;
  }

  #transportWriteFailure(phase: TlsPhase): TlsStreamError {
    const cause = this.#transportWriteError;
    if (cause instanceof TlsStreamError) return cause;
    return new TlsStreamError(TlsErrorCode.TRANSPORT, `${phase}: the transport refused bytes: ${describe(cause)}`, { phase, cause });
  }

  // ------------------------------------------------------------------ handshake, read, write, shutdown

  async #handshake(): Promise<TlsInfo> {
    for (;;) {
      if (this.#failure) throw this.#failure;
      const ret = await this.ssl.doHandshake();
      const o = this.#outcome(ret);
      await this.#flush();
      if (ret === 1) {
        return { version: this.ssl.version(), cipher: this.ssl.cipher(), alpn: this.ssl.alpnSelected(), sessionReused: this.ssl.sessionReused() };
      }
      if (o.err === SSL_ERROR_WANT_READ) {
        await this.#fill();
        continue;
      }
      throw this.#fail(this.#errorFor('handshake', o));
    }
  }

  async #pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    try {
      await this.opened;
    } catch {
      return; // #fail already errored the stream
    }
    for (;;) {
      if (this.#failure || this.#readCancelled) return;
      const buf = new Uint8Array(READ_CHUNK);
      const ret = await this.ssl.read(buf);
      const o = this.#outcome(ret);
      // A read may queue output (a KeyUpdate reply, an alert): send it, but never wait for the transport
      // here. Reading must go on while our writes are stalled, or two peers that both write more than the
      // transport buffers would wait for each other forever.
      void this.#flush();
      if (ret > 0) {
        if (this.#readCancelled || this.#failure) return;
        controller.enqueue(ret >= READ_CHUNK / 2 ? buf.subarray(0, ret) : buf.slice(0, ret));
        return;
      }
      if (o.err === SSL_ERROR_WANT_READ) {
        await this.#fill();
        continue;
      }
      if (o.err === SSL_ERROR_ZERO_RETURN) {
        this.#peerClosed = true;
        if (!this.#readCancelled) controller.close();
        this.#readSideDone.resolve();
        this.#onPeerClose?.();
        return;
      }
      this.#fail(this.#errorFor('read', o));
      return;
    }
  }

  async #write(data: Uint8Array): Promise<void> {
    await this.opened;
    for (let off = 0; off < data.length; off += WRITE_SLICE) {
      if (this.#failure) throw this.#failure;
      const ret = await this.ssl.write(data.subarray(off, Math.min(data.length, off + WRITE_SLICE)));
      const o = this.#outcome(ret);
      await this.#flush();
      if (this.#transportWriteFailed) throw this.#fail(this.#transportWriteFailure('write'));
      if (ret <= 0) throw this.#fail(this.#errorFor('write', o));
    }
  }

  async #shutdown(): Promise<void> {
    await this.opened;
    if (this.#failure) throw this.#failure;
    // First call: close_notify out. 1 when the peer's close_notify was already read, else 0.
    let ret = await this.ssl.shutdown();
    let o = this.#outcome(ret);
    await this.#flush();
    if (ret < 0) throw this.#fail(this.#errorFor('shutdown', o));
    if (ret === 0) {
      // Wait until `readable` has read the peer's close_notify (data before it is delivered there).
      await this.#readSideDone.promise;
      if (this.#failure) throw this.#failure;
      if (this.#peerClosed) {
        ret = await this.ssl.shutdown();
        o = this.#outcome(ret);
        await this.#flush();
        if (ret !== 1) throw this.#fail(this.#errorFor('shutdown', o));
      }
      // else: readable was cancelled; a one-sided shutdown (close_notify sent, then close) is allowed.
    }
    // Our close_notify could not be delivered only if the peer closed the transport after its own
    // close_notify: that close is the peer's choice, not a failure.
    if (this.#transportWriteFailed && !this.#peerClosed) throw this.#fail(this.#transportWriteFailure('shutdown'));
    await this.#closeTransport(false);
    this.#closed.resolve();
  }
}
