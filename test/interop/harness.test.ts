/**
 * Sanity tests for the interop harness itself: they prove pki.ts, peers.ts and pump.ts against real
 * peers (openssl ↔ openssl, Node ↔ openssl) and a plaintext stand-in for `Ssl`. They say nothing about memtls.
 */
import { strict as assert } from 'node:assert';
import { X509Certificate } from 'node:crypto';
import net from 'node:net';
import type { Bio, PumpSsl } from './api.js';
import {
  acceptOne,
  cleanupPeers,
  collect,
  connectTcp,
  countMsgs,
  nodeTlsConnect,
  startNodeTlsServer,
  startOpenSslClient,
  startOpenSslServer,
} from './peers.js';
import { getPki, type Pki, SERVER_KEY_TYPES } from './pki.js';
import { endTransport, handshake, readExactly, readUntilZeroReturn, shutdownLoop, writeAll } from './pump.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

describe('interop harness (no memtls involved)', function () {
  this.timeout(30_000);
  let pki: Pki;
  before(async () => {
    pki = await getPki();
  });
  afterEach(cleanupPeers);

  describe('pki', () => {
    it('issues localhost/127.0.0.1 server leaves for every key type and a client leaf, all chaining to the CA', () => {
      const ca = new X509Certificate(pki.caPem);
      assert.ok(ca.ca);
      const expectKeyType = { 'ec-p256': 'ec', 'ec-p384': 'ec', rsa2048: 'rsa', ed25519: 'ed25519' } as const;
      for (const t of SERVER_KEY_TYPES) {
        const c = pki.servers[t];
        const leaf = new X509Certificate(c.certPem);
        assert.ok(leaf.verify(ca.publicKey), `${t} leaf is signed by the CA`);
        assert.ok(leaf.checkIssued(ca));
        assert.equal(leaf.checkHost('localhost'), 'localhost');
        assert.equal(leaf.checkIP('127.0.0.1'), '127.0.0.1');
        assert.equal(leaf.publicKey.asymmetricKeyType, expectKeyType[t]);
        assert.match(c.keyPem, /^-----BEGIN PRIVATE KEY-----/, 'PKCS#8');
        assert.equal(c.chainPem.match(/BEGIN CERTIFICATE/g)?.length, 2, 'chain = leaf + CA');
        assert.ok(c.chainPem.startsWith(c.certPem), 'leaf first');
      }
      assert.equal(new X509Certificate(pki.servers['ec-p384'].certPem).publicKey.asymmetricKeyDetails?.namedCurve, 'secp384r1');
      assert.equal(new X509Certificate(pki.servers.rsa2048.certPem).publicKey.asymmetricKeyDetails?.modulusLength, 2048);
      const client = new X509Certificate(pki.client.certPem);
      assert.ok(client.verify(ca.publicKey));
      assert.match(client.subject, /CN=memtls-client/);
      assert.ok(!new X509Certificate(pki.decoy.certPem).verify(ca.publicKey), 'the decoy is not signed by the test CA');
    });

    it('is generated once per run', async () => {
      assert.equal(await getPki(), pki);
    });
  });

  describe('openssl s_server wrapper', () => {
    for (const t of SERVER_KEY_TYPES) {
      it(`serves ${t} to a verifying Node tls client, reverses lines, answers close_notify and exits`, async () => {
        const cred = pki.servers[t];
        const server = await startOpenSslServer({ cert: cred.certPath, key: cred.keyPath });
        assert.ok(server.port > 0);
        const sock = await nodeTlsConnect(server.port, { ca: pki.caPem });
        assert.equal(sock.getProtocol(), 'TLSv1.3');
        const all = collect(sock);
        sock.end('hello harness\nsecond line\n'); // Node sends close_notify with end()
        assert.equal((await all).toString(), 'ssenrah olleh\nenil dnoces\n');
        assert.equal(await server.exited(), 0, server.describe());
      });
    }

    it('reports the SNI it saw and switches to -cert2 for it', async () => {
      const server = await startOpenSslServer({
        cert: pki.decoy.certPath,
        key: pki.decoy.keyPath,
        servername: 'localhost',
        cert2: pki.servers['ec-p256'].certPath,
        key2: pki.servers['ec-p256'].keyPath,
      });
      const sock = await nodeTlsConnect(server.port, { ca: pki.caPem, servername: 'localhost' });
      assert.ok(sock.authorized, 'the trusted -cert2 leaf was served');
      sock.end();
      await server.exited();
      assert.match(server.stdout() + server.stderr(), /Hostname in TLS extension: "localhost"/);
    });

    it('forces a HelloRetryRequest with -groups P-384 against an x25519-first client (seen as two ClientHellos)', async () => {
      const cred = pki.servers['ec-p256'];
      const server = await startOpenSslServer({ cert: cred.certPath, key: cred.keyPath, groups: ['P-384'] });
      const client = startOpenSslClient({ port: server.port, caFile: pki.caPath, groups: ['x25519', 'P-384'] });
      await client.write('hrr\n');
      await client.waitForOutput(/rrh\n/, 'stdout');
      client.endInput();
      assert.equal(await client.exited(), 0, client.describe());
      assert.equal(countMsgs(server.msgs(), '<<<', 'ClientHello'), 2, server.msgs());
      assert.equal(countMsgs(client.msgs(), '<<<', 'ServerHello'), 2, 'HRR is printed as a ServerHello by 3.0');
    });

    it('selects ALPN by its own preference order', async () => {
      const cred = pki.servers['ec-p256'];
      const server = await startOpenSslServer({ cert: cred.certPath, key: cred.keyPath, alpn: ['h2', 'http/1.1'] });
      const sock = await nodeTlsConnect(server.port, { ca: pki.caPem, ALPNProtocols: ['http/1.1', 'h2'] });
      assert.equal(sock.alpnProtocol, 'h2');
      sock.end();
      await server.exited();
      assert.match(server.stdout(), /ALPN protocols selected: h2/);
    });
  });

  describe('openssl s_client wrapper', () => {
    it('sends stdin, prints what it receives, sends KeyUpdates on K/k and close_notify at stdin EOF', async () => {
      const cred = pki.servers['ec-p256'];
      const server = await startOpenSslServer({ cert: cred.certPath, key: cred.keyPath, mode: 'stdio' });
      const client = startOpenSslClient({ port: server.port, caFile: pki.caPath, commands: true });
      await client.write('before\n');
      await server.waitForOutput(/^before$/m, 'stdout');
      await client.write('K\n');
      await client.waitForOutput(/KEYUPDATE/);
      await client.write('middle\n');
      await server.waitForOutput(/^middle$/m, 'stdout');
      await client.write('k\n');
      await client.waitFor(() => (client.stderr().match(/KEYUPDATE/g) ?? []).length === 2, 'second KEYUPDATE');
      await client.write('after\n');
      await server.waitForOutput(/^after$/m, 'stdout');
      await server.write('from server\n');
      await client.waitForOutput(/from server\n/, 'stdout');
      client.endInput();
      assert.equal(await client.exited(), 0, client.describe());
      await server.exited();
      assert.equal(countMsgs(server.msgs(), '<<<', 'KeyUpdate'), 2);
      assert.equal(countMsgs(server.msgs(), '>>>', 'KeyUpdate'), 1, 'only K requests an update back');
      assert.doesNotMatch(server.stdout(), /^[Kk]$/m, 'the command lines are not sent as data');
      assert.match(server.msgs(), /<<< TLS 1\.3, Alert \[length 0002\], warning close_notify/);
    });

    it('moves 256 KiB each way with a Node tls echo server', async () => {
      const cred = pki.servers.ed25519;
      const node = await startNodeTlsServer({ key: cred.keyPem, cert: cred.chainPem });
      const client = startOpenSslClient({ port: node.port, caFile: pki.caPath });
      const payload = Buffer.alloc(256 * 1024);
      for (let i = 0; i < payload.length; i++) payload[i] = 0x21 + ((i * 7) % 90);
      await client.write(payload);
      await client.waitFor(() => client.stdoutLength() >= payload.length, '256 KiB echoed');
      client.endInput();
      assert.equal(await client.exited(), 0, client.describe());
      assert.ok(client.stdoutBytes().equals(payload));
    });
  });

  describe('cleanup', () => {
    it('kills spawned processes in cleanupPeers', async () => {
      const cred = pki.servers['ec-p256'];
      const server = await startOpenSslServer({ cert: cred.certPath, key: cred.keyPath, naccept: 5 });
      assert.equal(server.hasExited(), false);
      await cleanupPeers();
      assert.equal(server.hasExited(), true);
    });
  });

  describe('pump (over a plaintext stand-in for Ssl)', () => {
    it('handshakes, writes, reads exactly, and reads until the peer closes', async () => {
      const echo = net.createServer((s) => s.pipe(s));
      await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
      try {
        const sock = await connectTcp((echo.address() as net.AddressInfo).port);
        const ssl = new PlainSsl();
        await handshake(ssl, sock);
        const data = new Uint8Array(300_000).map((_, i) => i & 0xff);
        await writeAll(ssl, sock, data);
        assert.deepEqual(await readExactly(ssl, sock, data.length), data);
        await writeAll(ssl, sock, enc.encode('tail'));
        sock.end(); // the echo server ends after echoing: EOF plays the peer's close_notify here
        assert.equal(dec.decode(await readUntilZeroReturn(ssl, sock)), 'tail');
        assert.equal(await shutdownLoop(ssl, sock), 1);
        await endTransport(ssl, sock);
      } finally {
        echo.close();
      }
    });

    it('fails with the call, the error name and the transport state when the peer stays silent', async () => {
      const { port, accepted } = await acceptOne();
      const sock = await connectTcp(port);
      await accepted;
      const ssl = new PlainSsl();
      await assert.rejects(readExactly(ssl, sock, 1, { timeoutMs: 200 }), /read \(0\/1 bytes read\) \(WANT_READ\): no bytes from the peer within 200 ms/);
    });
  });
});

/**
 * A plaintext stand-in with the Ssl return-code model: read returns -1/WANT_READ while rbio is empty and
 * 0/ZERO_RETURN at transport EOF. Only what pump.ts calls is meaningful.
 */
class PlainSsl implements PumpSsl {
  #rbio: Bio | null = null;
  #wbio: Bio | null = null;
  #last = 0;
  setBio(rbio: Bio, wbio: Bio): void {
    this.#rbio = rbio;
    this.#wbio = wbio;
  }
  async doHandshake(): Promise<number> {
    return 1;
  }
  async read(buf: Uint8Array): Promise<number> {
    const n = (this.#rbio as Bio).read(buf);
    this.#last = n > 0 ? 0 : n === 0 ? 6 : 2;
    return n;
  }
  async peek(buf: Uint8Array): Promise<number> {
    return this.read(buf);
  }
  async write(data: Uint8Array): Promise<number> {
    return (this.#wbio as Bio).write(data);
  }
  async shutdown(): Promise<number> {
    return 1;
  }
  getError(ret: number): number {
    return ret > 0 ? 0 : this.#last;
  }
  getShutdown(): number {
    return 0;
  }
  pending(): number {
    return 0;
  }
  isInitFinished(): boolean {
    return true;
  }
  version(): string | null {
    return null;
  }
  cipher(): string | null {
    return null;
  }
  alpnSelected(): string | null {
    return null;
  }
  keyUpdate(): number {
    return 1;
  }
  errorReason(): string | null {
    return null;
  }
  free(): void {}
}
