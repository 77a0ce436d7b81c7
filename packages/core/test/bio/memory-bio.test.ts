import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { MemoryBio } from '#internal/bio/memory-bio';

const bytes = (...xs: number[]) => new Uint8Array(xs);

describe('MemoryBio (BIO_s_mem)', () => {
  it('replays what libcrypto 3.0.19 does for the same calls', () => {
    // Each step's expectation was measured with BIO_new(BIO_s_mem()) and BIO_set_mem_eof_return(b, 0).
    const m = new MemoryBio();
    const buf = new Uint8Array(64);
    assert.equal(m.read(buf.subarray(0, 10)), -1);
    assert.equal(m.shouldRetry(), true);
    assert.equal(m.pending(), 0);
    assert.equal(m.write(new Uint8Array(0)), 0);
    assert.equal(m.shouldRetry(), true, 'an empty write leaves the retry flag alone');
    assert.equal(m.write(new TextEncoder().encode('hello')), 5);
    assert.equal(m.shouldRetry(), false);
    assert.equal(m.read(buf.subarray(0, 0)), 0, 'zero-length read while bytes are buffered');
    assert.equal(m.shouldRetry(), false);
    assert.equal(m.read(buf.subarray(0, 3)), 3);
    assert.equal(m.read(buf.subarray(0, 10)), 2);
    assert.equal(m.read(buf.subarray(0, 0)), -1, 'zero-length read on an empty BIO');
    assert.equal(m.shouldRetry(), true);
    m.setEof();
    assert.equal(m.read(buf.subarray(0, 10)), 0);
    assert.equal(m.shouldRetry(), false);
    assert.equal(m.eof(), true);
    assert.equal(m.write(bytes(1, 2)), 2, 'setEof does not stop writes');
    assert.equal(m.eof(), false);
    assert.equal(m.read(buf.subarray(0, 10)), 2);
    assert.equal(m.read(buf.subarray(0, 10)), 0);
  });

  it('eof() means end of stream, not merely empty', () => {
    const m = new MemoryBio();
    assert.equal(m.eof(), false);
    m.write(bytes(1));
    m.setEof();
    assert.equal(m.eof(), false, 'bytes still buffered');
    assert.equal(m.read(new Uint8Array(4)), 1);
    assert.equal(m.eof(), true);
  });

  it('copies on write, so callers may reuse their buffers', () => {
    const m = new MemoryBio();
    const small = bytes(1, 2, 3);
    const big = new Uint8Array(5000).fill(7);
    m.write(small);
    m.write(big);
    small.fill(0);
    big.fill(0);
    const out = new Uint8Array(5003);
    assert.equal(m.read(out), 5003);
    assert.deepEqual([...out.subarray(0, 4)], [1, 2, 3, 7]);
    assert.equal(out[5002], 7);
  });

  it('peek leaves bytes in place and skip discards them', () => {
    const m = new MemoryBio();
    m.write(bytes(1, 2));
    m.write(bytes(3, 4, 5));
    const hdr = new Uint8Array(3);
    assert.equal(m.peek(hdr), 3);
    assert.deepEqual([...hdr], [1, 2, 3]);
    assert.equal(m.pending(), 5);
    assert.equal(m.skip(4), 4);
    assert.equal(m.skip(100), 1);
    assert.equal(m.peek(hdr), -1);
    assert.equal(m.shouldRetry(), true);
    assert.throws(() => m.skip(-1), RangeError);
    assert.throws(() => m.skip(1.5), RangeError);
  });

  it('readView hands out stable zero-copy views', () => {
    const m = new MemoryBio();
    assert.equal(m.readView(), null);
    assert.equal(m.shouldRetry(), true);
    m.write(bytes(1, 2, 3));
    const v1 = m.readView(2);
    assert.deepEqual([...(v1 ?? [])], [1, 2]);
    m.write(bytes(4, 5));
    m.write(bytes(6)); // small writes queued behind others share a packed block
    assert.deepEqual([...(v1 ?? [])], [1, 2], 'later writes never overwrite a returned view');
    assert.deepEqual([...(m.readView() ?? [])], [3], 'a view covers one chunk: the rest of the first write');
    const v2 = m.readView();
    assert.deepEqual([...(v2 ?? [])], [4, 5, 6], 'the packed writes come out as one view');
    m.write(bytes(7)); // the BIO was drained: a new write never lands in a block a view still covers
    assert.deepEqual([...(v2 ?? [])], [4, 5, 6]);
    assert.deepEqual([...(m.readView() ?? [])], [7]);
    m.setEof();
    assert.equal(m.readView(), null);
    assert.equal(m.shouldRetry(), false);
    assert.throws(() => m.readView(0), RangeError);
  });

  it('throws TypeError for arguments that are not Uint8Array', () => {
    const m = new MemoryBio();
    for (const bad of ['ab', [1, 2], null, undefined, new Uint16Array(2), new DataView(new ArrayBuffer(2))]) {
      assert.throws(() => m.write(bad as unknown as Uint8Array), TypeError);
      assert.throws(() => m.read(bad as unknown as Uint8Array), TypeError);
      assert.throws(() => m.peek(bad as unknown as Uint8Array), TypeError);
    }
    assert.equal(m.pending(), 0);
  });

  it('reads back exactly the bytes written, in order, whatever the write and read sizes', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('write' as const), data: fc.uint8Array({ maxLength: 1500 }) }),
      fc.record({ kind: fc.constantFrom('read' as const, 'peekSkip' as const, 'view' as const), n: fc.integer({ min: 0, max: 2000 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), fc.boolean(), (ops, endWithEof) => {
        const m = new MemoryBio();
        const written: number[] = [];
        const got: number[] = [];
        const take = (kind: 'read' | 'peekSkip' | 'view', n: number) => {
          const before = m.pending();
          if (n === 0) return;
          if (kind === 'read') {
            const buf = new Uint8Array(n);
            const r = m.read(buf);
            if (before === 0) {
              assert.equal(r, -1);
              assert.equal(m.shouldRetry(), true);
            } else {
              assert.equal(r, Math.min(n, before));
              got.push(...buf.subarray(0, r));
            }
          } else if (kind === 'peekSkip') {
            const buf = new Uint8Array(n);
            const r = m.peek(buf);
            if (r > 0) {
              assert.equal(m.pending(), before);
              assert.equal(m.skip(r), r);
              got.push(...buf.subarray(0, r));
            }
          } else {
            const v = m.readView(n);
            if (before === 0) assert.equal(v, null);
            else {
              assert.ok(v !== null && v.length >= 1 && v.length <= Math.min(n, before));
              got.push(...v);
            }
          }
          assert.equal(m.pending(), written.length - got.length);
        };
        for (const o of ops) {
          if (o.kind === 'write') {
            const data = o.data.slice(); // scribbled on below; keep fast-check's value intact for reports
            assert.equal(m.write(data), data.length);
            written.push(...data);
            data.fill(0xee); // the BIO must have copied
          } else take(o.kind, o.n);
          assert.equal(m.pending(), written.length - got.length);
        }
        if (endWithEof) m.setEof();
        const rest = new Uint8Array(m.pending() + 1);
        const r = m.read(rest);
        if (rest.length > 1) got.push(...rest.subarray(0, r));
        else assert.equal(r, endWithEof ? 0 : -1);
        assert.deepEqual(got, written);
        assert.equal(m.eof(), endWithEof);
      }),
      { numRuns: 300 },
    );
  });
});
