/**
 * Mutation fuzzing in CI (targets.ts: `mutation`, `benign`, `mutation-pq` (X25519MLKEM768), the same pinned to TLS 1.2:
 * `mutation-tls12`, `benign-tls12`, with an external PSK on both ends: `mutation-psk`, `benign-psk`, and as a 0-RTT
 * resumption: `mutation-early-data`, `benign-early-data`): MEMTLS_FUZZ_RUNS cases each (default 150), from MEMTLS_FUZZ_SEED (default fixed, so CI is
 * reproducible). `pnpm fuzz` runs the same targets for minutes.
 */
process.env.MEMTLS_INSECURE_TEST_CRYPTO = '1';

import { assertTarget, RUNS } from './budget.js';

describe('fuzz: mutated flights (fast-check)', function () {
  this.timeout(600000);
  it(`mutation: ${RUNS} cases of record- and message-level mutations, both roles, both providers`, () => assertTarget('mutation'));
  it(`benign: ${RUNS} cases of record re-cutting that must not change the result`, () => assertTarget('benign'));
  const pqRuns = Math.max(10, Math.round(RUNS / 5));
  it(`mutation-pq: ${pqRuns} cases with X25519MLKEM768 (hybrid shares, HelloRetryRequest for it)`, () => assertTarget('mutation-pq', pqRuns));
});

describe('fuzz: mutated flights of an external-PSK handshake (fast-check)', function () {
  this.timeout(600000);
  it(`mutation-psk: ${RUNS} cases of record- and message-level mutations, both roles, both providers`, () => assertTarget('mutation-psk'));
  it(`benign-psk: ${RUNS} cases of record re-cutting that must not change the result`, () => assertTarget('benign-psk'));
  it(`mutation-early-data: ${RUNS} cases of mutations of a 0-RTT resumption (early data, EndOfEarlyData), both roles`, () => assertTarget('mutation-early-data'));
  it(`benign-early-data: ${RUNS} cases of record re-cutting of a 0-RTT resumption that must not change the result`, () => assertTarget('benign-early-data'));
});

describe('fuzz: mutated flights, TLS 1.2 on both ends (fast-check)', function () {
  this.timeout(600000);
  it(`mutation-tls12: ${RUNS} cases of record- and message-level mutations, both roles, both providers`, () => assertTarget('mutation-tls12'));
  it(`benign-tls12: ${RUNS} cases of record re-cutting (sealed records re-sealed in sequence) that must not change the result`, () =>
    assertTarget('benign-tls12'));
});
