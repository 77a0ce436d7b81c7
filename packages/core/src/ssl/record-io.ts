/**
 * Record I/O over the BIOs for one `Ssl`: whole records in from the read BIO, sealed records out to the write
 * BIO. It knows BIOs and record framing, not OpenSSL's return codes: it reports what happened (a record, "not
 * yet", EOF; everything written, "full for now", "never again") and ssl/connection.ts turns that into
 * WANT_READ / WANT_WRITE, errors and return values.
 *
 * Rules
 * - Records are read from the read BIO exactly (5-byte header, then the body), never ahead, so bytes after a
 *   close_notify stay in the BIO (STARTTLS-style reuse of the transport). A header or body read partly is kept
 *   here and completed by the next call.
 * - Record type, version and length are checked when the header arrives, so a bad length never makes us
 *   buffer (BearSSL's rule).
 * - Output is written to the write BIO as far as it takes it; the rest stays queued here, in order, and is
 *   retried first by the next flush. Only one record is produced ahead of what the BIO took (the pipeline
 *   depth with an asynchronous provider), so memory stays bounded.
 * - Speculative opening only peeks at the read BIO: a record is consumed only when it is processed, so nothing
 *   past a close_notify is ever read (shutdown rule 7). Speculations are kept in BIO order.
 * - Once the write BIO refuses bytes for good (a shut pair end) the pipe stays broken.
 */
import type { Bio } from '../bio/bio.js';
import type { Engine, Speculation } from '../engine/engine.js';
import { SslError } from '../errors/ssl-error.js';
import { MAX_PLAINTEXT } from '../record/tls13-aead.js';
import { ContentType } from '../wire/enums.js';

/** One attempt to read a record: a complete record, nothing more for now, or the end of the transport. */
export type ReadOutcome = { kind: 'record'; header: Uint8Array; body: Uint8Array } | { kind: 'want' } | { kind: 'eof'; midRecord: boolean };

/** What a flush achieved: everything is in the write BIO, the BIO is full for now, or it will never take bytes. */
export type FlushOutcome = 'done' | 'retry' | 'broken';

/** Records kept in flight with an asynchronous crypto provider (sealed ahead of the BIO, or opened ahead). */
export const PIPELINE_DEPTH = 8;
/** The first peek of `speculate()`, widened only while it ends inside a wanted record. */
const SPECULATION_WINDOW = 256;

export class RecordIo {
  private readonly engine: Engine;
  /** Records in flight with an asynchronous provider: 1 for synchronous ones (docs/performance.md). */
  readonly inFlight: number;
  rbio: Bio | null = null;
  wbio: Bio | null = null;
  /** Records taken from the engine and not yet completely in the write BIO; `outOffset` bytes of the first are. */
  private out: Uint8Array[] = [];
  private outOffset = 0;
  /** Set when the write BIO refused bytes for good (a shut pair end): OpenSSL's "broken pipe". */
  pipeBroken = false;

  private hdr = new Uint8Array(5);
  private hdrHave = 0;
  private body: Uint8Array | null = null;
  /** Reused for full-size record bodies, allocated at the first one (idle connections do not hold it). */
  private bodyBuf: Uint8Array | null = null;
  private bodyHave = 0;
  /** Speculative decryptions of the next complete records in the read BIO, in BIO order. */
  private spec: Speculation[] = [];

  /** `engine` gives the output and the record limits and keys; `inFlight` is the pipeline depth (or 1). */
  constructor(engine: Engine, inFlight: number) {
    this.engine = engine;
    this.inFlight = inFlight;
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
    const fresh = this.engine.takeOutput();
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

  /** Read exactly one record from the read BIO. */
  readRecord(): ReadOutcome {
    const rbio = this.rbio as Bio;
    while (this.hdrHave < 5) {
      const n = rbio.read(this.hdr.subarray(this.hdrHave));
      if (n > 0) {
        this.hdrHave += n;
        continue;
      }
      if (n < 0 && rbio.shouldRetry()) return { kind: 'want' };
      return { kind: 'eof', midRecord: this.hdrHave > 0 };
    }
    if (!this.body) {
      const h = this.hdr;
      const type = h[0] as number;
      const len = ((h[3] as number) << 8) | (h[4] as number);
      // Checks at header time, so a bad length never makes us buffer (BearSSL's rule).
      if (type < ContentType.CHANGE_CIPHER_SPEC || type > ContentType.APPLICATION_DATA) {
        // Plaintext HTTP sent to a TLS server: OpenSSL names it and sends no alert.
        if (this.engine.config.role === 'server' && !this.engine.suite) {
          const start = String.fromCharCode(...h);
          if (/^(GET |POST |HEAD |PUT |DELET|OPTIO|PATCH)/.test(start)) throw new SslError('HTTP_REQUEST');
          if (start === 'CONNE') throw new SslError('HTTPS_PROXY_REQUEST');
        }
        throw new SslError(h[1] === 3 ? 'BAD_RECORD_TYPE' : 'WRONG_VERSION_NUMBER', { detail: `record type ${type}` });
      }
      if (h[1] !== 3 || (this.engine.suite !== null && h[2] !== 3 && this.engine.handshakeComplete)) {
        throw new SslError('WRONG_VERSION_NUMBER', { detail: `record version ${h[1]}.${h[2]}` });
      }
      if (len > this.engine.maxRecordBody()) throw new SslError(this.engine.maxRecordBody() > MAX_PLAINTEXT ? 'ENCRYPTED_LENGTH_TOO_LONG' : 'PACKET_LENGTH_TOO_LONG', { detail: `record of ${len} bytes` });
      // One buffer serves every large record: the engine is done with a body before the next one is read.
      if (len > 1024) {
        this.bodyBuf ??= new Uint8Array(MAX_PLAINTEXT + 256);
        this.body = this.bodyBuf.subarray(0, len);
      } else this.body = new Uint8Array(len);
      this.bodyHave = 0;
    }
    while (this.bodyHave < this.body.length) {
      const n = rbio.read(this.body.subarray(this.bodyHave));
      if (n > 0) {
        this.bodyHave += n;
        continue;
      }
      if (n < 0 && rbio.shouldRetry()) return { kind: 'want' };
      return { kind: 'eof', midRecord: true };
    }
    const header = this.hdr.slice();
    const body = this.body;
    this.hdrHave = 0;
    this.body = null;
    this.bodyHave = 0;
    return { kind: 'record', header, body };
  }

  /**
   * With an asynchronous provider, start decrypting the complete application-data records already in the
   * read BIO (up to the pipeline depth), without consuming them: each is taken from the BIO only when it is
   * processed, so nothing past a close_notify is ever read (rule 7).
   */
  speculate(): void {
    const rbio = this.rbio as Bio;
    if (this.inFlight <= 1 || this.spec.length || !rbio.peek || this.hdrHave || this.body) return;
    if (rbio.pending() < 2 * (5 + 17)) return;
    // A scratch buffer shared by all connections: used synchronously, records are copied out of it.
    peekScratch ??= new Uint8Array(PIPELINE_DEPTH * (5 + MAX_PLAINTEXT + 256));
    const limit = Math.min(peekScratch.length, this.inFlight * (5 + MAX_PLAINTEXT + 256), rbio.pending());
    // Peek a small window first and widen it (at least doubling) only while it ends inside a record we want: the
    // bytes copied stay proportional to the records found, so a flood of tiny records costs O(n), not O(n x 130 KiB).
    let window = Math.min(limit, SPECULATION_WINDOW);
    let found: { header: Uint8Array; body: Uint8Array }[];
    for (;;) {
      const peekBuf = peekScratch.subarray(0, window);
      const n = rbio.peek(peekBuf);
      let off = 0;
      // How far the window must reach to take the next wanted record (0: nothing more to look for).
      let need = 0;
      found = [];
      while (found.length < this.inFlight && off + 5 <= n) {
        const len = ((peekBuf[off + 3] as number) << 8) | (peekBuf[off + 4] as number);
        if (peekBuf[off] !== ContentType.APPLICATION_DATA || len > MAX_PLAINTEXT + 256) break;
        if (off + 5 + len > n) {
          // Guess that the records still wanted are as long as this one: bulk transfers peek twice in all.
          need = off + (this.inFlight - found.length) * (5 + len);
          break;
        }
        found.push({ header: peekBuf.slice(off, off + 5), body: peekBuf.slice(off + 5, off + 5 + len) });
        off += 5 + len;
      }
      if (need === 0 && found.length < this.inFlight && off + 5 > n) need = off + 5;
      if (need === 0 || n < window || window >= limit) break;
      window = Math.min(limit, Math.max(2 * window, need));
    }
    if (found.length < 2) return;
    for (let i = 0; i < found.length; i++) {
      const f = found[i] as { header: Uint8Array; body: Uint8Array };
      const s = this.engine.speculativeOpen(i, f.header, f.body);
      if (!s) {
        this.spec = [];
        return;
      }
      s.result.catch(() => undefined);
      this.spec.push(s);
    }
  }

  /** The speculation for the record about to be processed (the next in BIO order), if one was started. */
  takeSpeculation(): Speculation | undefined {
    return this.spec.shift();
  }

  /** Forget every speculation (anything but application data was processed, or a record failed). */
  dropSpeculations(): void {
    this.spec = [];
  }
}

/** Scratch space for peeking at the read BIO, shared by all connections (used synchronously only). */
let peekScratch: Uint8Array | null = null;
