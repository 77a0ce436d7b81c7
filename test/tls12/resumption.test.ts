/**
 * TLS 1.2 session resumption interop over 127.0.0.1 with OpenSSL 3.0's CLI, both mechanisms, both roles:
 * memtls client → `openssl s_server -tls1_2` by ticket (RFC 5077) and, with `-no_ticket`, by session ID;
 * `openssl s_client -tls1_2 -reconnect` and `-sess_out`/`-sess_in` → memtls server, which s_client reports as
 * "Reused" (with `-no_ticket` for session IDs), with the memtls server's stateless tickets, its SSL_OP_NO_TICKET
 * (session IDs) and a second context sharing its ticket keys. The memtls server answers each close with its own
 * close_notify, so it sets SENT and keeps its cache entries (rule 19).
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWebCryptoProvider, SSL_OP_NO_TICKET, Ssl, SslContext, SslSession } from '@memtls/core';
import { text, utf8 } from '../interop/payload.js';
import { acceptOne, cleanupPeers, connectTcp, OpenSslProcess } from '../interop/peers.js';
import { getPki, type Pki } from '../interop/pki.js';
import { endTransport, handshake, readExactly, readUntilZeroReturn, shutdownLoop, writeAll } from '../interop/pump.js';

/** The WebCrypto provider: AES-GCM from WebCrypto, ChaCha20-Poly1305 from @noble/ciphers (what browsers get). */
const provider = createWebCryptoProvider(globalThis.crypto);
const BOTH = 3; // SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN

describe('TLS 1.2 interop: session resumption with openssl s_server / s_client -tls1_2', function () {
  this.timeout(60_000);
  let pki: Pki;
  let dir: string;
  before(async () => {
    pki = await getPki();
    dir = mkdtempSync(join(tmpdir(), 'memtls-tls12-resumption-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const listeners = new Set<net.Server>();
  const sockets = new Set<net.Socket>();
  afterEach(async () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
    for (const l of listeners) await new Promise<void>((r) => l.close(() => r()));
    listeners.clear();
    await cleanupPeers();
  });

  const serverCtx = (extra: { options?: number; ticketKeys?: Uint8Array } = {}) =>
    new SslContext({ role: 'server', cert: pki.servers['ec-p256'].certPem, key: pki.servers['ec-p256'].keyPem, crypto: provider, ...extra });
  const clientCtx = () => new SslContext({ role: 'client', ca: pki.caPem, crypto: provider, maxVersion: 'TLSv1.2' });

  describe('memtls client → openssl s_server -tls1_2', () => {
    /** s_server -tls1_2 -rev for `naccept` connections; its statistics are printed when it exits. */
    async function sServer(naccept: number, extra: string[] = []): Promise<OpenSslProcess & { port: number }> {
      const cred = pki.servers['ec-p256'];
      const p = new OpenSslProcess(['s_server', '-tls1_2', '-accept', '127.0.0.1:0', '-naccept', String(naccept), '-rev', '-cert', cred.certPath, '-key', cred.keyPath, ...extra], {
        timeoutMs: 60_000,
      });
      const re = /^ACCEPT 127\.0\.0\.1:(\d+)$/m;
      await p.waitFor(() => re.test(p.stdout()), 'the ACCEPT line', 10_000);
      return Object.assign(p, { port: Number(re.exec(p.stdout())?.[1]) });
    }

    /** One connection: handshake, a reversed line, a bidirectional close. */
    async function run(port: number, ssl: Ssl, server: OpenSslProcess): Promise<void> {
      const sock = await connectTcp(port);
      try {
        await handshake(ssl, sock);
        await writeAll(ssl, sock, utf8('ping\n'));
        assert.equal(text(await readExactly(ssl, sock, 5)), 'gnip\n');
        assert.equal(await shutdownLoop(ssl, sock), 1);
      } catch (e) {
        throw new Error(`${(e as Error).message}\n${server.describe()}`);
      }
      assert.equal(ssl.getShutdown(), BOTH);
      await endTransport(ssl, sock);
    }

    for (const mechanism of ['ticket', 'session ID'] as const) {
      it(`resumes by ${mechanism}${mechanism === 'session ID' ? ' (s_server -no_ticket)' : ''}, also through toBytes/fromBytes`, async () => {
        const server = await sServer(3, mechanism === 'ticket' ? [] : ['-no_ticket']);
        const ctx = clientCtx();
        const first = new Ssl(ctx, { serverName: 'localhost' });
        await run(server.port, first, server);
        assert.equal(first.version(), 'TLSv1.2');
        assert.equal(first.sessionReused(), false);
        const session = first.getSession();
        assert.ok(session, 'a TLS 1.2 session');
        assert.equal(session.version, 'TLSv1.2');
        if (mechanism === 'ticket') assert.ok(session.ticket.length > 0, 'a ticket');
        else {
          assert.equal(session.ticket.length, 0, 'no ticket');
          assert.equal(session.sessionId.length, 32, "s_server's session ID");
        }
        const second = new Ssl(ctx, { serverName: 'localhost', session });
        await run(server.port, second, server);
        assert.equal(second.sessionReused(), true);
        assert.equal(second.verifyResult(), 'X509_V_OK');
        const third = new Ssl(clientCtx(), { serverName: 'localhost', session: SslSession.fromBytes(session.toBytes()) });
        await run(server.port, third, server);
        assert.equal(third.sessionReused(), true, 'a session restored from bytes into a new context resumes');
        assert.equal(await server.exited(), 0, server.describe());
        // s_server's SSL_CTX statistics at exit: two resumptions; by ID they are hits in its session cache.
        assert.match(server.stdout(), /^\s*3 server accepts that finished$/m, server.stdout());
        if (mechanism === 'session ID') assert.match(server.stdout(), /^\s*2 session cache hits$/m, server.stdout());
      });
    }
  });

  describe('openssl s_client -tls1_2 → memtls server', () => {
    /** Serve one s_client connection: handshake, a line, read to its close_notify, answer it (SENT: rule 19). */
    async function serveOne(ctx: SslContext, sock: net.Socket, line: string | null): Promise<Ssl> {
      const ssl = new Ssl(ctx);
      await handshake(ssl, sock);
      if (line !== null) await writeAll(ssl, sock, utf8(line));
      assert.equal((await readUntilZeroReturn(ssl, sock)).length, 0);
      assert.equal(await shutdownLoop(ssl, sock), 1);
      assert.equal(ssl.getShutdown(), BOTH);
      await endTransport(ssl, sock);
      return ssl;
    }

    /** A listener on 127.0.0.1 for several connections in turn (a client that reconnects to the same port). */
    async function listen(): Promise<{ port: number; next: () => Promise<net.Socket> }> {
      const listener = net.createServer({ allowHalfOpen: true });
      listeners.add(listener);
      const queue: net.Socket[] = [];
      let wake: (() => void) | null = null;
      listener.on('connection', (s) => {
        sockets.add(s);
        queue.push(s);
        wake?.();
      });
      await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
      const next = async (): Promise<net.Socket> => {
        while (queue.length === 0) await new Promise<void>((r) => (wake = r));
        return queue.shift() as net.Socket;
      };
      return { port: (listener.address() as net.AddressInfo).port, next };
    }

    const sClientArgs = (port: number) => ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_2', '-servername', 'localhost', '-CAfile', pki.caPath, '-verify_return_error', '-verify_hostname', 'localhost', '-nocommands'];

    /** One s_client run with `args` (e.g. -sess_out / -sess_in) against `ctx`: its output and the server's Ssl. */
    async function sClientOnce(ctx: SslContext, args: string[]): Promise<{ ssl: Ssl; out: string }> {
      const { port, accepted } = await acceptOne();
      const client = new OpenSslProcess([...sClientArgs(port), ...args], { timeoutMs: 30_000 });
      let ssl: Ssl;
      try {
        const sock = await accepted;
        sockets.add(sock);
        const serving = serveOne(ctx, sock, 'resumption test line\n');
        await client.waitForOutput(/resumption test line/, 'stdout');
        client.endInput();
        ssl = await serving;
      } catch (e) {
        throw new Error(`${(e as Error).message}\n${client.describe()}`);
      }
      assert.equal(await client.exited(), 0, client.describe());
      return { ssl, out: client.stdout() };
    }

    it('server SSL_OP_NO_TICKET: s_client offers a ticket extension, gets a session ID and resumes by it (Reused)', async () => {
      const ctx = serverCtx({ options: SSL_OP_NO_TICKET });
      const file = join(dir, 'sess-server-no-ticket.pem');
      const first = await sClientOnce(ctx, ['-sess_out', file]);
      assert.match(first.out, /^New, TLSv1\.2, /m);
      assert.equal(ctx.sessionCache?.size, 1, 'a session ID into the cache');
      const second = await sClientOnce(ctx, ['-sess_in', file]);
      assert.match(second.out, /^Reused, TLSv1\.2, /m, second.out);
      assert.equal(second.ssl.sessionReused(), true);
    });

    it('a second SslContext given the same ticketKeys ("another machine") resumes the s_client ticket; one with its own key does not', async () => {
      const a = serverCtx();
      const file = join(dir, 'sess-shared-keys.pem');
      await sClientOnce(a, ['-sess_out', file]);
      assert.equal(a.sessionCache?.size, 0, 'a stateless ticket: nothing cached');
      const onB = await sClientOnce(serverCtx({ ticketKeys: a.getTicketKeys() }), ['-sess_in', file]);
      assert.match(onB.out, /^Reused, TLSv1\.2, /m, onB.out);
      assert.equal(onB.ssl.sessionReused(), true);
      const onC = await sClientOnce(serverCtx(), ['-sess_in', file]);
      assert.match(onC.out, /^New, TLSv1\.2, /m, onC.out);
    });

    for (const noTicket of [false, true]) {
      const how = noTicket ? 'by session ID (-no_ticket)' : 'by ticket';
      it(`-reconnect: five reconnections resume ${how}; memtls sessionReused() each time`, async () => {
        const ctx = serverCtx();
        const { port, next } = await listen();
        const client = new OpenSslProcess([...sClientArgs(port), '-reconnect', ...(noTicket ? ['-no_ticket'] : [])], { timeoutMs: 60_000 });
        const reused: boolean[] = [];
        try {
          // s_client sends close_notify after each handshake and drops the connection; the sixth one stays.
          for (let i = 0; i < 5; i++) reused.push((await serveOne(ctx, await next(), null)).sessionReused());
          const last = serveOne(ctx, await next(), null);
          await client.waitFor(() => (client.stdout().match(/^Reused, TLSv1\.2, /gm) ?? []).length === 5, 'five "Reused" lines', 20_000);
          client.endInput();
          reused.push((await last).sessionReused());
        } catch (e) {
          throw new Error(`${(e as Error).message}\n${client.describe()}`);
        }
        assert.deepEqual(reused, [false, true, true, true, true, true]);
        assert.equal((client.stdout().match(/^New, TLSv1\.2, /gm) ?? []).length, 1, client.stdout());
        assert.equal(await client.exited(), 0, client.describe());
      });

      it(`-sess_out then -sess_in resumes ${how} (s_client says Reused); a fresh context does not`, async () => {
        const ctx = serverCtx();
        const file = join(dir, `sess-${noTicket ? 'id' : 'ticket'}.pem`);
        const once = async (serverCtxToUse: SslContext, sess: string[]) => {
          const { port, accepted } = await acceptOne();
          const client = new OpenSslProcess([...sClientArgs(port), ...sess, ...(noTicket ? ['-no_ticket'] : [])], { timeoutMs: 30_000 });
          let ssl: Ssl;
          try {
            const sock = await accepted;
            sockets.add(sock);
            const serving = serveOne(serverCtxToUse, sock, 'resumption test line\n');
            await client.waitForOutput(/resumption test line/, 'stdout');
            client.endInput();
            ssl = await serving;
          } catch (e) {
            throw new Error(`${(e as Error).message}\n${client.describe()}`);
          }
          assert.equal(await client.exited(), 0, client.describe());
          return { ssl, out: client.stdout() };
        };
        const first = await once(ctx, ['-sess_out', file]);
        assert.match(first.out, /^New, TLSv1\.2, /m);
        assert.equal(first.ssl.sessionReused(), false);
        assert.equal(existsSync(file), true, 's_client wrote -sess_out');
        const second = await once(ctx, ['-sess_in', file]);
        assert.match(second.out, /^Reused, TLSv1\.2, /m, second.out);
        assert.equal(second.ssl.sessionReused(), true);
        const fresh = await once(serverCtx(), ['-sess_in', file]);
        assert.match(fresh.out, /^New, TLSv1\.2, /m, fresh.out);
        assert.equal(fresh.ssl.sessionReused(), false);
      });
    }

    // RFC 7627 §5.3: a session made without the extended master secret is not resumable. GnuTLS can leave the
    // extension out (%NO_SESSION_HASH); OpenSSL 3.0's CLI cannot.
    for (const ems of [true, false]) {
      it(`gnutls-cli --resume ${ems ? 'with' : 'without (%NO_SESSION_HASH)'} the extended master secret: ${ems ? 'resumed' : 'no session, a full handshake again'}`, async () => {
        const ctx = serverCtx();
        const { port, next } = await listen();
        const priority = `NORMAL:-VERS-ALL:+VERS-TLS1.2${ems ? '' : ':%NO_SESSION_HASH'}`;
        const client = new OpenSslProcess(
          ['-p', String(port), '127.0.0.1', '--sni-hostname', 'localhost', '--verify-hostname', 'localhost', '--x509cafile', pki.caPath, '--priority', priority, '--resume'],
          { timeoutMs: 30_000, program: 'gnutls-cli' },
        );
        const reused: boolean[] = [];
        try {
          reused.push((await serveOne(ctx, await next(), null)).sessionReused());
          const second = serveOne(ctx, await next(), null);
          await client.waitForOutput(/Resume Handshake was completed/, 'stdout');
          client.endInput();
          reused.push((await second).sessionReused());
        } catch (e) {
          throw new Error(`${(e as Error).message}\n${client.describe()}`);
        }
        assert.deepEqual(reused, [false, ems]);
        assert.equal(/\*\*\* This is a resumed session/.test(client.stdout()), ems, client.stdout());
        assert.equal(/Options: extended master secret/.test(client.stdout()), ems, client.stdout());
      });
    }
  });
});
