/**
 * Behaviours where memtls once differed from OpenSSL 3.0 (found by the robustness fuzzers, fixed since): each
 * scenario runs on libssl through test/oracle/harness.c and on memtls, and the traces must be equal.
 */
process.env.MEMTLS_INSECURE_TEST_CRYPTO = '1';

import { strict as assert } from 'node:assert';
import { compareTraces, type DiffCase, type Oracle, runBoth, sharedOracle } from '../fuzz/differential.js';

describe('OpenSSL parity: regressions from the fuzzers', function () {
  this.timeout(120000);
  const scenarios: { name: string; transport: DiffCase['transport']; steps: string[] }[] = [
      { name: 'an owed KeyUpdate reply goes out in write(0)', transport: 'mem', steps: ['c read 100', 's key_update 1', 's handshake', 'deliver s2c all', 'c read 3', 'c write 0'] },
      { name: 'shutdown to a shut BIO-pair end is "broken pipe"', transport: [1024, 1024], steps: ['eof c', 's shutdown', 's shutdown'] },
      { name: 'read() flushing a KeyUpdate to a shut BIO-pair end is "broken pipe"', transport: [65536, 4096], steps: ['eof s', 'c key_update 0', 'c read 3'] },
      { name: 'a fatal error does not complete a half-written data record', transport: [1024, 1024], steps: ['s write 16384', 'c peek 3', 'eof s', 's read 3', 's write 16384'] },
      { name: 'the second shutdown() meeting a fatal alert returns 1', transport: 'mem', steps: ['c read 100', 'c shutdown', 'eof s', 's read 3', 'deliver s2c all', 'c shutdown', 'c shutdown'] },
  ];
  for (const sc of scenarios) {
    it(sc.name, async () => {
      const o = sharedOracle();
      assert.ok(!('skip' in o), 'the OpenSSL harness must build (cc, libssl-dev)');
      const { openssl, memtls } = await runBoth(o as Oracle, { transport: sc.transport, steps: sc.steps });
      const d = compareTraces(openssl, memtls);
      assert.equal(d.first, null, d.report);
    });
  }
});
