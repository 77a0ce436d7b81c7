/**
 * The hostile-peer harness shared by test/fuzz and test/robustness.
 *
 * `runPair()` drives a memtls client and server through handshake, one payload each way and the recommended
 * close loop (docs/shutdown.md), one API call per side per tick, over MemoryBios with a man in the middle:
 * every batch of bytes a side writes (a "flight": what one call produced) passes through `filter(dir, n, bytes)`
 * before the peer sees it. With the null provider (@memtls/crypto-null) the filter can open, change and re-seal
 * protected records. The run ends when both sides are done or failed; when nothing moves any more (a stall,
 * e.g. after truncation) each waiting side gets a transport EOF, which must end it too.
 *
 * `violations(outcome)` lists what API.md forbids: an exception escaping a call, a call that never returns, a
 * run that never ends, a failure that is not SSL_ERROR_SSL with a reason and an alert sent (or received, or
 * suppressed because our close_notify was already sent: shutdown rules 5 and 13), an alert promised but not
 * written, INTERNAL_ERROR, and buffered plaintext or handshake bytes past the limits.
 */
process.env.MEMTLS_INSECURE_TEST_CRYPTO = '1';

import {
  type ContextOptions,
  MemoryBio,
  SSL_ERROR_SSL,
  SSL_ERROR_SYSCALL,
  SSL_ERROR_WANT_READ,
  SSL_ERROR_WANT_WRITE,
  SSL_ERROR_ZERO_RETURN,
  SSL_SENT_SHUTDOWN,
  Ssl,
  SslContext,
  type SslError,
  type SslSession,
} from '@memtls/core';
import { createNullProvider } from '@memtls/crypto-null';
import { testPki } from '../util/pki.js';
import { CT, concat, fromUnits, toUnits } from './wire.js';

export type Role = 'client' | 'server';
export type Dir = 'c2s' | 's2c';
export type Limits = NonNullable<ContextOptions['limits']>;
export const MAX_PLAINTEXT = 16384;
export const DEFAULT_MAX_HANDSHAKE_MESSAGE = 102400;

export type Version = 'tls1.3' | 'tls1.2';

export interface Setup {
  /** 'null': @memtls/crypto-null on both sides (records can be opened and forged); 'real': WebCrypto. */
  crypto: 'null' | 'real';
  /** Both ends pinned to this version with minVersion/maxVersion (absent: TLS 1.3, the default negotiation).
   * TLS 1.2 runs use the ECDHE-ECDSA AES-GCM suites, whose explicit nonce lets wire.ts open and re-seal records. */
  version?: Version;
  /** The client offers secp256r1 first and the server takes only x25519: the server sends a HelloRetryRequest. */
  hrr?: boolean;
  /** The server requests (and requires) a client certificate. */
  clientAuth?: boolean;
  /** A first clean connection on the same contexts gives the client a session, which the run resumes
   * (abbreviated handshake: TLS 1.2 RFC 5246 §7.3 / RFC 5077, TLS 1.3 PSK). */
  resume?: boolean;
  /** Both ends have the same external PSK (pskUseSession / pskFindSession): the handshake is authenticated by it,
   * without Certificate or CertificateVerify (RFC 8446 §4.2.11). */
  psk?: boolean;
  /** 0-RTT early data (RFC 8446 §4.2.10): the server accepts early data (maxEarlyData), the run resumes, the client
   * writes its payload as early data (writeEarlyData) and the server reads it first (readEarlyData until 0); the
   * client writes it again after the handshake when the server did not accept it (as an application would). */
  earlyData?: boolean;
  /** Seed of the null provider's random stream (the client uses seed, the server seed + 1). */
  seed?: number;
  /** Null provider: declared synchronous (one record at a time) instead of pipelined; and with the
   * `sealRecord` fast path. Both engine paths are fuzzed. */
  sync?: boolean;
  fastSeal?: boolean;
  clientLimits?: Limits;
  serverLimits?: Limits;
  client?: Partial<ContextOptions>;
  server?: Partial<ContextOptions>;
}

/** The context options that pin both ends to `version` (TLS 1.2: AES-GCM, the 128- or 256-bit suite by `seed`). */
export function pinVersion(version: Version | undefined, seed = 0): Partial<ContextOptions> {
  if (version !== 'tls1.2') return version === 'tls1.3' ? { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' } : {};
  const suites = ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'];
  return { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', cipherSuites: seed % 2 ? suites.reverse() : suites };
}

/** The external PSK of `Setup.psk` runs. */
const FUZZ_PSK_IDENTITY = new TextEncoder().encode('fuzz-psk');
const FUZZ_PSK_KEY = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 3);

export function makeContexts(s: Setup): { cctx: SslContext; sctx: SslContext } {
  const pki = testPki();
  const seed = s.seed ?? 0;
  const pin = pinVersion(s.version, seed);
  const nul = s.crypto === 'null';
  const crypto = (k: number): Partial<ContextOptions> => (nul ? { crypto: createNullProvider({ seed: seed + k, synchronous: s.sync === true, sealRecord: s.fastSeal === true }) } : {});
  const sctx = new SslContext({
    role: 'server',
    cert: pki.leaves['ec-p256'].cert,
    key: pki.leaves['ec-p256'].key,
    ...crypto(1),
    ...(s.hrr ? { groups: ['x25519'] } : {}),
    // Real CA signatures do not verify under the null provider: accept the chain through the callback there.
    ...(s.clientAuth ? { verifyPeer: true, ca: pki.caCert, ...(nul ? { verifyCallback: () => true } : {}) } : {}),
    ...(s.serverLimits ? { limits: s.serverLimits } : {}),
    ...(s.earlyData ? { maxEarlyData: 16384 } : {}),
    ...(s.psk ? { pskFindSession: (id: Uint8Array) => (id.length === FUZZ_PSK_IDENTITY.length && id.every((b, i) => b === FUZZ_PSK_IDENTITY[i]) ? { key: FUZZ_PSK_KEY } : null) } : {}),
    ...pin,
    ...s.server,
  });
  const cctx = new SslContext({
    role: 'client',
    ...crypto(0),
    ...(nul ? { verifyPeer: false } : { ca: pki.caCert }),
    ...(s.hrr ? { groups: ['secp256r1', 'x25519'] } : {}),
    ...(s.clientAuth ? { cert: pki.client.cert, key: pki.client.key } : {}),
    ...(s.clientLimits ? { limits: s.clientLimits } : {}),
    ...(s.psk ? { pskUseSession: () => ({ identity: FUZZ_PSK_IDENTITY, key: FUZZ_PSK_KEY }) } : {}),
    ...pin,
    ...s.client,
  });
  return { cctx, sctx };
}

// ------------------------------------------------------------------ guarded calls

/** How long one API call may take before the run counts it as a hang. */
export const CALL_TIMEOUT_MS = 10000;

export class Violation extends Error {
  override name = 'Violation';
}

/** Await an Ssl call; a rejection (an exception escaping the API) or a call that never settles is a Violation. */
export async function guard<T>(p: Promise<T>, what: string, ms = CALL_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
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
export function internals(ssl: Ssl): { reasmBuffered: number; outputQueued: number; maxHandshakeMessage: number } {
  const s = ssl as unknown as { engine: { reasm: { buffered: number }; outputBytes: number; config: { limits: { maxHandshakeMessage: number } } }; conn: { io: { out: Uint8Array[] } } };
  if (!s.engine?.reasm || typeof s.engine.reasm.buffered !== 'number') throw new Error('internals(): Ssl/engine field names changed; update test/fuzz/kit.ts');
  if (!Array.isArray(s.conn?.io?.out)) throw new Error('internals(): Ssl output queue field names changed; update test/fuzz/kit.ts');
  let q = s.engine.outputBytes;
  for (const b of s.conn.io.out) q += b.length;
  return { reasmBuffered: s.engine.reasm.buffered, outputQueued: q, maxHandshakeMessage: s.engine.config.limits.maxHandshakeMessage };
}

// ------------------------------------------------------------------ one side

export interface Failure {
  phase: string;
  call: string;
  ret: number;
  err: number;
  reason: string | null;
  detail: SslError | null;
  /** Our close_notify was already sent (SENT set) when the failing call began. */
  sentBefore: boolean;
  /** Bytes this side wrote during the failing call. */
  wroteDuring: Uint8Array;
  /** The failure followed a transport EOF the harness delivered. */
  afterEof: boolean;
}

type Phase = 'early' | 'hs' | 'write' | 'read' | 'close' | 'drain' | 'done' | 'closed' | 'failed';

export class Side {
  readonly role: Role;
  readonly ssl: Ssl;
  readonly input = new MemoryBio();
  readonly output = new MemoryBio();
  phase: Phase = 'hs';
  failure: Failure | null = null;
  /** Every byte this side wrote, before the man in the middle. */
  written: Uint8Array[] = [];
  received: number[] = [];
  calls = 0;
  eofGiven = false;
  maxPending = 0;
  maxReasm = 0;
  readonly violations: string[] = [];
  private sent = 0;
  private cur: Uint8Array | null = null;
  private readonly payload: Uint8Array;
  private readonly expect: number;
  private readonly readSize: number;
  /** Client: bytes written as early data (sent again after the handshake unless the server accepted them). */
  private earlySent = 0;

  constructor(role: Role, ssl: Ssl, payload: Uint8Array, expect: number, readSize: number, early = false) {
    this.role = role;
    if (early) this.phase = 'early';
    this.ssl = ssl;
    this.payload = payload;
    this.expect = expect;
    this.readSize = readSize;
    ssl.setBio(this.input, this.output);
  }

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

// ------------------------------------------------------------------ a run

export type Filter = (dir: Dir, flight: number, bytes: Uint8Array) => Uint8Array;

export interface RunOptions extends Setup {
  filter?: Filter;
  clientPayload?: Uint8Array;
  serverPayload?: Uint8Array;
  readSize?: number;
  /** Ticks before the run counts as never ending. */
  maxTicks?: number;
}

export interface Outcome {
  client: Side;
  server: Side;
  ticks: number;
  stalls: number;
  flights: Record<Dir, number>;
  violations: string[];
}

export async function runPair(o: RunOptions): Promise<Outcome> {
  const { cctx, sctx } = makeContexts(o);
  if (!o.resume && !o.earlyData) return runPairOn(o, cctx, sctx, null);
  const { filter: _mitm, ...clean } = o;
  const first = await runPairOn(clean, cctx, sctx, null);
  const session = first.client.ssl.getSession();
  if (first.violations.length || !session) throw new Error(`resume: the first connection gave no session (${describe(first)})`);
  return runPairOn(o, cctx, sctx, session);
}

async function runPairOn(o: RunOptions, cctx: SslContext, sctx: SslContext, session: SslSession | null): Promise<Outcome> {
  const cp = o.clientPayload ?? new Uint8Array(0);
  const sp = o.serverPayload ?? new Uint8Array(0);
  const rs = o.readSize ?? 4096;
  const early = o.earlyData === true && session !== null;
  const client = new Side('client', new Ssl(cctx, session ? { serverName: 'localhost', session } : { serverName: 'localhost' }), cp, sp.length, rs, early);
  const server = new Side('server', new Ssl(sctx), sp, cp.length, rs, early);
  const flights: Record<Dir, number> = { c2s: 0, s2c: 0 };
  const violations: string[] = [];
  const reseq: Record<Dir, Resequencer> = { c2s: new Resequencer(), s2c: new Resequencer() };
  const pump = (from: Side, to: Side, dir: Dir): number => {
    let b = from.take();
    if (b.length === 0) return 0;
    const n = flights[dir]++;
    if (o.filter) b = o.filter(dir, n, b);
    if (o.version === 'tls1.2' && o.crypto === 'null') b = reseq[dir].apply(b);
    if (b.length) to.input.write(b);
    delivered += b.length;
    return b.length || 1;
  };
  // The budget grows with the bytes actually delivered: a mutation that duplicates records (accepted as data by
  // the non-strict null AEAD, which does not bind the sequence number) gives a reader at 1 byte per call more to
  // read than the payloads (test/fuzz corpus mutation/873999360-1). A real hang delivers nothing and stalls.
  let delivered = 0;
  const budget = (): number => o.maxTicks ?? 2000 + 2 * Math.ceil(Math.max(cp.length + sp.length, delivered) / rs);
  let ticks = 0;
  let stalls = 0;
  try {
    for (; ticks < budget() && !(client.terminal && server.terminal); ticks++) {
      let moved = 0;
      let progress = false;
      progress = (await client.step()) || progress;
      moved += pump(client, server, 'c2s');
      progress = (await server.step()) || progress;
      moved += pump(server, client, 's2c');
      if (moved === 0 && !progress) {
        // A stall: nothing moves. Close the transport of every side still waiting; that must end it.
        const waiting = [client, server].filter((s) => !s.terminal && !s.eofGiven);
        if (waiting.length === 0) break;
        stalls++;
        for (const s of waiting) {
          s.eofGiven = true;
          s.input.setEof();
        }
      }
    }
    if (!(client.terminal && server.terminal)) {
      // Both sides had EOF and still did not end: the API promises an end.
      violations.push(`run did not end after ${ticks} ticks (client ${client.phase}, server ${server.phase})`);
    }
  } catch (e) {
    violations.push(e instanceof Error ? e.message : String(e));
  }
  violations.push(...client.violations, ...server.violations, ...failureViolations(client, o.crypto), ...failureViolations(server, o.crypto));
  return { client, server, ticks, stalls, flights, violations };
}

/**
 * TLS 1.2 binds each record to its sequence number (the additional data, RFC 5246 §6.2.3.3); TLS 1.3's null AEAD
 * does not. With the null provider a TLS 1.2 run re-seals every protected record the receiver gets with the
 * sequence number it expects (0 after each CCS), so that a mutation that splits, merges, drops or injects records
 * tests what the receiver does with the records and not only that the next tag fails, as in TLS 1.3. Records
 * that do not open (corrupted) and a trailing partial record pass unchanged.
 */
export class Resequencer {
  private seq = 0;
  apply(bytes: Uint8Array): Uint8Array {
    const { units, rest } = toUnits(bytes);
    if (!units.some((u) => u.v12 || u.type === CT.CCS)) return bytes;
    for (const u of units) {
      if (!u.sealed && u.type === CT.CCS) this.seq = 0;
      else if (u.v12 && !u.opaque) u.seq = this.seq++;
    }
    return concat(fromUnits(units), rest);
  }
}

/**
 * Failures that deliberately send no alert, as OpenSSL: the first bytes were plaintext HTTP, i.e. the peer does
 * not speak TLS at all. (Failures after our own close_notify send none either: `sentBefore`.)
 */
export const SILENT_REASONS: ReadonlySet<string> = new Set(['HTTP_REQUEST', 'HTTPS_PROXY_REQUEST']);

/** What is wrong with how a side ended (empty when it ended well). */
export function failureViolations(s: Side, crypto: 'null' | 'real'): string[] {
  const f = s.failure;
  if (!f) return [];
  const out: string[] = [];
  const who = `${s.role} ${f.call} in ${f.phase} -> ${f.ret}`;
  if (f.err === SSL_ERROR_ZERO_RETURN) return out; // a clean close_notify from the peer: allowed anywhere
  if (f.err !== SSL_ERROR_SSL) {
    out.push(`${who}: getError ${f.err} (${f.err === SSL_ERROR_SYSCALL ? 'SYSCALL' : 'other'}), reason ${f.reason}`);
    return out;
  }
  if (!f.reason) out.push(`${who}: SSL_ERROR_SSL without errorReason()`);
  const d = f.detail;
  if (!d) {
    out.push(`${who}: SSL_ERROR_SSL without lastErrorDetail()`);
    return out;
  }
  if (d.reason === 'INTERNAL_ERROR') out.push(`${who}: INTERNAL_ERROR (${d.message})`);
  if (d.alert === null && d.receivedAlert === null && !f.sentBefore && !SILENT_REASONS.has(d.reason)) out.push(`${who}: failed (${d.reason}) with no alert sent or received`);
  if (d.alert !== null) {
    const alert = lastAlert(f.wroteDuring, crypto);
    if (alert === 'none') {
      if (!f.sentBefore) out.push(`${who}: detail.alert ${d.alert} (${d.reason}) but no alert record was written`);
    } else if (alert !== 'opaque' && alert !== d.alert) out.push(`${who}: wrote alert ${alert}, detail says ${d.alert}`);
  }
  return out;
}

/** The alert description in the last record of `bytes`: a number, 'opaque' (sealed, real crypto) or 'none'. */
export function lastAlert(bytes: Uint8Array, _crypto: 'null' | 'real'): number | 'opaque' | 'none' {
  const u = toUnits(bytes).units.at(-1);
  if (!u) return 'none';
  // Sealed with real crypto (TLS 1.3: any type-23 record; TLS 1.2: a protected alert record).
  if (u.opaque) return u.type === CT.APP || u.type === CT.ALERT ? 'opaque' : 'none';
  if (u.type !== CT.ALERT || u.content.length !== 2) return 'none';
  return u.content[1] as number;
}

/** Both sides finished the whole script (handshake, both payloads, close) and got exactly what was sent. */
export function cleanSuccess(out: Outcome, cp: Uint8Array, sp: Uint8Array): boolean {
  return (
    out.client.phase === 'done' &&
    out.server.phase === 'done' &&
    Buffer.from(Uint8Array.from(out.client.received)).equals(Buffer.from(sp)) &&
    Buffer.from(Uint8Array.from(out.server.received)).equals(Buffer.from(cp))
  );
}

export function describe(out: Outcome): string {
  const side = (s: Side): string =>
    `${s.role}: ${s.phase}${s.failure ? ` (${s.failure.call} in ${s.failure.phase}: ret ${s.failure.ret} err ${s.failure.err} "${s.failure.reason}" alert ${s.failure.detail?.alert ?? '-'} received ${s.failure.detail?.receivedAlert ?? '-'}${s.failure.afterEof ? ' after EOF' : ''})` : ''}`;
  return `${side(out.client)}; ${side(out.server)}; ticks ${out.ticks}, stalls ${out.stalls}, flights c2s ${out.flights.c2s} s2c ${out.flights.s2c}`;
}
