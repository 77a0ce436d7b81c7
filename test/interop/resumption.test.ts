/**
 * TLS 1.3 session resumption interop over 127.0.0.1: memtls server ← `openssl s_client -sess_out/-sess_in` (stateless
 * tickets by default, stateful with SSL_OP_NO_TICKET, and across two contexts sharing ticket keys), memtls client →
 * `openssl s_server` (stateless tickets, and stateful ones with -no_ticket), and both directions with Node `tls`.
 * A memtls server's ticket keys (and its stateful sessions) live in the `SslContext`, so both connections share one; a memtls
 * server calls `shutdown` before the connection is dropped (rule 19), a memtls client processes the tickets
 * before its session is read (rule 20).
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodeTls, { type TLSSocket } from 'node:tls';
import { type CoreApi, loadCore, type Ssl, type SslContext } from './api.js';
import { text, utf8 } from './payload.js';
import { acceptOne, cleanupPeers, connectTcp, OpenSslProcess, startNodeTlsServer, startOpenSslServer } from './peers.js';
import { getPki, type Pki } from './pki.js';
import { endTransport, handshake, readExactly, readUntilZeroReturn, shutdownLoop, writeAll } from './pump.js';

const BOTH = 3; // SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN

describe('interop: TLS 1.3 resumption', function () {
  this.timeout(30_000);
  let core: CoreApi;
  let pki: Pki;
  let dir: string;
  before(async () => {
    core = await loadCore();
    pki = await getPki();
    dir = mkdtempSync(join(tmpdir(), 'memtls-interop-resumption-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const nodeClients = new Set<TLSSocket>();
  afterEach(async () => {
    for (const c of nodeClients) c.destroy();
    nodeClients.clear();
    await cleanupPeers();
  });

  const serverCtx = (extra: { options?: number; ticketKeys?: Uint8Array } = {}): SslContext => {
    const cred = pki.servers['ec-p256'];
    return new core.SslContext({ role: 'server', cert: cred.certPem, key: cred.keyPem, ...extra });
  };
  const clientCtx = (): SslContext => new core.SslContext({ role: 'client', ca: pki.caPem });

  describe('openssl s_client -sess_out / -sess_in → memtls server', () => {
    /**
     * One s_client run (not -quiet: its summary says New/Reused). memtls sends a line, s_client prints it
     * (the tickets came before it, so -sess_out has been written), then stdin EOF makes s_client send
     * close_notify; memtls reads ZERO_RETURN and answers with shutdown → 1.
     */
    async function sClientRun(ctx: SslContext, sessArgs: string[]) {
      const { port, accepted } = await acceptOne();
      const client = new OpenSslProcess([
        's_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-servername', 'localhost', '-CAfile', pki.caPath,
        '-verify_return_error', '-verify_hostname', 'localhost', '-nocommands', ...sessArgs,
      ]);
      const sock = await accepted;
      const ssl = new core.Ssl(ctx);
      try {
        await handshake(ssl, sock);
        await writeAll(ssl, sock, utf8('resumption test line\n'));
        await client.waitForOutput(/resumption test line/, 'stdout');
        client.endInput();
        assert.equal((await readUntilZeroReturn(ssl, sock)).length, 0);
        assert.equal(await shutdownLoop(ssl, sock), 1);
      } catch (e) {
        throw new Error(`${(e as Error).message}\n${client.describe()}`);
      }
      assert.equal(ssl.getShutdown(), BOTH);
      await endTransport(ssl, sock);
      assert.equal(await client.exited(), 0, client.describe());
      return { ssl, out: client.stdout() };
    }

    for (const noTicket of [false, true]) {
      it(`second s_client run with -sess_in resumes (Reused, TLSv1.3); memtls sessionReused() is true (${noTicket ? 'SSL_OP_NO_TICKET: stateful tickets' : 'stateless tickets'})`, async () => {
        const ctx = serverCtx(noTicket ? { options: core.SSL_OP_NO_TICKET } : {});
        const file = join(dir, `s_client.sess-${noTicket}.pem`);
        const first = await sClientRun(ctx, ['-sess_out', file]);
        assert.match(first.out, /^New, TLSv1\.3, Cipher is /m);
        assert.equal(first.ssl.sessionReused(), false);
        assert.equal(existsSync(file), true, 's_client wrote -sess_out');
        assert.equal(ctx.sessionCache?.size, noTicket ? 2 : 0, 'stateful tickets are cache entries, stateless ones are not');
        const second = await sClientRun(ctx, ['-sess_in', file]);
        assert.match(second.out, /^Reused, TLSv1\.3, Cipher is /m, second.out);
        assert.equal(second.ssl.sessionReused(), true);
      });
    }

    it('a second SslContext given the same ticketKeys ("another machine") resumes the saved session; one with its own key does not', async () => {
      const a = serverCtx();
      const b = serverCtx({ ticketKeys: a.getTicketKeys() });
      const file = join(dir, 's_client.sess-shared.pem');
      await sClientRun(a, ['-sess_out', file]);
      const onB = await sClientRun(b, ['-sess_in', file]);
      assert.match(onB.out, /^Reused, TLSv1\.3, Cipher is /m, onB.out);
      assert.equal(onB.ssl.sessionReused(), true);
      const onC = await sClientRun(serverCtx(), ['-sess_in', file]);
      assert.match(onC.out, /^New, TLSv1\.3, Cipher is /m, onC.out);
    });

    it('a fresh SslContext (empty cache) does not resume the saved session', async () => {
      const file = join(dir, 's_client.sess2.pem');
      await sClientRun(serverCtx(), ['-sess_out', file]);
      const second = await sClientRun(serverCtx(), ['-sess_in', file]);
      assert.match(second.out, /^New, TLSv1\.3, Cipher is /m);
      assert.equal(second.ssl.sessionReused(), false);
    });
  });

  describe('memtls client → openssl s_server (stateless tickets)', () => {
    async function connectAndPing(port: number, ssl: Ssl): Promise<net.Socket> {
      const sock = await connectTcp(port);
      await handshake(ssl, sock);
      await writeAll(ssl, sock, utf8('ping\n'));
      assert.equal(text(await readExactly(ssl, sock, 5)), 'gnip\n');
      assert.equal(await shutdownLoop(ssl, sock), 1);
      assert.equal(ssl.getShutdown(), BOTH);
      await endTransport(ssl, sock);
      return sock;
    }

    it('s_server -no_ticket (OpenSSL\'s stateful TLS 1.3 tickets): the session resumes', async () => {
      const cred = pki.servers['ec-p256'];
      const server = await startOpenSslServer({ cert: cred.certPath, key: cred.keyPath, naccept: 2, extraArgs: ['-no_ticket'] });
      const ctx = clientCtx();
      const first = new core.Ssl(ctx, { serverName: 'localhost' });
      await connectAndPing(server.port, first);
      const session = first.getSession();
      assert.ok(session, 'a ticket was processed');
      const second = new core.Ssl(ctx, { serverName: 'localhost', session });
      await connectAndPing(server.port, second);
      assert.equal(second.sessionReused(), true);
      assert.equal(await server.exited(), 0, server.describe());
    });

    it('s_server -early_data: the session keeps the ticket\'s max_early_data (for a later 0-RTT), through toBytes/fromBytes, and resumes', async () => {
      const cred = pki.servers['ec-p256'];
      // -early_data cannot go with -rev: s_server in stdio mode prints what it reads.
      const server = await startOpenSslServer({ cert: cred.certPath, key: cred.keyPath, naccept: 2, mode: 'stdio', extraArgs: ['-early_data'] });
      const ctx = clientCtx();
      const connectOnce = async (ssl: Ssl, line: string) => {
        const sock = await connectTcp(server.port);
        await handshake(ssl, sock);
        await writeAll(ssl, sock, utf8(`${line}\n`));
        await server.waitForOutput(new RegExp(line), 'stdout');
        assert.equal(await shutdownLoop(ssl, sock), 1);
        await endTransport(ssl, sock);
      };
      const first = new core.Ssl(ctx, { serverName: 'localhost' });
      await connectOnce(first, 'first-line');
      const session = first.getSession();
      assert.ok(session);
      assert.ok(session.maxEarlyData > 0, `max_early_data from the NewSessionTicket: ${session.maxEarlyData}`);
      const restored = core.SslSession.fromBytes(session.toBytes());
      assert.equal(restored.maxEarlyData, session.maxEarlyData);
      const second = new core.Ssl(ctx, { serverName: 'localhost', session: restored });
      await connectOnce(second, 'second-line');
      assert.equal(second.sessionReused(), true);
      assert.equal(await server.exited(), 0, server.describe());
    });

    it('getSession() after a full close resumes on a second connection (also through toBytes/fromBytes)', async () => {
      const cred = pki.servers['ec-p256'];
      const server = await startOpenSslServer({ cert: cred.certPath, key: cred.keyPath, naccept: 3 });
      const ctx = clientCtx();
      const first = new core.Ssl(ctx, { serverName: 'localhost' });
      await connectAndPing(server.port, first);
      assert.equal(first.sessionReused(), false);
      const session = first.getSession();
      assert.notEqual(session, null, 'a ticket was processed');
      if (session === null) return;

      const second = new core.Ssl(ctx, { serverName: 'localhost', session });
      await connectAndPing(server.port, second);
      assert.equal(second.sessionReused(), true);

      const restored = core.SslSession.fromBytes(session.toBytes());
      const third = new core.Ssl(clientCtx(), { serverName: 'localhost', session: restored });
      await connectAndPing(server.port, third);
      assert.equal(third.sessionReused(), true, 'a session restored from bytes into a new context resumes');

      assert.equal(await server.exited(), 0, server.describe());
      // s_server prints its SSL_CTX statistics at exit (-naccept); stateless ticket resumptions count as hits.
      assert.match(server.stdout(), /^\s*2 session cache hits$/m, server.stdout());
      assert.match(server.stdout(), /^\s*3 server accepts that finished$/m);
    });
  });

  describe('Node tls', () => {
    it('memtls client resumes against tls.createServer (isSessionReused() on the Node side)', async () => {
      const cred = pki.servers['ec-p256'];
      const node = await startNodeTlsServer({ key: cred.keyPem, cert: cred.certPem });
      const ctx = clientCtx();
      const run = async (session?: InstanceType<CoreApi['SslSession']>) => {
        // Asked at 'secureConnection': once the socket is closed Node's isSessionReused() is no longer meaningful.
        const conn = new Promise<boolean>((resolve) => node.server.once('secureConnection', (s: TLSSocket) => resolve(s.isSessionReused())));
        const ssl = new core.Ssl(ctx, session ? { serverName: 'localhost', session } : { serverName: 'localhost' });
        const sock = await connectTcp(node.port);
        await handshake(ssl, sock);
        const nodeReused = await conn;
        await writeAll(ssl, sock, utf8('echo me'));
        assert.equal(text(await readExactly(ssl, sock, 7)), 'echo me');
        assert.equal(await shutdownLoop(ssl, sock), 1);
        await endTransport(ssl, sock);
        return { ssl, nodeReused };
      };
      const first = await run();
      assert.equal(first.ssl.sessionReused(), false);
      assert.equal(first.nodeReused, false);
      const session = first.ssl.getSession();
      assert.notEqual(session, null);
      const second = await run(session ?? undefined);
      assert.equal(second.ssl.sessionReused(), true);
      assert.equal(second.nodeReused, true);
      assert.deepEqual(node.errors, []);
    });

    it('Node tls.connect resumes against a memtls server (session from the "session" event)', async () => {
      const ctx = serverCtx();
      const run = async (session?: Buffer) => {
        const { port, accepted } = await acceptOne();
        // tls.connect directly (not nodeTlsConnect) so the 'session' listener is there before any ticket.
        const client = nodeTls.connect({ host: '127.0.0.1', port, servername: 'localhost', minVersion: 'TLSv1.3', ca: pki.caPem, ...(session ? { session } : {}) });
        nodeClients.add(client);
        const sessions: Buffer[] = [];
        client.on('session', (s: Buffer) => sessions.push(s));
        const secure = new Promise<void>((resolve, reject) => {
          client.once('secureConnect', resolve);
          client.once('error', reject);
        });
        const sock = await accepted;
        const ssl = new core.Ssl(ctx);
        await Promise.all([secure, handshake(ssl, sock)]);
        // Asked now: once the socket has closed (endTransport below) Node answers null.
        const nodeReused = client.isSessionReused();
        const got = new Promise<Buffer>((resolve) => client.once('data', resolve));
        await writeAll(ssl, sock, utf8('hello node'));
        assert.equal((await got).toString(), 'hello node'); // the tickets came before the data
        client.end(); // close_notify + FIN
        assert.equal((await readUntilZeroReturn(ssl, sock)).length, 0);
        assert.equal(await shutdownLoop(ssl, sock), 1, 'a server that answers the close keeps its cache entry');
        await endTransport(ssl, sock);
        return { ssl, nodeReused, sessions };
      };
      const first = await run();
      assert.equal(first.nodeReused, false);
      assert.equal(first.ssl.sessionReused(), false);
      assert.ok(first.sessions.length >= 1, 'Node emitted "session" for the tickets');
      const second = await run(first.sessions.at(-1));
      assert.equal(second.nodeReused, true);
      assert.equal(second.ssl.sessionReused(), true);
    });
  });
});
