/**
 * Handshake message injection (targets.ts `injection`): every defined handshake type at every message
 * boundary of both roles' incoming streams (plain, HelloRetryRequest, client-certificate, resumed and external-PSK
 * handshakes),
 * sealed under the current key with the null provider; then MEMTLS_FUZZ_RUNS random cases over all 256 types.
 * RFC 8446 §4: a type that may not come in that state gets unexpected_message.
 *
 * TLS 1.2 (`injection-tls12`, both ends pinned): the same at every position of the TLS 1.2 streams (each
 * handshake message and the ChangeCipherSpec), every defined type plus a ChangeCipherSpec record, in the plain
 * and the client-certificate handshake; RFC 5246 §7.3/§7.4 (stateAt12): unexpected_message out of order, a
 * HelloRequest ignored by a client anywhere (§7.4.1.1), a second or early CCS unexpected_message (§7.1).
 */
process.env.MEMTLS_INSECURE_TEST_CRYPTO = '1';

import { strict as assert } from 'node:assert';
import { AL, CT, concat, DEFINED_HANDSHAKE_TYPES, HT, toUnits } from '@memtls/fast-check';
import { assertTarget, RUNS } from './budget.js';
import { cleanSuccess, describe as describeOutcome } from './kit.js';
import { CCS_INJECT, checkInjection, incomingTypes, pattern, runAtBoundary } from './targets.js';

describe('fuzz: handshake messages injected in every state', function () {
  this.timeout(600000);

  for (const victim of ['client', 'server'] as const) {
    for (const cfg of [
      { hrr: false, clientAuth: false },
      { hrr: true, clientAuth: false },
      { hrr: false, clientAuth: true },
      { hrr: false, clientAuth: false, resume: true },
      { hrr: false, clientAuth: false, psk: true },
      { hrr: true, clientAuth: true, psk: true },
    ]) {
      it(`${victim}${cfg.hrr ? ', HelloRetryRequest' : ''}${cfg.clientAuth ? ', client certificate' : ''}${cfg.resume ? ', resumed (PSK)' : ''}${cfg.psk ? ', external PSK' : ''}: ${DEFINED_HANDSHAKE_TYPES.length} defined types x every boundary`, async () => {
        const types = await incomingTypes(victim, cfg.hrr, cfg.clientAuth, undefined, cfg.resume === true, cfg.psk === true);
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

describe('fuzz: TLS 1.2 handshake messages and ChangeCipherSpec injected in every state', function () {
  this.timeout(600000);
  const EXPECTED_STATES = {
    client: ['expect-server-hello', 'expect-certificate', 'expect-server-key-exchange', 'expect-certificate-request-or-server-hello-done', 'expect-new-session-ticket', 'expect-change-cipher-spec', 'expect-finished', 'connected'],
    server: ['expect-client-hello', 'expect-client-key-exchange', 'expect-change-cipher-spec', 'expect-finished', 'connected'],
  };
  const AUTH_STATES = { client: ['expect-server-hello-done'], server: ['expect-certificate', 'expect-certificate-verify'] };

  for (const victim of ['client', 'server'] as const) {
    for (const clientAuth of [false, true]) {
      it(`${victim}${clientAuth ? ', client certificate' : ''}: ${DEFINED_HANDSHAKE_TYPES.length} defined types and a CCS x every position`, async () => {
        const types = await incomingTypes(victim, false, clientAuth, 'tls1.2');
        const problems: string[] = [];
        const states = new Set<string>();
        for (let k = 0; k <= types.length; k++) {
          for (const type of [...DEFINED_HANDSHAKE_TYPES, CCS_INJECT]) {
            for (const body of type === CCS_INJECT ? [''] : ['', '00', '0102030405060708090a0b0c0d0e0f10']) {
              try {
                const r = await checkInjection({ version: 'tls1.2', victim, hrr: false, clientAuth, boundary: k, type, body });
                states.add(r.state);
              } catch (e) {
                problems.push((e as Error).message);
              }
            }
          }
        }
        assert.deepEqual(problems, []);
        const want = [...EXPECTED_STATES[victim], ...(clientAuth ? AUTH_STATES[victim] : [])].sort();
        assert.deepEqual([...states].sort(), want);
      });
    }
  }

  // "Ignored" means nothing changes: with the rest of the stream delivered behind it, a HelloRequest at any
  // position of the client's stream leaves the whole run (handshake, data both ways, close) as without it.
  // Position 0 is before ServerHello: ignored too, as OpenSSL does (packages/core/test/tls12/negotiation.test.ts).
  for (const clientAuth of [false, true]) {
    it(`client${clientAuth ? ', client certificate' : ''}: a HelloRequest at every position, before ServerHello included, is ignored (RFC 5246 §7.4.1.1)`, async () => {
      const types = await incomingTypes('client', false, clientAuth, 'tls1.2');
      for (let k = 0; k <= types.length; k++) {
        const r = await runAtBoundary({
          version: 'tls1.2',
          victim: 'client',
          clientAuth,
          boundary: k,
          keepRest: true,
          make: (sealed, v12) => [{ kind: 'msg', sealed, v12, group: 1e9, msg: { type: HT.HELLO_REQUEST, body: new Uint8Array(0) } }],
        });
        assert.deepEqual(r.out.violations, [], `position ${k} (${r.state})`);
        assert.ok(cleanSuccess(r.out, pattern(100, 1), pattern(100, 2)), `position ${k} (${r.state}): the run changed`);
      }
    });
  }

  // Renegotiation refused (RFC 5746 §4.4 / RFC 5246 §7.2.2, as OpenSSL 3.0 with SSL_OP_NO_RENEGOTIATION): a ClientHello
  // after the handshake gets a no_renegotiation warning and the server carries on to a clean close.
  for (const clientAuth of [false, true]) {
    it(`server${clientAuth ? ', client certificate' : ''}: a ClientHello after the handshake gets a no_renegotiation warning, the server goes on`, async () => {
      const types = await incomingTypes('server', false, clientAuth, 'tls1.2');
      const r = await runAtBoundary({
        version: 'tls1.2',
        victim: 'server',
        clientAuth,
        boundary: types.length,
        keepRest: true,
        make: (sealed, v12) => [{ kind: 'msg', sealed, v12, group: 1e9, msg: { type: HT.CLIENT_HELLO, body: new Uint8Array(0) } }],
      });
      assert.deepEqual(r.out.violations, []);
      assert.equal(r.out.server.phase, 'done', describeOutcome(r.out));
      const alerts = toUnits(concat(...r.out.server.written)).units.filter((u) => u.type === CT.ALERT && !u.opaque).map((u) => [...u.content]);
      assert.deepEqual(alerts[0], [1, AL.NO_RENEGOTIATION], `the server's alerts: ${JSON.stringify(alerts)}`);
      assert.deepEqual(Uint8Array.from(r.out.server.received), pattern(100, 1), 'the client data arrived whole');
    });
  }

  it(`random: ${RUNS} cases over all 256 types and CCS, any position, either role`, () => assertTarget('injection-tls12'));
});
