/** memtls over a BIO pair, driven the way an application would drive it. */
import { type Bio, type ContextOptions, MemoryBio, newBioPair, SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE, Ssl, SslContext, type SslSession } from '@memtls/core';
import {
  type Contender,
  type IdleSet,
  type Negotiated,
  now,
  type Profile,
  pool,
  RESUMPTIONS_PER_SESSION,
  resumedExpectation,
  SERVER_NAME,
  StreamCheck,
  type StreamPlan,
  type StreamResult,
  TLS13,
  TRANSPORT_BUFFER,
  Wakeup,
} from './common.js';

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

export function memtlsContender(name: string, pki: { cert: string; key: string; ca: string }, crypto?: Crypto | import('@memtls/core').CryptoProvider, profile: Profile = TLS13): Contender {
  const v = profile.version;
  const common: Partial<ContextOptions> = { minVersion: v, maxVersion: v, cipherSuites: [profile.suite], groups: profile.groups, ...(crypto ? { crypto } : {}) };
  const sctx = new SslContext({ ...common, role: 'server', cert: pki.cert, key: pki.key });
  const cctx = new SslContext({ ...common, role: 'client', ca: pki.ca });

  /** One full handshake: call each side until it returns 1 (each call either finishes or wants the peer's bytes). */
  async function connect(tally?: { c2s: { n: number }; s2c: { n: number } }, session?: SslSession, memoryBios = false): Promise<Conn> {
    const client = new Ssl(cctx, session ? { serverName: SERVER_NAME, session } : { serverName: SERVER_NAME });
    const server = new Ssl(sctx);
    if (memoryBios) {
      // OpenSSL's memory-BIO wiring: one unbounded MemoryBio per direction, written by one end and read by
      // the other. Idle, each keeps only its 4 KiB packing block (a BIO pair would keep two full rings).
      const c2s = new MemoryBio();
      const s2c = new MemoryBio();
      client.setBio(s2c, c2s);
      server.setBio(c2s, s2c);
    } else {
      const [ce, se] = newBioPair(TRANSPORT_BUFFER);
      client.setBio(ce, tally ? counting(ce, tally.c2s) : ce);
      server.setBio(se, tally ? counting(se, tally.s2c) : se);
    }
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

  /** A full handshake and a clean close (untimed): the client's newest session, ready to offer. */
  async function freshSession(): Promise<SslSession> {
    const { client, server } = await connect();
    await close(client, server);
    const s = client.getSession();
    client.free();
    server.free();
    if (!s) throw new Error('memtls: no resumable session after a clean close');
    return s;
  }

  /** The parameters both ends agreed on; throws if the two ends disagree. */
  function agreed(client: Ssl, server: Ssl): { version: string | null; cipher: string | null; group: string | null } {
    const r = { version: client.version(), cipher: client.cipher(), group: client.group() };
    if (server.version() !== r.version || server.cipher() !== r.cipher || server.group() !== r.group) {
      throw new Error(`memtls: the ends disagree: client ${JSON.stringify(r)}, server ${server.version()} ${server.cipher()} ${server.group()}`);
    }
    return r;
  }

  return {
    name,

    async negotiate(): Promise<Negotiated> {
      const full = { c2s: { n: 0 }, s2c: { n: 0 } };
      const a = await connect(full);
      const r0 = agreed(a.client, a.server);
      // The server wrote its tickets with its last flight, so they are counted; the client reads them in the close.
      const handshakeWire = { clientToServer: full.c2s.n, serverToClient: full.s2c.n };
      await close(a.client, a.server);
      const session = a.client.getSession();
      a.client.free();
      a.server.free();
      if (!profile.resumption) return { ...r0, handshakeWire, resumedWire: { clientToServer: 0, serverToClient: 0 } };
      if (!session) throw new Error('memtls: no resumable session after a clean close');

      const resumed = { c2s: { n: 0 }, s2c: { n: 0 } };
      const b = await connect(resumed, session);
      if (!b.client.sessionReused() || !b.server.sessionReused()) throw new Error('memtls: the session was not resumed');
      const r1 = agreed(b.client, b.server);
      if (JSON.stringify(r1) !== JSON.stringify(resumedExpectation(profile, r0))) throw new Error(`memtls: the resumed handshake negotiated ${JSON.stringify(r1)}, expected ${JSON.stringify(resumedExpectation(profile, r0))}`);
      const resumedWire = { clientToServer: resumed.c2s.n, serverToClient: resumed.s2c.n };
      await close(b.client, b.server);
      b.client.free();
      b.server.free();
      return { ...r0, handshakeWire, resumedWire };
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

    async resumedHandshakes(seconds: number): Promise<{ count: number; seconds: number }> {
      const t0 = now();
      let timed = 0;
      let count = 0;
      let session: SslSession | null = null;
      while (now() - t0 < seconds) {
        if (session === null || count % RESUMPTIONS_PER_SESSION === 0) session = await freshSession();
        const t = now();
        const { client, server } = await connect(undefined, session);
        if (!client.sessionReused() || !server.sessionReused()) throw new Error(`memtls: not resumed (client ${client.sessionReused()}, server ${server.sessionReused()})`);
        timed += now() - t;
        // A connection freed without its close withdraws the session it resumed (OpenSSL's rule): close it.
        await close(client, server);
        client.free();
        server.free();
        count++;
      }
      return { count, seconds: timed };
    },

    async openIdle(n: number, concurrency: number): Promise<IdleSet> {
      const scratch = new Uint8Array(1);
      let conns: Conn[] = await pool(n, concurrency, async () => {
        const c = await connect(undefined, undefined, true);
        // Process the session tickets, as an application's first read would; then nothing is pending.
        const r = await c.client.read(scratch);
        if (r > 0 || c.client.getError(r) !== SSL_ERROR_WANT_READ) fail('client read of the tickets', c.client, r);
        if (!c.client.getSession()) throw new Error('memtls: no session after the tickets');
        return c;
      });
      return {
        count: conns.length,
        async close(): Promise<void> {
          const all = conns;
          conns = [];
          await pool(all.length, concurrency, async (i) => {
            const c = all[i] as Conn;
            await close(c.client, c.server);
            c.client.free();
            c.server.free();
          });
        },
      };
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
