/**
 * `InputFrames`: where the complete TLS records end in the ciphertext a driver received, so that the driver can
 * tell, without an SSL_read, that the engine holds no whole record to process (the call would only return
 * WANT_READ). It reads record headers only (RFC 8446 §5.1, RFC 5246 §6.2.1) and decides nothing about them.
 *
 * Rules
 * - Offsets count bytes from the start of the transport's input (handshake records included).
 * - A header that does not look like a TLS record (content type outside 20..23, major version not 3, a length
 *   above 2^14 + 256) stops the tracking for good: every read then goes to the engine, which reports the fault
 *   (so an SSLv2-style hello or garbage keeps its alert and reason).
 */

/** The largest record body RFC 8446 §5.2 allows (TLSCiphertext: 2^14 + 256). */
const MAX_BODY = 16384 + 256;

export class InputFrames {
  /** Bytes received so far. */
  #received = 0;
  /** Offset just past the last complete record. */
  #completeEnd = 0;
  /** Offset of the first record not yet complete (its header may still be partial). */
  #start = 0;
  /** Its body length once its header is complete, else -1. */
  #body = -1;
  readonly #header = new Uint8Array(5);
  #headerLen = 0;
  #lost = false;

  /** Bytes received (in order). */
  feed(bytes: Uint8Array): void {
    if (this.#lost) return;
    const base = this.#received;
    const end = base + bytes.length;
    this.#received = end;
    for (;;) {
      if (this.#body < 0) {
        // Complete the header of the record at #start from this chunk.
        while (this.#headerLen < 5) {
          const at = this.#start + this.#headerLen;
          if (at >= end) return;
          this.#header[this.#headerLen++] = bytes[at - base] as number;
        }
        const h = this.#header;
        const type = h[0] as number;
        const body = ((h[3] as number) << 8) | (h[4] as number);
        if (type < 20 || type > 23 || h[1] !== 3 || body > MAX_BODY) {
          this.#lost = true;
          return;
        }
        this.#body = body;
      }
      const recordEnd = this.#start + 5 + this.#body;
      if (recordEnd > end) return;
      this.#completeEnd = recordEnd;
      this.#start = recordEnd;
      this.#body = -1;
      this.#headerLen = 0;
    }
  }

  /**
   * True when every complete record received lies within the first `taken` bytes (those the engine has read
   * from the read BIO), so that no whole record waits for it. False once the tracking stopped.
   */
  noRecordBeyond(taken: number): boolean {
    return !this.#lost && taken >= this.#completeEnd;
  }
}
