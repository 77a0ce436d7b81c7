/**
 * The driver's output path: `writePiece` (plaintext per SSL_write, validated), gathering the output of one call
 * into one `transport.writev`, and the fast start of calls after the handshake.
 */
import { strict as assert } from 'node:assert';
import { type CallOutcome, Driver, type DriverOptions, type DriverTransport, Ssl, SslContext } from '@memtls/core';
import { selfSigned } from './pki.js';

/** One direction of an in-memory link that records each transport operation (a write, or a writev of n chunks). */
class Link implements DriverTransport {
  to: Driver | null = null;
  /** One entry per operation: the chunk count (1 for `write`). */
  ops: number[] = [];
  constructor(gather: boolean) {
    if (!gather) delete this.writev;
  }
  write(bytes: Uint8Array): void {
    this.ops.push(1);
    this.#deliver([bytes]);
  }
  writev?: (chunks: Uint8Array[]) => void = (chunks) => {
    assert.ok(chunks.length > 1, 'writev only for several chunks');
    this.ops.push(chunks.length);
    this.#deliver(chunks);
  };
  drained(): undefined {
    return undefined;
  }
  #deliver(chunks: Uint8Array[]): void {
    const copies = chunks.map((c) => c.slice());
    setImmediate(() => {
      for (const c of copies) this.to?.receive(c);
    });
  }
}

const pem = selfSigned();
const sctx = new SslContext({ role: 'server', cert: pem.cert, key: pem.key });
const cctx = new SslContext({ role: 'client', ca: pem.cert });

function pair(gather: boolean, options: DriverOptions = {}): { c: Driver; s: Driver; cl: Link; sl: Link; calls: CallOutcome[] } {
  const cl = new Link(gather);
  const sl = new Link(gather);
  const calls: CallOutcome[] = [];
  const c = new Driver(new Ssl(cctx, { serverName: 'localhost' }), cl, { ...options, onCall: (o) => calls.push(o) });
  const s = new Driver(new Ssl(sctx), sl);
  cl.to = s;
  sl.to = c;
  return { c, s, cl, sl, calls };
}

async function readN(d: Driver, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  const buf = new Uint8Array(16 * 1024);
  let got = 0;
  while (got < n) {
    const k = await d.read(buf);
    assert.ok(k > 0);
    out.set(buf.subarray(0, k), got);
    got += k;
  }
  return out;
}

const data = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + (i >> 8)) & 0xff);

describe('Driver output: writePiece and gathered writes', () => {
  it('writePiece: RangeError for a non-integer, 0, a negative or > 1 MiB; TypeError for a non-number', () => {
    const ssl = (): Ssl => new Ssl(cctx, { serverName: 'localhost' });
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 1024 * 1024 + 1]) {
      assert.throws(() => new Driver(ssl(), new Link(false), { writePiece: bad }), RangeError, String(bad));
    }
    assert.throws(() => new Driver(ssl(), new Link(false), { writePiece: '65536' as unknown as number }), TypeError);
    for (const ok of [1, 16384, 65536, 1024 * 1024]) assert.ok(new Driver(ssl(), new Link(false), { writePiece: ok }));
  });

  it('default: one SSL_write per 16 KiB record; writePiece 65536: one SSL_write seals four records, sent as one writev', async () => {
    for (const [piece, calls, ops] of [
      [undefined, 4, [1, 1, 1, 1]],
      [65536, 1, [4]],
    ] as const) {
      const { c, s, cl, calls: seen } = pair(true, piece === undefined ? {} : { writePiece: piece });
      await Promise.all([c.handshake(), s.handshake()]);
      const msg = data(64 * 1024);
      cl.ops = [];
      const before = seen.length;
      await c.write(msg);
      assert.equal(seen.slice(before).filter((o) => o.call === 'SSL_write').length, calls, `SSL_write calls with writePiece ${piece}`);
      assert.deepEqual(cl.ops, ops, `transport operations with writePiece ${piece}`);
      assert.deepEqual(await readN(s, msg.length), msg);
    }
  });

  it('a write longer than writePiece is cut into pieces, the last one shorter, all bytes in order', async () => {
    const { c, s, calls } = pair(true, { writePiece: 40000 });
    await Promise.all([c.handshake(), s.handshake()]);
    const msg = data(100_000);
    const before = calls.length;
    await c.write(msg);
    assert.equal(calls.slice(before).filter((o) => o.call === 'SSL_write').length, 3);
    assert.deepEqual(await readN(s, msg.length), msg);
  });

  it('a handshake flight of several chunks goes as one writev: fewer transport operations than one write per chunk', async () => {
    const count = async (gather: boolean): Promise<{ client: number[]; server: number[] }> => {
      const { c, s, cl, sl } = pair(gather);
      await Promise.all([c.handshake(), s.handshake()]);
      return { client: cl.ops, server: sl.ops };
    };
    const plain = await count(false);
    const gathered = await count(true);
    // The same bytes either way; with writev every flight (one Ssl call's output) is one operation.
    assert.equal(gathered.server.reduce((a, b) => a + b, 0), plain.server.length);
    assert.ok(plain.server.length > gathered.server.length, `server: ${plain.server.length} writes without writev, ${gathered.server.length} with`);
    assert.equal(gathered.server.length, 2, `server: its flight, then the tickets, one operation each (${JSON.stringify(gathered.server)})`);
    assert.equal(gathered.client.length, 2, `client: ClientHello, then its Finished flight (${JSON.stringify(gathered.client)})`);
  });

  it('after the handshake, a read and a write made together both complete, in call order', async () => {
    const { c, s } = pair(true);
    await Promise.all([c.handshake(), s.handshake()]);
    const order: string[] = [];
    const buf = new Uint8Array(100);
    const r = c.read(buf).then((n) => order.push(`read ${n}`));
    const w = c.write(data(10)).then(() => order.push('write'));
    await w;
    await s.write(data(5));
    await r;
    assert.deepEqual(order, ['write', 'read 5']);
    assert.deepEqual(await readN(s, 10), data(10));
  });
});
