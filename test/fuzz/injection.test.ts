/**
 * Handshake message injection (targets.ts `injection`): every defined handshake type at every message
 * boundary of both roles' incoming streams (plain, HelloRetryRequest and client-certificate handshakes),
 * sealed under the current key with the null provider; then MEMTLS_FUZZ_RUNS random cases over all 256 types.
 * RFC 8446 §4: a type that may not come in that state gets unexpected_message.
 */
process.env.MEMTLS_INSECURE_TEST_CRYPTO = '1';

import { strict as assert } from 'node:assert';
import { checkInjection, incomingTypes } from './targets.js';
import { assertTarget, RUNS } from './budget.js';
import { DEFINED_HANDSHAKE_TYPES } from './wire.js';

describe('fuzz: handshake messages injected in every state', function () {
  this.timeout(600000);

  for (const victim of ['client', 'server'] as const) {
    for (const cfg of [
      { hrr: false, clientAuth: false },
      { hrr: true, clientAuth: false },
      { hrr: false, clientAuth: true },
    ]) {
      it(`${victim}${cfg.hrr ? ', HelloRetryRequest' : ''}${cfg.clientAuth ? ', client certificate' : ''}: ${DEFINED_HANDSHAKE_TYPES.length} defined types x every boundary`, async () => {
        const types = await incomingTypes(victim, cfg.hrr, cfg.clientAuth);
        const problems: string[] = [];
        const states = new Map<string, { allowed: number; refused: number }>();
        for (let k = 0; k <= types.length; k++) {
          for (const type of DEFINED_HANDSHAKE_TYPES) {
            for (const body of ['', '00', '0102030405060708090a0b0c0d0e0f10']) {
              try {
                const r = await checkInjection({ victim, ...cfg, boundary: k, type, body });
                const s = states.get(r.state) ?? { allowed: 0, refused: 0 };
                if (r.allowed) s.allowed++;
                else s.refused++;
                states.set(r.state, s);
              } catch (e) {
                problems.push((e as Error).message);
              }
            }
          }
        }
        assert.deepEqual(problems, []);
        assert.ok(states.size >= 3, `states reached: ${[...states.keys()].join(', ')}`);
      });
    }
  }

  it(`random: ${RUNS} cases over all 256 types, any boundary, any configuration`, () => assertTarget('injection'));
});
