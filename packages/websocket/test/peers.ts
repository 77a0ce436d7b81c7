/**
 * Peers for the WebSocket tests, all on 127.0.0.1: Node `tls` servers, `openssl s_server -www`, the example
 * relay, and `ws` client sockets. Everything started is registered and stopped by `stopAll()` (afterEach).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import tls from 'node:tls';
import { type Relay, type RelayTarget, startRelay } from '@memtls/example-browser-websocket/relay';
import { WebSocket, WebSocketServer } from 'ws';
import { testPki } from './pki.js';

const stops = new Set<() => Promise<void> | void>();

export async function stopAll(): Promise<void> {
  const all = [...stops];
  stops.clear();
  await Promise.allSettled(all.map((s) => s()));
}

/** A Node TLS 1.3 server with the test leaf; `onSocket` gets each secure connection. */
export async function tlsServer(
  onSocket: (s: tls.TLSSocket) => void,
  opts: { allowHalfOpen?: boolean; minVersion?: tls.SecureVersion; maxVersion?: tls.SecureVersion } = {},
): Promise<{ port: number; server: tls.Server }> {
  const pki = testPki();
  const versions = { minVersion: opts.minVersion ?? 'TLSv1.3', ...(opts.maxVersion ? { maxVersion: opts.maxVersion } : {}) };
  const server = tls.createServer({ cert: pki.cert, key: pki.key, ...versions, allowHalfOpen: opts.allowHalfOpen ?? false }, onSocket);
  const sockets = new Set<tls.TLSSocket>();
  server.on('secureConnection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stops.add(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return { port: addr.port, server };
}

/** `openssl s_server -www` on an ephemeral port of 127.0.0.1. */
export async function opensslWww(): Promise<{ port: number; proc: ChildProcess }> {
  const pki = testPki();
  const proc = spawn('openssl', ['s_server', '-www', '-accept', '127.0.0.1:0', '-cert', pki.certPath, '-key', pki.keyPath, '-tls1_3'], { stdio: ['pipe', 'pipe', 'pipe'] });
  stops.add(() => {
    proc.kill('SIGKILL');
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`s_server did not start: ${out}`)), 10_000);
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ACCEPT 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s_server exited (${code}): ${out}`));
    });
  });
  return { port, proc };
}

/** The example relay to one loopback target (or a choice by path). */
export async function relayTo(target: RelayTarget | ((path: string) => RelayTarget | null)): Promise<Relay> {
  const relay = await startRelay({ target });
  stops.add(() => relay.close());
  return relay;
}

/** A bare `ws` server on 127.0.0.1 (no relay), for memtls in the server role. */
export async function wsServer(): Promise<{ url: string; server: WebSocketServer }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  stops.add(
    () =>
      new Promise<void>((resolve) => {
        for (const c of server.clients) c.terminate();
        server.close(() => resolve());
      }),
  );
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return { url: `ws://127.0.0.1:${addr.port}`, server };
}

/** A `ws` client socket (closed by stopAll if still open). */
export function wsClient(url: string): WebSocket {
  const ws = new WebSocket(url);
  ws.on('error', () => undefined);
  stops.add(() => {
    if (ws.readyState !== ws.CLOSED) ws.terminate();
  });
  return ws;
}

/** The test root certificate (PEM). */
export function testCa(): string {
  return testPki().caCert;
}

/** The client context options every test uses: trust the test root. */
export function clientContext(): { role: 'client'; ca: string } {
  return { role: 'client', ca: testPki().caCert };
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Deterministic pseudo-random bytes (xorshift), so failures are reproducible. */
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

export function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Wait until `cond()` holds, polling; throws after `ms`. */
export async function until(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
