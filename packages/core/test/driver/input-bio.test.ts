/**
 * InputBio reads exactly like MemoryBio (BIO_s_mem), whatever mix of copied and adopted writes, and `adopt`
 * keeps the caller's bytes without a copy.
 */
import { strict as assert } from 'node:assert';
import { MemoryBio } from '#internal/bio/memory-bio';
import { InputBio } from '#internal/driver/input-bio';

/** A small deterministic PRNG (xorshift32), so a failure replays. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

describe('InputBio', () => {
  it('matches MemoryBio on random writes, adopts, reads, peeks and EOF (return values, bytes, pending, retry, eof)', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const r = rng(seed);
      const ref = new MemoryBio();
      const bio = new InputBio();
      let next = 0;
      for (let step = 0; step < 300; step++) {
        const op = r();
        if (op < 0.4) {
          const data = Uint8Array.from({ length: Math.floor(r() * 3000) }, () => next++ & 0xff);
          ref.write(data);
          if (r() < 0.5) bio.write(data);
          else bio.adopt(data.slice());
        } else if (op < 0.8 || op >= 0.98) {
          const size = 1 + Math.floor(r() * 5000);
          const a = new Uint8Array(size);
          const b = new Uint8Array(size);
          const peek = r() < 0.3;
          const na = peek ? ref.peek(a) : ref.read(a);
          const nb = peek ? bio.peek(b) : bio.read(b);
          assert.equal(nb, na, `seed ${seed} step ${step}`);
          assert.deepEqual(b, a);
        } else if (op < 0.82) {
          ref.setEof();
          bio.setEof();
        }
        assert.equal(bio.pending(), ref.pending());
        assert.equal(bio.shouldRetry(), ref.shouldRetry());
        assert.equal(bio.eof(), ref.eof());
      }
    }
  });

  it('adopt keeps the view (no copy); write copies', () => {
    const bio = new InputBio();
    const adopted = Uint8Array.of(1, 2, 3);
    bio.adopt(adopted);
    adopted[0] = 9; // only to show the view is kept: a transport that adopts never does this
    const copied = Uint8Array.of(4, 5);
    bio.write(copied);
    copied[0] = 0;
    const out = new Uint8Array(5);
    assert.equal(bio.read(out), 5);
    assert.deepEqual(out, Uint8Array.of(9, 2, 3, 4, 5));
    assert.equal(bio.read(out), -1);
    assert.equal(bio.shouldRetry(), true);
  });
});
