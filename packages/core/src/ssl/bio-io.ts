/**
 * BIO pumping for one `Ssl`: input bytes from the read BIO into the engine's deframer, sealed records from the
 * engine to the write BIO. It knows BIOs, not records or OpenSSL's return codes: it reports what happened (a
 * record is ready, "not yet", EOF; everything written, "full for now", "never again") and ssl/connection.ts turns
 * that into WANT_READ / WANT_WRITE, errors and return values.
 *
 * Rules
 * - Input: the read BIO is asked for exactly the bytes the engine's current record still needs
 *   (`Engine.inputBuffer()`), never more, so bytes after a close_notify stay in the BIO (shutdown rule 7) and a
 *   BIO pair sees the same read requests as OpenSSL's (5-byte header, then the body).
 * - Speculative opening is fed by peeking at the read BIO (`Engine.speculate`); nothing is consumed by it.
 * - Output is written to the write BIO as far as it takes it; the rest stays queued here, in order, and is
 *   retried first by the next flush (OpenSSL's pending writes: ssl/write.ts's retry floors read this queue). Only
 *   one record, or one pipeline batch with an asynchronous provider, is produced ahead of what the BIO took.
 * - Once the write BIO refuses bytes for good (a shut pair end) the pipe stays broken.
 */
import type { Bio } from '../bio/bio.js';
import type { Engine } from '../engine/engine.js';

/** One attempt to complete a record: it is ready in the engine, nothing more for now, or the end of the transport. */
export type PullOutcome = 'record' | 'want' | 'eof';

/** What a flush achieved: everything is in the write BIO, the BIO is full for now, or it will never take bytes. */
export type FlushOutcome = 'done' | 'retry' | 'broken';

export class BioIo {
  private readonly engine: Engine;
  rbio: Bio | null = null;
  wbio: Bio | null = null;
  /** Records taken from the engine and not yet completely in the write BIO; `outOffset` bytes of the first are. */
  private out: Uint8Array[] = [];
  private outOffset = 0;
  /** Set when the write BIO refused bytes for good (a shut pair end): OpenSSL's "broken pipe". */
  pipeBroken = false;

  constructor(engine: Engine) {
    this.engine = engine;
  }

  /** SSL_set_bio: the same BIO may be given twice. */
  attach(rbio: Bio, wbio: Bio): void {
    this.rbio = rbio;
    this.wbio = wbio;
  }

  /** SSL_free: drop the queued output and the BIOs. */
  release(): void {
    this.out = [];
    this.rbio = null;
    this.wbio = null;
  }

  // ------------------------------------------------------------------ output

  /** Move engine output into our queue and the queue into the write BIO. */
  flush(): FlushOutcome {
    const fresh = this.engine.take();
    if (fresh.length) this.out.push(...fresh);
    const wbio = this.wbio as Bio;
    while (this.out.length) {
      const head = this.out[0] as Uint8Array;
      const chunk = this.outOffset ? head.subarray(this.outOffset) : head;
      const n = wbio.write(chunk);
      if (n <= 0) {
        if (n < 0 && !wbio.shouldRetry()) {
          this.pipeBroken = true;
          return 'broken';
        }
        return 'retry';
      }
      if (n < chunk.length) {
        this.outOffset += n;
        continue;
      }
      this.out.shift();
      this.outOffset = 0;
    }
    return 'done';
  }

  /** Output not yet in the write BIO: queued here, or still in the engine. */
  get outputPending(): boolean {
    return this.out.length > 0 || this.engine.outputBytes > 0;
  }

  /** Bytes taken from the engine are waiting here for the write BIO (a record half written, or whole ones). */
  get holdsOutput(): boolean {
    return this.out.length > 0;
  }

  /** Bytes of sealed records not yet in the write BIO: the engine's output plus the unwritten part of our queue. */
  unwrittenBytes(): number {
    let unwritten = this.engine.outputBytes - this.outOffset;
    for (const r of this.out) unwritten += r.length;
    return unwritten;
  }

  // ------------------------------------------------------------------ input

  /** Feed the engine from the read BIO until it holds one whole record. Throws the engine's header errors. */
  pull(): PullOutcome {
    const rbio = this.rbio as Bio;
    const engine = this.engine;
    while (!engine.recordReady) {
      const n = rbio.read(engine.inputBuffer());
      if (n > 0) {
        engine.inputDone(n);
        continue;
      }
      if (n < 0 && rbio.shouldRetry()) return 'want';
      return 'eof';
    }
    return 'record';
  }

  /** With an asynchronous provider, let the engine open the complete records waiting in the read BIO ahead. */
  speculate(): void {
    this.engine.speculate(this.rbio as Bio);
  }
}
