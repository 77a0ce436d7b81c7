/**
 * The built `memtls` CLI (spawned with node) against OpenSSL 3 on 127.0.0.1, in both roles:
 * s_client ↔ `openssl s_server -rev / -www`, -alpn, -sess_out/-sess_in resumption (`Reused`), -msg and
 * -state traces, verification failures; s_server ↔ `openssl s_client` and curl; exit codes 0/1/2.
 * Every process is killed in afterEach and has a hard deadline.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Helpers from '../../node/test/helpers.js';

// The PKI and process helpers are shared with @memtls/node's tests. Types come from that project's
// source (a type-only import, erased at runtime); the code from its build output, located from here
// (this file runs from test/dist/, so no single relative specifier fits both tsc and node).
const { Child, cleanup, opensslServer, testPki, track }: typeof Helpers = await import(new URL('../../../node/test/dist/helpers.js', import.meta.url).href);
type Child = Helpers.Child;

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'main.js');

function memtls(args: string[]): Child {
  return new Child(process.execPath, [CLI, ...args], { timeoutMs: 20_000 });
}

/** Start `memtls s_server` on an ephemeral port; resolves once it prints ACCEPT. */
async function memtlsServer(args: string[]): Promise<{ child: Child; port: number }> {
  const child = memtls(['s_server', '-accept', '127.0.0.1:0', ...args]);
  const m = await child.waitFor(/ACCEPT 127\.0\.0\.1:(\d+)/);
  return { child, port: Number(m[1]) };
}

const tmpFile = (name: string): string => join(tmpdir(), `memtls-cli-${process.pid}-${name}-${Math.random().toString(36).slice(2)}`);

describe('memtls CLI', function () {
  this.timeout(30_000);
  afterEach(cleanup);
  after(() => {
    // Session files hold resumption PSKs: no test may leave one in the temp directory.
    const left = readdirSync(tmpdir()).filter((n) => n.startsWith(`memtls-cli-${process.pid}-`));
    assert.deepEqual(left, [], 'session files left behind');
  });

  describe('usage', () => {
    it('--help exits 0; no command, unknown flags and bad values exit 2', async () => {
      const help = memtls(['--help']);
      assert.equal(await help.exited, 0);
      assert.match(help.stdout, /s_client/);
      const clientHelp = memtls(['s_client', '-help']);
      assert.equal(await clientHelp.exited, 0);
      assert.match(clientHelp.stdout, /--sess_out/);
      for (const args of [[], ['s_client', '-bogus'], ['s_client', '-connect', 'no-port'], ['s_server', '-accept', '127.0.0.1:0'], ['s_client', '-connect', '127.0.0.1:1', '-groups', 'nope']]) {
        const c = memtls(args);
        assert.equal(await c.exited, 2, `${args.join(' ')}: ${c.stderr}`);
      }
    });
  });

  describe('s_client → openssl s_server', () => {
    it('-rev with -alpn, -msg and -state: reversed line on stdout, handshake and every shutdown step traced, exit 0', async () => {
      const pki = testPki();
      const { port } = await opensslServer(['-cert', pki.server.certPath, '-key', pki.server.keyPath, '-rev', '-alpn', 'h2,http/1.1']);
      const c = memtls(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caPath, '-alpn', 'http/1.1', '-msg', '-state']);
      c.write('hello memtls\n');
      await c.waitFor(/sltmem olleh\n/);
      c.endInput();
      assert.equal(await c.exited, 0, c.stderr);
      // stdout: the report, as openssl prints it, then the peer's data; stderr: the trace.
      assert.match(c.stdout, /---\nsltmem olleh\n$/);
      assert.match(c.stdout, /ALPN protocol: http\/1\.1/);
      assert.match(c.stdout, /New, TLSv1\.3, Cipher is TLS_/);
      assert.match(c.stdout, /Verification: OK/);
      const t = c.stderr;
      assert.match(t, />>> TLS 1\.3, Handshake \[length [0-9a-f]{4}\], ClientHello/);
      assert.match(t, /<<< TLS 1\.3, Handshake \[length [0-9a-f]{4}\], ServerHello/);
      assert.match(t, /HANDSHAKE: SSL_do_handshake -> -1 SSL_ERROR_WANT_READ \[0\]/);
      assert.match(t, /HANDSHAKE: SSL_do_handshake -> 1 SSL_ERROR_NONE \[0\]/);
      assert.match(t, /STATE: SSL_write -> 13 SSL_ERROR_NONE/);
      // The bidirectional shutdown, step by step, with OpenSSL's return values and flags.
      const steps = t.split('\n').filter((l: string) => /^SHUTDOWN: SSL_/.test(l));
      assert.deepEqual(steps, [
        'SHUTDOWN: SSL_shutdown -> 0 SSL_ERROR_SYSCALL [SENT]',
        'SHUTDOWN: SSL_read -> 0 SSL_ERROR_ZERO_RETURN [SENT|RECEIVED] (peer close_notify)',
        'SHUTDOWN: SSL_shutdown -> 1 SSL_ERROR_NONE [SENT|RECEIVED]',
      ]);
      assert.match(t, /DONE: closed cleanly \[SENT\|RECEIVED\]/);
    });

    it('-www: GET gets the status page; the server closes, we answer, exit 0', async () => {
      const pki = testPki();
      const { port } = await opensslServer(['-cert', pki.server.certPath, '-key', pki.server.keyPath, '-www']);
      const c = memtls(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caPath, '-quiet']);
      c.write('GET / HTTP/1.0\r\n\r\n');
      assert.equal(await c.exited, 0, c.stderr);
      assert.match(c.stdout, /^HTTP\/1\.0 200 ok/);
      assert.match(c.stdout, /TLSv1\.3/);
      assert.equal(c.stderr, '', '-quiet prints nothing on stderr');
    });

    it('-sess_out then -sess_in: the second connection is Reused', async () => {
      const pki = testPki();
      const { port } = await opensslServer(['-cert', pki.server.certPath, '-key', pki.server.keyPath, '-rev']);
      const sess = tmpFile('sess');
      track(sess, (f) => rmSync(f, { force: true }));
      const base = ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caPath];
      const first = memtls([...base, '-sess_out', sess]);
      first.write('one\n');
      await first.waitFor(/eno\n/);
      first.endInput();
      assert.equal(await first.exited, 0, first.stderr);
      assert.match(first.stdout, /New, TLSv1\.3/);
      assert.match(readFileSync(sess, 'utf8'), /-----BEGIN MEMTLS SESSION-----/);

      const second = memtls([...base, '-sess_in', sess]);
      second.write('two\n');
      await second.waitFor(/owt\n/);
      second.endInput();
      assert.equal(await second.exited, 0, second.stderr);
      assert.match(second.stdout, /Reused, TLSv1\.3, Cipher is TLS_/);
    });

    it('an untrusted server: reported and continued by default; -verify_return_error fails with exit 1', async () => {
      const pki = testPki();
      const { port } = await opensslServer(['-cert', pki.rogueServer.certPath, '-key', pki.rogueServer.keyPath, '-rev']);
      const base = ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caPath];
      const lenient = memtls(base);
      lenient.write('x\n');
      await lenient.waitFor(/---\nx\n/);
      lenient.endInput();
      assert.equal(await lenient.exited, 0, lenient.stderr);
      assert.match(lenient.stdout, /Verification error: unable to get local issuer certificate/);
      assert.match(lenient.stdout, /Verify return code: 20 \(unable to get local issuer certificate\)/);

      const strict = memtls([...base, '-verify_return_error']);
      assert.equal(await strict.exited, 1);
      assert.match(strict.stderr, /ERROR: ERR_MEMTLS_SSL: .*certificate verify failed/);
    });

    it('a server that truncates (no close_notify) → exit 1 with ERR_MEMTLS_UNEXPECTED_EOF', async () => {
      const pki = testPki();
      // Kill the server: its kernel closes the TCP connection with no close_notify. One echo first, so
      // the server has read everything we sent: then the close is a FIN (unread bytes would make it an
      // RST, which surfaces as the transport's own ECONNRESET).
      const { child, port } = await opensslServer(['-cert', pki.server.certPath, '-key', pki.server.keyPath, '-rev']);
      const c = memtls(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caPath]);
      c.write('ping\n');
      await c.waitFor(/gnip\n/);
      await child.kill();
      assert.equal(await c.exited, 1);
      assert.match(c.stderr, /ERR_MEMTLS_UNEXPECTED_EOF/);
      assert.match(c.stderr, /SHUTDOWN: SSL_read -> 0 SSL_ERROR_SSL \[0\] \(unexpected eof while reading\)/);
    });
  });

  describe('s_server ← openssl s_client and curl', () => {
    it('-rev: openssl s_client gets the reversed line; close_notify both ways; exit 0 after -naccept 1', async () => {
      const pki = testPki();
      const { child: server, port } = await memtlsServer(['-cert', pki.server.certPath, '-key', pki.server.keyPath, '-rev', '-alpn', 'http/1.1', '-naccept', '1', '-state']);
      const client = new Child('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caPath, '-alpn', 'http/1.1', '-quiet', '-no_ign_eof']);
      client.write('hello server\n');
      await client.waitFor(/revres olleh\n/);
      client.endInput();
      await client.exited;
      assert.equal(await server.exited, 0, server.stderr);
      const t = server.stderr;
      assert.match(t, /ALPN protocol: http\/1\.1/);
      assert.match(t, /Server name: localhost/);
      assert.match(t, /SHUTDOWN: SSL_read -> 0 SSL_ERROR_ZERO_RETURN \[RECEIVED\] \(peer close_notify\)/);
      assert.match(t, /SHUTDOWN: SSL_shutdown -> 1 SSL_ERROR_NONE \[SENT\|RECEIVED\]/);
      assert.match(t, /CONNECTION CLOSED/);
    });

    it('-www: curl gets the status page (ALPN http/1.1, SNI); exit 0', async () => {
      const pki = testPki();
      const { child: server, port } = await memtlsServer(['-cert', pki.server.certPath, '-key', pki.server.keyPath, '-www', '-alpn', 'http/1.1', '-naccept', '1']);
      const curl = new Child('curl', ['-sS', '--cacert', pki.caPath, '--resolve', `localhost:${port}:127.0.0.1`, `https://localhost:${port}/status`]);
      assert.equal(await curl.exited, 0, curl.stderr);
      assert.match(curl.stdout, /memtls s_server -www/);
      assert.match(curl.stdout, /ALPN protocol: http\/1\.1/);
      assert.match(curl.stdout, /Server name \(SNI\): localhost/);
      assert.match(curl.stdout, /Request: GET \/status HTTP\/1\.1/);
      assert.equal(await server.exited, 0, server.stderr);
    });

    it('-groups X25519MLKEM768 on both: the hybrid post-quantum group, reported as OpenSSL 3.5 does', async () => {
      const pki = testPki();
      const { child: server, port } = await memtlsServer(['-cert', pki.server.certPath, '-key', pki.server.keyPath, '-groups', 'X25519MLKEM768:x25519', '-rev']);
      const c = memtls(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caPath, '-groups', 'x25519:X25519MLKEM768', '-brief']);
      c.write('kem\n');
      await c.waitFor(/mek\n/);
      // (The processes are ended by cleanup: how s_server -rev closes is not this test's subject.)
      // The server prefers the hybrid group: the client's x25519-only first share gets a HelloRetryRequest.
      assert.match(c.stderr, /Protocol version: TLSv1\.3\n[\s\S]*Negotiated TLS1\.3 group: X25519MLKEM768\n/);
      assert.doesNotMatch(c.stderr, /Server Temp Key/);
      assert.equal(server.proc.exitCode, null, server.stderr);
    });

    it('-early_data FILE with -sess_in → memtls s_server -early_data: accepted, printed as OpenSSL prints it; openssl s_client sees Max Early Data 16384', async () => {
      const pki = testPki();
      const { child: server, port } = await memtlsServer(['-cert', pki.server.certPath, '-key', pki.server.keyPath, '-early_data', '-naccept', '3']);
      const sess = tmpFile('sess-early');
      const early = tmpFile('early');
      track(sess, (f) => rmSync(f, { force: true }));
      track(early, (f) => rmSync(f, { force: true }));
      writeFileSync(early, 'zero-rtt-line\n');
      const base = ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caPath];
      const first = memtls([...base, '-sess_out', sess]);
      first.write('first-line\n');
      await server.waitFor(/first-line/);
      first.endInput();
      assert.equal(await first.exited, 0, first.stderr);
      assert.match(first.stdout, /Early data was not sent/);
      const second = memtls([...base, '-sess_in', sess, '-early_data', early]);
      await server.waitFor(/End of early data/);
      second.write('second-line\n');
      await server.waitFor(/second-line/);
      second.endInput();
      assert.equal(await second.exited, 0, second.stderr);
      assert.match(second.stdout, /Reused, TLSv1\.3/);
      assert.match(second.stdout, /Early data was accepted/);
      assert.match(server.stdout, /No early data received\nfirst-line\nEarly data received:\nzero-rtt-line\n\nEnd of early data\nsecond-line\n/);
      // openssl s_client's tickets from this server allow 16384 bytes of early data, as from openssl s_server -early_data.
      const ossl = new Child('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caPath, '-tls1_3']);
      ossl.write('third-line\n');
      await server.waitFor(/third-line/);
      ossl.endInput();
      await ossl.exited;
      assert.match(ossl.stdout, /Max Early Data: 16384/);
      assert.equal(await server.exited, 0, server.stderr);
    });

    it('-sess_out/-sess_in between memtls s_client and memtls s_server; -Verify requires a client certificate', async () => {
      const pki = testPki();
      const { child: server, port } = await memtlsServer(['-cert', pki.server.certPath, '-key', pki.server.keyPath, '-CAfile', pki.caPath, '-Verify', '1', '-rev', '-naccept', '3']);
      const sess = tmpFile('sess2');
      track(sess, (f) => rmSync(f, { force: true }));
      const base = ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caPath, '-cert', pki.client.certPath, '-key', pki.client.keyPath];
      const first = memtls([...base, '-sess_out', sess]);
      first.write('abc\n');
      await first.waitFor(/cba\n/);
      first.endInput();
      assert.equal(await first.exited, 0, first.stderr);
      const second = memtls([...base, '-sess_in', sess]);
      second.write('abc\n');
      await second.waitFor(/cba\n/);
      second.endInput();
      assert.equal(await second.exited, 0, second.stderr);
      assert.match(second.stdout, /Reused, TLSv1\.3/);
      // Without a client certificate the handshake fails on both sides.
      const bare = memtls(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caPath]);
      assert.equal(await bare.exited, 1);
      assert.equal(await server.exited, 1, 'a failed connection makes the server exit 1');
      assert.match(server.stderr, /Client certificate chain\n 0 s:CN = memtls-client/);
      assert.match(server.stderr, /Client certificate chain\n 0 s:CN = memtls-client[\s\S]*?Verification: OK\nVerify return code: 0 \(ok\)/);
      assert.match(server.stderr, /peer did not return a certificate/);
    });
  });
});
