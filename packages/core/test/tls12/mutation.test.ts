/**
 * Hostile bytes in a TLS 1.2 handshake (memtls <-> memtls in memory): one byte of one flight changed, anywhere.
 * Invariant: every call settles; each end either completes or fails with SSL_ERROR_SSL and a reason (and when it
 * fails on its own, the alert its reason names). Never an exception out of the API, never a hang.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { clientCtx, pair, serverCtx, testPki } from './helpers.js';

const SSL_ERROR_SSL = 1;
const SSL_ERROR_SYSCALL = 5;

describe('TLS 1.2 handshake under byte mutation', () => {
  it('one changed byte in any flight: a clean end on both sides', async function () {
    this.timeout(300_000);
    const pki = testPki();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 3 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        fc.constantFrom('ec-p256', 'rsa', 'ed25519'),
        async (flight, at, xor, mtls, kind) => {
          let n = 0;
          const p = pair(
            clientCtx({ maxVersion: 'TLSv1.2', ...(mtls ? { cert: pki.client.cert, key: pki.client.key } : {}) }),
            serverCtx(kind as 'ec-p256', mtls ? { verifyPeer: true, ca: pki.ca } : {}),
            (_d, b) => {
              if (n++ === flight && b.length > 0) {
                const c = b.slice();
                const i = at % c.length;
                c[i] = (c[i] as number) ^ xor;
                return c;
              }
              return b;
            },
          );
          const r = await p.handshake();
          for (const [side, ret] of [
            [p.client, r.client],
            [p.server, r.server],
          ] as const) {
            if (ret === 1) continue;
            const err = side.getError(ret);
            // A side whose peer failed first may be left waiting for bytes that never come (WANT_READ).
            if (err === 2) continue;
            assert.ok(err === SSL_ERROR_SSL || err === SSL_ERROR_SYSCALL, `getError ${err}`);
            const d = side.lastErrorDetail();
            assert.ok(d, 'a failure has its details');
            assert.ok(side.errorReason(), 'and a reason in words');
            if (d.receivedAlert === null && d.origin !== 'local') assert.notEqual(d.reason, 'INTERNAL_ERROR', `internal error: ${d.detail}`);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
