/**
 * 0-RTT early data through @memtls/node (memtls's opt-in; Node's `tls` has none): `connect({ session, earlyData })`
 * and a server with `maxEarlyData`, whose sockets get the early data first on their readable side and tell it by
 * the server's `'earlyData'` event.
 */
import { strict as assert } from 'node:assert';
import { connect, createServer, type MemtlsSocket } from '@memtls/node';
import { cleanup, closed, collect, listen, once, testPki, track, trackServer } from './helpers.js';

describe('@memtls/node 0-RTT early data', function () {
  this.timeout(30_000);
  afterEach(cleanup);

  it('connect({ session, earlyData }) to a server with maxEarlyData: accepted, first on the readable side, told by earlyData', async () => {
    const pki = testPki();
    const early: Buffer[] = [];
    const server = trackServer(
      createServer({ cert: pki.server.cert, key: pki.server.key, maxEarlyData: 4096 }, (s) => {
        s.on('error', () => undefined);
        s.pipe(s);
      }),
    );
    server.on('earlyData', (chunk: Buffer, sock: MemtlsSocket) => {
      assert.ok(sock.ssl);
      early.push(chunk);
    });
    const port = await listen(server);
    const first = connect({ host: 'localhost', port, ca: pki.ca });
    track(first, (x) => {
      x.destroy();
    });
    const echo1 = collect(first);
    first.end('one');
    assert.equal((await echo1).toString(), 'one');
    await closed(first);
    const session = first.getSession();
    assert.ok(session);

    const second = connect({ host: 'localhost', port, ca: pki.ca, session, earlyData: Buffer.from('zero-rtt|') });
    track(second, (x) => {
      x.destroy();
    });
    const echo2 = collect(second);
    await once(second, 'secureConnect');
    assert.equal(second.ssl.getEarlyDataStatus(), 'accepted');
    assert.equal(second.isSessionReused(), true);
    second.end('one-rtt');
    assert.equal((await echo2).toString(), 'zero-rtt|one-rtt', 'the early data is echoed first');
    assert.equal(Buffer.concat(early).toString(), 'zero-rtt|');
  });

  it('a server without maxEarlyData: the early data is not sent (not_sent), the application writes it after the handshake', async () => {
    const pki = testPki();
    const server = trackServer(
      createServer({ cert: pki.server.cert, key: pki.server.key }, (s) => {
        s.on('error', () => undefined);
        s.pipe(s);
      }),
    );
    let told = 0;
    server.on('earlyData', () => told++);
    const port = await listen(server);
    const first = connect({ host: 'localhost', port, ca: pki.ca });
    track(first, (x) => {
      x.destroy();
    });
    const echo1 = collect(first);
    first.end('one');
    await echo1;
    await closed(first);
    const session = first.getSession();
    assert.ok(session);
    const second = connect({ host: 'localhost', port, ca: pki.ca, session, earlyData: Buffer.from('early') });
    track(second, (x) => {
      x.destroy();
    });
    const echo2 = collect(second);
    await once(second, 'secureConnect');
    assert.equal(second.ssl.getEarlyDataStatus(), 'not_sent');
    second.end('late');
    assert.equal((await echo2).toString(), 'late');
    assert.equal(told, 0);
    assert.throws(() => connect({ host: 'localhost', port, ca: pki.ca, session, earlyData: 'text' as unknown as Buffer }), TypeError);
  });
});
