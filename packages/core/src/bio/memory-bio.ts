/**
 * MemoryBio: OpenSSL's `BIO_s_mem`, an unbounded FIFO of bytes.
 *
 * Semantics (measured against libcrypto 3.0.19, `BIO_new(BIO_s_mem())`):
 * - `write(data)` always takes every byte and returns `data.length`; an empty write returns `0`
 *   and leaves `shouldRetry()` unchanged. Bytes are copied, so the caller may reuse `data`.
 * - `read(buf)` copies `min(buf.length, pending())` bytes and consumes them. When nothing is buffered it
 *   returns `-1` with `shouldRetry()` true (OpenSSL's default `mem_eof` of -1), or `0` once `setEof()`
 *   was called (`BIO_set_mem_eof_return(b, 0)`). A zero-length `buf` returns `0` while bytes are
 *   buffered, else the empty result above, as `mem_read` does.
 * - `setEof()` does not stop writes (OpenSSL's flag only changes what an empty read returns); bytes
 *   written later are still read before the EOF is reported.
 * - `eof()` is true only after `setEof()` and once everything is read: "end of stream". This differs
 *   from OpenSSL's `BIO_eof` on a mem BIO, which reports merely "empty"; an engine needs end of stream,
 *   and this matches `BIO_eof` on a BIO pair.
 *
 * Implementation: a queue of chunk views with an offset into the head chunk, so writes and reads cost
 * O(bytes moved), never O(bytes buffered). Small writes that queue up behind others are packed into shared
 * 4 KiB blocks; a drained BIO keeps no buffer. Bytes are never overwritten once written, which is what makes
 * the zero-copy `readView` safe.
 *
 * Extensions to OpenSSL's API (not in BIO_s_mem): `peek`, `skip`, `readView` and `adopt` (append without a copy).
 */
import { assertBytes, type Bio } from './bio.js';

/** Writes shorter than this are packed into a shared block instead of getting their own chunk. */
const PACK_BELOW = 512;
const BLOCK_SIZE = 4096;
const EMPTY = new Uint8Array(0);

export class MemoryBio implements Bio {
  /** Chunk views, oldest first; live from index #head. */
  #chunks: Uint8Array[] = [];
  #head = 0;
  /** Bytes of `#chunks[#head]` already consumed. */
  #headOff = 0;
  #length = 0;
  /**
   * Block with spare room for packed small writes. Invariant: when non-null and chunks are live, the
   * last chunk is `#block.subarray(#blockStart, #blockEnd)`.
   */
  #block: Uint8Array | null = null;
  #blockStart = 0;
  #blockEnd = 0;
  #eof = false;
  #retry = false;

  /**
   * Append a copy of `data`.
   * @returns `data.length` (0 for empty data).
   * @throws {TypeError} if `data` is not a Uint8Array.
   * @example
   * const bio = new MemoryBio();
   * bio.write(new Uint8Array([1, 2, 3])); // 3
   */
  write(data: Uint8Array): number {
    assertBytes(data, 'data');
    const n = data.length;
    if (n === 0) return 0;
    this.#retry = false;
    const block = this.#block;
    if (block !== null && block.length - this.#blockEnd >= n) {
      block.set(data, this.#blockEnd);
      if (this.#head < this.#chunks.length) {
        // The block's view is the last live chunk: extend it (same start, so #headOff stays valid).
        this.#blockEnd += n;
        this.#chunks[this.#chunks.length - 1] = block.subarray(this.#blockStart, this.#blockEnd);
      } else {
        this.#blockStart = this.#blockEnd;
        this.#blockEnd += n;
        this.#chunks.push(block.subarray(this.#blockStart, this.#blockEnd));
      }
    } else if (n < PACK_BELOW && this.#head < this.#chunks.length) {
      // Packing starts with the second small write waiting in the BIO: a lone write gets an exact copy.
      const fresh = new Uint8Array(BLOCK_SIZE);
      fresh.set(data);
      this.#block = fresh;
      this.#blockStart = 0;
      this.#blockEnd = n;
      this.#chunks.push(fresh.subarray(0, n));
    } else {
      this.#block = null;
      this.#chunks.push(data.slice());
    }
    this.#length += n;
    return n;
  }

  /**
   * Extension: append `view` itself, not a copy. The caller gives the bytes away and must never change them
   * afterwards (as a `net.Socket`'s 'data' chunks, which Node allocates fresh per read): a transport that can
   * promise that saves a copy and an allocation per chunk. Reads are the same as after `write`.
   * @throws {TypeError} if `view` is not a Uint8Array.
   */
  adopt(view: Uint8Array): void {
    assertBytes(view, 'view');
    if (view.length === 0) return;
    this.#retry = false;
    this.#block = null; // the packing block's view is no longer the last chunk
    this.#chunks.push(view);
    this.#length += view.length;
  }

  /**
   * Copy up to `buf.length` bytes into `buf` and consume them.
   * @returns bytes copied; `0` at EOF (after `setEof()`); `-1` with `shouldRetry()` when empty.
   * @throws {TypeError} if `buf` is not a Uint8Array.
   */
  read(buf: Uint8Array): number {
    assertBytes(buf, 'buf');
    this.#retry = false;
    if (this.#length === 0) return this.#emptyResult();
    const n = this.#copyOut(buf);
    this.#consume(n);
    return n;
  }

  /**
   * Extension: copy up to `buf.length` bytes into `buf` without consuming them.
   * @returns as `read`.
   * @throws {TypeError} if `buf` is not a Uint8Array.
   */
  peek(buf: Uint8Array): number {
    assertBytes(buf, 'buf');
    this.#retry = false;
    if (this.#length === 0) return this.#emptyResult();
    return this.#copyOut(buf);
  }

  /**
   * Extension: discard up to `n` buffered bytes (typically after `peek`).
   * @returns bytes discarded (`min(n, pending())`).
   * @throws {RangeError} if `n` is not a non-negative integer.
   */
  skip(n: number): number {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('skip count must be a non-negative integer');
    const k = Math.min(n, this.#length);
    this.#consume(k);
    return k;
  }

  /**
   * Extension, zero-copy read: consume and return a view of up to `max` bytes from the front. The view
   * covers one internal chunk, so it may be shorter than `min(max, pending())`; call again for more.
   * The bytes behind a returned view are never overwritten by the BIO, so it stays valid forever.
   * @returns the view, or `null` when nothing is buffered (then `shouldRetry()` is true unless `eof()`).
   * @throws {RangeError} if `max` is not an integer >= 1 (or Infinity).
   */
  readView(max: number = Number.POSITIVE_INFINITY): Uint8Array | null {
    if (!(max === Number.POSITIVE_INFINITY || (Number.isSafeInteger(max) && max >= 1))) {
      throw new RangeError('readView max must be an integer >= 1');
    }
    this.#retry = false;
    if (this.#length === 0) {
      this.#emptyResult();
      return null;
    }
    const chunk = this.#chunks[this.#head] as Uint8Array;
    const end = Math.min(chunk.length, this.#headOff + max);
    const view = chunk.subarray(this.#headOff, end);
    this.#consume(view.length);
    return view;
  }

  /** Bytes waiting to be read (BIO_ctrl_pending). */
  pending(): number {
    return this.#length;
  }

  /** True after a read that found nothing while not at EOF (BIO_should_retry). */
  shouldRetry(): boolean {
    return this.#retry;
  }

  /** End of stream: `setEof()` was called and every byte has been read. */
  eof(): boolean {
    return this.#eof && this.#length === 0;
  }

  /**
   * Mark the end of the stream (the transport closed): once drained, reads return `0`, not `-1`.
   * Equivalent to `BIO_set_mem_eof_return(bio, 0)`.
   */
  setEof(): void {
    this.#eof = true;
  }

  #emptyResult(): number {
    if (this.#eof) return 0;
    this.#retry = true;
    return -1;
  }

  /** Copy from the front into `buf` without consuming; returns the count. */
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
      // Drained: drop the packing block too, so an idle BIO holds no buffer (readers may keep views of it).
      this.#chunks.length = 0;
      this.#head = 0;
      this.#block = null;
    } else if (this.#head >= 64 && this.#head * 2 >= this.#chunks.length) {
      this.#chunks.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
