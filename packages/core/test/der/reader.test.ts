/**
 * der/reader: one test per strict-DER rule (each input differs from an accepted one by the rule it breaks), and
 * fast-check properties: random trees read back equal, and any single-byte mutation reads or throws DerError.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { type DerNode, encodeDer, encodeOidContent, MAX_DER_NODES, oidString, readDer, Tag, TagClass } from '#internal/der/reader';
import { DerError, MAX_DER_DEPTH } from '#internal/der/tlv';

const b = (...x: number[]): Uint8Array => Uint8Array.from(x);

/** Assert that `der` is rejected with a DerError whose message matches `reason`. */
function rejects(der: Uint8Array, reason: RegExp): void {
  assert.throws(
    () => readDer(der),
    (e: unknown) => e instanceof DerError && reason.test(e.message),
  );
}

describe('der/reader: readDer', () => {
  it('reads a SEQUENCE of primitives, keeping raw and content views', () => {
    const der = b(0x30, 0x08, 0x02, 0x01, 0x05, 0x01, 0x01, 0xff, 0x05, 0x00);
    const n = readDer(der);
    assert.equal(n.cls, TagClass.UNIVERSAL);
    assert.equal(n.tag, Tag.SEQUENCE);
    assert.equal(n.constructed, true);
    assert.deepEqual(n.raw, der);
    assert.deepEqual(
      n.children.map((c) => [c.tag, [...c.content]]),
      [
        [Tag.INTEGER, [5]],
        [Tag.BOOLEAN, [0xff]],
        [Tag.NULL, []],
      ],
    );
    assert.equal(n.children[0]?.raw.byteOffset, der.byteOffset + 2);
  });

  it('reads context-specific and long-form lengths (128 and 65536 content octets)', () => {
    const c = readDer(encodeDer(0xa3, encodeDer(0x04, new Uint8Array(128))));
    assert.equal(c.cls, TagClass.CONTEXT);
    assert.equal(c.tag, 3);
    assert.equal(c.children[0]?.content.length, 128);
    assert.equal(readDer(encodeDer(0x04, new Uint8Array(65536))).content.length, 65536);
  });

  describe('rejects, one rule each', () => {
    it('trailing bytes after the top-level element', () => rejects(b(0x05, 0x00, 0x00), /trailing bytes/));
    it('an empty input', () => rejects(b(), /truncated DER element/));
    it('a missing length octet', () => rejects(b(0x04), /truncated DER length/));
    it('the indefinite length form', () => rejects(b(0x30, 0x80, 0x05, 0x00, 0x00, 0x00), /indefinite length/));
    it('the long form for a length below 128', () => rejects(b(0x04, 0x81, 0x01, 0x00), /non-minimal DER length: long form below 128/));
    it('a leading zero length octet', () => rejects(b(0x04, 0x82, 0x00, 0x80, ...new Uint8Array(128)), /non-minimal DER length: leading zero/));
    it('more than 4 length octets', () => rejects(b(0x04, 0x85, 1, 0, 0, 0, 0), /DER length too large/));
    it('long-form length octets cut short', () => rejects(b(0x04, 0x82, 0x01), /truncated DER length/));
    it('a length past the end of the input', () => rejects(b(0x04, 0x02, 0x00), /exceeds the enclosing element/));
    it('a child running past its parent', () => rejects(b(0x30, 0x03, 0x04, 0x02, 0x00, 0x00), /exceeds the enclosing element/));
    it('the high tag number form', () => rejects(b(0x9f, 0x1f, 0x00), /high tag number form/));
    it('nesting deeper than MAX_DER_DEPTH', () => {
      let deep = b(0x05, 0x00);
      for (let i = 0; i <= MAX_DER_DEPTH; i++) deep = encodeDer(0x30, deep);
      rejects(deep, /nesting too deep/);
      readDer(deep.subarray(2)); // one level less (strip the outer 30 len) reads
    });
    it(`more than ${MAX_DER_NODES} elements`, () => {
      rejects(encodeDer(0x30, new Uint8Array(2 * MAX_DER_NODES).fill(0).map((_, i) => (i % 2 === 0 ? 0x05 : 0))), /too many DER elements/);
    });
    it('a redundant leading 0x00 INTEGER octet', () => rejects(b(0x02, 0x02, 0x00, 0x7f), /non-minimal INTEGER/));
    it('a redundant leading 0xFF INTEGER octet', () => rejects(b(0x02, 0x02, 0xff, 0x80), /non-minimal INTEGER/));
    it('an empty INTEGER', () => rejects(b(0x02, 0x00), /empty INTEGER/));
    it('a BOOLEAN other than 0x00/0xFF', () => rejects(b(0x01, 0x01, 0x01), /BOOLEAN is not DER/));
    it('a two-octet BOOLEAN', () => rejects(b(0x01, 0x02, 0x00, 0x00), /BOOLEAN is not DER/));
    it('BIT STRING unused bits above 7', () => rejects(b(0x03, 0x02, 0x08, 0x00), /unused bits above 7/));
    it('BIT STRING non-zero padding bits', () => rejects(b(0x03, 0x02, 0x03, 0x01), /padding is not zero/));
    it('an empty BIT STRING with unused bits', () => rejects(b(0x03, 0x01, 0x01), /empty BIT STRING with unused bits/));
    it('a BIT STRING without its unused-bits octet', () => rejects(b(0x03, 0x00), /without its unused-bits octet/));
    it('NULL with content', () => rejects(b(0x05, 0x01, 0x00), /NULL with content/));
    it('a constructed OCTET STRING', () => rejects(b(0x24, 0x03, 0x04, 0x01, 0x00), /must be primitive/));
    it('a primitive SEQUENCE', () => rejects(b(0x10, 0x00), /must be constructed/));
    it('an OID subidentifier with a leading 0x80', () => rejects(b(0x06, 0x02, 0x80, 0x01), /non-minimal OBJECT IDENTIFIER/));
    it('an unterminated OID subidentifier', () => rejects(b(0x06, 0x02, 0x2a, 0x86), /unterminated OBJECT IDENTIFIER/));
    it('an empty OID', () => rejects(b(0x06, 0x00), /empty OBJECT IDENTIFIER/));
  });

  it('accepts the boundary cases of those rules', () => {
    readDer(b(0x02, 0x02, 0x00, 0x80)); // 0x00 needed before a set top bit
    readDer(b(0x02, 0x02, 0xff, 0x7f)); // 0xFF needed before a clear top bit
    readDer(b(0x03, 0x02, 0x07, 0x80)); // 7 unused bits, zero padding
    readDer(b(0x03, 0x01, 0x00)); // empty BIT STRING
    readDer(b(0x01, 0x01, 0x00));
    readDer(encodeDer(0x04, new Uint8Array(127)));
  });
});

describe('der/reader: OBJECT IDENTIFIER', () => {
  it('decodes and encodes the three first arcs and large arcs', () => {
    for (const s of ['1.2.840.113549.1.1.11', '0.9.2342.19200300.100.1.25', '2.5.29.17', '2.999.3', `2.25.${2n ** 128n - 1n}`]) {
      assert.equal(oidString(encodeOidContent(s)), s);
    }
    assert.deepEqual(encodeOidContent('1.2.840.10045.3.1.7'), b(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07));
  });
  it('encodeOidContent refuses what is not a dotted OID', () => {
    assert.throws(() => encodeOidContent('3.1'), RangeError);
    assert.throws(() => encodeOidContent('1.40'), RangeError);
    assert.throws(() => encodeOidContent('1'), RangeError);
  });
});

/** A random DER tree, as the arbitrary that the round trip encodes. */
type Tree = { prim: number; bytes: Uint8Array } | { cons: number; kids: Tree[] };

const primitive: fc.Arbitrary<Tree> = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ prim: 0x04, bytes })), // OCTET STRING
  fc.uint8Array({ maxLength: 40 }).map((bytes) => ({ prim: 0x80 | 2, bytes })), // [2] IMPLICIT
  fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }).map((v) => ({ prim: 0x02, bytes: intContent(v) })),
  fc.boolean().map((v) => ({ prim: 0x01, bytes: b(v ? 0xff : 0) })),
);
const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    primitive,
    fc.record({ cons: fc.constantFrom(0x30, 0x31, 0xa0, 0xa3), kids: fc.array(tie('tree'), { maxLength: 5 }) }),
  ),
}));

/** Minimal two's-complement content of an INTEGER. */
function intContent(v: bigint): Uint8Array {
  const out: number[] = [];
  let x = v;
  for (;;) {
    out.unshift(Number(x & 0xffn));
    x >>= 8n;
    const top = (out[0] as number) & 0x80;
    if ((x === 0n && top === 0) || (x === -1n && top !== 0)) break;
  }
  return Uint8Array.from(out);
}

function encodeTree(t: Tree): Uint8Array {
  return 'prim' in t ? encodeDer(t.prim, t.bytes) : encodeDer(t.cons, ...t.kids.map(encodeTree));
}

function sameTree(n: DerNode, t: Tree): void {
  if ('prim' in t) {
    assert.equal(n.constructed, false);
    assert.equal((n.cls << 6) | n.tag, t.prim);
    assert.deepEqual([...n.content], [...t.bytes]);
  } else {
    assert.equal(n.constructed, true);
    assert.equal((n.cls << 6) | 0x20 | n.tag, t.cons);
    assert.equal(n.children.length, t.kids.length);
    for (const [i, k] of t.kids.entries()) sameTree(n.children[i] as DerNode, k);
  }
}

describe('der/reader: properties', () => {
  it('encodes random trees and reads them back equal, raw bytes included', () => {
    fc.assert(
      fc.property(tree, (t) => {
        const der = encodeTree(t);
        const n = readDer(der);
        sameTree(n, t);
        assert.deepEqual(n.raw, der);
      }),
      { numRuns: 300 },
    );
  });

  it('any single-byte mutation of an encoded tree reads, or throws DerError (never another exception)', () => {
    fc.assert(
      fc.property(tree, fc.nat(), fc.integer({ min: 1, max: 255 }), fc.nat(2), (t, at, x, how) => {
        const der = Array.from(encodeTree(t));
        const i = at % der.length;
        if (how === 0) der[i] = (der[i] as number) ^ x;
        else if (how === 1) der.splice(i, 1);
        else der.splice(i, 0, x);
        try {
          const n = readDer(Uint8Array.from(der));
          assert.equal(n.raw.length, der.length);
        } catch (e) {
          if (!(e instanceof DerError)) throw e;
        }
      }),
      { numRuns: 1000 },
    );
  });
});
