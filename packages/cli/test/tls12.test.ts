/**
 * The CLI's version and TLS 1.2 suite flags, as OpenSSL's: `-tls1_2`, `-tls1_3`, `-no_tls1_3`, `-no_tls1_2`,
 * `-cipher <OpenSSL names>` (TLS 1.2) beside `-ciphersuites` (TLS 1.3), each list configuring only its own version.
 * s_client against `openssl s_server -tls1_2`, s_server with `openssl s_client -tls1_2`; usage errors exit 2.
 * Everything on 127.0.0.1; every process has a deadline and is killed in afterEach.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Helpers from '../../node/test/helpers.js';

const { Child, cleanup, opensslServer, testPki }: typeof Helpers = await import(new URL('../../../node/test/dist/helpers.js', import.meta.url).href);
type Child = Helpers.Child;

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'main.js');
const memtls = (args: string[]): Child => new Child(process.execPath, [CLI, ...args], { timeoutMs: 20_000 });

async function memtlsServer(args: string[]): Promise<{ child: Child; port: number }> {
  const child = memtls(['s_server', '-accept', '127.0.0.1:0', ...args]);
  const m = await child.waitFor(/ACCEPT 127\.0\.0\.1:(\d+)/);
  return { child, port: Number(m[1]) };
}

/** An RSA leaf for localhost signed by the test root (for the ECDHE_RSA suites). */
let rsa: { certPath: string; keyPath: string } | undefined;
function rsaLeaf(): { certPath: string; keyPath: string } {
  if (rsa) return rsa;
  const { dir } = testPki();
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  run(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'cli-rsa.key']);
  run(['req', '-new', '-key', 'cli-rsa.key', '-subj', '/CN=localhost', '-out', 'cli-rsa.csr']);
  run(['x509', '-req', '-in', 'cli-rsa.csr', '-CA', 'memtls-node-test-root.pem', '-CAkey', 'memtls-node-test-root.key', '-CAcreateserial', '-days', '30', '-extfile', 'localhost.ext', '-out', 'cli-rsa.pem']);
  rsa = { certPath: join(dir, 'cli-rsa.pem'), keyPath: join(dir, 'cli-rsa.key') };
  return rsa;
}

const CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-RSA-CHACHA20-POLY1305',
];
const credFor = (cipher: string) => (cipher.includes('-RSA-') ? rsaLeaf() : testPki().server);

describe('memtls CLI: TLS 1.2 flags', function () {
  this.timeout(30_000);
  afterEach(cleanup);

  it('usage: version flags that leave no version, or an unknown -cipher name, exit 2', async () => {
    for (const args of [['-tls1_2', '-tls1_3'], ['-no_tls1_2', '-no_tls1_3'], ['-tls1_2', '-no_tls1_2'], ['-cipher', 'ECDHE-RSA-DES-CBC3-SHA'], ['-cipher', 'TLS_AES_128_GCM_SHA256'], ['-ciphersuites', 'ECDHE-RSA-AES128-GCM-SHA256']]) {
      const c = memtls(['s_client', '-connect', '127.0.0.1:9', ...args]);
      assert.equal(await c.exited, 2, `${args.join(' ')}: ${c.stderr}`);
    }
    const help = memtls(['s_client', '-help']);
    assert.equal(await help.exited, 0);
    assert.match(help.stdout, /--tls1_2 +TLS 1\.2 only/);
    assert.match(help.stdout, /--no_tls1_3/);
    assert.match(help.stdout, /--cipher <list> +TLS 1\.2 suites/);
  });

  for (const cipher of CIPHERS) {
    it(`s_client -tls1_2 -cipher ${cipher} → openssl s_server -tls1_2 -rev: the report names TLSv1.2 and the suite; exit 0`, async () => {
      const pki = testPki();
      const cred = credFor(cipher);
      const { port } = await opensslServer(['-tls1_2', '-cert', cred.certPath, '-key', cred.keyPath, '-rev']);
      const c = memtls(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caPath, '-tls1_2', '-cipher', cipher]);
      c.write('hello tls12\n');
      await c.waitFor(/21slt olleh\n/);
      c.endInput();
      assert.equal(await c.exited, 0, c.stderr);
      assert.match(c.stdout, new RegExp(`New, TLSv1\\.2, Cipher is ${cipher}\\n`));
      assert.match(c.stdout, /Protocol {2}: TLSv1\.2\n/);
      assert.match(c.stdout, /Secure Renegotiation IS supported\n/);
    });
  }

  it('-msg: lines carry the highest enabled version until the ServerHello, then the negotiated one (as openssl -msg)', async () => {
    const pki = testPki();
    const { port } = await opensslServer(['-tls1_2', '-cert', pki.server.certPath, '-key', pki.server.keyPath, '-www']);
    const c = memtls(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caPath, '-msg']);
    c.write('GET / HTTP/1.0\r\n\r\n');
    assert.equal(await c.exited, 0, c.stderr);
    assert.match(c.stderr, />>> TLS 1\.3, Handshake \[length [0-9a-f]{4}\], ClientHello/);
    assert.match(c.stderr, /<<< TLS 1\.2, Handshake \[length [0-9a-f]{4}\], ServerHello/);
    assert.match(c.stderr, /<<< TLS 1\.2, Handshake \[length [0-9a-f]{4}\], ServerKeyExchange/);
    assert.doesNotMatch(c.stderr, /<<< TLS 1\.3/);
    const d = memtls(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caPath, '-msg', '-tls1_2']);
    d.write('GET / HTTP/1.0\r\n\r\n');
    await d.exited;
    assert.match(d.stderr, />>> TLS 1\.2, Handshake \[length [0-9a-f]{4}\], ClientHello/);
  });

  it('-no_tls1_3 against a default openssl s_server negotiates TLS 1.2; -ciphersuites alone leaves the TLS 1.2 suites on', async () => {
    const pki = testPki();
    const { port } = await opensslServer(['-cert', pki.server.certPath, '-key', pki.server.keyPath, '-www', '-naccept', '2']);
    const a = memtls(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caPath, '-no_tls1_3', '-brief']);
    a.write('GET / HTTP/1.0\r\n\r\n');
    assert.equal(await a.exited, 0, a.stderr);
    assert.match(a.stderr, /Protocol version: TLSv1\.2\nCiphersuite: ECDHE-ECDSA-/);
    const { port: port12 } = await opensslServer(['-tls1_2', '-cert', pki.server.certPath, '-key', pki.server.keyPath, '-www']);
    const b = memtls(['s_client', '-connect', `127.0.0.1:${port12}`, '-servername', 'localhost', '-CAfile', pki.caPath, '-ciphersuites', 'TLS_AES_128_GCM_SHA256', '-brief']);
    b.write('GET / HTTP/1.0\r\n\r\n');
    assert.equal(await b.exited, 0, b.stderr);
    assert.match(b.stderr, /Protocol version: TLSv1\.2\n/);
  });

  it('-cipher with OpenSSL keywords (HIGH:!aNULL) keeps every TLS 1.2 suite; names memtls lacks are skipped', async () => {
    const pki = testPki();
    const { port } = await opensslServer(['-tls1_2', '-cert', pki.server.certPath, '-key', pki.server.keyPath, '-www']);
    for (const list of ['HIGH:!aNULL', 'DES-CBC3-SHA:ECDHE-ECDSA-AES256-GCM-SHA384']) {
      const c = memtls(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caPath, '-cipher', list, '-brief']);
      c.write('GET / HTTP/1.0\r\n\r\n');
      assert.equal(await c.exited, 0, `${list}: ${c.stderr}`);
      assert.match(c.stderr, /Protocol version: TLSv1\.2\nCiphersuite: ECDHE-ECDSA-AES256-GCM-SHA384\n/, list);
    }
  });

  it('s_client -tls1_3 against openssl s_server -tls1_2 fails (protocol version) with exit 1', async () => {
    const pki = testPki();
    const { port } = await opensslServer(['-tls1_2', '-cert', pki.server.certPath, '-key', pki.server.keyPath, '-www']);
    const c = memtls(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caPath, '-tls1_3']);
    assert.equal(await c.exited, 1, c.stderr);
    assert.match(c.stderr, /version/i);
  });

  for (const cipher of ['ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305']) {
    it(`s_server -tls1_2 -cipher ${cipher} ← openssl s_client -tls1_2: data both ways, s_client reports TLSv1.2 and the suite`, async () => {
      const pki = testPki();
      const cred = credFor(cipher);
      const { child: server, port } = await memtlsServer(['-cert', cred.certPath, '-key', cred.keyPath, '-tls1_2', '-cipher', cipher, '-rev', '-naccept', '1']);
      const client = new Child('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caPath, '-tls1_2', '-no_ign_eof']);
      client.write('hello server\n');
      await client.waitFor(/revres olleh\n/);
      client.endInput();
      await client.exited;
      assert.equal(await server.exited, 0, server.stderr);
      assert.match(client.stdout, /Protocol {2}: TLSv1\.2\n/);
      assert.match(client.stdout, new RegExp(`Cipher is ${cipher}\\n`));
      assert.match(client.stdout, /Extended master secret: yes/);
    });
  }
});
