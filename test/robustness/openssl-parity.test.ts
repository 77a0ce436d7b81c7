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
      { name: 'a shorter retry covering the record in flight is not "bad length"', transport: [17408, 1024], steps: ['s write 16385', 's write 16384', 's write 16385'] },
      { name: 'a moved retry is "bad write retry" before "bad length"', transport: [4096, 1024], steps: ['c write 40000', 'c write_moved 16384'] },
      { name: 'read() with a ticket scheduled and a write pending writes nothing', transport: [65536, 1024], steps: ['s write 16385', 's new_ticket', 'c peek 20000', 's read 4096', 's read 4096', 's write 16385'] },
      { name: 'a ticket scheduled with a write pending does not make shutdown "in init"', transport: [65536, 1024], steps: ['s write 16385', 's new_ticket', 's shutdown', 's shutdown'] },
      { name: 'an owed KeyUpdate reply goes before a scheduled ticket in doHandshake', transport: 'mem', steps: ['c read 100', 'c key_update 1', 'c handshake', 'deliver c2s all', 's read 100', 's new_ticket', 's handshake', 's write 0'] },
      { name: 'a write shorter than an unwritten fatal alert is "bad length"; a longer one is not', transport: [1024, 1024], steps: ['eof s', 'eof c', 's read 1', 's write 0', 's write 1', 's write 2', 's write 0'] },
      { name: 'a fatal alert that was written leaves write(0) at the error state', transport: [1024, 1024], steps: ['eof s', 's read 1', 's write 0', 's write 1'] },
      { name: 'after "bad write retry" the pending write still sets the length floor', transport: [1024, 1024], steps: ['c write 16384', 'c write_moved 16384', 'c write 0', 'c write 16384'] },
      { name: 'a KeyUpdate request read after SENT is owed: setShutdown(0) and write(0) send the reply', transport: [1024, 1024], steps: ['s key_update 1', 's peek 1', 'c shutdown', 'c read 1', 'c set_shutdown 0', 'c write 0'] },
      { name: 'after a fatal error newSessionTicket() still counts a request while another waits', transport: [1024, 1024], steps: ['s write_moved 16384', 's new_ticket', 's write 0', 's new_ticket', 's new_ticket'] },
      { name: 'after a fatal error with no ticket waiting newSessionTicket() refuses', transport: [1024, 1024], steps: ['eof s', 's read 1', 's new_ticket'] },
      { name: 'an owed KeyUpdate reply that write() could not send keeps the connection in init', transport: [1024, 1024], steps: ['s key_update 1', 'eof s', 's write 0', 'c peek 1', 'c write 0', 'c shutdown', 'c write 5'] },
      { name: 'an owed KeyUpdate reply goes out before the application data of a write()', transport: [1024, 1024], steps: ['s key_update 1', 's write 0', 'c peek 1', 'c write 3000', 'c write_moved 3000', 's read 4000', 'c write_moved 3000'] },
      { name: 'tickets waiting behind a half-written record make read() of a post-handshake message "bad length"', transport: [1024, 1024], steps: ['s write 16384', 's new_ticket', 'c key_update 0', 'c peek 1', 's read 1', 's write 16384'] },
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
