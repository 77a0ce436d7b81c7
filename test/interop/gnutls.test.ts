/**
 * memtls ↔ GnuTLS 3.7 (`gnutls-serv`, `gnutls-cli`; see gnutls-peers.ts for the CLI facts and the network
 * namespace gnutls-serv runs in). For each protocol version, pinned on both sides (`--priority
 * NORMAL:-VERS-ALL:+VERS-TLS1.x`, `minVersion`/`maxVersion`):
 * - memtls client → gnutls-serv: every server key type × every suite GnuTLS has for that version, data both
 *   ways through `--echo` (1 MiB each way for one key type), close_notify both ways with memtls first;
 *   gnutls-serv's HTTP mode for the other order (its page, then its close_notify first).
 * - gnutls-cli → memtls server: every key type, data both ways, close in both orders, and in TLS 1.2 gnutls-cli
 *   reporting the extended master secret and safe renegotiation.
 * - Client certificates both ways (gnutls-serv --require-client-cert; gnutls-cli --x509certfile).
 * - Version negotiation across the two (TLS 1.2 only): one side at its defaults (1.2 and 1.3), the other limited to
 *   1.2, in both roles: TLS 1.2, no downgrade sentinel tripped.
 */
import { strict as assert } from 'node:assert';
import type net from 'node:net';
import { createNodeCryptoProvider } from '@memtls/node';
import { type ContextOptions, type CoreApi, loadCore, type Ssl } from './api.js';
import { gnutlsPriority, startGnuTlsClient, startGnuTlsServer } from './gnutls-peers.js';
import { firstDifference, fromAlphabet, MiB, text, utf8 } from './payload.js';
import { acceptOne, cleanupPeers } from './peers.js';
import { type Credential, getPki, type KeyType, type Pki, SERVER_KEY_TYPES } from './pki.js';
import { endTransport, handshake, readExactly, readUntilZeroReturn, shutdownLoop, writeAll } from './pump.js';

type Version = 'TLSv1.2' | 'TLSv1.3';
const BOTH_SHUTDOWN = 3; // SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN

/** The GnuTLS ciphers memtls has suites for (ChaCha20-Poly1305 runs with the node:crypto provider: WebCrypto has none). */
const CIPHERS = ['AES-128-GCM', 'AES-256-GCM', 'CHACHA20-POLY1305'] as const;
type Cipher = (typeof CIPHERS)[number];
const VERSIONS: Version[] = ['TLSv1.3', 'TLSv1.2'];

/** The memtls suite for a GnuTLS cipher; in TLS 1.2 the suite also names the server key (ECDSA covers Ed25519). */
function suiteName(version: Version, cipher: Cipher, kt: KeyType): string {
  const bulk = { 'AES-128-GCM': 'AES_128_GCM_SHA256', 'AES-256-GCM': 'AES_256_GCM_SHA384', 'CHACHA20-POLY1305': 'CHACHA20_POLY1305_SHA256' }[cipher];
  return version === 'TLSv1.3' ? `TLS_${bulk}` : `TLS_ECDHE_${kt === 'rsa2048' ? 'RSA' : 'ECDSA'}_WITH_${bulk}`;
}
/** How gnutls names the version in its session description. */
const GNUTLS_VERSION: Record<Version, string> = { 'TLSv1.2': 'TLS1.2', 'TLSv1.3': 'TLS1.3' };

/** Text lines (letters and digits, `\n` every 1024 bytes): echoed byte for byte by gnutls-serv --echo. */
function lines(n: number, seed: number): Uint8Array {
  const b = fromAlphabet(n, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', seed);
  for (let i = 1023; i < n; i += 1024) b[i] = 0x0a;
  if (n > 0) b[n - 1] = 0x0a;
  return b;
}

const cryptoFor = (suite: string): Pick<ContextOptions, 'crypto'> => (suite.includes('CHACHA20') ? { crypto: createNodeCryptoProvider() } : {});

const pin = (v: Version): Pick<ContextOptions, 'minVersion' | 'maxVersion'> => ({ minVersion: v, maxVersion: v });

for (const version of VERSIONS) {
  describe(`interop: memtls client → gnutls-serv (${version})`, function () {
    this.timeout(60_000);
    let core: CoreApi;
    let pki: Pki;
    before(async () => {
      core = await loadCore();
      pki = await getPki();
    });
    afterEach(cleanupPeers);

    const newClient = (opts: Omit<ContextOptions, 'role'> = {}): Ssl =>
      new core.Ssl(new core.SslContext({ role: 'client', ca: pki.caPem, ...pin(version), ...opts }), { serverName: 'localhost' });

    async function connect(cred: Credential, ssl: Ssl, ciphers: string[] | undefined, mode: 'echo' | 'http' = 'echo') {
      const priority = gnutlsPriority(version, ciphers);
      const server = await startGnuTlsServer({ cert: cred.certPath, key: cred.keyPath, priority, mode });
      const sock = await server.connect();
      try {
        await handshake(ssl, sock);
      } catch (e) {
        throw new Error(`${(e as Error).message}\n${server.describe()}`);
      }
      assert.equal(ssl.version(), version);
      return { server, sock };
    }

    /** memtls closes first; gnutls-serv answers with its close_notify. */
    async function memtlsCloses(ssl: Ssl, sock: net.Socket): Promise<void> {
      assert.equal(await shutdownLoop(ssl, sock), 1, 'our close_notify sent and theirs received');
      assert.equal(ssl.getShutdown(), BOTH_SHUTDOWN);
      await endTransport(ssl, sock);
    }

    for (const kt of SERVER_KEY_TYPES) {
      for (const cipher of CIPHERS) {
        const suite = { memtls: suiteName(version, cipher, kt), gnutls: cipher };
        const big = kt === 'ec-p256';
        it(`${kt} certificate, ${suite.memtls}: ${big ? '1 MiB' : '64 KiB'} each way, memtls closes first`, async function () {
          if (big) this.timeout(120_000);
          const ssl = newClient({ cipherSuites: [suite.memtls], ...cryptoFor(suite.memtls) });
          const { server, sock } = await connect(pki.servers[kt], ssl, [suite.gnutls], 'echo');
          assert.equal(ssl.cipher(), suite.memtls);
          const data = lines(big ? MiB : 64 * 1024, 17);
          await writeAll(ssl, sock, data);
          assert.equal(firstDifference(await readExactly(ssl, sock, data.length), data), null);
          await memtlsCloses(ssl, sock);
          await server.waitForOutput(new RegExp(`- Version: ${GNUTLS_VERSION[version].replace('.', '\\.')}`), 'stdout');
          assert.match(server.stdout(), new RegExp(`\\(${GNUTLS_VERSION[version].replace('.', '\\.')}-X\\.509\\).*\\(${suite.gnutls}\\)`));
        });
      }
    }

    if (version === 'TLSv1.2') {
      it('a memtls client at its defaults (TLS 1.2 to 1.3) reaches a TLS 1.2-only gnutls-serv with TLS 1.2 (no downgrade sentinel from it)', async () => {
        const ssl = new core.Ssl(new core.SslContext({ role: 'client', ca: pki.caPem }), { serverName: 'localhost' });
        const server = await startGnuTlsServer({ cert: pki.servers['ec-p256'].certPath, key: pki.servers['ec-p256'].keyPath, priority: gnutlsPriority('TLSv1.2') });
        const sock = await server.connect();
        await handshake(ssl, sock);
        assert.equal(ssl.version(), 'TLSv1.2');
        await writeAll(ssl, sock, utf8('ping\n'));
        assert.equal(text(await readExactly(ssl, sock, 5)), 'ping\n');
        await memtlsCloses(ssl, sock);
      });
    }

    it('client certificate: gnutls-serv --require-client-cert verifies memtls-client', async () => {
      const ssl = newClient({ cert: pki.client.certPem, key: pki.client.keyPem });
      const cred = pki.servers['ec-p256'];
      const server = await startGnuTlsServer({ cert: cred.certPath, key: cred.keyPath, priority: gnutlsPriority(version), requireClientCertCa: pki.caPath });
      const sock = await server.connect();
      await handshake(ssl, sock);
      assert.equal(ssl.version(), version);
      await writeAll(ssl, sock, utf8('mtls\n'));
      assert.equal(text(await readExactly(ssl, sock, 5)), 'mtls\n');
      await memtlsCloses(ssl, sock);
      await server.waitForOutput(/The certificate is trusted/, 'stdout');
      assert.match(server.stdout(), /Subject: CN=memtls-client\n/);
    });

    it('gnutls-serv closes first (HTTP mode): its page, its close_notify, then ours; shutdown returns 1', async () => {
      const ssl = newClient();
      const { sock } = await connect(pki.servers['ec-p384'], ssl, undefined, 'http');
      await writeAll(ssl, sock, utf8('GET / HTTP/1.0\r\n\r\n'));
      const page = text(await readUntilZeroReturn(ssl, sock));
      assert.match(page, /^HTTP\/1\.0 200 OK/);
      assert.match(page, new RegExp(`Protocol version:</TD><TD>${GNUTLS_VERSION[version]}<`));
      assert.equal(ssl.getShutdown(), 2, 'RECEIVED only');
      assert.equal(await shutdownLoop(ssl, sock), 1);
      assert.equal(ssl.getShutdown(), BOTH_SHUTDOWN);
      await endTransport(ssl, sock);
    });
  });

  describe(`interop: gnutls-cli → memtls server (${version})`, function () {
    this.timeout(60_000);
    let core: CoreApi;
    let pki: Pki;
    before(async () => {
      core = await loadCore();
      pki = await getPki();
    });
    afterEach(cleanupPeers);

    const newServer = (cred: Credential, opts: Omit<ContextOptions, 'role'> = {}): Ssl =>
      new core.Ssl(new core.SslContext({ role: 'server', cert: cred.certPem, key: cred.keyPem, ...pin(version), ...opts }));

    async function accept(ssl: Ssl, ciphers?: string[]) {
      const { port, accepted } = await acceptOne();
      const client = startGnuTlsClient({ port, priority: gnutlsPriority(version, ciphers), caFile: pki.caPath });
      const sock = await accepted;
      try {
        await handshake(ssl, sock);
      } catch (e) {
        throw new Error(`${(e as Error).message}\n${client.describe()}`);
      }
      assert.equal(ssl.version(), version);
      return { client, sock };
    }

    /** 64 KiB up (gnutls-cli stdin → memtls) and down (memtls → gnutls-cli stdout). */
    async function bothWays(ssl: Ssl, sock: net.Socket, client: ReturnType<typeof startGnuTlsClient>): Promise<void> {
      const up = lines(64 * 1024, 3);
      await client.write(up);
      assert.equal(firstDifference(await readExactly(ssl, sock, up.length), up), null);
      const down = lines(64 * 1024, 5);
      await writeAll(ssl, sock, down);
      await client.waitFor(() => client.stdoutLength() >= down.length, '64 KiB on gnutls-cli stdout', 30_000);
      assert.equal(firstDifference(client.stdoutBytes(), down), null);
    }

    for (const kt of SERVER_KEY_TYPES) {
      it(`${kt}: data both ways; gnutls-cli closes first (stdin EOF), memtls answers, gnutls-cli exits 0`, async () => {
        const ssl = newServer(pki.servers[kt]);
        const { client, sock } = await accept(ssl);
        await bothWays(ssl, sock, client);
        client.endInput();
        assert.equal((await readUntilZeroReturn(ssl, sock)).length, 0);
        assert.equal(await shutdownLoop(ssl, sock), 1, 'RECEIVED was set, so the first shutdown returns 1');
        assert.equal(ssl.getShutdown(), BOTH_SHUTDOWN);
        assert.equal(await client.exited(), 0, client.describe());
        await endTransport(ssl, sock);
        const log = client.msgs();
        assert.match(log, /- Peer has closed the GnuTLS connection/, 'gnutls-cli read our close_notify');
        assert.match(log, new RegExp(`- Description: \\(${GNUTLS_VERSION[version].replace('.', '\\.')}-X\\.509\\)`));
        // TLS 1.2: memtls negotiated the extended master secret (RFC 7627) and renegotiation_info (RFC 5746).
        if (version === 'TLSv1.2') assert.match(log, /- Options: extended master secret, safe renegotiation,/);
      });
    }

    if (version === 'TLSv1.2') {
      it('version negotiation: gnutls-cli at NORMAL (1.2 and 1.3) gets TLS 1.2 from a memtls server with maxVersion TLSv1.2 (no sentinel to trip on); a memtls server at its defaults gives a 1.2-only gnutls-cli TLS 1.2', async () => {
        for (const [serverOpts, priority] of [
          [{ maxVersion: 'TLSv1.2' }, 'NORMAL'],
          [{}, gnutlsPriority('TLSv1.2')],
        ] as const) {
          const ssl = new core.Ssl(new core.SslContext({ role: 'server', cert: pki.servers['ec-p256'].certPem, key: pki.servers['ec-p256'].keyPem, ...serverOpts }));
          const { port, accepted } = await acceptOne();
          const client = startGnuTlsClient({ port, priority, caFile: pki.caPath });
          const sock = await accepted;
          try {
            await handshake(ssl, sock);
          } catch (e) {
            throw new Error(`${(e as Error).message}\n${client.describe()}`);
          }
          assert.equal(ssl.version(), 'TLSv1.2', priority);
          await client.write('ping\n');
          assert.equal(text(await readExactly(ssl, sock, 5)), 'ping\n');
          client.endInput();
          await readUntilZeroReturn(ssl, sock);
          assert.equal(await shutdownLoop(ssl, sock), 1);
          assert.equal(await client.exited(), 0, client.describe());
          assert.match(client.msgs(), /- Description: \(TLS1\.2-X\.509\)/);
          await endTransport(ssl, sock);
        }
      });
    }

    it('client certificate: memtls (verifyPeer, requireClientCert) verifies gnutls-cli --x509certfile', async () => {
      const ssl = newServer(pki.servers['ec-p384'], { verifyPeer: true, requireClientCert: true, ca: pki.caPem });
      const { port, accepted } = await acceptOne();
      const client = startGnuTlsClient({ port, priority: gnutlsPriority(version), caFile: pki.caPath, cert: pki.client.certPath, key: pki.client.keyPath });
      const sock = await accepted;
      await handshake(ssl, sock);
      assert.equal(ssl.version(), version);
      assert.equal(ssl.verifyResult(), 'X509_V_OK');
      assert.equal(ssl.peerCertificates().length > 0, true);
      await client.write('mtls\n');
      assert.equal(text(await readExactly(ssl, sock, 5)), 'mtls\n');
      client.endInput();
      await readUntilZeroReturn(ssl, sock);
      assert.equal(await shutdownLoop(ssl, sock), 1);
      assert.equal(await client.exited(), 0, client.describe());
      await endTransport(ssl, sock);
    });

    it('memtls closes first: gnutls-cli reads our close_notify and exits 0 (without answering)', async () => {
      const ssl = newServer(pki.servers.rsa2048);
      const { client, sock } = await accept(ssl);
      await bothWays(ssl, sock, client);
      assert.equal(await shutdownLoop(ssl, sock, { bidirectional: false }), 0, 'close_notify sent');
      assert.equal(await client.exited(), 0, client.describe());
      assert.match(client.msgs(), /- Peer has closed the GnuTLS connection/);
      assert.equal(ssl.getShutdown(), 1, 'SENT only: gnutls-cli closes the socket without a close_notify');
      await endTransport(ssl, sock);
    });

    for (const cipher of CIPHERS) {
      const suite = { memtls: suiteName(version, cipher, 'ec-p256'), gnutls: cipher };
      it(`negotiates ${suite.memtls} when gnutls-cli offers only ${suite.gnutls}`, async () => {
        const ssl = newServer(pki.servers['ec-p256'], cryptoFor(suite.memtls));
        const { client, sock } = await accept(ssl, [suite.gnutls]);
        assert.equal(ssl.cipher(), suite.memtls);
        await client.write('ping\n');
        assert.equal(text(await readExactly(ssl, sock, 5)), 'ping\n');
        client.endInput();
        await readUntilZeroReturn(ssl, sock);
        assert.equal(await shutdownLoop(ssl, sock), 1);
        assert.equal(await client.exited(), 0, client.describe());
        await endTransport(ssl, sock);
      });
    }
  });
}
