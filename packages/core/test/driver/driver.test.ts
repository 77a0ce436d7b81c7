/**
 * The transport driver over an in-memory transport: handshake, data both ways, clean close in both orders,
 * truncation, a failed input, backpressure of a slow transport, the shutdown-while-in-init retry, the
 * one-sided shutdown, and sticky failures.
 */
import { strict as assert } from 'node:assert';
import { Driver, DriverError, type DriverTransport, SSL_RECEIVED_SHUTDOWN, SSL_SENT_SHUTDOWN, Ssl, SslContext } from '@memtls/core';
import { selfSigned } from './pki.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * One direction of an in-memory link: bytes written are delivered to `to` on the next macrotask. With
 * `slow`, the writer is told to wait after every write until the test calls `release()`.
 */
class Wire implements DriverTransport {
  to: Driver | null = null;
  writes = 0;
  bytes = 0;
  slow = false;
  waiting = 0;
  #release: (() => void) | null = null;
  #gate: Promise<void> | null = null;

  write(bytes: Uint8Array): void {
    this.writes++;
    this.bytes += bytes.length;
    const copy = bytes.slice();
    setImmediate(() => this.to?.receive(copy));
    if (this.slow && !this.#gate) {
      this.#gate = new Promise((r) => {
        this.#release = r;
      });
    }
  }

  drained(): Promise<void> | undefined {
    if (!this.#gate) return undefined;
    this.waiting++;
    return this.#gate;
  }

  release(): void {
    const r = this.#release;
    this.#gate = null;
    this.#release = null;
    r?.();
  }

  /** The transport's FIN: the peer's input ends. */
  end(): void {
    setImmediate(() => this.to?.receiveEof());
  }
}

const pem = selfSigned();
const sctx = new SslContext({ role: 'server', cert: pem.cert, key: pem.key });
const cctx = new SslContext({ role: 'client', ca: pem.cert });

function pair(): { c: Driver; s: Driver; cw: Wire; sw: Wire } {
  const cw = new Wire();
  const sw = new Wire();
  const c = new Driver(new Ssl(cctx, { serverName: 'localhost' }), cw);
  const s = new Driver(new Ssl(sctx), sw);
  cw.to = s;
  sw.to = c;
  return { c, s, cw, sw };
}

async function connected(): Promise<ReturnType<typeof pair>> {
  const p = pair();
  await Promise.all([p.c.handshake(), p.s.handshake()]);
  return p;
}

async function readAll(d: Driver): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const buf = new Uint8Array(16 * 1024);
  for (;;) {
    const n = await d.read(buf);
    if (n === 0) break;
    parts.push(buf.slice(0, n));
  }
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('Driver (core transport driver)', () => {
  it('handshake, then data both ways', async () => {
    const { c, s } = await connected();
    assert.ok(c.secure && s.secure);
    assert.equal(c.ssl.version(), 'TLSv1.3');
    const buf = new Uint8Array(100);
    await c.write(enc('ping'));
    assert.equal(dec(buf.subarray(0, await s.read(buf))), 'ping');
    await s.write(enc('pong'));
    assert.equal(dec(buf.subarray(0, await c.read(buf))), 'pong');
    await tick();
    assert.equal(await s.read(buf, false), -1, 'read(buf, false): nothing there, no wait');
  });

  it('clean close, client first: close_notify both ways, shutdown(true) resolves once the peer closed too', async () => {
    const { c, s } = await connected();
    const serverGot = readAll(s);
    const clientGot = readAll(c);
    await c.write(enc('last words'));
    const closing = c.shutdown(true);
    assert.equal(dec(await serverGot), 'last words', 'data before close_notify is read, then 0');
    assert.ok(s.peerClosed);
    await s.shutdown(true);
    await closing;
    assert.equal((await clientGot).length, 0);
    assert.equal(c.ssl.getShutdown(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    assert.equal(s.ssl.getShutdown(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  });

  it('clean close, server first, and the peer keeps writing until its own shutdown (rule 5: data goes to read)', async () => {
    const { c, s } = await connected();
    const clientGot = readAll(c);
    const serverGot = readAll(s);
    const closing = s.shutdown(true);
    assert.equal((await clientGot).length, 0);
    assert.ok(c.peerClosed);
    await c.write(enc('after your close_notify'));
    await c.shutdown(true);
    await closing;
    assert.equal(dec(await serverGot), 'after your close_notify');
    assert.equal(s.ssl.getShutdown(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  });

  it('truncation: EOF without close_notify is ERR_MEMTLS_TRUNCATED, and the failure is sticky', async () => {
    const { c, s, sw } = await connected();
    await s.write(enc('partial'));
    sw.end();
    const buf = new Uint8Array(100);
    assert.equal(dec(buf.subarray(0, await c.read(buf))), 'partial');
    const err = await c.read(buf).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof DriverError);
    assert.equal(err.code, 'ERR_MEMTLS_TRUNCATED');
    assert.equal(err.engine?.reason, 'unexpected eof while reading');
    assert.equal(c.failure, err);
    await assert.rejects(c.read(buf), (e) => e === err);
    await assert.rejects(c.write(enc('x')), (e) => e === err);
    await assert.rejects(c.shutdown(true), (e) => e === err);
  });

  it('EOF during the handshake is a truncation in the handshake phase', async () => {
    const { c, cw } = pair();
    cw.to = null;
    setImmediate(() => c.receiveEof());
    await assert.rejects(c.handshake(), (e) => e instanceof DriverError && e.code === 'ERR_MEMTLS_TRUNCATED' && e.phase === 'handshake' && e.call === 'SSL_do_handshake');
  });

  it('an input that ends in an error is ERR_MEMTLS_TRANSPORT with the cause, not a truncation', async () => {
    const { c } = await connected();
    const boom = new Error('link down');
    c.receiveError(boom);
    await assert.rejects(c.read(new Uint8Array(10)), (e) => e instanceof DriverError && e.code === 'ERR_MEMTLS_TRANSPORT' && e.side === 'in' && e.transportCause === boom);
  });

  it('a transport that refuses bytes fails the next write with ERR_MEMTLS_TRANSPORT', async () => {
    const { c } = await connected();
    const cause = new Error('EPIPE');
    c.outputFailed(cause);
    await assert.rejects(c.write(enc('x')), (e) => e instanceof DriverError && e.code === 'ERR_MEMTLS_TRANSPORT' && e.side === 'out' && e.transportCause === cause);
  });

  it('backpressure: a slow transport holds the writer after each 16 KiB record until it drains', async () => {
    const { c, s, cw } = await connected();
    const got = readAll(s);
    cw.slow = true;
    const before = cw.writes;
    let done = false;
    const writing = c.write(new Uint8Array(64 * 1024).fill(7)).then(() => {
      done = true;
    });
    for (let i = 0; i < 4; i++) {
      while (cw.writes - before < i + 1) await tick();
      for (let k = 0; k < 5; k++) await tick();
      assert.equal(cw.writes - before, i + 1, 'one record per release, never more');
      assert.equal(done, false);
      assert.ok(c.pendingOutput() === 0, 'the write BIO does not grow while the transport is slow');
      cw.release();
    }
    await writing;
    assert.equal(cw.waiting, 4);
    cw.slow = false;
    await c.shutdown(false);
    assert.equal((await got).length, 64 * 1024);
  });

  it('reading goes on while the writer waits for a slow transport', async () => {
    const { c, s, cw } = await connected();
    cw.slow = true;
    const writing = c.write(new Uint8Array(40 * 1024));
    await tick();
    await s.write(enc('meanwhile'));
    const buf = new Uint8Array(100);
    assert.equal(dec(buf.subarray(0, await c.read(buf))), 'meanwhile');
    cw.slow = false;
    cw.release();
    cw.release();
    await writing;
  });

  it('shutdown while a requested KeyUpdate is queued ("shutdown while in init"): an empty write sends it, then close_notify', async () => {
    const { c, s } = await connected();
    assert.equal(c.ssl.keyUpdate(false), 1);
    const got = readAll(s);
    await c.shutdown(false);
    assert.ok(c.ssl.getShutdown() & SSL_SENT_SHUTDOWN);
    assert.equal((await got).length, 0);
    assert.ok(s.peerClosed);
  });

  it('the reader gone makes shutdown(true) one-sided: close_notify sent, nothing awaited', async () => {
    const { c, s } = await connected();
    c.readerGone();
    await c.shutdown(true);
    assert.equal(c.ssl.getShutdown(), SSL_SENT_SHUTDOWN);
    assert.equal((await readAll(s)).length, 0);
  });

  it('pull sources are asked for input only when a call needs it', async () => {
    const cw = new Wire();
    const sw = new Wire();
    let requests = 0;
    let wanted = false;
    const pending: Uint8Array[] = [];
    const deliver = (): void => {
      const next = wanted ? pending.shift() : undefined;
      if (!next) return;
      wanted = false;
      setImmediate(() => c.receive(next));
    };
    const pull: DriverTransport = {
      write: (b) => cw.write(b),
      drained: () => undefined,
      requestInput: () => {
        requests++;
        wanted = true;
        deliver();
      },
    };
    const c = new Driver(new Ssl(cctx, { serverName: 'localhost' }), pull);
    const s = new Driver(new Ssl(sctx), sw);
    cw.to = s;
    // The server's output is held until the client asks for it.
    sw.to = {
      receive: (b: Uint8Array) => {
        pending.push(b);
        deliver();
      },
    } as unknown as Driver;
    await Promise.all([c.handshake(), s.handshake()]);
    assert.ok(requests >= 1);
    const before = requests;
    for (let k = 0; k < 5; k++) await tick();
    assert.equal(requests, before, 'no request while nothing waits');
    assert.ok(pending.length > 0, "the server's tickets wait in the source until a read asks");
    const buf = new Uint8Array(100);
    const reading = c.read(buf);
    await s.write(enc('pulled'));
    assert.equal(dec(buf.subarray(0, await reading)), 'pulled');
    assert.ok(requests > before);
    assert.equal(pending.length, 0);
  });

  it('abort: waiting operations reject with ERR_MEMTLS_ABORTED; free() after it releases the Ssl', async () => {
    const { c } = await connected();
    const reading = c.read(new Uint8Array(10));
    const cause = new Error('bye');
    const err = c.abort(cause);
    assert.equal(err.code, 'ERR_MEMTLS_ABORTED');
    assert.equal(err.transportCause, cause);
    await assert.rejects(reading, (e) => e === err);
    c.free();
    await assert.rejects(c.write(enc('x')), (e) => e === err);
    assert.equal(c.abort(), err, 'the first failure stays');
  });
});
