/** A client and a server Ssl over a BIO pair, and a loop that drives both until each call settles. */
import { type ContextOptions, newBioPair, SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE, Ssl, SslContext, type SslOptions } from '@memtls/core';
import { testPki } from './pki.js';

export interface Pair {
  client: Ssl;
  server: Ssl;
}

export function contexts(client: Partial<ContextOptions> = {}, server: Partial<ContextOptions> = {}): { cctx: SslContext; sctx: SslContext } {
  const pki = testPki();
  const sctx = new SslContext({ role: 'server', cert: pki.leaves['ec-p256'].cert, key: pki.leaves['ec-p256'].key, ...server });
  const cctx = new SslContext({ role: 'client', ca: pki.caCert, ...client });
  return { cctx, sctx };
}

export function pair(cctx: SslContext, sctx: SslContext, opts: SslOptions = { serverName: 'localhost' }, size1 = 17 * 1024, size2 = 17 * 1024): Pair {
  const [e1, e2] = newBioPair(size1, size2);
  const client = new Ssl(cctx, opts);
  const server = new Ssl(sctx);
  client.setBio(e1, e1);
  server.setBio(e2, e2);
  return { client, server };
}

const retry = (ssl: Ssl, r: number): boolean => {
  if (r > 0) return false;
  const e = ssl.getError(r);
  return e === SSL_ERROR_WANT_READ || e === SSL_ERROR_WANT_WRITE;
};

/** Call a() and b() alternately until neither asks to retry. Returns the last results. */
export async function drive(a: () => Promise<number>, aSsl: Ssl, b: () => Promise<number>, bSsl: Ssl, maxRounds = 10000): Promise<[number, number]> {
  let ra = -1;
  let rb = -1;
  let doneA = false;
  let doneB = false;
  for (let i = 0; i < maxRounds && !(doneA && doneB); i++) {
    if (!doneA) {
      ra = await a();
      doneA = !retry(aSsl, ra);
    }
    if (!doneB) {
      rb = await b();
      doneB = !retry(bSsl, rb);
    }
  }
  if (!(doneA && doneB)) throw new Error('drive: no progress');
  return [ra, rb];
}

export async function handshake(p: Pair): Promise<void> {
  const [rc, rs] = await drive(() => p.client.doHandshake(), p.client, () => p.server.doHandshake(), p.server);
  if (rc !== 1 || rs !== 1) throw new Error(`handshake failed: client ${rc} ${p.client.errorReason()}, server ${rs} ${p.server.errorReason()}`);
}

/** Full bidirectional close, client first (the recommended loop on both sides). */
export async function closeBoth(p: Pair): Promise<void> {
  const buf = new Uint8Array(4096);
  let rc = await p.client.shutdown();
  if (rc !== 0) throw new Error(`client first shutdown: ${rc} ${p.client.errorReason()}`);
  for (let i = 0; i < 1000; i++) {
    const r = await p.server.read(buf);
    if (r === 0) break;
    if (r < 0 && p.server.getError(r) !== SSL_ERROR_WANT_READ) throw new Error(`server read: ${p.server.errorReason()}`);
  }
  const rs = await p.server.shutdown();
  if (rs !== 1) throw new Error(`server shutdown: ${rs} ${p.server.errorReason()}`);
  for (let i = 0; i < 1000 && rc !== 1; i++) {
    rc = await p.client.shutdown();
    if (rc < 0 && p.client.getError(rc) !== SSL_ERROR_WANT_READ) throw new Error(`client shutdown: ${p.client.errorReason()}`);
  }
  if (rc !== 1) throw new Error('client shutdown did not finish');
}
