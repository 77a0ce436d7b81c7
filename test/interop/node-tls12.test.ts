/**
 * memtls ↔ Node `tls` (OpenSSL inside Node) with TLS 1.2, over real TCP on 127.0.0.1: both roles, each of the
 * six TLS 1.2 suites (ECDHE_ECDSA with the P-256 certificate, ECDHE_RSA with the RSA one), data both ways,
 * close_notify both ways, and both ends agreeing on the version (`version()` / `getProtocol()`) and the suite
 * (`cipher()` / `getCipher().standardName`). Node is pinned with `maxVersion: 'TLSv1.2'`, memtls with
 * `maxVersion: 'TLSv1.2'` in one direction and left at its defaults (1.2 to 1.3) in the other.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import type tls from 'node:tls';
import { createNodeCryptoProvider, opensslSuiteName } from '@memtls/node';
import { type ContextOptions, type CoreApi, loadCore } from './api.js';
import { firstDifference } from './payload.js';
import { acceptOne, cleanupPeers, collect, connectTcp, nodeTlsConnect, startNodeTlsServer } from './peers.js';
import { type Credential, getPki, type Pki } from './pki.js';
import { echoUntilZeroReturn, endTransport, handshake, readExactly, shutdownLoop, writeAll } from './pump.js';

const BOTH_SHUTDOWN = 3; // SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN
const SIZE = 256 * 1024;

/** The TLS 1.2 suites and the certificate each needs. */
const SUITES = [
  { suite: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', key: 'ec-p256' },
  { suite: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', key: 'ec-p256' },
  { suite: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', key: 'ec-p256' },
  { suite: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', key: 'rsa2048' },
  { suite: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', key: 'rsa2048' },
  { suite: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', key: 'rsa2048' },
] as const;

/** ChaCha20-Poly1305 needs a provider that has it (node:crypto here). */
const cryptoFor = (suite: string): Pick<ContextOptions, 'crypto'> => (suite.includes('CHACHA20') ? { crypto: createNodeCryptoProvider() } : {});

const ended = (sock: tls.TLSSocket) => new Promise<void>((resolve) => sock.once('end', resolve));

describe('interop: memtls client (maxVersion TLSv1.2) → Node tls.createServer (maxVersion TLSv1.2)', function () {
  this.timeout(60_000);
  let core: CoreApi;
  let pki: Pki;
  before(async () => {
    core = await loadCore();
    pki = await getPki();
  });
  afterEach(cleanupPeers);

  for (const { suite, key } of SUITES) {
    it(`${suite}: echo ${SIZE / 1024} KiB each way, close_notify both ways, both ends agree`, async () => {
      const cred: Credential = pki.servers[key];
      const node = await startNodeTlsServer({ key: cred.keyPem, cert: cred.certPem, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: opensslSuiteName(suite) });
      const ssl = new core.Ssl(
        new core.SslContext({ role: 'client', ca: pki.caPem, maxVersion: 'TLSv1.2', cipherSuites: [suite], ...cryptoFor(suite) }),
        { serverName: 'localhost' },
      );
      const sock = await connectTcp(node.port);
      await handshake(ssl, sock);
      const conn = await node.firstConnection;
      const serverSawClose = ended(conn);
      assert.equal(ssl.version(), 'TLSv1.2');
      assert.equal(conn.getProtocol(), 'TLSv1.2');
      assert.equal(ssl.cipher(), suite);
      assert.equal(conn.getCipher().standardName, suite);
      const data = new Uint8Array(randomBytes(SIZE));
      await writeAll(ssl, sock, data);
      assert.equal(firstDifference(await readExactly(ssl, sock, data.length), data), null);
      assert.equal(await shutdownLoop(ssl, sock), 1);
      await serverSawClose;
      assert.equal(ssl.getShutdown(), BOTH_SHUTDOWN);
      await endTransport(ssl, sock);
      assert.deepEqual(node.errors, []);
    });
  }
});

describe('interop: Node tls.connect (maxVersion TLSv1.2) → memtls server (default versions)', function () {
  this.timeout(60_000);
  let core: CoreApi;
  let pki: Pki;
  before(async () => {
    core = await loadCore();
    pki = await getPki();
  });
  afterEach(cleanupPeers);

  for (const { suite, key } of SUITES) {
    it(`${suite}: Node sends ${SIZE / 1024} KiB, memtls echoes, Node closes, both ends agree`, async () => {
      const cred = pki.servers[key];
      const ssl = new core.Ssl(new core.SslContext({ role: 'server', cert: cred.certPem, key: cred.keyPem, ...cryptoFor(suite) }));
      const { port, accepted } = await acceptOne();
      const clientP = nodeTlsConnect(port, { ca: pki.caPem, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: opensslSuiteName(suite) });
      const sock = await accepted;
      await handshake(ssl, sock);
      const client = await clientP;
      assert.equal(ssl.version(), 'TLSv1.2');
      assert.equal(client.getProtocol(), 'TLSv1.2');
      assert.equal(ssl.cipher(), suite);
      assert.equal(client.getCipher().standardName, suite);
      const data = new Uint8Array(randomBytes(SIZE));
      const back = collect(client, 30_000);
      client.write(data);
      client.end(); // close_notify after the data; Node answers nothing more once ours arrives
      const echoed = echoUntilZeroReturn(ssl, sock);
      assert.equal(await echoed, data.length);
      assert.equal(await shutdownLoop(ssl, sock), 1, 'RECEIVED was set, so the first shutdown returns 1');
      assert.equal(ssl.getShutdown(), BOTH_SHUTDOWN);
      await endTransport(ssl, sock);
      assert.equal(firstDifference(new Uint8Array(await back), data), null);
    });
  }
});
