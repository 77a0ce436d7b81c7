/** Node's `tls` (OpenSSL inside) over two in-memory Duplex streams wired to each other: no sockets. */
import { once } from 'node:events';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { type Contender, type Negotiated, now, SERVER_NAME, type StreamPlan, type StreamResult, StreamCheck, SUITE, TRANSPORT_BUFFER } from './common.js';

/** One end of an in-memory pipe pair: what is written here is pushed to the peer's readable side. */
class MemEnd extends Duplex {
  peer: MemEnd = this;
  written = 0;
  /** Our write callback, held while the peer's readable buffer is full (backpressure). */
  private held: (() => void) | null = null;

  constructor() {
    super({ readableHighWaterMark: TRANSPORT_BUFFER });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.written += chunk.length;
    if (this.peer.push(chunk)) cb();
    else this.held = cb;
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.peer.push(null);
    cb();
  }

  override _read(): void {
    const h = this.peer.held;
    if (h) {
      this.peer.held = null;
      h();
    }
  }
}

function memPair(): [MemEnd, MemEnd] {
  const a = new MemEnd();
  const b = new MemEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

interface Conn {
  client: tls.TLSSocket;
  server: tls.TLSSocket;
  c2s: MemEnd;
  s2c: MemEnd;
}

export function nodeContender(name: string, pki: { cert: string; key: string; ca: string }): Contender {
  const common = { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ciphers: SUITE, ecdhCurve: 'X25519' } as const;
  const serverCtx = tls.createSecureContext({ ...common, cert: pki.cert, key: pki.key });
  const clientCtx = tls.createSecureContext({ ...common, ca: pki.ca });

  async function connect(): Promise<Conn> {
    const [ce, se] = memPair();
    const server = new tls.TLSSocket(se, { isServer: true, secureContext: serverCtx });
    const client = tls.connect({ socket: ce, secureContext: clientCtx, servername: SERVER_NAME });
    await Promise.all([once(server, 'secure'), once(client, 'secureConnect')]);
    return { client, server, c2s: ce, s2c: se };
  }

  function destroy(c: Conn): void {
    c.client.destroy();
    c.server.destroy();
  }

  return {
    name,

    async negotiate(): Promise<Negotiated> {
      const c = await connect();
      // Let the server's session tickets reach the wire before counting.
      await new Promise((r) => setImmediate(r));
      const r: Negotiated = {
        version: c.client.getProtocol(),
        cipher: c.client.getCipher().standardName,
        group: (c.client.getEphemeralKeyInfo() as { name?: string } | null)?.name?.toLowerCase() ?? null,
        handshakeWire: { clientToServer: c.c2s.written, serverToClient: c.s2c.written },
      };
      if (!c.client.authorized) throw new Error(`node: server not verified: ${String(c.client.authorizationError)}`);
      destroy(c);
      return r;
    },

    async handshakes(seconds: number): Promise<{ count: number; seconds: number }> {
      const t0 = now();
      let count = 0;
      let t = t0;
      while (t - t0 < seconds) {
        const c = await connect();
        if (c.client.isSessionReused()) throw new Error('node: a session was resumed; full handshakes expected');
        destroy(c);
        count++;
        t = now();
      }
      return { count, seconds: t - t0 };
    },

    /**
     * Bulk (16 KiB messages): write as fast as the stream takes it, waiting for 'drain' on backpressure.
     * Small messages: wait for each write's callback before the next, so each write stays its own record
     * (with writes queued, Node concatenates them into one SSL_write, which is not the same work).
     */
    async stream(plan: StreamPlan): Promise<StreamResult> {
      const c = await connect();
      await new Promise((r) => setImmediate(r)); // tickets out of the way before counting
      const wireBefore = c.c2s.written;
      const msg = plan.msg;
      const check = new StreamCheck(msg);
      let sent = 0;
      let writes = 0;
      let writerDone = false;
      let failure: unknown = null;
      let wake = (): void => {};
      const all = new Promise<void>((resolve) => {
        wake = resolve;
      });
      const onError = (e: unknown): void => {
        failure ??= e;
        wake();
      };
      c.server.on('error', onError);
      c.client.on('error', onError);
      c.server.on('data', (d: Buffer) => {
        try {
          check.feed(d, d.length);
        } catch (e) {
          onError(e);
        }
        if (writerDone && check.received >= sent) wake();
      });
      const t0 = now();
      const deadline = plan.seconds === undefined ? Number.POSITIVE_INFINITY : t0 + plan.seconds;
      const limit = plan.bytes ?? Number.POSITIVE_INFINITY;
      const oneRecordPerWrite = msg.length < 16 * 1024;
      while (failure === null && sent < limit && (writes & 63 || now() < deadline)) {
        if (oneRecordPerWrite) {
          await new Promise<void>((resolve, reject) => c.client.write(msg, (e) => (e ? reject(e) : resolve())));
        } else if (!c.client.write(msg)) {
          await once(c.client, 'drain');
        }
        sent += msg.length;
        writes++;
      }
      writerDone = true;
      if (failure === null && check.received < sent) await all;
      if (failure !== null) throw failure;
      const seconds = now() - t0;
      check.expect(sent);
      const wireBytes = c.c2s.written - wireBefore;
      c.client.end();
      await once(c.server, 'end');
      destroy(c);
      return { writes, bytes: sent, seconds, wireBytes };
    },
  };
}
