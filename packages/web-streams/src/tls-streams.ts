/**
 * `TlsStreams`: a memtls connection over any byte transport given as a `ReadableStream<Uint8Array>` /
 * `WritableStream<Uint8Array>` pair, exposed as a plaintext pair of the same shape. Runs in browsers,
 * workers and Node (it uses only the WHATWG streams, `@memtls/core` and two `MemoryBio`s).
 *
 * Theory of operation
 * - The core's `Driver` runs the `Ssl` (BIOs, handshake/read/write/shutdown loops, the error taxonomy and
 *   the shutdown policy); this class is the glue to the web streams and their backpressure.
 * - The read BIO is filled from the transport on demand: only when a call reports WANT_READ is one more
 *   transport chunk read. Ciphertext therefore waits in the transport (whose own backpressure applies) and
 *   the read BIO holds at most one chunk plus a partial record.
 * - After every `Ssl` call the write BIO is drained into one transport write, synchronously in the tick
 *   the call returned, so bytes reach the transport in the order the engine produced them. The handshake,
 *   write and shutdown paths await that write: the transport's backpressure reaches `writable` and the
 *   write BIO stays bounded (plaintext is sealed 16 KiB at a time). The read path never waits for the
 *   transport's write side (what a read produces is small: a KeyUpdate reply, an alert), so reading goes
 *   on while writes are stalled.
 * - Plaintext is decrypted ahead of the reader up to `readableHighWaterMark` bytes, then not at all until
 *   the reader takes some: the transport is not read either.
 *
 * Close rules (the driver's shutdown policy)
 * - The peer's close_notify (`read` → 0 / SSL_ERROR_ZERO_RETURN) closes `readable`.
 * - Closing `writable` runs the shutdown: the first `shutdown()` sends close_notify (returns 0, or 1 when
 *   the peer's close_notify was already read). On 0, application data the peer still sends goes to
 *   `readable` (OpenSSL rule 5: it must go through `read`, never through `shutdown`); once `readable`
 *   has seen the close_notify the second `shutdown()` must return 1. Then the transport is closed and
 *   `closed` resolves. If `readable` was cancelled, the shutdown is one-sided: close_notify, then close.
 *   A KeyUpdate still queued at that point ("shutdown while in init") is sent first by an empty write.
 * - The transport ending without close_notify errors `readable` with `ERR_MEMTLS_TRUNCATED` (OpenSSL's
 *   "unexpected eof while reading"; the engine sends its decode_error alert as OpenSSL does).
 * - Any failure is sticky: the first one errors both streams, rejects `opened`/`closed`, and closes the
 *   transport (after the alert the engine queued, if any).
 */
import { type ContextOptions, Driver, type DriverTransport, Ssl, SslContext, type SslSession } from '@memtls/core/client';
import { streamErrorFromDriver, TlsErrorCode, TlsStreamError } from './errors.js';

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
const READ_CHUNK = 16 * 1024;

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

  readonly #driver: Driver;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #readableHwm: number;
  readonly #onPeerClose: (() => void) | undefined;
  readonly #opened = deferred<TlsInfo>();
  readonly #closed = deferred<void>();

  #readableController: ReadableStreamDefaultController<Uint8Array> | null = null;
  #writableController: WritableStreamDefaultController | null = null;
  #filling = false;
  #lastWrite: Promise<void> = Promise.resolve();
  #transportClosing = false;
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
    this.#reader = transport.readable.getReader();
    this.#writer = transport.writable.getWriter();
    this.#reader.closed.catch(() => undefined);
    this.#writer.closed.catch(() => undefined);
    this.#driver = new Driver(this.ssl, this.#glue(), { coalesceWrites: true });

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
          this.#driver.readerGone();
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

    this.#driver.handshake().then(
      () => this.#opened.resolve({ version: this.ssl.version(), cipher: this.ssl.cipher(), alpn: this.ssl.alpnSelected(), sessionReused: this.ssl.sessionReused() }),
      (e) => this.#opened.reject(this.#failFrom(e)),
    );
  }

  /** Bytes held on the receive and send paths. */
  stats(): TlsBufferStats {
    const desired = this.#readableController?.desiredSize ?? this.#readableHwm;
    return {
      ciphertext: this.#driver.bufferedCiphertext(),
      plaintext: Math.max(0, this.#readableHwm - desired),
      outgoing: this.#driver.pendingOutput(),
    };
  }

  /** Tear the connection down at once, without close_notify: both streams error with `ERR_MEMTLS_ABORTED`. */
  abort(reason?: unknown): void {
    this.#fail(new TlsStreamError(TlsErrorCode.ABORTED, reason === undefined ? 'aborted' : `aborted: ${describe(reason)}`, { phase: 'transport', cause: reason }), true);
  }

  // ------------------------------------------------------------------ transport glue

  /** The driver's view of the transport: one write per call, one chunk read per WANT_READ. */
  #glue(): DriverTransport {
    return {
      write: (bytes) => {
        if (this.#transportClosing) return;
        this.#lastWrite = this.#writer.write(bytes).catch((e: unknown) => this.#driver.outputFailed(e));
      },
      drained: () => this.#lastWrite,
      requestInput: () => this.#fill(),
    };
  }

  /** Read one transport chunk into the driver (one read at a time); EOF and errors end its input. */
  #fill(): void {
    if (this.#filling) return;
    this.#filling = true;
    this.#reader.read().then(
      (r) => {
        this.#filling = false;
        if (r.done) {
          this.#driver.receiveEof();
          return;
        }
        let bytes: Uint8Array;
        try {
          bytes = asBytes(r.value, 'transport readable');
        } catch (e) {
          this.#driver.receiveError(e);
          return;
        }
        this.#driver.receive(bytes);
      },
      (e: unknown) => {
        this.#filling = false;
        this.#driver.receiveError(e);
      },
    );
  }

  /** Close the transport: its writable (graceful, after queued bytes) and our reading side. */
  async #closeTransport(abortive: boolean): Promise<void> {
    if (this.#transportClosing) return;
    this.#transportClosing = true;
    const w = abortive ? this.#writer.abort() : this.#writer.close();
    await Promise.allSettled([w, this.#reader.cancel()]);
  }

  // ------------------------------------------------------------------ failures

  /** The failure for a driver rejection (mapped once; the first failure is sticky). */
  #failFrom(e: unknown): TlsStreamError {
    if (this.#failure) return this.#failure;
    return this.#fail(streamErrorFromDriver(e));
  }

  /** Record the first failure: error both streams, reject the promises, close the transport. */
  #fail(e: TlsStreamError, abortive = false): TlsStreamError {
    if (this.#failure) return this.#failure;
    this.#failure = e;
    this.#driver.abort(e);
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
    // Graceful unless aborted, so an alert the engine queued still reaches the peer.
    void this.#lastWrite.then(() => this.#closeTransport(abortive));
    return e;
  }

  // ------------------------------------------------------------------ read, write, shutdown

  async #pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    try {
      await this.opened;
    } catch {
      return; // #fail already errored the stream
    }
    if (this.#failure || this.#readCancelled) return;
    const buf = new Uint8Array(READ_CHUNK);
    let n: number;
    try {
      n = await this.#driver.read(buf);
    } catch (e) {
      this.#failFrom(e);
      return;
    }
    if (n > 0) {
      if (this.#readCancelled || this.#failure) return;
      controller.enqueue(n >= READ_CHUNK / 2 ? buf.subarray(0, n) : buf.slice(0, n));
      return;
    }
    if (!this.#readCancelled) controller.close();
    this.#onPeerClose?.();
  }

  async #write(data: Uint8Array): Promise<void> {
    await this.opened;
    try {
      await this.#driver.write(data);
    } catch (e) {
      throw this.#failFrom(e);
    }
  }

  async #shutdown(): Promise<void> {
    await this.opened;
    if (this.#failure) throw this.#failure;
    try {
      await this.#driver.shutdown(true);
    } catch (e) {
      throw this.#failFrom(e);
    }
    // Our close_notify could not be delivered only if the peer closed the transport after its own
    // close_notify: that close is the peer's choice, not a failure.
    if (this.#driver.outputBroken && !this.#driver.peerClosed) {
      throw this.#failFrom(this.#driver.failOutput('shutdown'));
    }
    await this.#closeTransport(false);
    this.#closed.resolve();
  }
}
