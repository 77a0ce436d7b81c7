/**
 * `TlsWebSocket`: a TLS connection over a WebSocket as one small duplex object: `connect()`, `write()`,
 * `read()` / `for await`, `end()`, `destroy()`. Built from `webSocketTransport` (WebSocket → byte
 * streams) and `TlsStreams` (byte streams → TLS → plaintext streams); `streams` gives the plaintext
 * `readable` / `writable` for code that prefers web streams.
 *
 * Close rules (see TlsStreams for the details)
 * - `end()` sends close_notify, lets `read()` drain what the peer still sends, waits for the peer's
 *   close_notify (the second `shutdown()` returns 1), then closes the WebSocket (1000).
 * - The peer's close_notify makes `read()` return null. With `allowHalfOpen: false` (the default, as in
 *   Node's net) `end()` then runs by itself; with `true` writing goes on until you call `end()`.
 * - The WebSocket closing normally without close_notify makes `read()` reject with `code:
 *   'ERR_MEMTLS_TRUNCATED'` and `reason: 'unexpected eof while reading'`. A close that reports a relay or
 *   server failure (a code other than 1000, or a close before any byte arrived) rejects with
 *   `ERR_MEMTLS_TRANSPORT` and the close code and reason in the message (see webSocketTransport).
 */
import { type ContextOptions, type Ssl, SslContext, type SslSession } from '@memtls/core/client';
import { type TlsInfo, TlsStreams } from '@memtls/web-streams/client';
import { type WebSocketLike, type WebSocketTransport, type WebSocketTransportOptions, webSocketTransport } from './websocket-transport.js';

/** Options of `TlsWebSocket`: the TLS side and the WebSocket transport's bounds. */
export interface TlsWebSocketOptions extends WebSocketTransportOptions {
  /** An `SslContext`, or the options to make one. */
  context: SslContext | ContextOptions;
  /** SNI and the name the server certificate is checked against. Required with a verifying client context
   * (the WebSocket URL names the relay, not the TLS server) unless the context sets verifyHostname: false. */
  serverName?: string;
  /** A session to resume (from `ssl.getSession()` of an earlier connection). */
  session?: SslSession;
  /** Plaintext bytes decrypted ahead of `read()` (default 64 KiB). */
  readableHighWaterMark?: number;
  /** Plaintext bytes queued by `write()` before it waits (default 64 KiB). */
  writableHighWaterMark?: number;
  /** When a URL is given: the WebSocket subprotocols to offer (e.g. 'binary' for websockify). */
  protocols?: string | string[];
  /** Keep sending after the peer's close_notify until `end()` (default false: end at once). */
  allowHalfOpen?: boolean;
}

type WebSocketConstructor = new (url: string | URL, protocols?: string | string[]) => WebSocketLike;

const encoder = new TextEncoder();

function openSocket(target: WebSocketLike | string | URL, protocols: string | string[] | undefined): WebSocketLike {
  if (typeof target !== 'string' && !(target instanceof URL)) return target;
  const Ctor = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (typeof Ctor !== 'function') {
    throw new TypeError('TlsWebSocket: this runtime has no global WebSocket; pass a WebSocket instance instead (in Node: new WebSocket(url) from the ws package)');
  }
  return protocols === undefined ? new Ctor(target) : new Ctor(target, protocols);
}

function toBytes(data: Uint8Array | string): Uint8Array {
  if (typeof data === 'string') return encoder.encode(data);
  if (data instanceof Uint8Array) return data;
  throw new TypeError('TlsWebSocket.write: data must be a Uint8Array or a string');
}

/**
 * TLS over a WebSocket, as a duplex of plaintext.
 * @example
 * const tls = await TlsWebSocket.connect('ws://127.0.0.1:8081/', { context: { role: 'client', ca }, serverName: 'localhost' });
 * await tls.write('GET / HTTP/1.0\r\n\r\n');
 * for await (const chunk of tls) console.log(new TextDecoder().decode(chunk));
 * await tls.end();
 */
export class TlsWebSocket implements AsyncIterable<Uint8Array> {
  /** The WebSocket the records travel on. */
  readonly socket: WebSocketLike;
  /** The WebSocket as a byte transport (queue sizes, close details). */
  readonly transport: WebSocketTransport;
  /** The plaintext web streams (locked by this object: use `read`/`write`/`end`). */
  readonly streams: TlsStreams;
  /** Resolves after both close_notify and the WebSocket close; rejects with a `TlsStreamError`. */
  readonly closed: Promise<void>;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  #ending: Promise<void> | null = null;

  /**
   * Start a connection: the WebSocket opens (if given a URL) and the handshake begins at once.
   * @param socket a WebSocket (browser or ws), open or connecting, or a ws:/wss: URL (browsers; Node 22+).
   * @throws {TypeError} for a missing context or no WebSocket implementation.
   */
  constructor(socket: WebSocketLike | string | URL, options: TlsWebSocketOptions) {
    if (!options || typeof options !== 'object' || !options.context) throw new TypeError('TlsWebSocket: options.context is required');
    // Options are checked before a WebSocket is opened, so a bad option leaves nothing behind.
    const context = options.context instanceof SslContext ? options.context : new SslContext(options.context);
    if (context.needsServerName && options.serverName === undefined) {
      throw new TypeError('TlsWebSocket: serverName is required: the WebSocket URL names the relay, not the TLS server whose certificate is checked; or set verifyHostname: false in the context to opt out explicitly');
    }
    this.socket = openSocket(socket, options.protocols);
    const allowHalfOpen = options.allowHalfOpen === true;
    try {
      this.transport = webSocketTransport(this.socket, options);
      this.streams = new TlsStreams(this.transport, {
        context,
        ...(options.serverName !== undefined ? { serverName: options.serverName } : {}),
        ...(options.session !== undefined ? { session: options.session } : {}),
        ...(options.readableHighWaterMark !== undefined ? { readableHighWaterMark: options.readableHighWaterMark } : {}),
        ...(options.writableHighWaterMark !== undefined ? { writableHighWaterMark: options.writableHighWaterMark } : {}),
        onPeerClose: () => {
          if (!allowHalfOpen) this.end().catch(() => undefined);
        },
      });
    } catch (e) {
      if (this.socket !== socket) this.socket.close();
      throw e;
    }
    this.closed = this.streams.closed;
    this.#reader = this.streams.readable.getReader();
    this.#writer = this.streams.writable.getWriter();
    this.#reader.closed.catch(() => undefined);
    this.#writer.closed.catch(() => undefined);
  }

  /**
   * Make a connection and wait for its handshake.
   * @returns the connected object.
   * @throws {TlsStreamError} `ERR_MEMTLS_TRANSPORT` (the WebSocket failed, or the relay closed it with an
   *   error code or before any byte arrived: the server is unreachable), `ERR_MEMTLS_SSL` (handshake refused,
   *   with `reason`), `ERR_MEMTLS_TRUNCATED` (closed normally during the handshake).
   */
  static async connect(socket: WebSocketLike | string | URL, options: TlsWebSocketOptions): Promise<TlsWebSocket> {
    const tls = new TlsWebSocket(socket, options);
    await tls.connect();
    return tls;
  }

  /** The memtls `Ssl` (version, cipher, shutdown flags, session, ...). */
  get ssl(): Ssl {
    return this.streams.ssl;
  }

  /** Wait for the handshake (it started in the constructor). Resolves with the negotiated parameters. */
  connect(): Promise<TlsInfo> {
    return this.streams.opened;
  }

  /**
   * Encrypt and send; resolves once the bytes are handed to the WebSocket and its `bufferedAmount` is
   * under the high-water mark. Strings are sent as UTF-8.
   */
  write(data: Uint8Array | string): Promise<void> {
    // Checked here: Node 20's WritableStream trips an internal assertion on a write after close().
    if (this.#ending) return Promise.reject(new TypeError('TlsWebSocket.write: called after end()'));
    return this.#writer.write(toBytes(data));
  }

  /** The next plaintext chunk, or null after the peer's close_notify. Rejects with a `TlsStreamError`. */
  async read(): Promise<Uint8Array | null> {
    const r = await this.#reader.read();
    return r.done ? null : r.value;
  }

  /**
   * Optionally write `data`, then shut down: close_notify, wait for the peer's (what it sends before that
   * is still delivered to `read()`), close the WebSocket. Idempotent.
   */
  end(data?: Uint8Array | string): Promise<void> {
    if (this.#ending) return this.#ending;
    const last = data === undefined ? null : toBytes(data);
    this.#ending = (async () => {
      if (last) await this.#writer.write(last);
      await this.#writer.close();
      await this.streams.closed;
    })();
    return this.#ending;
  }

  /** Close at once without close_notify; pending and later calls reject with `ERR_MEMTLS_ABORTED`. */
  destroy(reason?: unknown): void {
    this.streams.abort(reason);
  }

  /** Received bytes held in memory: WebSocket messages queued, ciphertext in the read BIO, plaintext queued. */
  bufferedIncoming(): number {
    const s = this.streams.stats();
    return this.transport.queuedBytes() + s.ciphertext + s.plaintext;
  }

  /** Plaintext chunks until the peer's close_notify; breaking out of the loop leaves the connection open. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    for (;;) {
      const chunk = await this.read();
      if (chunk === null) return;
      yield chunk;
    }
  }
}
