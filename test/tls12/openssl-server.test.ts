/**
 * TLS 1.2 interop: `openssl s_client -tls1_2` (OpenSSL 3.0 CLI) → memtls server over TCP on 127.0.0.1, for each
 * server key type: s_client reports the extended master secret and secure renegotiation, data flows both ways,
 * both close. s_client's `R` command (a renegotiating ClientHello) gets no ServerHello, only the no_renegotiation
 * warning. A client certificate is requested and verified (mTLS).
 */
import { strict as assert } from 'node:assert';
import { type ContextOptions, createWebCryptoProvider, Ssl, SslContext } from '@memtls/core';
import { text, utf8 } from '../interop/payload.js';
import { acceptOne, cleanupPeers, OpenSslProcess } from '../interop/peers.js';
import { getPki, type KeyType, type Pki, SERVER_KEY_TYPES } from '../interop/pki.js';
import { handshake, readExactly, readUntilZeroReturn, shutdownLoop, writeAll } from '../interop/pump.js';

/** The WebCrypto provider: AES-GCM from WebCrypto, ChaCha20-Poly1305 from @noble/ciphers (what browsers get). */
const provider = createWebCryptoProvider(globalThis.crypto);

describe('TLS 1.2 interop: openssl s_client -tls1_2 → memtls server', function () {
  this.timeout(60_000);
  let pki: Pki;
  before(async () => {
    pki = await getPki();
  });
  afterEach(cleanupPeers);

  const server = (kt: KeyType, opts: Omit<ContextOptions, 'role'> = {}) =>
    new Ssl(new SslContext({ role: 'server', cert: pki.servers[kt].certPem, key: pki.servers[kt].keyPem, crypto: provider, ...opts }));

  /** s_client -tls1_2 to `port`, verifying memtls against the test CA, with its -msg trace on stdout. */
  const sClient = (port: number, extra: string[] = []) =>
    new OpenSslProcess(
      ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_2', '-servername', 'localhost', '-CAfile', pki.caPath, '-verify_return_error', '-verify_hostname', 'localhost', '-msg', ...extra],
      { timeoutMs: 30_000 },
    );

  for (const kt of SERVER_KEY_TYPES) {
    it(`${kt} certificate: extended master secret, secure renegotiation, data both ways, close`, async () => {
      const { port, accepted } = await acceptOne();
      const ssl = server(kt);
      const client = sClient(port);
      const sock = await accepted;
      await handshake(ssl, sock);
      assert.equal(ssl.version(), 'TLSv1.2');
      await client.waitForOutput(/Extended master secret: yes/, 'stdout');
      assert.match(client.stdout(), /Secure Renegotiation IS supported/);
      assert.match(client.stdout(), /Protocol\s*: TLSv1\.2/);
      assert.match(client.stdout(), /Verify return code: 0 \(ok\)/);
      await client.write('hello from s_client\n');
      assert.equal(text(await readExactly(ssl, sock, 20)), 'hello from s_client\n');
      await writeAll(ssl, sock, utf8('hello from memtls\n'));
      await client.waitForOutput(/hello from memtls/, 'stdout');
      client.endInput(); // s_client sends close_notify and exits
      assert.equal((await readUntilZeroReturn(ssl, sock)).length, 0);
      assert.equal(await shutdownLoop(ssl, sock), 1);
      assert.equal(await client.exited(), 0, client.describe());
    });
  }

  it('s_client -sigalgs ECDSA+SHA256: a P-384 server signs ServerKeyExchange with SHA-256, as TLS 1.2 allows', async () => {
    // RFC 5246 §7.4.1.4.1 / RFC 8422 §5.1.1: in TLS 1.2 ecdsa_secp256r1_sha256 (0x0403) names the hash only.
    const { port, accepted } = await acceptOne();
    const ssl = server('ec-p384');
    const client = sClient(port, ['-sigalgs', 'ECDSA+SHA256']);
    const sock = await accepted;
    await handshake(ssl, sock);
    await client.waitForOutput(/Peer signing digest: SHA256/, 'stdout');
    assert.match(client.stdout(), /Peer signature type: ECDSA/);
    assert.match(client.stdout(), /Verify return code: 0 \(ok\)/);
    client.endInput();
    assert.equal((await readUntilZeroReturn(ssl, sock)).length, 0);
    assert.equal(await shutdownLoop(ssl, sock), 1);
    assert.equal(await client.exited(), 0, client.describe());
  });

  it('the RFC 5705 exporter agrees with s_client -keymatexport (no context, as OpenSSL)', async () => {
    const { port, accepted } = await acceptOne();
    const ssl = server('ec-p256');
    const client = sClient(port, ['-keymatexport', 'EXPERIMENTAL-memtls', '-keymatexportlen', '32']);
    const sock = await accepted;
    await handshake(ssl, sock);
    await client.waitForOutput(/Keying material: [0-9A-F]+/, 'stdout');
    const theirs = /Keying material: ([0-9A-F]+)/.exec(client.stdout())?.[1];
    const ours = Buffer.from(await ssl.exportKeyingMaterial('EXPERIMENTAL-memtls', null, 32)).toString('hex').toUpperCase();
    assert.equal(ours, theirs);
    client.endInput();
    await readUntilZeroReturn(ssl, sock);
    await client.exited();
  });

  it("s_client's R command: no ServerHello, only a no_renegotiation warning; memtls keeps the connection", async () => {
    const { port, accepted } = await acceptOne();
    const ssl = server('ec-p256');
    const client = sClient(port);
    const sock = await accepted;
    await handshake(ssl, sock);
    await client.waitForOutput(/Extended master secret: yes/, 'stdout');
    await client.write('R\n');
    await client.waitFor(() => /(>>>|<<<)[^\n]*ClientHello[\s\S]*ClientHello/.test(client.stdout()), 'the second ClientHello', 10_000);
    // memtls reads the ClientHello, answers with the warning and goes on reading; s_client aborts (its choice).
    const reading = readUntilZeroReturn(ssl, sock).then(
      () => null,
      (e: Error) => e,
    );
    await client.waitForOutput(/<<< TLS 1\.2, Alert \[length 0002\], warning no_renegotiation/, 'stdout');
    const trace = client.stdout();
    assert.equal((trace.match(/<<< TLS 1\.2, Handshake \[length [0-9a-f]+\], ServerHello\s*$/gm) ?? []).length, 1, 'one ServerHello only');
    // What memtls saw after its warning is s_client's own decision (a fatal alert), never a failure of its own.
    const after = await reading;
    assert.ok(after === null || ssl.lastErrorDetail()?.receivedAlert !== null, `memtls failed by itself: ${after?.message}`);
  });

  it('mTLS: the client certificate is requested and verified', async () => {
    const { port, accepted } = await acceptOne();
    const ssl = server('rsa2048', { verifyPeer: true, ca: pki.caPem });
    const client = sClient(port, ['-cert', pki.client.certPath, '-key', pki.client.keyPath]);
    const sock = await accepted;
    await handshake(ssl, sock);
    assert.equal(ssl.verifyResult(), 'X509_V_OK');
    assert.equal(ssl.peerCertificates().length >= 1, true);
    await client.waitForOutput(/Extended master secret: yes/, 'stdout');
    client.endInput();
    await readUntilZeroReturn(ssl, sock);
    await client.exited();
  });
});
