/**
 * -record_size_limit and -enable_pha against `openssl s_server` (OpenSSL 3.0 on 127.0.0.1). OpenSSL 3.0 does not
 * know record_size_limit: it ignores the extension, so nothing is negotiated and the connection works as before
 * (the GnuTLS interop tests cover the negotiation). -enable_pha: s_server's `c` command asks for the certificate,
 * and the memtls client sends it.
 */
import { strict as assert } from 'node:assert';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Helpers from '../../node/test/helpers.js';

const { Child, cleanup, opensslServer, testPki }: typeof Helpers = await import(new URL('../../../node/test/dist/helpers.js', import.meta.url).href);
type Child = Helpers.Child;

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'main.js');
const memtls = (args: string[]): Child => new Child(process.execPath, [CLI, ...args], { timeoutMs: 20_000 });

describe('memtls CLI: -record_size_limit and -enable_pha', function () {
  this.timeout(30_000);
  after(cleanup);

  it('a bad -record_size_limit is a usage error (exit 2)', async () => {
    for (const bad of ['63', '16386', 'x']) {
      const c = memtls(['s_client', '-connect', '127.0.0.1:1', '-record_size_limit', bad]);
      assert.equal(await c.exited, 2, bad);
      assert.match(c.stderr, /recordSizeLimit must be an integer from 64 to 16385/);
    }
  });

  it("-enable_pha -cert -key → openssl s_server, its 'c' command: the certificate is sent after the handshake", async () => {
    const pki = testPki();
    const { child: server, port } = await opensslServer(['-cert', pki.server.certPath, '-key', pki.server.keyPath, '-CAfile', pki.caPath, '-msg']);
    const c = memtls(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caPath, '-cert', pki.client.certPath, '-key', pki.client.keyPath, '-enable_pha', '-record_size_limit', '512']);
    await c.waitFor(/Verify return code: 0/, 'stdout');
    server.write('c\n');
    await server.waitFor(/<<< TLS 1\.3, Handshake \[length [0-9a-f]+\], CertificateVerify/, 'stdout');
    c.endInput();
    assert.equal(await c.exited, 0, c.stderr);
  });
});
