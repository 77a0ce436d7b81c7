/**
 * HandshakeReassembler: messages come out whole and in order however the stream is split, the size limit holds
 * at header time, and the work is linear in the bytes pushed (a 100 KiB message in 1-byte fragments once cost
 * a copy of the whole buffer per fragment: quadratic).
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { SslError } from '#internal/errors/ssl-error';
import { HandshakeReassembler } from '#internal/wire/handshake';

function frame(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  out.set([type, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]);
  out.set(body, 4);
  return out;
}

/** Bytes copied by Uint8Array.prototype.set / slice while fn runs (test/util/copy-meter.ts, inlined: core tests stand alone). */
function bytesCopiedBy(fn: () => void): number {
  const proto = Uint8Array.prototype as unknown as Record<string, unknown>;
  const set = Uint8Array.prototype.set;
  const slice = Uint8Array.prototype.slice;
  let copied = 0;
  proto.set = function (this: Uint8Array, src: ArrayLike<number>, offset?: number): void {
    copied += src.length;
    set.call(this, src, offset);
  };
  proto.slice = function (this: Uint8Array, start?: number, end?: number): Uint8Array {
    const r = slice.call(this, start, end);
    copied += r.length;
    return r;
  };
  try {
    fn();
  } finally {
    delete proto.set;
    delete proto.slice;
  }
  return copied;
}

describe('wire HandshakeReassembler', () => {
  it('property: any split of any message sequence yields the same messages, in order, with nothing left over', () => {
    const msg = fc.record({ type: fc.integer({ min: 0, max: 255 }), body: fc.uint8Array({ maxLength: 3000 }) });
    fc.assert(
      fc.property(fc.array(msg, { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 50 }), (msgs, cuts) => {
        const stream = new Uint8Array(msgs.reduce((n, m) => n + 4 + m.body.length, 0));
        let o = 0;
        for (const m of msgs) {
          stream.set(frame(m.type, m.body), o);
          o += 4 + m.body.length;
        }
        const r = new HandshakeReassembler(1 << 20);
        const got: { type: number; body: Uint8Array; raw: Uint8Array }[] = [];
        let pos = 0;
        for (let i = 0; pos < stream.length; i++) {
          const n = cuts[i % cuts.length] as number;
          // The caller may reuse its buffer after push: scribble over the fragment to prove it was copied.
          const frag = stream.slice(pos, pos + n);
          r.push(frag);
          frag.fill(0xee);
          pos += n;
          for (let m = r.next(); m; m = r.next()) got.push(m);
          const whole = got.reduce((k, m) => k + m.raw.length, 0);
          assert.equal(r.buffered, Math.min(pos, stream.length) - whole, 'buffered = bytes pushed and not returned');
        }
        assert.equal(got.length, msgs.length);
        got.forEach((m, i) => {
          assert.equal(m.type, msgs[i]?.type);
          assert.deepEqual(m.body, msgs[i]?.body);
          assert.deepEqual(m.raw, frame(m.type, m.body));
        });
        assert.equal(r.buffered, 0);
      }),
      { numRuns: 300 },
    );
  });

  it('a header announcing more than the limit throws EXCESSIVE_MESSAGE_SIZE as soon as its 4 bytes are in, whatever the split', () => {
    for (const split of [1, 2, 3, 4]) {
      const r = new HandshakeReassembler(1000);
      const hdr = new Uint8Array([1, 0, 0x03, 0xe9]); // 1001 bytes
      for (let i = 0; i < 4; i += split) {
        r.push(hdr.subarray(i, Math.min(4, i + split)));
        if (i + split < 4) assert.equal(r.next(), null);
      }
      assert.throws(() => r.next(), (e: unknown) => e instanceof SslError && e.reason === 'EXCESSIVE_MESSAGE_SIZE');
      // Exactly at the limit is fine: the reassembler waits for the body.
      const ok = new HandshakeReassembler(1000);
      ok.push(new Uint8Array([1, 0, 0x03, 0xe8]));
      assert.equal(ok.next(), null);
    }
  });

  it('messages before an oversized header are still returned first', () => {
    const r = new HandshakeReassembler(10);
    r.push(new Uint8Array([...frame(20, new Uint8Array(3)), 1, 0, 0, 11]));
    assert.equal(r.next()?.type, 20);
    assert.throws(() => r.next(), (e: unknown) => e instanceof SslError && e.reason === 'EXCESSIVE_MESSAGE_SIZE');
  });

  it('work is linear: a 100 KiB message in 1-byte fragments copies at most 4 bytes per byte pushed', () => {
    const body = new Uint8Array(102400 - 4).map((_, i) => i & 0xff);
    const stream = frame(1, body);
    const r = new HandshakeReassembler(102400);
    let out: Uint8Array | undefined;
    const copied = bytesCopiedBy(() => {
      for (let i = 0; i < stream.length; i++) {
        r.push(stream.subarray(i, i + 1));
        const m = r.next();
        if (m) out = m.raw;
      }
    });
    assert.deepEqual(out, stream);
    // The quadratic version copied about n^2/2 = 5.2e9 bytes here.
    assert.ok(copied <= 4 * stream.length, `${copied} bytes copied for ${stream.length} pushed`);
  });

  it('work is linear for every fragment size', () => {
    const stream = new Uint8Array(200 * 1024);
    let o = 0;
    while (o + 4 <= stream.length) {
      const len = Math.min(stream.length - o - 4, 1 + ((o * 7919) % 5000));
      stream.set(frame(22, new Uint8Array(len).fill(o & 0xff)), o);
      o += 4 + len;
    }
    const total = o;
    for (const size of [1, 3, 100, 4096, 16384]) {
      const r = new HandshakeReassembler(1 << 20);
      let got = 0;
      const copied = bytesCopiedBy(() => {
        for (let i = 0; i < total; i += size) {
          r.push(stream.subarray(i, Math.min(total, i + size)));
          for (let m = r.next(); m; m = r.next()) got += m.raw.length;
        }
      });
      assert.equal(got, total);
      assert.ok(copied <= 4 * total, `fragments of ${size}: ${copied} bytes copied for ${total} pushed`);
    }
  });

  it('messages whole in one fragment are views of its copy: one copy per byte in all', () => {
    const frags: Uint8Array[] = [];
    for (let i = 0; i < 4; i++) {
      const f = new Uint8Array(16384);
      for (let o = 0; o < f.length; o += 64) f.set(frame(20, new Uint8Array(60).fill(i)), o);
      frags.push(f);
    }
    const r = new HandshakeReassembler(1 << 20);
    let n = 0;
    const copied = bytesCopiedBy(() => {
      for (const f of frags) {
        r.push(f);
        for (let m = r.next(); m; m = r.next()) n++;
      }
    });
    assert.equal(n, 4 * 256);
    assert.equal(copied, 4 * 16384);
  });
});
