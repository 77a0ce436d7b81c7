/**
 * Bounded read cursor. Every read is checked against the end of the cursor; a read past it, or
 * `expectEnd()` with bytes left, throws a DECODE_ERROR `SslError` (RFC 8446 §6: decode_error).
 * `sub(n)` makes a child cursor that cannot read past its own length.
 */
import { SslError } from '../errors/ssl-error.js';

export class Reader {
  private pos: number;
  private readonly end: number;
  private readonly buf: Uint8Array;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  get offset(): number {
    return this.pos;
  }

  private need(n: number, what: string): void {
    if (n > this.end - this.pos) throw SslError.decode(`truncated ${what}`);
  }

  u8(what = 'u8'): number {
    this.need(1, what);
    return this.buf[this.pos++] as number;
  }

  u16(what = 'u16'): number {
    this.need(2, what);
    const v = ((this.buf[this.pos] as number) << 8) | (this.buf[this.pos + 1] as number);
    this.pos += 2;
    return v;
  }

  u24(what = 'u24'): number {
    this.need(3, what);
    const b = this.buf;
    const p = this.pos;
    const v = ((b[p] as number) << 16) | ((b[p + 1] as number) << 8) | (b[p + 2] as number);
    this.pos += 3;
    return v;
  }

  u32(what = 'u32'): number {
    this.need(4, what);
    const b = this.buf;
    const p = this.pos;
    const v = ((b[p] as number) * 0x1000000 + (((b[p + 1] as number) << 16) | ((b[p + 2] as number) << 8) | (b[p + 3] as number)));
    this.pos += 4;
    return v;
  }

  /** A view (not a copy) of the next n bytes. */
  bytes(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** opaque<lo..hi> with a 1-, 2- or 3-byte length prefix; the length must lie in [min, max]. */
  vec8(what = 'opaque', min = 0, max = 0xff): Uint8Array {
    const n = this.u8(what);
    if (n < min || n > max) throw SslError.decode(`bad length of ${what}`);
    return this.bytes(n, what);
  }
  vec16(what = 'opaque', min = 0, max = 0xffff): Uint8Array {
    const n = this.u16(what);
    if (n < min || n > max) throw SslError.decode(`bad length of ${what}`);
    return this.bytes(n, what);
  }
  vec24(what = 'opaque', min = 0, max = 0xffffff): Uint8Array {
    const n = this.u24(what);
    if (n < min || n > max) throw SslError.decode(`bad length of ${what}`);
    return this.bytes(n, what);
  }

  /** A child cursor over the next n bytes; this cursor moves past them. */
  sub(n: number, what = 'field'): Reader {
    this.need(n, what);
    const r = new Reader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }
  sub8(what = 'field', min = 0): Reader {
    const n = this.u8(what);
    if (n < min) throw SslError.decode(`bad length of ${what}`);
    return this.sub(n, what);
  }
  sub16(what = 'field', min = 0): Reader {
    const n = this.u16(what);
    if (n < min) throw SslError.decode(`bad length of ${what}`);
    return this.sub(n, what);
  }
  sub24(what = 'field', min = 0): Reader {
    const n = this.u24(what);
    if (n < min) throw SslError.decode(`bad length of ${what}`);
    return this.sub(n, what);
  }

  /** Trailing bytes are a decode error. */
  expectEnd(what = 'message'): void {
    if (this.pos !== this.end) throw SslError.decode(`trailing bytes in ${what}`);
  }
}
