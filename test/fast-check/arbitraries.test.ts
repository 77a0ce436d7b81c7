/**
 * The arbitraries of @memtls/fast-check state what they promise: chunkings keep every byte, hellos encode and parse
 * back, a well-formed generated ClientHello is answered with a ServerHello by Node's tls server, an
 * almost-well-formed one names its defect and never makes Node hang, plans print in words.
 */
import assert from 'node:assert/strict';
import { SslContext } from '@memtls/core';
import {
  almostClientHello,
  applyChunking,
  applyOps,
  bioPairSizes,
  chunking,
  clientHello,
  concat,
  encodeHello,
  formatPlan,
  fromHex,
  GREASE_VALUES,
  HT,
  handshakeRecords,
  headerOp,
  hex,
  hexDump,
  interleaving,
  mutationPlan,
  parseHello,
  parseRecords,
  serverHello,
  splitMessages,
} from '@memtls/fast-check';
import { drive } from '@memtls/fast-check/node';
import fc from 'fast-check';
import { testPki } from '../util/pki.js';
import { nodeTlsEcho } from './endpoints.js';

const SEED = 20261206;
const client = (): SslContext => new SslContext({ role: 'client', ca: testPki().caCert });

describe('@memtls/fast-check: arbitraries', function () {
  this.timeout(120000);

  it('a chunking cuts a stream into non-empty pieces that concatenate back to it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), chunking({ max: 700 }), (b, c) => {
        const parts = applyChunking(b, c);
        assert.ok(parts.every((p) => p.length > 0));
        assert.deepEqual(concat(...parts), b);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("hex and fromHex agree with Node's Buffer, invalid pairs included", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.string({ maxLength: 20 }), (b, junk) => {
        assert.equal(hex(b), Buffer.from(b).toString('hex'));
        assert.deepEqual(fromHex(hex(b)), b);
        assert.deepEqual(Buffer.from(fromHex(junk)), Buffer.from(junk, 'hex'));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('BIO pair sizes and interleavings stay in their ranges', () => {
    fc.assert(
      fc.property(bioPairSizes(), interleaving({ without: ['keyUpdate'] }), (s, calls) => {
        assert.ok(s.c2s >= 1 && s.c2s <= 65536 && s.s2c >= 1 && s.s2c <= 65536);
        assert.ok(calls.length >= 1 && calls.every((c) => c.call !== 'keyUpdate' && c.size >= 0 && c.size <= 40000));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('generated ClientHellos and ServerHellos (both versions) encode and parse back, GREASE included', () => {
    for (const version of ['tls1.3', 'tls1.2'] as const) {
      fc.assert(
        fc.property(clientHello({ version }), serverHello({ version }), (ch, sh) => {
          for (const [h, isClient] of [
            [ch, true],
            [sh, false],
          ] as const) {
            const msg = encodeHello(h, isClient);
            const { msgs, rest } = splitMessages(msg);
            assert.equal(rest.length, 0);
            assert.equal(msgs[0]?.type, isClient ? HT.CLIENT_HELLO : HT.SERVER_HELLO);
            const back = parseHello(msgs[0]?.body ?? new Uint8Array(0), isClient);
            assert.deepEqual(back.extensions.map((e) => e.type), h.extensions.map((e) => e.type));
            assert.deepEqual(back.suites, h.suites);
            assert.equal(new Set(h.extensions.map((e) => e.type)).size, h.extensions.length, 'no duplicate extension in a well-formed hello');
          }
        }),
        { seed: SEED, numRuns: 150 },
      );
    }
    // GREASE values do come up.
    const sample = fc.sample(clientHello(), { seed: SEED, numRuns: 200 });
    assert.ok(sample.some((h) => h.suites.some((s) => GREASE_VALUES.includes(s))));
    assert.ok(sample.some((h) => h.extensions.some((e) => GREASE_VALUES.includes(e.type))));
  });

  it("Node's tls server answers every generated TLS 1.3 ClientHello with a ServerHello (20 cases)", async () => {
    await fc.assert(
      fc.asyncProperty(clientHello({ version: 'tls1.3' }), fc.integer({ min: 1, max: 400 }), async (h, fragment) => {
        const r = await drive({
          endpoint: { serve: (s) => void nodeTlsEcho(s) },
          context: client(),
          quietMs: 30,
          filter: (_d, n, b) => (n === 0 ? handshakeRecords(encodeHello(h, true), fragment) : b),
        });
        const first = parseRecords(r.received).records[0];
        assert.equal(first?.type, 22, `no handshake record back: ${JSON.stringify(r.verdict)}`);
        assert.equal(first?.body[0], HT.SERVER_HELLO);
      }),
      { seed: SEED, numRuns: 20 },
    );
  });

  it("Node's tls server (an ECDSA and an RSA certificate) answers every generated TLS 1.2 ClientHello with a ServerHello (20 cases)", async () => {
    const pki = testPki();
    const extra = { cert: [pki.leaves['ec-p256'].cert, pki.leaves.rsa.cert], key: [pki.leaves['ec-p256'].key, pki.leaves.rsa.key], maxVersion: 'TLSv1.2' as const };
    await fc.assert(
      fc.asyncProperty(clientHello({ version: 'tls1.2' }), async (h) => {
        const r = await drive({
          endpoint: { serve: (s) => void nodeTlsEcho(s, extra) },
          context: client(),
          quietMs: 30,
          filter: (_d, n, b) => (n === 0 ? handshakeRecords(encodeHello(h, true)) : b),
        });
        const first = parseRecords(r.received).records[0];
        assert.equal(first?.type, 22, `no handshake record back for suites ${h.suites.map((x) => x.toString(16))}: ${JSON.stringify(r.verdict)}`);
        assert.equal(first?.body[0], HT.SERVER_HELLO);
      }),
      { seed: SEED, numRuns: 20 },
    );
  });

  it("almost-well-formed ClientHellos: Node's tls server ends every one with an alert or a close, never a hang (20 cases)", async () => {
    await fc.assert(
      fc.asyncProperty(almostClientHello({ version: 'tls1.3' }), async (d) => {
        const r = await drive({
          endpoint: { serve: (s) => void nodeTlsEcho(s) },
          context: client(),
          quietMs: 30,
          budgetMs: 1500,
          filter: (_d, n, b) => (n === 0 ? handshakeRecords(d.message) : b),
        });
        assert.ok(['alert', 'closed', 'completed'].includes(r.verdict.kind), `${d.defect.defect}: ${r.verdict.kind}`);
      }),
      { seed: SEED, numRuns: 20 },
    );
  });

  it('header operators change a record type or version, or insert a record', () => {
    const rec = parseRecords(handshakeRecords(new Uint8Array([1, 0, 0, 0]))).records;
    fc.assert(
      fc.property(headerOp, (op) => {
        const out = parseRecords(applyOps(handshakeRecords(new Uint8Array([1, 0, 0, 0])), [op]).bytes).records;
        assert.ok(out.length === rec.length + (op.op === 'recInsert' ? 1 : 0));
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it('a plan prints in words and bytes print as a hex dump', () => {
    const text = formatPlan({ dir: 'c2s', flight: 0, ops: [{ op: 'split', rec: 0, at: 0 }, { op: 'recType', rec: 1, type: 23 }] });
    assert.equal(text, 'flight 0 client -> server:\n  1. split record 0 at 0.0% of its content\n  2. set the content type of record 1 to 23');
    assert.equal(hexDump(new TextEncoder().encode('TLS\x16\x03')), '000000  54 4c 53 16 03                                   TLS..');
    const plans = fc.sample(mutationPlan({ dirs: ['s2c'], maxFlight: 1 }), { seed: SEED, numRuns: 50 });
    assert.ok(plans.every((p) => p.dir === 's2c' && p.flight <= 1 && p.ops.length >= 1 && formatPlan(p).split('\n').length === p.ops.length + 1));
  });
});
