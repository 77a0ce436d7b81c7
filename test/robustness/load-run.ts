/**
 * Load: N in-memory connections (a client and a server Ssl joined by two MemoryBios) handshake in batches and
 * stay open until all N are established, so all N are open at once; each moves one small message each way;
 * then all are closed (the recommended shutdown loop on both sides) and freed. Memory is sampled with a full GC
 * before, with everything open, and after everything (contexts included) was dropped.
 *
 * Used by test/robustness/load.test.ts (small N in CI) and by `pnpm load` (load-main.ts, N = 10,000).
 */

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MemoryBio, SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE, Ssl, SslContext } from '@memtls/core';
import { createNullProvider } from '@memtls/crypto-null';
import { testPki } from '../util/pki.js';

export interface LoadOptions {
  connections: number;
  /** Connections handshaking concurrently (default 250). */
  batch?: number;
  crypto?: 'real' | 'null';
  log?: (line: string) => void;
}

export interface LoadResult {
  connections: number;
  /** The most connections open (handshake completed, not yet closed) at one time. */
  peakOpen: number;
  handshakeMs: number;
  closeMs: number;
  /** heapUsed + arrayBuffers, after a full GC. */
  memStart: number;
  memOpen: number;
  memEnd: number;
  /** (memOpen - memStart) / connections: one client + one server Ssl, idle, with their BIOs. */
  bytesPerConnection: number;
  /** The same per Ssl object. */
  bytesPerSsl: number;
}

/** A full garbage collection: global.gc under --expose-gc, else the V8 flag set at run time. */
export function gcFunction(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function settle(gc: () => void): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

interface Conn {
  client: Ssl;
  server: Ssl;
}

const retry = (ssl: Ssl, r: number): boolean => r <= 0 && [SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE].includes(ssl.getError(r));

async function both(c: Conn, a: (s: Ssl) => Promise<number>, want: (r: number) => boolean, what: string): Promise<void> {
  let rc = -1;
  let rs = -1;
  let dc = false;
  let ds = false;
  for (let i = 0; i < 200 && !(dc && ds); i++) {
    if (!dc) {
      rc = await a(c.client);
      dc = !retry(c.client, rc);
    }
    if (!ds) {
      rs = await a(c.server);
      ds = !retry(c.server, rs);
    }
  }
  if (!want(rc) || !want(rs)) throw new Error(`${what}: client ${rc} (${c.client.errorReason()}), server ${rs} (${c.server.errorReason()})`);
}

const MSG = new TextEncoder().encode('ping');

async function close(c: Conn): Promise<void> {
  const buf = new Uint8Array(64);
  // Recommended loop on both sides: shutdown; read until ZERO_RETURN; shutdown again (docs/shutdown.md).
  for (const [a, b] of [[c.client, c.server]] as const) {
    if ((await a.shutdown()) !== 0) throw new Error(`first shutdown: ${a.errorReason()}`);
    if ((await b.read(buf)) !== 0) throw new Error(`peer read after close_notify: ${b.errorReason()}`);
    if ((await b.shutdown()) !== 1) throw new Error(`peer shutdown: ${b.errorReason()}`);
    for (let i = 0; i < 10; i++) {
      const r = await a.shutdown();
      if (r === 1) return;
      if (!retry(a, r)) break;
    }
    throw new Error(`second shutdown: ${a.errorReason()}`);
  }
}

interface CycleResult {
  peakOpen: number;
  handshakeMs: number;
  closeMs: number;
  memOpen: number;
}

/** Open n connections (all at once at the end), sample memory, close and free them all. */
async function cycle(n: number, o: LoadOptions, gc: () => void, log: (l: string) => void): Promise<CycleResult> {
  const batch = o.batch ?? 250;
  const pki = testPki();
  const nul = o.crypto === 'null';
  const cctx = new SslContext({ role: 'client', ca: pki.caCert, ...(nul ? { crypto: createNullProvider(), verifyPeer: false } : {}) });
  const sctx = new SslContext({ role: 'server', cert: pki.leaves['ec-p256'].cert, key: pki.leaves['ec-p256'].key, ...(nul ? { crypto: createNullProvider({ seed: 1 }) } : {}) });
  const conns: Conn[] = [];
  let open = 0;
  let peakOpen = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i += batch) {
    const group: Conn[] = [];
    for (let j = i; j < Math.min(n, i + batch); j++) {
      const c2s = new MemoryBio();
      const s2c = new MemoryBio();
      const client = new Ssl(cctx, { serverName: 'localhost' });
      const server = new Ssl(sctx);
      client.setBio(s2c, c2s);
      server.setBio(c2s, s2c);
      group.push({ client, server });
    }
    await Promise.all(
      group.map(async (c) => {
        await both(c, (s) => s.doHandshake(), (r) => r === 1, 'handshake');
        await both(c, (s) => s.write(MSG), (r) => r === MSG.length, 'write');
        const buf = new Uint8Array(16);
        await both(c, (s) => s.read(buf), (r) => r === MSG.length, 'read');
        open++;
      }),
    );
    conns.push(...group);
    peakOpen = Math.max(peakOpen, open);
    if ((i / batch) % 8 === 7) log(`load: ${open} connections open`);
  }
  const handshakeMs = performance.now() - t0;
  const memOpen = await settle(gc);
  const t1 = performance.now();
  for (let i = 0; i < conns.length; i += batch) {
    await Promise.all(
      conns.slice(i, i + batch).map(async (c) => {
        await close(c);
        c.client.free();
        c.server.free();
        open--;
      }),
    );
  }
  if (open !== 0) throw new Error(`${open} connections did not close`);
  return { peakOpen, handshakeMs, closeMs: performance.now() - t1, memOpen };
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const log = o.log ?? ((l: string) => console.log(l));
  const gc = gcFunction();
  testPki();
  // Warm-up: code compiled and modules loaded on first use are not per-connection memory.
  await cycle(Math.min(200, o.connections), o, gc, () => {});
  const memStart = await settle(gc);
  const c = await cycle(o.connections, o, gc, log);
  const memEnd = await settle(gc);
  const bytesPerConnection = (c.memOpen - memStart) / o.connections;
  const r: LoadResult = { connections: o.connections, ...c, memStart, memEnd, bytesPerConnection, bytesPerSsl: bytesPerConnection / 2 };
  const mib = (b: number): string => (b / 2 ** 20).toFixed(1);
  log(
    `load: ${c.peakOpen} connections open at once (${o.crypto ?? 'real'} crypto); established in ${(c.handshakeMs / 1000).toFixed(1)} s, closed in ${(c.closeMs / 1000).toFixed(1)} s; ` +
      `memory ${mib(memStart)} -> ${mib(c.memOpen)} MiB open -> ${mib(memEnd)} MiB after close + gc; ` +
      `per idle established connection (client + server Ssl, BIOs included): ${(bytesPerConnection / 1024).toFixed(1)} KiB, per Ssl ${(r.bytesPerSsl / 1024).toFixed(1)} KiB`,
  );
  return r;
}
