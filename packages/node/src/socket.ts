/**
 * `MemtlsSocket`: a Node `Duplex` of plaintext over any transport `Duplex` (a `net.Socket`, a pipe, a
 * WebSocket stream...), driven by a memtls `Ssl` over two `MemoryBio`s, the OpenSSL memory-BIO way.
 *
 * Theory of operation
 * - Transport bytes go into the read BIO; after every Ssl call everything in the write BIO goes to the
 *   transport. Three loops share the one `Ssl` (its op queue serialises them): the handshake, the read
 *   pump (`SSL_read` → `push`) and the writer (`_write` → `SSL_write`, `_final` → `SSL_shutdown`).
 * - A call that returns WANT_READ is retried when transport bytes (or EOF) arrive. An input sequence
 *   number taken before each call closes the race "bytes arrived while the call was running".
 *
 * Backpressure rules (nothing buffers without bound when either side is slow)
 * - Read side: the pump runs only while the consumer wants data (`_read` called, `push` returned true).
 *   When the consumer stops, ciphertext accumulates in the read BIO only up to `maxBufferedCiphertext`
 *   (default 64 KiB, four full records); then the transport is paused, and resumed once the BIO is below
 *   half of that. So memory held per connection is bounded by the readable high-water mark plus one
 *   record, the BIO bound plus one transport chunk, and the kernel socket buffers.
 * - Write side: application writes are sealed 16 KiB at a time; after each piece, if the transport's
 *   `write()` asked us to wait (`writableNeedDrain`), the `_write` callback waits for `'drain'`.
 *
 * Close rules (OpenSSL 3 semantics, docs/shutdown.md)
 * - `end()` → `_final` → `SSL_shutdown` sends close_notify (0: sent, 1: both done), then the transport
 *   is half-closed (FIN): TLS 1.3 writes nothing after close_notify. The readable side stays open until
 *   the peer's close_notify, which completes the bidirectional shutdown (`SSL_shutdown` → 1).
 * - The peer's close_notify (`SSL_read` → 0 / ZERO_RETURN) pushes EOF (`'end'`). With
 *   `allowHalfOpen: false` (the default, as in `tls`) the Duplex then ends itself: our close_notify goes
 *   back at once. With `allowHalfOpen: true` the application may keep writing, then `end()`.
 * - A transport EOF without close_notify is truncation: `'error'` with code `ERR_MEMTLS_UNEXPECTED_EOF`
 *   (unless `ignoreUnexpectedEof`). Every other TLS failure is `ERR_MEMTLS_SSL` with `reason`.
 * - `destroy()` sends nothing (like `SSL_free` without `SSL_shutdown`; the session is then not resumable,
 *   shutdown rule 19).
 */
import { X509Certificate } from 'node:crypto';
import { Duplex } from 'node:stream';
import {
  MemoryBio,
  SSL_ERROR_NONE,
  SSL_ERROR_SYSCALL,
  SSL_ERROR_WANT_READ,
  SSL_ERROR_WANT_WRITE,
  SSL_ERROR_ZERO_RETURN,
  SSL_SENT_SHUTDOWN,
  Ssl,
  SslSession,
  sniHostName,
  type SslOptions,
} from '@memtls/core';
import { errorFromSsl, MemtlsError, type SslCallName, shutdownFlagsName, sslErrorName } from './errors.js';
import { authorizationErrorName, contextFromOptions, setKeylogTarget } from './options.js';
import { identityAuthorizationError, setIdentityCheck, takeAppError } from './tls-callbacks.js';
import { type PeerCertificate, peerCertificateFromChain } from './peer-certificate.js';
import { RecordTap } from './record-tap.js';
import * as parity from './socket-parity.js';
import type { BufferStats, CipherInfo, KeyExchangeInfo, MemtlsSocketOptions, TraceEvent } from './socket-types.js';

export type { BufferStats, CipherInfo, KeyExchangeInfo, MemtlsSocketOptions, TraceEvent } from './socket-types.js';

const READ_SIZE = 16 * 1024;
const WRITE_PIECE = 16 * 1024;
const DEFAULT_MAX_RBIO = 64 * 1024;
const EMPTY = new Uint8Array(0);
/** How long a cleanly closed socket waits for the transport to flush before destroying it. */
const FLUSH_GRACE_MS = 2000;

type Waiter = () => void;

/** One Ssl call's outcome, read before any other call could start. */
interface CallResult {
  ret: number;
  /** `getError(ret)` (SSL_ERROR_NONE when ret > 0). */
  err: number;
  /** The failure as an Error, when `err` is neither a retry code nor ZERO_RETURN. */
  error: MemtlsError | null;
}

/**
 * A TLS connection as a Node `Duplex` of plaintext, over any `Duplex` transport (a `net.Socket` or anything else),
 * shaped like `tls.TLSSocket`.
 */
export class MemtlsSocket extends Duplex {
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
  /** The transport the records travel on. */
  readonly transport: Duplex;

  readonly #ssl: Ssl;
  readonly #isServer: boolean;
  /** Client: the SNI name we send (null for none or an IP literal). */
  #sniSent: string | null = null;
  readonly #rbio = new MemoryBio();
  readonly #wbio = new MemoryBio();
  readonly #maxRbio: number;
  #trace: ((ev: TraceEvent) => void) | null;
  #tapIn: RecordTap | null;
  #tapOut: RecordTap | null;
  readonly #handshake: Promise<void>;
  #secure = false;
  #inputSeq = 0;
  readonly #waiters = new Set<Waiter>();
  #readWanted = false;
  /** Read everything regardless of the consumer: the transport has ended, so what is left is bounded. */
  #drainAll = false;
  #reading = false;
  #readEnded = false;
  #sentClose = false;
  #transportEof = false;
  #pausedByUs = false;
  #inflight = 0;
  #lock: Promise<void> = Promise.resolve();
  #freePending = false;
  #freed = false;
  #lastSession: SslSession | null = null;
  #dropped = 0;
  #idleMs = 0;
  #idleTimer: NodeJS.Timeout | null = null;
  readonly #stats = { maxRbio: 0, maxTransportWritable: 0, bytesIn: 0, bytesOut: 0 };

  /**
   * Wrap `transport` (a connected `net.Socket` or any `Duplex` of ciphertext). The handshake starts at once.
   * @throws {TypeError|RangeError} on invalid options (synchronously, before anything is sent).
   */
  constructor(transport: Duplex, opts: MemtlsSocketOptions = {}) {
    const duplexOpts: ConstructorParameters<typeof Duplex>[0] = { allowHalfOpen: opts.allowHalfOpen ?? false, autoDestroy: true, emitClose: true };
    if (opts.readableHighWaterMark !== undefined) duplexOpts.readableHighWaterMark = opts.readableHighWaterMark;
    if (opts.writableHighWaterMark !== undefined) duplexOpts.writableHighWaterMark = opts.writableHighWaterMark;
    super(duplexOpts);
    if (!transport || typeof transport.write !== 'function' || typeof transport.on !== 'function') throw new TypeError('MemtlsSocket: transport must be a Duplex stream');
    this.transport = transport;
    this.#isServer = opts.isServer === true;
    this.#maxRbio = Math.max(32 * 1024, opts.maxBufferedCiphertext ?? DEFAULT_MAX_RBIO);
    const ctx = contextFromOptions(this.#isServer ? 'server' : 'client', opts);
    const sslOpts: SslOptions = {};
    if (!this.#isServer) {
      if (opts.servername === undefined && (ctx.needsServerName || opts.checkServerIdentity !== undefined)) {
        throw new TypeError('MemtlsSocket: servername is required to check the server certificate (connect() defaults it to host); to verify the chain only, pass a secureContext made with verifyHostname: false');
      }
      if (opts.servername !== undefined) {
        sslOpts.serverName = opts.servername;
        // What goes on the wire: lowercase, no trailing dot, nothing for an IP literal (TypeError if invalid).
        this.#sniSent = sniHostName(opts.servername);
      }
      if (opts.session !== undefined) sslOpts.session = SslSession.fromBytes(new Uint8Array(opts.session));
    }
    this.#ssl = new Ssl(ctx, sslOpts);
    if (!this.#isServer && opts.checkServerIdentity) setIdentityCheck(this.#ssl, opts.checkServerIdentity, opts.servername as string);
    // Node's 'keylog' event: emitted only while someone listens (lines are secrets).
    setKeylogTarget(this.#ssl, (line) => {
      if (this.listenerCount('keylog') > 0) this.emit('keylog', line);
    });
    this.#ssl.setBio(this.#rbio, this.#wbio);
    this.#trace = opts.trace ?? null;
    const trace = this.#trace;
    this.#tapIn = trace ? new RecordTap('in', (r) => trace({ type: 'record', ...r })) : null;
    this.#tapOut = trace ? new RecordTap('out', (r) => trace({ type: 'record', ...r })) : null;

    transport.on('data', this.#onData);
    transport.on('end', this.#onEnd);
    transport.on('close', this.#onTransportClose);
    transport.on('error', this.#onTransportError);
    // An explicitly paused transport (e.g. after a STARTTLS exchange) does not resume on 'data' listeners.
    transport.resume();

    this.#handshake = this.#runHandshake();
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

  /** The protocol version: 'TLSv1.3' once negotiated, else null. */
  getProtocol(): string | null {
    return this.#ssl.version();
  }

  /** The negotiated cipher suite, in `tls.TLSSocket.getCipher()`'s shape, or null before the handshake. */
  getCipher(): CipherInfo | null {
    const name = this.#ssl.cipher();
    return name ? { name, standardName: name, version: this.#ssl.version() ?? 'TLSv1.3' } : null;
  }

  /** The key exchange group, Node's `getEphemeralKeyInfo()` shape. */
  getEphemeralKeyInfo(): KeyExchangeInfo | null {
    const g = this.#ssl.group();
    return g ? { type: 'ECDH', name: g } : null;
  }

  /** The peer's certificate decoded from DER (`null` when it sent none); `detailed` links the verified chain up
   * to the root (see `peerCertificateFromChain`). */
  getPeerCertificate(detailed = false): PeerCertificate | null {
    return peerCertificateFromChain(this.#ssl.peerCertificates(), detailed, this.#ssl.verifiedChain());
  }

  /** The peer's leaf certificate as a `node:crypto` `X509Certificate` (Node's `getPeerX509Certificate()`);
   * `undefined` when the peer sent none. */
  getPeerX509Certificate(): X509Certificate | undefined {
    const leaf = this.#ssl.peerCertificates()[0];
    return leaf ? new X509Certificate(leaf) : undefined;
  }

  /** Client: the current resumable session, serialised (`SslSession.toBytes()`), for the `session` option. */
  getSession(): Buffer | undefined {
    const s = this.#ssl.getSession() ?? (this.#lastSession?.isResumable() ? this.#lastSession : null);
    // Wrapped, not copied: Buffer.from(bytes) would put the PSK into Node's shared Buffer pool.
    const b = s?.toBytes();
    return b ? Buffer.from(b.buffer, b.byteOffset, b.length) : undefined;
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
      rbioPending: this.#rbio.pending(),
      maxRbioPending: this.#stats.maxRbio,
      transportWritable: t.writableLength ?? 0,
      maxTransportWritable: this.#stats.maxTransportWritable,
      readableLength: this.readableLength,
      transportPaused: this.#pausedByUs,
      bytesIn: this.#stats.bytesIn,
      bytesOut: this.#stats.bytesOut,
    };
  }

  // net.Socket conveniences, delegated to the transport when it has them (http uses some of these).
  /** The transport's remote address, when it has one. */
  get remoteAddress(): string | undefined {
    return (this.transport as { remoteAddress?: string }).remoteAddress;
  }
  /** The transport's remote port, when it has one. */
  get remotePort(): number | undefined {
    return (this.transport as { remotePort?: number }).remotePort;
  }
  /** The transport's address family, when it has one. */
  get remoteFamily(): string | undefined {
    return (this.transport as { remoteFamily?: string }).remoteFamily;
  }
  /** The transport's local address, when it has one. */
  get localAddress(): string | undefined {
    return (this.transport as { localAddress?: string }).localAddress;
  }
  /** The transport's local port, when it has one. */
  get localPort(): number | undefined {
    return (this.transport as { localPort?: number }).localPort;
  }
  /** The transport's `address()`, or `{}`. */
  address(): unknown {
    const t = this.transport as { address?: () => unknown };
    return typeof t.address === 'function' ? t.address() : {};
  }
  /** Passed to the transport's `setNoDelay`, when it has one. */
  setNoDelay(noDelay = true): this {
    (this.transport as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(noDelay);
    return this;
  }
  /** Passed to the transport's `setKeepAlive`, when it has one. */
  setKeepAlive(enable = false, initialDelay = 0): this {
    (this.transport as { setKeepAlive?: (e: boolean, d: number) => void }).setKeepAlive?.(enable, initialDelay);
    return this;
  }
  /** Passed to the transport's `ref`, when it has one. */
  ref(): this {
    (this.transport as { ref?: () => void }).ref?.();
    return this;
  }
  /** Passed to the transport's `unref`, when it has one. */
  unref(): this {
    (this.transport as { unref?: () => void }).unref?.();
    return this;
  }

  /** Idle timeout as net.Socket: `'timeout'` after `ms` without transport traffic (0 disables). */
  setTimeout(ms: number, callback?: () => void): this {
    this.#idleMs = ms;
    if (callback) {
      if (ms === 0) this.off('timeout', callback);
      else this.once('timeout', callback);
    }
    this.#touch();
    return this;
  }

  /** End (close_notify) and destroy once our side is flushed, without waiting for the peer's close_notify. */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
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
   * Node's `exportKeyingMaterial(length, label[, context])`: the TLS 1.3 exporter (RFC 8446 §7.5), synchronously.
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
    this.#trace = (ev) => {
      prev?.(ev);
      if (ev.type === 'record') print(ev);
    };
    const trace = this.#trace;
    this.#tapIn ??= new RecordTap('in', (r) => trace({ type: 'record', ...r }));
    this.#tapOut ??= new RecordTap('out', (r) => trace({ type: 'record', ...r }));
  }

  // ------------------------------------------------------------------ transport events

  readonly #onData = (chunk: Buffer | string): void => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
    this.#touch();
    this.#stats.bytesIn += bytes.length;
    this.#tapIn?.push(bytes);
    this.#rbio.write(bytes);
    const pending = this.#rbio.pending();
    if (pending > this.#stats.maxRbio) this.#stats.maxRbio = pending;
    if (!this.#pausedByUs && pending >= this.#maxRbio) {
      this.#pausedByUs = true;
      this.transport.pause();
      this.#emitTrace({ type: 'transport', event: 'paused', detail: `${pending} bytes of ciphertext buffered` });
    }
    this.#inputArrived();
  };

  readonly #onEnd = (): void => {
    if (this.#transportEof) return;
    this.#transportEof = true;
    this.#drainAll = true;
    this.#rbio.setEof();
    this.#emitTrace({ type: 'transport', event: 'eof' });
    this.#inputArrived();
  };

  readonly #onTransportClose = (): void => {
    this.#emitTrace({ type: 'transport', event: 'close' });
    if (this.destroyed) return;
    if (this.#readEnded) {
      this.destroy();
      return;
    }
    this.#onEnd();
  };

  readonly #onTransportError = (err: Error): void => {
    if (!this.destroyed) this.destroy(err);
  };

  #inputArrived(): void {
    this.#inputSeq++;
    for (const w of this.#waiters) w();
    this.#waiters.clear();
    this.#pumpRead();
  }

  /** Resolve once input arrived after `seq` was taken (or at once if it already has), or on destroy. */
  #waitInput(seq: number): Promise<void> {
    if (seq !== this.#inputSeq || this.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.add(resolve));
  }

  // ------------------------------------------------------------------ Ssl calls

  /**
   * Run one Ssl call, then flush the write BIO, resume the transport if the BIO drained, and trace.
   *
   * Calls are serialised here, not only by the core's op queue: `getError(ret)` and `errorReason()`
   * describe the most recent call, and the core starts the next queued call as soon as one settles, so
   * they must be read before another call may begin. The result carries them.
   */
  #call(name: SslCallName, fn: () => Promise<number>): Promise<CallResult> {
    const run = this.#lock.then(() => this.#callNow(name, fn));
    this.#lock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async #callNow(name: SslCallName, fn: () => Promise<number>): Promise<CallResult> {
    if (this.#freed) return { ret: -1, err: SSL_ERROR_SYSCALL, error: new MemtlsError('ERR_MEMTLS_TRANSPORT_CLOSED', `memtls: ${name} after the socket was destroyed`, { call: name }) };
    this.#inflight++;
    let ret: number;
    try {
      ret = await fn();
    } finally {
      this.#inflight--;
    }
    const ssl = this.#ssl;
    const err = ret > 0 ? SSL_ERROR_NONE : ssl.getError(ret);
    const failed = ret <= 0 && err !== SSL_ERROR_WANT_READ && err !== SSL_ERROR_WANT_WRITE && err !== SSL_ERROR_ZERO_RETURN;
    const error = failed ? errorFromSsl(ssl, name, ret, err) : null;
    this.#flushOut();
    if (this.#pausedByUs && this.#rbio.pending() < this.#maxRbio / 2) {
      this.#pausedByUs = false;
      this.transport.resume();
      this.#emitTrace({ type: 'transport', event: 'resumed' });
    }
    this.#trace?.({ type: 'call', call: name, ret, error: sslErrorName(err), shutdown: shutdownFlagsName(ssl.getShutdown()), reason: error ? error.reason : null });
    if (this.#freePending && this.#inflight === 0) this.#free();
    return { ret, err, error };
  }

  /** Send everything in the write BIO. Bytes that cannot be sent (transport gone) are counted as dropped. */
  #flushOut(): void {
    const t = this.transport;
    for (let v = this.#wbio.readView(); v !== null; v = this.#wbio.readView()) {
      this.#tapOut?.push(v);
      if (!t.writable || t.destroyed) {
        this.#dropped += v.length;
        continue;
      }
      t.write(v);
      this.#stats.bytesOut += v.length;
      this.#touch();
    }
    const wl = (t as { writableLength?: number }).writableLength ?? 0;
    if (wl > this.#stats.maxTransportWritable) this.#stats.maxTransportWritable = wl;
  }

  /** Wait for the transport's 'drain' when its last write asked us to. */
  #transportDrained(): Promise<void> {
    const t = this.transport as Duplex & { writableNeedDrain?: boolean };
    if (!t.writableNeedDrain || t.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        t.off('drain', done);
        t.off('close', done);
        this.off('close', done);
        resolve();
      };
      t.on('drain', done);
      t.on('close', done);
      this.on('close', done);
    });
  }

  #free(): void {
    this.#freePending = false;
    if (this.#freed) return;
    this.#freed = true;
    this.#ssl.free();
  }

  // ------------------------------------------------------------------ handshake

  async #runHandshake(): Promise<void> {
    try {
      for (;;) {
        if (this.destroyed) throw new MemtlsError('ERR_MEMTLS_SSL', 'memtls: socket destroyed during the handshake');
        const seq = this.#inputSeq;
        const { ret, err, error } = await this.#call('SSL_do_handshake', () => this.#ssl.doHandshake());
        if (ret === 1) break;
        if (err === SSL_ERROR_WANT_READ) {
          await this.#waitInput(seq);
          continue;
        }
        if (err === SSL_ERROR_ZERO_RETURN) throw new MemtlsError('ERR_MEMTLS_SSL', 'memtls: the peer sent close_notify during the handshake', { call: 'SSL_do_handshake', sslError: sslErrorName(err) });
        throw error ?? new MemtlsError('ERR_MEMTLS_SSL', `memtls: SSL_do_handshake returned ${ret} (${sslErrorName(err)})`, { call: 'SSL_do_handshake' });
      }
    } catch (e) {
      // A callback's own Error (SNICallback, ALPNCallback, checkServerIdentity) is the one reported, as in Node.
      const err = takeAppError(this.#ssl) ?? (e as Error);
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
    // The core's verify result: X509_V_OK only for a validated path (a resumed session reports the result of
    // its full handshake), the error a lax rejectUnauthorized accepted, or X509_V_ERR_NOT_VERIFIED.
    const code = ssl.verifyResult();
    if (!this.#isServer || code !== 'X509_V_ERR_NOT_VERIFIED') {
      this.authorized = code === 'X509_V_OK';
      this.authorizationError = this.authorized ? null : authorizationErrorName(code);
    }
    const refusedIdentity = identityAuthorizationError(ssl);
    if (refusedIdentity !== null) [this.authorized, this.authorizationError] = [false, refusedIdentity];
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
    if (s && s !== this.#lastSession) {
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
        if (!this.destroyed) this.destroy(e as Error);
      },
    );
  }

  async #readLoop(): Promise<void> {
    let buf = Buffer.allocUnsafe(READ_SIZE);
    while ((this.#readWanted || this.#drainAll) && !this.#readEnded && !this.destroyed) {
      const seq = this.#inputSeq;
      const { ret, err, error } = await this.#call('SSL_read', () => this.#ssl.read(buf));
      if (this.destroyed) return;
      if (ret > 0) {
        this.#checkSession();
        let chunk: Buffer;
        if (ret >= READ_SIZE / 2) {
          chunk = buf.subarray(0, ret);
          buf = Buffer.allocUnsafe(READ_SIZE);
        } else chunk = Buffer.from(buf.subarray(0, ret));
        if (!this.push(chunk)) this.#readWanted = false;
        continue;
      }
      if (err === SSL_ERROR_WANT_READ) {
        this.#checkSession();
        if (seq === this.#inputSeq) return;
        continue;
      }
      if (err === SSL_ERROR_ZERO_RETURN) {
        await this.#onPeerCloseNotify();
        return;
      }
      this.destroy(error ?? new MemtlsError('ERR_MEMTLS_SSL', `memtls: SSL_read returned ${ret} (${sslErrorName(err)})`, { call: 'SSL_read' }));
      return;
    }
  }

  /** The peer's close_notify was read: end the readable side; finish our shutdown if we started it. */
  async #onPeerCloseNotify(): Promise<void> {
    this.#readEnded = true;
    this.#checkSession();
    if (this.#sentClose) {
      const r = await this.#call('SSL_shutdown', () => this.#ssl.shutdown());
      if (r.ret < 0 && !this.destroyed) {
        this.destroy(r.error ?? new MemtlsError('ERR_MEMTLS_SSL', `memtls: SSL_shutdown returned ${r.ret} (${sslErrorName(r.err)})`, { call: 'SSL_shutdown' }));
        return;
      }
    }
    this.push(null);
  }

  // ------------------------------------------------------------------ write side

  /** @internal Node stream hook. */
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#writeAll(chunk).then(() => callback(), callback);
  }

  async #writeAll(chunk: Buffer): Promise<void> {
    await this.#handshake;
    for (let off = 0; off < chunk.length; off += WRITE_PIECE) {
      if (this.destroyed) throw new MemtlsError('ERR_MEMTLS_TRANSPORT_CLOSED', 'memtls: write after destroy');
      const piece = chunk.subarray(off, Math.min(chunk.length, off + WRITE_PIECE));
      const r = await this.#call('SSL_write', () => this.#ssl.write(piece));
      if (r.ret <= 0) throw r.error ?? new MemtlsError('ERR_MEMTLS_SSL', `memtls: SSL_write returned ${r.ret} (${sslErrorName(r.err)})`, { call: 'SSL_write' });
      if (this.#dropped > 0) throw new MemtlsError('ERR_MEMTLS_TRANSPORT_CLOSED', 'memtls: the transport is closed; records could not be sent', { call: 'SSL_write' });
      await this.#transportDrained();
    }
  }

  /** @internal Node stream hook. */
  override _final(callback: (error?: Error | null) => void): void {
    this.#shutdown().then(() => callback(), callback);
  }

  /** end(): SSL_shutdown (close_notify), then half-close the transport. */
  async #shutdown(): Promise<void> {
    await this.#handshake;
    if (this.destroyed) return;
    const ssl = this.#ssl;
    if (!(ssl.getShutdown() & SSL_SENT_SHUTDOWN)) {
      let r = await this.#call('SSL_shutdown', () => ssl.shutdown());
      // Shutdown rule 10: a KeyUpdate the peer requested is still queued ("shutdown while in init").
      // An empty write sends it; then the shutdown goes through.
      if (r.ret < 0 && r.error?.sslReason === 'SHUTDOWN_WHILE_IN_INIT' && ssl.isInitFinished()) {
        await this.#call('SSL_write', () => ssl.write(EMPTY));
        r = await this.#call('SSL_shutdown', () => ssl.shutdown());
      }
      if (r.ret < 0) throw r.error ?? new MemtlsError('ERR_MEMTLS_SSL', `memtls: SSL_shutdown returned ${r.ret} (${sslErrorName(r.err)})`, { call: 'SSL_shutdown' });
      this.#sentClose = true;
    }
    // Nothing follows close_notify in TLS 1.3: half-close the transport, as Node's tls does.
    if (this.transport.writable && !this.transport.writableEnded) {
      this.transport.end();
      this.#emitTrace({ type: 'transport', event: 'fin-sent' });
    }
  }

  // ------------------------------------------------------------------ teardown

  /** @internal Node stream hook. */
  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.#clearIdle();
    for (const w of this.#waiters) w();
    this.#waiters.clear();
    const t = this.transport;
    t.off('data', this.#onData);
    t.off('end', this.#onEnd);
    t.off('close', this.#onTransportClose);
    t.off('error', this.#onTransportError);
    t.on('error', () => undefined);
    if (this.#inflight === 0) this.#free();
    else this.#freePending = true;
    // Let what we wrote (a close_notify, or the alert of a TLS failure) reach the peer before the transport goes.
    const flushFirst = !t.destroyed && (this.#sentClose || err instanceof MemtlsError) && !(err as { code?: string } | null)?.code?.startsWith('ERR_MEMTLS_TRANSPORT');
    if (t.destroyed) {
      // nothing to do
    } else if (flushFirst) {
      if (!t.writableEnded) t.end();
      if (t.writableFinished) t.destroy();
      else {
        const timer = setTimeout(() => t.destroy(), FLUSH_GRACE_MS);
        timer.unref();
        t.once('finish', () => {
          clearTimeout(timer);
          t.destroy();
        });
      }
    } else t.destroy();
    callback(err);
  }

  // ------------------------------------------------------------------ helpers

  #emitTrace(ev: TraceEvent): void {
    this.#trace?.(ev);
  }

  #touch(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
    if (this.#idleMs > 0 && !this.destroyed) {
      this.#idleTimer = setTimeout(() => this.emit('timeout'), this.#idleMs);
      this.#idleTimer.unref();
    }
  }

  #clearIdle(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
    this.#idleMs = 0;
  }
}
