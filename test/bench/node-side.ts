/** Node's `tls` (OpenSSL inside) over two in-memory Duplex streams wired to each other: no sockets. */
import { once } from 'node:events';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
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
} from './common.js';

/** One end of an in-memory pipe pair (also carries MemtlsSocket in the memory measurement): what is written here is pushed to the peer's readable side. */
export class MemEnd extends Duplex {
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

export function memPair(): [MemEnd, MemEnd] {
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

/** Node's names for the profile's groups (`X25519:P-256`). */
export const nodeCurves = (profile: Profile): string => profile.groups.map((g) => (g === 'x25519' ? 'X25519' : g === 'secp256r1' ? 'P-256' : g)).join(':');

/** memtls's name for the group Node reports ('X25519' → 'x25519'; 'X25519MLKEM768' as it is). */
const groupName = (name: string | undefined): string | null => (name === undefined ? null : name.toLowerCase() === 'x25519' ? 'x25519' : name);

export function nodeContender(name: string, pki: { cert: string; key: string; ca: string }, profile: Profile = TLS13): Contender {
  const common = { minVersion: profile.version, maxVersion: profile.version, ciphers: profile.opensslSuite, ecdhCurve: nodeCurves(profile) } as const;
  const serverCtx = tls.createSecureContext({ ...common, cert: pki.cert, key: pki.key });
  const clientCtx = tls.createSecureContext({ ...common, ca: pki.ca });

  /** One full (or, with `session`, resumed) handshake. `onSession` gets the client's first 'session' event. */
  async function connect(session?: Buffer, onSession?: (s: Buffer) => void): Promise<Conn> {
    const [ce, se] = memPair();
    const server = new tls.TLSSocket(se, { isServer: true, secureContext: serverCtx });
    const client = tls.connect(session ? { socket: ce, secureContext: clientCtx, servername: SERVER_NAME, session } : { socket: ce, secureContext: clientCtx, servername: SERVER_NAME });
    if (onSession) client.once('session', onSession);
    await Promise.all([once(server, 'secure'), once(client, 'secureConnect')]);
    return { client, server, c2s: ce, s2c: se };
  }

  function destroy(c: Conn): void {
    c.client.destroy();
    c.server.destroy();
  }

  /** A handshake whose client gets a session ticket: resolves with the connection and its session. */
  async function connectForSession(): Promise<{ c: Conn; session: Buffer }> {
    let got: (s: Buffer) => void = () => {};
    const session = new Promise<Buffer>((resolve) => {
      got = resolve;
    });
    const c = await connect(undefined, (s) => got(s));
    return { c, session: await session };
  }

  /** close_notify both ways (client first; a TLSSocket over a plain Duplex does not answer by itself). */
  async function closeCleanly(c: Conn): Promise<void> {
    const serverEnd = once(c.server, 'end');
    const clientEnd = once(c.client, 'end');
    c.client.end();
    await serverEnd;
    c.server.end();
    await clientEnd;
    destroy(c);
  }

  const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

  return {
    name,

    async negotiate(): Promise<Negotiated> {
      const { c, session } = await connectForSession();
      // Let the server's second session ticket reach the wire before counting.
      await tick();
      const group = (x: Conn): string | null => groupName((x.client.getEphemeralKeyInfo() as { name?: string } | null)?.name);
      const r0 = { version: c.client.getProtocol(), cipher: c.client.getCipher().standardName, group: group(c) };
      if (!c.client.authorized) throw new Error(`node: server not verified: ${String(c.client.authorizationError)}`);
      if (c.client.isSessionReused()) throw new Error('node: the first connection resumed a session');
      const handshakeWire = { clientToServer: c.c2s.written, serverToClient: c.s2c.written };
      await closeCleanly(c);
      if (!profile.resumption) return { ...r0, handshakeWire, resumedWire: { clientToServer: 0, serverToClient: 0 } };

      const b = await connect(session);
      await tick();
      if (!b.client.isSessionReused() || !b.server.isSessionReused()) throw new Error('node: the session was not resumed');
      const r1 = { version: b.client.getProtocol(), cipher: b.client.getCipher().standardName, group: group(b) };
      if (JSON.stringify(r1) !== JSON.stringify(resumedExpectation(profile, r0))) throw new Error(`node: the resumed handshake negotiated ${JSON.stringify(r1)}, expected ${JSON.stringify(resumedExpectation(profile, r0))}`);
      const resumedWire = { clientToServer: b.c2s.written, serverToClient: b.s2c.written };
      await closeCleanly(b);
      return { ...r0, handshakeWire, resumedWire };
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

    async resumedHandshakes(seconds: number): Promise<{ count: number; seconds: number }> {
      const t0 = now();
      let timed = 0;
      let count = 0;
      let session: Buffer | null = null;
      while (now() - t0 < seconds) {
        if (session === null || count % RESUMPTIONS_PER_SESSION === 0) {
          const fresh = await connectForSession();
          await closeCleanly(fresh.c);
          session = fresh.session;
        }
        const t = now();
        const c = await connect(session);
        if (!c.client.isSessionReused() || !c.server.isSessionReused()) throw new Error(`node: not resumed (client ${c.client.isSessionReused()}, server ${c.server.isSessionReused()})`);
        timed += now() - t;
        // Node's tickets are stateless (and the session is bytes), so no close is needed to keep it
        // resumable; the teardown is let run out before the next timed handshake.
        destroy(c);
        await tick();
        count++;
      }
      return { count, seconds: timed };
    },

    async openIdle(n: number, concurrency: number): Promise<IdleSet> {
      // Each client has processed a session ticket before the pair counts as established and idle.
      let conns: Conn[] = await pool(n, concurrency, async () => (await connectForSession()).c);
      await tick(); // the second tickets
      return {
        count: conns.length,
        async close(): Promise<void> {
          const all = conns;
          conns = [];
          await pool(all.length, concurrency, (i) => closeCleanly(all[i] as Conn));
        },
      };
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
