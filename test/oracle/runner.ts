/**
 * The memtls half of the differential oracle: runs a scenario (test/oracle/scenarios/*.txt, syntax in
 * test/oracle/README.md) on a memtls client and server and prints the same lines as harness.c:
 *
 *   <step>\t<ret>\t<getError>\t<getShutdown>\t<reason>\t<bytes written>
 *
 * The mem transport is `Link` (test/util/link.ts); the pair transport is the same over `newBioPair`,
 * with a byte counter on each end. The reason column is the error raised by this step (OpenSSL's error
 * queue is cleared before every call), found by the identity of `lastErrorDetail()` before and after.
 */
import {
  type Bio,
  type BioPairEnd,
  type ContextOptions,
  newBioPair,
  SSL_ERROR_WANT_READ,
  SSL_ERROR_WANT_WRITE,
  SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER,
  SSL_MODE_AUTO_RETRY,
  SSL_MODE_ENABLE_PARTIAL_WRITE,
  SSL_OP_IGNORE_UNEXPECTED_EOF,
  SSL_OP_NO_TICKET,
  Ssl,
  SslContext,
  type SslOptions,
  type SslSession,
} from '@memtls/core';
import { Link } from '../util/link.js';

export interface OraclePki {
  cert: string;
  key: string;
  ca: string;
  /** The client's certificate and key for `#! pha` scenarios (post-handshake authentication). */
  clientCert?: string;
  clientKey?: string;
}

/** `#! pha`: the client offers post-handshake authentication with a certificate; the server verifies clients and
 * asks after the handshake only (harness.c's `pha` arguments: SSL_VERIFY_POST_HANDSHAKE). */
export const isPhaScenario = (scenario: string): boolean => /^#!\s*pha\s*$/m.test(scenario);

/** The protocol version both sides are pinned to (harness.c's fourth argument). */
export type OracleVersion = 'tls1.3' | 'tls1.2';
/** The server's tickets: SSL_OP_NO_TICKET (stateful TLS 1.3 tickets, TLS 1.2 session IDs) or the default
 * stateless tickets (harness.c's fifth argument). */
export type OracleTickets = 'no_ticket' | 'tickets';

/** The context options that pin a version as harness.c does: one suite, x25519 (and P-256 in TLS 1.2, where
 * supported_groups also limits the curve of the server's ECDSA certificate). */
export function versionOptions(version: OracleVersion): Pick<ContextOptions, 'minVersion' | 'maxVersion' | 'cipherSuites' | 'groups'> {
  return version === 'tls1.3'
    ? { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', cipherSuites: ['TLS_AES_128_GCM_SHA256'], groups: ['x25519'] }
    : { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'], groups: ['x25519', 'secp256r1'] };
}

/** One parsed step: its tokens and its 1-based number among the scenario's steps. */
export interface Step {
  tokens: string[];
  text: string;
  line: number;
}

/** Tokens of every step line (comments from `#` to the end of the line, blank lines and `transport` dropped). */
export function parseScenario(text: string): { transport: string[] | null; steps: Step[] } {
  let transport: string[] | null = null;
  const steps: Step[] = [];
  text.split('\n').forEach((raw, i) => {
    const hash = raw.indexOf('#');
    const tokens = (hash >= 0 ? raw.slice(0, hash) : raw).split(/[ \t\r]+/).filter((t) => t.length > 0);
    if (tokens.length === 0) return;
    if (tokens[0] === 'transport') {
      if (steps.length > 0) throw new Error(`line ${i + 1}: transport must come before the first step`);
      transport = tokens;
      return;
    }
    steps.push({ tokens, text: tokens.join(' '), line: i + 1 });
  });
  return { transport, steps };
}

/** A BIO pair end that counts the bytes written through it (BIO_number_written). */
class CountingEnd implements Bio {
  total = 0;
  readonly end: BioPairEnd;
  constructor(end: BioPairEnd) {
    this.end = end;
  }
  write(data: Uint8Array): number {
    const n = this.end.write(data);
    if (n > 0) this.total += n;
    return n;
  }
  read(buf: Uint8Array): number {
    return this.end.read(buf);
  }
  pending(): number {
    return this.end.pending();
  }
  shouldRetry(): boolean {
    return this.end.shouldRetry();
  }
  eof(): boolean {
    return this.end.eof();
  }
}

type Side = 'c' | 's';

/** What the runner needs from a connection, over either transport. */
interface Conn {
  readonly client: Ssl;
  readonly server: Ssl;
  wrote(side: Side): number;
  deliver(from: Side, n: number, corruptLast: boolean): number;
  eof(side: Side): void;
  /** Bytes waiting unread in the side's read BIO. */
  rbioPending(side: Side): number;
}

class MemConn implements Conn {
  readonly link: Link;
  constructor(cctx: SslContext, sctx: SslContext, opts: SslOptions) {
    this.link = new Link(cctx, sctx, opts);
  }
  get client(): Ssl {
    return this.link.client;
  }
  get server(): Ssl {
    return this.link.server;
  }
  wrote(side: Side): number {
    return side === 'c' ? this.link.clientWrote : this.link.serverWrote;
  }
  deliver(from: Side, n: number, corruptLast: boolean): number {
    if (!corruptLast) return from === 'c' ? this.link.toServer(n) : this.link.toClient(n);
    const src = from === 'c' ? this.link.clientOut : this.link.serverOut;
    const dst = from === 'c' ? this.link.serverIn : this.link.clientIn;
    const len = Math.min(n, src.pending());
    if (len <= 0) return 0;
    const buf = new Uint8Array(len);
    src.read(buf);
    buf[len - 1] = (buf[len - 1] as number) ^ 1;
    dst.write(buf);
    return len;
  }
  eof(side: Side): void {
    (side === 'c' ? this.link.clientIn : this.link.serverIn).setEof();
  }
  rbioPending(side: Side): number {
    return (side === 'c' ? this.link.clientIn : this.link.serverIn).pending();
  }
}

class PairConn implements Conn {
  readonly client: Ssl;
  readonly server: Ssl;
  private readonly ends: Record<Side, CountingEnd>;
  constructor(cctx: SslContext, sctx: SslContext, opts: SslOptions, sizeC: number, sizeS: number) {
    const [e1, e2] = newBioPair(sizeC, sizeS);
    this.ends = { c: new CountingEnd(e1), s: new CountingEnd(e2) };
    this.client = new Ssl(cctx, opts);
    this.server = new Ssl(sctx);
    this.client.setBio(this.ends.c, this.ends.c);
    this.server.setBio(this.ends.s, this.ends.s);
  }
  wrote(side: Side): number {
    return this.ends[side].total;
  }
  deliver(): number {
    throw new Error('deliver needs the mem transport');
  }
  eof(side: Side): void {
    // the side's reads end when the peer's end is shut for writing (BIO_shutdown_wr)
    this.ends[side === 'c' ? 's' : 'c'].end.shutdownWr();
  }
  rbioPending(side: Side): number {
    return this.ends[side].pending();
  }
}

/** OpenSSL's SSL_OP_NO_RENEGOTIATION: memtls never renegotiates, so the bit is only stored (harness.c sets it too). */
const SSL_OP_NO_RENEGOTIATION = 0x40000000;
const OPTIONS: Record<string, number> = { ignore_eof: SSL_OP_IGNORE_UNEXPECTED_EOF, no_ticket: SSL_OP_NO_TICKET, no_renegotiation: SSL_OP_NO_RENEGOTIATION };
const MODES: Record<string, number> = {
  auto_retry: SSL_MODE_AUTO_RETRY,
  partial_write: SSL_MODE_ENABLE_PARTIAL_WRITE,
  moving_buffer: SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER,
};
const MAX_IO = 1 << 20;

function num(tok: string | undefined, max: number): number {
  if (tok === undefined || !/^\d+$/.test(tok) || Number(tok) > max) throw new Error(`bad number '${tok}'`);
  return Number(tok);
}

function lookup(table: Record<string, number>, name: string | undefined, what: string): number {
  const v = name === undefined ? undefined : table[name];
  if (v === undefined) throw new Error(`unknown ${what} '${name}'`);
  return v;
}

/** Run a scenario on memtls; one output line per step, in harness.c's format. */
export async function runMemtls(scenario: string, pki: OraclePki, version: OracleVersion = 'tls1.3', tickets: OracleTickets = 'no_ticket'): Promise<string[]> {
  const { transport, steps } = parseScenario(scenario);
  let pairSizes: [number, number] | null = null;
  if (transport) {
    if (transport.length === 2 && transport[1] === 'mem') pairSizes = null;
    else if (transport.length === 4 && transport[1] === 'pair') pairSizes = [num(transport[2], MAX_IO), num(transport[3], MAX_IO)];
    else throw new Error('transport mem | transport pair N M');
  }
  const common = versionOptions(version);
  const pha = isPhaScenario(scenario);
  if (pha && (!pki.clientCert || !pki.clientKey)) throw new Error('#! pha needs the client certificate');
  const ctx: Record<Side, SslContext> = {
    c: new SslContext({ role: 'client', ca: pki.ca, ...common, ...(pha ? { cert: pki.clientCert as string, key: pki.clientKey as string, postHandshakeAuth: true } : {}) }),
    s: new SslContext({ role: 'server', cert: pki.cert, key: pki.key, ...common, ...(pha ? { ca: pki.ca, verifyPeer: true, postHandshakeAuth: true } : {}) }),
  };
  // As harness.c's server: SSL_OP_NO_TICKET (stateful TLS 1.3 tickets, TLS 1.2 session IDs), or the default
  // stateless tickets.
  if (tickets === 'no_ticket') ctx.s.setOptions(SSL_OP_NO_TICKET);
  let saved: SslSession | null = null;
  const open = (): Conn => {
    const opts: SslOptions = saved ? { serverName: 'localhost', session: saved } : { serverName: 'localhost' };
    return pairSizes ? new PairConn(ctx.c, ctx.s, opts, pairSizes[0], pairSizes[1]) : new MemConn(ctx.c, ctx.s, opts);
  };
  let conn = open();
  let freed: Record<Side, boolean> = { c: false, s: false };
  const ssl = (x: Side): Ssl => {
    if (freed[x]) throw new Error(`side ${x} was freed`);
    return x === 'c' ? conn.client : conn.server;
  };
  const wbuf: Record<Side, Uint8Array> = { c: new Uint8Array(MAX_IO), s: new Uint8Array(MAX_IO) };
  for (let i = 0; i < MAX_IO; i++) {
    const b = 97 + (i % 26);
    wbuf.c[i] = b;
    wbuf.s[i] = b;
  }
  const out: string[] = [];

  for (const step of steps) {
    const t = step.tokens;
    const op = t[0] as string;
    // the acting side (for flags and bytes written) and the error seen before the call
    let side: Side | null = null;
    const before = { c: freed.c ? null : conn.client.lastErrorDetail(), s: freed.s ? null : conn.server.lastErrorDetail() };
    let ret = '-';
    let err = '-';
    let withReason = true;
    const io = async (x: Side, call: (s: Ssl) => Promise<number>): Promise<void> => {
      const s = ssl(x);
      const r = await call(s);
      ret = String(r);
      err = String(s.getError(r));
    };
    try {
      if (op === 'deliver' || op === 'deliver_corrupt') {
        if (t.length !== 3 || (t[1] !== 'c2s' && t[1] !== 's2c')) throw new Error('deliver c2s|s2c N|all');
        side = t[1] === 'c2s' ? 'c' : 's';
        ret = String(conn.deliver(side, t[2] === 'all' ? MAX_IO : num(t[2], MAX_IO), op === 'deliver_corrupt'));
      } else if (op === 'eof') {
        side = t[1] === 'c' || t[1] === 's' ? t[1] : null;
        if (!side || t.length !== 2) throw new Error('eof c|s');
        conn.eof(side);
        withReason = false;
      } else if (op === 'new') {
        conn = open();
        freed = { c: false, s: false };
        withReason = false;
      } else if (op === 'resumable') {
        ret = saved?.isResumable() ? '1' : '0';
      } else if (op === 'drive_handshake') {
        ret = String(await driveHandshake(conn, pairSizes === null));
        withReason = false;
      } else {
        if (op !== 'c' && op !== 's') throw new Error(`unknown step '${step.text}'`);
        if (t.length < 2) throw new Error('expected: <side> <operation> ...');
        const x: Side = op;
        side = x;
        const what = t[1];
        const arg = t[2];
        switch (what) {
          case 'handshake':
            await io(x, (s) => s.doHandshake());
            break;
          case 'read':
          case 'peek': {
            const n = num(arg, MAX_IO);
            if (n < 1) throw new Error('read/peek need at least 1 byte');
            const buf = new Uint8Array(n);
            await io(x, (s) => (what === 'read' ? s.read(buf) : s.peek(buf)));
            break;
          }
          case 'write':
          case 'write_moved': {
            const n = num(arg, MAX_IO - 1);
            // the same buffer every time, as harness.c (OpenSSL's bad-write-retry check compares pointers);
            // write_moved starts one byte further on
            const at = what === 'write_moved' ? 1 : 0;
            await io(x, (s) => s.write(wbuf[x].subarray(at, at + n)));
            break;
          }
          case 'shutdown':
            await io(x, (s) => s.shutdown());
            break;
          case 'set_shutdown':
            ssl(x).setShutdown(num(arg, 3));
            break;
          case 'quiet':
            ssl(x).setQuietShutdown(num(arg, 1) === 1);
            break;
          case 'ctx_quiet':
            ctx[x].setQuietShutdown(num(arg, 1) === 1);
            break;
          case 'set_option':
            ssl(x).setOptions(lookup(OPTIONS, arg, 'option'));
            break;
          case 'clear_option':
            ssl(x).clearOptions(lookup(OPTIONS, arg, 'option'));
            break;
          case 'ctx_set_option':
            ctx[x].setOptions(lookup(OPTIONS, arg, 'option'));
            break;
          case 'set_mode':
            ssl(x).setMode(lookup(MODES, arg, 'mode'));
            break;
          case 'clear_mode':
            ssl(x).clearMode(lookup(MODES, arg, 'mode'));
            break;
          case 'key_update':
            ret = String(ssl(x).keyUpdate(num(arg, 1) === 1));
            break;
          case 'renegotiate':
            if (version !== 'tls1.2') throw new Error('renegotiate is a TLS 1.2 step');
            ret = String(await forgeRenegotiation(ssl(x), x));
            break;
          case 'new_ticket':
            ret = String(ssl(x).newSessionTicket());
            break;
          case 'verify_pha':
            ret = String(ssl(x).verifyClientPostHandshake());
            break;
          case 'peer_cert':
            ret = ssl(x).peerCertificates().length > 0 ? '1' : '0';
            break;
          case 'ctx_max_early_data':
            ctx[x].setMaxEarlyData(num(arg, 1 << 30));
            break;
          case 'write_early':
            await io(x, (s) => s.writeEarlyData(wbuf[x].subarray(0, num(arg, MAX_IO - 1))));
            break;
          case 'read_early': {
            const n = num(arg, MAX_IO);
            if (n < 1) throw new Error('read_early needs at least 1 byte');
            const buf = new Uint8Array(n);
            await io(x, (s) => s.readEarlyData(buf));
            // FINISH (0) has no error code, as harness.c prints it
            if (ret === '0') err = '-';
            break;
          }
          case 'early_status':
            ret = String(['not_sent', 'rejected', 'accepted'].indexOf(ssl(x).getEarlyDataStatus()));
            break;
          case 'num_tickets':
            ssl(x).setNumTickets(num(arg, 64));
            ret = '1';
            break;
          case 'pending':
            ret = String(ssl(x).pending());
            break;
          case 'rbio_pending':
            ret = String(conn.rbioPending(x));
            break;
          case 'session':
            if (x !== 'c') throw new Error('only the client keeps sessions');
            saved = ssl(x).getSession();
            ret = saved?.isResumable() ? '1' : '0';
            break;
          case 'reused':
            ret = ssl(x).sessionReused() ? '1' : '0';
            break;
          case 'free':
            ssl(x).free();
            freed[x] = true;
            break;
          default:
            throw new Error(`unknown operation '${what}'`);
        }
      }
    } catch (e) {
      // a thrown exception is never what OpenSSL does: make it visible in the trace
      ret = `THROW(${e instanceof Error ? e.message : String(e)})`;
    }
    let reason = '-';
    if (withReason) {
      for (const x of ['c', 's'] as const) {
        if (freed[x] || (side !== null && x !== side)) continue;
        const now = (x === 'c' ? conn.client : conn.server).lastErrorDetail();
        if (now !== null && now !== before[x]) reason = now.reasonText;
      }
    }
    const flags = side !== null && !freed[side] ? String(ssl(side).getShutdown()) : '-';
    // drive_handshake has no acting side: its bytes column holds both totals, "client,server"
    const wrote = side !== null ? String(conn.wrote(side)) : op === 'drive_handshake' ? `${conn.wrote('c')},${conn.wrote('s')}` : '-';
    out.push([step.text, ret, err, flags, reason, wrote].join('\t'));
  }
  return out;
}

/** Both sides call doHandshake in turn until both return 1 (in mem mode, delivering everything between). */
async function driveHandshake(conn: Conn, deliver: boolean): Promise<number> {
  let rc = -1;
  let rs = -1;
  const retry = (s: Ssl, r: number): boolean => r === 1 || [SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE].includes(s.getError(r));
  for (let i = 0; i < 10000 && (rc !== 1 || rs !== 1); i++) {
    if (rc !== 1) {
      rc = await conn.client.doHandshake();
      if (!retry(conn.client, rc)) return rc;
    }
    if (deliver) conn.deliver('c', MAX_IO, false);
    if (rs !== 1) {
      rs = await conn.server.doHandshake();
      if (!retry(conn.server, rs)) return rs;
    }
    if (deliver) conn.deliver('s', MAX_IO, false);
  }
  return rc === 1 && rs === 1 ? 1 : -1;
}

/**
 * `X renegotiate` on the memtls side. memtls never renegotiates and has no call to start one, so the step forges
 * the request OpenSSL's SSL_renegotiate schedules: a server's HelloRequest, or a client's ClientHello (any body: a
 * memtls or OpenSSL server with SSL_OP_NO_RENEGOTIATION refuses it unread). It is sealed under the side's current
 * write key and written to the side's write BIO at once (OpenSSL writes it in the side's next call; oracle.test.ts
 * leaves the bytes of the `renegotiate` step and of the side's next step out of the comparison, as it does for
 * handshake flights). Prints 1, as SSL_renegotiate. What the initiator does next differs by design (declared in the
 * scenarios); the receiver's answer is what these scenarios compare.
 */
async function forgeRenegotiation(s: Ssl, x: Side): Promise<number> {
  const inner = s as unknown as {
    engine: { queueHandshake(raw: Uint8Array, noTranscript: boolean): void; flushHandshake(): Promise<void> };
    conn: { io: { flush(): unknown } };
  };
  inner.engine.queueHandshake(x === 's' ? Uint8Array.of(0, 0, 0, 0) : Uint8Array.of(1, 0, 0, 2, 3, 3), true);
  await inner.engine.flushHandshake();
  inner.conn.io.flush(); // into the write BIO now: oracle.test.ts counts it as a handshake flight
  return 1;
}
