/**
 * memtls ↔ OpenSSL 3.0 CLI interop (TLS 1.3), over real TCP on 127.0.0.1.
 *
 * memtls client → `openssl s_server -tls1_3 -rev`: every server key type × group × suite, HelloRetryRequest,
 * ALPN, SNI, client certificates, KeyUpdate, 1 MiB each way, bidirectional close_notify. memtls runs on its
 * default provider, Node's native WebCrypto (ChaCha20-Poly1305 from @noble/ciphers), and once on
 * @peculiar/webcrypto.
 * `openssl s_client -tls1_3` → memtls server: every key type with 1 MiB each way and KeyUpdates (`K` and
 * `k`) sent by s_client, client certificates, ALPN.
 */
import { strict as assert } from 'node:assert';
import type net from 'node:net';
import { Crypto as PeculiarCrypto } from '@peculiar/webcrypto';
import { type ContextOptions, type CoreApi, loadCore, type Ssl } from './api.js';
import { firstDifference, MiB, revPayload, sClientSafePayload, text, utf8 } from './payload.js';
import {
  acceptOne,
  cleanupPeers,
  connectTcp,
  countMsgs,
  type OpenSslClientOptions,
  type OpenSslProcess,
  type OpenSslServer,
  type OpenSslServerOptions,
  startOpenSslClient,
  startOpenSslServer,
} from './peers.js';
import { type Credential, getPki, type Pki, SERVER_KEY_TYPES } from './pki.js';
import { endTransport, handshake, pumpFor, readExactly, readUntilZeroReturn, shutdownLoop, writeAll } from './pump.js';


const GROUPS = [
  { memtls: 'x25519', openssl: 'x25519' },
  { memtls: 'secp256r1', openssl: 'P-256' },
  { memtls: 'secp384r1', openssl: 'P-384' },
] as const;
const SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'] as const;
const BOTH_SHUTDOWN = 3; // SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN

describe('interop: memtls client → openssl s_server', function () {
  this.timeout(30_000);
  let core: CoreApi;
  let pki: Pki;
  before(async () => {
    core = await loadCore();
    pki = await getPki();
  });
  afterEach(cleanupPeers);

  const newClient = (opts: Omit<ContextOptions, 'role'> = {}, serverName = 'localhost'): Ssl =>
    new core.Ssl(new core.SslContext({ role: 'client', ca: pki.caPem, ...opts }), { serverName });

  const serve = (cred: Credential, extra: Partial<OpenSslServerOptions> = {}) =>
    startOpenSslServer({ cert: cred.certPath, key: cred.keyPath, ...extra });

  async function connect(server: OpenSslServer, ssl: Ssl): Promise<net.Socket> {
    const sock = await connectTcp(server.port);
    try {
      await handshake(ssl, sock);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${server.describe()}`);
    }
    assert.equal(ssl.isInitFinished(), true);
    assert.equal(ssl.version(), 'TLSv1.3');
    return sock;
  }

  /** One reversed line, a bidirectional close (memtls first), then s_server's clean exit. */
  async function pingAndClose(server: OpenSslServer, ssl: Ssl, sock: net.Socket): Promise<void> {
    await writeAll(ssl, sock, utf8('ping from memtls\n'));
    assert.equal(text(await readExactly(ssl, sock, 17)), 'sltmem morf gnip\n');
    assert.equal(await shutdownLoop(ssl, sock), 1, 'our close_notify sent and theirs received');
    assert.equal(ssl.getShutdown(), BOTH_SHUTDOWN);
    await endTransport(ssl, sock);
    assert.equal(await server.exited(), 0, server.describe());
    assert.match(server.msgs(), /<<< TLS 1\.3, Alert \[length 0002\], warning close_notify/, 's_server got our close_notify');
  }

  for (const kt of SERVER_KEY_TYPES) {
    for (const g of GROUPS) {
      for (const suite of SUITES) {
        it(`${kt} certificate, ${g.memtls}, ${suite}`, async () => {
          const server = await serve(pki.servers[kt], { groups: [g.openssl], ciphersuites: [suite] });
          const ssl = newClient({ groups: [g.memtls], cipherSuites: [suite] });
          const sock = await connect(server, ssl);
          assert.equal(ssl.cipher(), suite);
          assert.equal(ssl.group(), g.memtls);
          // 1 MiB each way: s_server -rev sends every line back reversed.
          const { sent, expected } = revPayload(1024, 1023);
          await writeAll(ssl, sock, sent);
          assert.equal(firstDifference(await readExactly(ssl, sock, expected.length), expected), null);
          await pingAndClose(server, ssl, sock);
          assert.match(server.stderr(), new RegExp(`Ciphersuite: ${suite}`));
          assert.equal(countMsgs(server.msgs(), '<<<', 'ClientHello'), 1, 'no HelloRetryRequest');
        });
      }
    }
  }

  it('@peculiar/webcrypto, default suites: s_server -ciphersuites TLS_CHACHA20_POLY1305_SHA256 gets it, 256 KiB each way', async () => {
    const suite = 'TLS_CHACHA20_POLY1305_SHA256';
    const server = await serve(pki.servers['ec-p256'], { ciphersuites: [suite] });
    const ssl = newClient({ crypto: new PeculiarCrypto() as unknown as Crypto });
    const sock = await connect(server, ssl);
    assert.equal(ssl.cipher(), suite);
    const { sent, expected } = revPayload(256, 1023);
    await writeAll(ssl, sock, sent);
    assert.equal(firstDifference(await readExactly(ssl, sock, expected.length), expected), null);
    await pingAndClose(server, ssl, sock);
    assert.match(server.stderr(), new RegExp(`Ciphersuite: ${suite}`));
  });

  it('accepts a certificate chain that includes the root', async () => {
    const cred = pki.servers['ec-p256'];
    const server = await startOpenSslServer({ cert: cred.chainPath, key: cred.keyPath });
    const ssl = newClient();
    await pingAndClose(server, ssl, await connect(server, ssl));
  });

  it('HelloRetryRequest: s_server -groups P-384, memtls offers x25519 first (key share for x25519 only)', async () => {
    const server = await serve(pki.servers['ec-p256'], { groups: ['P-384'] });
    const ssl = newClient({ groups: ['x25519', 'secp384r1'] });
    const sock = await connect(server, ssl);
    await pingAndClose(server, ssl, sock);
    assert.equal(countMsgs(server.msgs(), '<<<', 'ClientHello'), 2, `two ClientHellos: the server sent a HelloRetryRequest\n${server.msgs()}`);
  });

  it('ALPN: s_server -alpn h2,http/1.1 selects the client-offered http/1.1', async () => {
    const server = await serve(pki.servers['ec-p256'], { alpn: ['h2', 'http/1.1'] });
    const ssl = newClient({ alpn: ['http/1.1'] });
    const sock = await connect(server, ssl);
    assert.equal(ssl.alpnSelected(), 'http/1.1');
    await pingAndClose(server, ssl, sock);
    assert.match(server.stdout(), /ALPN protocols advertised by the client: http\/1\.1\n/);
    assert.match(server.stdout(), /ALPN protocols selected: http\/1\.1/);
  });

  it('ALPN: with several offered, s_server picks by its own preference (h2)', async () => {
    const server = await serve(pki.servers['ec-p256'], { alpn: ['h2', 'http/1.1'] });
    const ssl = newClient({ alpn: ['http/1.1', 'h2'] });
    const sock = await connect(server, ssl);
    assert.equal(ssl.alpnSelected(), 'h2');
    await pingAndClose(server, ssl, sock);
  });

  it('SNI: s_server sees "localhost" and serves its -cert2 (the decoy default is not trusted)', async () => {
    const server = await startOpenSslServer({
      cert: pki.decoy.certPath,
      key: pki.decoy.keyPath,
      servername: 'localhost',
      cert2: pki.servers['ec-p256'].certPath,
      key2: pki.servers['ec-p256'].keyPath,
    });
    const ssl = newClient({}, 'localhost');
    const sock = await connect(server, ssl); // verifies only if the SNI-selected certificate was served
    await pingAndClose(server, ssl, sock);
    assert.match(server.stdout() + server.stderr(), /Hostname in TLS extension: "localhost"/);
  });

  it('client certificate: s_server -Verify verifies memtls-client', async () => {
    const server = await serve(pki.servers['ec-p384'], { verifyClient: 'require', caFile: pki.caPath });
    const ssl = newClient({ cert: pki.client.certPem, key: pki.client.keyPem });
    const sock = await connect(server, ssl);
    await pingAndClose(server, ssl, sock);
    assert.match(server.stderr(), /Peer certificate: CN = memtls-client/);
    assert.match(server.stderr(), /Verification: OK/);
  });

  it('KeyUpdate from memtls (update_requested) is taken and answered by s_server', async () => {
    const server = await serve(pki.servers.ed25519);
    const ssl = newClient();
    const sock = await connect(server, ssl);
    await writeAll(ssl, sock, utf8('before\n'));
    assert.equal(text(await readExactly(ssl, sock, 7)), 'erofeb\n');
    assert.equal(ssl.keyUpdate(true), 1);
    await writeAll(ssl, sock, utf8('after\n')); // carries the KeyUpdate first
    assert.equal(text(await readExactly(ssl, sock, 6)), 'retfa\n'); // under s_server's updated key
    await writeAll(ssl, sock, utf8('again\n'));
    assert.equal(text(await readExactly(ssl, sock, 6)), 'niaga\n');
    await pingAndClose(server, ssl, sock);
    assert.equal(countMsgs(server.msgs(), '<<<', 'KeyUpdate'), 1);
    assert.equal(countMsgs(server.msgs(), '>>>', 'KeyUpdate'), 1, 's_server answered the request');
  });

  it('moves 1 MiB each way through s_server -rev, then closes both ways', async function () {
    this.timeout(90_000);
    const { sent, expected } = revPayload(1024, 1023); // 1024 lines × 1024 bytes = 1 MiB
    assert.equal(sent.length, MiB);
    const server = await serve(pki.servers.rsa2048);
    const ssl = newClient();
    const sock = await connect(server, ssl);
    await writeAll(ssl, sock, sent);
    const back = await readExactly(ssl, sock, expected.length);
    assert.equal(firstDifference(back, expected), null);
    await pingAndClose(server, ssl, sock);
  });
});

describe('interop: openssl s_client → memtls server', function () {
  this.timeout(30_000);
  let core: CoreApi;
  let pki: Pki;
  before(async () => {
    core = await loadCore();
    pki = await getPki();
  });
  afterEach(cleanupPeers);

  const newServer = (cred: Credential, opts: Omit<ContextOptions, 'role'> = {}): Ssl =>
    new core.Ssl(new core.SslContext({ role: 'server', cert: cred.certPem, key: cred.keyPem, ...opts }));

  /** Start s_client against a fresh listener and run memtls's side of the handshake. */
  async function accept(
    ssl: Ssl,
    clientOpts: Omit<OpenSslClientOptions, 'port'> = {},
  ): Promise<{ client: OpenSslProcess; sock: net.Socket }> {
    const { port, accepted } = await acceptOne();
    const client = startOpenSslClient({ port, caFile: pki.caPath, ...clientOpts });
    const sock = await accepted;
    try {
      await handshake(ssl, sock);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${client.describe()}`);
    }
    assert.equal(ssl.version(), 'TLSv1.3');
    return { client, sock };
  }

  /**
   * s_client closes (stdin EOF → close_notify); memtls reads ZERO_RETURN, answers, and s_client exits 0.
   * s_client's shutdown is unidirectional: it exits without reading our close_notify, so whether the answer
   * was sent is checked on our side: exactly one 24-byte TLS 1.3 alert record (shutdown rule 22).
   */
  async function clientCloses(ssl: Ssl, sock: net.Socket, client: OpenSslProcess): Promise<void> {
    client.endInput();
    assert.equal((await readUntilZeroReturn(ssl, sock)).length, 0, 'no data after the last exchange');
    const pump = pumpFor(ssl, sock);
    const before = pump.bytesOut + pump.bytesDropped;
    assert.equal(await shutdownLoop(ssl, sock), 1, 'RECEIVED was set, so the first shutdown returns 1');
    assert.equal(pump.bytesOut + pump.bytesDropped - before, 24, 'one close_notify record');
    assert.equal(ssl.getShutdown(), BOTH_SHUTDOWN);
    await endTransport(ssl, sock);
    assert.equal(await client.exited(), 0, client.describe());
    assert.doesNotMatch(client.stderr(), /verify error|:error:/, client.describe());
  }

  for (const kt of SERVER_KEY_TYPES) {
    it(`${kt}: 1 MiB each way, KeyUpdates from s_client (K then k), close_notify both ways`, async function () {
      this.timeout(90_000);
      const ssl = newServer(pki.servers[kt]);
      const { client, sock } = await accept(ssl, { commands: true });
      // up: s_client → memtls
      const up = sClientSafePayload(MiB, 3);
      await client.write(up);
      assert.equal(firstDifference(await readExactly(ssl, sock, up.length), up), null);
      // Everything before has been read by s_client, so "K\n" is a stdin read of its own: a command.
      await client.write('K\n');
      await client.waitForOutput(/KEYUPDATE/);
      await client.write('after K\n');
      assert.equal(text(await readExactly(ssl, sock, 8)), 'after K\n', 'read under the updated key');
      // down: memtls → s_client; the first record after the requested update carries memtls's KeyUpdate
      const down = sClientSafePayload(MiB, 5);
      await writeAll(ssl, sock, down);
      await client.waitFor(() => client.stdoutLength() >= down.length, '1 MiB on s_client stdout', 30_000);
      assert.equal(firstDifference(client.stdoutBytes(), down), null);
      await client.write('k\n');
      await client.waitFor(() => (client.stderr().match(/KEYUPDATE/g) ?? []).length === 2, 'second KEYUPDATE');
      await client.write('after k\n');
      assert.equal(text(await readExactly(ssl, sock, 8)), 'after k\n');
      await writeAll(ssl, sock, utf8('bye\n'));
      await client.waitFor(() => client.stdoutLength() >= down.length + 4, 'bye');
      await clientCloses(ssl, sock, client);
      const msgs = client.msgs();
      assert.equal(countMsgs(msgs, '>>>', 'KeyUpdate'), 2, 's_client sent two KeyUpdates');
      assert.equal(countMsgs(msgs, '<<<', 'KeyUpdate'), 1, 'memtls answered only the one that requested it');
      assert.match(msgs, />>> TLS 1\.3, Alert \[length 0002\], warning close_notify/, 's_client sent its close_notify');
    });
  }

  it('client certificate: memtls verifyPeer accepts s_client -cert', async () => {
    const ssl = newServer(pki.servers['ec-p256'], { verifyPeer: true, ca: pki.caPem });
    const { client, sock } = await accept(ssl, { cert: pki.client.certPath, key: pki.client.keyPath });
    await client.write('mtls\n');
    assert.equal(text(await readExactly(ssl, sock, 5)), 'mtls\n');
    await clientCloses(ssl, sock, client);
  });

  it('ALPN: memtls selects the protocol s_client offers', async () => {
    const ssl = newServer(pki.servers['ec-p256'], { alpn: ['h2', 'http/1.1'] });
    const { client, sock } = await accept(ssl, { alpn: ['http/1.1'] });
    assert.equal(ssl.alpnSelected(), 'http/1.1');
    await clientCloses(ssl, sock, client);
  });

  for (const suite of SUITES) {
    it(`negotiates ${suite} when s_client offers only it`, async () => {
      const ssl = newServer(pki.servers['ec-p384']);
      const { client, sock } = await accept(ssl, { ciphersuites: [suite] });
      assert.equal(ssl.cipher(), suite);
      await clientCloses(ssl, sock, client);
    });
  }
});
