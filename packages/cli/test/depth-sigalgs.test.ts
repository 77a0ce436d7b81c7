/**
 * -verify_depth / -verify N and -sigalgs against `openssl s_server` (OpenSSL 3.0 on 127.0.0.1): the verify
 * depth limits the intermediates as OpenSSL counts them (verify error 22 at depth N + 1), `-verify N` only keeps
 * deeper errors from being let through (as OpenSSL's apps), and -sigalgs is what memtls offers and accepts.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Helpers from '../../node/test/helpers.js';

const { Child, cleanup, opensslServer, testPki }: typeof Helpers = await import(new URL('../../../node/test/dist/helpers.js', import.meta.url).href);
type Child = Helpers.Child;

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'main.js');
const memtls = (args: string[]): Child => new Child(process.execPath, [CLI, ...args], { timeoutMs: 20_000 });

/** root -> int1 -> int2 -> localhost (P-256, openssl CLI): the leaf, the two intermediates to send, the root. */
function deepChain(dir: string): { leaf: string; key: string; intermediates: string; root: string } {
  const ossl = (args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  ossl(['req', '-x509', ...ec, '-subj', '/CN=depth root', '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign', '-keyout', 'root.key', '-out', 'root.pem']);
  writeFileSync(join(dir, 'ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n');
  writeFileSync(join(dir, 'leaf.ext'), 'subjectAltName=DNS:localhost\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n');
  const issue = (name: string, cn: string, issuer: string, ext: string): void => {
    ossl(['req', ...ec, '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`]);
    ossl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', `${name}.pem`]);
  };
  issue('int1', 'depth int1', 'root', 'ca.ext');
  issue('int2', 'depth int2', 'int1', 'ca.ext');
  issue('leaf', 'localhost', 'int2', 'leaf.ext');
  execFileSync('sh', ['-c', 'cat int2.pem int1.pem > intermediates.pem'], { cwd: dir });
  return { leaf: join(dir, 'leaf.pem'), key: join(dir, 'leaf.key'), intermediates: join(dir, 'intermediates.pem'), root: join(dir, 'root.pem') };
}

describe('memtls CLI: -verify_depth and -verify N against openssl s_server with two intermediates', function () {
  this.timeout(30_000);
  let dir: string;
  let pki: ReturnType<typeof deepChain>;
  let port: number;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'memtls-cli-depth-'));
    pki = deepChain(dir);
    // openssl s_server sends only the -cert leaf; -cert_chain adds the intermediates.
    ({ port } = await opensslServer(['-cert', pki.leaf, '-cert_chain', pki.intermediates, '-key', pki.key, '-www']));
  });
  after(async () => {
    await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  const base = (): string[] => ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.root];

  it('-verify_depth 2 verifies; -verify_depth 1 is verify error 22 at depth 2, reported and let through (as OpenSSL)', async () => {
    const ok = memtls([...base(), '-verify_depth', '2']);
    ok.write('GET / HTTP/1.0\r\n\r\n');
    assert.equal(await ok.exited, 0, ok.stderr);
    assert.match(ok.stdout, /Verify return code: 0 \(ok\)/);
    const deep = memtls([...base(), '-verify_depth', '1']);
    deep.write('GET / HTTP/1.0\r\n\r\n');
    assert.equal(await deep.exited, 0, deep.stderr);
    assert.match(deep.stderr, /depth=2 CN = depth int1\nverify error:num=22:certificate chain too long\nverify return:1\n/);
    assert.match(deep.stdout, /Verify return code: 22 \(certificate chain too long\)/);
    assert.match(deep.stdout, /HTTP\/1\.0 200 ok/);
  });

  it('-verify_depth 0 -verify_return_error: error 22 at depth 1 and exit 1, with the depth in words', async () => {
    const c = memtls([...base(), '-verify_depth', '0', '-verify_return_error']);
    assert.equal(await c.exited, 1);
    assert.match(c.stderr, /depth=1 CN = depth int2\nverify error:num=22:certificate chain too long\n/);
    assert.match(c.stderr, /verify depth 0: at most 0 intermediate CA certificates/);
  });

  it('-verify 1 does not limit a chain that verifies (OpenSSL 3.0 s_client: only -verify_depth does); with -verify_depth 1 an error at depth 2 is fatal', async () => {
    const c = memtls([...base(), '-verify', '1']);
    c.write('GET / HTTP/1.0\r\n\r\n');
    assert.equal(await c.exited, 0, c.stderr);
    assert.match(c.stderr, /^verify depth is 1\n/);
    assert.match(c.stdout, /Verify return code: 0 \(ok\)/);
    // OpenSSL's apps verify callback never lets an error deeper than the -verify depth through.
    const both = memtls([...base(), '-verify', '1', '-verify_depth', '1']);
    assert.equal(await both.exited, 1);
    assert.match(both.stderr, /verify depth is 1\n[\s\S]*depth=2 CN = depth int1\nverify error:num=22:certificate chain too long\n(?!verify return:1)/);
  });

  it('a bad depth is a usage error (exit 2)', async () => {
    for (const flag of ['-verify_depth', '-verify']) {
      const c = memtls([...base(), flag, '-1x']);
      assert.equal(await c.exited, 2, flag);
      assert.match(c.stderr, new RegExp(`${flag}: a depth`));
    }
  });
});

describe('memtls CLI: -sigalgs against openssl s_server -sigalgs', function () {
  this.timeout(30_000);
  afterEach(cleanup);

  it('a list the ECDSA server can sign with works; RSA-PSS only is handshake_failure from openssl, exit 1', async () => {
    const pki = testPki();
    const { port } = await opensslServer(['-cert', pki.server.certPath, '-key', pki.server.keyPath, '-sigalgs', 'ECDSA+SHA256:RSA-PSS+SHA256', '-www']);
    const base = ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caPath];
    const ok = memtls([...base, '-sigalgs', 'RSA-PSS+SHA256:ecdsa_secp256r1_sha256', '-msg']);
    ok.write('GET / HTTP/1.0\r\n\r\n');
    assert.equal(await ok.exited, 0, ok.stderr);
    assert.match(ok.stdout, /HTTP\/1\.0 200 ok/);
    const bad = memtls([...base, '-sigalgs', 'RSA-PSS+SHA256']);
    assert.equal(await bad.exited, 1);
    assert.match(bad.stderr, /sslv3 alert handshake failure/);
  });

  it('s_server -sigalgs limits its own key: an ECDSA server allowed only ed25519 and RSA-PSS fails openssl s_client with handshake_failure; an unknown name is exit 2', async () => {
    const pki = testPki();
    const server = memtls(['s_server', '-accept', '127.0.0.1:0', '-cert', pki.server.certPath, '-key', pki.server.keyPath, '-sigalgs', 'ed25519:RSA-PSS+SHA256', '-www', '-naccept', '1']);
    const m = await server.waitFor(/ACCEPT 127\.0\.0\.1:(\d+)/);
    const client = new Child('openssl', ['s_client', '-connect', `127.0.0.1:${m[1]}`, '-servername', 'localhost', '-CAfile', pki.caPath]);
    client.endInput();
    await client.exited;
    assert.match(client.stdout + client.stderr, /alert handshake failure/);
    await server.exited;
    assert.match(server.stderr, /no suitable signature algorithm: the client offers none of the schemes our ec-p256 key may sign with \(none\)/);
    const unknown = memtls(['s_server', '-accept', '127.0.0.1:0', '-cert', pki.server.certPath, '-key', pki.server.keyPath, '-sigalgs', 'ECDSA+MD5']);
    assert.equal(await unknown.exited, 2);
    assert.match(unknown.stderr, /sigalgs: unknown signature algorithm "ECDSA\+MD5"/);
  });
});
