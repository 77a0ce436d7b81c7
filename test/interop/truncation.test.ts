/**
 * Truncation (a transport EOF without close_notify) against real peers over 127.0.0.1, TLS 1.3.
 *
 * Peer truncates, memtls reads: `read` → 0 / SSL_ERROR_SSL "unexpected eof while reading" with the shutdown
 * flags unchanged (rule 13); with `ignoreUnexpectedEof` → 0 / SSL_ERROR_ZERO_RETURN and RECEIVED (rule 16).
 * memtls truncates: what `openssl s_client` and Node `tls` report.
 */
import { strict as assert } from 'node:assert';
import type net from 'node:net';
import type tls from 'node:tls';
import { type CoreApi, loadCore, type Ssl } from './api.js';
import { text, utf8 } from './payload.js';
import { acceptOne, cleanupPeers, connectTcp, nodeTlsConnect, startNodeTlsServer, startOpenSslClient, startOpenSslServer } from './peers.js';
import { getPki, type Pki } from './pki.js';
import { endTransport, handshake, pumpFor, readExactly, writeAll } from './pump.js';

const RECEIVED = 2;

/** The events a Node TLS socket emits until 'close', in order (errors as "error: <code or message>"). */
function nodeEvents(sock: tls.TLSSocket): Promise<string[]> {
  const events: string[] = [];
  sock.on('end', () => events.push('end'));
  sock.on('error', (e: NodeJS.ErrnoException) => events.push(`error: ${e.code ?? e.message}`));
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve([...events, 'timeout (no close)']), 10_000);
    sock.once('close', () => {
      clearTimeout(timer);
      resolve(events);
    });
  });
}

describe('interop: truncation (EOF without close_notify)', function () {
  this.timeout(30_000);
  let core: CoreApi;
  let pki: Pki;
  before(async () => {
    core = await loadCore();
    pki = await getPki();
  });
  afterEach(cleanupPeers);

  const newClient = (ignoreUnexpectedEof = false): Ssl =>
    new core.Ssl(new core.SslContext({ role: 'client', ca: pki.caPem, ignoreUnexpectedEof }), { serverName: 'localhost' });
  const newServer = (ignoreUnexpectedEof = false): Ssl => {
    const cred = pki.servers['ec-p256'];
    return new core.Ssl(new core.SslContext({ role: 'server', cert: cred.certPem, key: cred.keyPem, ignoreUnexpectedEof }));
  };

  /** One read that meets the EOF: its result, getError and reason. */
  async function readAtEof(ssl: Ssl, sock: net.Socket) {
    const { ret, err } = await pumpFor(ssl, sock).drive('read at truncation', () => ssl.read(new Uint8Array(64)));
    return { ret, err, reason: ssl.errorReason() };
  }

  async function expectTruncated(ssl: Ssl, sock: net.Socket): Promise<void> {
    assert.deepEqual(await readAtEof(ssl, sock), { ret: 0, err: core.SSL_ERROR_SSL, reason: 'unexpected eof while reading' });
    assert.equal(ssl.getShutdown(), 0, 'flags unchanged');
    // Rule 14: the error was fatal; later reads fail with SYSCALL and an empty queue.
    const again = await ssl.read(new Uint8Array(8));
    assert.deepEqual([again, ssl.getError(again)], [-1, core.SSL_ERROR_SYSCALL]);
  }

  async function expectIgnoredEof(ssl: Ssl, sock: net.Socket): Promise<void> {
    const { ret, err } = await readAtEof(ssl, sock);
    assert.deepEqual({ ret, err }, { ret: 0, err: core.SSL_ERROR_ZERO_RETURN });
    assert.equal(ssl.getShutdown(), RECEIVED);
  }

  describe('openssl s_server killed while memtls reads', () => {
    async function killedServer(ssl: Ssl): Promise<net.Socket> {
      const cred = pki.servers['ec-p256'];
      const server = await startOpenSslServer({ cert: cred.certPath, key: cred.keyPath });
      const sock = await connectTcp(server.port);
      await handshake(ssl, sock);
      await writeAll(ssl, sock, utf8('ping\n'));
      assert.equal(text(await readExactly(ssl, sock, 5)), 'gnip\n');
      await server.kill(); // SIGTERM: the kernel closes the socket, no close_notify
      assert.doesNotMatch(server.msgs(), />>> [^\n]*close_notify/, 's_server sent no close_notify');
      return sock;
    }

    it('read → 0 / SSL_ERROR_SSL "unexpected eof while reading", flags unchanged', async () => {
      const ssl = newClient();
      await expectTruncated(ssl, await killedServer(ssl));
    });

    it('with ignoreUnexpectedEof: read → 0 / SSL_ERROR_ZERO_RETURN, RECEIVED set', async () => {
      const ssl = newClient(true);
      await expectIgnoredEof(ssl, await killedServer(ssl));
    });
  });

  describe('Node tls peer destroy()s its socket while memtls reads', () => {
    it('Node server: read → 0 / SSL_ERROR_SSL "unexpected eof while reading"', async () => {
      const cred = pki.servers['ec-p256'];
      const node = await startNodeTlsServer({ key: cred.keyPem, cert: cred.certPem });
      const ssl = newClient();
      const sock = await connectTcp(node.port);
      await handshake(ssl, sock);
      await writeAll(ssl, sock, utf8('abc'));
      assert.equal(text(await readExactly(ssl, sock, 3)), 'abc');
      (await node.firstConnection).destroy();
      await expectTruncated(ssl, sock);
    });

    for (const ignore of [false, true]) {
      it(`Node client${ignore ? ', ignoreUnexpectedEof: read → 0 / ZERO_RETURN' : ': read → 0 / SSL_ERROR_SSL'}`, async () => {
        const { port, accepted } = await acceptOne();
        const clientP = nodeTlsConnect(port, { ca: pki.caPem });
        const sock = await accepted;
        const ssl = newServer(ignore);
        const [client] = await Promise.all([clientP, handshake(ssl, sock)]);
        const got = new Promise<Buffer>((resolve) => client.once('data', resolve));
        await writeAll(ssl, sock, utf8('xyz'));
        assert.equal((await got).toString(), 'xyz');
        client.destroy();
        if (ignore) await expectIgnoredEof(ssl, sock);
        else await expectTruncated(ssl, sock);
      });
    }
  });

  describe('memtls closes the TCP socket without close_notify', () => {
    it('openssl s_client reports "unexpected eof while reading"', async () => {
      const { port, accepted } = await acceptOne();
      const client = startOpenSslClient({ port, caFile: pki.caPath });
      const sock = await accepted;
      const ssl = newServer();
      await handshake(ssl, sock);
      await writeAll(ssl, sock, utf8('bye\n'));
      await client.waitForOutput(/bye\n/, 'stdout');
      await endTransport(ssl, sock);
      const code = await client.exited();
      // OpenSSL 3.0.19 prints e.g. "…:error:0A000126:SSL routines:ssl3_read_n:unexpected eof while reading:…" and exits 1.
      assert.match(client.stderr(), /error:0A000126:SSL routines:ssl3_read_n:unexpected eof while reading/, client.describe());
      assert.equal(code, 1, 's_client exits with status 1');
      assert.doesNotMatch(client.msgs(), /<<< [^\n]*close_notify/);
    });

    it('Node tls client (memtls server): emits a plain "end" (Node does not report the truncation)', async () => {
      const { port, accepted } = await acceptOne();
      const clientP = nodeTlsConnect(port, { ca: pki.caPem });
      const sock = await accepted;
      const ssl = newServer();
      const [client] = await Promise.all([clientP, handshake(ssl, sock)]);
      const events = nodeEvents(client);
      client.resume();
      await writeAll(ssl, sock, utf8('data'));
      await endTransport(ssl, sock);
      assert.deepEqual(await events, ['end'], 'Node 20 treats a TCP EOF without close_notify as a normal end');
    });

    it('Node tls server (memtls client): emits a plain "end" (Node does not report the truncation)', async () => {
      const cred = pki.servers['ec-p256'];
      const node = await startNodeTlsServer({ key: cred.keyPem, cert: cred.certPem }, (s) => s.resume());
      const ssl = newClient();
      const sock = await connectTcp(node.port);
      await handshake(ssl, sock);
      const events = nodeEvents(await node.firstConnection);
      await writeAll(ssl, sock, utf8('data'));
      await endTransport(ssl, sock);
      assert.deepEqual(await events, ['end'], 'Node 20 treats a TCP EOF without close_notify as a normal end');
    });
  });
});
