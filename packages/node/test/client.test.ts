/**
 * @memtls/node as a client against real peers on 127.0.0.1: Node `tls` and `https` servers and
 * `openssl s_server`. Certificates, ALPN, verification outcomes, HTTPS through `createConnection` and
 * through `MemtlsAgent`, and session resumption through `getSession()` / `session`.
 */
import { strict as assert } from 'node:assert';
import { constants, createHash, randomBytes, X509Certificate } from 'node:crypto';
import https from 'node:https';
import tls from 'node:tls';
import { connect, MemtlsAgent, type MemtlsSocket } from '@memtls/node';
import { cleanup, closed, collect, listen, nextError, once, opensslServer, testPki, track, trackServer } from './helpers.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Connect and wait for 'secureConnect' (rejecting on 'error'). */
function connected(s: MemtlsSocket): Promise<MemtlsSocket> {
  track(s, (x) => {
    x.destroy();
  });
  return new Promise((resolve, reject) => {
    s.once('secureConnect', () => resolve(s));
    s.once('error', reject);
  });
}

function httpsGet(opts: https.RequestOptions): Promise<{ status: number; body: string; socket: MemtlsSocket }> {
  return new Promise((resolve, reject) => {
    const req = https.request(opts, (res) => {
      const socket = res.socket as unknown as MemtlsSocket;
      collect(res).then((b) => resolve({ status: res.statusCode ?? 0, body: b.toString(), socket }), reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('@memtls/node client', function () {
  this.timeout(30_000);
  afterEach(cleanup);

  describe('↔ Node tls server', () => {
    it('echoes 1 MiB; reports protocol, cipher, ALPN, peer certificate; closes both ways', async () => {
      const pki = testPki();
      let gotServerSide: (s: tls.TLSSocket) => void = () => undefined;
      const serverSide = new Promise<tls.TLSSocket>((resolve) => {
        gotServerSide = resolve;
      });
      const server = trackServer(
        tls.createServer({ key: pki.server.key, cert: pki.server.cert, ALPNProtocols: ['h2', 'http/1.1'] }, (s) => {
          gotServerSide(s);
          s.pipe(s);
        }),
      );
      const port = await listen(server);
      const c = await connected(connect({ host: 'localhost', port, ca: pki.ca, ALPNProtocols: ['http/1.1'] }));
      assert.equal(c.authorized, true);
      assert.equal(c.authorizationError, null);
      assert.equal(c.alpnProtocol, 'http/1.1');
      assert.equal(c.servername, 'localhost');
      assert.equal(c.getProtocol(), 'TLSv1.3');
      assert.equal(c.getCipher()?.standardName, (await serverSide).getCipher().standardName);
      const peer = c.getPeerCertificate();
      const x = new X509Certificate(pki.server.cert);
      assert.ok(peer);
      assert.deepEqual(peer.raw, x.raw);
      assert.equal(peer.subject.CN, 'localhost');
      assert.equal(peer.issuer.CN, 'memtls-node-test-root');
      assert.equal(peer.fingerprint256, x.fingerprint256);
      assert.equal(peer.valid_to, x.validTo);
      assert.match(peer.subjectaltname ?? '', /DNS:localhost/);
      // getPeerX509Certificate(): the same object Node's own socket returns for that certificate.
      const x509 = c.getPeerX509Certificate();
      assert.ok(x509 instanceof X509Certificate);
      assert.equal(x509.fingerprint256, x.fingerprint256);
      assert.equal(x509.subject, (await serverSide).getX509Certificate()?.subject);

      const data = randomBytes(1024 * 1024);
      const echoed = collect(c);
      c.end(data);
      assert.equal(sha(await echoed), sha(data));
      await closed(c);
      assert.equal(c.getShutdown(), 3, 'SENT|RECEIVED: both close_notify exchanged');
    });

    it('refuses an untrusted server by default: ERR_MEMTLS_SSL with the verify result', async () => {
      const pki = testPki();
      const server = trackServer(tls.createServer({ key: pki.rogueServer.key, cert: pki.rogueServer.cert }, (s) => s.on('error', () => undefined)));
      server.on('tlsClientError', () => undefined);
      const port = await listen(server);
      const c = track(connect({ host: 'localhost', port, ca: pki.ca }), (s) => {
        s.destroy();
      });
      const err = (await nextError(c)) as Error & { code: string; reason: string; verifyResult: string };
      assert.equal(err.code, 'ERR_MEMTLS_SSL');
      assert.equal(err.reason, 'certificate verify failed');
      assert.match(err.verifyResult, /^X509_V_ERR_/);
      assert.equal(c.secure, false);
    });

    it('rejectUnauthorized: false connects and reports authorized=false with authorizationError', async () => {
      const pki = testPki();
      // Not s.end('hi') in this callback: Node's OpenSSL still has its session tickets pending then, its
      // SSL_shutdown fails with "shutdown while in init" (OpenSSL rule 10) and Node sends a bare FIN,
      // which memtls rightly reports as truncation. One tick later the close_notify goes out.
      const server = trackServer(tls.createServer({ key: pki.rogueServer.key, cert: pki.rogueServer.cert }, (s) => setImmediate(() => s.end('hi'))));
      const port = await listen(server);
      const c = await connected(connect({ host: 'localhost', port, ca: pki.ca, rejectUnauthorized: false }));
      assert.equal(c.authorized, false);
      assert.match(String(c.authorizationError), /UNABLE_TO_GET_ISSUER_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
      assert.equal((await collect(c)).toString(), 'hi');
    });

    it('checks the host name: a certificate for localhost does not pass for another name', async () => {
      const pki = testPki();
      const server = trackServer(tls.createServer({ key: pki.server.key, cert: pki.server.cert }, (s) => s.on('error', () => undefined)));
      server.on('tlsClientError', () => undefined);
      const port = await listen(server);
      const c = track(connect({ host: '127.0.0.1', port, ca: pki.ca, servername: 'other.test' }), (s) => {
        s.destroy();
      });
      const err = (await nextError(c)) as Error & { code: string; verifyResult: string };
      assert.equal(err.code, 'ERR_MEMTLS_SSL');
      assert.equal(err.verifyResult, 'X509_V_ERR_HOSTNAME_MISMATCH');
    });

    it('an IP literal host is checked against the IP SAN (no SNI sent)', async () => {
      const pki = testPki();
      let sni: string | false | null | undefined;
      const server = trackServer(
        tls.createServer({ key: pki.server.key, cert: pki.server.cert }, (s) => {
          sni = s.servername;
          setImmediate(() => s.end());
        }),
      );
      const port = await listen(server);
      const c = await connected(connect({ host: '127.0.0.1', port, ca: pki.ca }));
      assert.equal(c.authorized, true);
      await collect(c);
      assert.ok(!sni, 'no SNI for an IP address');
    });

    it('SNI is sent lowercase without a trailing dot; a name that is not a host name is a TypeError', async () => {
      const pki = testPki();
      let sni: string | false | null | undefined;
      const server = trackServer(
        tls.createServer({ key: pki.server.key, cert: pki.server.cert }, (s) => {
          sni = s.servername;
          setImmediate(() => s.end());
        }),
      );
      const port = await listen(server);
      const c = await connected(connect({ host: '127.0.0.1', port, ca: pki.ca, servername: 'LOCALHOST.' }));
      assert.equal(c.authorized, true);
      assert.equal(c.servername, 'localhost');
      await collect(c);
      assert.equal(sni, 'localhost');
      for (const bad of ['evil\r\nname', 'a/b.test', 'a\0b', 'bücher.test']) {
        assert.throws(() => connect({ host: '127.0.0.1', port, ca: pki.ca, servername: bad }), TypeError, JSON.stringify(bad));
      }
    });

    it('presents a client certificate to a server that requires one', async () => {
      const pki = testPki();
      const server = trackServer(
        tls.createServer({ key: pki.server.key, cert: pki.server.cert, ca: pki.ca, requestCert: true, rejectUnauthorized: true }, (s) => {
          setImmediate(() => s.end('ok'));
        }),
      );
      const seen = once<tls.TLSSocket>(server, 'secureConnection');
      const port = await listen(server);
      const c = await connected(connect({ host: 'localhost', port, ca: pki.ca, cert: pki.client.cert, key: pki.client.key }));
      assert.equal((await collect(c)).toString(), 'ok');
      const s = await seen;
      assert.equal(s.authorized, true);
      assert.equal(s.getPeerCertificate().subject.CN, 'memtls-client');
    });

    it('resumes a session saved with getSession() through the session option', async () => {
      const pki = testPki();
      const server = trackServer(tls.createServer({ key: pki.server.key, cert: pki.server.cert }, (s) => s.pipe(s)));
      const port = await listen(server);
      const first = await connected(connect({ host: 'localhost', port, ca: pki.ca }));
      const sessionEvent = once<Buffer>(first, 'session');
      first.end('one');
      assert.equal((await collect(first)).toString(), 'one');
      await closed(first);
      assert.equal(first.isSessionReused(), false);
      assert.ok(Buffer.isBuffer(await sessionEvent), "'session' event carries the serialised session");
      const saved = first.getSession();
      assert.ok(saved, 'a resumable session after a clean close');

      const second = await connected(connect({ host: 'localhost', port, ca: pki.ca, session: saved }));
      assert.equal(second.isSessionReused(), true);
      assert.equal(second.authorized, true);
      second.end('two');
      assert.equal((await collect(second)).toString(), 'two');
    });
  });

  describe('TLS 1.2 resumption ↔ Node tls server', () => {
    it("a resumed TLS 1.2 connection emits no 'session' event, as Node's own client (by ticket and by session ID)", async () => {
      const pki = testPki();
      for (const noTicket of [false, true]) {
        const server = trackServer(
          tls.createServer(
            { key: pki.server.key, cert: pki.server.cert, maxVersion: 'TLSv1.2', sessionIdContext: 'memtls-test', ...(noTicket ? { secureOptions: constants.SSL_OP_NO_TICKET } : {}) },
            (s) => s.pipe(s),
          ),
        );
        // Node's servers keep no session cache of their own: session IDs resume through these events.
        const store = new Map<string, Buffer>();
        server.on('newSession', (id: Buffer, data: Buffer, cb: () => void) => {
          store.set(id.toString('hex'), data);
          cb();
        });
        server.on('resumeSession', (id: Buffer, cb: (err: Error | null, data: Buffer | null) => void) => cb(null, store.get(id.toString('hex')) ?? null));
        const port = await listen(server);
        /** One echo round trip and a clean close; the 'session' events and isSessionReused(). */
        const memtls = async (session?: Buffer) => {
          const c = connect({ host: 'localhost', port, ca: pki.ca, ...(session ? { session } : {}) });
          const events: Buffer[] = [];
          c.on('session', (b: Buffer) => events.push(b));
          await connected(c);
          c.end('x');
          assert.equal((await collect(c)).toString(), 'x');
          await closed(c);
          return { events, reused: c.isSessionReused(), saved: c.getSession() };
        };
        const node = (session?: Buffer) =>
          new Promise<{ events: number; reused: boolean }>((resolve, reject) => {
            const c = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca, ...(session ? { session } : {}) });
            let events = 0;
            let reused = false;
            c.on('session', () => events++);
            c.on('secureConnect', () => {
              reused = c.isSessionReused();
              c.end('x');
            });
            c.on('data', () => undefined);
            c.on('error', reject);
            c.on('close', () => resolve({ events, reused }));
          });
        const first = await memtls();
        assert.equal(first.events.length, 1, 'a new session: one event');
        assert.ok(first.saved);
        const second = await memtls(first.saved);
        assert.equal(second.reused, true, noTicket ? 'by session ID' : 'by ticket');
        assert.equal(second.events.length, 0, 'a resumption is no new session');
        // Node's own client, for comparison, on the same server.
        let nodeSession: Buffer | undefined;
        await new Promise<void>((resolve, reject) => {
          const c = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca });
          c.on('session', (b: Buffer) => {
            nodeSession = b;
          });
          c.on('secureConnect', () => c.end('x'));
          c.on('data', () => undefined);
          c.on('error', reject);
          c.on('close', () => resolve());
        });
        assert.deepEqual(await node(nodeSession), { events: 0, reused: true });
      }
    });
  });

  describe('↔ Node https server', () => {
    it('https.request with createConnection: a GET over memtls', async () => {
      const pki = testPki();
      const server = trackServer(https.createServer({ key: pki.server.key, cert: pki.server.cert }, (req, res) => res.end(`hello ${req.url}`)));
      const port = await listen(server);
      const r = await httpsGet({ host: 'localhost', port, path: '/over-memtls', createConnection: () => connect({ host: 'localhost', port, ca: pki.ca }) });
      assert.equal(r.status, 200);
      assert.equal(r.body, 'hello /over-memtls');
    });

    it('MemtlsAgent: keep-alive reuses one connection; a new connection resumes the session', async () => {
      const pki = testPki();
      const sockets = new Set<unknown>();
      const server = trackServer(
        https.createServer({ key: pki.server.key, cert: pki.server.cert }, (req, res) => {
          sockets.add(req.socket);
          res.end(`n=${req.url}`);
        }),
      );
      const port = await listen(server);
      const agent = track(new MemtlsAgent({ keepAlive: true, maxSockets: 1, tls: { ca: pki.ca, ALPNProtocols: ['http/1.1'] } }), (a) => a.destroy());
      const a = await httpsGet({ host: 'localhost', port, path: '/1', agent });
      const b = await httpsGet({ host: 'localhost', port, path: '/2', agent });
      assert.deepEqual([a.body, b.body], ['n=/1', 'n=/2']);
      assert.equal(sockets.size, 1, 'both requests on one TLS connection');
      assert.equal(a.socket.alpnProtocol, 'http/1.1');
      // Close the pooled connection cleanly (close_notify both ways), then connect again: resumed.
      const closed = once(a.socket, 'close');
      a.socket.end();
      await closed;
      const c = await httpsGet({ host: 'localhost', port, path: '/3', agent });
      assert.equal(c.body, 'n=/3');
      assert.equal(c.socket.isSessionReused(), true);
    });
  });

  describe('↔ openssl s_server', () => {
    it('-rev: lines come back reversed; the server closes with close_notify', async () => {
      const pki = testPki();
      const { port } = await opensslServer(['-cert', pki.server.certPath, '-key', pki.server.keyPath, '-rev', '-alpn', 'h2,http/1.1']);
      const c = await connected(connect({ host: 'localhost', port, ca: pki.ca, ALPNProtocols: ['http/1.1'] }));
      assert.equal(c.alpnProtocol, 'http/1.1');
      assert.equal(c.getPeerCertificate()?.subject.CN, 'localhost');
      const all = collect(c);
      c.write('hello memtls\n');
      c.write('CLOSE\n');
      const text = (await all).toString();
      assert.match(text, /sltmem olleh/);
      await closed(c);
      assert.equal(c.getShutdown(), 3);
    });

    it('-www: an HTTP/1.0 request gets the status page', async () => {
      const pki = testPki();
      const { port } = await opensslServer(['-cert', pki.server.certPath, '-key', pki.server.keyPath, '-www']);
      const c = await connected(connect({ host: 'localhost', port, ca: pki.ca }));
      const page = collect(c);
      c.write('GET / HTTP/1.0\r\n\r\n');
      const text = (await page).toString();
      assert.match(text, /^HTTP\/1\.0 200 ok/);
      assert.match(text, /TLSv1\.3/);
    });
  });
});
