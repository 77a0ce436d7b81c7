/**
 * memtls ↔ Node `tls` (OpenSSL inside Node) interop, TLS 1.3 over real TCP on 127.0.0.1: both roles,
 * every server key type, 1 MiB each way, bidirectional close_notify, ALPN and client certificates.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import type tls from 'node:tls';
import { type ContextOptions, type CoreApi, loadCore, type Ssl } from './api.js';
import { firstDifference, MiB } from './payload.js';
import { acceptOne, cleanupPeers, collect, connectTcp, nodeTlsConnect, startNodeTlsServer } from './peers.js';
import { type Credential, getPki, type Pki, SERVER_KEY_TYPES } from './pki.js';
import { echoUntilZeroReturn, endTransport, handshake, readExactly, shutdownLoop, writeAll } from './pump.js';


const BOTH_SHUTDOWN = 3; // SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN

/** Resolves when `sock` emits 'end' (for TLS: the peer's close_notify, or a FIN). */
const ended = (sock: tls.TLSSocket) => new Promise<void>((resolve) => sock.once('end', resolve));

describe('interop: memtls client → Node tls.createServer', function () {
  this.timeout(60_000);
  let core: CoreApi;
  let pki: Pki;
  before(async () => {
    core = await loadCore();
    pki = await getPki();
  });
  afterEach(cleanupPeers);

  const newClient = (opts: Omit<ContextOptions, 'role'> = {}): Ssl =>
    new core.Ssl(new core.SslContext({ role: 'client', ca: pki.caPem, ...opts }), { serverName: 'localhost' });

  for (const kt of SERVER_KEY_TYPES) {
    it(`${kt}: echo 1 MiB each way, close_notify both ways`, async () => {
      const cred = pki.servers[kt];
      const node = await startNodeTlsServer({ key: cred.keyPem, cert: cred.certPem, ALPNProtocols: ['h2', 'http/1.1'] });
      const ssl = newClient({ alpn: ['http/1.1'] });
      const sock = await connectTcp(node.port);
      await handshake(ssl, sock);
      const conn = await node.firstConnection;
      const serverSawClose = ended(conn);
      assert.equal(ssl.version(), 'TLSv1.3');
      assert.equal(conn.getProtocol(), 'TLSv1.3');
      assert.equal(ssl.cipher(), conn.getCipher().standardName);
      assert.equal(ssl.alpnSelected(), 'http/1.1');
      assert.equal(conn.alpnProtocol, 'http/1.1');

      const data = new Uint8Array(randomBytes(MiB));
      await writeAll(ssl, sock, data);
      assert.equal(firstDifference(await readExactly(ssl, sock, data.length), data), null);

      // The pump has not sent a FIN, so Node's 'end' can only come from our close_notify; Node answers
      // with its own (allowHalfOpen: false), which our second shutdown call reads.
      assert.equal(await shutdownLoop(ssl, sock), 1);
      await serverSawClose;
      assert.equal(ssl.getShutdown(), BOTH_SHUTDOWN);
      await endTransport(ssl, sock);
      assert.deepEqual(node.errors, []);
    });
  }

  it('automatic KeyUpdates (limits.keyUpdateAfterRecords = 3): Node reads 1 MiB across 21 key changes and echoes it', async () => {
    const cred = pki.servers['ec-p256'];
    const node = await startNodeTlsServer({ key: cred.keyPem, cert: cred.certPem });
    const ssl = newClient({ limits: { keyUpdateAfterRecords: 3 } });
    const sock = await connectTcp(node.port);
    await handshake(ssl, sock);
    // Log what the client sends from now on, to count its KeyUpdate records (27 bytes with AES-128-GCM).
    const sent: Buffer[] = [];
    const write = sock.write.bind(sock) as (chunk: Uint8Array, cb?: (err?: Error | null) => void) => boolean;
    sock.write = ((chunk: Uint8Array, cb?: (err?: Error | null) => void) => {
      sent.push(Buffer.from(chunk));
      return write(chunk, cb);
    }) as typeof sock.write;
    const data = new Uint8Array(randomBytes(MiB));
    await writeAll(ssl, sock, data);
    assert.equal(firstDifference(await readExactly(ssl, sock, data.length), data), null);
    const wire = Buffer.concat(sent);
    let keyUpdates = 0;
    for (let o = 0; o + 5 <= wire.length; o += 5 + wire.readUInt16BE(o + 3)) if (wire.readUInt16BE(o + 3) === 22) keyUpdates++;
    assert.equal(keyUpdates, 21);
    assert.equal(await shutdownLoop(ssl, sock), 1);
    await endTransport(ssl, sock);
    assert.deepEqual(node.errors, []);
  });

  it('client certificate: Node requestCert + rejectUnauthorized authorizes memtls-client', async () => {
    const cred = pki.servers['ec-p256'];
    const node = await startNodeTlsServer({ key: cred.keyPem, cert: cred.certPem, ca: pki.caPem, requestCert: true, rejectUnauthorized: true });
    const ssl = newClient({ cert: pki.client.certPem, key: pki.client.keyPem });
    const sock = await connectTcp(node.port);
    await handshake(ssl, sock);
    const conn = await node.firstConnection;
    assert.equal(conn.authorized, true, String(conn.authorizationError));
    assert.equal(conn.getPeerCertificate().subject.CN, 'memtls-client');
    await writeAll(ssl, sock, new Uint8Array([1, 2, 3]));
    assert.deepEqual([...(await readExactly(ssl, sock, 3))], [1, 2, 3]);
    assert.equal(await shutdownLoop(ssl, sock), 1);
    await endTransport(ssl, sock);
  });
});

describe('interop: Node tls.connect → memtls server', function () {
  this.timeout(60_000);
  let core: CoreApi;
  let pki: Pki;
  before(async () => {
    core = await loadCore();
    pki = await getPki();
  });
  afterEach(cleanupPeers);

  const newServer = (cred: Credential, opts: Omit<ContextOptions, 'role'> = {}): Ssl =>
    new core.Ssl(new core.SslContext({ role: 'server', cert: cred.certPem, key: cred.keyPem, ...opts }));

  /** Node connects (verifying memtls's certificate for localhost) while memtls runs its handshake. */
  async function connect(ssl: Ssl, options: tls.ConnectionOptions = {}) {
    const { port, accepted } = await acceptOne();
    const clientP = nodeTlsConnect(port, { ca: pki.caPem, ...options });
    const sock = await accepted;
    const [client] = await Promise.all([clientP, handshake(ssl, sock)]);
    assert.equal(client.authorized, true, String(client.authorizationError));
    assert.equal(ssl.version(), 'TLSv1.3');
    assert.equal(client.getProtocol(), 'TLSv1.3');
    assert.equal(ssl.cipher(), client.getCipher().standardName);
    return { client, sock };
  }

  for (const kt of SERVER_KEY_TYPES) {
    it(`${kt}: echo 1 MiB each way, close_notify both ways`, async () => {
      const ssl = newServer(pki.servers[kt], { alpn: ['h2', 'http/1.1'] });
      const { client, sock } = await connect(ssl, { ALPNProtocols: ['http/1.1'] });
      assert.equal(ssl.alpnSelected(), 'http/1.1');
      assert.equal(client.alpnProtocol, 'http/1.1');

      const data = randomBytes(MiB);
      const received = collect(client); // until memtls's close_notify
      const echo = echoUntilZeroReturn(ssl, sock);
      client.write(data);
      await new Promise<void>((resolve) => {
        let n = 0;
        const onData = (d: Buffer) => {
          n += d.length;
          if (n >= data.length) {
            client.off('data', onData);
            resolve();
          }
        };
        client.on('data', onData);
      });
      client.end(); // close_notify (then FIN) from Node
      assert.equal(await echo, data.length, 'memtls echoed everything, then read ZERO_RETURN');
      assert.equal(await shutdownLoop(ssl, sock), 1, 'RECEIVED was set, so the first shutdown returns 1');
      assert.equal(ssl.getShutdown(), BOTH_SHUTDOWN);
      await endTransport(ssl, sock);
      const back = await received;
      assert.equal(firstDifference(back, data), null);
    });
  }

  it('half-close: Node ends right after writing; memtls keeps echoing until it reads the close_notify', async () => {
    const ssl = newServer(pki.servers['ec-p384']);
    const { client, sock } = await connect(ssl);
    const data = randomBytes(256 * 1024);
    const received = collect(client);
    client.end(data);
    assert.equal(await echoUntilZeroReturn(ssl, sock), data.length);
    assert.equal(await shutdownLoop(ssl, sock), 1);
    await endTransport(ssl, sock);
    assert.equal(firstDifference(await received, data), null);
  });

  it('client certificate: memtls verifyPeer accepts a Node client certificate', async () => {
    const ssl = newServer(pki.servers.rsa2048, { verifyPeer: true, ca: pki.caPem });
    const { client, sock } = await connect(ssl, { cert: pki.client.certPem, key: pki.client.keyPem });
    const received = collect(client);
    client.end('mtls');
    assert.equal(await echoUntilZeroReturn(ssl, sock), 4);
    assert.equal(await shutdownLoop(ssl, sock), 1);
    await endTransport(ssl, sock);
    assert.equal((await received).toString(), 'mtls');
  });
});
