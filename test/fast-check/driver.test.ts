/**
 * The man-in-the-middle driver against real endpoints, a bounded number of cases each: Node's `tls` server in
 * memory and over TCP, and an `openssl s_server` process. No false alarm: every run ends in a verdict, no harness
 * exception, no hang and no exception from a correct endpoint; and the clean run (no plan) completes.
 */
import assert from 'node:assert/strict';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { SslContext } from '@memtls/core';
import { type Chunking, chunking, formatPlan, injectionPlan, type MutationPlan, mutationPlan } from '@memtls/fast-check';
import { type DriveOptions, type DriveResult, drive, formatResult, seededProvider, type Verdict } from '@memtls/fast-check/node';
import fc from 'fast-check';
import { cleanupPeers, startOpenSslServer } from '../interop/peers.js';
import { testPki } from '../util/pki.js';
import { nodeTlsEcho, nodeTlsEchoServer } from './endpoints.js';

const SEED = Number(process.env.MEMTLS_FUZZ_SEED ?? 20261206);
const client = (version?: 'TLSv1.2'): SslContext =>
  new SslContext({ role: 'client', ca: testPki().caCert, ...(version ? { minVersion: version, maxVersion: version, cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'] } : {}) });
const CORRECT: readonly Verdict['kind'][] = ['completed', 'alert', 'closed'];

/** Up to three operators on one of the memtls client's first four flights, cut by any chunking. */
const input = fc.record({ plan: mutationPlan({ dirs: ['c2s'], maxFlight: 3 }), chunks: fc.option(chunking({ max: 300 }), { nil: undefined }) });

async function noFalseAlarm(o: Omit<DriveOptions, 'plan' | 'chunking'>, runs: number): Promise<Map<string, number>> {
  const kinds = new Map<string, number>();
  await fc.assert(
    fc.asyncProperty(input, async ({ plan, chunks }: { plan: MutationPlan; chunks: Chunking | undefined }) => {
      const r = await drive({ ...o, plan, ...(chunks ? { chunking: chunks } : {}) });
      const k = r.verdict.kind === 'alert' ? `alert ${r.verdict.name}` : r.verdict.kind;
      kinds.set(k, (kinds.get(k) ?? 0) + 1);
      assert.ok(CORRECT.includes(r.verdict.kind), formatResult(r, 96));
    }),
    { seed: SEED, numRuns: runs },
  );
  return kinds;
}

describe('@memtls/fast-check: the driver against real endpoints', function () {
  this.timeout(180000);
  afterEach(cleanupPeers);

  it("a clean run against Node's tls server in memory completes and gets its payload echoed (TLS 1.3 and 1.2)", async () => {
    for (const v of [undefined, 'TLSv1.2'] as const) {
      const r = await drive({ endpoint: { serve: (s) => void nodeTlsEcho(s) }, context: client(v), quietMs: 50 });
      assert.equal(r.verdict.kind, 'completed', formatResult(r));
      assert.equal(new TextDecoder().decode(r.appData), 'memtls-fast-check\n');
      assert.equal(r.plan, undefined);
    }
  });

  it("Node's tls server in memory: 40 mutated and re-cut connections, each classified, none hangs or throws", async () => {
    const kinds = await noFalseAlarm({ endpoint: { serve: (s) => void nodeTlsEcho(s) }, context: client(), quietMs: 30, budgetMs: 3000 }, 40);
    assert.ok([...kinds.keys()].some((k) => k.startsWith("alert")), `no alert among ${[...kinds]}`);
    if (process.env.MEMTLS_FC_VERBOSE) console.log(kinds);
  });

  it("Node's tls server in memory, TLS 1.2: 25 mutated connections, each classified", async () => {
    await noFalseAlarm({ endpoint: { serve: (s) => void nodeTlsEcho(s) }, context: client('TLSv1.2'), quietMs: 30, budgetMs: 3000 }, 25);
  });

  it("Node's tls server over TCP on 127.0.0.1: 15 mutated connections, each classified", async () => {
    const server = await nodeTlsEchoServer();
    try {
      await noFalseAlarm({ endpoint: { port: server.port }, context: client(), quietMs: 100, budgetMs: 3000 }, 15);
      const clean = await drive({ endpoint: { port: server.port }, context: client(), quietMs: 100 });
      assert.equal(clean.verdict.kind, 'completed', formatResult(clean));
    } finally {
      await server.close();
    }
  });

  it('openssl s_server (-rev): 15 mutated connections, each classified; the clean one completes', async () => {
    const pki = testPki();
    const s = await startOpenSslServer({ cert: pki.leaves['ec-p256'].certPath, key: pki.leaves['ec-p256'].keyPath, naccept: 100000, msg: false, timeoutMs: 170000 });
    const clean: DriveResult = await drive({ endpoint: { port: s.port }, context: client(), quietMs: 150 });
    assert.equal(clean.verdict.kind, 'completed', formatResult(clean));
    assert.equal(new TextDecoder().decode(clean.appData), 'kcehc-tsaf-sltmem\n');
    await noFalseAlarm({ endpoint: { port: s.port }, context: client(), quietMs: 150, budgetMs: 3000 }, 15);
    assert.ok(!s.hasExited(), `s_server exited: ${s.describe()}`);
  });

  it("Node's tls server in memory: 20 handshake messages of any type injected into the client's plaintext flights, each classified", async () => {
    const kinds = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(injectionPlan({ dirs: ['c2s'], maxFlight: 0 }), async (plan) => {
        const r = await drive({ endpoint: { serve: (s) => void nodeTlsEcho(s) }, context: client(), plan, quietMs: 30, budgetMs: 3000 });
        const k = r.verdict.kind === 'alert' ? r.verdict.name : r.verdict.kind;
        kinds.set(k, (kinds.get(k) ?? 0) + 1);
        assert.ok(CORRECT.includes(r.verdict.kind), formatResult(r, 96));
        // A message before or after the ClientHello in its flight is never accepted silently.
        assert.notEqual(r.verdict.kind, 'completed', formatResult(r, 96));
      }),
      { seed: SEED, numRuns: 20 },
    );
    assert.ok(kinds.has('unexpected_message'), `verdicts: ${[...kinds.keys()]}`);
  });

  it("the memtls side as a server against Node's tls client in memory: a clean run completes, 15 mutated server flights are classified", async () => {
    const leaf = testPki().leaves['ec-p256'];
    const server = new SslContext({ role: 'server', cert: leaf.cert, key: leaf.key });
    const serve = (socket: Duplex): void => {
      const t = tls.connect({ socket, ca: testPki().caCert, servername: 'localhost' });
      t.on('error', () => {});
      t.on('data', () => t.end());
      t.on('end', () => t.end());
    };
    const clean = await drive({ endpoint: { serve }, context: server, quietMs: 50 });
    assert.equal(clean.verdict.kind, 'completed', formatResult(clean));
    assert.equal(clean.sent[0]?.[0], 22, 'the server flight first');
    await fc.assert(
      fc.asyncProperty(mutationPlan({ dirs: ['s2c'], maxFlight: 2 }), async (plan) => {
        const r = await drive({ endpoint: { serve }, context: server, plan, quietMs: 30, budgetMs: 3000 });
        assert.ok(CORRECT.includes(r.verdict.kind), formatResult(r, 96));
      }),
      { seed: SEED, numRuns: 15 },
    );
  });

  it('drive() refuses bad options and a TCP endpoint off the loopback synchronously, and a second run at once', async () => {
    // API misuse throws synchronously (TypeError, RangeError), before anything is opened.
    assert.throws(() => drive({ endpoint: { port: 1 }, context: {} as SslContext }), TypeError);
    assert.throws(() => drive({ endpoint: {} as { port: number }, context: client() }), TypeError);
    assert.throws(() => drive({ endpoint: { port: 1, host: '10.0.0.1' as '127.0.0.1' }, context: client() }), RangeError);
    assert.throws(() => drive({ endpoint: { port: 70000 }, context: client() }), RangeError);
    assert.throws(() => drive({ endpoint: { port: 1 }, context: client(), quietMs: -1 }), RangeError);
    // One run at a time in a process (uncaught exceptions are attributed to the endpoint under test).
    const first = drive({ endpoint: { serve: (x) => void nodeTlsEcho(x) }, context: client(), quietMs: 30 });
    assert.throws(() => drive({ endpoint: { serve: (x) => void nodeTlsEcho(x) }, context: client() }), TypeError);
    assert.equal((await first).verdict.kind, 'completed');
    // The plan is printed in words in the report.
    const r = await drive({ endpoint: { serve: (x) => void nodeTlsEcho(x) }, context: client(), quietMs: 30, plan: { dir: 'c2s', flight: 0, ops: [{ op: 'flip', pos: 0, bit: 1 }] } });
    assert.match(formatResult(r), /flight 0 client -> server:\n {2}1\. flip bit 1 of byte 0/);
    assert.equal(formatPlan(r.plan as MutationPlan).split('\n').length, 2);
  });
});

describe('@memtls/fast-check: determinism of the memtls side', function () {
  this.timeout(60000);

  it("seededProvider: the same seed gives the same first flight byte for byte (and a working handshake); another seed another", async () => {
    // One fixed clock for every run (inside the validity of the test PKI, which is made at test time).
    const fixed = new Date(Date.now() + 60_000);
    const ctx = (seed: number): SslContext => new SslContext({ role: 'client', ca: testPki().caCert, crypto: seededProvider(seed), now: () => fixed });
    const runs: Uint8Array[] = [];
    for (const seed of [7, 7, 8]) {
      const r = await drive({ endpoint: { serve: (s) => void nodeTlsEcho(s) }, context: ctx(seed), quietMs: 30 });
      assert.equal(r.verdict.kind, 'completed', formatResult(r));
      runs.push(r.sent[0] as Uint8Array);
    }
    assert.deepEqual(runs[0], runs[1]);
    assert.notDeepEqual(runs[0], runs[2]);
    // The groups Node and OpenSSL pick from: a P-256-only and a P-384-only client work too.
    for (const group of ['secp256r1', 'secp384r1'] as const) {
      const c = new SslContext({ role: 'client', ca: testPki().caCert, crypto: seededProvider(1), groups: [group] });
      const r = await drive({ endpoint: { serve: (s) => void nodeTlsEcho(s) }, context: c, quietMs: 30 });
      assert.equal(r.verdict.kind, 'completed', `${group}: ${formatResult(r)}`);
    }
    assert.throws(() => seededProvider(1.5), TypeError);
  });
});
