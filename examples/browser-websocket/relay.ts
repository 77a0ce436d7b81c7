/**
 * A WebSocket-to-TCP relay (the websockify idea), so that a browser can reach a TLS server: each WebSocket
 * gets its own TCP connection and the bytes go through untouched, binary frames both ways. memtls in the
 * page does the TLS; the relay never sees plaintext.
 *
 * Rules
 * - Listens on 127.0.0.1 only, and connects only to loopback targets (127.0.0.0/8, ::1, localhost): it is
 *   an example, not an open proxy.
 * - `origins`: when set, a browser whose Origin header is not listed is refused (403). Clients that send no
 *   Origin (Node, curl) are accepted. Browsers do not apply CORS to WebSockets, so this check is what stops
 *   other pages from using the relay.
 * - Text frames are refused (close 1003). Messages are at most 4 MiB (`maxPayload`).
 * - Backpressure both ways: when the TCP socket's buffer is full the WebSocket is paused until 'drain';
 *   when the WebSocket's `bufferedAmount` passes `highWaterMark` the TCP socket is paused until the
 *   WebSocket has flushed.
 * - Closing: TCP end or close → WebSocket close (1000, or 1011 after a TCP error) once queued bytes are
 *   sent; WebSocket close → TCP end (FIN), destroyed after 2 s if the server does not close.
 */
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

export interface RelayTarget {
  host: string;
  port: number;
}

export interface RelayOptions {
  /** Port to listen on, on 127.0.0.1 (default 0: any free port). */
  port?: number;
  /** Where to connect: one target, or a choice by request path (null refuses the WebSocket with 404). */
  target: RelayTarget | ((path: string) => RelayTarget | null);
  /** Allowed browser origins, e.g. ['http://127.0.0.1:8080']. */
  origins?: string[];
  /** WebSocket bytes buffered before the TCP side is paused (default 256 KiB). */
  highWaterMark?: number;
  /** Log lines (default: none). */
  log?: (line: string) => void;
}

export interface Relay {
  /** ws://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** Open WebSocket ↔ TCP pairs. */
  readonly connections: number;
  /** Stop listening and close every pair. */
  close(): Promise<void>;
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;

function checkTarget(t: RelayTarget): RelayTarget {
  if (!t || typeof t.host !== 'string' || !LOOPBACK.test(t.host)) throw new RangeError(`relay: target host must be a loopback address, got ${t?.host}`);
  if (!Number.isInteger(t.port) || t.port < 1 || t.port > 65535) throw new RangeError(`relay: bad target port ${t?.port}`);
  return t;
}

/**
 * Start a relay on 127.0.0.1.
 * @returns the running relay (its URL and a close function).
 * @throws {RangeError} for a non-loopback target.
 * @example
 * const relay = await startRelay({ target: { host: '127.0.0.1', port: 4433 } });
 * console.log(relay.url); // ws://127.0.0.1:40123
 */
export async function startRelay(opts: RelayOptions): Promise<Relay> {
  if (typeof opts.target !== 'function') checkTarget(opts.target);
  const log = opts.log ?? (() => undefined);
  const hwm = opts.highWaterMark ?? 256 * 1024;
  const pairs = new Set<{ ws: WebSocket; tcp: net.Socket }>();
  const pick = (path: string): RelayTarget | null => (typeof opts.target === 'function' ? opts.target(path) : opts.target);

  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: opts.port ?? 0,
    maxPayload: 4 * 1024 * 1024,
    perMessageDeflate: false,
    verifyClient: (info: { origin: string; req: IncomingMessage }, done: (ok: boolean, code?: number, message?: string) => void) => {
      const origin = info.req.headers.origin;
      if (opts.origins && origin !== undefined && !opts.origins.includes(origin)) {
        log(`refused origin ${origin}`);
        done(false, 403, 'origin not allowed');
        return;
      }
      let target: RelayTarget | null;
      try {
        target = pick(info.req.url ?? '/');
        if (target) checkTarget(target);
      } catch (e) {
        log(`bad target for ${info.req.url}: ${(e as Error).message}`);
        target = null;
      }
      if (!target) {
        done(false, 404, 'no target for this path');
        return;
      }
      done(true);
    },
  });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const address = wss.address();
  if (address === null || typeof address === 'string') throw new Error('relay: unexpected address');

  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const target = checkTarget(pick(req.url ?? '/') as RelayTarget);
    const tcp = net.connect({ host: target.host, port: target.port });
    const pair = { ws, tcp };
    pairs.add(pair);
    log(`open ${req.url} -> ${target.host}:${target.port}`);
    let tcpError = false;

    // WebSocket → TCP
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      if (!isBinary) {
        ws.close(1003, 'binary frames only');
        return;
      }
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (!tcp.write(bytes)) ws.pause();
    });
    tcp.on('drain', () => ws.resume());

    // TCP → WebSocket
    const resumeTcpIfDrained = (): void => {
      if (tcp.isPaused() && ws.bufferedAmount <= hwm / 4) tcp.resume();
    };
    tcp.on('data', (chunk: Buffer) => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(chunk, { binary: true }, resumeTcpIfDrained);
      if (ws.bufferedAmount > hwm) tcp.pause();
    });

    // Closing
    tcp.on('error', (e) => {
      tcpError = true;
      log(`tcp error ${req.url}: ${e.message}`);
    });
    tcp.on('close', () => {
      pairs.delete(pair);
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(tcpError ? 1011 : 1000, tcpError ? 'upstream error' : 'upstream closed');
      log(`tcp closed ${req.url}`);
    });
    tcp.on('end', () => {
      // The server's FIN: a WebSocket has no half-close, so close it (after the bytes already queued).
      if (ws.readyState === ws.OPEN) ws.close(1000, 'upstream closed');
    });
    ws.on('close', () => {
      pairs.delete(pair);
      if (!tcp.destroyed) {
        tcp.end();
        setTimeout(() => tcp.destroy(), 2000).unref();
      }
    });
    ws.on('error', (e) => {
      log(`websocket error ${req.url}: ${e.message}`);
      tcp.destroy();
    });
  });

  return {
    url: `ws://127.0.0.1:${address.port}`,
    port: address.port,
    get connections() {
      return pairs.size;
    },
    close: async () => {
      for (const { ws, tcp } of pairs) {
        ws.terminate();
        tcp.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
