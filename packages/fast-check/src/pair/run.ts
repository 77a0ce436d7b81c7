/**
 * `runMemtlsPair()` drives a memtls client and server through handshake, one payload each way and the recommended
 * close loop (docs/shutdown.md), one API call per side per tick, over MemoryBios with a man in the middle: every
 * batch of bytes a side writes (a "flight": what one call produced) passes through `filter(dir, n, bytes)` before
 * the peer sees it. With the null provider (@memtls/crypto-null) the filter can open, change and re-seal protected
 * records. The run ends when both sides are done or failed; when nothing moves any more (a stall, e.g. after
 * truncation) each waiting side gets a transport EOF, which must end it too.
 */
import { Ssl, type SslContext, type SslSession } from '@memtls/core';
import { CT, concat, fromUnits, toUnits } from '../wire.js';
import { failureViolations } from './invariants.js';
import { type Dir, Side } from './side.js';

/** The man in the middle: gets each flight (`n`: its index in direction `dir`) and returns what the peer sees. */
export type Filter = (dir: Dir, flight: number, bytes: Uint8Array) => Uint8Array;

/** What a pair run does. */
export interface PairRunOptions {
  /** The man in the middle (default: pass everything). */
  filter?: Filter;
  /** What the client writes after the handshake (default: nothing). */
  clientPayload?: Uint8Array;
  /** What the server writes after the handshake (default: nothing). */
  serverPayload?: Uint8Array;
  /** Size of each `read()` buffer (default 4096). */
  readSize?: number;
  /** Ticks before the run counts as never ending (default: 2000 plus two per read's worth of bytes delivered). */
  maxTicks?: number;
  /** 'null': both contexts use @memtls/crypto-null, so sealed alerts are checked too (default 'real'). */
  crypto?: 'null' | 'real';
  /** TLS 1.2 with the null provider: re-seal every protected record with the sequence number its receiver
   * expects (`Resequencer`), so re-cut records reach the state machine (default false). */
  resequence?: boolean;
  /** The client's server name (default 'localhost'). */
  serverName?: string;
  /** With a `session` to resume: the client writes its payload as 0-RTT early data (`writeEarlyData`) and the server
   * reads early data first (`readEarlyData` until 0); when the server does not accept it the client writes the
   * payload again after the handshake, as an application would (default false). */
  earlyData?: boolean;
}

/** The end of a pair run: both sides, how long it took, and every broken rule. */
export interface Outcome {
  /** The client side. */
  client: Side;
  /** The server side. */
  server: Side;
  /** Ticks (one call per side each) the run took. */
  ticks: number;
  /** How many times nothing moved and the waiting sides got a transport EOF. */
  stalls: number;
  /** Flights written in each direction. */
  flights: Record<Dir, number>;
  /** Broken rules (empty: the run kept the API contract). */
  violations: string[];
}

/** Run a client on `cctx` (resuming `session` if given) against a server on `sctx`; see the module comment. */
export async function runMemtlsPair(o: PairRunOptions, cctx: SslContext, sctx: SslContext, session: SslSession | null = null): Promise<Outcome> {
  const cp = o.clientPayload ?? new Uint8Array(0);
  const sp = o.serverPayload ?? new Uint8Array(0);
  const rs = o.readSize ?? 4096;
  const crypto = o.crypto ?? 'real';
  const serverName = o.serverName ?? 'localhost';
  const early = o.earlyData === true && session !== null;
  const client = new Side('client', new Ssl(cctx, session ? { serverName, session } : { serverName }), cp, sp.length, rs, early);
  const server = new Side('server', new Ssl(sctx), sp, cp.length, rs, early);
  const flights: Record<Dir, number> = { c2s: 0, s2c: 0 };
  const violations: string[] = [];
  const reseq: Record<Dir, Resequencer> = { c2s: new Resequencer(), s2c: new Resequencer() };
  const pump = (from: Side, to: Side, dir: Dir): number => {
    let b = from.take();
    if (b.length === 0) return 0;
    const n = flights[dir]++;
    if (o.filter) b = o.filter(dir, n, b);
    if (o.resequence) b = reseq[dir].apply(b);
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
  violations.push(...client.violations, ...server.violations, ...failureViolations(client, crypto), ...failureViolations(server, crypto));
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
  /** The flight `bytes` with every TLS 1.2 null-sealed record re-sealed in sequence. */
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
