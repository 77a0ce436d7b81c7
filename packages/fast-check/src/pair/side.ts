/**
 * One memtls endpoint driven through a scripted exchange (handshake, one payload each way, the recommended close
 * loop of docs/shutdown.md), one API call per `step()`, over MemoryBios; with the memory checks of API.md.
 */
import {
  MemoryBio,
  SSL_ERROR_WANT_READ,
  SSL_ERROR_WANT_WRITE,
  SSL_ERROR_ZERO_RETURN,
  SSL_SENT_SHUTDOWN,
  type Ssl,
  type SslError,
} from '@memtls/core';

/** Which end of a connection. */
export type Role = 'client' | 'server';
/** A direction on the wire: client to server, or server to client. */
export type Dir = 'c2s' | 's2c';
/** The largest TLS plaintext fragment (RFC 8446 §5.1): `pending()` never exceeds it. */
export const MAX_PLAINTEXT = 16384;

/** How long one API call may take before the run counts it as a hang. */
export const CALL_TIMEOUT_MS = 10000;

/** A broken rule of the API contract (an exception escaped, a call hung), thrown by `guard`. */
export class Violation extends Error {
  /** 'Violation'. */
  override name = 'Violation';
}

/** Await an Ssl call; a rejection (an exception escaping the API) or a call that never settles is a Violation. */
export async function guard<T>(p: Promise<T>, what: string, ms = CALL_TIMEOUT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Violation(`${what}: did not return within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } catch (e) {
    if (e instanceof Violation) throw e;
    throw new Violation(`${what}: exception escaped: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Internals the memory checks read (field names of ssl.ts, ssl/connection.ts, ssl/bio-io.ts and engine/;
 * a rename makes these tests fail loudly).
 */
export function internals(ssl: Ssl): {
  /** Handshake bytes buffered for reassembly. */
  reasmBuffered: number;
  /** Bytes written by the engine and not yet taken from the write BIO. */
  outputQueued: number;
  /** The context's `limits.maxHandshakeMessage`. */
  maxHandshakeMessage: number;
} {
  const s = ssl as unknown as { engine: { reasm: { buffered: number }; outputBytes: number; config: { limits: { maxHandshakeMessage: number } } }; conn: { io: { out: Uint8Array[] } } };
  if (!s.engine?.reasm || typeof s.engine.reasm.buffered !== 'number') throw new Error('internals(): Ssl/engine field names changed; update packages/fast-check/src/pair/side.ts');
  if (!Array.isArray(s.conn?.io?.out)) throw new Error('internals(): Ssl output queue field names changed; update packages/fast-check/src/pair/side.ts');
  let q = s.engine.outputBytes;
  for (const b of s.conn.io.out) q += b.length;
  return { reasmBuffered: s.engine.reasm.buffered, outputQueued: q, maxHandshakeMessage: s.engine.config.limits.maxHandshakeMessage };
}

// ------------------------------------------------------------------ one side

/** How a side failed: the call, its return value, `getError`, the reason and the alert (for the invariants). */
export interface Failure {
  /** The script phase the failing call was in. */
  phase: string;
  /** The call: doHandshake, write, read or shutdown. */
  call: string;
  /** Its return value. */
  ret: number;
  /** `getError(ret)`. */
  err: number;
  /** `errorReason()`. */
  reason: string | null;
  /** `lastErrorDetail()`: reason, alert sent, alert received. */
  detail: SslError | null;
  /** Our close_notify was already sent (SENT set) when the failing call began. */
  sentBefore: boolean;
  /** Bytes this side wrote during the failing call. */
  wroteDuring: Uint8Array;
  /** The failure followed a transport EOF the harness delivered. */
  afterEof: boolean;
}

/** Where a side is in its script. */
export type Phase = 'early' | 'hs' | 'write' | 'read' | 'close' | 'drain' | 'done' | 'closed' | 'failed';

/** One endpoint of a pair run (`runMemtlsPair`): its Ssl, BIOs, script phase, and what it wrote and read. */
export class Side {
  /** Client or server. */
  readonly role: Role;
  /** The endpoint. */
  readonly ssl: Ssl;
  /** What the peer sent (after the man in the middle). */
  readonly input = new MemoryBio();
  /** What this side wrote. */
  readonly output = new MemoryBio();
  /** Where it is in its script. */
  phase: Phase = 'hs';
  /** How it failed (null: it did not). */
  failure: Failure | null = null;
  /** Every byte this side wrote, before the man in the middle. */
  written: Uint8Array[] = [];
  /** Application bytes read so far. */
  received: number[] = [];
  /** API calls made. */
  calls = 0;
  /** The harness delivered a transport EOF (after a stall). */
  eofGiven = false;
  /** The largest `pending()` seen. */
  maxPending = 0;
  /** The most handshake bytes buffered for reassembly. */
  maxReasm = 0;
  /** Memory limits broken (see `checkMemory`). */
  readonly violations: string[] = [];
  private sent = 0;
  private cur: Uint8Array | null = null;
  private readonly payload: Uint8Array;
  private readonly expect: number;
  private readonly readSize: number;
  /** Client: bytes written as early data (written again after the handshake unless the server accepted them). */
  private earlySent = 0;

  /** `early`: the run starts with 0-RTT early data (the client's writeEarlyData, the server's readEarlyData). */
  constructor(role: Role, ssl: Ssl, payload: Uint8Array, expect: number, readSize: number, early = false) {
    this.role = role;
    if (early) this.phase = 'early';
    this.ssl = ssl;
    this.payload = payload;
    this.expect = expect;
    this.readSize = readSize;
    ssl.setBio(this.input, this.output);
  }

  /** Done, closed or failed: it makes no more calls. */
  get terminal(): boolean {
    return this.phase === 'done' || this.phase === 'closed' || this.phase === 'failed';
  }

  /** Bytes written and not yet taken by the pump. */
  take(): Uint8Array {
    const n = this.output.pending();
    if (n === 0) return new Uint8Array(0);
    const b = new Uint8Array(n);
    this.output.read(b);
    this.written.push(b);
    return b;
  }

  private checkMemory(): void {
    const p = this.ssl.pending();
    this.maxPending = Math.max(this.maxPending, p);
    if (p > MAX_PLAINTEXT) this.violations.push(`${this.role}: pending() = ${p} > ${MAX_PLAINTEXT}`);
    const i = internals(this.ssl);
    this.maxReasm = Math.max(this.maxReasm, i.reasmBuffered);
    if (i.reasmBuffered > i.maxHandshakeMessage + 4 + MAX_PLAINTEXT + 256) this.violations.push(`${this.role}: ${i.reasmBuffered} handshake bytes buffered`);
  }

  /** One API call. Returns true when something visible happened (a positive return or a phase change). */
  async step(): Promise<boolean> {
    if (this.terminal) return false;
    const before = this.phase;
    const sentBefore = (this.ssl.getShutdown() & SSL_SENT_SHUTDOWN) !== 0;
    const outBefore = this.output.pending();
    let call = '';
    let r = 0;
    this.calls++;
    switch (this.phase) {
      case 'early':
        if (this.role === 'client') {
          call = 'writeEarlyData';
          r = this.payload.length ? await guard(this.ssl.writeEarlyData(this.payload), `${this.role} writeEarlyData`) : 0;
          if (r > 0) this.earlySent = this.sent = r;
          if (r >= 0) [this.phase, r] = ['hs', 1]; // 0: the session allows none (a refusal, not an error)
        } else {
          const b = new Uint8Array(this.readSize);
          call = 'readEarlyData';
          r = await guard(this.ssl.readEarlyData(b), `${this.role} readEarlyData`);
          if (r > 0) for (let k = 0; k < r; k++) this.received.push(b[k] as number);
          if (r === 0) [this.phase, r] = ['hs', 1];
        }
        break;
      case 'hs':
        call = 'doHandshake';
        r = await guard(this.ssl.doHandshake(), `${this.role} doHandshake`);
        if (r === 1) this.phase = 'write';
        if (r === 1 && this.earlySent > 0 && this.ssl.getEarlyDataStatus() !== 'accepted') this.sent = 0;
        break;
      case 'write': {
        if (this.sent >= this.payload.length) {
          this.phase = 'read';
          return true;
        }
        this.cur ??= this.payload.subarray(this.sent);
        call = 'write';
        r = await guard(this.ssl.write(this.cur), `${this.role} write`);
        if (r > 0) {
          this.sent += r;
          this.cur = null;
          if (this.sent >= this.payload.length) this.phase = 'read';
        }
        break;
      }
      case 'read':
      case 'drain': {
        if (this.phase === 'read' && this.received.length >= this.expect) {
          this.phase = 'close';
          return true;
        }
        const b = new Uint8Array(this.readSize);
        call = 'read';
        r = await guard(this.ssl.read(b), `${this.role} read`);
        if (r > 0) for (let k = 0; k < r; k++) this.received.push(b[k] as number);
        if (r === 0 && this.ssl.getError(r) === SSL_ERROR_ZERO_RETURN) {
          if (this.phase === 'drain') {
            r = await guard(this.ssl.shutdown(), `${this.role} shutdown`);
            call = 'shutdown';
            if (r === 1) this.phase = 'done';
          } else this.phase = 'closed'; // the peer closed before sending everything
        }
        break;
      }
      case 'close':
        call = 'shutdown';
        r = await guard(this.ssl.shutdown(), `${this.role} shutdown`);
        if (r === 1) this.phase = 'done';
        else if (r === 0) {
          this.phase = 'drain';
          r = 1; // rule 2: a 0 from the first shutdown is progress, not an error
        }
        break;
      default:
        return false;
    }
    this.checkMemory();
    if (r <= 0 && this.phase !== 'done') {
      const err = this.ssl.getError(r);
      if (err !== SSL_ERROR_WANT_READ && err !== SSL_ERROR_WANT_WRITE && !(err === SSL_ERROR_ZERO_RETURN && (this.phase as Phase) === 'closed')) {
        const all = this.output.pending() > outBefore ? this.peekOutput() : new Uint8Array(0);
        this.failure = {
          phase: before,
          call,
          ret: r,
          err,
          reason: this.ssl.errorReason(),
          detail: this.ssl.lastErrorDetail(),
          sentBefore,
          wroteDuring: all.subarray(outBefore),
          afterEof: this.eofGiven,
        };
        this.phase = err === SSL_ERROR_ZERO_RETURN ? 'closed' : 'failed';
      }
    }
    return r > 0 || this.phase !== before;
  }

  /** What sits in the write BIO, left in place (read and written back: a MemoryBio keeps the order). */
  private peekOutput(): Uint8Array {
    const n = this.output.pending();
    const b = new Uint8Array(n);
    this.output.read(b);
    this.output.write(b);
    return b;
  }
}

