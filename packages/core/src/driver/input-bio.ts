/**
 * `InputBio`: the driver's read BIO. It reads like a `MemoryBio` (BIO_s_mem: `read` copies and consumes, `peek`
 * copies, -1 with `shouldRetry()` when empty, 0 once `setEof()` was called and everything was read), and it can
 * also `adopt` bytes without copying them: a transport that hands over fresh buffers (a `net.Socket`'s 'data'
 * chunks) then costs no copy and no second allocation per chunk.
 *
 * Rules
 * - `write` copies (the caller may reuse its buffer); `adopt` keeps a view, so its caller must never change those
 *   bytes afterwards.
 * - A queue of chunks with an offset into the head one: reads cost O(bytes moved), never O(bytes buffered). A
 *   consumed chunk is released at once; a drained BIO holds nothing.
 */
import { assertBytes, type Bio } from '../bio/bio.js';

const EMPTY = new Uint8Array(0);

export class InputBio implements Bio {
  #chunks: Uint8Array[] = [];
  #head = 0;
  #headOff = 0;
  #length = 0;
  #eof = false;
  #retry = false;

  /** Append a copy of `data`; returns `data.length`. */
  write(data: Uint8Array): number {
    assertBytes(data, 'data');
    if (data.length) this.adopt(data.slice());
    return data.length;
  }

  /** Append `view` itself, not a copy (its bytes must never change afterwards). */
  adopt(view: Uint8Array): void {
    if (view.length === 0) return;
    this.#retry = false;
    this.#chunks.push(view);
    this.#length += view.length;
  }

  /** Copy up to `buf.length` bytes into `buf` and consume them: the count, 0 at EOF, -1 (retry) when empty. */
  read(buf: Uint8Array): number {
    this.#retry = false;
    if (this.#length === 0) return this.#emptyResult();
    const n = this.#copyOut(buf);
    this.#consume(n);
    return n;
  }

  /** As `read`, without consuming. */
  peek(buf: Uint8Array): number {
    this.#retry = false;
    if (this.#length === 0) return this.#emptyResult();
    return this.#copyOut(buf);
  }

  /** Bytes waiting. */
  pending(): number {
    return this.#length;
  }

  /** True after a read that found nothing while not at EOF. */
  shouldRetry(): boolean {
    return this.#retry;
  }

  /** `setEof()` was called and every byte has been read. */
  eof(): boolean {
    return this.#eof && this.#length === 0;
  }

  /** The input ended: once drained, reads return 0, not -1. */
  setEof(): void {
    this.#eof = true;
  }

  #emptyResult(): number {
    if (this.#eof) return 0;
    this.#retry = true;
    return -1;
  }

  #copyOut(buf: Uint8Array): number {
    const want = Math.min(buf.length, this.#length);
    let copied = 0;
    let i = this.#head;
    let off = this.#headOff;
    while (copied < want) {
      const chunk = this.#chunks[i] as Uint8Array;
      const take = Math.min(chunk.length - off, want - copied);
      buf.set(off === 0 && take === chunk.length ? chunk : chunk.subarray(off, off + take), copied);
      copied += take;
      i++;
      off = 0;
    }
    return copied;
  }

  #consume(n: number): void {
    this.#length -= n;
    let left = n;
    while (left > 0) {
      const chunk = this.#chunks[this.#head] as Uint8Array;
      const avail = chunk.length - this.#headOff;
      if (left < avail) {
        this.#headOff += left;
        return;
      }
      left -= avail;
      this.#chunks[this.#head] = EMPTY; // release the bytes to the GC
      this.#head++;
      this.#headOff = 0;
    }
    if (this.#head === this.#chunks.length) {
      this.#chunks.length = 0;
      this.#head = 0;
    } else if (this.#head >= 64 && this.#head * 2 >= this.#chunks.length) {
      this.#chunks.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
