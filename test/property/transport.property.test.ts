/**
 * Properties of the engine over memory transports, checked with fast-check:
 *  P1 chunking invariance: for any split of both byte streams (down to single bytes), the handshake
 *     completes and each side receives exactly what the other wrote, in order, once;
 *  P2 BIO pair sizes: the same for any newBioPair sizes >= 1;
 *  P3 call interleavings: with random read/write sizes, random step order, overlapping read+write calls and
 *     the recommended close loop (shutdown; read until ZERO_RETURN; shutdown) on both sides, both end with 1
 *     and SENT|RECEIVED, data is delivered once and in order, and every call returns (no hang).
 * Each property runs twice: both ends pinned to TLS 1.3, then both pinned to TLS 1.2 (minVersion/maxVersion),
 * MEMTLS_PROPERTY_RUNS cases each (default 25). The cuts (`chunking`, capped at 3000 bytes) and the BIO pair
 * sizes (`bioPairSizes`) are @memtls/fast-check's arbitraries, weighted to single bytes and record boundaries.
 */
import { strict as assert } from 'node:assert';
import {
  type Bio,
  MemoryBio,
  newBioPair,
  SSL_ERROR_WANT_READ,
  SSL_ERROR_WANT_WRITE,
  SSL_ERROR_ZERO_RETURN,
  SSL_RECEIVED_SHUTDOWN,
  SSL_SENT_SHUTDOWN,
  Ssl,
} from '@memtls/core';
import { bioPairSizes, chunking } from '@memtls/fast-check';
import fc from 'fast-check';
import { contexts } from '../util/pair.js';

const RUNS = Number(process.env.MEMTLS_PROPERTY_RUNS ?? 25);

interface SideScript {
  payload: Uint8Array;
  writeSizes: number[];
  readSizes: number[];
  /** Issue the read and the write of a step without awaiting in between (overlapping calls). */
  overlap: boolean[];
}

class Side {
  readonly name: string;
  readonly ssl: Ssl;
  private readonly s: SideScript;
  phase: 'hs' | 'io' | 'close1' | 'drain' | 'done' = 'hs';
  private sent = 0;
  private cur: Uint8Array | null = null;
  private readonly got: number[] = [];
  private peerClosed = false;
  private i = 0;
  finalRet = 0;

  constructor(name: string, ssl: Ssl, s: SideScript) {
    this.name = name;
    this.ssl = ssl;
    this.s = s;
  }

  received(): Uint8Array {
    return Uint8Array.from(this.got);
  }

  private pick(list: number[]): number {
    return list.length ? (list[this.i % list.length] as number) : 1024;
  }

  private check(r: number, what: string): void {
    if (r > 0) return;
    const e = this.ssl.getError(r);
    if (e === SSL_ERROR_WANT_READ || e === SSL_ERROR_WANT_WRITE) return;
    if (r === 0 && e === SSL_ERROR_ZERO_RETURN && what === 'read') return;
    if (r === 0 && what === 'shutdown') return; // rule 2: a 0 from shutdown reports SYSCALL
    throw new Error(`${this.name} ${what} -> ${r} (error ${e}: ${this.ssl.errorReason()})`);
  }

  private async doRead(): Promise<void> {
    if (this.peerClosed) return;
    const b = new Uint8Array(this.pick(this.s.readSizes));
    const r = await this.ssl.read(b);
    this.check(r, 'read');
    if (r > 0) for (let k = 0; k < r; k++) this.got.push(b[k] as number);
    else if (r === 0) this.peerClosed = true;
  }

  private async doWrite(): Promise<void> {
    if (this.sent >= this.s.payload.length) return;
    // A retried write passes the same buffer, as OpenSSL requires.
    this.cur ??= this.s.payload.subarray(this.sent, this.sent + this.pick(this.s.writeSizes));
    const r = await this.ssl.write(this.cur);
    this.check(r, 'write');
    if (r > 0) {
      this.sent += r;
      this.cur = null;
    }
  }

  async step(): Promise<void> {
    this.i++;
    switch (this.phase) {
      case 'hs': {
        const r = await this.ssl.doHandshake();
        this.check(r, 'handshake');
        if (r === 1) this.phase = 'io';
        return;
      }
      case 'io':
        if (this.s.overlap[this.i % Math.max(1, this.s.overlap.length)]) await Promise.all([this.doWrite(), this.doRead()]);
        else {
          await this.doWrite();
          await this.doRead();
        }
        if (this.sent >= this.s.payload.length) this.phase = 'close1';
        return;
      case 'close1': {
        const r = await this.ssl.shutdown();
        this.check(r, 'shutdown');
        if (r === 1) {
          this.finalRet = 1;
          this.phase = 'done';
        } else if (r === 0) this.phase = 'drain';
        else await this.doRead();
        return;
      }
      case 'drain': {
        if (!this.peerClosed) {
          await this.doRead();
          return;
        }
        const r = await this.ssl.shutdown();
        this.check(r, 'shutdown');
        if (r === 1) {
          this.finalRet = 1;
          this.phase = 'done';
        }
        return;
      }
      default:
        return;
    }
  }
}

const script = (maxPayload: number): fc.Arbitrary<SideScript> =>
  fc.record({
    payload: fc.uint8Array({ maxLength: maxPayload }),
    writeSizes: fc.array(fc.integer({ min: 1, max: 20000 }), { minLength: 1, maxLength: 5 }),
    readSizes: fc.array(fc.integer({ min: 1, max: 20000 }), { minLength: 1, maxLength: 5 }),
    overlap: fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
  });

/** Run both sides to completion; `tick` moves bytes between them (if the topology needs it). */
async function run(client: Side, server: Side, order: boolean[], tick: () => number): Promise<void> {
  let idle = 0;
  for (let step = 0; client.phase !== 'done' || server.phase !== 'done'; step++) {
    if (step > 200000) throw new Error('no convergence');
    const before = `${client.phase}${server.phase}${client.received().length}${server.received().length}`;
    const first = order.length ? order[step % order.length] : true;
    const sides = first ? [client, server] : [server, client];
    for (const s of sides) if (s.phase !== 'done') await s.step();
    const moved = tick();
    const after = `${client.phase}${server.phase}${client.received().length}${server.received().length}`;
    idle = moved === 0 && before === after ? idle + 1 : 0;
    if (idle > 200) throw new Error(`hang: client ${client.phase}, server ${server.phase}`);
  }
}

function verdict(client: Side, server: Side, c: SideScript, s: SideScript): void {
  assert.deepEqual(server.received(), c.payload, 'server got exactly what the client wrote');
  assert.deepEqual(client.received(), s.payload, 'client got exactly what the server wrote');
  assert.equal(client.finalRet, 1);
  assert.equal(server.finalRet, 1);
  assert.equal(client.ssl.getShutdown(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  assert.equal(server.ssl.getShutdown(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
}

/** A Bio that counts the bytes moved through it (to tell progress from a hang). */
class CountedBio implements Bio {
  moved = 0;
  private readonly inner: Bio;
  constructor(inner: Bio) {
    this.inner = inner;
  }
  write(data: Uint8Array): number {
    const n = this.inner.write(data);
    if (n > 0) this.moved += n;
    return n;
  }
  read(buf: Uint8Array): number {
    const n = this.inner.read(buf);
    if (n > 0) this.moved += n;
    return n;
  }
  pending(): number {
    return this.inner.pending();
  }
  shouldRetry(): boolean {
    return this.inner.shouldRetry();
  }
  eof(): boolean {
    return this.inner.eof();
  }
}

function move(from: MemoryBio, to: MemoryBio, n: number): number {
  const len = Math.min(n, from.pending());
  if (len <= 0) return 0;
  const b = new Uint8Array(len);
  from.read(b);
  to.write(b);
  return len;
}

for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
  describe(`transport properties (fast-check), ${version} on both ends`, function () {
    this.timeout(240000);
    const pin = { minVersion: version, maxVersion: version };
    const { cctx, sctx } = contexts(pin, pin);
    const checkVersion = (client: Ssl, server: Ssl): void => {
      assert.equal(client.version(), version);
      assert.equal(server.version(), version);
    };

    it('P1: any split of the byte streams (down to single bytes) gives the same data, once, in order', async () => {
      await fc.assert(
        fc.asyncProperty(
          script(30000),
          script(30000),
          chunking({ max: 3000 }),
          fc.array(fc.boolean(), { maxLength: 6 }),
          async (c, s, chunks, order) => {
            const cOut = new MemoryBio();
            const sOut = new MemoryBio();
            const cIn = new MemoryBio();
            const sIn = new MemoryBio();
            const client = new Ssl(cctx, { serverName: 'localhost' });
            const server = new Ssl(sctx);
            client.setBio(cIn, cOut);
            server.setBio(sIn, sOut);
            let k = 0;
            const tick = () => {
              const n = chunks[k++ % chunks.length] as number;
              return move(cOut, sIn, n) + move(sOut, cIn, n);
            };
            const cs = new Side('client', client, c);
            const ss = new Side('server', server, s);
            await run(cs, ss, order, tick);
            verdict(cs, ss, c, s);
            checkVersion(client, server);
          },
        ),
        { numRuns: RUNS },
      );
    });

    it('P1: single-byte delivery completes a handshake and a close', async () => {
      const c = { payload: new Uint8Array([1, 2, 3]), writeSizes: [2], readSizes: [1], overlap: [false] };
      const s = { payload: new Uint8Array([4, 5]), writeSizes: [1], readSizes: [7], overlap: [true] };
      const cOut = new MemoryBio();
      const sOut = new MemoryBio();
      const cIn = new MemoryBio();
      const sIn = new MemoryBio();
      const client = new Ssl(cctx, { serverName: 'localhost' });
      const server = new Ssl(sctx);
      client.setBio(cIn, cOut);
      server.setBio(sIn, sOut);
      const cs = new Side('client', client, c);
      const ss = new Side('server', server, s);
      await run(cs, ss, [true], () => move(cOut, sIn, 1) + move(sOut, cIn, 1));
      verdict(cs, ss, c, s);
      checkVersion(client, server);
    });

    it('P2 + P3: any BIO pair sizes >= 1 and any call interleaving converge with both sides at 1 and SENT|RECEIVED', async () => {
      await fc.assert(
        fc.asyncProperty(
          bioPairSizes(),
          script(40000),
          script(40000),
          fc.array(fc.boolean(), { maxLength: 6 }),
          async ({ c2s, s2c }, c, s, order) => {
            const [e1, e2] = newBioPair(c2s, s2c);
            const client = new Ssl(cctx, { serverName: 'localhost' });
            const server = new Ssl(sctx);
            const c1 = new CountedBio(e1);
            const c2 = new CountedBio(e2);
            client.setBio(c1, c1);
            server.setBio(c2, c2);
            const cs = new Side('client', client, c);
            const ss = new Side('server', server, s);
            let last = 0;
            await run(cs, ss, order, () => {
              // progress for a pair: bytes moved through either end since the last tick
              const now = c1.moved + c2.moved;
              const moved = now - last;
              last = now;
              return moved;
            });
            verdict(cs, ss, c, s);
            checkVersion(client, server);
          },
        ),
        { numRuns: RUNS },
      );
    });
  });
}
