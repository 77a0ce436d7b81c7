/** memtls over a BIO pair, driven the way an application would drive it. */
import { type Bio, type ContextOptions, newBioPair, SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE, Ssl, SslContext } from '@memtls/core';
import { type Contender, GROUP, type Negotiated, now, SERVER_NAME, type StreamPlan, type StreamResult, StreamCheck, SUITE, TRANSPORT_BUFFER, Wakeup } from './common.js';

interface Conn {
  client: Ssl;
  server: Ssl;
}

/** A Bio that counts what is written through it (used only outside the timed loops). */
function counting(end: Bio, tally: { n: number }): Bio {
  return {
    write: (d) => {
      const n = end.write(d);
      if (n > 0) tally.n += n;
      return n;
    },
    read: (b) => end.read(b),
    pending: () => end.pending(),
    shouldRetry: () => end.shouldRetry(),
    eof: () => end.eof(),
  };
}

function fail(who: string, ssl: Ssl, ret: number): never {
  throw new Error(`memtls ${who}: ret ${ret}, error ${ssl.getError(ret)}: ${ssl.errorReason() ?? '?'}`);
}

export function memtlsContender(name: string, pki: { cert: string; key: string; ca: string }, crypto?: Crypto | import('@memtls/core').CryptoProvider): Contender {
  const common: Partial<ContextOptions> = { minVersion: 'TLSv1.3', cipherSuites: [SUITE], groups: [GROUP], ...(crypto ? { crypto } : {}) };
  const sctx = new SslContext({ ...common, role: 'server', cert: pki.cert, key: pki.key });
  const cctx = new SslContext({ ...common, role: 'client', ca: pki.ca });

  /** One full handshake: call each side until it returns 1 (each call either finishes or wants the peer's bytes). */
  async function connect(tally?: { c2s: { n: number }; s2c: { n: number } }): Promise<Conn> {
    const [ce, se] = newBioPair(TRANSPORT_BUFFER);
    const client = new Ssl(cctx, { serverName: SERVER_NAME });
    const server = new Ssl(sctx);
    client.setBio(ce, tally ? counting(ce, tally.c2s) : ce);
    server.setBio(se, tally ? counting(se, tally.s2c) : se);
    let c = 0;
    let s = 0;
    for (let round = 0; c !== 1 || s !== 1; round++) {
      if (round > 10) throw new Error('memtls: handshake did not finish');
      if (c !== 1) {
        c = await client.doHandshake();
        if (c !== 1 && client.getError(c) !== SSL_ERROR_WANT_READ) fail('client handshake', client, c);
      }
      if (s !== 1) {
        s = await server.doHandshake();
        if (s !== 1 && server.getError(s) !== SSL_ERROR_WANT_READ) fail('server handshake', server, s);
      }
    }
    return { client, server };
  }

  return {
    name,

    async negotiate(): Promise<Negotiated> {
      const tally = { c2s: { n: 0 }, s2c: { n: 0 } };
      const { client, server } = await connect(tally);
      const r: Negotiated = {
        version: client.version(),
        cipher: client.cipher(),
        group: null, // no getter in the API; both contexts offer x25519 only, so nothing else can be negotiated
        handshakeWire: { clientToServer: tally.c2s.n, serverToClient: tally.s2c.n },
      };
      if (server.cipher() !== r.cipher) throw new Error('memtls: client and server disagree on the cipher');
      client.free();
      server.free();
      return r;
    },

    async handshakes(seconds: number): Promise<{ count: number; seconds: number }> {
      const t0 = now();
      let count = 0;
      let t = t0;
      while (t - t0 < seconds) {
        const { client, server } = await connect();
        if (client.sessionReused()) throw new Error('memtls: a session was resumed; full handshakes expected');
        client.free();
        server.free();
        count++;
        t = now();
      }
      return { count, seconds: t - t0 };
    },

    /**
     * A writer loop and a reader loop run concurrently (calls on different Ssl objects are independent, so
     * the client's encryption and the server's decryption can overlap in WebCrypto's thread pool). Each loop
     * only waits for the other when the pair is full (WANT_WRITE) or empty (WANT_READ).
     */
    async stream(plan: StreamPlan): Promise<StreamResult> {
      const tally = { c2s: { n: 0 }, s2c: { n: 0 } };
      const { client, server } = await connect(tally);
      const wireBefore = tally.c2s.n;
      const msg = plan.msg;
      const check = new StreamCheck(msg);
      const canWrite = new Wakeup();
      const canRead = new Wakeup();
      const buf = new Uint8Array(16 * 1024);
      let sent = 0;
      let writes = 0;
      let writerDone = false;
      const t0 = now();
      const deadline = plan.seconds === undefined ? Number.POSITIVE_INFINITY : t0 + plan.seconds;
      const limit = plan.bytes ?? Number.POSITIVE_INFINITY;

      const writer = async (): Promise<void> => {
        // A write that got WANT_WRITE must be retried (same buffer) before stopping, or its record stays half-sent.
        let retrying = false;
        while (retrying || (sent < limit && (writes & 63 || now() < deadline))) {
          const r = await client.write(msg);
          retrying = r <= 0;
          if (r > 0) {
            sent += r;
            writes++;
            canRead.notify();
          } else if (client.getError(r) === SSL_ERROR_WANT_WRITE) {
            canRead.notify();
            await canWrite.wait();
          } else fail('client write', client, r);
        }
        writerDone = true;
        canRead.notify();
      };
      const reader = async (): Promise<void> => {
        while (!writerDone || check.received < sent) {
          const n = await server.read(buf);
          if (n > 0) {
            check.feed(buf, n);
            canWrite.notify();
          } else if (server.getError(n) === SSL_ERROR_WANT_READ) {
            canWrite.notify();
            await canRead.wait();
          } else fail('server read', server, n);
        }
      };
      await Promise.all([writer(), reader()]);
      const seconds = now() - t0;
      check.expect(sent);
      const wireBytes = tally.c2s.n - wireBefore;
      await close(client, server);
      return { writes, bytes: sent, seconds, wireBytes };
    },
  };
}

/** The bidirectional close (untimed), so a run also proves the connection ended cleanly. */
async function close(client: Ssl, server: Ssl): Promise<void> {
  let r = await client.shutdown();
  if (r !== 0) fail('client shutdown', client, r);
  r = await server.read(new Uint8Array(1));
  if (r !== 0) fail('server read after close_notify', server, r);
  r = await server.shutdown();
  if (r !== 1) fail('server shutdown', server, r);
  r = await client.shutdown();
  if (r !== 1) fail('client shutdown', client, r);
}
