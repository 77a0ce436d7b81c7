/**
 * Mutation fuzzing in CI (targets.ts: `mutation`, `benign`): MEMTLS_FUZZ_RUNS cases each (default 150), from
 * MEMTLS_FUZZ_SEED (default fixed, so CI is reproducible). `pnpm fuzz` runs the same targets for minutes.
 */
process.env.MEMTLS_INSECURE_TEST_CRYPTO = '1';

import { assertTarget, RUNS } from './budget.js';

describe('fuzz: mutated flights (fast-check)', function () {
  this.timeout(600000);
  it(`mutation: ${RUNS} cases of record- and message-level mutations, both roles, both providers`, () => assertTarget('mutation'));
  it(`benign: ${RUNS} cases of record re-cutting that must not change the result`, () => assertTarget('benign'));
});
