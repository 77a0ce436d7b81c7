/**
 * Speculative decryption (docs/performance.md): with an asynchronous crypto provider, the complete
 * application-data records already waiting in the transport are opened ahead of their turn, up to
 * PIPELINE_DEPTH at once, so their AEAD work overlaps.
 *
 * Rules
 * - The transport is only peeked at: a record is consumed (through the deframer) only when it is processed, so
 *   nothing past a close_notify is ever read (shutdown rule 7). Speculations are kept in transport order.
 * - A speculation is used only if it was made with the key and sequence number the record is processed under
 *   (the engine checks); anything but application data, or a failure, drops them all.
 * - The peek is widened only while it ends inside a wanted record, so a flood of tiny records costs O(n).
 */
import type { RecordProtector } from '../record/protection.js';
import { MAX_CIPHERTEXT_12 } from '../record/tls12.js';
import { ContentType } from '../wire/enums.js';

/** Records kept in flight with an asynchronous provider (sealed ahead of the transport, or opened ahead). */
export const PIPELINE_DEPTH = 8;
/** The first peek, widened only while it ends inside a wanted record. */
const SPECULATION_WINDOW = 256;

/** A record being opened ahead of its turn. */
export interface Speculation {
  prot: RecordProtector;
  seq: number;
  result: Promise<Uint8Array | null>;
}

/** What the facade supplies to look ahead in its transport without consuming (a read BIO with `peek`). */
export interface PeekSource {
  pending(): number;
  peek?(buf: Uint8Array): number;
}

/** Start opening the record `ahead` places after the next one; null when records are not opened ahead now. */
export type SpeculativeOpen = (ahead: number, header: Uint8Array, body: Uint8Array) => Speculation | null;

export class SpeculationPipeline {
  /** Records in flight: PIPELINE_DEPTH with an asynchronous provider, 1 (no speculation) with a synchronous one. */
  readonly depth: number;
  private spec: Speculation[] = [];

  constructor(depth: number) {
    this.depth = depth;
  }

  /** Peek at `src` and start opening the complete application-data records found there (at least two). */
  start(src: PeekSource, open: SpeculativeOpen): void {
    if (this.depth <= 1 || this.spec.length || !src.peek) return;
    if (src.pending() < 2 * (5 + 17)) return;
    // A scratch buffer shared by all connections: used synchronously, records are copied out of it.
    peekScratch ??= new Uint8Array(PIPELINE_DEPTH * (5 + MAX_CIPHERTEXT_12));
    const limit = Math.min(peekScratch.length, this.depth * (5 + MAX_CIPHERTEXT_12), src.pending());
    let window = Math.min(limit, SPECULATION_WINDOW);
    let found: { header: Uint8Array; body: Uint8Array }[];
    for (;;) {
      const peekBuf = peekScratch.subarray(0, window);
      const n = src.peek(peekBuf);
      let off = 0;
      // How far the window must reach to take the next wanted record (0: nothing more to look for).
      let need = 0;
      found = [];
      while (found.length < this.depth && off + 5 <= n) {
        const len = ((peekBuf[off + 3] as number) << 8) | (peekBuf[off + 4] as number);
        if (peekBuf[off] !== ContentType.APPLICATION_DATA || len > MAX_CIPHERTEXT_12) break;
        if (off + 5 + len > n) {
          // Guess that the records still wanted are as long as this one: bulk transfers peek twice in all.
          need = off + (this.depth - found.length) * (5 + len);
          break;
        }
        found.push({ header: peekBuf.slice(off, off + 5), body: peekBuf.slice(off + 5, off + 5 + len) });
        off += 5 + len;
      }
      if (need === 0 && found.length < this.depth && off + 5 > n) need = off + 5;
      if (need === 0 || n < window || window >= limit) break;
      window = Math.min(limit, Math.max(2 * window, need));
    }
    if (found.length < 2) return;
    for (let i = 0; i < found.length; i++) {
      const f = found[i] as { header: Uint8Array; body: Uint8Array };
      const s = open(i, f.header, f.body);
      if (!s) {
        this.spec = [];
        return;
      }
      s.result.catch(() => undefined);
      this.spec.push(s);
    }
  }

  /** The speculation for the record about to be processed (the next in transport order), if one was started. */
  take(): Speculation | undefined {
    return this.spec.shift();
  }

  /** Forget every speculation. */
  drop(): void {
    this.spec = [];
  }
}

/** Scratch space for peeking, shared by all connections (used synchronously only). */
let peekScratch: Uint8Array | null = null;
