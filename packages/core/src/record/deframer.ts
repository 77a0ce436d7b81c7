/**
 * The record deframer: turns a byte stream into whole records (5-byte header, then the body), reading exactly
 * what the next record needs and never ahead (BearSSL's recvrec_buf/recvrec_ack contract).
 *
 * Rules
 * - The caller asks `wanted()` for the buffer to fill (the rest of the header, or the rest of the body) and
 *   reports with `filled(n)` how many bytes it wrote there. Nothing past the current record is ever asked for,
 *   so bytes after a close_notify stay in the transport (shutdown rule 7).
 * - Record type, version and length are checked when the header is complete, before any body byte is buffered:
 *   a bad length never makes us buffer (BearSSL's rule). This is the one place the length limit is checked.
 * - Record bodies over 1 KiB share one buffer, allocated at the first one: the record is fully processed before
 *   the next one is read (the engine copies application data that still points into it).
 */
import { SslError } from '../errors/ssl-error.js';
import { ContentType } from '../wire/enums.js';
import { MAX_CIPHERTEXT_12 } from './tls12.js';
import { MAX_PLAINTEXT } from './tls13.js';

/** What the header checks depend on: the engine's state when the header arrives. */
export interface DeframerPolicy {
  /** Largest body accepted now (2^14 before keys, 2^14 + 256 once records are protected). */
  maxRecordBody(): number;
  /** A server before any cipher suite is chosen: a plaintext HTTP request is named (OpenSSL's reasons). */
  detectsHttp(): boolean;
  /** Once the version is settled, the record version must be 3.3 exactly (else only the major byte is checked). */
  strictVersion(): boolean;
}

/** One complete record: its 5-byte header (a copy) and its body (possibly a view into the shared buffer). */
export interface RecordIn {
  header: Uint8Array;
  body: Uint8Array;
}

/** Bodies longer than this are read into the shared buffer; shorter ones get their own allocation. */
const SHARED_BODY_THRESHOLD = 1024;

export class Deframer {
  private readonly policy: DeframerPolicy;
  private readonly hdr = new Uint8Array(5);
  private hdrHave = 0;
  private body: Uint8Array | null = null;
  /** Reused for large record bodies, allocated at the first one (idle connections do not hold it). */
  private bodyBuf: Uint8Array | null = null;
  private bodyHave = 0;
  private complete = false;

  constructor(policy: DeframerPolicy) {
    this.policy = policy;
  }

  /** True when no byte of the next record has been received yet. */
  get idle(): boolean {
    return this.hdrHave === 0 && this.body === null;
  }

  /** True once a whole record is buffered (take it with `take()`). */
  get ready(): boolean {
    return this.complete;
  }

  /** The buffer to fill next: exactly the bytes the current record still needs (empty once it is complete). */
  wanted(): Uint8Array {
    if (this.hdrHave < 5) return this.hdr.subarray(this.hdrHave);
    // After a header failed its checks there is no body: nothing more is wanted (the connection has failed).
    return this.body ? this.body.subarray(this.bodyHave) : this.hdr.subarray(5);
  }

  /**
   * `n` bytes were written into the buffer `wanted()` returned. When the header completes, it is checked (throws
   * SslError) and the body buffer is set up. Returns true once the record is complete.
   */
  filled(n: number): boolean {
    if (this.hdrHave < 5) {
      this.hdrHave += n;
      if (this.hdrHave < 5) return false;
      const len = this.checkHeader(this.hdr);
      if (len > SHARED_BODY_THRESHOLD) {
        this.bodyBuf ??= new Uint8Array(MAX_CIPHERTEXT_12);
        this.body = this.bodyBuf.subarray(0, len);
      } else this.body = new Uint8Array(len);
      this.bodyHave = 0;
    } else this.bodyHave += n;
    this.complete = this.bodyHave === (this.body as Uint8Array).length;
    return this.complete;
  }

  /** The complete record, left in place (its header a view of the deframer's own bytes: valid until `take`). */
  current(): RecordIn {
    return { header: this.hdr, body: this.body as Uint8Array };
  }

  /** Take the complete record and start on the next one. */
  take(): RecordIn {
    const rec = { header: this.hdr.slice(), body: this.body as Uint8Array };
    this.discard();
    return rec;
  }

  /** Drop the complete record (already handled from `current()`) and start on the next one. */
  discard(): void {
    this.hdrHave = 0;
    this.body = null;
    this.bodyHave = 0;
    this.complete = false;
  }

  /** Header-time checks (type, version, length); returns the body length. */
  private checkHeader(h: Uint8Array): number {
    const type = h[0] as number;
    const len = ((h[3] as number) << 8) | (h[4] as number);
    if (type < ContentType.CHANGE_CIPHER_SPEC || type > ContentType.APPLICATION_DATA) {
      // Plaintext HTTP sent to a TLS server: OpenSSL names it and sends no alert.
      if (this.policy.detectsHttp()) {
        const start = String.fromCharCode(...h);
        if (/^(GET |POST |HEAD |PUT |DELET|OPTIO|PATCH)/.test(start)) throw new SslError('HTTP_REQUEST');
        if (start === 'CONNE') throw new SslError('HTTPS_PROXY_REQUEST');
      }
      throw new SslError(h[1] === 3 ? 'BAD_RECORD_TYPE' : 'WRONG_VERSION_NUMBER', { detail: `record type ${type}` });
    }
    if (h[1] !== 3 || (h[2] !== 3 && this.policy.strictVersion())) {
      throw new SslError('WRONG_VERSION_NUMBER', { detail: `record version ${h[1]}.${h[2]}` });
    }
    const max = this.policy.maxRecordBody();
    if (len > max) throw new SslError(max > MAX_PLAINTEXT ? 'ENCRYPTED_LENGTH_TOO_LONG' : 'PACKET_LENGTH_TOO_LONG', { detail: `record of ${len} bytes (at most ${max} now)` });
    return len;
  }
}
