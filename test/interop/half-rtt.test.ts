/**
 * 0.5-RTT interop (RFC 8446 §2.3, §4.2.10): a libssl server writes application data after its Finished and before
 * the client's (SSL_write_early_data on a server), which `openssl s_server` cannot do, so test/interop/
 * half_rtt_server.c is compiled here against the system libssl. The memtls client must take that data as ordinary
 * application data once its handshake completes (it is sent under the server's application traffic key), with or
 * without 0-RTT data of its own, and before the server's later writes.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CoreApi, loadCore, type Ssl, type SslContext } from './api.js';
import { text, utf8 } from './payload.js';
import { cleanupPeers, connectTcp, OpenSslProcess } from './peers.js';
import { getPki, type Pki } from './pki.js';
import { endTransport, handshake, pumpFor, readExactly, readUntilZeroReturn, shutdownLoop, writeAll } from './pump.js';

const srcDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'interop');

describe('interop: 0.5-RTT data from a libssl server (SSL_write_early_data) to a memtls client', function () {
  this.timeout(40_000);
  let core: CoreApi;
  let pki: Pki;
  let dir: string;
  let program: string;
  before(async () => {
    core = await loadCore();
    pki = await getPki();
    dir = mkdtempSync(join(tmpdir(), 'memtls-interop-half-rtt-'));
    program = join(dir, 'half_rtt_server');
    execFileSync('cc', ['-O1', '-o', program, join(srcDir, 'half_rtt_server.c'), '-lssl', '-lcrypto'], { stdio: ['ignore', 'pipe', 'pipe'] });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => cleanupPeers());

  async function startServer(naccept: number): Promise<{ server: OpenSslProcess; port: number }> {
    const cred = pki.servers['ec-p256'];
    const server = new OpenSslProcess([cred.certPath, cred.keyPath, String(naccept)], { program });
    await server.waitForOutput(/port \d+\n/, 'stdout');
    const port = Number(/port (\d+)/.exec(server.stdout())?.[1]);
    return { server, port };
  }

  /** One connection: [0-RTT], handshake, read the 0.5-RTT line and the one written after the handshake, answer, close. */
  async function connect(ssl: Ssl, port: number, k: number, early: string | null): Promise<string> {
    const sock = await connectTcp(port);
    if (early !== null) {
      const p = pumpFor(ssl, sock);
      const { ret, err } = await p.drive('writeEarlyData', () => ssl.writeEarlyData(utf8(early)));
      if (ret !== early.length) throw p.failure('writeEarlyData', ret, err);
    }
    await handshake(ssl, sock);
    const expected = `half-rtt ${k}\nafter ${k}\n`;
    const got = text(await readExactly(ssl, sock, expected.length));
    await writeAll(ssl, sock, utf8(`line ${k}\n`));
    assert.equal(text(await readUntilZeroReturn(ssl, sock)), '');
    assert.equal(await shutdownLoop(ssl, sock), 1);
    await endTransport(ssl, sock);
    return got;
  }

  it('full handshake: the 0.5-RTT bytes are read first, then the bytes written after the handshake', async () => {
    const { server, port } = await startServer(1);
    const ctx: SslContext = new core.SslContext({ role: 'client', ca: pki.caPem });
    const ssl = new core.Ssl(ctx, { serverName: 'localhost' });
    assert.equal(await connect(ssl, port, 1, null), 'half-rtt 1\nafter 1\n');
    assert.equal(await server.exited(), 0, server.describe());
    assert.match(server.stdout(), /read line 1\n/);
  });

  it('resumed with accepted 0-RTT: early data one way, 0.5-RTT data the other, both delivered in order', async () => {
    const { server, port } = await startServer(2);
    const ctx: SslContext = new core.SslContext({ role: 'client', ca: pki.caPem });
    const first = new core.Ssl(ctx, { serverName: 'localhost' });
    assert.equal(await connect(first, port, 1, null), 'half-rtt 1\nafter 1\n');
    const session = first.getSession();
    assert.ok(session && session.maxEarlyData > 0, 'the ticket allows early data');
    const second = new core.Ssl(ctx, { serverName: 'localhost', session });
    assert.equal(await connect(second, port, 2, 'zero-rtt'), 'half-rtt 2\nafter 2\n');
    assert.equal(second.getEarlyDataStatus(), 'accepted');
    assert.equal(second.sessionReused(), true);
    assert.equal(await server.exited(), 0, server.describe());
    assert.match(server.stdout(), /early zero-rtt\n/);
    assert.match(server.stdout(), /read line 2\nstatus accepted reused 1\n/);
  });
});
