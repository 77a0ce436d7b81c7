/**
 * newBioPair: OpenSSL's `BIO_new_bio_pair`, two connected ends with bounded buffers.
 *
 * Semantics (measured against libcrypto 3.0.19):
 * - Bytes written at one end are read at the other, in order. Each end owns one ring buffer of its
 *   `size` holding what it wrote and the peer has not read yet, so `size1` bounds what end 1 can have
 *   outstanding at end 2 (`wpending() <= size`).
 * - `write(data)` takes `min(data.length, guarantee())` bytes (partial writes). With the buffer full it
 *   returns `-1` with `shouldRetry()` true. After this end's own `shutdownWr()` it returns `-1` with
 *   `shouldRetry()` false (OpenSSL raises BIO_R_BROKEN_PIPE; nothing is thrown here). An empty write
 *   returns `0` and leaves the retry flag as it was.
 * - `read(buf)` takes `min(buf.length, pending())` bytes. With nothing buffered it returns `-1` with
 *   `shouldRetry()` true and records a read request, or `0` (EOF) once the peer called `shutdownWr()`.
 *   A zero-length `buf` returns `0`, as `bio_read` does.
 * - `shutdownWr()` (BIO_shutdown_wr) is one-way: the peer may still write to this end.
 */
import { assertBytes, type BioPairEnd } from './bio.js';

/** OpenSSL's default bio-pair buffer size (a size of 0 passed to BIO_new_bio_pair). */
export const DEFAULT_BIO_PAIR_SIZE = 17 * 1024;

class PairEnd implements BioPairEnd {
  readonly size: number;
  /** Ring buffer of bytes written here and not yet read by the peer; allocated on first write. */
  #buf: Uint8Array | null = null;
  #start = 0;
  #len = 0;
  #closed = false;
  #request = 0;
  #retry = false;
  #peer: PairEnd = this;

  constructor(size: number) {
    this.size = size;
  }

  /** @internal Connect two ends (newBioPair only). */
  static connect(a: PairEnd, b: PairEnd): void {
    a.#peer = b;
    b.#peer = a;
  }

  write(data: Uint8Array): number {
    assertBytes(data, 'data');
    if (data.length === 0) return 0;
    this.#retry = false;
    this.#request = 0;
    if (this.#closed) return -1;
    const free = this.size - this.#len;
    if (free === 0) {
      this.#retry = true;
      return -1;
    }
    const n = Math.min(data.length, free);
    this.#buf ??= new Uint8Array(this.size);
    const buf = this.#buf;
    const pos = (this.#start + this.#len) % this.size;
    const first = Math.min(n, this.size - pos);
    buf.set(first === data.length ? data : data.subarray(0, first), pos);
    if (n > first) buf.set(data.subarray(first, n), 0);
    this.#len += n;
    return n;
  }

  read(buf: Uint8Array): number {
    assertBytes(buf, 'buf');
    this.#retry = false;
    const p = this.#peer;
    p.#request = 0;
    if (buf.length === 0) return 0;
    if (p.#len === 0) {
      if (p.#closed) return 0;
      this.#retry = true;
      p.#request = Math.min(buf.length, p.size);
      return -1;
    }
    const ring = p.#buf as Uint8Array;
    const n = Math.min(buf.length, p.#len);
    const first = Math.min(n, p.size - p.#start);
    buf.set(ring.subarray(p.#start, p.#start + first), 0);
    if (n > first) buf.set(ring.subarray(0, n - first), first);
    p.#len -= n;
    p.#start = p.#len === 0 ? 0 : (p.#start + n) % p.size;
    return n;
  }

  /**
   * Extension: copy up to `buf.length` readable bytes into `buf` without consuming them (no retry flag, no
   * read request). Lets an engine look at whole records before taking them.
   * @returns bytes copied (0 when nothing is buffered).
   */
  peek(buf: Uint8Array): number {
    assertBytes(buf, 'buf');
    const p = this.#peer;
    if (p.#len === 0 || buf.length === 0) return 0;
    const ring = p.#buf as Uint8Array;
    const n = Math.min(buf.length, p.#len);
    const first = Math.min(n, p.size - p.#start);
    buf.set(ring.subarray(p.#start, p.#start + first), 0);
    if (n > first) buf.set(ring.subarray(0, n - first), first);
    return n;
  }

  pending(): number {
    return this.#peer.#len;
  }

  wpending(): number {
    return this.#len;
  }

  guarantee(): number {
    return this.#closed ? 0 : this.size - this.#len;
  }

  writeGuarantee(): number {
    return this.guarantee();
  }

  readRequest(): number {
    return this.#request;
  }

  shouldRetry(): boolean {
    return this.#retry;
  }

  eof(): boolean {
    return this.#peer.#len === 0 && this.#peer.#closed;
  }

  shutdownWr(): void {
    this.#closed = true;
  }
}

function checkSize(size: unknown, name: string): number {
  if (typeof size !== 'number') throw new TypeError(`${name} must be a number`);
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`${name} must be an integer >= 1, got ${size}`);
  return size;
}

/**
 * Create a connected BIO pair (BIO_new_bio_pair).
 * @param size1 - how many bytes end 1 may have written and not yet read at end 2 (default 17 KiB,
 *   OpenSSL's default).
 * @param size2 - the same for end 2 (defaults to `size1`).
 * @returns `[end1, end2]`.
 * @throws {TypeError} if a size is not a number. @throws {RangeError} if a size is not an integer >= 1.
 * @example
 * const [client, server] = newBioPair();
 * client.write(new TextEncoder().encode('hi')); // 2
 * server.read(new Uint8Array(16));               // 2
 */
export function newBioPair(size1: number = DEFAULT_BIO_PAIR_SIZE, size2: number = size1): [BioPairEnd, BioPairEnd] {
  const a = new PairEnd(checkSize(size1, 'size1'));
  const b = new PairEnd(checkSize(size2, 'size2'));
  PairEnd.connect(a, b);
  return [a, b];
}
