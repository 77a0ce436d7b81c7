import { strict as assert } from 'node:assert';
import { Reader } from '#internal/wire/reader';
import { Writer } from '#internal/wire/writer';

describe('wire Reader/Writer', () => {
  it('round-trips integers and length-prefixed vectors with back-patched lengths', () => {
    const w = new Writer(4);
    w.u8(1).u16(0x0203).u24(0x040506).u32(0x0708090a);
    w.begin(2).vec8(new Uint8Array([9, 9])).end();
    const r = new Reader(w.finish());
    assert.equal(r.u8(), 1);
    assert.equal(r.u16(), 0x0203);
    assert.equal(r.u24(), 0x040506);
    assert.equal(r.u32(), 0x0708090a);
    const sub = r.sub16();
    assert.deepEqual([...sub.vec8()], [9, 9]);
    sub.expectEnd();
    r.expectEnd();
  });

  it('refuses to read past a child cursor and reports trailing bytes as decode errors', () => {
    const r = new Reader(new Uint8Array([0, 1, 7, 8]));
    const sub = r.sub16();
    assert.equal(sub.u8(), 7);
    assert.throws(() => sub.u16(), (e: Error & { reason?: string }) => e.reason === 'BAD_PACKET');
    assert.throws(() => r.expectEnd(), (e: Error & { reason?: string }) => e.reason === 'BAD_PACKET');
  });
});
