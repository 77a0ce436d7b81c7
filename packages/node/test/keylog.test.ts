/**
 * Node's `'keylog'` event on the memtls socket and server, with Node's arguments (a Buffer line ending in a
 * newline; the server adds the socket), checked against the lines Node's own `tls` logs for the same connection.
 */
import { strict as assert } from 'node:assert';
import tls from 'node:tls';
import { connect, createServer, type MemtlsSocket } from '@memtls/node';
import { cleanup, collect, listen, testPki, track, trackServer } from './helpers.js';

const LABELS = ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'EXPORTER_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_TRAFFIC_SECRET_0'];
const labels = (lines: string[]): string[] => lines.map((l) => l.split(' ')[0] as string).sort();

describe('@memtls/node key logging (the keylog event)', function () {
  this.timeout(30_000);
  afterEach(cleanup);

  it("a memtls client's lines are the ones Node's tls server logs for the same connection", async () => {
    const pki = testPki();
    const serverLines: string[] = [];
    const server = trackServer(tls.createServer({ key: pki.server.key, cert: pki.server.cert }, (s) => s.pipe(s)));
    server.on('keylog', (line: Buffer) => serverLines.push(line.toString('latin1')));
    const port = await listen(server);
    const clientLines: string[] = [];
    const c = track(connect({ host: 'localhost', port, ca: pki.ca }), (x) => {
      x.destroy();
    });
    c.on('keylog', (line: Buffer) => {
      assert.ok(Buffer.isBuffer(line));
      clientLines.push(line.toString('latin1'));
    });
    const echoed = collect(c);
    c.end('ping');
    assert.equal((await echoed).toString(), 'ping');
    assert.deepEqual(labels(clientLines), LABELS);
    for (const l of clientLines) assert.match(l, /^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]+\n$/);
    assert.deepEqual([...clientLines].sort(), [...serverLines].sort());
  });

  it("a memtls server emits (line, socket), matching Node's tls client lines", async () => {
    const pki = testPki();
    const serverLines: string[] = [];
    const sockets = new Set<MemtlsSocket>();
    const server = trackServer(createServer({ key: pki.server.key, cert: pki.server.cert }, (s) => s.pipe(s)));
    server.on('keylog', (line: Buffer, sock: MemtlsSocket) => {
      serverLines.push(line.toString('latin1'));
      sockets.add(sock);
    });
    const port = await listen(server);
    const clientLines: string[] = [];
    const c = track(tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca }), (x) => {
      x.destroy();
    });
    c.on('keylog', (line: Buffer) => clientLines.push(line.toString('latin1')));
    const echoed = collect(c);
    c.end('pong');
    assert.equal((await echoed).toString(), 'pong');
    assert.deepEqual(labels(serverLines), LABELS);
    assert.equal(sockets.size, 1);
    assert.deepEqual([...serverLines].sort(), [...clientLines].sort());
  });

  it('emits nothing to a socket nobody listens on, and keeps working', async () => {
    const pki = testPki();
    const server = trackServer(tls.createServer({ key: pki.server.key, cert: pki.server.cert }, (s) => s.pipe(s)));
    const port = await listen(server);
    const c = track(connect({ host: 'localhost', port, ca: pki.ca }), (x) => {
      x.destroy();
    });
    let emitted = 0;
    const emit = c.emit.bind(c);
    c.emit = ((event: string, ...args: unknown[]) => {
      if (event === 'keylog') emitted++;
      return emit(event, ...args);
    }) as typeof c.emit;
    const echoed = collect(c);
    c.end('quiet');
    assert.equal((await echoed).toString(), 'quiet');
    assert.equal(emitted, 0);
  });
});
