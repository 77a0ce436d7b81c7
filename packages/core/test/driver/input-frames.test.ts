/**
 * InputFrames (where complete records end in the received ciphertext) and the driver's use of it: no SSL_read
 * is made while it could only return WANT_READ, and every record still arrives whatever the chunking.
 */
import { strict as assert } from 'node:assert';
import { type CallOutcome, Driver, DriverError, type DriverTransport, Ssl, SslContext } from '@memtls/core';
import { InputFrames } from '#internal/driver/input-frames';
import { selfSigned } from './pki.js';

const record = (type: number, body: number): Uint8Array => {
  const r = new Uint8Array(5 + body);
  r.set([type, 3, 3, body >> 8, body & 0xff]);
  return r;
};
const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
};

describe('InputFrames', () => {
  it('finds record ends across chunks of any size, headers split included', () => {
    const stream = cat(record(23, 100), record(23, 0), record(22, 16384 + 256), record(21, 2));
    const ends = [105, 110, 110 + 5 + 16640, 110 + 5 + 16640 + 7];
    for (const size of [1, 3, 5, 7, 100, 4096, stream.length]) {
      const f = new InputFrames();
      let fed = 0;
      for (let off = 0; off < stream.length; off += size) {
        const chunk = stream.subarray(off, off + size);
        f.feed(chunk);
        fed += chunk.length;
        const last = ends.filter((e) => e <= fed).pop() ?? 0;
        assert.equal(f.noRecordBeyond(last), true, `size ${size}, fed ${fed}: nothing complete beyond ${last}`);
        if (last > 0) assert.equal(f.noRecordBeyond(last - 1), false, `size ${size}, fed ${fed}: the record ending at ${last} is complete`);
      }
    }
  });

  it('a header that is not TLS (type, version, length) stops the tracking: never "nothing beyond"', () => {
    for (const bad of [
      [0x80, 0x2e, 0x01, 0x03, 0x01], // SSLv2-style hello
      [24, 3, 3, 0, 1], // unknown content type
      [23, 2, 0, 0, 1], // major version 2
      [23, 3, 3, 0x41, 0x01], // 2^14 + 257 bytes
    ]) {
      const f = new InputFrames();
      f.feed(cat(record(23, 3), Uint8Array.from(bad)));
      assert.equal(f.noRecordBeyond(1_000_000), false, JSON.stringify(bad));
    }
  });
});

/** Bytes written go to `to` on the next macrotask, cut into `chunk`-sized pieces (0: as written). */
class Link implements DriverTransport {
  to: Driver | null = null;
  chunk = 0;
  hold = false;
  held: Uint8Array[] = [];
  write(bytes: Uint8Array): void {
    const copy = bytes.slice();
    if (this.hold) this.held.push(copy);
    else setImmediate(() => this.#deliver(copy));
  }
  drained(): undefined {
    return undefined;
  }
  release(): void {
    const all = cat(...this.held);
    this.held = [];
    this.#deliver(all);
  }
  #deliver(b: Uint8Array): void {
    const n = this.chunk || b.length;
    for (let off = 0; off < b.length; off += n) this.to?.receive(b.subarray(off, off + n));
  }
}

describe('Driver: reads that could only return WANT_READ are not made', () => {
  const pem = selfSigned();
  const sctx = new SslContext({ role: 'server', cert: pem.cert, key: pem.key });
  const cctx = new SslContext({ role: 'client', ca: pem.cert });
  async function connected(): Promise<{ c: Driver; s: Driver; cl: Link; sl: Link; sCalls: CallOutcome[] }> {
    const cl = new Link();
    const sl = new Link();
    const sCalls: CallOutcome[] = [];
    const c = new Driver(new Ssl(cctx, { serverName: 'localhost' }), cl);
    const s = new Driver(new Ssl(sctx), sl, { onCall: (o) => sCalls.push(o) });
    cl.to = s;
    sl.to = c;
    await Promise.all([c.handshake(), s.handshake()]);
    return { c, s, cl, sl, sCalls };
  }

  it('four records in one chunk: four SSL_read calls return data, then read(buf, false) is -1 without a fifth', async () => {
    const { c, s, cl, sCalls } = await connected();
    cl.hold = true;
    for (let i = 0; i < 4; i++) await c.write(new Uint8Array(1000).fill(i));
    const before = sCalls.length;
    cl.release();
    const buf = new Uint8Array(16384);
    for (let i = 0; i < 4; i++) {
      assert.equal(await s.read(buf, false), 1000);
      assert.equal(buf[999], i);
    }
    assert.equal(await s.read(buf, false), -1);
    assert.equal(sCalls.length - before, 4, 'no SSL_read once every complete record was taken');
  });

  it('records cut into 7-byte chunks: a partial record makes no call; every byte arrives', async () => {
    const { c, s, cl, sCalls } = await connected();
    cl.chunk = 7;
    const msg = Uint8Array.from({ length: 50_000 }, (_, i) => i & 0xff);
    const writing = c.write(msg);
    const got = new Uint8Array(msg.length);
    const buf = new Uint8Array(16384);
    let n = 0;
    const before = sCalls.length;
    while (n < msg.length) {
      const k = await s.read(buf);
      got.set(buf.subarray(0, k), n);
      n += k;
    }
    await writing;
    assert.deepEqual(got, msg);
    const reads = sCalls.slice(before).filter((o) => o.call === 'SSL_read');
    assert.equal(reads.filter((o) => o.ret <= 0).length, 0, 'no SSL_read returned WANT_READ');
  });

  it('garbage after the handshake still reaches the engine: the read fails with an alert reason', async () => {
    const { s } = await connected();
    s.receive(Uint8Array.from([0x80, 1, 2, 3, 4, 5, 6, 7]));
    const buf = new Uint8Array(100);
    await assert.rejects(s.read(buf, false), (e) => e instanceof DriverError && e.code === 'ERR_MEMTLS_SSL');
  });

  it('a header announcing a record that never comes: EOF still ends in a truncation error', async () => {
    const { s } = await connected();
    s.receive(Uint8Array.from([23, 3, 3, 0, 40, 1, 2]));
    const buf = new Uint8Array(100);
    assert.equal(await s.read(buf, false), -1);
    s.receiveEof();
    await assert.rejects(s.read(buf, false), (e) => e instanceof DriverError && e.code === 'ERR_MEMTLS_TRUNCATED');
  });
});
