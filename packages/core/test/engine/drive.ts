/**
 * Two engines, client and server, driven without any BIO: records taken from one (`take()`) are fed to the other
 * (`receive()` then `processRecord()`). The server's certificate is made with the openssl CLI at test time.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SslContext } from '@memtls/core';
import { Engine, type RecordEvent } from '#internal/engine/engine';
import { concat } from '#internal/wire/bytes';

let cert: { cert: string; key: string } | null = null;

/** A self-signed P-256 certificate for the server (the client does not verify it). */
function serverCert(): { cert: string; key: string } {
  if (cert) return cert;
  const dir = mkdtempSync(join(tmpdir(), 'memtls-engine-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=localhost', '-days', '2', '-keyout', 'k.pem', '-out', 'c.pem'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    cert = { cert: readFileSync(join(dir, 'c.pem'), 'utf8'), key: readFileSync(join(dir, 'k.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return cert;
}

/** A client and a server engine made from public SslContext configurations. */
export function engines(): { client: Engine; server: Engine } {
  const c = serverCert();
  const sctx = new SslContext({ role: 'server', cert: c.cert, key: c.key });
  const cctx = new SslContext({ role: 'client', verifyPeer: false });
  return { client: new Engine(cctx.engineConfig()), server: new Engine(sctx.engineConfig()) };
}

/** Feed `bytes` to `to` in pieces of at most `step` bytes, processing each record once whole. */
export async function feed(to: Engine, bytes: Uint8Array, step = bytes.length): Promise<RecordEvent[]> {
  const events: RecordEvent[] = [];
  for (let off = 0; off < bytes.length; ) {
    const piece = bytes.subarray(off, Math.min(bytes.length, off + step));
    let used = 0;
    while (used < piece.length) {
      used += to.receive(piece.subarray(used));
      if (to.recordReady) events.push(await to.processRecord());
    }
    off += piece.length;
  }
  return events;
}

/** Everything `from` has sealed, as one byte string. */
export function drain(from: Engine): Uint8Array {
  return concat(...from.take());
}

/** Run the handshake between the two engines, feeding records `step` bytes at a time. */
export async function handshake(client: Engine, server: Engine, step?: number): Promise<void> {
  await client.start();
  await server.start();
  for (let round = 0; round < 10 && !(client.handshakeComplete && server.handshakeComplete && client.outputBytes === 0 && server.outputBytes === 0); round++) {
    await feed(server, drain(client), step);
    await feed(client, drain(server), step);
  }
  if (!client.handshakeComplete || !server.handshakeComplete) throw new Error('the handshake did not complete');
}
