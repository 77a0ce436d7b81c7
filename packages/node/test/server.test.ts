/**
 * @memtls/node as a server: Node `tls.connect` and `curl` as clients on 127.0.0.1, `http.createServer`
 * behind a memtls server, client certificates, handshake failures as 'tlsClientError', and resumption
 * from the server's session cache.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { connect, createServer, type MemtlsServer, type MemtlsSocket } from '@memtls/node';
import { cleanup, closed, collect, listen, once, testPki, track, trackServer } from './helpers.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function nodeClient(opts: tls.ConnectionOptions): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tls.connect(opts, () => resolve(s));
    s.once('error', reject);
    track(s, (x) => {
      x.destroy();
    });
  });
}

function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('curl', args, { timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** An echo server on memtls; resolves with the port. */
async function echoServer(opts: Parameters<typeof createServer>[0]): Promise<{ server: MemtlsServer; port: number; conns: MemtlsSocket[]; next: () => Promise<MemtlsSocket> }> {
  const conns: MemtlsSocket[] = [];
  const server = trackServer(
    createServer(opts, (s) => {
      conns.push(s);
      s.on('error', () => undefined);
      s.pipe(s);
    }),
  );
  // The server's 'secureConnection' may come after the client's 'secureConnect'.
  const next = (): Promise<MemtlsSocket> => once<MemtlsSocket>(server, 'secureConnection');
  return { server, port: await listen(server), conns, next };
}

describe('@memtls/node server', function () {
  this.timeout(30_000);
  afterEach(cleanup);

  it('Node tls.connect: echo 1 MiB, ALPN, SNI, close_notify both ways', async () => {
    const pki = testPki();
    const { port, next } = await echoServer({ cert: pki.server.cert, key: pki.server.key, ALPNProtocols: ['h2', 'http/1.1'] });
    const accepted = next();
    const c = await nodeClient({ host: '127.0.0.1', port, ca: pki.ca, servername: 'localhost', ALPNProtocols: ['h2'] });
    assert.equal(c.authorized, true);
    assert.equal(c.alpnProtocol, 'h2');
    assert.equal(c.getProtocol(), 'TLSv1.3');
    const s = await accepted;
    assert.equal(s.alpnProtocol, 'h2');
    assert.equal(s.servername, 'localhost');
    assert.equal(s.authorized, false, 'no client certificate was requested');
    const data = randomBytes(1024 * 1024);
    const echoed = collect(c);
    c.end(data);
    assert.equal(sha(await echoed), sha(data));
    await closed(s);
    assert.equal(s.getShutdown(), 3);
  });

  it('curl → http.createServer behind a memtls server', async () => {
    const pki = testPki();
    const app = http.createServer((req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end(`hello ${req.method} ${req.url} over ${(req.socket as unknown as MemtlsSocket).getProtocol()}`);
    });
    const server = trackServer(createServer({ cert: pki.server.cert, key: pki.server.key, ALPNProtocols: ['http/1.1'] }, (s) => app.emit('connection', s)));
    const port = await listen(server);
    track(app, (a) => {
      a.close();
    });
    const r = await curl(['-sS', '-v', '--cacert', pki.caPath, '--resolve', `localhost:${port}:127.0.0.1`, `https://localhost:${port}/path?q=1`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hello GET /path?q=1 over TLSv1.3');
    assert.match(r.stderr, /TLSv1\.3/);
    assert.match(r.stderr, /ALPN.*http\/1\.1/);
  });

  it('curl refuses the server when it does not trust the CA (the server sees a tlsClientError)', async () => {
    const pki = testPki();
    const server = trackServer(createServer({ cert: pki.rogueServer.cert, key: pki.rogueServer.key }, () => assert.fail('no handshake should complete')));
    const failed = once<Error>(server, 'tlsClientError');
    const port = await listen(server);
    const r = await curl(['-sS', '--cacert', pki.caPath, '--resolve', `localhost:${port}:127.0.0.1`, `https://localhost:${port}/`]);
    assert.equal(r.code, 60, `curl exit 60: peer certificate cannot be authenticated (${r.stderr})`);
    const err = (await failed) as Error & { code?: string; reason?: string };
    assert.equal(err.code, 'ERR_MEMTLS_SSL');
    // curl (OpenSSL) sends its unknown_ca alert in plaintext, before switching to handshake keys;
    // OpenSSL's server reads it ("tlsv1 alert unknown ca"), the core refuses the plaintext record
    // ("unexpected record"). Reported to the core; either way the handshake fails on both ends.
    assert.match(String(err.reason), /alert unknown ca|unexpected record/);
  });

  it('requestCert: authorizes a Node client certificate; refuses a client without one', async () => {
    const pki = testPki();
    const { server, port, next } = await echoServer({ cert: pki.server.cert, key: pki.server.key, ca: pki.ca, requestCert: true });
    const accepted = next();
    const c = await nodeClient({ host: '127.0.0.1', port, ca: pki.ca, servername: 'localhost', cert: pki.client.cert, key: pki.client.key });
    const echoed = collect(c);
    c.end('with cert');
    assert.equal((await echoed).toString(), 'with cert');
    const s = await accepted;
    assert.equal(s.authorized, true);
    assert.equal(s.getPeerCertificate()?.subject.CN, 'memtls-client');

    const refused = once<Error & { code?: string; reason?: string }>(server, 'tlsClientError');
    const bare = tls.connect({ host: '127.0.0.1', port, ca: pki.ca, servername: 'localhost' });
    track(bare, (x) => {
      x.destroy();
    });
    const clientErr = once<Error>(bare, 'error');
    const err = await refused;
    assert.equal(err.code, 'ERR_MEMTLS_SSL');
    assert.match(String(err.reason), /peer did not return a certificate/);
    assert.match((await clientErr).message, /certificate required/);
  });

  it('SNI: a name that is not a DNS host name is refused (illegal_parameter) and never reaches servername; case is folded', async () => {
    const pki = testPki();
    const { server, port, next } = await echoServer({ cert: pki.server.cert, key: pki.server.key });
    const refused = once<Error & { code?: string; reason?: string }>(server, 'tlsClientError');
    const evil = tls.connect({ host: '127.0.0.1', port, ca: pki.ca, servername: 'evil/../name.test', checkServerIdentity: () => undefined });
    track(evil, (x) => {
      x.destroy();
    });
    const clientErr = once<Error>(evil, 'error');
    const err = await refused;
    assert.equal(err.code, 'ERR_MEMTLS_SSL');
    assert.match(String(err.reason), /bad extension/);
    assert.match((await clientErr).message, /illegal parameter/);

    const accepted = next();
    const c = await nodeClient({ host: '127.0.0.1', port, ca: pki.ca, servername: 'LocalHost' });
    const s = await accepted;
    assert.equal(s.servername, 'localhost');
    c.end();
  });

  it('plaintext HTTP sent to the TLS port is a tlsClientError, not a crash', async () => {
    const pki = testPki();
    const server = trackServer(createServer({ cert: pki.server.cert, key: pki.server.key }));
    const failed = once<Error & { code?: string; reason?: string }>(server, 'tlsClientError');
    const port = await listen(server);
    const raw = net.connect(port, '127.0.0.1', () => raw.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    track(raw, (x) => {
      x.destroy();
    });
    raw.on('error', () => undefined);
    const err = await failed;
    assert.equal(err.code, 'ERR_MEMTLS_SSL');
    assert.match(String(err.reason), /http request|wrong version number|record/);
  });

  it('resumption from the server session cache: memtls client → memtls server', async () => {
    const pki = testPki();
    const { port, next } = await echoServer({ cert: pki.server.cert, key: pki.server.key });
    const first = connect({ host: 'localhost', port, ca: pki.ca });
    track(first, (x) => {
      x.destroy();
    });
    const firstEcho = collect(first);
    first.end('one');
    assert.equal((await firstEcho).toString(), 'one');
    await closed(first);
    const session = first.getSession();
    assert.ok(session);
    const secondAccepted = next();
    const second = connect({ host: 'localhost', port, ca: pki.ca, session });
    track(second, (x) => {
      x.destroy();
    });
    await once(second, 'secureConnect');
    assert.equal(second.isSessionReused(), true);
    const secondEcho = collect(second);
    second.end('two');
    assert.equal((await secondEcho).toString(), 'two');
    assert.equal((await secondAccepted).isSessionReused(), true);
  });

  it('Node tls client resumes against the memtls server', async () => {
    const pki = testPki();
    const { port } = await echoServer({ cert: pki.server.cert, key: pki.server.key });
    const opts = { host: '127.0.0.1', port, ca: pki.ca, servername: 'localhost' };
    const first = await nodeClient(opts);
    const sessionP = once<Buffer>(first, 'session');
    const echo1 = collect(first);
    first.end('one');
    await echo1;
    const session = await sessionP;
    const second = await nodeClient({ ...opts, session });
    assert.equal(second.isSessionReused(), true);
    const echo2 = collect(second);
    second.end('two');
    assert.equal((await echo2).toString(), 'two');
  });
  for (const maxVersion of ['TLSv1.3', 'TLSv1.2'] as const) {
    it(`ticketKeys (${maxVersion}): a Node client's session from one server resumes on another with the same keys, not on a third; get/setTicketKeys as tls.Server`, async () => {
      const pki = testPki();
      const keys = randomBytes(48);
      const a = await echoServer({ cert: pki.server.cert, key: pki.server.key, ticketKeys: keys });
      const b = await echoServer({ cert: pki.server.cert, key: pki.server.key });
      const c = await echoServer({ cert: pki.server.cert, key: pki.server.key });
      assert.deepEqual(a.server.getTicketKeys(), keys);
      assert.notDeepEqual(b.server.getTicketKeys(), keys, 'random by default');
      b.server.setTicketKeys(a.server.getTicketKeys());
      assert.deepEqual(b.server.getTicketKeys(), keys);
      assert.throws(() => b.server.setTicketKeys(Buffer.alloc(32)), TypeError);
      const opts = { host: '127.0.0.1', ca: pki.ca, servername: 'localhost', maxVersion };
      // The 'session' listener goes on at once: in TLS 1.2 Node emits it before 'secureConnect'.
      let sessionP: Promise<Buffer> | null = null;
      const first = await new Promise<tls.TLSSocket>((resolve, reject) => {
        const sock = tls.connect({ ...opts, port: a.port }, () => resolve(sock));
        sessionP = once<Buffer>(sock, 'session');
        sock.once('error', reject);
        track(sock, (x) => {
          x.destroy();
        });
      });
      const echo1 = collect(first);
      first.end('one');
      await echo1;
      const session = await (sessionP as unknown as Promise<Buffer>);
      const onB = await nodeClient({ ...opts, port: b.port, session });
      assert.equal(onB.isSessionReused(), true, 'B opens the ticket A sealed');
      onB.end();
      const onC = await nodeClient({ ...opts, port: c.port, session });
      assert.equal(onC.isSessionReused(), false, 'C has its own key: a full handshake');
      onC.end();
    });
  }
});
