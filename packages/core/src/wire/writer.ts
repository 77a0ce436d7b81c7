/** Growable write cursor with length back-patching (`begin8/16/24` ... `end`). */

export class Writer {
  private buf: Uint8Array;
  private pos = 0;
  private readonly marks: { at: number; size: number }[] = [];

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.pos));
    this.buf = nb;
  }

  get length(): number {
    return this.pos;
  }

  u8(v: number): this {
    this.room(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }
  u16(v: number): this {
    this.room(2);
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }
  u24(v: number): this {
    this.room(3);
    this.buf[this.pos++] = (v >>> 16) & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }
  u32(v: number): this {
    this.room(4);
    this.buf[this.pos++] = (v >>> 24) & 0xff;
    this.buf[this.pos++] = (v >>> 16) & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }
  vec8(b: Uint8Array): this {
    return this.u8(b.length).bytes(b);
  }
  vec16(b: Uint8Array): this {
    return this.u16(b.length).bytes(b);
  }
  vec24(b: Uint8Array): this {
    return this.u24(b.length).bytes(b);
  }

  /** Open a length prefix of `size` bytes, patched by the matching `end()`. */
  begin(size: 1 | 2 | 3): this {
    this.room(size);
    this.marks.push({ at: this.pos, size });
    this.pos += size;
    return this;
  }
  end(): this {
    const m = this.marks.pop();
    if (!m) throw new Error('Writer.end() without begin()');
    const n = this.pos - m.at - m.size;
    if (n >= 2 ** (8 * m.size)) throw new RangeError('length prefix overflow');
    for (let i = 0; i < m.size; i++) this.buf[m.at + i] = (n >>> (8 * (m.size - 1 - i))) & 0xff;
    return this;
  }

  /** The bytes written so far (a copy, safe to keep). */
  finish(): Uint8Array {
    if (this.marks.length) throw new Error('Writer.finish() with open length prefixes');
    return this.buf.slice(0, this.pos);
  }
}
