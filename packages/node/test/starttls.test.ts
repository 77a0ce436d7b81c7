/**
 * STARTTLS (examples/starttls) over real TCP on 127.0.0.1: the upgrade works, and plaintext sent past
 * the upgrade point is never taken as TLS-protected data (the CVE-2021-23222 class): appended to the
 * command in one write → refused; sent after "OK" → it reaches the TLS engine, which fails the handshake;
 * injected after the server's "OK" → the client refuses.
 */
import { strict as assert } from 'node:assert';
import net from 'node:net';
import { connectStartTls, StartTlsServer } from '@memtls/example-starttls';
import { secureUpgrade } from '@memtls/node';
import { cleanup, closed, listen, once, testPki, track, trackServer } from './helpers.js';

async function startServer(): Promise<{ server: StartTlsServer; port: number; lines: [string, boolean][] }> {
  const pki = testPki();
  const server = track(new StartTlsServer({ cert: pki.server.cert, key: pki.server.key }), (s) => s.close());
  const lines: [string, boolean][] = [];
  server.on('line', (l: string, secure: boolean) => lines.push([l, secure]));
  server.on('tlsError', () => undefined);
  return { server, port: await server.listen(), lines };
}

function rawClient(port: number): net.Socket {
  const s = net.connect(port, '127.0.0.1');
  s.on('error', () => undefined);
  return track(s, (x) => {
    x.destroy();
  });
}

function readAll(s: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    s.on('data', (d: Buffer) => {
      text += d.toString('latin1');
    });
    s.once('close', () => resolve(text));
  });
}

describe('STARTTLS (examples/starttls)', function () {
  this.timeout(20_000);
  afterEach(cleanup);

  it('upgrades a plaintext connection to TLS 1.3 on the same socket', async () => {
    const { server, port, lines } = await startServer();
    const secured = once(server, 'secure');
    const tls = track(await connectStartTls({ port, ca: testPki().ca, ping: true }), (s) => {
      s.destroy();
    });
    await secured;
    assert.equal(tls.getProtocol(), 'TLSv1.3');
    assert.equal(tls.authorized, true);
    const reply = once<Buffer>(tls, 'data');
    tls.write('over tls\n');
    assert.equal((await reply).toString(), 'secure: over tls\n');
    tls.end();
    await closed(tls);
    assert.deepEqual(lines, [
      ['PING', false],
      ['STARTTLS', false],
      ['over tls', true],
    ]);
  });

  it('refuses "STARTTLS\\nINJECTED" sent in one write: no OK, no TLS, INJECTED never processed', async () => {
    const { server, port, lines } = await startServer();
    let secured = false;
    server.on('secure', () => {
      secured = true;
    });
    const refused = once<string>(server, 'refused');
    const c = rawClient(port);
    const answer = readAll(c);
    c.write('STARTTLS\nINJECTED');
    assert.match(await refused, /8 bytes of plaintext after STARTTLS/);
    assert.equal(await answer, 'ERR plaintext after STARTTLS\n');
    assert.equal(secured, false);
    assert.deepEqual(lines, [['STARTTLS', false]], 'INJECTED was never parsed, in plaintext or as TLS data');
  });

  it('plaintext sent after OK goes to the TLS engine and fails the handshake; it never becomes data', async () => {
    const { server, port, lines } = await startServer();
    const tlsError = once<Error & { code?: string }>(server, 'tlsError');
    const c = rawClient(port);
    c.write('STARTTLS\n');
    await new Promise<void>((resolve) => c.once('data', () => resolve()));
    c.write('INJECTED\n');
    const err = await tlsError;
    assert.equal(err.code, 'ERR_MEMTLS_SSL');
    assert.deepEqual(lines, [['STARTTLS', false]]);
  });

  it('the client refuses a server reply with plaintext injected after OK', async () => {
    // A man in the middle answers "OK" and appends a forged line in the same segment.
    const evil = trackServer(
      net.createServer((s) => {
        s.on('error', () => undefined);
        s.once('data', () => s.write('OK\nforged: you are logged in\n'));
      }),
    );
    const port = await listen(evil);
    await assert.rejects(connectStartTls({ port, ca: testPki().ca }), (e: Error & { code?: string }) => e.code === 'ERR_MEMTLS_PLAINTEXT_AFTER_UPGRADE');
  });

  it('secureUpgrade refuses a stream that already holds unread bytes', async () => {
    const evil = trackServer(net.createServer((s) => s.end('early bytes')));
    const port = await listen(evil);
    const c = rawClient(port);
    c.pause();
    await once(c, 'readable');
    assert.throws(() => secureUpgrade(c, { servername: 'localhost', ca: testPki().ca }), (e: Error & { code?: string }) => e.code === 'ERR_MEMTLS_PLAINTEXT_AFTER_UPGRADE');
    assert.equal(c.destroyed, true);
  });
});
