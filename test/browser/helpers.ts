/**
 * Helpers for the browser tests (bundled by test/browser/run.mjs with esbuild and run by mocha in headless
 * Chromium). The runner puts the servers' addresses and the test PKI on `window.__memtls`.
 */
import { MemoryBio, SSL_ERROR_WANT_READ, type Ssl } from '@memtls/core';

/** One WebSocket-to-TCP relay's URLs for the three targets. */
export interface RelayUrls {
  /** For test titles: 'the example relay' or 'websockify'. */
  name: string;
  /** Leads to the Node https server (/hello, POST /echo, /truncate). */
  https: string;
  /** Leads to the Node tls echo server. */
  echo: string;
  /** Leads to a port on 127.0.0.1 where nothing listens (the relay's TCP connection is refused). */
  refused: string;
}

export interface BrowserTestConfig {
  /** ws://127.0.0.1:<port> of the relay; paths: /https (Node https server), /echo (Node tls echo server). */
  relay: string;
  /** Every relay the WebSocket tests run through: the example relay and Debian's websockify. */
  relays: RelayUrls[];
  /** PEM of the test root. */
  ca: string;
  /** A server certificate and key for memtls in the server role inside the page. */
  serverCert: string;
  serverKey: string;
}

export const config: BrowserTestConfig = (globalThis as unknown as { __memtls: BrowserTestConfig }).__memtls;

export function assert(cond: unknown, msg = 'assertion failed'): asserts cond {
  if (!cond) throw new Error(msg);
}

export function equal<T>(actual: T, expected: T, msg = ''): void {
  if (actual !== expected) throw new Error(`${msg ? `${msg}: ` : ''}expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

/** The rejection of `p` (fails if it resolves). */
export async function rejection(p: Promise<unknown>, msg = 'expected a rejection'): Promise<{ code?: string; reason?: string | null; phase?: string; verifyResult?: string | null; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code?: string; reason?: string | null; message: string };
  }
  throw new Error(msg);
}

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

export function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

export function patternBytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A parsed HTTP/1.1 response with a Content-Length body. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

/**
 * Read one HTTP response (Content-Length framed) from `next()`; returns it and any bytes after it.
 * `next` returns null at end of stream.
 */
export async function readHttpResponse(next: () => Promise<Uint8Array | null>): Promise<HttpResponse> {
  let buf: Uint8Array = new Uint8Array(0);
  let headerEnd = -1;
  while (headerEnd < 0) {
    const c = await next();
    if (c === null) throw new Error(`end of stream inside the response head (${buf.length} bytes)`);
    buf = concat([buf, c]);
    headerEnd = dec(buf).indexOf('\r\n\r\n');
  }
  const head = dec(buf.subarray(0, headerEnd)).split('\r\n');
  const status = Number((head[0] ?? '').split(' ')[1]);
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 'NaN');
  if (!Number.isSafeInteger(length)) throw new Error('no content-length');
  let body: Uint8Array = buf.subarray(headerEnd + 4);
  while (body.length < length) {
    const c = await next();
    if (c === null) throw new Error(`end of stream inside the body (${body.length}/${length})`);
    body = concat([body, c]);
  }
  return { status, headers, body };
}

/**
 * The raw memory-BIO pattern in the page, for checking exact return values: a browser WebSocket's
 * messages go into `rbio`, everything the engine writes to `wbio` goes out as one binary message.
 */
export class WebSocketPump {
  readonly rbio = new MemoryBio();
  readonly wbio = new MemoryBio();
  readonly ws: WebSocket;
  readonly ssl: Ssl;
  #wake: (() => void) | null = null;

  constructor(ssl: Ssl, url: string) {
    this.ssl = ssl;
    this.ws = new WebSocket(url);
    this.ws.binaryType = 'arraybuffer';
    ssl.setBio(this.rbio, this.wbio);
    this.ws.addEventListener('message', (ev: MessageEvent) => {
      this.rbio.write(new Uint8Array(ev.data as ArrayBuffer));
      this.#wake?.();
    });
    this.ws.addEventListener('close', () => {
      this.rbio.setEof();
      this.#wake?.();
    });
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.addEventListener('open', () => resolve());
      this.ws.addEventListener('error', () => reject(new Error('WebSocket failed')));
    });
  }

  flush(): void {
    const n = this.wbio.pending();
    if (n === 0 || this.ws.readyState !== WebSocket.OPEN) return;
    const out = new Uint8Array(n);
    this.wbio.read(out);
    this.ws.send(out);
  }

  /** Call `op` until it returns something other than -1/WANT_READ; returns [ret, getError(ret)]. */
  async drive(op: () => Promise<number>): Promise<[number, number]> {
    for (;;) {
      const wait = new Promise<void>((r) => {
        this.#wake = r;
      });
      const ret = await op();
      const err = this.ssl.getError(ret);
      this.flush();
      if (ret > 0 || err !== SSL_ERROR_WANT_READ) return [ret, err];
      await wait;
    }
  }
}
