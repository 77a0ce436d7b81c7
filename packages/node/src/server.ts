/**
 * `createServer()`: a `net.Server` whose connections are wrapped in server-side `MemtlsSocket`s, in the
 * shape of Node's `tls.Server`.
 *
 * Events: `'secureConnection'` (socket) once a handshake completes; `'tlsClientError'` (err, socket) when
 * one fails (the socket is destroyed; no `'error'` is thrown at the server); `'newSession'` (sessionId,
 * sessionData, callback) and `'resumeSession'` (sessionId, callback) for an external cache of TLS 1.2 session IDs
 * (session-events.ts); `'keylog'` (line, socket); `'earlyData'` (chunk, socket) for each chunk of accepted TLS 1.3
 * early data, before the handshake completes (with `maxEarlyData`; the chunk is also on the socket's readable
 * side, first). All connections share one
 * `SslContext`, so its session cache serves resumption across connections.
 *
 * Any `Duplex` can be served too: `server.emit('connection', duplex)` wraps it like a TCP connection.
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { SslContext } from '@memtls/core';
import { contextFromOptions, type SecureOptions } from './options.js';
import { setSessionEventTarget } from './session-events.js';
import { MemtlsSocket, type TraceEvent } from './socket.js';

export interface ServerOptions extends SecureOptions {
  /** Keep each connection's writable side open after the client's close_notify (default false). */
  allowHalfOpen?: boolean;
  /** Fail handshakes that take longer than this (ms, default 120000 as in Node; 0 disables). */
  handshakeTimeout?: number;
  /** Per-connection read-BIO bound (see MemtlsSocketOptions). */
  maxBufferedCiphertext?: number;
  /** Trace every connection (argument: the socket, then the event). */
  trace?: (socket: MemtlsSocket, ev: TraceEvent) => void;
  /** As `net.createServer`'s option: accepted sockets start paused. */
  pauseOnConnect?: boolean;
}

/**
 * A TLS server like `tls.Server`: accepts TCP connections and emits `'secureConnection'` with a `MemtlsSocket` for
 * each completed handshake.
 */
export class MemtlsServer extends net.Server {
  /** The context every connection uses (certificates, session cache). */
  readonly context: SslContext;
  readonly #opts: ServerOptions;

  constructor(options: ServerOptions, secureConnectionListener?: (socket: MemtlsSocket) => void) {
    if (typeof options !== 'object' || options === null) throw new TypeError('createServer: options with cert and key are required');
    // The TCP side is always half-open capable: the TLS layer decides when to end (close_notify first).
    super({ allowHalfOpen: true, pauseOnConnect: options.pauseOnConnect ?? false });
    this.#opts = { ...options };
    this.context = contextFromOptions('server', options);
    if (secureConnectionListener) this.on('secureConnection', secureConnectionListener);
    this.on('connection', (raw: Duplex) => this.#wrap(raw));
  }

  /**
   * As Node's `server.getTicketKeys()`: a copy of the current session-ticket key (48 bytes: 16-byte key name,
   * 32-byte AES-256-GCM key in memtls's layout).
   */
  getTicketKeys(): Buffer {
    return Buffer.from(this.context.getTicketKeys());
  }

  /**
   * As Node's `server.setTicketKeys(keys)`: new tickets are sealed with these 48 bytes. Unlike Node (one key, so
   * older tickets stop resuming at once), the replaced key still opens tickets for one ticket lifetime.
   * @throws {TypeError} unless `keys` is 48 bytes.
   */
  setTicketKeys(keys: Buffer | Uint8Array): void {
    this.context.setTicketKeys(keys instanceof Uint8Array ? new Uint8Array(keys) : keys);
  }

  /** SNI: serve `certPem`/`keyPem` to clients asking for a name the certificate covers (its SANs). */
  addContext(_hostname: string, context: { cert: string | Buffer; key: string | Buffer }): void {
    const text = (p: string | Buffer): string => (typeof p === 'string' ? p : p.toString('utf8'));
    this.context.addCredential(text(context.cert), text(context.key));
  }

  #wrap(raw: Duplex): void {
    const o = this.#opts;
    let sock: MemtlsSocket;
    try {
      const sockOpts: ConstructorParameters<typeof MemtlsSocket>[1] = { isServer: true, secureContext: this.context, allowHalfOpen: o.allowHalfOpen ?? false };
      if (o.maxBufferedCiphertext !== undefined) sockOpts.maxBufferedCiphertext = o.maxBufferedCiphertext;
      const trace = o.trace;
      if (trace) sockOpts.trace = (ev) => trace(sock, ev);
      sock = new MemtlsSocket(raw, sockOpts);
    } catch (e) {
      raw.destroy();
      this.emit('tlsClientError', e, null);
      return;
    }
    // Node's 'newSession' / 'resumeSession' (TLS 1.2 session IDs) are emitted on this server.
    setSessionEventTarget(sock.ssl, this);
    // Until the handshake completes, failures belong to the server ('tlsClientError'), as in Node.
    const onError = (err: Error): void => {
      this.emit('tlsClientError', err, sock);
    };
    sock.on('error', onError);
    // 0-RTT early data (memtls's opt-in, early-data.ts): told with its socket, as 'keylog'.
    sock.on('earlyData', (chunk: Buffer) => this.emit('earlyData', chunk, sock));
    // Node's tls.Server 'keylog' (line, tlsSocket), for every connection of this server.
    sock.on('keylog', (line: Buffer) => {
      this.emit('keylog', line, sock);
    });
    const timeoutMs = o.handshakeTimeout ?? 120_000;
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            const e = Object.assign(new Error('memtls: TLS handshake timeout'), { code: 'ERR_MEMTLS_HANDSHAKE_TIMEOUT' });
            sock.destroy(e);
          }, timeoutMs)
        : null;
    timer?.unref();
    sock.once('close', () => {
      if (timer) clearTimeout(timer);
    });
    sock.once('secure', () => {
      if (timer) clearTimeout(timer);
      sock.off('error', onError);
      this.emit('secureConnection', sock);
    });
  }
}

/** `tls.createServer` for memtls. `options` needs `cert` and `key` (PEM). */
export function createServer(options: ServerOptions, secureConnectionListener?: (socket: MemtlsSocket) => void): MemtlsServer {
  return new MemtlsServer(options, secureConnectionListener);
}
