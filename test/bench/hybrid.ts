/**
 * The X25519MLKEM768 rows of `pnpm bench`: the handshake cost of the hybrid post-quantum group beside x25519, for
 * memtls (node:crypto and native WebCrypto providers; ML-KEM-768 from @noble/post-quantum in both) and for Node 26's
 * tls (OpenSSL 3.5, run as a child process: the Node that runs the bench has no ML-KEM). Full TLS 1.3 handshakes in
 * memory, sequential, the client verifying the certificate. Every contender is checked before timing: memtls on both
 * ends (`ssl.group()`), Node 26 on the client (`getEphemeralKeyInfo()`) with the group as its server's only one.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { node26Path } from '../interop/node26.js';
import { type Contender, median, type Negotiated, now, SUITE, TLS13_FULL, TLS13_HYBRID } from './common.js';
import type { Pki } from './contenders.js';
import { memtlsContender } from './memtls-side.js';

const run = promisify(execFile);
export const HYBRID_GROUPS = ['x25519', 'X25519MLKEM768'] as const;
type Group = (typeof HYBRID_GROUPS)[number];

export interface HybridRow {
  name: string;
  /** Full handshakes per second, median and runs, per group. */
  handshakesPerSec: Record<Group, { median: number; runs: number[] }>;
  /** X25519MLKEM768 / x25519 (of medians). */
  hybridOverX25519: number;
  /** Bytes of one full handshake, client->server / server->client, per group. */
  handshakeWire: Record<Group, { clientToServer: number; serverToClient: number }>;
}

async function node26Run(pki: Pki, seconds: number): Promise<{ rates: Record<Group, number>; negotiated: Record<Group, Negotiated>; openssl: string }> {
  const child = join(dirname(fileURLToPath(import.meta.url)), 'node26-child.js');
  const { stdout } = await run(node26Path(), ['--expose-gc', child], { env: { ...process.env, MEMTLS_BENCH: JSON.stringify({ pki, seconds }) }, timeout: 120_000, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as { rates: Record<Group, number>; negotiated: Record<Group, Negotiated>; openssl: string };
}

/** Measure the rows; `runs` interleaved rounds of every contender and group. */
export async function benchHybrid(pki: Pki, runs: number, seconds: number, log: (s: string) => void, t0: number): Promise<{ rows: HybridRow[]; node26OpenSsl: string }> {
  const { createNodeCryptoProvider } = await import('@memtls/node');
  const memtls: { name: string; by: Record<Group, Contender> }[] = [
    { name: 'memtls (node:crypto)', by: { x25519: memtlsContender('memtls (node:crypto)', pki, createNodeCryptoProvider(), TLS13_FULL), X25519MLKEM768: memtlsContender('memtls (node:crypto)', pki, createNodeCryptoProvider(), TLS13_HYBRID) } },
    { name: 'memtls (native WebCrypto)', by: { x25519: memtlsContender('memtls (native WebCrypto)', pki, globalThis.crypto, TLS13_FULL), X25519MLKEM768: memtlsContender('memtls (native WebCrypto)', pki, globalThis.crypto, TLS13_HYBRID) } },
  ];
  const wire: Record<string, Record<Group, Negotiated['handshakeWire']>> = {};
  for (const m of memtls) {
    wire[m.name] = {} as Record<Group, Negotiated['handshakeWire']>;
    for (const g of HYBRID_GROUPS) {
      const n = await m.by[g].negotiate();
      if (n.version !== 'TLSv1.3' || n.cipher !== SUITE || n.group !== g) throw new Error(`${m.name} negotiated ${JSON.stringify(n)}, expected ${g}`);
      (wire[m.name] as Record<Group, Negotiated['handshakeWire']>)[g] = n.handshakeWire;
      await m.by[g].handshakes(seconds * 0.1); // warm-up, untimed
    }
  }
  const NODE = 'node 26 tls (OpenSSL 3.5)';
  const samples: Record<string, Record<Group, number[]>> = {};
  for (const name of [...memtls.map((m) => m.name), NODE]) samples[name] = { x25519: [], X25519MLKEM768: [] };
  let node26OpenSsl = '';
  for (let r = 1; r <= runs; r++) {
    for (const m of memtls) {
      for (const g of HYBRID_GROUPS) {
        globalThis.gc?.();
        const h = await m.by[g].handshakes(seconds);
        if (h.count === 0) throw new Error(`${m.name} (${g}): no handshake completed`);
        (samples[m.name] as Record<Group, number[]>)[g].push(h.count / h.seconds);
      }
    }
    const n26 = await node26Run(pki, seconds);
    node26OpenSsl = n26.openssl;
    wire[NODE] = { x25519: n26.negotiated.x25519.handshakeWire, X25519MLKEM768: n26.negotiated.X25519MLKEM768.handshakeWire };
    for (const g of HYBRID_GROUPS) (samples[NODE] as Record<Group, number[]>)[g].push(n26.rates[g]);
    log(`  X25519MLKEM768: run ${r}/${runs} done (${(now() - t0).toFixed(0)} s)`);
  }
  const rows = Object.entries(samples).map(([name, s]) => {
    const handshakesPerSec = { x25519: { median: median(s.x25519), runs: s.x25519 }, X25519MLKEM768: { median: median(s.X25519MLKEM768), runs: s.X25519MLKEM768 } };
    return { name, handshakesPerSec, hybridOverX25519: handshakesPerSec.X25519MLKEM768.median / handshakesPerSec.x25519.median, handshakeWire: wire[name] as Record<Group, Negotiated['handshakeWire']> };
  });
  return { rows, node26OpenSsl };
}
