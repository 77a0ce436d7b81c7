/**
 * `pnpm fuzz`: loop the fuzz targets (targets.ts) with fast-check for a time budget.
 *
 *   pnpm fuzz [--seed N] [--minutes M] [--target mutation,benign,injection] [--runs N] [--load]
 *
 * Targets (targets.ts TARGETS): mutation, benign, injection, differential (TLS 1.3), mutation-pq (X25519MLKEM768), and
 * the same four pinned to TLS 1.2,
 * mutation-tls12, benign-tls12, injection-tls12, differential-tls12; all of them by default.
 * The budget is shared by the targets in slices of at most 30 s; each slice is one `fc.check` with its own
 * seed (derived from --seed and the round), so a long run covers many seeds and carries on after a counterexample. Every counterexample is
 * printed and written to test/fuzz/corpus/<target>/<seed>-<n>.json, which regressions.test.ts replays on
 * every `pnpm test`: a case that shows an engine bug is moved to test/fuzz/corpus/pending/<target>/ (replayed by
 * test/robustness/engine-bugs.pending.ts) until the engine is fixed. Exit status 1 when anything was found.
 * `--load` also runs the full 10,000-connection load test afterwards (as `pnpm load`).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TARGETS } from './targets.js';

const here = dirname(fileURLToPath(import.meta.url));
/** test/fuzz/corpus, seen from test/dist/fuzz/run.js. */
export const CORPUS = resolve(here, '..', '..', 'fuzz', 'corpus');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`--${name} needs a value`);
  return v;
}

async function main(): Promise<number> {
  const seed = Number(arg('seed') ?? (Date.now() % 2 ** 31));
  const minutes = Number(arg('minutes') ?? 1);
  const maxRuns = arg('runs') === undefined ? Number.POSITIVE_INFINITY : Number(arg('runs'));
  const names = (arg('target') ?? TARGETS.map((t) => t.name).join(',')).split(',');
  const targets = TARGETS.filter((t) => names.includes(t.name));
  if (!Number.isInteger(seed) || !(minutes > 0) || targets.length === 0) {
    console.error('usage: pnpm fuzz [--seed N] [--minutes M] [--target name,...] [--runs N] [--load]');
    return 2;
  }
  console.log(`fuzz: seed ${seed}, ${minutes} min, targets ${targets.map((t) => t.name).join(', ')} (repeat with --seed ${seed})`);
  const deadline = Date.now() + minutes * 60000;
  const runs = new Map<string, number>(targets.map((t) => [t.name, 0]));
  const found: string[] = [];
  const seen = new Set<string>();
  let round = 0;
  while (Date.now() < deadline) {
    for (const t of targets) {
      const left = deadline - Date.now();
      const done = runs.get(t.name) ?? 0;
      if (left <= 0 || done >= maxRuns) continue;
      // Each slice's seed is derived from the run's seed and the round, so runs with nearby seeds do not
      // replay each other's slices (seed + round did: --seed 20261124 and 20261125 shared most of them).
      const s = roundSeed(seed, round);
      const slice = Math.min(30000, Math.max(1000, left / targets.length));
      const r = await t.run({ seed: s, numRuns: Math.min(1e9, maxRuns - done), interruptAfterTimeLimit: slice, markInterruptAsFailure: false });
      runs.set(t.name, done + r.numRuns);
      if (r.failed && r.counterexample) {
        const c = r.counterexample[0];
        const key = `${t.name}:${JSON.stringify(c)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const dir = join(CORPUS, t.name);
        mkdirSync(dir, { recursive: true });
        // Never overwrite a kept counterexample (an earlier run may have found one under the same name).
        let n = found.length;
        while (existsSync(join(dir, `${s}-${n}.json`))) n++;
        const file = join(dir, `${s}-${n}.json`);
        const msg = r.errorInstance instanceof Error ? r.errorInstance.message : String(r.errorInstance);
        writeFileSync(file, `${JSON.stringify({ target: t.name, seed: s, path: r.counterexamplePath, case: c, error: msg.split('\n').slice(0, 8) }, null, 2)}\n`);
        found.push(file);
        console.log(`\n[${t.name}] COUNTEREXAMPLE (seed ${s}, path ${r.counterexamplePath}) -> ${file}\n${msg}\n`);
      }
    }
    round++;
    if ([...runs.values()].every((n) => n >= maxRuns)) break;
  }
  let total = 0;
  for (const [name, n] of runs) {
    total += n;
    console.log(`fuzz: ${name}: ${n} cases`);
  }
  console.log(`fuzz: ${total} cases in all, ${found.length} counterexample(s)${found.length ? `:\n  ${found.join('\n  ')}` : ''}`);
  if (process.argv.includes('--load')) {
    const { runLoad } = await import('../robustness/load-run.js');
    await runLoad({ connections: Number(process.env.MEMTLS_LOAD_N ?? 10000) });
  }
  return found.length ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e);
    process.exitCode = 2;
  },
);

/** The seed of round `round` of a run with seed `seed`: a 31-bit mix, reproducible, spread across runs. */
function roundSeed(seed: number, round: number): number {
  let h = (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(round + 1, 0x85ebca6b)) | 0;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h ^= h >>> 13;
  return h & 0x7fffffff;
}
