/**
 * record_size_limit (RFC 8449) against GnuTLS 3.7 (gnutls-serv / gnutls-cli negotiate it; OpenSSL 3.0 has none).
 * Both sides enforce what they advertised: GnuTLS refuses a protected record above its limit (record_overflow),
 * memtls too (docs/record-size-limit.md). So data crossing both ways intact is the proof that each side sent within
 * the other's limit; `-d 4` makes GnuTLS print the limit it negotiated. Limits below 512 need GnuTLS's
 * %ALLOW_SMALL_RECORDS. gnutls-serv --echo sends back what one record brought, so lines stay below its limit.
 */
import { strict as assert } from 'node:assert';
import { type ContextOptions, type CoreApi, loadCore, type Ssl } from './api.js';
import { gnutlsPriority, startGnuTlsClient, startGnuTlsServer } from './gnutls-peers.js';
import { firstDifference, fromAlphabet } from './payload.js';
import { acceptOne, cleanupPeers } from './peers.js';
import { getPki, type Pki } from './pki.js';
import { handshake, readExactly, writeAll } from './pump.js';

type Version = 'TLSv1.2' | 'TLSv1.3';
const pin = (v: Version): Pick<ContextOptions, 'minVersion' | 'maxVersion'> => ({ minVersion: v, maxVersion: v });
const small = (v: Version) => `${gnutlsPriority(v)}:%ALLOW_SMALL_RECORDS`;
const line = (n: number, seed: number): Uint8Array => {
  const b = fromAlphabet(n, 'abcdefghijklmnopqrstuvwxyz0123456789', seed);
  b[n - 1] = 0x0a;
  return b;
};

for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
  describe(`interop: record_size_limit with GnuTLS (${version})`, function () {
    this.timeout(60_000);
    let core: CoreApi;
    let pki: Pki;
    before(async () => {
      core = await loadCore();
      pki = await getPki();
    });
    afterEach(cleanupPeers);

    it('memtls client at 64 → gnutls-serv: negotiated (gnutls says so), its echo fits our limit', async () => {
      const s = pki.servers['ec-p256'];
      const server = await startGnuTlsServer({ cert: s.certPath, key: s.keyPath, priority: small(version), extraArgs: ['-d', '4'] });
      const ssl: Ssl = new core.Ssl(new core.SslContext({ role: 'client', ca: pki.caPem, recordSizeLimit: 64, ...pin(version) }), { serverName: 'localhost' });
      const sock = await server.connect();
      await handshake(ssl, sock);
      await server.waitForOutput(/record_size_limit 64 negotiated/, 'stderr').catch(() => {
        throw new Error(`gnutls-serv did not report the limit\n${server.describe()}`);
      });
      // 600 bytes to gnutls-serv (it may send records of any size up to 16 KiB to us otherwise): the echo comes back
      // in records of at most 64 bytes of plaintext, or memtls would have refused one with record_overflow.
      const data = line(600, 1);
      await writeAll(ssl, sock, data);
      assert.equal(firstDifference(await readExactly(ssl, sock, data.length), data), null);
    });

    it('gnutls-serv --recordsize 64 → memtls client sends within it (gnutls refuses larger records)', async () => {
      const s = pki.servers['ec-p256'];
      const server = await startGnuTlsServer({ cert: s.certPath, key: s.keyPath, priority: small(version), extraArgs: ['--recordsize', '64'] });
      const ssl: Ssl = new core.Ssl(new core.SslContext({ role: 'client', ca: pki.caPem, recordSizeLimit: 16385, ...pin(version) }), { serverName: 'localhost' });
      const sock = await server.connect();
      await handshake(ssl, sock);
      // Lines of exactly one full record: 63 bytes and the content type in TLS 1.3, 64 in TLS 1.2 (a byte more
      // would be record_overflow to gnutls-serv; --echo answers each record).
      for (let i = 0; i < 5; i++) {
        const data = line(version === 'TLSv1.3' ? 63 : 64, i);
        await writeAll(ssl, sock, data);
        assert.equal(firstDifference(await readExactly(ssl, sock, data.length), data), null);
      }
      assert.doesNotMatch(server.stderr(), /overflow/i);
    });

    it('gnutls-cli --recordsize 512 (its smallest) → memtls server (no option): honoured, 4 KiB down arrive whole', async () => {
      const s = pki.servers['ec-p256'];
      const ssl: Ssl = new core.Ssl(new core.SslContext({ role: 'server', cert: s.chainPem, key: s.keyPem, ...pin(version) }));
      const { port, accepted } = await acceptOne();
      const client = startGnuTlsClient({ port, priority: small(version), caFile: pki.caPath, extraArgs: ['--recordsize', '512'] });
      const sock = await accepted;
      await handshake(ssl, sock).catch((e) => {
        throw new Error(`${(e as Error).message}\n${client.describe()}`);
      });
      const down = line(4096, 7);
      await writeAll(ssl, sock, down);
      await client.waitFor(() => client.stdoutLength() >= down.length, '4 KiB on gnutls-cli stdout', 20_000);
      assert.equal(firstDifference(client.stdoutBytes(), down), null);
      assert.doesNotMatch(client.stderr(), /overflow/i);
    });

    it('gnutls-cli → memtls server at 64: gnutls sends within our limit (memtls refuses larger records)', async () => {
      const s = pki.servers['ec-p256'];
      const ssl: Ssl = new core.Ssl(new core.SslContext({ role: 'server', cert: s.chainPem, key: s.keyPem, recordSizeLimit: 64, ...pin(version) }));
      const { port, accepted } = await acceptOne();
      const client = startGnuTlsClient({ port, priority: small(version), caFile: pki.caPath });
      const sock = await accepted;
      await handshake(ssl, sock);
      // gnutls-cli sends one record per stdin read and drops what does not fit in it: 60-byte reads, 20 of them.
      for (let i = 0; i < 20; i++) {
        const up = line(60, 9 + i);
        await client.write(up);
        assert.equal(firstDifference(await readExactly(ssl, sock, up.length), up), null);
      }
    });
  });
}
