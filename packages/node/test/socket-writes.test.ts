/**
 * How MemtlsSocket hands ciphertext to its transport and plaintext to the driver: each handshake flight is one
 * socket write (corked: one writev), buffered application writes are gathered by `_writev` into 64 KiB pieces,
 * and a large write is sealed 64 KiB (four records) per SSL_write, each piece one socket write.
 */
import { strict as assert } from 'node:assert';
import type net from 'node:net';
import { Duplex } from 'node:stream';
import { connect, createServer, MemtlsSocket, type TraceEvent } from '@memtls/node';
import { cleanup, collect, duplexPair, listen, once, testPki, track, trackServer } from './helpers.js';

/** Count the Writable-level write operations of `s` (each one write or writev on a socket). */
function countWrites(s: Duplex): { ops: number[] } {
  const counter = { ops: [] as number[] };
  const w = s as Duplex & { _write: Duplex['_write']; _writev?: Duplex['_writev'] };
  const write = w._write.bind(w);
  w._write = (chunk, enc, cb) => {
    counter.ops.push(1);
    write(chunk, enc, cb);
  };
  const writev = w._writev?.bind(w);
  if (writev) {
    w._writev = (chunks, cb) => {
      counter.ops.push(chunks.length);
      writev(chunks, cb);
    };
  }
  return counter;
}

const pattern = (n: number): Buffer => Buffer.from(Uint8Array.from({ length: n }, (_, i) => (i * 13 + (i >> 9)) & 0xff));

describe('@memtls/node socket writes', function () {
  this.timeout(30_000);
  afterEach(cleanup);

  it('TLS 1.3 over TCP: two socket writes per side per handshake (client: ClientHello, Finished; server: its flight, the tickets)', async () => {
    const pki = testPki();
    const serverWrites: { ops: number[] }[] = [];
    const server = trackServer(createServer({ key: pki.server.key, cert: pki.server.cert, minVersion: 'TLSv1.3' }, (s) => s.on('error', () => undefined)));
    server.on('connection', (raw: net.Socket) => serverWrites.push(countWrites(raw)));
    const port = await listen(server);
    const c = track(connect({ host: 'localhost', port, ca: pki.ca }), (x) => {
      x.destroy();
    });
    const clientWrites = countWrites(c.transport);
    const tickets = once(c, 'session');
    await once(c, 'secureConnect');
    await tickets;
    assert.equal(serverWrites.length, 1);
    const sw = serverWrites[0] as { ops: number[] };
    assert.equal(clientWrites.ops.length, 2, `client socket writes: ${JSON.stringify(clientWrites.ops)}`);
    assert.equal(sw.ops.length, 2, `server socket writes: ${JSON.stringify(sw.ops)}`);
    assert.ok((sw.ops[0] as number) > 1, `the server's flight is several chunks in one writev: ${JSON.stringify(sw.ops)}`);
  });

  it('_writev: buffered small writes are gathered, one SSL_write for all of them; the bytes arrive in order', async () => {
    const pki = testPki();
    const [a, b] = duplexPair();
    const calls: string[] = [];
    const trace = (ev: TraceEvent): void => {
      if (ev.type === 'call' && ev.call === 'SSL_write') calls.push(ev.call);
    };
    const s = track(new MemtlsSocket(a, { isServer: true, cert: pki.server.cert, key: pki.server.key }), (x) => {
      x.destroy();
    });
    const c = track(new MemtlsSocket(b, { servername: 'localhost', ca: pki.ca, trace }), (x) => {
      x.destroy();
    });
    await once(c, 'secureConnect');
    const parts = Array.from({ length: 20 }, (_, i) => pattern(1000 + i));
    const got = collect(s);
    c.cork();
    for (const p of parts) c.write(p);
    c.uncork();
    c.end();
    assert.deepEqual(await got, Buffer.concat(parts));
    assert.equal(calls.length, 1, `SSL_write calls for 20 corked writes of about 1 KiB: ${calls.length}`);
  });

  it('a 256 KiB write is sealed 64 KiB per SSL_write: 4 calls, each one transport write of four records', async () => {
    const pki = testPki();
    const [a, b] = duplexPair(1024 * 1024);
    const counted = new CountingDuplex(b);
    const calls: string[] = [];
    const trace = (ev: TraceEvent): void => {
      if (ev.type === 'call' && ev.call === 'SSL_write') calls.push(ev.call);
    };
    const s = track(new MemtlsSocket(a, { isServer: true, cert: pki.server.cert, key: pki.server.key }), (x) => {
      x.destroy();
    });
    const c = track(new MemtlsSocket(counted, { servername: 'localhost', ca: pki.ca, trace }), (x) => {
      x.destroy();
    });
    await once(c, 'secureConnect');
    // The client's Finished may still wait behind the ClientHello in the transport's buffer: let it go first.
    if (!s.secure) await once(s, 'secure');
    const msg = pattern(256 * 1024);
    const got = collect(s);
    counted.ops = [];
    await new Promise<void>((resolve, reject) => c.write(msg, (e) => (e ? reject(e) : resolve())));
    assert.equal(calls.length, 4);
    assert.deepEqual(counted.ops, [4, 4, 4, 4]);
    c.end();
    assert.deepEqual(await got, msg);
  });
});

/** A transport Duplex over `inner` with a `_writev` that records how many chunks each write operation carried. */
class CountingDuplex extends Duplex {
  ops: number[] = [];
  readonly #inner: Duplex;
  constructor(inner: Duplex) {
    super({ allowHalfOpen: true });
    this.#inner = inner;
    inner.on('data', (d: Buffer) => {
      if (!this.push(d)) inner.pause();
    });
    inner.on('end', () => this.push(null));
  }
  override _read(): void {
    this.#inner.resume();
  }
  override _write(chunk: Buffer, enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.ops.push(1);
    this.#inner.write(chunk, enc, cb);
  }
  override _writev(chunks: { chunk: Buffer }[], cb: (e?: Error | null) => void): void {
    this.ops.push(chunks.length);
    this.#inner.write(Buffer.concat(chunks.map((c) => c.chunk)), cb);
  }
  override _final(cb: (e?: Error | null) => void): void {
    this.#inner.end(cb);
  }
}

describe('@memtls/node socket input', function () {
  this.timeout(30_000);
  afterEach(cleanup);

  it("a net.Socket's 'data' chunks are fresh buffers, never reused by Node (MemtlsSocket keeps them uncopied)", async () => {
    const netMod = await import('node:net');
    const chunks: Buffer[] = [];
    const copies: Buffer[] = [];
    const server = trackServer(
      netMod.createServer((s) => {
        s.on('data', (d: Buffer) => {
          chunks.push(d);
          copies.push(Buffer.from(d));
        });
      }),
    );
    const port = await listen(server);
    const c = track(netMod.connect(port, '127.0.0.1'), (x) => {
      x.destroy();
    });
    await once(c, 'connect');
    let sent = 0;
    for (let i = 0; i < 64; i++) {
      const b = Buffer.alloc(20_000, i);
      sent += b.length;
      c.write(b);
      if (i % 8 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    while (copies.reduce((a, d) => a + d.length, 0) < sent) await new Promise((r) => setTimeout(r, 10));
    assert.ok(chunks.length > 1);
    for (const [i, d] of chunks.entries()) assert.ok(d.equals(copies[i] as Buffer), `chunk ${i} changed after it was delivered`);
  });

  it('over TCP, 4 MiB from a Node tls server arrive intact through the uncopied input path', async () => {
    const pki = testPki();
    const tls = await import('node:tls');
    const data = pattern(4 * 1024 * 1024);
    const server = trackServer(tls.createServer({ key: pki.server.key, cert: pki.server.cert }, (s) => s.end(data)));
    const port = await listen(server);
    const c = track(connect({ host: 'localhost', port, ca: pki.ca }), (x) => {
      x.destroy();
    });
    assert.deepEqual(await collect(c), data);
  });
});
