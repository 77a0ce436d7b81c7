/**
 * Received application data waiting for the application, in arrival order. Reading copies out and consumes
 * (or only copies, for a peek); no chunk is copied on the way in unless it points into a reused record buffer.
 */
export class PlaintextQueue {
  private chunks: Uint8Array[] = [];
  private offset = 0;
  private total = 0;

  /** Bytes ready to read. */
  get bytes(): number {
    return this.total;
  }

  /** Queue one decrypted record's content; the queue keeps the reference. */
  push(content: Uint8Array): void {
    this.chunks.push(content);
    this.total += content.length;
  }

  /** Copy up to buf.length bytes into buf; `peek` leaves them in place. */
  read(buf: Uint8Array, peek: boolean): number {
    let n = 0;
    let idx = 0;
    let off = this.offset;
    while (n < buf.length && idx < this.chunks.length) {
      const chunk = this.chunks[idx] as Uint8Array;
      const take = Math.min(buf.length - n, chunk.length - off);
      buf.set(chunk.subarray(off, off + take), n);
      n += take;
      off += take;
      if (off === chunk.length) {
        idx++;
        off = 0;
      }
    }
    if (!peek) {
      this.chunks.splice(0, idx);
      this.offset = off;
      this.total -= n;
    }
    return n;
  }

  /** Drop everything unread (shutdown rule 5: it is discarded). */
  clear(): void {
    this.chunks = [];
    this.offset = 0;
    this.total = 0;
  }
}
