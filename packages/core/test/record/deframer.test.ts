/**
 * The record deframer (record/deframer.ts): exact reads, header-time checks, split input.
 */
import { strict as assert } from 'node:assert';
import { SslError } from '#internal/errors/ssl-error';
import { Deframer, type DeframerPolicy } from '#internal/record/deframer';

function policy(p: Partial<{ max: number; http: boolean; strict: boolean }> = {}): DeframerPolicy {
  return { maxRecordBody: () => p.max ?? 1 << 14, detectsHttp: () => p.http ?? false, strictVersion: () => p.strict ?? false };
}

/** Push `bytes` through the deframer one byte at a time; returns the records completed. */
function byteAtATime(d: Deframer, bytes: Uint8Array): { header: Uint8Array; body: Uint8Array }[] {
  const out: { header: Uint8Array; body: Uint8Array }[] = [];
  for (const b of bytes) {
    const buf = d.wanted();
    assert.ok(buf.length > 0);
    buf[0] = b;
    if (d.filled(1)) {
      const r = d.take();
      out.push({ header: r.header, body: r.body.slice() });
    }
  }
  return out;
}

const isReason = (reason: string) => (e: unknown) => e instanceof SslError && e.reason === reason;

describe('Deframer', () => {
  it('asks for exactly the rest of the header, then exactly the rest of the body', () => {
    const d = new Deframer(policy());
    assert.equal(d.wanted().length, 5);
    d.wanted().set([23, 3, 3, 0, 10]);
    assert.equal(d.filled(5), false);
    assert.equal(d.wanted().length, 10);
    d.wanted().set([1, 2, 3]);
    assert.equal(d.filled(3), false);
    assert.equal(d.wanted().length, 7);
    d.wanted().fill(9);
    assert.equal(d.filled(7), true);
    assert.equal(d.ready, true);
    const r = d.take();
    assert.deepEqual([...r.header], [23, 3, 3, 0, 10]);
    assert.deepEqual([...r.body], [1, 2, 3, 9, 9, 9, 9, 9, 9, 9]);
    assert.equal(d.idle, true);
  });

  it('byte-at-a-time input gives the same records as whole input, an empty body included', () => {
    const wire = new Uint8Array([22, 3, 1, 0, 2, 0xaa, 0xbb, 23, 3, 3, 0, 0, 21, 3, 3, 0, 1, 7]);
    const recs = byteAtATime(new Deframer(policy()), wire);
    assert.deepEqual(
      recs.map((r) => [[...r.header], [...r.body]]),
      [
        [[22, 3, 1, 0, 2], [0xaa, 0xbb]],
        [[23, 3, 3, 0, 0], []],
        [[21, 3, 3, 0, 1], [7]],
      ],
    );
  });

  it('a bad length is refused when the header completes, before any body byte is buffered', () => {
    const d = new Deframer(policy());
    const header = [22, 3, 3, 0x40, 0x01];
    for (let i = 0; i < 4; i++) {
      d.wanted()[0] = header[i] as number;
      assert.equal(d.filled(1), false);
    }
    d.wanted()[0] = header[4] as number;
    assert.throws(() => d.filled(1), isReason('PACKET_LENGTH_TOO_LONG'));
    assert.equal(d.wanted().length, 0, 'no body buffer was set up');
    const e = new Deframer(policy({ max: (1 << 14) + 256 }));
    e.wanted().set([23, 3, 3, 0x41, 0x01]);
    assert.throws(() => e.filled(5), isReason('ENCRYPTED_LENGTH_TOO_LONG'));
  });

  it('checks type and version at header time', () => {
    const check = (h: number[], p: DeframerPolicy, reason: string) => {
      const d = new Deframer(p);
      d.wanted().set(h);
      assert.throws(() => d.filled(5), isReason(reason), `${h} -> ${reason}`);
    };
    check([24, 3, 3, 0, 1], policy(), 'BAD_RECORD_TYPE');
    check([24, 2, 3, 0, 1], policy(), 'WRONG_VERSION_NUMBER');
    check([23, 4, 3, 0, 1], policy(), 'WRONG_VERSION_NUMBER');
    check([23, 3, 1, 0, 1], policy({ strict: true }), 'WRONG_VERSION_NUMBER');
    const lax = new Deframer(policy());
    lax.wanted().set([23, 3, 1, 0, 1]);
    assert.equal(lax.filled(5), false, 'before the version is settled only the major byte is checked');
    const enc = (s: string) => [...s].map((c) => c.charCodeAt(0));
    check(enc('GET /'), policy({ http: true }), 'HTTP_REQUEST');
    check(enc('CONNE'), policy({ http: true }), 'HTTPS_PROXY_REQUEST');
    check(enc('GET /'), policy(), 'WRONG_VERSION_NUMBER');
  });
});
