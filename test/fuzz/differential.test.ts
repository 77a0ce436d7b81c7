/**
 * Differential fuzzing against OpenSSL 3.0 (libssl through test/oracle/harness.c, compiled at test time):
 * MEMTLS_FUZZ_RUNS generated call sequences and byte-delivery schedules (differential.ts), each run on both,
 * every step compared. Differences already reported as engine bugs (KNOWN in differential.ts, pending in
 * test/robustness/engine-bugs.pending.ts) end a case without failing it; any other difference fails.
 * The OpenSSL side is required (a missing harness fails the suite). Everything runs under TLS 1.3 and again with
 * both implementations pinned to TLS 1.2 (harness.c's `tls1.2` argument, OpenSSL's -tls1_2).
 */
process.env.MEMTLS_INSECURE_TEST_CRYPTO = '1';

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { RUNS, SEED } from './budget.js';
import { checkDifferential, compareTraces, type DiffCase, diffCase, diffCase12, KNOWN, knownSeen, type Oracle, runBoth, sharedOracle } from './differential.js';

describe('fuzz: differential against OpenSSL (test/oracle scenario language)', function () {
  this.timeout(600000);
  let oracle: Oracle | null = null;

  before(() => {
    const o = sharedOracle();
    // The OpenSSL side is required (CI installs cc and libssl-dev): a missing harness is a failure, not a skip.
    if ('skip' in o) throw new Error(`the OpenSSL harness is unavailable: ${o.skip}`);
    oracle = o as Oracle;
  });

  for (const [version, arb] of [
    ['TLS 1.3', diffCase],
    ['TLS 1.2', diffCase12],
  ] as const) {
    it(`${version}: ${RUNS} generated call sequences (mem and BIO-pair transports), every step compared with libssl`, async () => {
      const o = oracle as Oracle;
      knownSeen.clear();
      await fc.assert(
        fc.asyncProperty(arb, (c) => checkDifferential(c, o)),
        { numRuns: RUNS, seed: SEED },
      );
      const known = [...knownSeen].map(([id, n]) => `${id} x${n}`).join(', ');
      console.log(`      ${RUNS} cases; ended at a known difference: ${known || 'none'} (of ${KNOWN.length} known)`);
    });
  }

  /*
   * Differences this fuzzer found, fixed in the engine (commit daf9681); each minimal scenario must now give the
   * same trace on libssl and memtls. Bug numbers are those of the report (docs/robustness.md).
   */
  const fixed: { name: string; transport: DiffCase['transport']; steps: string[] }[] = [
    { name: 'bug 1: a scheduled KeyUpdate goes out in write(0)', transport: 'mem', steps: ['c read 100', 's key_update 0', 's write 0', 's key_update 0'] },
    { name: 'bug 1: a scheduled KeyUpdate goes out in read()', transport: 'mem', steps: ['c read 100', 's key_update 0', 's read 100'] },
    { name: 'bug 1: a scheduled ticket goes out in peek()', transport: 'mem', steps: ['c read 100', 's new_ticket', 's peek 100'] },
    { name: 'bug 5: writing to a shut BIO-pair end is "broken pipe", not WANT_WRITE', transport: [17408, 17408], steps: ['eof s', 'c write 1', 'c write 1', 'c shutdown'] },
    { name: 'bug 6: keyUpdate after a fatal error says "still in init"', transport: 'mem', steps: ['eof s', 's read 100', 's key_update 1'] },
    { name: 'bug 7: EOF with ignore_eof in read() after SENT leaves flags = RECEIVED', transport: 'mem', steps: ['c shutdown', 'deliver c2s all', 'c set_option ignore_eof', 'eof c', 'c read 100'] },
    { name: 'bug 8: doHandshake after the handshake does not flush a pending write', transport: [17408, 4096], steps: ['s write 16385', 'c read 16384', 's handshake'] },
    { name: 'bug 9: a second shorter retry after "bad length" is "bad length" again', transport: [1024, 1024], steps: ['s write 16384', 's write_moved 0', 's write_moved 0'] },
  ];
  // The same scenarios pinned to TLS 1.2: the API calls behave alike there (keyUpdate() and newSessionTicket()
  // refused alike by both).
  for (const sc of fixed) {
    for (const version of ['tls1.3', 'tls1.2'] as const) {
      it(`regression, ${version}, ${sc.name}`, async () => {
        const { openssl, memtls } = await runBoth(oracle as Oracle, { version, transport: sc.transport, steps: sc.steps });
        const d = compareTraces(openssl, memtls);
        assert.equal(d.first, null, d.report);
      });
    }
  }
});
