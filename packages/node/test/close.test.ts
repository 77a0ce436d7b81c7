/**
 * Close semantics of MemtlsSocket against Node `tls` on 127.0.0.1: half-close in each direction with
 * `allowHalfOpen` true and false, and truncation (a transport EOF without close_notify) reported as an
 * 'error' with code ERR_MEMTLS_UNEXPECTED_EOF — during the handshake, after it, on either side.
 */
import { strict as assert } from 'node:assert';
import net from 'node:net';
import tls from 'node:tls';
import { connect, createServer, type MemtlsSocket } from '@memtls/node';
import { cleanup, closed, collect, listen, nextError, once, testPki, track, trackServer } from './helpers.js';

const SENT_AND_RECEIVED = 3;

function trackSock<T extends net.Socket | MemtlsSocket>(s: T): T {
  return track(s, (x) => {
    x.destroy();
  });
}

/** A Node tls server calling `onConn` for each secure connection; resolves with its port. */
async function nodeServer(opts: tls.TlsOptions, onConn: (s: tls.TLSSocket) => void): Promise<number> {
  const pki = testPki();
  const server = trackServer(tls.createServer({ key: pki.server.key, cert: pki.server.cert, ...opts }, onConn));
  return listen(server);
}

describe('@memtls/node close semantics', function () {
  this.timeout(30_000);
  afterEach(cleanup);

  describe('half-close', () => {
    it('client end() sends close_notify; the peer may still answer, then closes (allowHalfOpen on both)', async () => {
      const pki = testPki();
      const serverSaw: string[] = [];
      const port = await nodeServer({ allowHalfOpen: true }, (s) => {
        s.on('data', (d: Buffer) => serverSaw.push(d.toString()));
        // Our close_notify ends Node's readable side; it still writes, then ends (its close_notify).
        s.on('end', () => {
          serverSaw.push('<end>');
          s.end('late reply after your close_notify');
        });
      });
      const c = trackSock(connect({ host: 'localhost', port, ca: pki.ca, allowHalfOpen: true }));
      await once(c, 'secureConnect');
      const body = collect(c);
      const finished = once(c, 'finish');
      c.end('request');
      await finished;
      assert.equal(c.getShutdown() & 1, 1, 'SENT after end()');
      assert.equal((await body).toString(), 'late reply after your close_notify');
      await closed(c);
      assert.equal(c.getShutdown(), SENT_AND_RECEIVED);
      assert.deepEqual(serverSaw, ['request', '<end>']);
    });

    it('server allowHalfOpen: true: after the client’s close_notify the memtls server keeps writing', async () => {
      const pki = testPki();
      const server = trackServer(
        createServer({ cert: pki.server.cert, key: pki.server.key, allowHalfOpen: true }, (s) => {
          s.on('data', () => undefined);
          s.on('end', () => {
            s.write('still ');
            setTimeout(() => s.end('talking'), 20);
          });
        }),
      );
      const accepted = once<MemtlsSocket>(server, 'secureConnection');
      const port = await listen(server);
      const c = trackSock(tls.connect({ host: '127.0.0.1', port, ca: pki.ca, servername: 'localhost', allowHalfOpen: true } as tls.ConnectionOptions));
      await once(c, 'secureConnect');
      const body = collect(c);
      c.end('bye');
      assert.equal((await body).toString(), 'still talking');
      const s = await accepted;
      await closed(s);
      assert.equal(s.getShutdown(), SENT_AND_RECEIVED);
    });

    it('server allowHalfOpen: false (default): the client’s close_notify is answered at once', async () => {
      const pki = testPki();
      const server = trackServer(createServer({ cert: pki.server.cert, key: pki.server.key }, (s) => s.resume()));
      const accepted = once<MemtlsSocket>(server, 'secureConnection');
      const port = await listen(server);
      const c = trackSock(tls.connect({ host: '127.0.0.1', port, ca: pki.ca, servername: 'localhost', allowHalfOpen: true } as tls.ConnectionOptions));
      await once(c, 'secureConnect');
      const s = await accepted;
      const serverEnded = once(s, 'end');
      const body = collect(c);
      c.end();
      await serverEnded;
      assert.equal((await body).length, 0, "the client's readable side ends with our close_notify");
      await closed(s);
      assert.equal(s.getShutdown(), SENT_AND_RECEIVED);
    });

    it('client allowHalfOpen: false: the server’s close_notify ends the client, which answers with its own', async () => {
      const pki = testPki();
      let gotEnd: () => void = () => undefined;
      const serverGotCloseNotify = new Promise<void>((r) => {
        gotEnd = r;
      });
      const port = await nodeServer({ allowHalfOpen: true }, (s) => {
        s.on('end', gotEnd);
        s.resume();
        setImmediate(() => s.end('goodbye'));
      });
      const c = trackSock(connect({ host: 'localhost', port, ca: pki.ca }));
      assert.equal((await collect(c)).toString(), 'goodbye');
      await serverGotCloseNotify;
      await closed(c);
      assert.equal(c.getShutdown(), SENT_AND_RECEIVED);
    });
  });

  describe('truncation', () => {
    it('a server that drops the TCP connection after data, without close_notify → ERR_MEMTLS_UNEXPECTED_EOF', async () => {
      const pki = testPki();
      const server = trackServer(
        createServer({ cert: pki.server.cert, key: pki.server.key }, (s) => {
          // The client answers the truncation with a fatal decode_error alert, which this side then reads.
          s.on('error', () => undefined);
          s.write('partial data', () => {
            // Straight to the transport: FIN with no close_notify.
            s.transport.end();
          });
        }),
      );
      const port = await listen(server);
      const c = trackSock(connect({ host: 'localhost', port, ca: pki.ca }));
      const got: Buffer[] = [];
      c.on('data', (d: Buffer) => got.push(d));
      const err = await nextError(c);
      assert.equal(err.code, 'ERR_MEMTLS_UNEXPECTED_EOF');
      assert.equal(err.reason, 'unexpected eof while reading');
      assert.equal(Buffer.concat(got).toString(), 'partial data', 'data before the truncation is still delivered');
      assert.equal(c.getShutdown() & 2, 0, 'RECEIVED is not set by a truncation');
    });

    it('a Node tls peer destroyed without close_notify is detected by the memtls server', async () => {
      const pki = testPki();
      const server = trackServer(createServer({ cert: pki.server.cert, key: pki.server.key }, (s) => s.pipe(s)));
      const accepted = once<MemtlsSocket>(server, 'secureConnection');
      const port = await listen(server);
      const c = trackSock(tls.connect({ host: '127.0.0.1', port, ca: pki.ca, servername: 'localhost' }));
      await once(c, 'secureConnect');
      const s = await accepted;
      const err = nextError(s);
      // After the echo the client has read everything (tickets too), so destroy() closes with a FIN,
      // not an RST: a clean transport EOF that carries no close_notify.
      const echoed = once(c, 'data');
      c.write('x');
      await echoed;
      c.destroy();
      assert.equal((await err).code, 'ERR_MEMTLS_UNEXPECTED_EOF');
    });

    it('EOF in the middle of the handshake → ERR_MEMTLS_UNEXPECTED_EOF', async () => {
      const server = trackServer(net.createServer((s) => s.once('data', () => s.end())));
      const port = await listen(server);
      const c = trackSock(connect({ host: 'localhost', port, ca: testPki().ca }));
      const err = await nextError(c);
      assert.equal(err.code, 'ERR_MEMTLS_UNEXPECTED_EOF');
      assert.match(err.message, /during the handshake/);
    });

    it('ignoreUnexpectedEof: true turns the same truncation into a clean end', async () => {
      const pki = testPki();
      const server = trackServer(
        createServer({ cert: pki.server.cert, key: pki.server.key }, (s) => {
          s.on('error', () => undefined);
          s.write('partial data', () => s.transport.end());
        }),
      );
      const port = await listen(server);
      const c = trackSock(connect({ host: 'localhost', port, ca: pki.ca, ignoreUnexpectedEof: true }));
      c.on('error', (e) => assert.fail(e));
      assert.equal((await collect(c)).toString(), 'partial data');
    });
  });
});
