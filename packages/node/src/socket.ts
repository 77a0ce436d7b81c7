/**
 * `MemtlsSocket`: a Node `Duplex` of plaintext over any transport `Duplex` (a `net.Socket`, a pipe, a
 * WebSocket stream...), driven by a memtls `Ssl` over two `MemoryBio`s, the OpenSSL memory-BIO way.
 *
 * Theory of operation
 * - The core's `Driver` runs the `Ssl` (its two BIOs, the handshake/read/write/shutdown loops, the error
 *   taxonomy and the shutdown policy). This class is the glue: transport 'data'/'end' go to the driver,
 *   the driver's output goes to `transport.write`, and three loops share the driver: the handshake, the
 *   read pump (`read` → `push`) and the writer (`_write` → `write`, `_final` → `shutdown`).
 *
 * Backpressure rules (nothing buffers without bound when either side is slow)
 * - Read side: the pump runs only while the consumer wants data (`_read` called, `push` returned true).
 *   When the consumer stops, ciphertext accumulates in the read BIO only up to `maxBufferedCiphertext`
 *   (default 64 KiB, four full records); then the transport is paused, and resumed once the BIO is below
 *   half of that. So memory held per connection is bounded by the readable high-water mark plus one
 *   record, the BIO bound plus one transport chunk, and the kernel socket buffers.
 * - Write side: application writes (buffered ones gathered by `_writev`) are sealed 64 KiB per SSL_write (four
 *   records, one writev); after each piece, if the transport's `write()` asked us to wait (`writableNeedDrain`),
 *   the `_write` callback waits for `'drain'`.
 *
 * Close rules (OpenSSL 3 semantics, docs/shutdown.md)
 * - `end()` → `_final` → `SSL_shutdown` sends close_notify (0: sent, 1: both done; a KeyUpdate still queued
 *   is sent first, rule 10), then the transport is half-closed (FIN): TLS 1.3 writes nothing after it. The readable side stays open until
 *   the peer's close_notify, which completes the bidirectional shutdown (`SSL_shutdown` → 1).
 * - The peer's close_notify (`SSL_read` → 0 / ZERO_RETURN) pushes EOF (`'end'`). With
 *   `allowHalfOpen: false` (the default, as in `tls`) the Duplex then ends itself: our close_notify goes
 *   back at once. With `allowHalfOpen: true` the application may keep writing, then `end()`.
 * - A transport EOF without close_notify is truncation: `'error'` with code `ERR_MEMTLS_UNEXPECTED_EOF` (the
 *   driver's ERR_MEMTLS_TRUNCATED; unless `ignoreUnexpectedEof`). Other TLS failures: `ERR_MEMTLS_SSL`.
 * - `destroy()` sends nothing (like `SSL_free` without `SSL_shutdown`; the session is then not resumable,
 *   shutdown rule 19).
 */
import type { X509Certificate } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { Driver, type DriverEarlyData, type DriverTransport, SSL_SENT_SHUTDOWN, type Ssl, type SslSession } from '@memtls/core';
import { errorFromDriver, MemtlsError, shutdownFlagsName, sslErrorName } from './errors.js';
import { type PeerCertificate, peerCertificateFromChain } from './peer-certificate.js';
import { RecordTap } from './record-tap.js';
import * as parity from './socket-parity.js';
import { authorizationOf, earlyDataPlan, newSocketSsl } from './socket-setup.js';
import type { BufferStats, CipherInfo, KeyExchangeInfo, MemtlsSocketOptions, TraceEvent } from './socket-types.js';
import { takeAppError } from './tls-callbacks.js';
import { gatherChunks, TransportSocket } from './transport-socket.js';

export type { BufferStats, CipherInfo, KeyExchangeInfo, MemtlsSocketOptions, TraceEvent } from './socket-types.js';

const READ_SIZE = 16 * 1024;
const SLAB_SIZE = 64 * 1024; // plaintext is read into 64 KiB slabs, READ_SIZE at a time
const WRITE_PIECE = 64 * 1024; // plaintext per SSL_write: four records sealed per call, sent with one writev
const DEFAULT_MAX_RBIO = 64 * 1024;

/**
 * A TLS connection as a Node `Duplex` of plaintext, over any `Duplex` transport (a `net.Socket` or anything else),
 * shaped like `tls.TLSSocket`.
 */
export class MemtlsSocket extends TransportSocket {
  /** Always true, as on `tls.TLSSocket`. */
  readonly encrypted = true;
  /** The peer's chain passed verification (Node's meaning; false on servers that did not request one). */
  authorized = false;
  /** Why not, as Node names it (OpenSSL's X509_V_ERR_* without the prefix), or null. */
  authorizationError: string | null = null;
  /** The ALPN protocol agreed, or false. */
  alpnProtocol: string | false = false;
  /** Client: the SNI name sent; server: the one received; false when none. */
  servername: string | false = false;

  readonly #ssl: Ssl;
  readonly #driver: Driver;
  readonly #isServer: boolean;
  /** Client: the SNI name we send (null for none or an IP literal). */
  #sniSent: string | null = null;
  readonly #maxRbio: number;
  #trace: ((ev: TraceEvent) => void) | null = null;
  #tapIn: RecordTap | null = null;
  #tapOut: RecordTap | null = null;
  readonly #handshake: Promise<void>;
  #secure = false;
  #readWanted = false;
  /** Read everything regardless of the consumer: the transport has ended, so what is left is bounded. */
  #drainAll = false;
  #reading = false;
  #readEnded = false;
  #sentClose = false;
  #transportEof = false;
  #pausedByUs = false;
  #lastSession: SslSession | null = null;
  #offered: SslSession | null = null; // client: the session of the options (a resumed TLS 1.2 connection keeps it)
  readonly #stats = { maxRbio: 0, maxTransportWritable: 0, bytesIn: 0, bytesOut: 0 };

  /**
   * Wrap `transport` (a connected `net.Socket` or any `Duplex` of ciphertext). The handshake starts at once.
   * @throws {TypeError|RangeError} on invalid options (synchronously, before anything is sent).
   */
  constructor(transport: Duplex, opts: MemtlsSocketOptions = {}) {
    const duplexOpts: ConstructorParameters<typeof Duplex>[0] = { allowHalfOpen: opts.allowHalfOpen ?? false, autoDestroy: true, emitClose: true };
    if (opts.readableHighWaterMark !== undefined) duplexOpts.readableHighWaterMark = opts.readableHighWaterMark;
    if (opts.writableHighWaterMark !== undefined) duplexOpts.writableHighWaterMark = opts.writableHighWaterMark;
    if (!transport || typeof transport.write !== 'function' || typeof transport.on !== 'function') throw new TypeError('MemtlsSocket: transport must be a Duplex stream');
    super(transport, duplexOpts);
    this.#isServer = opts.isServer === true;
    this.#maxRbio = Math.max(32 * 1024, opts.maxBufferedCiphertext ?? DEFAULT_MAX_RBIO);
    // Node's 'keylog' event: emitted only while someone listens (lines are secrets).
    const made = newSocketSsl(opts, this.#isServer, (line) => {
      if (this.listenerCount('keylog') > 0) this.emit('keylog', line);
    }, this);
    [this.#ssl, this.#sniSent, this.#offered] = [made.ssl, made.sniSent, made.offered];
    this.#driver = new Driver(this.#ssl, this.#glue(), {
      writePiece: WRITE_PIECE,
      onCall: (o) => {
        if (this.#pausedByUs && this.#driver.bufferedCiphertext() < this.#maxRbio / 2) {
          this.#pausedByUs = false;
          this.transport.resume();
          this.#trace?.({ type: 'transport', event: 'resumed' });
        }
        this.#trace?.({ type: 'call', call: o.call, ret: o.ret, error: sslErrorName(o.err), shutdown: shutdownFlagsName(this.#ssl.getShutdown()), reason: o.failure ? o.failure.reason : null });
      },
      onReadIdle: () => this.#checkSession(),
      onPeerClose: () => {
        this.#readEnded = true;
        this.#checkSession();
      },
    });
    this.#setTrace(opts.trace ?? null);

    transport.on('data', this.#onData);
    transport.on('end', this.#onEnd);
    transport.on('close', this.#onTransportClose);
    transport.on('error', this.#onTransportError);
    // An explicitly paused transport (e.g. after a STARTTLS exchange) does not resume on 'data' listeners.
    transport.resume();

    this.#handshake = this.#runHandshake(earlyDataPlan(opts, this.#ssl, this));
    this.#handshake.catch(() => undefined);
  }

  // ------------------------------------------------------------------ Node tls.TLSSocket-like surface

  /** The underlying memtls `Ssl`, for inspection (`getShutdown()`, `verifyResult()`...). Do not drive it. */
  get ssl(): Ssl {
    return this.#ssl;
  }

  /** True once the handshake completed. */
  get secure(): boolean {
    return this.#secure;
  }

  /** The negotiated protocol version ('TLSv1.2' or 'TLSv1.3'), else null, as `tls.TLSSocket.getProtocol()`. */
  getProtocol(): string | null {
    return this.#ssl.version();
  }

  /** The negotiated cipher suite, in `tls.TLSSocket.getCipher()`'s shape, or null before the handshake. */
  getCipher(): CipherInfo | null {
    return parity.cipherInfo(this.#ssl);
  }

  /** The key exchange group, Node's `getEphemeralKeyInfo()` shape. */
  getEphemeralKeyInfo(): KeyExchangeInfo | null {
    return parity.keyExchangeInfo(this.#ssl);
  }

  /** The peer's certificate decoded from DER (null when none); `detailed` links the verified chain to the root. */
  getPeerCertificate(detailed = false): PeerCertificate | null {
    return peerCertificateFromChain(this.#ssl.peerCertificates(), detailed, this.#ssl.verifiedChain());
  }

  /** The peer's leaf as a `node:crypto` `X509Certificate` (Node's `getPeerX509Certificate()`), undefined if none. */
  getPeerX509Certificate(): X509Certificate | undefined {
    return parity.peerX509(this.#ssl);
  }

  /** Client: the current resumable session, serialised (`SslSession.toBytes()`), for the `session` option. */
  getSession(): Buffer | undefined {
    return parity.sessionBuffer(this.#ssl.getSession() ?? (this.#lastSession?.isResumable() ? this.#lastSession : null));
  }

  /** True when this connection resumed a session. */
  isSessionReused(): boolean {
    return this.#ssl.sessionReused();
  }

  /** `SSL_get_shutdown` flags: SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN. */
  getShutdown(): number {
    return this.#ssl.getShutdown();
  }

  /** Buffer counters now and at their peak (see `BufferStats`). */
  bufferStats(): BufferStats {
    const t = this.transport as Duplex & { writableLength?: number; isPaused?: () => boolean };
    return {
      rbioPending: this.#driver.bufferedCiphertext(),
      maxRbioPending: this.#stats.maxRbio,
      transportWritable: t.writableLength ?? 0,
      maxTransportWritable: this.#stats.maxTransportWritable,
      readableLength: this.readableLength,
      transportPaused: this.#pausedByUs,
      bytesIn: this.#stats.bytesIn,
      bytesOut: this.#stats.bytesOut,
    };
  }

  /** Node's `getFinished()`: the verify_data of the latest Finished message sent, or undefined before one. */
  getFinished(): Buffer | undefined {
    return parity.finishedBuffer(this.#ssl, true);
  }

  /** Node's `getPeerFinished()`: the verify_data of the latest Finished message received, or undefined. */
  getPeerFinished(): Buffer | undefined {
    return parity.finishedBuffer(this.#ssl, false);
  }

  /**
   * Node's `exportKeyingMaterial(length, label[, context])`: the exporter (RFC 8446 §7.5 in TLS 1.3, RFC 5705 in TLS 1.2), synchronously.
   * An absent context equals an empty one. Throws ERR_TLS_INVALID_STATE before the handshake completed, and an
   * Error with an asynchronous crypto provider (then use `ssl.exportKeyingMaterial`, which returns a Promise).
   */
  exportKeyingMaterial(length: number, label: string, context?: Uint8Array): Buffer {
    return parity.exportKeyingMaterial(this.#ssl, this.#secure, length, label, context);
  }

  /**
   * Node's `setServername(name)`: the SNI name (client only; ERR_TLS_SNI_FROM_SERVER on a server). Call it right
   * after construction: the handshake starts a microtask later. Once the ClientHello is built it throws
   * ERR_TLS_INVALID_STATE (Node aborts the process there).
   */
  setServername(name: string): void {
    this.#sniSent = parity.setServername(this.#ssl, this.#isServer, name);
  }

  /** Node's `setMaxSendFragment(size)`: records we send from now on carry at most `size` bytes; false outside 512..16384. */
  setMaxSendFragment(size: number): boolean {
    return parity.setMaxSendFragment(this.#ssl, size);
  }

  /** Node's `enableTrace()`: from now on, print every record and decrypted handshake message to stderr (OpenSSL's -trace layout). */
  enableTrace(): void {
    const print = parity.startTrace(this.#ssl);
    const prev = this.#trace;
    this.#setTrace((ev) => {
      prev?.(ev);
      if (ev.type === 'record') print(ev);
    });
  }

  /** Trace calls and transport events to `trace`; record taps are made once, for the first one. */
  #setTrace(trace: ((ev: TraceEvent) => void) | null): void {
    this.#trace = trace;
    if (!trace) return;
    this.#tapIn ??= new RecordTap('in', (r) => trace({ type: 'record', ...r }));
    this.#tapOut ??= new RecordTap('out', (r) => trace({ type: 'record', ...r }));
  }

  // ------------------------------------------------------------------ transport glue

  /** The driver's view of the transport: zero-copy writes, a flight corked into one; only application writes wait for 'drain'; input is pushed. */
  #glue(): DriverTransport {
    const send = (chunks: Uint8Array[]): void => {
      if (this.#tapOut) for (const v of chunks) this.#tapOut.push(v);
      if (!this.sendToTransport(chunks)) this.#driver.outputFailed(null);
      else {
        for (const v of chunks) this.#stats.bytesOut += v.length;
        this.#stats.maxTransportWritable = Math.max(this.#stats.maxTransportWritable, (this.transport as Duplex & { writableLength?: number }).writableLength ?? 0);
      }
    };
    return { write: (v) => send([v]), writev: send, drained: (op) => (op === 'write' ? this.transportDrained() : undefined) };
  }

  readonly #onData = (chunk: Buffer | string): void => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
    this.touch();
    this.#stats.bytesIn += bytes.length;
    this.#tapIn?.push(bytes);
    this.#driver.receive(bytes, this.freshChunks || typeof chunk === 'string');
    const pending = this.#driver.bufferedCiphertext();
    if (pending > this.#stats.maxRbio) this.#stats.maxRbio = pending;
    if (!this.#pausedByUs && pending >= this.#maxRbio) {
      this.#pausedByUs = true;
      this.transport.pause();
      this.#trace?.({ type: 'transport', event: 'paused', detail: `${pending} bytes of ciphertext buffered` });
    }
    this.#pumpRead();
  };

  readonly #onEnd = (): void => {
    if (this.#transportEof) return;
    this.#transportEof = true;
    this.#drainAll = true;
    this.#trace?.({ type: 'transport', event: 'eof' });
    this.#driver.receiveEof();
    this.#pumpRead();
  };

  readonly #onTransportClose = (): void => {
    this.#trace?.({ type: 'transport', event: 'close' });
    if (this.destroyed) return;
    if (this.#readEnded) {
      this.destroy();
      return;
    }
    this.#onEnd();
  };

  readonly #onTransportError = (err: Error): void => void (this.destroyed || this.destroy(err));

  async #runHandshake(early?: DriverEarlyData): Promise<void> {
    try {
      await this.#driver.handshake(early);
    } catch (e) {
      // A callback's own Error (SNICallback, ALPNCallback, checkServerIdentity) is the one reported, as in Node.
      const err = takeAppError(this.#ssl) ?? errorFromDriver(e);
      if (!this.destroyed) this.destroy(err);
      throw err;
    }
    this.#onSecure();
  }

  #onSecure(): void {
    const ssl = this.#ssl;
    this.#secure = true;
    this.alpnProtocol = ssl.alpnSelected() ?? false;
    this.servername = (this.#isServer ? ssl.serverName() : this.#sniSent) ?? false;
    const auth = authorizationOf(ssl, this.#isServer);
    if (auth !== null) [this.authorized, this.authorizationError] = auth;
    this.#checkSession();
    this.emit('secure');
    if (!this.#isServer) this.emit('secureConnect');
    // Like net.Socket, start reading at once (up to the high-water mark): this processes session tickets
    // and notices the peer's close_notify even before the application reads.
    this.#readWanted = true;
    this.#pumpRead();
  }

  #checkSession(): void {
    if (this.#isServer) return;
    const s = this.#ssl.getSession();
    // As Node's tls (OpenSSL calls no new-session callback for a resumption): no event for the offered session.
    if (s && s !== this.#lastSession && s !== this.#offered) {
      this.#lastSession = s;
      if (this.listenerCount('session') > 0) this.emit('session', this.getSession());
    }
  }

  // ------------------------------------------------------------------ read side

  /** @internal Node stream hook. */
  override _read(): void {
    this.#readWanted = true;
    this.#pumpRead();
  }

  #pumpRead(): void {
    if (this.#reading || !this.#secure || this.#readEnded || this.destroyed) return;
    if (!this.#readWanted && !this.#drainAll) return;
    this.#reading = true;
    this.#readLoop().then(
      () => {
        this.#reading = false;
      },
      (e: unknown) => {
        this.#reading = false;
        if (!this.destroyed) this.destroy(errorFromDriver(e));
      },
    );
  }

  // Read while the consumer wants data (or the transport has ended) and input is there; 'data' restarts it. The slab is
  // the loop's own (an idle socket holds none): READ_SIZE for the first read, SLAB_SIZE once a loop keeps reading.
  async #readLoop(): Promise<void> {
    let slab = Buffer.allocUnsafe(0);
    let at = 0;
    while ((this.#readWanted || this.#drainAll) && !this.#readEnded && !this.destroyed) {
      if (slab.length - at < READ_SIZE) [slab, at] = [Buffer.allocUnsafe(slab.length === 0 ? READ_SIZE : SLAB_SIZE), 0];
      const n = await this.#driver.read(slab.subarray(at, at + READ_SIZE), false);
      if (this.destroyed || n < 0) return;
      if (n === 0) {
        // The peer's close_notify (and our shutdown completed, if we had started it): end the readable side.
        this.push(null);
        return;
      }
      this.#checkSession();
      // A large chunk is a view of the slab (the next read goes after it); a small one is copied and pins no slab.
      const chunk = n >= READ_SIZE / 2 ? slab.subarray(at, at + n) : Buffer.from(slab.subarray(at, at + n));
      if (n >= READ_SIZE / 2) at += n;
      if (!this.push(chunk)) this.#readWanted = false;
    }
  }

  // ------------------------------------------------------------------ write side

  /** @internal Node stream hook. */
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#writeAll(chunk).then(() => callback(), callback);
  }

  /** @internal Node stream hook: the buffered writes, small ones gathered into pieces (fewer SSL_write calls). */
  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.#writeAll(gatherChunks(chunks, WRITE_PIECE)).then(() => callback(), callback);
  }

  async #writeAll(chunks: Buffer | Buffer[]): Promise<void> {
    if (!this.#secure) await this.#handshake;
    if (this.destroyed) throw new MemtlsError('ERR_MEMTLS_TRANSPORT_CLOSED', 'memtls: write after destroy');
    try {
      for (const c of Array.isArray(chunks) ? chunks : [chunks]) await this.#driver.write(c);
    } catch (e) {
      throw errorFromDriver(e);
    }
  }

  /** @internal Node stream hook. */
  override _final(callback: (error?: Error | null) => void): void {
    this.#shutdown().then(() => callback(), callback);
  }

  /** end(): the driver's shutdown (close_notify; the peer's is read by the read pump), then half-close the transport. */
  async #shutdown(): Promise<void> {
    await this.#handshake;
    if (this.destroyed) return;
    const sent = (this.#ssl.getShutdown() & SSL_SENT_SHUTDOWN) !== 0;
    try {
      await this.#driver.shutdown(false);
    } catch (e) {
      throw errorFromDriver(e);
    }
    if (!sent) this.#sentClose = true;
    // Nothing follows close_notify in TLS 1.3: half-close the transport, as Node's tls does.
    if (this.transport.writable && !this.transport.writableEnded) {
      this.transport.end();
      this.#trace?.({ type: 'transport', event: 'fin-sent' });
    }
  }

  /** @internal Node stream hook. */
  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.clearIdle();
    this.#driver.abort(err ?? undefined);
    const t = this.transport;
    t.off('data', this.#onData);
    t.off('end', this.#onEnd);
    t.off('close', this.#onTransportClose);
    t.off('error', this.#onTransportError);
    t.on('error', () => undefined);
    this.#driver.free();
    // Let what we wrote (a close_notify, or the alert of a TLS failure) reach the peer before the transport goes.
    this.closeTransport((this.#sentClose || err instanceof MemtlsError) && !(err as { code?: string } | null)?.code?.startsWith('ERR_MEMTLS_TRANSPORT'));
    callback(err);
  }
}
