/**
 * `pnpm bench [--quick] [--json]`: memtls against Node's `tls` on the same in-memory work.
 *
 * Same certificate (EC P-256 leaf from the test PKI), same suite (TLS_AES_128_GCM_SHA256), same group
 * (x25519), TLS 1.3 only, no sockets: memtls over a BIO pair, Node over two wired Duplex streams, in one
 * process. Three measurements, each the median of several runs, contenders interleaved run by run:
 *  - full handshakes per second (sequential, fresh connection each, certificate verified by the client);
 *  - bulk MB/s (10^6 bytes) on one connection, 16 KiB writes;
 *  - 100-byte writes per second on one connection, one record per write.
 * Every run checks that the reader received exactly what was sent (and the bytes at each delivery's ends).
 * memtls runs twice: with the native WebCrypto (`globalThis.crypto`) and with @peculiar/webcrypto.
 * The numbers also go to bench-results.json at the repository root; `--json` prints them instead of the table.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testPki } from '../util/pki.js';
import { type Contender, GROUP, median, type Negotiated, now, pattern, SUITE } from './common.js';
import { memtlsContender } from './memtls-side.js';
import { nodeContender } from './node-side.js';

const args = process.argv.slice(2);
for (const a of args) {
  if (a !== '--quick' && a !== '--json') {
    console.error(`unknown argument ${a}\nusage: bench.js [--quick] [--json]`);
    process.exit(2);
  }
}
const quick = args.includes('--quick');
const asJson = args.includes('--json');
const cfg = quick
  ? { runs: 3, handshakeSeconds: 0.5, bulkBytes: 8 * 2 ** 20, smallSeconds: 0.5 }
  : { runs: 5, handshakeSeconds: 2, bulkBytes: 64 * 2 ** 20, smallSeconds: 2 };
const BULK_WRITE = 16 * 1024;
const SMALL_WRITE = 100;

const log = (s: string): void => {
  (asJson ? process.stderr : process.stdout).write(`${s}\n`);
};

type Metric = 'handshakesPerSec' | 'bulkMBps' | 'smallWritesPerSec';
const METRICS: Metric[] = ['handshakesPerSec', 'bulkMBps', 'smallWritesPerSec'];

/** Ciphertext bytes per write seen in the last stream run, per contender and message size. */
const wirePerWrite: Record<string, Record<number, number>> = {};

async function measure(c: Contender, m: Metric, scale = 1): Promise<number> {
  if (m === 'handshakesPerSec') {
    const r = await c.handshakes(cfg.handshakeSeconds * scale);
    return r.count / r.seconds;
  }
  const size = m === 'bulkMBps' ? BULK_WRITE : SMALL_WRITE;
  const r = await (m === 'bulkMBps'
    ? c.stream({ msg: pattern(size), bytes: Math.max(size, Math.round((cfg.bulkBytes * scale) / size) * size) })
    : c.stream({ msg: pattern(size), seconds: cfg.smallSeconds * scale }));
  wirePerWrite[c.name] ??= {};
  (wirePerWrite[c.name] as Record<number, number>)[size] = r.wireBytes / r.writes;
  return m === 'bulkMBps' ? r.bytes / 1e6 / r.seconds : r.writes / r.seconds;
}

async function main(): Promise<void> {
  const t0 = now();
  const cpus = os.cpus();
  const machine = { cpu: cpus[0]?.model ?? 'unknown', cpus: cpus.length, node: process.version, openssl: process.versions.openssl, platform: `${process.platform} ${process.arch}` };
  log(`machine: ${machine.cpu} x${machine.cpus}, node ${machine.node} (OpenSSL ${machine.openssl}), ${machine.platform}`);
  log(`plan: ${cfg.runs} runs each, median; handshakes for ${cfg.handshakeSeconds} s; bulk ${cfg.bulkBytes / 2 ** 20} MiB in ${BULK_WRITE / 1024} KiB writes; ${SMALL_WRITE} B writes for ${cfg.smallSeconds} s${quick ? ' (--quick)' : ''}`);

  const leaf = testPki().leaves['ec-p256'];
  const pki = { cert: leaf.cert, key: leaf.key, ca: testPki().caCert };
  const peculiar = new (await import('@peculiar/webcrypto')).Crypto() as unknown as Crypto;
  const { createNodeCryptoProvider } = await import('@memtls/node');
  const contenders: Contender[] = [
    memtlsContender('memtls (node:crypto)', pki, createNodeCryptoProvider()),
    memtlsContender('memtls (native WebCrypto)', pki),
    memtlsContender('memtls (@peculiar/webcrypto)', pki, peculiar),
    nodeContender('node tls', pki),
  ];
  const node = contenders[3] as Contender;

  // Check what each one negotiates before timing anything.
  const negotiated: Record<string, Negotiated> = {};
  for (const c of contenders) {
    const n = await c.negotiate();
    if (n.version !== 'TLSv1.3' || n.cipher !== SUITE || (n.group !== null && n.group !== GROUP)) throw new Error(`${c.name} negotiated ${JSON.stringify(n)}`);
    negotiated[c.name] = n;
  }
  // Warm up the JIT and the crypto paths (untimed, short).
  for (const c of contenders) for (const m of METRICS) await measure(c, m, 0.1);

  const samples: Record<string, Record<Metric, number[]>> = {};
  for (const c of contenders) samples[c.name] = { handshakesPerSec: [], bulkMBps: [], smallWritesPerSec: [] };
  for (let run = 1; run <= cfg.runs; run++) {
    for (const m of METRICS) for (const c of contenders) (samples[c.name] as Record<Metric, number[]>)[m].push(await measure(c, m));
    log(`  run ${run}/${cfg.runs} done (${(now() - t0).toFixed(0)} s)`);
  }

  const med = (c: Contender, m: Metric): number => median((samples[c.name] as Record<Metric, number[]>)[m]);
  const results = contenders.map((c) => ({
    name: c.name,
    negotiated: negotiated[c.name],
    wireBytesPerWrite: wirePerWrite[c.name],
    ...Object.fromEntries(METRICS.map((m) => [m, { median: med(c, m), ratioToNode: med(c, m) / med(node, m), runs: (samples[c.name] as Record<Metric, number[]>)[m] }])),
  }));

  // The table: one row per contender; each memtls cell carries its ratio to Node (memtls / node).
  const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  const cell = (c: Contender, m: Metric): string => (c === node ? fmt(med(c, m)) : `${fmt(med(c, m))} (${(med(c, m) / med(node, m)).toFixed(3)}x)`);
  const head = ['', 'handshakes/s', 'bulk MB/s', `${SMALL_WRITE} B writes/s`, 'wire per handshake c->s/s->c', `wire per ${SMALL_WRITE} B write`];
  const rows = contenders.map((c) => {
    const w = negotiated[c.name]?.handshakeWire;
    const small = wirePerWrite[c.name]?.[SMALL_WRITE];
    return [c.name, ...METRICS.map((m) => cell(c, m)), w ? `${w.clientToServer}/${w.serverToClient} B` : '?', small === undefined ? '?' : `${fmt(small)} B`];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (r: string[]): string => r.map((x, i) => (i === 0 ? x.padEnd(widths[i] as number) : x.padStart(widths[i] as number))).join('  ');
  log('');
  log(line(head));
  for (const r of rows) log(line(r));
  log(`(median of ${cfg.runs}; ratio = memtls / node tls; TLSv1.3 ${SUITE} ${GROUP}; memtls has no group getter, x25519 is the only group both contexts allow)`);

  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const out = { date: new Date().toISOString(), quick, machine, config: { ...cfg, bulkWrite: BULK_WRITE, smallWrite: SMALL_WRITE, suite: SUITE, group: GROUP }, results, seconds: now() - t0 };
  writeFileSync(join(root, 'bench-results.json'), `${JSON.stringify(out, null, 2)}\n`);
  if (asJson) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  log(`wrote bench-results.json (${(now() - t0).toFixed(0)} s in all)`);
}

main().catch((e: unknown) => {
  console.error(`bench FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exitCode = 1;
});
