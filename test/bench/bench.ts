/**
 * `pnpm bench [--quick] [--json]`: memtls against Node's `tls` (issue 7).
 *
 * Same certificate (EC P-256 leaf from the test PKI), same suite (TLS_AES_128_GCM_SHA256), same group
 * (x25519), TLS 1.3 only; every contender's negotiated version, suite and group are checked (both ends, full
 * and resumed) before anything is timed. Each number is the median of several runs, contenders interleaved
 * run by run, with a full GC before each timed run so one contender's garbage is not collected in another's.
 *
 * In memory (one process, no sockets: memtls `Ssl` over a BIO pair, Node's TLSSocket over two wired Duplex
 * streams); memtls runs with three crypto providers (node:crypto, native WebCrypto, @peculiar/webcrypto):
 *  - full handshakes/s: sequential, fresh connection each, certificate verified by the client;
 *  - resumed handshakes/s: TLS 1.3 PSK (with x25519) from a session saved after a clean close; every timed
 *    handshake is checked to be resumed on both ends; only the handshakes are timed (the close is not);
 *  - bulk MB/s (10^6 bytes) on one connection, 16 KiB writes; 100-byte writes/s, one record per write;
 *    every run checks that the reader received exactly the bytes sent (and the bytes at each delivery's ends);
 *  - memory per idle connection pair: 2,000 client+server pairs established and held open, in a fresh
 *    `node --expose-gc` child per sample (so nothing from another contender or from the timed runs is in
 *    it); process.memoryUsage() after full GCs, before and after; the pairs are then closed cleanly, which
 *    proves they were live connections. memtls holds its pairs over MemoryBios here (OpenSSL's memory-BIO
 *    wiring), so the 2 x 64 KiB rings of the throughput runs' BIO pair do not count; MemtlsSocket (memtls
 *    in its Node stream adapter) is measured too, as the layer that compares with Node's TLSSocket.
 * Over loopback TCP (127.0.0.1): @memtls/node `createServer`/`connect` (node:crypto provider by default)
 * against `tls.createServer`/`tls.connect`, one server each: handshakes/s and bulk MB/s.
 * TLS 1.2 rows: memtls (node:crypto) against Node's tls, both ends pinned with minVersion = maxVersion =
 * 'TLSv1.2' and TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (x25519), the negotiated version, suite and group checked on
 * both ends first: full and resumed handshakes/s and bulk MB/s in memory, full handshakes/s and bulk MB/s over TCP.
 *
 * X25519MLKEM768 rows (test/bench/hybrid.ts): full TLS 1.3 handshakes/s in memory with the hybrid post-quantum group
 * beside x25519, for memtls (node:crypto, native WebCrypto) and for Node 26's tls (OpenSSL 3.5, a child process),
 * each checked to negotiate its group first.
 *
 * Browser bundle sizes (packages/websocket/scripts/bundle.mjs, esbuild, minified, gzip level 9): the full bundle
 * (core + websocket, both roles) and a client-only app over the `/client` entries, as `pnpm bundle` prints them.
 *
 * The numbers also go to bench-results.json at the repository root; `--json` prints them instead of the tables.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Contender, GROUP, median, type Negotiated, now, pattern, pool, SUITE, TLS12 } from './common.js';
import { benchPki, CONTENDERS, makeContender, SOCKET_ROW, TLS12_CONTENDERS } from './contenders.js';
import { benchHybrid } from './hybrid.js';
import { type MemorySample, measureMemory, type PerPair, perPair } from './memory.js';
import { type TcpContender, tcpContenders } from './tcp.js';

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
  ? { runs: 3, handshakeSeconds: 0.4, resumedSeconds: 0.4, bulkBytes: 8 * 2 ** 20, smallSeconds: 0.4, memoryRuns: 1, memoryPairs: 400, tcpRuns: 3, tcpHandshakeSeconds: 0.4, tcpBulkBytes: 16 * 2 ** 20 }
  : { runs: 5, handshakeSeconds: 1.5, resumedSeconds: 1.5, bulkBytes: 64 * 2 ** 20, smallSeconds: 1.5, memoryRuns: 3, memoryPairs: 2000, tcpRuns: 5, tcpHandshakeSeconds: 1.5, tcpBulkBytes: 64 * 2 ** 20 };
const BULK_WRITE = 16 * 1024;
const SMALL_WRITE = 100;
/** Handshakes in flight while a memory child opens its pairs. */
const MEMORY_CONCURRENCY = 16;
/** Memory children running at once (each is its own process, so they do not see each other's memory). */
const MEMORY_PARALLEL = 2;

const log = (s: string): void => {
  (asJson ? process.stderr : process.stdout).write(`${s}\n`);
};
const gc = (): void => globalThis.gc?.();

type Metric = 'handshakesPerSec' | 'resumedHandshakesPerSec' | 'bulkMBps' | 'smallWritesPerSec';
const METRICS: Metric[] = ['handshakesPerSec', 'resumedHandshakesPerSec', 'bulkMBps', 'smallWritesPerSec'];
type TcpMetric = 'handshakesPerSec' | 'bulkMBps';
const TCP_METRICS: TcpMetric[] = ['handshakesPerSec', 'bulkMBps'];
type MemMetric = keyof PerPair;
const MEM_METRICS: MemMetric[] = ['rss', 'heapPlusArrayBuffers', 'retainedAfterClose'];

/** Ciphertext bytes per write seen in the last stream run, per contender and message size. */
const wirePerWrite: Record<string, Record<number, number>> = {};

const bulkBytes = (total: number): number => Math.max(BULK_WRITE, Math.round(total / BULK_WRITE) * BULK_WRITE);

async function measure(c: Contender, m: Metric, scale = 1): Promise<number> {
  gc();
  if (m === 'handshakesPerSec' || m === 'resumedHandshakesPerSec') {
    const r = await (m === 'handshakesPerSec' ? c.handshakes(cfg.handshakeSeconds * scale) : c.resumedHandshakes(cfg.resumedSeconds * scale));
    if (r.count === 0) throw new Error(`${c.name}: no handshake completed`);
    return r.count / r.seconds;
  }
  const size = m === 'bulkMBps' ? BULK_WRITE : SMALL_WRITE;
  const r = await (m === 'bulkMBps' ? c.stream({ msg: pattern(size), bytes: bulkBytes(cfg.bulkBytes * scale) }) : c.stream({ msg: pattern(size), seconds: cfg.smallSeconds * scale }));
  wirePerWrite[c.name] ??= {};
  (wirePerWrite[c.name] as Record<number, number>)[size] = r.wireBytes / r.writes;
  return m === 'bulkMBps' ? r.bytes / 1e6 / r.seconds : r.writes / r.seconds;
}

async function measureTcp(c: TcpContender, m: TcpMetric, scale = 1): Promise<number> {
  gc();
  if (m === 'handshakesPerSec') {
    const r = await c.handshakes(cfg.tcpHandshakeSeconds * scale);
    if (r.count === 0) throw new Error(`${c.name}: no handshake completed`);
    return r.count / r.seconds;
  }
  const r = await c.bulk(pattern(BULK_WRITE), bulkBytes(cfg.tcpBulkBytes * scale));
  return r.bytes / 1e6 / r.seconds;
}

/** { median, ratioToNode, runs } for each metric of each row. */
interface Stat {
  median: number;
  ratioToNode: number;
  runs: number[];
}
function stats<M extends string>(rows: string[], metrics: M[], samples: Record<string, Record<M, number[]>>, node: string): Record<string, Record<M, Stat>> {
  const out: Record<string, Record<M, Stat>> = {};
  for (const r of rows) {
    const s = samples[r] as Record<M, number[]>;
    const n = samples[node] as Record<M, number[]>;
    out[r] = Object.fromEntries(metrics.map((m) => [m, { median: median(s[m]), ratioToNode: median(s[m]) / median(n[m]), runs: s[m] }])) as Record<M, Stat>;
  }
  return out;
}

/** Aligned columns: first left-aligned, the rest right-aligned. */
function table(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (r: string[]): string => r.map((x, i) => (i === 0 ? x.padEnd(widths[i] as number) : x.padStart(widths[i] as number))).join('  ');
  log(line(head));
  for (const r of rows) log(line(r));
}
const fmt = (x: number): string => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1));
const kib = (x: number): string => `${(x / 1024).toFixed(1)} KiB`;
const withRatio = (s: Stat, isNode: boolean, f: (x: number) => string = fmt): string => (isNode ? f(s.median) : `${f(s.median)} (${s.ratioToNode.toFixed(2)}x)`);

async function main(): Promise<void> {
  const t0 = now();
  const cpus = os.cpus();
  const machine = { cpu: cpus[0]?.model ?? 'unknown', cpus: cpus.length, node: process.version, openssl: process.versions.openssl, platform: `${process.platform} ${process.arch}`, loadAverage: os.loadavg() };
  log(`machine: ${machine.cpu}, ${machine.cpus} cores, node ${machine.node} (OpenSSL ${machine.openssl}), ${machine.platform}; load average ${machine.loadAverage.map((x) => x.toFixed(2)).join(' ')}`);
  log(
    `plan${quick ? ' (--quick)' : ''}: median of ${cfg.runs} runs; handshakes ${cfg.handshakeSeconds} s, resumed ${cfg.resumedSeconds} s, bulk ${cfg.bulkBytes / 2 ** 20} MiB in ${BULK_WRITE / 1024} KiB writes, ${SMALL_WRITE} B writes ${cfg.smallSeconds} s; ` +
      `memory: ${cfg.memoryPairs} pairs, median of ${cfg.memoryRuns}; TCP: median of ${cfg.tcpRuns}, handshakes ${cfg.tcpHandshakeSeconds} s, bulk ${cfg.tcpBulkBytes / 2 ** 20} MiB`,
  );
  if (!globalThis.gc) log('note: run with node --expose-gc (as `pnpm bench` does) to collect garbage before each timed run');

  const pki = benchPki();
  const contenders: Contender[] = [];
  for (const c of CONTENDERS) contenders.push(await makeContender(c.key, pki));
  const node = contenders[contenders.length - 1] as Contender;
  const names = contenders.map((c) => c.name);

  // ---------------------------------------------------------------- in memory
  // Check what each one negotiates before timing anything.
  const negotiated: Record<string, Negotiated> = {};
  for (const c of contenders) {
    const n = await c.negotiate();
    if (n.version !== 'TLSv1.3' || n.cipher !== SUITE || n.group !== GROUP) throw new Error(`${c.name} negotiated ${JSON.stringify(n)}`);
    negotiated[c.name] = n;
  }
  // Warm up the JIT and the crypto paths (untimed, short).
  for (const c of contenders) for (const m of METRICS) await measure(c, m, 0.1);

  const samples: Record<string, Record<Metric, number[]>> = {};
  for (const c of contenders) samples[c.name] = { handshakesPerSec: [], resumedHandshakesPerSec: [], bulkMBps: [], smallWritesPerSec: [] };
  for (let run = 1; run <= cfg.runs; run++) {
    for (const m of METRICS) for (const c of contenders) (samples[c.name] as Record<Metric, number[]>)[m].push(await measure(c, m));
    log(`  in memory: run ${run}/${cfg.runs} done (${(now() - t0).toFixed(0)} s)`);
  }
  const inMemory = stats(names, METRICS, samples, node.name);

  // ---------------------------------------------------------------- loopback TCP
  const tcp = tcpContenders(pki);
  const tcpList = [tcp.memtls, tcp.node];
  const tcpNegotiated: Record<string, unknown> = {};
  const tcpSamples: Record<string, Record<TcpMetric, number[]>> = {};
  try {
    for (const c of tcpList) {
      await c.start();
      const n = await c.negotiate();
      if (n.version !== 'TLSv1.3' || n.cipher !== SUITE || n.group !== GROUP) throw new Error(`${c.name} over TCP negotiated ${JSON.stringify(n)}`);
      tcpNegotiated[c.name] = n;
      tcpSamples[c.name] = { handshakesPerSec: [], bulkMBps: [] };
    }
    for (const c of tcpList) for (const m of TCP_METRICS) await measureTcp(c, m, 0.1);
    for (let run = 1; run <= cfg.tcpRuns; run++) {
      for (const m of TCP_METRICS) for (const c of tcpList) (tcpSamples[c.name] as Record<TcpMetric, number[]>)[m].push(await measureTcp(c, m));
      log(`  TCP: run ${run}/${cfg.tcpRuns} done (${(now() - t0).toFixed(0)} s)`);
    }
  } finally {
    for (const c of tcpList) await c.stop();
  }
  const tcpStats = stats(
    tcpList.map((c) => c.name),
    TCP_METRICS,
    tcpSamples,
    tcp.node.name,
  );

  // ---------------------------------------------------------------- TLS 1.2: full handshakes and bulk, in memory and over TCP
  const tls12 = await benchTls12(pki, t0);

  // ---------------------------------------------------------------- X25519MLKEM768 beside x25519 (Node 26 as a child)
  const hybrid = await benchHybrid(pki, cfg.runs, cfg.handshakeSeconds, log, t0);

  // ---------------------------------------------------------------- memory per idle pair (child processes)
  const memRows = [...CONTENDERS.slice(0, -1), SOCKET_ROW, ...CONTENDERS.slice(-1)];
  const memRaw: Record<string, MemorySample[]> = {};
  for (const r of memRows) memRaw[r.name] = [];
  for (let run = 1; run <= cfg.memoryRuns; run++) {
    const got = await pool(memRows.length, MEMORY_PARALLEL, (i) => measureMemory((memRows[i] as (typeof memRows)[number]).key, cfg.memoryPairs, MEMORY_CONCURRENCY, pki));
    got.forEach((s, i) => {
      (memRaw[(memRows[i] as (typeof memRows)[number]).name] as MemorySample[]).push(s);
    });
    log(`  memory: run ${run}/${cfg.memoryRuns} done (${(now() - t0).toFixed(0)} s)`);
  }
  const memSamples: Record<string, Record<MemMetric, number[]>> = {};
  for (const r of memRows) {
    const per = (memRaw[r.name] as MemorySample[]).map(perPair);
    memSamples[r.name] = Object.fromEntries(MEM_METRICS.map((m) => [m, per.map((p) => p[m])])) as Record<MemMetric, number[]>;
  }
  const memStats = stats(
    memRows.map((r) => r.name),
    MEM_METRICS,
    memSamples,
    node.name,
  );

  // ---------------------------------------------------------------- tables
  const isNode = (name: string): boolean => name === node.name;
  log('');
  log(`In memory (no sockets), median of ${cfg.runs}; (ratio) = memtls / node tls, higher is better`);
  table(
    ['', 'full handshakes/s', 'resumed handshakes/s', 'bulk MB/s (16 KiB writes)', `${SMALL_WRITE} B writes/s`],
    names.map((n) => [n, ...METRICS.map((m) => withRatio((inMemory[n] as Record<Metric, Stat>)[m], isNode(n)))]),
  );
  log('');
  log(`Memory per idle established connection pair (client + server), ${cfg.memoryPairs} pairs, median of ${cfg.memoryRuns}; (ratio) = memtls / node tls, lower is better`);
  table(
    ['', 'rss', 'heapUsed + arrayBuffers', 'still held after close (heap + ab)'],
    memRows.map((r) => [r.name, ...MEM_METRICS.map((m) => withRatio((memStats[r.name] as Record<MemMetric, Stat>)[m], isNode(r.name), kib))]),
  );
  log('');
  log(`Loopback TCP (127.0.0.1), median of ${cfg.tcpRuns}; (ratio) = memtls / node tls, higher is better`);
  table(
    ['', 'handshakes/s', 'bulk MB/s (16 KiB writes)'],
    tcpList.map((c) => [c.name, ...TCP_METRICS.map((m) => withRatio((tcpStats[c.name] as Record<TcpMetric, Stat>)[m], c === tcp.node))]),
  );
  log('');
  log('Wire bytes (client->server / server->client)');
  table(
    ['', 'full handshake + tickets', 'resumed handshake + tickets', `per ${SMALL_WRITE} B write`],
    names.map((n) => {
      const w = negotiated[n] as Negotiated;
      const small = wirePerWrite[n]?.[SMALL_WRITE];
      return [n, `${w.handshakeWire.clientToServer}/${w.handshakeWire.serverToClient} B`, `${w.resumedWire.clientToServer}/${w.resumedWire.serverToClient} B`, small === undefined ? '?' : `${fmt(small)} B`];
    }),
  );
  log(`(TLSv1.3 ${SUITE} ${GROUP} on both ends of every contender, checked with ssl.group() / getEphemeralKeyInfo(), in memory and over TCP)`);
  log('');
  log(`TLS 1.2 (${TLS12.suite}, ${GROUP}; both ends pinned with minVersion = maxVersion = 'TLSv1.2'), median of ${cfg.runs}; (ratio) = memtls / node tls, higher is better`);
  table(
    ['', 'in memory: full handshakes/s', 'in memory: resumed handshakes/s', 'in memory: bulk MB/s', 'TCP: handshakes/s', 'TCP: bulk MB/s'],
    tls12.names.map((n, i) => {
      const mem = tls12.inMemory[n] as Record<Tls12Metric, Stat>;
      const tcpRow = tls12.tcp[tls12.tcpNames[i] as string] as Record<TcpMetric, Stat>;
      const ref = i === tls12.names.length - 1;
      return [n, withRatio(mem.handshakesPerSec, ref), withRatio(mem.resumedHandshakesPerSec, ref), withRatio(mem.bulkMBps, ref), withRatio(tcpRow.handshakesPerSec, ref), withRatio(tcpRow.bulkMBps, ref)];
    }),
  );

  log('');
  log(`X25519MLKEM768 (hybrid post-quantum) beside x25519: full TLSv1.3 handshakes/s in memory, median of ${cfg.runs}; (ratio) = X25519MLKEM768 / x25519 of the same stack`);
  table(
    ['', 'x25519', 'X25519MLKEM768', 'full handshake bytes x25519', 'full handshake bytes X25519MLKEM768'],
    hybrid.rows.map((r) => [
      r.name,
      fmt(r.handshakesPerSec.x25519.median),
      `${fmt(r.handshakesPerSec.X25519MLKEM768.median)} (${r.hybridOverX25519.toFixed(2)}x)`,
      `${r.handshakeWire.x25519.clientToServer}/${r.handshakeWire.x25519.serverToClient} B`,
      `${r.handshakeWire.X25519MLKEM768.clientToServer}/${r.handshakeWire.X25519MLKEM768.serverToClient} B`,
    ]),
  );
  log(`(memtls: the group checked on both ends with ssl.group(); Node 26 ${hybrid.node26OpenSsl}: getEphemeralKeyInfo() on the client, the group its server's only one)`);

  const bundles = await bundleSizes();
  log('');
  log('Browser bundle, esbuild (esm, platform browser, minified), gzip level 9 (packages/websocket/scripts/bundle.mjs)');
  for (const b of bundles) log(`  ${b.name.padEnd(60)} ${String(b.bytes).padStart(7)} B minified  ${(b.gzip / 1024).toFixed(1).padStart(5)} KiB gzip`);

  const results = contenders.map((c) => ({
    name: c.name,
    negotiated: negotiated[c.name],
    wireBytesPerWrite: wirePerWrite[c.name],
    ...inMemory[c.name],
    memoryPerPair: memStats[c.name],
  }));
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const out = {
    date: new Date().toISOString(),
    quick,
    machine,
    config: { ...cfg, bulkWrite: BULK_WRITE, smallWrite: SMALL_WRITE, suite: SUITE, group: GROUP, memoryConcurrency: MEMORY_CONCURRENCY },
    results,
    memoryOnly: [{ name: SOCKET_ROW.name, memoryPerPair: memStats[SOCKET_ROW.name] }],
    memorySamples: memRaw,
    tcp: tcpList.map((c) => ({ name: c.name, negotiated: tcpNegotiated[c.name], ...tcpStats[c.name] })),
    tls12: {
      suite: TLS12.suite,
      inMemory: tls12.names.map((n) => ({ name: n, negotiated: tls12.negotiated[n], ...tls12.inMemory[n] })),
      tcp: tls12.tcpNames.map((n) => ({ name: n, negotiated: tls12.tcpNegotiated[n], ...tls12.tcp[n] })),
    },
    hybrid: { node26OpenSsl: hybrid.node26OpenSsl, rows: hybrid.rows },
    bundles,
    seconds: now() - t0,
  };
  writeFileSync(join(root, 'bench-results.json'), `${JSON.stringify(out, null, 2)}\n`);
  if (asJson) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  log(`wrote bench-results.json (${(now() - t0).toFixed(0)} s in all)`);
}

/** The two browser bundles of `pnpm bundle`, built from the compiled packages (the bench runs after `tsc -b`). */
async function bundleSizes(): Promise<{ name: string; bytes: number; gzip: number }[]> {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  type Built = { bytes: number; gzip: number };
  const script = pathToFileURL(join(root, 'packages', 'websocket', 'scripts', 'bundle.mjs')).href;
  const m = (await import(script)) as { browserBundle(): Promise<Built>; clientAppBundle(): Promise<Built> };
  const full = await m.browserBundle();
  const client = await m.clientAppBundle();
  return [
    { name: 'full: @memtls/core + @memtls/websocket, every export', bytes: full.bytes, gzip: full.gzip },
    { name: 'client app: @memtls/core/client + @memtls/websocket/client', bytes: client.bytes, gzip: client.gzip },
  ];
}

type Tls12Metric = 'handshakesPerSec' | 'resumedHandshakesPerSec' | 'bulkMBps';
const TLS12_METRICS: Tls12Metric[] = ['handshakesPerSec', 'resumedHandshakesPerSec', 'bulkMBps'];

/**
 * The TLS 1.2 rows: memtls (node:crypto) against Node's tls, both pinned to TLS 1.2 and checked to have
 * negotiated TLSv1.2 with the same suite and group on both ends (in memory and over TCP) before anything is timed.
 */
async function benchTls12(pki: ReturnType<typeof benchPki>, t0: number) {
  const contenders: Contender[] = [];
  for (const k of TLS12_CONTENDERS) contenders.push(await makeContender(k, pki, TLS12));
  const names = contenders.map((c) => c.name);
  const negotiated: Record<string, Negotiated> = {};
  for (const c of contenders) {
    const n = await c.negotiate();
    if (n.version !== 'TLSv1.2' || n.cipher !== TLS12.suite || n.group !== GROUP) throw new Error(`${c.name} (TLS 1.2) negotiated ${JSON.stringify(n)}`);
    negotiated[c.name] = n;
  }
  for (const c of contenders) for (const m of TLS12_METRICS) await measure(c, m, 0.1);
  const samples: Record<string, Record<Tls12Metric, number[]>> = {};
  for (const c of contenders) samples[c.name] = { handshakesPerSec: [], resumedHandshakesPerSec: [], bulkMBps: [] };
  for (let run = 1; run <= cfg.runs; run++) {
    for (const m of TLS12_METRICS) for (const c of contenders) (samples[c.name] as Record<Tls12Metric, number[]>)[m].push(await measure(c, m));
    log(`  TLS 1.2 in memory: run ${run}/${cfg.runs} done (${(now() - t0).toFixed(0)} s)`);
  }
  const tcp = tcpContenders(pki, TLS12);
  const tcpList = [tcp.memtls, tcp.node];
  const tcpNegotiated: Record<string, unknown> = {};
  const tcpSamples: Record<string, Record<TcpMetric, number[]>> = {};
  try {
    for (const c of tcpList) {
      await c.start();
      const n = await c.negotiate();
      if (n.version !== 'TLSv1.2' || n.cipher !== TLS12.suite || n.group !== GROUP) throw new Error(`${c.name} over TCP (TLS 1.2) negotiated ${JSON.stringify(n)}`);
      tcpNegotiated[c.name] = n;
      tcpSamples[c.name] = { handshakesPerSec: [], bulkMBps: [] };
    }
    for (const c of tcpList) for (const m of TCP_METRICS) await measureTcp(c, m, 0.1);
    for (let run = 1; run <= cfg.tcpRuns; run++) {
      for (const m of TCP_METRICS) for (const c of tcpList) (tcpSamples[c.name] as Record<TcpMetric, number[]>)[m].push(await measureTcp(c, m));
      log(`  TLS 1.2 TCP: run ${run}/${cfg.tcpRuns} done (${(now() - t0).toFixed(0)} s)`);
    }
  } finally {
    for (const c of tcpList) await c.stop();
  }
  const tcpNames = tcpList.map((c) => c.name);
  return {
    names,
    negotiated,
    inMemory: stats(names, TLS12_METRICS, samples, names[names.length - 1] as string),
    tcpNames,
    tcpNegotiated,
    tcp: stats(tcpNames, TCP_METRICS, tcpSamples, tcp.node.name),
  };
}

main().catch((e: unknown) => {
  console.error(`bench FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exitCode = 1;
});
