/**
 * `connect()`: Node's `tls.connect` for memtls, over a new TCP connection or an existing `Duplex`
 * (`socket` option), plus `secureUpgrade()` for STARTTLS-style protocols.
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { MemtlsError } from './errors.js';
import { MemtlsSocket, type MemtlsSocketOptions } from './socket.js';

export interface ConnectOptions extends MemtlsSocketOptions {
  /** Default 'localhost'. */
  host?: string;
  /** The TCP port to connect to (required unless `socket` is given). */
  port?: number;
  /** Run TLS over this existing connection instead of opening one (host/port are then only used for the name). */
  socket?: Duplex;
  /** Idle timeout in ms (net.Socket's `timeout`). */
  timeout?: number;
}

/**
 * Open a TLS client connection. `'secureConnect'` fires when the handshake is done (and `callback`, if
 * given). The server name (SNI and certificate check) is `servername`, else `host`.
 * @example
 * const s = connect({ host: 'localhost', port: 8443, ca: caPem }, () => s.end('hello'));
 */
export function connect(options: ConnectOptions, callback?: () => void): MemtlsSocket;
export function connect(port: number, host?: string, options?: ConnectOptions, callback?: () => void): MemtlsSocket;
export function connect(a: ConnectOptions | number, b?: string | (() => void), c?: ConnectOptions | (() => void), d?: () => void): MemtlsSocket {
  let options: ConnectOptions;
  let callback: (() => void) | undefined;
  if (typeof a === 'number') {
    options = { ...(typeof c === 'object' ? c : {}), port: a };
    if (typeof b === 'string') options.host = b;
    callback = typeof c === 'function' ? c : typeof b === 'function' ? b : d;
  } else {
    if (typeof a !== 'object' || a === null) throw new TypeError('connect: options object required');
    options = { ...a };
    callback = typeof b === 'function' ? b : undefined;
  }
  const host = options.host ?? 'localhost';
  const opts: MemtlsSocketOptions = { ...options, isServer: false };
  if (opts.servername === undefined) opts.servername = host;
  let transport: Duplex;
  if (options.socket) transport = options.socket;
  else {
    if (!Number.isInteger(options.port) || (options.port as number) <= 0 || (options.port as number) > 65535) throw new RangeError('connect: port must be 1-65535');
    // Half-open capable: the TLS layer decides when each direction ends (close_notify, then FIN).
    transport = net.connect({ host, port: options.port as number, allowHalfOpen: true });
  }
  let sock: MemtlsSocket;
  try {
    sock = new MemtlsSocket(transport, opts);
  } catch (e) {
    if (!options.socket) transport.destroy();
    throw e;
  }
  if (options.timeout !== undefined) sock.setTimeout(options.timeout);
  if (callback) sock.once('secureConnect', callback);
  return sock;
}

export interface UpgradeOptions extends MemtlsSocketOptions {
  /**
   * Bytes the application's own protocol parser read past the upgrade command (e.g. what followed
   * `STARTTLS\r\n` in the same TCP read). Must be empty: see `secureUpgrade`.
   */
  buffered?: Uint8Array;
}

/**
 * Start TLS on a connection that has been speaking plaintext (STARTTLS). Refuses — throws
 * `ERR_MEMTLS_PLAINTEXT_AFTER_UPGRADE` and destroys the transport — when plaintext is already buffered
 * past the upgrade point, either in the application's parser (`buffered`) or inside the stream
 * (`socket.readableLength`): such bytes arrived before TLS and must never be taken as protected data
 * (the CVE-2021-23222 class: a man in the middle appends commands to the upgrade request). Bytes arriving
 * later go to the TLS layer, which rejects anything that is not a TLS record.
 * Call it synchronously right after deciding to upgrade (same tick as the last plaintext read).
 */
export function secureUpgrade(socket: Duplex, options: UpgradeOptions = {}): MemtlsSocket {
  const { buffered, ...rest } = options;
  const stray = (buffered?.length ?? 0) + (socket.readableLength ?? 0);
  if (stray > 0) {
    socket.destroy();
    throw new MemtlsError('ERR_MEMTLS_PLAINTEXT_AFTER_UPGRADE', `memtls: ${stray} bytes of plaintext arrived after the upgrade point; refusing to start TLS`);
  }
  return new MemtlsSocket(socket, rest);
}
