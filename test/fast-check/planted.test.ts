/**
 * Planted defects are found and shrunk: Node's tls server behind a small Duplex wrapper of the test's own
 * (endpoints.ts) that hangs on a record split at a particular byte, crashes on a ClientHello carrying a GREASE
 * extension, or hands the application plaintext of a record whose GCM tag is bad. Each property fails (fixed
 * seeds, bounded runs) and fast-check's shrunk counterexample is the one mutation that matters.
 */
import assert from 'node:assert/strict';
import { SslContext } from '@memtls/core';
import { clientHello, encodeHello, GREASE_VALUES, type Hello, handshakeRecords, type MutationPlan, mutationPlan } from '@memtls/fast-check';
import { drive, formatResult } from '@memtls/fast-check/node';
import fc from 'fast-check';
import { testPki } from '../util/pki.js';
import { crashesOnGreaseExtension, hangsOnShortHandshakeRecord, leaksPlaintextBeforeTagCheck, type nodeTlsEcho } from './endpoints.js';

const client = (): SslContext => new SslContext({ role: 'client', ca: testPki().caCert, cipherSuites: ['TLS_AES_128_GCM_SHA256'] });

/** fc.check's result, asserted failed, with the shrunk counterexample. */
async function counterexample<T>(arb: fc.Arbitrary<T>, prop: (t: T) => Promise<void>, seed: number, numRuns: number): Promise<{ value: T; message: string }> {
  const r = await fc.check(fc.asyncProperty(arb, prop), { seed, numRuns });
  assert.ok(r.failed, `the property held for ${r.numRuns} runs: the planted defect was not found`);
  const value = (r.counterexample as [T])[0];
  return { value, message: r.errorInstance instanceof Error ? r.errorInstance.message : String(r.errorInstance) };
}

describe('@memtls/fast-check: planted defects are found and shrunk', function () {
  this.timeout(180000);

  it('the endpoints are correct without the trigger (a clean run completes through each wrapper)', async () => {
    for (const serve of [hangsOnShortHandshakeRecord, crashesOnGreaseExtension, (s: Parameters<typeof nodeTlsEcho>[0]) => leaksPlaintextBeforeTagCheck(s, () => {})]) {
      const r = await drive({ endpoint: { serve }, context: client(), quietMs: 30 });
      assert.equal(r.verdict.kind, 'completed', formatResult(r));
    }
  });

  it('"never hangs": a hang on a handshake record cut inside its 4-byte header shrinks to one split of record 0', async () => {
    const plans = mutationPlan({ dirs: ['c2s'], maxFlight: 0, families: ['record'] });
    const { value, message } = await counterexample(
      plans,
      async (plan: MutationPlan) => {
        const r = await drive({ endpoint: { serve: hangsOnShortHandshakeRecord }, context: client(), plan, quietMs: 20, budgetMs: 400 });
        if (r.verdict.kind === 'hang') throw new Error(formatResult(r, 64));
      },
      1,
      150,
    );
    assert.equal(value.ops.length, 1, JSON.stringify(value));
    const op = value.ops[0] as MutationPlan['ops'][number];
    assert.equal(op.op, 'split', JSON.stringify(value));
    assert.match(message, /verdict: hang/);
    assert.match(message, /1\. split record \d+ at/);
  });

  it('"the endpoint never throws": a crash on a GREASE extension shrinks to a ClientHello with that one extension added', async () => {
    const { value, message } = await counterexample(
      clientHello({ version: 'tls1.3' }),
      async (h: Hello) => {
        const r = await drive({
          endpoint: { serve: crashesOnGreaseExtension },
          context: client(),
          quietMs: 20,
          budgetMs: 1000,
          filter: (_d, n, b) => (n === 0 ? handshakeRecords(encodeHello(h, true)) : b),
        });
        if (r.verdict.kind === 'exception') throw new Error(formatResult(r, 64));
      },
      2,
      60,
    );
    const grease = value.extensions.filter((e) => GREASE_VALUES.includes(e.type));
    assert.equal(grease.length, 1, JSON.stringify(value.extensions.map((e) => e.type)));
    // Shrunk: nothing optional is left but the GREASE extension (no server_name, ALPN or unknown extension).
    assert.deepEqual(value.extensions.map((e) => e.type).filter((t) => !GREASE_VALUES.includes(t)).sort((a, b) => a - b), [10, 13, 43, 45, 51]);
    assert.ok((grease[0]?.data.length ?? 9) <= 1, 'its data shrunk to at most one byte');
    assert.match(message, /exception in the endpoint: Error: wrapper: unknown extension type 0x[0-9a-f]a[0-9a-f]a/);
  });

  it('"no plaintext reaches the application after a bad record": a tap that skips the tag check shrinks to one record mutation', async () => {
    const payload = new TextEncoder().encode('PAY:0123456789abcdef');
    // The payload is the client's flight 2 (0: ClientHello, 1: CCS and Finished); the plan aims at it.
    const plans = mutationPlan({ dirs: ['c2s'], minFlight: 2, maxFlight: 2, families: ['record'] });
    const { value, message } = await counterexample(
      plans,
      async (plan: MutationPlan) => {
        const got: Uint8Array[] = [];
        const r = await drive({ endpoint: { serve: (s) => leaksPlaintextBeforeTagCheck(s, (p) => got.push(p)) }, context: client(), plan, payload, quietMs: 20, budgetMs: 1000 });
        const app = Buffer.concat(got);
        if (!Buffer.from(payload).subarray(0, app.length).equals(app)) throw new Error(`the application got ${app.toString('hex')}, not sent by the client\n${formatResult(r, 64)}`);
      },
      3,
      100,
    );
    assert.equal(value.ops.length, 1, JSON.stringify(value));
    // A changed byte, or a record the tap decrypts under the wrong sequence number (dropped, duplicated, re-cut).
    assert.ok(['flip', 'insert', 'truncate', 'dup', 'drop', 'swap', 'split', 'merge'].includes((value.ops[0] as MutationPlan['ops'][number]).op), JSON.stringify(value));
    assert.match(message, /the application got [0-9a-f]+, not sent by the client/);
  });
});
