/**
 * The loopback TCP rows alone (issue 16): `node --expose-gc test/dist/bench/tcp-only.js [runs] [--memtls-only]`.
 * Alternates memtls and Node's tls in each run (same-run ratios on a shared machine) and prints medians;
 * `--memtls-only` runs only memtls (for profiles: `--cpu-prof`, callgrind) and `--bulk`/`--hs` one metric.
 * Environment: TCP_BULK_MIB (32), TCP_HS_SECONDS (1), TCP_WARM_MIB (0: an untimed bulk transfer first),
 * TCP_WRITE_KIB (16: the size of each application write), TCP_WARM_HS_SECONDS (0: untimed handshakes first).
 */
import { pattern } from './common.js';
import { benchPki } from './contenders.js';
import { type TcpContender, tcpContenders } from './tcp.js';

const args = process.argv.slice(2);
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 5);
const memtlsOnly = args.includes('--memtls-only');
const metrics = args.includes('--bulk') ? ['bulk'] : args.includes('--hs') ? ['hs'] : ['hs', 'bulk'];
const BULK_WRITE = Number(process.env.TCP_WRITE_KIB ?? 16) * 1024;
const BULK_BYTES = Number(process.env.TCP_BULK_MIB ?? 32) * 2 ** 20;
const HS_SECONDS = Number(process.env.TCP_HS_SECONDS ?? 1);
/** Untimed bulk MiB first (callgrind: the JIT warm-up is then the same in two runs whose difference is measured). */
const WARM_MIB = Number(process.env.TCP_WARM_MIB ?? 0);
/** Untimed handshakes first, for about this many seconds (callgrind, as TCP_WARM_MIB). */
const WARM_HS_SECONDS = Number(process.env.TCP_WARM_HS_SECONDS ?? 0);
const counts: Record<string, number> = {};

/** CPU time (user + system, both ends: one process) per handshake or per MiB, in microseconds. */
const cpu: Record<string, number[]> = {};
const samples: Record<string, number[]> = {};
function add(to: Record<string, number[]>, key: string, v: number): void {
  const list = to[key] ?? [];
  list.push(v);
  to[key] = list;
}

async function one(c: TcpContender, m: string): Promise<number> {
  globalThis.gc?.();
  const u0 = process.cpuUsage();
  if (m === 'hs') {
    const r = await c.handshakes(HS_SECONDS);
    const u = process.cpuUsage(u0);
    counts[c.name] = (counts[c.name] ?? 0) + r.count;
    add(cpu, `${c.name} ${m}`, (u.user + u.system) / r.count);
    return r.count / r.seconds;
  }
  const r = await c.bulk(pattern(BULK_WRITE), BULK_BYTES);
  const u = process.cpuUsage(u0);
  add(cpu, `${c.name} ${m}`, (u.user + u.system) / (r.bytes / 2 ** 20));
  return r.bytes / 1e6 / r.seconds;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

const { memtls, node } = tcpContenders(benchPki());
const list = memtlsOnly ? [memtls] : [memtls, node];
for (const c of list) await c.start();
for (const c of list) await c.negotiate();
if (WARM_MIB > 0) for (const c of list) await c.bulk(pattern(BULK_WRITE), WARM_MIB * 2 ** 20);
if (WARM_HS_SECONDS > 0) for (const c of list) console.log(`  warm-up handshakes, ${c.name}: ${(await c.handshakes(WARM_HS_SECONDS)).count}`);
for (let run = 0; run < runs; run++) {
  for (const m of metrics) {
    for (const c of list) {
      add(samples, `${c.name} ${m}`, await one(c, m));
    }
  }
}
for (const c of list) await c.stop();
for (const m of metrics) {
  const a = median(samples[`${memtls.name} ${m}`] as number[]);
  const unit = m === 'hs' ? 'handshakes/s' : 'MB/s';
  const per = m === 'hs' ? 'handshake' : 'MiB';
  if (m === 'hs') console.log(`  handshakes timed: ${JSON.stringify(counts)}`);
  for (const c of list) console.log(`  ${c.name}: CPU ${median(cpu[`${c.name} ${m}`] as number[]).toFixed(0)} us per ${per} (both ends)`);
  if (memtlsOnly) console.log(`${m}: memtls ${a.toFixed(1)} ${unit}`);
  else {
    const b = median(samples[`${node.name} ${m}`] as number[]);
    const ratios = (samples[`${memtls.name} ${m}`] as number[]).map((x, i) => (x / (samples[`${node.name} ${m}`] as number[])[i]!).toFixed(2));
    console.log(`${m}: memtls ${a.toFixed(1)} node ${b.toFixed(1)} ${unit}  ratio ${(a / b).toFixed(2)} (per run ${ratios.join(' ')})`);
  }
}
