/**
 * The record layer of the engine, drivable without any BIO (BearSSL's engine contract): bytes in
 * (`inputBuffer`/`inputDone`, or `receive`), whole records handled (`processRecord`), sealed records out (`take`),
 * plaintext out (`readPlaintext`), and a pure `status()`. `Engine` (engine.ts) adds the handshake, the keys and the
 * content of records; this class holds what every record passes through.
 *
 * Data path of one record in: the facade (or a test) fills `inputBuffer()` with exactly the bytes the record still
 * needs (record/deframer.ts checks the header before any body byte is kept), `processRecord()` opens it (record
 * protection, record/tls13.ts; possibly opened ahead by engine/speculation.ts) and dispatches its content
 * (Engine.handleRecord); application data lands in record/plaintext.ts. One record out: plaintext is cut by
 * record/fragmenter.ts, sealed, and queued here until `take()`.
 *
 * Rules
 * - The catch boundary is `fail()`: anything thrown inside becomes the sticky first error (a non-SslError is
 *   internal_error), with its alert queued once; every later call sees `error`.
 * - SENT and RECEIVED (reference/openssl3-shutdown.md) are held here only; the facade maps them to OpenSSL's bits.
 * - The flood counters are one object (engine/limits.ts) with the limits of config.limits.
 */

import type { CipherSuite } from '../crypto/suites.js';
import { SslError } from '../errors/ssl-error.js';
import type { EarlyDataSkip, RecordEvent } from '../handshake/context.js';
import { Deframer } from '../record/deframer.js';
import { Fragmenter, plainRecord } from '../record/fragmenter.js';
import { PlaintextQueue } from '../record/plaintext.js';
import type { RecordProtector } from '../record/protection.js';
import { MAX_CIPHERTEXT_12 } from '../record/tls12.js';
import { MAX_CIPHERTEXT_13, MAX_PLAINTEXT } from '../record/tls13.js';
import { AlertDescription, ContentType } from '../wire/enums.js';
import type { EngineConfig } from './config.js';
import { FloodCounters } from './limits.js';
import { type PeekSource, PIPELINE_DEPTH, type Speculation, SpeculationPipeline } from './speculation.js';

export type { RecordEvent } from '../handshake/context.js';

/** Every AEAD memtls speaks (AES-GCM, ChaCha20-Poly1305) has a 16-byte tag. */
const AEAD_TAG_LENGTH = 16;

/**
 * The engine's state as BearSSL's br_ssl_engine_current_state gives it, derived from its buffers and flags.
 */
export interface EngineStatus {
  /** More record bytes are wanted: no complete record is buffered and the read side is open. */
  wantsRead: boolean;
  /** Sealed records are waiting to be taken (`take()`). */
  wantsWrite: boolean;
  /** Decrypted application bytes ready to read. */
  appDataReady: number;
  /** Our close_notify was sent (SENT) / the peer's was received (RECEIVED), or a fatal alert arrived. */
  closeSent: boolean;
  closeReceived: boolean;
  /** The sticky first failure, or null. */
  error: SslError | null;
}

export abstract class RecordLayer {
  readonly config: EngineConfig;
  protected readProt: RecordProtector | null = null;
  protected writeProt: RecordProtector | null = null;
  /** TLS 1.2: warning alerts received in a row (reset by any other non-empty record); OpenSSL allows 4. */
  protected warnAlerts = 0;
  /** Encrypted (or plaintext, before keys) records ready for the transport, in order. */
  private out: Uint8Array[] = [];
  private outBytes = 0;
  /** Decrypted application data not yet read. */
  protected readonly plain = new PlaintextQueue();
  /** Whole records out of the input bytes, read exactly (record/deframer.ts). */
  private readonly deframer: Deframer;
  /** Plaintext framing of what we send (record/fragmenter.ts). */
  protected readonly fragmenter = new Fragmenter();
  /** Records opened ahead of their turn with an asynchronous provider (engine/speculation.ts). */
  private readonly speculation: SpeculationPipeline;
  /** The flood counters (engine/limits.ts). */
  protected readonly flood: FloodCounters;
  /** The sticky first failure: once set, the connection is dead. */
  private firstError: SslError | null = null;
  /** Our close_notify is queued (OpenSSL's SENT) / the peer's arrived, or a fatal alert (RECEIVED). Held here only. */
  private sentClose = false;
  protected receivedClose = false;

  constructor(config: EngineConfig) {
    this.config = config;
    this.flood = new FloodCounters(config.limits);
    this.speculation = new SpeculationPipeline(config.provider.synchronous ? 1 : PIPELINE_DEPTH);
    this.deframer = new Deframer({
      // The ciphertext limit is the version's: 2^14 + 256 (RFC 8446 §5.2), 2^14 + 2048 (RFC 5246 §6.2.3).
      maxRecordBody: () => (this.readProt ? this.maxProtectedBody() : MAX_PLAINTEXT),
      detectsHttp: () => this.config.role === 'server' && !this.suite,
      strictVersion: () => this.suite !== null && this.handshakeComplete,
    });
  }

  // What the record layer reads of the handshake's state (Engine's fields).
  protected abstract skipEarlyData: EarlyDataSkip;
  abstract suite: CipherSuite | null;
  abstract version: 'TLSv1.2' | 'TLSv1.3' | null;
  abstract handshakeComplete: boolean;
  protected abstract peerFinished: boolean;
  /** True when an application-data record may go straight to the plaintext queue (processRecordSync): the handshake
   * is over, no early data is being read or skipped, and no handshake message is half received. */
  protected abstract readonly directAppData: boolean;
  /** Handle the content of one record (its length already checked); throws SslError. */
  protected abstract handleRecord(header: Uint8Array, body: Uint8Array, pre?: Speculation): Promise<RecordEvent>;
  /** The connection ended badly: its sessions must not be resumed (rule 19). */
  protected abstract withdrawSessions(): void;

  // ---------------------------------------------------------------- output

  /** Records waiting for the transport, in order (BearSSL's sendrec). The caller takes ownership. */
  take(): Uint8Array[] {
    const o = this.out;
    this.out = [];
    this.outBytes = 0;
    return o;
  }

  get outputBytes(): number {
    return this.outBytes;
  }

  protected pushRecord(rec: Uint8Array): void {
    this.out.push(rec);
    this.outBytes += rec.length;
  }

  /** SSL_set_max_send_fragment: the most plaintext one record we send carries (handshake and application data). */
  get maxSendFragment(): number {
    return this.fragmenter.maxFragment;
  }
  set maxSendFragment(size: number) {
    this.fragmenter.maxFragment = size;
  }

  /** RFC 8449: the record_size_limit we advertised, once negotiated (null: none); protected records above it are
   * record_overflow. */
  private receiveLimit: number | null = null;

  /**
   * RFC 8449 negotiated (handshake/record-size.ts): protected records we send carry at most `sendContent` bytes of
   * content; protected records we receive may carry at most `receive` bytes of plaintext (TLS 1.3: the whole
   * TLSInnerPlaintext, content type and padding included).
   */
  setRecordSizeLimits(sendContent: number, receive: number): void {
    this.fragmenter.peerLimit = sendContent;
    this.receiveLimit = receive;
  }

  /**
   * The largest protected record body accepted now: the version's ciphertext limit (2^14 + 256, RFC 8446 §5.2;
   * 2^14 + 2048, RFC 5246 §6.2.3), or the record_size_limit we advertised plus the AEAD's exact expansion (tag,
   * TLS 1.2 explicit nonce). Rejected early data, skipped unopened, is not subject to it.
   */
  private maxProtectedBody(): number {
    const max = this.version === 'TLSv1.2' ? MAX_CIPHERTEXT_12 : MAX_CIPHERTEXT_13;
    if (this.receiveLimit === null || this.skipEarlyData !== 'none' || !this.suite) return max;
    return Math.min(max, this.receiveLimit + AEAD_TAG_LENGTH + (this.version === 'TLSv1.2' ? this.suite.explicitNonceLen : 0));
  }

  /** Application data `data[from, end)` cut into at most `count` records' plaintext by the send fragment size. */
  appFragments(data: Uint8Array, from: number, end: number, count: number): Uint8Array[] {
    return this.fragmenter.appFragments(data, from, end, count);
  }

  /** The message callback, if any: it sees a copy, and whatever it throws is ignored (it only observes). */
  protected tellMsg(direction: 'sent' | 'received', contentType: number, bytes: Uint8Array): void {
    const cb = this.config.msgCallback;
    if (!cb) return;
    try {
      cb({ direction, contentType, bytes: bytes.slice() });
    } catch {
      // An observer's failure must not change the connection.
    }
  }

  /** Queue an alert record under the current write key (plaintext before keys). */
  async sendAlert(description: number, fatal: boolean): Promise<void> {
    const body = new Uint8Array([fatal ? 2 : 1, description]);
    this.tellMsg('sent', ContentType.ALERT, body);
    if (this.writeProt) this.pushRecord(await this.writeProt.seal(ContentType.ALERT, body));
    else this.pushRecord(plainRecord(ContentType.ALERT, body));
  }

  // ---------------------------------------------------------------- input

  /**
   * The buffer to fill with the next input bytes: exactly what the record being received still needs, never more
   * (BearSSL's recvrec_buf), so bytes past a close_notify stay with the caller. Report with `inputDone(n)`.
   */
  inputBuffer(): Uint8Array {
    return this.deframer.wanted();
  }

  /** `n` bytes were written into `inputBuffer()`. Throws SslError for a bad header. True once a record is whole. */
  inputDone(n: number): boolean {
    return this.deframer.filled(n);
  }

  /** Take input bytes up to the end of the current record; returns how many were taken (BIO-less use). */
  receive(bytes: Uint8Array): number {
    let used = 0;
    while (used < bytes.length && !this.deframer.ready) {
      const buf = this.deframer.wanted();
      const n = Math.min(buf.length, bytes.length - used);
      buf.set(bytes.subarray(used, used + n));
      used += n;
      this.deframer.filled(n);
    }
    return used;
  }

  /** True when a whole record is buffered and `processRecord()` will handle it. */
  get recordReady(): boolean {
    return this.deframer.ready;
  }

  /** Records opened ahead of their turn: PIPELINE_DEPTH with an asynchronous provider, else 1. */
  get pipelineDepth(): number {
    return this.speculation.depth;
  }

  /**
   * With an asynchronous provider, start opening the complete application-data records `src` holds after the one
   * being received (peeked, never consumed), once the handshake is over.
   */
  speculate(src: PeekSource): void {
    if (this.deframer.idle) this.speculation.start(src, this.openAhead);
  }

  /** Start opening the record `ahead` places after the next one (made once: no allocation per call). */
  private readonly openAhead = (ahead: number, header: Uint8Array, body: Uint8Array): Speculation | null => {
    const prot = this.readProt;
    if (!prot || !this.handshakeComplete || !this.peerFinished) return null;
    const seq = prot.sequence + ahead;
    return { prot, seq, result: prot.openAt(seq, header, body) };
  };

  /** True when records are read and opened one at a time, synchronously: the read key opens synchronously. */
  get opensSync(): boolean {
    return this.readProt?.synchronous === true && this.speculation.depth === 1;
  }

  /**
   * The synchronous path of `processRecord`, for the common record: non-empty application data once the handshake
   * is over, under a read key that opens synchronously (the provider's AEAD `openSync`). Any other record (another
   * inner type, an empty one, one that fails to authenticate, early data, an asynchronous key) returns null with
   * nothing changed, not even its sequence number: `processRecord` then handles it and reports any failure.
   */
  processRecordSync(): RecordEvent | null {
    const prot = this.readProt;
    if (!prot || !this.opensSync || !this.deframer.ready || !this.directAppData) return null;
    const { header, body } = this.deframer.current();
    if (header[0] !== ContentType.APPLICATION_DATA) return null;
    const seq = prot.sequence;
    let content: Uint8Array;
    try {
      const opened = prot.finishOpen(prot.openSyncAt(seq, header, body), header);
      if (opened.type !== ContentType.APPLICATION_DATA || opened.content.length === 0) return null;
      content = opened.content;
    } catch {
      return null;
    }
    prot.adopt(seq);
    this.deframer.discard();
    this.warnAlerts = 0;
    this.flood.progress();
    // The deframer reuses one buffer for large record bodies: keep a copy if the plaintext is a view into it.
    this.plain.push(content.buffer === body.buffer ? content.slice() : content);
    return 'app-data';
  }

  /** Seal one record of application data at once, when the write key can (`RecordProtector.synchronous`); false
   * (nothing done) otherwise. Throws what sealing throws (an exhausted sequence number) before anything changes. */
  sealAppDataSync(chunk: Uint8Array): boolean {
    const prot = this.writeProt;
    if (!prot?.synchronous || chunk.length > this.fragmenter.protectedFragment) return false;
    this.pushRecord(prot.sealSync(ContentType.APPLICATION_DATA, chunk));
    return true;
  }

  /** Handle the buffered record (`recordReady`). Throws SslError on any protocol violation. */
  async processRecord(): Promise<RecordEvent> {
    const { header, body } = this.deframer.take();
    try {
      const ev = await this.handleRecord(header, body, this.speculation.take());
      if (ev !== 'app-data' && ev !== 'none') this.speculation.drop();
      return ev;
    } catch (e) {
      this.speculation.drop();
      throw e;
    }
  }

  // ---------------------------------------------------------------- plaintext

  get pendingPlaintext(): number {
    return this.plain.bytes;
  }

  /** Copy up to buf.length decrypted bytes into buf; `peek` leaves them in place. */
  readPlaintext(buf: Uint8Array, peek: boolean): number {
    return this.plain.read(buf, peek);
  }

  /** Drop unread plaintext (shutdown rule 5: it is discarded). */
  discardPlaintext(): void {
    this.plain.clear();
  }

  /** True once our close_notify is queued (SENT): no KeyUpdate reply is sent after it (rule 6). */
  get writeClosed(): boolean {
    return this.sentClose;
  }

  // ---------------------------------------------------------------- failure, closure, status

  /** The sticky first failure, or null. */
  get error(): SslError | null {
    return this.firstError;
  }

  /**
   * The catch boundary: what anything thrown inside the engine becomes. A non-SslError is a bug and becomes
   * internal_error. The first failure is sticky; a received fatal alert sets RECEIVED (shutdown rule 15); a fatal
   * alert sent or received withdraws the session (rule 19). Our alert is queued unless SENT is set (rule 13: nothing
   * follows our close_notify) or `mayAlert` is false (the facade holds a half-written record an alert must not jump).
   * Returns the error and whether the alert was queued.
   */
  async fail(e: unknown, mayAlert: boolean): Promise<{ error: SslError; alertQueued: boolean }> {
    const error = e instanceof SslError ? e : new SslError('INTERNAL_ERROR', { detail: e instanceof Error ? e.message : String(e), origin: 'local' });
    if (this.firstError) return { error, alertQueued: false };
    this.firstError = error;
    if (error.receivedAlert !== null) this.receivedClose = true;
    if (error.receivedAlert !== null || (error.alert !== null && !this.sentClose)) this.withdrawSessions();
    if (error.alert === null || this.sentClose || !mayAlert) return { error, alertQueued: false };
    try {
      await this.sendAlert(error.alert, true);
      return { error, alertQueued: true };
    } catch {
      // the alert is best effort; the failure is already recorded
      return { error, alertQueued: false };
    }
  }

  /** SENT: our close_notify is queued (or the application said so: SSL_set_shutdown). */
  get closeSent(): boolean {
    return this.sentClose;
  }

  /** RECEIVED: the peer's close_notify or a fatal alert arrived (or the application said so). */
  get closeReceived(): boolean {
    return this.receivedClose;
  }

  /** Assign both closure flags (SSL_set_shutdown, quiet shutdown, and the EOF rules 16 and 17). */
  setClosed(sent: boolean, received: boolean): void {
    this.sentClose = sent;
    this.receivedClose = received;
  }

  /** The engine's state, derived from its buffers and flags (BearSSL's br_ssl_engine_current_state). */
  status(): EngineStatus {
    return {
      wantsRead: this.firstError === null && !this.receivedClose && !this.deframer.ready,
      wantsWrite: this.outBytes > 0,
      appDataReady: this.plain.bytes,
      closeSent: this.sentClose,
      closeReceived: this.receivedClose,
      error: this.firstError,
    };
  }

  /** Drop one record of rejected early data, within MAX_REJECTED_EARLY_DATA bytes (RFC 8446 §4.2.10). */
  protected skipRejectedEarlyData(bytes: number): RecordEvent {
    this.flood.earlyData(bytes);
    return 'none';
  }

  /** An alert record's content; `midMessage`: a handshake message is partly received (no alert may split it). */
  protected handleAlert(content: Uint8Array, midMessage: boolean): RecordEvent {
    // RFC 8446 §5.1 forbids zero-length fragments of all types but application data (OpenSSL: "bad length").
    if (content.length === 0) throw new SslError('UNEXPECTED_RECORD', { detail: 'empty alert record' });
    if (content.length !== 2) throw new SslError('INVALID_ALERT', { detail: `alert of ${content.length} bytes` });
    this.tellMsg('received', ContentType.ALERT, content);
    if (midMessage) throw new SslError('UNEXPECTED_RECORD', { detail: 'alert inside a handshake message' });
    const level = content[0] as number;
    const desc = content[1] as number;
    if (level !== 1 && level !== 2) throw new SslError('INVALID_ALERT', { detail: `alert level ${level}` });
    if (this.version === 'TLSv1.2') return this.handleAlert12(level, desc);
    if (desc === AlertDescription.CLOSE_NOTIFY) {
      this.receivedClose = true;
      return 'close-notify';
    }
    if (desc === AlertDescription.USER_CANCELED && level === 1) {
      this.flood.empty();
      return 'none';
    }
    throw new SslError('PEER_ALERT', { receivedAlert: desc });
  }

  /**
   * TLS 1.2 alerts as OpenSSL 3.0 treats them (ssl/record/rec_layer_s3.c): a fatal alert ends the connection,
   * close_notify included; a warning close_notify ends the read side; a warning no_renegotiation is fatal
   * (handshake_failure: memtls never asks to renegotiate); any other warning is ignored. The fifth warning in a row
   * with no other record in between is unexpected_message (MAX_WARN_ALERT_COUNT).
   */
  private handleAlert12(level: number, desc: number): RecordEvent {
    if (level === 2) throw new SslError('PEER_ALERT', { receivedAlert: desc });
    if (++this.warnAlerts >= 5) throw new SslError('TOO_MANY_WARN_ALERTS');
    if (desc === AlertDescription.CLOSE_NOTIFY) {
      this.receivedClose = true;
      return 'close-notify';
    }
    if (desc === AlertDescription.NO_RENEGOTIATION) throw new SslError('NO_RENEGOTIATION', { detail: 'the peer refused a renegotiation' });
    return 'none';
  }
}
