/**
 * A WebSocket as a byte transport (`ReadableStream<Uint8Array>` / `WritableStream<Uint8Array>`): every
 * binary message is a chunk, every chunk written is one binary message. Works with the browser's
 * `WebSocket` and with `ws` in Node (both have `binaryType`, `bufferedAmount` and `addEventListener`).
 *
 * Rules
 * - `binaryType` is set to 'arraybuffer'. A text message is a protocol error: the readable errors with
 *   `ERR_MEMTLS_TRANSPORT` and the socket is closed (4003; browsers allow only 1000 and 3000-4999).
 * - Sending: each write is one `send()`. The write resolves once `bufferedAmount` is at or below
 *   `highWaterMark`; above it the transport polls `bufferedAmount` (WebSockets have no drain event) until
 *   it falls to `lowWaterMark`. So what waits in the socket stays near `highWaterMark` plus one message.
 * - Receiving: messages are queued in the readable (counted in bytes). When the queue reaches
 *   `receiveHighWaterMark` a socket that can pause (`ws` in Node: `pause()`/`resume()`) is paused until
 *   the reader drains it, and TCP flow control does the rest. A browser WebSocket cannot pause: beyond
 *   `maxReceiveBuffer` bytes the readable errors with `ERR_MEMTLS_BUFFER_OVERFLOW` and the socket closes.
 * - A normal close (1000, or 1005: no code) after bytes arrived ends the readable (EOF): the TLS layer decides
 *   whether that EOF was clean (after close_notify) or a truncation. An error before the socket opened errors
 *   both sides.
 * - A close that reports a failure is not a truncation: with any other code (1006 connection lost, 1011 the
 *   relay could not reach the server, ...), or a normal close before any byte arrived (the relay connected
 *   nothing, or the server hung up at once), the readable errors with `ERR_MEMTLS_TRANSPORT` and a message
 *   that gives the code and the relay's reason. Bytes that arrived before the close are still read first.
 * - Closing the writable closes the socket (1000) and waits for its close event.
 */
import { type ByteTransport, TlsErrorCode, TlsStreamError } from '@memtls/web-streams/client';

/** What the transport needs from a WebSocket: the browser's `WebSocket` and `ws`'s both fit. */
export interface WebSocketLike {
  /** Set to 'arraybuffer' by the transport. */
  binaryType: string;
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Bytes queued by `send()` and not yet sent. */
  readonly bufferedAmount: number;
  /** The URL, for error messages. */
  readonly url?: string;
  /** Send one binary message. */
  send(data: Uint8Array<ArrayBuffer>): void;
  /** Start the closing handshake. */
  close(code?: number, reason?: string): void;
  /** Listen for 'open', 'message', 'error' and 'close'. */
  // biome-ignore lint/suspicious/noExplicitAny: the DOM's and ws's event types differ; both are accepted.
  addEventListener(type: string, listener: (event: any) => void): void;
  /** Stop listening. */
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  removeEventListener(type: string, listener: (event: any) => void): void;
  /** `ws` only: stop reading from the socket. */
  pause?(): void;
  /** `ws` only: read again. */
  resume?(): void;
}

/** Bounds of `webSocketTransport` (and `TlsWebSocket`). */
export interface WebSocketTransportOptions {
  /** Outgoing bytes the socket may buffer before writes wait (default 256 KiB). */
  highWaterMark?: number;
  /** Writes resume once `bufferedAmount` is at or below this (default: highWaterMark / 4). */
  lowWaterMark?: number;
  /** How often `bufferedAmount` is polled while a write waits, in ms (default 4). */
  pollIntervalMs?: number;
  /** Received bytes queued before a pausable socket is paused (default 256 KiB). */
  receiveHighWaterMark?: number;
  /** Received bytes queued before a socket that cannot pause fails (default 16 MiB). */
  maxReceiveBuffer?: number;
}

/** How the socket closed. */
export interface WebSocketCloseInfo {
  /** The close code (1005 when none was given). */
  code: number;
  /** The close reason the other side gave ('' when none). */
  reason: string;
  /** True when the closing handshake completed. */
  wasClean: boolean;
}

/** A WebSocket as a byte transport, with its state. */
export interface WebSocketTransport extends ByteTransport {
  /** The wrapped WebSocket. */
  readonly socket: WebSocketLike;
  /** Resolves when the socket is open; rejects with `ERR_MEMTLS_TRANSPORT` if it never opens. */
  readonly opened: Promise<void>;
  /** Resolves with the close event's details. */
  readonly closed: Promise<WebSocketCloseInfo>;
  /** Received bytes queued in `readable` and not yet read. */
  queuedBytes(): number;
  /** True while the socket is paused for backpressure. */
  isPaused(): boolean;
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

/** Words for a close code (RFC 6455 §7.4.1 and the IANA registry). */
const CLOSE_CODES: Record<number, string> = {
  1001: 'going away',
  1002: 'protocol error',
  1003: 'unsupported data',
  1006: 'connection lost without a close frame',
  1007: 'invalid frame payload',
  1008: 'policy violation',
  1009: 'message too big',
  1011: 'the relay failed, e.g. it could not connect to the server',
  1012: 'service restart',
  1013: 'try again later',
  1014: 'bad gateway',
};

function closeWords(info: WebSocketCloseInfo): string {
  const known = CLOSE_CODES[info.code];
  return `code ${info.code}${info.reason ? ` "${info.reason}"` : ''}${known ? `: ${known}` : ''}`;
}

/** Why a close after open is a transport failure, or null when it is an end of stream for TLS to judge. */
function closeFailure(info: WebSocketCloseInfo, received: number): string | null {
  if (info.code !== 1000 && info.code !== 1005) return `WebSocket: the connection was closed with ${closeWords(info)}`;
  if (received === 0) return `WebSocket: closed by the relay (${closeWords(info)}) before any byte arrived: the server refused or dropped the connection, or the relay could not reach it`;
  return null;
}

function positive(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`webSocketTransport: ${name} must be a positive number`);
  return v;
}

/** Message data (ArrayBuffer in both runtimes with binaryType 'arraybuffer'; views and Node Buffers too). */
function messageBytes(data: unknown): Uint8Array | null {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return null;
}

/**
 * Wrap a WebSocket (open or still connecting) as a byte transport.
 * @throws {TypeError} if `socket` does not look like a WebSocket.
 * @throws {RangeError} for a bad option.
 * @example
 * const transport = webSocketTransport(new WebSocket('ws://127.0.0.1:8081/'));
 * const tls = new TlsStreams(transport, { context: { role: 'client', ca }, serverName: 'localhost' });
 */
export function webSocketTransport(socket: WebSocketLike, options: WebSocketTransportOptions = {}): WebSocketTransport {
  if (!socket || typeof socket.send !== 'function' || typeof socket.addEventListener !== 'function' || typeof socket.close !== 'function') {
    throw new TypeError('webSocketTransport: expected a WebSocket (browser WebSocket or ws)');
  }
  const highWaterMark = positive('highWaterMark', options.highWaterMark, 256 * 1024);
  const lowWaterMark = Math.min(highWaterMark, positive('lowWaterMark', options.lowWaterMark, highWaterMark / 4));
  const pollMs = positive('pollIntervalMs', options.pollIntervalMs, 4);
  const receiveHwm = positive('receiveHighWaterMark', options.receiveHighWaterMark, 256 * 1024);
  const maxReceive = Math.max(receiveHwm, positive('maxReceiveBuffer', options.maxReceiveBuffer, 16 * 1024 * 1024));
  const canPause = typeof socket.pause === 'function' && typeof socket.resume === 'function';

  socket.binaryType = 'arraybuffer';
  let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  let readableDone = false;
  let paused = false;
  let everOpened = socket.readyState === OPEN;
  let received = 0;
  /** A failing close that waits for the reader to take the bytes queued before it. */
  let pendingFailure: TlsStreamError | null = null;

  let resolveOpened!: () => void;
  let rejectOpened!: (e: unknown) => void;
  const opened = new Promise<void>((res, rej) => {
    resolveOpened = res;
    rejectOpened = rej;
  });
  opened.catch(() => undefined);
  let resolveClosed!: (info: WebSocketCloseInfo) => void;
  const closed = new Promise<WebSocketCloseInfo>((res) => {
    resolveClosed = res;
  });

  const queued = (): number => (controller && !readableDone ? Math.max(0, receiveHwm - (controller.desiredSize ?? receiveHwm)) : 0);

  const errorReadable = (e: TlsStreamError): void => {
    if (readableDone) return;
    readableDone = true;
    controller?.error(e);
  };

  const closeSocket = (code: number, reason: string): void => {
    if (socket.readyState === CLOSED) return;
    try {
      socket.close(code, reason);
    } catch {
      // already closing
    }
  };

  const onOpen = (): void => {
    everOpened = true;
    resolveOpened();
  };
  const onMessage = (ev: { data: unknown }): void => {
    if (readableDone || !controller) return;
    const bytes = messageBytes(ev.data);
    if (bytes === null) {
      const what = typeof ev.data === 'string' ? 'a text message' : 'a non-binary message';
      errorReadable(new TlsStreamError(TlsErrorCode.TRANSPORT, `WebSocket: ${what} arrived; TLS needs binary frames`, { phase: 'transport' }));
      closeSocket(4003, 'binary frames only');
      return;
    }
    if (bytes.length === 0) return;
    received += bytes.length;
    controller.enqueue(bytes);
    if ((controller.desiredSize ?? 0) > 0) return;
    if (canPause) {
      if (!paused) {
        paused = true;
        socket.pause?.();
      }
    } else if (queued() > maxReceive) {
      errorReadable(new TlsStreamError(TlsErrorCode.BUFFER_OVERFLOW, `WebSocket: more than ${maxReceive} received bytes wait for a reader and a browser WebSocket cannot pause`, { phase: 'transport' }));
      closeSocket(4009, 'receive buffer full');
    }
  };
  const onError = (): void => {
    if (!everOpened) {
      const e = new TlsStreamError(TlsErrorCode.TRANSPORT, `WebSocket: connection to ${socket.url ?? 'the relay'} failed`, { phase: 'transport' });
      rejectOpened(e);
      errorReadable(e);
    }
    // After open, the close event that follows ends the readable; TLS judges that EOF.
  };
  const onClose = (ev: { code?: number; reason?: string; wasClean?: boolean }): void => {
    socket.removeEventListener('open', onOpen);
    socket.removeEventListener('message', onMessage);
    socket.removeEventListener('error', onError);
    socket.removeEventListener('close', onClose);
    const info = { code: ev.code ?? 1005, reason: ev.reason ?? '', wasClean: ev.wasClean ?? false };
    if (!everOpened) {
      const e = new TlsStreamError(TlsErrorCode.TRANSPORT, `WebSocket: closed before it opened (${closeWords(info)})`, { phase: 'transport' });
      rejectOpened(e);
      errorReadable(e);
    } else if (!readableDone) {
      const failure = closeFailure(info, received);
      if (failure === null) {
        readableDone = true;
        controller?.close();
      } else {
        const e = new TlsStreamError(TlsErrorCode.TRANSPORT, failure, { phase: 'transport' });
        if (queued() === 0) errorReadable(e);
        else pendingFailure = e;
      }
    }
    resolveClosed(info);
  };
  socket.addEventListener('open', onOpen);
  socket.addEventListener('message', onMessage);
  socket.addEventListener('error', onError);
  socket.addEventListener('close', onClose);
  if (socket.readyState === OPEN) resolveOpened();
  else if (socket.readyState !== CONNECTING) {
    const e = new TlsStreamError(TlsErrorCode.TRANSPORT, 'WebSocket: already closing or closed', { phase: 'transport' });
    rejectOpened(e);
  }

  const readable = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        if (socket.readyState > OPEN) {
          readableDone = true;
          c.error(new TlsStreamError(TlsErrorCode.TRANSPORT, 'WebSocket: already closing or closed', { phase: 'transport' }));
        }
      },
      pull() {
        if (pendingFailure && queued() === 0) {
          errorReadable(pendingFailure);
          return;
        }
        if (paused) {
          paused = false;
          socket.resume?.();
        }
      },
      cancel() {
        readableDone = true;
        if (paused) {
          paused = false;
          socket.resume?.();
        }
        closeSocket(1000, 'done');
      },
    },
    { highWaterMark: receiveHwm, size: (chunk) => chunk.byteLength },
  );

  const waitForDrain = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (socket.readyState !== OPEN) reject(new TlsStreamError(TlsErrorCode.TRANSPORT, 'WebSocket: closed while data was waiting to be sent', { phase: 'transport' }));
        else if (socket.bufferedAmount <= lowWaterMark) resolve();
        else setTimeout(check, pollMs);
      };
      setTimeout(check, pollMs);
    });

  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      await opened;
      if (socket.readyState !== OPEN) throw new TlsStreamError(TlsErrorCode.TRANSPORT, 'WebSocket: not open', { phase: 'transport' });
      // The DOM's send() takes ArrayBuffer-backed views only; TlsStreams always writes those.
      socket.send(chunk.buffer instanceof ArrayBuffer ? (chunk as Uint8Array<ArrayBuffer>) : chunk.slice());
      if (socket.bufferedAmount > highWaterMark) await waitForDrain();
    },
    async close() {
      if (socket.readyState !== CLOSED) closeSocket(1000, 'TLS closed');
      await closed;
    },
    abort() {
      closeSocket(4000, 'aborted');
    },
  });

  return {
    socket,
    readable,
    writable,
    opened,
    closed,
    queuedBytes: queued,
    isPaused: () => paused,
  };
}
