import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { BioPairEnd } from '#internal/bio/bio';
import { DEFAULT_BIO_PAIR_SIZE, newBioPair } from '#internal/bio/bio-pair';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe('newBioPair (BIO_new_bio_pair)', () => {
  it('replays what libcrypto 3.0.19 does for the same calls', () => {
    // Expectations measured with BIO_new_bio_pair(&a, 4, &b, 6).
    const [a, b] = newBioPair(4, 6);
    const buf = new Uint8Array(64);
    assert.equal(b.read(buf.subarray(0, 10)), -1);
    assert.equal(b.shouldRetry(), true);
    assert.equal(a.readRequest(), 4, 'the read request is capped at the writer size');
    assert.equal(b.eof(), false);
    assert.equal(a.guarantee(), 4);
    assert.equal(b.writeGuarantee(), 6);
    assert.equal(a.write(enc('123456')), 4, 'partial write');
    assert.equal(a.shouldRetry(), false);
    assert.equal(a.wpending(), 4);
    assert.equal(b.pending(), 4);
    assert.equal(a.pending(), 0);
    assert.equal(a.readRequest(), 0, 'a write clears the read request');
    assert.equal(a.write(enc('x')), -1);
    assert.equal(a.shouldRetry(), true, 'full');
    assert.equal(a.write(new Uint8Array(0)), 0);
    assert.equal(a.shouldRetry(), true, 'an empty write leaves the retry flag alone');
    assert.equal(b.read(buf.subarray(0, 0)), 0);
    assert.equal(b.shouldRetry(), false);
    assert.equal(b.read(buf.subarray(0, 3)), 3);
    assert.equal(a.write(enc('xyz')), 3, 'wraps around the ring');
    const n = b.read(buf.subarray(0, 10));
    assert.equal(dec(buf.subarray(0, n)), '4xyz');
    assert.equal(b.read(buf.subarray(0, 0)), 0);
    assert.equal(b.shouldRetry(), false);
    a.shutdownWr();
    assert.equal(a.guarantee(), 0);
    assert.equal(b.eof(), true);
    assert.equal(a.eof(), false, 'shutdownWr is one-way');
    assert.equal(a.write(enc('q')), -1);
    assert.equal(a.shouldRetry(), false, 'writing after our own shutdownWr is final, not retryable');
    assert.equal(a.write(new Uint8Array(0)), 0);
    assert.equal(b.read(buf.subarray(0, 10)), 0);
    assert.equal(b.shouldRetry(), false);
    assert.equal(b.write(enc('zz')), 2);
    assert.equal(a.read(buf.subarray(0, 10)), 2);
  });

  it('delivers bytes written before shutdownWr, then EOF', () => {
    const [c, d] = newBioPair();
    assert.equal(c.size, DEFAULT_BIO_PAIR_SIZE);
    assert.equal(d.size, DEFAULT_BIO_PAIR_SIZE);
    assert.equal(c.guarantee(), 17408);
    c.write(enc('abc'));
    c.shutdownWr();
    assert.equal(d.eof(), false);
    const buf = new Uint8Array(10);
    assert.equal(d.read(buf), 3);
    assert.equal(d.read(buf), 0);
    assert.equal(d.shouldRetry(), false);
    assert.equal(d.eof(), true);
  });

  it('records and clears the read request as OpenSSL does', () => {
    const [e, f] = newBioPair(8, 8);
    f.read(new Uint8Array(5));
    assert.equal(e.readRequest(), 5);
    e.write(enc('ab'));
    assert.equal(e.readRequest(), 0);
    f.read(new Uint8Array(50));
    f.read(new Uint8Array(50));
    assert.equal(e.readRequest(), 8);
  });

  it('copies on write', () => {
    const [a, b] = newBioPair(16);
    const src = enc('hello');
    a.write(src);
    src.fill(0);
    const out = new Uint8Array(5);
    b.read(out);
    assert.equal(dec(out), 'hello');
  });

  it('defaults size2 to size1 and validates sizes', () => {
    const [a, b] = newBioPair(100);
    assert.equal(a.size, 100);
    assert.equal(b.size, 100);
    assert.equal(newBioPair(1, 3)[1].size, 3);
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => newBioPair(bad), RangeError);
      assert.throws(() => newBioPair(10, bad), RangeError);
    }
    assert.throws(() => newBioPair('10' as unknown as number), TypeError);
  });

  it('throws TypeError for arguments that are not Uint8Array', () => {
    const [a] = newBioPair();
    for (const bad of ['ab', [1], null, new Int8Array(1)]) {
      assert.throws(() => a.write(bad as unknown as Uint8Array), TypeError);
      assert.throws(() => a.read(bad as unknown as Uint8Array), TypeError);
    }
    assert.equal(a.wpending(), 0);
  });

  it('moves every byte exactly once, in order, never holding more than an end\'s size', () => {
    type Op =
      | { kind: 'write'; end: 0 | 1; data: Uint8Array }
      | { kind: 'read'; end: 0 | 1; n: number }
      | { kind: 'shutdown'; end: 0 | 1 };
    const end = fc.constantFrom(0 as const, 1 as const);
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 4, arbitrary: fc.record({ kind: fc.constant('write' as const), end, data: fc.uint8Array({ maxLength: 300 }) }) },
      { weight: 4, arbitrary: fc.record({ kind: fc.constant('read' as const), end, n: fc.integer({ min: 0, max: 300 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('shutdown' as const), end }) },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 257 }), fc.integer({ min: 1, max: 257 }), fc.array(op, { maxLength: 120 }), (s1, s2, ops) => {
        const ends = newBioPair(s1, s2);
        const sizes = [s1, s2];
        // model[i]: bytes end i wrote that the other end has not read; sent/received per direction
        const sent: number[][] = [[], []];
        const received: number[][] = [[], []];
        const closed = [false, false];
        const outstanding = (i: number) => (sent[i] as number[]).length - (received[i] as number[]).length;
        const check = () => {
          for (const i of [0, 1]) {
            const me = ends[i] as BioPairEnd;
            const peer = ends[1 - i] as BioPairEnd;
            assert.ok(me.wpending() <= (sizes[i] as number), 'an end never holds more than its size');
            assert.equal(me.wpending(), outstanding(i));
            assert.equal(peer.pending(), outstanding(i));
            assert.equal(me.guarantee(), closed[i] ? 0 : (sizes[i] as number) - outstanding(i));
            assert.equal(peer.eof(), closed[i] && outstanding(i) === 0);
          }
        };
        for (const o of ops) {
          const me = ends[o.end] as BioPairEnd;
          if (o.kind === 'write') {
            const data = o.data.slice(); // scribbled on below; keep fast-check's value intact for reports
            const r = me.write(data);
            const free = (sizes[o.end] as number) - outstanding(o.end);
            if (o.data.length === 0) assert.equal(r, 0);
            else if (closed[o.end]) {
              assert.equal(r, -1);
              assert.equal(me.shouldRetry(), false);
            } else if (free === 0) {
              assert.equal(r, -1);
              assert.equal(me.shouldRetry(), true);
            } else {
              assert.equal(r, Math.min(o.data.length, free));
              assert.equal(me.shouldRetry(), false);
              (sent[o.end] as number[]).push(...o.data.subarray(0, r));
            }
            data.fill(0xee);
          } else if (o.kind === 'read') {
            const from = 1 - o.end;
            const buf = new Uint8Array(o.n);
            const avail = outstanding(from);
            const r = me.read(buf);
            if (o.n === 0) assert.equal(r, 0);
            else if (avail > 0) {
              assert.equal(r, Math.min(o.n, avail));
              (received[from] as number[]).push(...buf.subarray(0, r));
            } else if (closed[from]) {
              assert.equal(r, 0);
              assert.equal(me.shouldRetry(), false);
            } else {
              assert.equal(r, -1);
              assert.equal(me.shouldRetry(), true);
            }
          } else {
            me.shutdownWr();
            closed[o.end] = true;
          }
          check();
        }
        // Drain both directions and compare.
        for (const i of [0, 1]) {
          const reader = ends[1 - i] as BioPairEnd;
          const buf = new Uint8Array(outstanding(i) + 1);
          const r = reader.read(buf);
          if (r > 0) (received[i] as number[]).push(...buf.subarray(0, r));
          assert.deepEqual(received[i], sent[i]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
