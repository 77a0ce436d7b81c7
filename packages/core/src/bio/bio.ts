/**
 * The BIO contract (API.md): OpenSSL's `BIO`, memory flavours only.
 *
 * Rules every implementation keeps (they mirror OpenSSL 3.0's `BIO_read`/`BIO_write`, measured against
 * libcrypto 3.0.19):
 * - No call ever blocks or waits. A call that cannot move any byte yet returns `-1` and sets
 *   `shouldRetry()`; a call that made progress (or hit EOF) clears it.
 * - `write(data)` copies what it takes, so the caller may reuse `data` at once.
 * - `write` of an empty array returns `0` and leaves the retry flag as it was (OpenSSL returns before
 *   reaching the BIO method). `read` with an empty buffer does reach the method; see each class.
 * - Bytes are `Uint8Array` only. Anything else is a programmer error: `TypeError`, thrown synchronously.
 */
export interface Bio {
  /**
   * Take bytes for the reader (BIO_write).
   * @returns bytes taken (possibly fewer than `data.length`), `0` for empty `data`, or `-1`: check
   *   `shouldRetry()` (true: full for now; false: this end can never be written again).
   * @throws {TypeError} if `data` is not a Uint8Array.
   */
  write(data: Uint8Array): number;
  /**
   * Copy up to `buf.length` buffered bytes into `buf` and consume them (BIO_read).
   * @returns bytes copied; `0` at EOF; `-1` with `shouldRetry()` when empty but not at EOF.
   * @throws {TypeError} if `buf` is not a Uint8Array.
   */
  read(buf: Uint8Array): number;
  /** Bytes waiting to be read from this BIO (BIO_ctrl_pending). */
  pending(): number;
  /** True after a read/write that could not proceed yet (BIO_should_retry). */
  shouldRetry(): boolean;
  /** True when nothing is buffered and no more bytes will ever arrive (end of stream). */
  eof(): boolean;
  /** Optional: bytes written through this BIO that its reader has not taken yet (BIO_ctrl_wpending). */
  wpending?(): number;
  /**
   * Optional extension: copy up to `buf.length` readable bytes without consuming them. When present, `Ssl`
   * decrypts several complete records concurrently with asynchronous crypto providers (it still consumes
   * each record only when it processes it).
   */
  peek?(buf: Uint8Array): number;
}

/** One end of a BIO pair (`newBioPair`): a `Bio` plus OpenSSL's bio-pair controls. */
export interface BioPairEnd extends Bio {
  /** BIO_shutdown_wr: this end will write no more; the peer reads EOF once it has drained the bytes. */
  shutdownWr(): void;
  /** BIO_ctrl_wpending: bytes written at this end and not yet read at the other end. */
  wpending(): number;
  /** BIO_ctrl_get_write_guarantee: bytes a `write` will take right now (0 after `shutdownWr`). */
  guarantee(): number;
  /** Alias of `guarantee()`, named after OpenSSL's `BIO_ctrl_get_write_guarantee`. */
  writeGuarantee(): number;
  /**
   * BIO_ctrl_get_read_request: how many bytes the peer asked for in its last read that found nothing
   * (at most this end's size); reset to 0 by any write at this end or any read at the peer.
   */
  readRequest(): number;
  /** This end's buffer size: the most bytes it can have written and unread at the peer. */
  readonly size: number;
}

/** @internal A Uint8Array check that also accepts arrays from another realm (iframes, vm contexts). */
export function isBytes(x: unknown): x is Uint8Array {
  return (
    x instanceof Uint8Array ||
    (ArrayBuffer.isView(x) && (x as { constructor?: { name?: string } }).constructor?.name === 'Uint8Array')
  );
}

/** @internal Throw the programmer-error TypeError for a non-Uint8Array argument. */
export function assertBytes(x: unknown, what: string): asserts x is Uint8Array {
  if (!isBytes(x)) throw new TypeError(`${what} must be a Uint8Array`);
}
