/** The CI budget of the fuzz tests: MEMTLS_FUZZ_RUNS cases per target (default 150) from MEMTLS_FUZZ_SEED. */
import fc from 'fast-check';
import { TARGETS } from './targets.js';

export const RUNS = Number(process.env.MEMTLS_FUZZ_RUNS ?? 150);
export const SEED = Number(process.env.MEMTLS_FUZZ_SEED ?? 20261124);

/** fc.assert over one target, with the error of the shrunk counterexample and how to replay it. */
export async function assertTarget(name: string, runs = RUNS, seed = SEED): Promise<void> {
  const t = TARGETS.find((x) => x.name === name);
  if (!t) throw new Error(`no target ${name}`);
  const r = await t.run({ numRuns: runs, seed });
  if (r.failed) {
    const msg = r.errorInstance instanceof Error ? r.errorInstance.message : String(r.errorInstance);
    throw new Error(`${fc.defaultReportMessage(r)}\n${msg}\n(replay: pnpm fuzz --target ${name} --seed ${seed}; every counterexample belongs in test/fuzz/corpus/)`);
  }
}
