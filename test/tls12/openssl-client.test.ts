/**
 * TLS 1.2 interop: memtls client → `openssl s_server -tls1_2` (OpenSSL 3.0 CLI) over TCP on 127.0.0.1.
 * Every suite × group with 1 MiB each way; s_server's `r` command (HelloRequest) leaves data flowing; a plain,
 * 1.3-capable s_server (DOWNGRD01 in its random) is accepted by a client limited to TLS 1.2, and a proxy that strips
 * supported_versions from the ClientHello in front of it makes the 1.3-capable memtls client abort.
 */
import { strict as assert } from 'node:assert';
import net from 'node:net';
import { type ContextOptions, createWebCryptoProvider, Ssl, SslContext } from '@memtls/core';
import { createNodeCryptoProvider } from '@memtls/node';
import { firstDifference, revPayload, text, utf8 } from '../interop/payload.js';
import { cleanupPeers, connectTcp, OpenSslProcess } from '../interop/peers.js';
import { getPki, type Pki } from '../interop/pki.js';
import { endTransport, handshake, readExactly, shutdownLoop, writeAll } from '../interop/pump.js';

/** The WebCrypto provider: AES-GCM from WebCrypto, ChaCha20-Poly1305 from @noble/ciphers (what browsers get). */
const provider = createWebCryptoProvider(globalThis.crypto);
const SUITES = [
  { iana: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', openssl: 'ECDHE-ECDSA-AES128-GCM-SHA256', cert: 'ec-p256' },
  { iana: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', openssl: 'ECDHE-RSA-AES128-GCM-SHA256', cert: 'rsa2048' },
  { iana: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', openssl: 'ECDHE-ECDSA-AES256-GCM-SHA384', cert: 'ec-p256' },
  { iana: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', openssl: 'ECDHE-RSA-AES256-GCM-SHA384', cert: 'rsa2048' },
  { iana: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', openssl: 'ECDHE-ECDSA-CHACHA20-POLY1305', cert: 'ec-p256' },
  { iana: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', openssl: 'ECDHE-RSA-CHACHA20-POLY1305', cert: 'rsa2048' },
] as const;
const GROUPS = [
  { memtls: 'x25519', openssl: 'x25519' },
  { memtls: 'secp256r1', openssl: 'P-256' },
  { memtls: 'secp384r1', openssl: 'P-384' },
] as const;

/** `openssl s_server` on 127.0.0.1 with `args`; resolves once it accepts, with its port. */
async function sServer(args: string[]): Promise<OpenSslProcess & { port: number }> {
  const p = new OpenSslProcess(['s_server', '-accept', '127.0.0.1:0', '-naccept', '1', ...args], { timeoutMs: 60_000 });
  const re = /^ACCEPT 127\.0\.0\.1:(\d+)$/m;
  await p.waitFor(() => re.test(p.stdout()), 'the ACCEPT line', 10_000);
  return Object.assign(p, { port: Number(re.exec(p.stdout())?.[1]) });
}

describe('TLS 1.2 interop: memtls client → openssl s_server -tls1_2', function () {
  this.timeout(60_000);
  let pki: Pki;
  before(async () => {
    pki = await getPki();
  });
  afterEach(cleanupPeers);

  const client = (opts: Omit<ContextOptions, 'role'> = {}) => new Ssl(new SslContext({ role: 'client', ca: pki.caPem, crypto: provider, ...opts }), { serverName: 'localhost' });

  async function connect(port: number, ssl: Ssl, server: OpenSslProcess): Promise<net.Socket> {
    const sock = await connectTcp(port);
    try {
      await handshake(ssl, sock);
    } catch (e) {
      throw new Error(`${(e as Error).message} (${ssl.lastErrorDetail()?.detail})\n${server.describe()}`);
    }
    return sock;
  }

  async function pingAndClose(server: OpenSslProcess, ssl: Ssl, sock: net.Socket): Promise<void> {
    await writeAll(ssl, sock, utf8('ping from memtls\n'));
    assert.equal(text(await readExactly(ssl, sock, 17)), 'sltmem morf gnip\n');
    assert.equal(await shutdownLoop(ssl, sock), 1, 'our close_notify sent and theirs received');
    await endTransport(ssl, sock);
    assert.equal(await server.exited(), 0, server.describe());
  }

  for (const suite of SUITES) {
    for (const g of GROUPS) {
      it(`${suite.iana} over ${g.memtls}: 1 MiB each way`, async () => {
        const cred = pki.servers[suite.cert];
        const server = await sServer(['-tls1_2', '-rev', '-cert', cred.certPath, '-key', cred.keyPath, '-cipher', suite.openssl, '-groups', g.openssl]);
        // The default client (TLS 1.2 and 1.3): a genuine TLS 1.2 server sets no downgrade sentinel.
        const ssl = client({ groups: [g.memtls, 'secp256r1'] });
        const sock = await connect(server.port, ssl, server);
        assert.equal(ssl.version(), 'TLSv1.2');
        assert.equal(ssl.cipher(), suite.iana);
        assert.equal(ssl.group(), g.memtls);
        assert.equal(ssl.verifyResult(), 'X509_V_OK');
        const { sent, expected } = revPayload(1024, 1023);
        await writeAll(ssl, sock, sent);
        assert.equal(firstDifference(await readExactly(ssl, sock, expected.length), expected), null);
        await pingAndClose(server, ssl, sock);
      });
    }
  }

  it("s_server's r command (HelloRequest): the client ignores it and data keeps flowing", async () => {
    const cred = pki.servers['ec-p256'];
    const server = await sServer(['-tls1_2', '-cert', cred.certPath, '-key', cred.keyPath, '-msg']);
    const ssl = client();
    const sock = await connect(server.port, ssl, server);
    await writeAll(ssl, sock, utf8('before\n'));
    await server.waitForOutput(/before/, 'stdout');
    await server.write('r\n');
    await server.waitFor(() => /HelloRequest/.test(server.stdout()), 'the HelloRequest', 10_000);
    await server.write('after the HelloRequest\n');
    assert.equal(text(await readExactly(ssl, sock, 23)), 'after the HelloRequest\n');
    await writeAll(ssl, sock, utf8('still here\n'));
    await server.waitForOutput(/still here/, 'stdout');
    assert.doesNotMatch(server.stdout(), /ClientHello[\s\S]*ClientHello/, 'no second ClientHello');
    assert.doesNotMatch(server.stdout() + server.stderr(), /alert/i);
  });

  it('an Ed25519 server certificate (ECDHE_ECDSA suites, RFC 8422 §5.1)', async () => {
    const cred = pki.servers.ed25519;
    const server = await sServer(['-tls1_2', '-rev', '-cert', cred.certPath, '-key', cred.keyPath]);
    const ssl = client();
    const sock = await connect(server.port, ssl, server);
    assert.match(ssl.cipher() ?? '', /^TLS_ECDHE_ECDSA_/);
    await pingAndClose(server, ssl, sock);
  });

  for (const [name, crypto] of [
    ['WebCrypto', undefined],
    ['node:crypto', createNodeCryptoProvider()],
  ] as const) {
    it(`a P-384 server certificate signing ServerKeyExchange with SHA-256, as TLS 1.2 allows (${name} provider)`, async () => {
      // RFC 5246 §7.4.1.4.1 / RFC 8422 §5.1.1: in TLS 1.2 ecdsa_secp256r1_sha256 (0x0403) names the hash only.
      const cred = pki.servers['ec-p384'];
      const server = await sServer(['-tls1_2', '-rev', '-cert', cred.certPath, '-key', cred.keyPath, '-sigalgs', 'ECDSA+SHA256']);
      const ssl = client(crypto === undefined ? {} : { crypto });
      const sock = await connect(server.port, ssl, server);
      assert.match(ssl.cipher() ?? '', /^TLS_ECDHE_ECDSA_/);
      await pingAndClose(server, ssl, sock);
    });
  }

  it('a server offering only CBC suites: handshake_failure (the server finds no shared cipher)', async () => {
    const cred = pki.servers.rsa2048;
    const server = await sServer(['-tls1_2', '-rev', '-cert', cred.certPath, '-key', cred.keyPath, '-cipher', 'AES128-SHA:ECDHE-RSA-AES128-SHA']);
    const ssl = client();
    const sock = await connectTcp(server.port);
    await assert.rejects(handshake(ssl, sock), /handshake failure/);
    assert.equal(ssl.lastErrorDetail()?.receivedAlert, 40);
    await server.waitFor(() => /no shared cipher/.test(server.stdout() + server.stderr()), 'no shared cipher', 10_000);
  });

  it('mTLS: s_server -Verify requires the client certificate, which memtls sends and proves (CertificateVerify)', async () => {
    const cred = pki.servers.rsa2048;
    const server = await sServer(['-tls1_2', '-rev', '-cert', cred.certPath, '-key', cred.keyPath, '-Verify', '2', '-verify_return_error', '-CAfile', pki.caPath]);
    const ssl = client({ cert: pki.client.certPem, key: pki.client.keyPem });
    const sock = await connect(server.port, ssl, server);
    assert.equal(ssl.version(), 'TLSv1.2');
    await pingAndClose(server, ssl, sock);
    assert.match(server.stderr() + server.stdout(), /verify return:1/);
  });

  it('a client limited to TLS 1.2 accepts the DOWNGRD01 of a 1.3-capable s_server', async () => {
    const cred = pki.servers['ec-p256'];
    const server = await sServer(['-rev', '-cert', cred.certPath, '-key', cred.keyPath]);
    const ssl = client({ maxVersion: 'TLSv1.2' });
    const sock = await connect(server.port, ssl, server);
    assert.equal(ssl.version(), 'TLSv1.2');
    await pingAndClose(server, ssl, sock);
  });

  it('a proxy strips supported_versions in front of a 1.3-capable s_server: the 1.3-capable client aborts with illegal_parameter', async () => {
    const cred = pki.servers['ec-p256'];
    const server = await sServer(['-rev', '-cert', cred.certPath, '-key', cred.keyPath]);
    const proxy = await stripSupportedVersionsProxy(server.port);
    try {
      const ssl = client();
      const sock = await connectTcp(proxy.port);
      await assert.rejects(handshake(ssl, sock), /inappropriate fallback/);
      assert.equal(ssl.lastErrorDetail()?.reason, 'DOWNGRADE_DETECTED');
      assert.equal(ssl.lastErrorDetail()?.alert, 47);
      sock.destroy();
    } finally {
      proxy.close();
    }
  });
});

/** The ClientHello with supported_versions (43) removed, lengths fixed: a downgrade attacker's rewrite. */
export function stripSupportedVersions(record: Uint8Array): Uint8Array {
  const b = Buffer.from(record);
  let off = 5 + 4 + 2 + 32;
  off += 1 + (b[off] as number); // session id
  off += 2 + b.readUInt16BE(off); // cipher suites
  off += 1 + (b[off] as number); // compression
  const extStart = off + 2;
  const extEnd = extStart + b.readUInt16BE(off);
  const kept: Buffer[] = [];
  for (let p = extStart; p < extEnd; ) {
    const type = b.readUInt16BE(p);
    const len = b.readUInt16BE(p + 2);
    if (type !== 43) kept.push(b.subarray(p, p + 4 + len));
    p += 4 + len;
  }
  const exts = Buffer.concat(kept);
  const body = Buffer.concat([b.subarray(9, off), Buffer.from([exts.length >> 8, exts.length & 0xff]), exts]);
  const hs = Buffer.concat([Buffer.from([1, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]), body]);
  return Buffer.concat([Buffer.from([22, b[1] as number, b[2] as number, hs.length >> 8, hs.length & 0xff]), hs]);
}

/** A TCP proxy on 127.0.0.1 that rewrites the first client record (the ClientHello) with stripSupportedVersions. */
async function stripSupportedVersionsProxy(target: number): Promise<net.Server & { port: number }> {
  const server = net.createServer((down) => {
    const up = net.connect({ host: '127.0.0.1', port: target });
    let first: Buffer | null = Buffer.alloc(0);
    down.on('data', (d: Buffer) => {
      if (first === null) {
        up.write(d);
        return;
      }
      first = Buffer.concat([first, d]);
      if (first.length < 5 || first.length < 5 + first.readUInt16BE(3)) return;
      const len = 5 + first.readUInt16BE(3);
      up.write(stripSupportedVersions(first.subarray(0, len)));
      up.write(first.subarray(len));
      first = null;
    });
    up.pipe(down);
    down.on('error', () => up.destroy());
    up.on('error', () => down.destroy());
    down.on('close', () => up.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return Object.assign(server, { port: (server.address() as net.AddressInfo).port });
}
