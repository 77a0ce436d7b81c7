/**
 * MemoryBio.adopt (the driver's zero-copy input): a BIO fed by any mix of `write` and `adopt` reads exactly like
 * one fed by `write` alone, and `adopt` keeps the caller's bytes without a copy.
 */
import { strict as assert } from 'node:assert';
import { MemoryBio } from '#internal/bio/memory-bio';

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

describe('MemoryBio.adopt', () => {
  it('reads as if written: random writes, adopts, reads, peeks and EOF against a write-only MemoryBio (return values, bytes, pending, retry, eof)', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const r = rng(seed);
      const ref = new MemoryBio();
      const bio = new MemoryBio();
      let next = 0;
      for (let step = 0; step < 300; step++) {
        const op = r();
        if (op < 0.4) {
          // Sizes below and above the 512-byte packing threshold, so adopted chunks land between packed blocks.
          const data = Uint8Array.from({ length: Math.floor(r() < 0.5 ? r() * 600 : r() * 3000) }, () => next++ & 0xff);
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
    const bio = new MemoryBio();
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

  it('adopt after small packed writes: the bytes keep their order and later small writes do not overwrite them', () => {
    const bio = new MemoryBio();
    bio.write(Uint8Array.of(1));
    bio.write(Uint8Array.of(2)); // packing block started
    bio.adopt(Uint8Array.of(3, 4));
    bio.write(Uint8Array.of(5)); // must not go into the old block behind the adopted view
    const out = new Uint8Array(8);
    assert.equal(bio.read(out), 5);
    assert.deepEqual(out.subarray(0, 5), Uint8Array.of(1, 2, 3, 4, 5));
  });

  it('adopt throws a TypeError on a non-Uint8Array and leaves the BIO as it was', () => {
    const bio = new MemoryBio();
    bio.write(Uint8Array.of(7));
    assert.throws(() => bio.adopt('x' as unknown as Uint8Array), TypeError);
    assert.equal(bio.pending(), 1);
  });
});
