/**
 * TLS 1.3 0-RTT early data interop over 127.0.0.1 (RFC 8446 §4.2.10), accepted and rejected, both ways:
 * `openssl s_client -sess_in -early_data FILE` → memtls server (readEarlyData), and memtls client (writeEarlyData)
 * → `openssl s_server -early_data` (stdio mode, its stdout line-buffered: "Early data received:" ... "End of early
 * data"). A restarted server (a new context, a new s_server process) no longer knows the session: OpenSSL's tickets
 * are stateful when early data is on, memtls's too, so the early data is rejected and the handshake is a full one.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CoreApi, loadCore, type Ssl, type SslContext } from './api.js';
import { text, utf8 } from './payload.js';
import { acceptOne, cleanupPeers, connectTcp, OpenSslProcess, startOpenSslServer } from './peers.js';
import { getPki, type Pki } from './pki.js';
import { endTransport, handshake, pumpFor, readUntilZeroReturn, shutdownLoop, writeAll } from './pump.js';

describe('interop: TLS 1.3 0-RTT early data', function () {
  this.timeout(40_000);
  let core: CoreApi;
  let pki: Pki;
  let dir: string;
  before(async () => {
    core = await loadCore();
    pki = await getPki();
    dir = mkdtempSync(join(tmpdir(), 'memtls-interop-early-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => cleanupPeers());

  const serverCtx = (): SslContext => {
    const cred = pki.servers['ec-p256'];
    return new core.SslContext({ role: 'server', cert: cred.certPem, key: cred.keyPem, maxEarlyData: 16384 });
  };

  describe('openssl s_client -sess_in -early_data FILE → memtls server', () => {
    /** One s_client run against `ctx`; memtls reads early data first (readEarlyData until 0), then the handshake. */
    async function run(ctx: SslContext, args: string[]): Promise<{ ssl: Ssl; early: string; out: string }> {
      const { port, accepted } = await acceptOne();
      const client = new OpenSslProcess([
        's_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-servername', 'localhost', '-CAfile', pki.caPath,
        '-verify_return_error', '-verify_hostname', 'localhost', '-nocommands', ...args,
      ]);
      const sock = await accepted;
      const ssl = new core.Ssl(ctx);
      const p = pumpFor(ssl, sock);
      let early = '';
      try {
        const buf = new Uint8Array(4096);
        for (;;) {
          const { ret, err } = await p.drive('readEarlyData', () => ssl.readEarlyData(buf));
          if (ret > 0) early += text(buf.subarray(0, ret));
          else if (ret === 0) break;
          else throw p.failure('readEarlyData', ret, err);
        }
        await handshake(ssl, sock);
        await writeAll(ssl, sock, utf8('early data test line\n'));
        await client.waitForOutput(/early data test line/, 'stdout');
        client.endInput();
        await readUntilZeroReturn(ssl, sock);
        assert.equal(await shutdownLoop(ssl, sock), 1);
      } catch (e) {
        throw new Error(`${(e as Error).message}\n${client.describe()}`);
      }
      await endTransport(ssl, sock);
      assert.equal(await client.exited(), 0, client.describe());
      return { ssl, early, out: client.stdout() };
    }

    it('accepted: readEarlyData returns the file, s_client says "Early data was accepted"; a restarted server rejects it ("Early data was rejected")', async () => {
      const ctx = serverCtx();
      const sess = join(dir, 'openssl-client.sess.pem');
      const first = await run(ctx, ['-sess_out', sess]);
      assert.match(first.out, /Max Early Data: 16384/);
      const file = join(dir, 'early.txt');
      writeFileSync(file, 'GET /zero-rtt HTTP/1.0\r\n\r\n');
      const second = await run(ctx, ['-sess_in', sess, '-early_data', file]);
      assert.equal(second.early, 'GET /zero-rtt HTTP/1.0\r\n\r\n');
      assert.equal(second.ssl.getEarlyDataStatus(), 'accepted');
      assert.equal(second.ssl.sessionReused(), true);
      assert.match(second.out, /Reused, TLSv1\.3/);
      assert.match(second.out, /Early data was accepted/);
      // The ticket was single-use: the same session again is a full handshake, its early data rejected.
      const replay = await run(ctx, ['-sess_in', sess, '-early_data', file]);
      assert.equal(replay.early, '');
      assert.equal(replay.ssl.getEarlyDataStatus(), 'rejected');
      assert.match(replay.out, /Early data was rejected/);
      // A restarted server (another context): rejected too, the handshake completes.
      const restarted = await run(serverCtx(), ['-sess_in', sess, '-early_data', file]);
      assert.equal(restarted.early, '');
      assert.equal(restarted.ssl.getEarlyDataStatus(), 'rejected');
      assert.equal(restarted.ssl.sessionReused(), false);
      assert.match(restarted.out, /New, TLSv1\.3/);
      assert.match(restarted.out, /Early data was rejected/);
    });
  });

  describe('memtls client writeEarlyData → openssl s_server -early_data', () => {
    const clientCtx = (): SslContext => new core.SslContext({ role: 'client', ca: pki.caPem });

    async function connect(port: number, ssl: Ssl, early: string | null, line: string, server: OpenSslProcess): Promise<void> {
      const sock = await connectTcp(port);
      const p = pumpFor(ssl, sock);
      if (early !== null) {
        const { ret, err } = await p.drive('writeEarlyData', () => ssl.writeEarlyData(utf8(early)));
        if (ret !== early.length) throw p.failure('writeEarlyData', ret, err);
      }
      await handshake(ssl, sock);
      await writeAll(ssl, sock, utf8(`${line}\n`));
      await server.waitForOutput(new RegExp(line), 'stdout');
      assert.equal(await shutdownLoop(ssl, sock), 1);
      await endTransport(ssl, sock);
    }

    it('accepted: s_server prints the early data; the client reports accepted. A restarted s_server rejects it; the handshake completes', async () => {
      const cred = pki.servers['ec-p256'];
      const server = await startOpenSslServer({ cert: cred.certPath, key: cred.keyPath, naccept: 2, mode: 'stdio', extraArgs: ['-early_data'] });
      const ctx = clientCtx();
      const first = new core.Ssl(ctx, { serverName: 'localhost' });
      await connect(server.port, first, null, 'first-line', server);
      const session = first.getSession();
      assert.ok(session && session.maxEarlyData > 0);
      const second = new core.Ssl(ctx, { serverName: 'localhost', session: core.SslSession.fromBytes(session.toBytes()) });
      await connect(server.port, second, 'zero-rtt-bytes', 'second-line', server);
      assert.equal(second.getEarlyDataStatus(), 'accepted');
      assert.equal(second.sessionReused(), true);
      assert.equal(await server.exited(), 0, server.describe());
      // s_server writes the data itself unbuffered and its lines through a buffered BIO: the order may mix.
      const out = server.stdout();
      assert.match(out, /Early data received:/);
      assert.match(out, /zero-rtt-bytes/);
      assert.match(out, /End of early data/);

      // A restarted s_server: its stateful tickets are gone, the early data is rejected and skipped.
      const restarted = await startOpenSslServer({ cert: cred.certPath, key: cred.keyPath, naccept: 1, mode: 'stdio', extraArgs: ['-early_data'] });
      const third = new core.Ssl(ctx, { serverName: 'localhost', session });
      await connect(restarted.port, third, 'lost-bytes', 'third-line', restarted);
      assert.equal(third.getEarlyDataStatus(), 'rejected');
      assert.equal(third.sessionReused(), false);
      assert.match(restarted.stdout(), /Early data was rejected/);
      assert.doesNotMatch(restarted.stdout(), /lost-bytes/);
      assert.equal(await restarted.exited(), 0, restarted.describe());
    });
  });
});
