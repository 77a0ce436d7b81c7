/**
 * The driver's listening mode (`{ connectTo }`): a memtls server over TCP on 127.0.0.1 against TLS clients under
 * test: Node's `tls.connect` and an `openssl s_client` process, bounded cases, every run classified; and a planted
 * defect on the client side (Node's tls client behind the test's own wrapper, frozen by a handshake record cut
 * inside its 4-byte header) found and shrunk to the one mutation.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { SslContext } from '@memtls/core';
import { type Chunking, chunking, type MutationPlan, mutationPlan } from '@memtls/fast-check';
import { type DriveOptions, drive, formatResult, type Verdict } from '@memtls/fast-check/node';
import fc from 'fast-check';
import { cleanupPeers, type OpenSslProcess, startOpenSslClient } from '../interop/peers.js';
import { testPki } from '../util/pki.js';
import { clientHangsOnShortHandshakeRecord, destroyClients, nodeTlsClient } from './endpoints.js';

const SEED = Number(process.env.MEMTLS_FUZZ_SEED ?? 20261206);
const CORRECT: readonly Verdict['kind'][] = ['completed', 'alert', 'closed'];
const server = (): SslContext => {
  const leaf = testPki().leaves['ec-p256'];
  return new SslContext({ role: 'server', cert: leaf.cert, key: leaf.key });
};

/** Up to three operators on one of the memtls server's first three flights, cut by any chunking (capped). */
const input = fc.record({ plan: mutationPlan({ dirs: ['s2c'], maxFlight: 2 }), chunks: fc.option(chunking({ max: 300 }), { nil: undefined }) });

async function noFalseAlarm(o: Omit<DriveOptions, 'plan' | 'chunking'>, runs: number, after: () => Promise<void> | void): Promise<Map<string, number>> {
  const kinds = new Map<string, number>();
  await fc.assert(
    fc.asyncProperty(input, async ({ plan, chunks }: { plan: MutationPlan; chunks: Chunking | undefined }) => {
      try {
        const r = await drive({ ...o, plan, ...(chunks ? { chunking: chunks } : {}) });
        const k = r.verdict.kind === 'alert' ? `alert ${r.verdict.name}` : r.verdict.kind;
        kinds.set(k, (kinds.get(k) ?? 0) + 1);
        assert.ok(CORRECT.includes(r.verdict.kind), formatResult(r, 96));
      } finally {
        await after();
      }
    }),
    { seed: SEED, numRuns: runs },
  );
  return kinds;
}

describe('@memtls/fast-check: the driver listens, a memtls server against TLS clients over TCP', function () {
  this.timeout(120000);
  afterEach(async () => {
    destroyClients();
    await cleanupPeers();
  });

  it("Node's tls.connect client: the clean run completes (the client got the payload), 15 mutated server flights are classified", async () => {
    let port = 0;
    const got: Buffer[] = [];
    const clean = await drive({
      endpoint: {
        connectTo: (p, host) => {
          port = p;
          assert.equal(host, '127.0.0.1');
          nodeTlsClient(p, host, (b) => got.push(b));
        },
      },
      context: server(),
      quietMs: 100,
    });
    assert.equal(clean.verdict.kind, 'completed', formatResult(clean));
    assert.equal(clean.sent[0]?.[0], 22, 'the server flight first');
    assert.ok(clean.handshakeDone);
    assert.equal(Buffer.concat(got).toString(), 'memtls-fast-check\n');
    // The listener is gone after the run: a second connection is refused.
    await assert.rejects(
      new Promise((resolve, reject) => {
        const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(s.destroy()));
        s.once('error', reject);
      }),
      /ECONNREFUSED/,
    );
    const kinds = await noFalseAlarm({ endpoint: { connectTo: nodeTlsClient }, context: server(), quietMs: 100, budgetMs: 3000 }, 15, destroyClients);
    assert.ok([...kinds.keys()].some((k) => k.startsWith('alert')), `no alert among ${[...kinds]}`);
    if (process.env.MEMTLS_FC_VERBOSE) console.log(kinds);
  });

  it('openssl s_client: the clean run completes and s_client prints the payload; 12 mutated server flights are classified', async () => {
    const caFile = testPki().caPath;
    let proc: OpenSslProcess | null = null;
    const connectTo = (port: number): void => {
      proc = startOpenSslClient({ port, caFile, msg: false, timeoutMs: 20000 });
    };
    const clean = await drive({ endpoint: { connectTo }, context: server(), quietMs: 150 });
    assert.equal(clean.verdict.kind, 'completed', formatResult(clean));
    const p = proc as OpenSslProcess | null;
    assert.ok(p);
    await p.waitFor(() => p.hasExited(), 's_client to exit after the close_notify', 5000);
    assert.equal(p.stdout(), 'memtls-fast-check\n', p.describe());
    const kinds = await noFalseAlarm({ endpoint: { connectTo }, context: server(), quietMs: 150, budgetMs: 3000 }, 12, () => (proc as OpenSslProcess | null)?.kill());
    assert.ok([...kinds.keys()].some((k) => k.startsWith('alert')), `no alert among ${[...kinds]}`);
    if (process.env.MEMTLS_FC_VERBOSE) console.log(kinds);
  });

  it('a connectTo that throws is an exception verdict, a client that never connects a hang; misuse throws synchronously', async () => {
    const boom = await drive({
      endpoint: {
        connectTo: () => {
          throw new Error('client start failed');
        },
      },
      context: server(),
    });
    assert.equal(boom.verdict.kind, 'exception', formatResult(boom));
    const late = await drive({ endpoint: { connectTo: () => Promise.reject(new Error('later')) }, context: server() });
    assert.equal(late.verdict.kind, 'exception');
    const never = await drive({ endpoint: { connectTo: () => {}, acceptMs: 50 }, context: server() });
    assert.deepEqual(never.verdict, { kind: 'hang', afterMs: 50 });
    assert.equal(never.sent.length, 0);
    assert.throws(() => drive({ endpoint: { connectTo: 1 as unknown as () => void }, context: server() }), TypeError);
    assert.throws(() => drive({ endpoint: { connectTo: () => {}, host: '0.0.0.0' as '127.0.0.1' }, context: server() }), RangeError);
    assert.throws(() => drive({ endpoint: { connectTo: () => {}, acceptMs: Number.NaN }, context: server() }), RangeError);
    assert.throws(() => drive({ endpoint: { connectTo: () => {}, port: 1 } as unknown as { port: number }, context: server() }), TypeError);
  });

  it('"never hangs": a client frozen by a handshake record cut inside its 4-byte header is found; the plan shrinks to one operator', async () => {
    const clean = await drive({ endpoint: { connectTo: clientHangsOnShortHandshakeRecord }, context: server(), quietMs: 30 });
    destroyClients();
    assert.equal(clean.verdict.kind, 'completed', formatResult(clean));
    const plans = mutationPlan({ dirs: ['s2c'], maxFlight: 0, families: ['record'] });
    const r = await fc.check(
      fc.asyncProperty(plans, async (plan: MutationPlan) => {
        try {
          const d = await drive({ endpoint: { connectTo: clientHangsOnShortHandshakeRecord }, context: server(), plan, quietMs: 30, budgetMs: 400 });
          if (d.verdict.kind === 'hang') throw new Error(formatResult(d, 64));
        } finally {
          destroyClients();
        }
      }),
      { seed: 1, numRuns: 150 },
    );
    assert.ok(r.failed, `the property held for ${r.numRuns} runs: the planted defect was not found`);
    const value = (r.counterexample as [MutationPlan])[0];
    const message = r.errorInstance instanceof Error ? r.errorInstance.message : String(r.errorInstance);
    assert.equal(value.ops.length, 1, JSON.stringify(value));
    assert.equal((value.ops[0] as MutationPlan['ops'][number]).op, 'split', JSON.stringify(value));
    assert.match(message, /verdict: hang/);
    assert.match(message, /1\. split record 0 at/);
  });
});
