/**
 * Mutual TLS against the real OpenSSL 3.0 CLI on 127.0.0.1, with the test PKI of test/trust/pki.ts.
 *
 * `openssl s_client -cert -key` → memtls server requiring a client certificate (good, none, expired), and
 * memtls client with a certificate → `openssl s_server -Verify 1 -verify_return_error` (good, expired).
 * memtls contexts use the injected clock (2030); OpenSSL uses the real time: the PKI's dates hold for both.
 */
import { strict as assert } from 'node:assert';
import type net from 'node:net';
import { SSL_ERROR_SSL, Ssl, SslContext } from '@memtls/core';
import { NOW, type TrustPki, trustPki } from '../trust/pki.js';
import { acceptOne, cleanupPeers, connectTcp, type OpenSslProcess, startOpenSslClient, startOpenSslServer } from './peers.js';
import { pumpFor, readExactly, writeAll } from './pump.js';

const clock = () => NOW;
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** Run a handshake step by step; returns doHandshake's final return value and getError. */
async function tryHandshake(ssl: Ssl, sock: net.Socket): Promise<{ ret: number; err: number }> {
  return pumpFor(ssl, sock).drive('doHandshake', () => ssl.doHandshake());
}

describe('interop mTLS: openssl s_client → memtls server requiring a client certificate', function () {
  this.timeout(30_000);
  let pki: TrustPki;
  let intPath: string;
  before(() => {
    pki = trustPki();
    intPath = pki.certPath('int');
  });
  afterEach(cleanupPeers);

  async function serve(clientCert?: 'client' | 'clientExpired'): Promise<{ ssl: Ssl; sock: net.Socket; client: OpenSslProcess }> {
    const ctx = new SslContext({ role: 'server', cert: pki.chain('server', 'int'), key: pki.key('server'), ca: pki.pem('root'), verifyPeer: true, now: clock });
    const ssl = new Ssl(ctx);
    const { port, accepted } = await acceptOne();
    const client = startOpenSslClient({
      port,
      caFile: pki.certPath('root'),
      ...(clientCert ? { cert: pki.certPath(clientCert), key: pki.keyPath(clientCert), extraArgs: ['-cert_chain', intPath] } : {}),
    });
    return { ssl, sock: await accepted, client };
  }

  it('a good clientAuth certificate: handshake completes, data flows both ways', async () => {
    const { ssl, sock, client } = await serve('client');
    const r = await tryHandshake(ssl, sock);
    assert.equal(r.ret, 1, `memtls server: ${ssl.errorReason()}\n${client.describe()}`);
    assert.equal(ssl.verifyResult(), 'X509_V_OK');
    assert.equal(ssl.peerCertificates().length, 2);
    await client.write('ping\n');
    assert.equal(dec(await readExactly(ssl, sock, 5)), 'ping\n');
    await writeAll(ssl, sock, enc('pong\n'));
    await client.waitForOutput(/pong/, 'stdout');
  });

  it('no certificate: refused with certificate_required, s_client reports the alert', async () => {
    const { ssl, sock, client } = await serve();
    const r = await tryHandshake(ssl, sock);
    assert.equal(r.ret, -1);
    assert.equal(r.err, SSL_ERROR_SSL);
    assert.equal(ssl.errorReason(), 'peer did not return a certificate');
    assert.equal(ssl.lastErrorDetail()?.alert, 116);
    await client.waitForOutput(/tlsv13 alert certificate required/);
    assert.equal(await client.exited(), 1, client.describe());
    assert.equal(client.stdoutLength(), 0, 'no application data reached s_client');
  });

  it('an expired client certificate: refused with certificate_expired', async () => {
    const { ssl, sock, client } = await serve('clientExpired');
    const r = await tryHandshake(ssl, sock);
    assert.equal(r.ret, -1);
    assert.equal(r.err, SSL_ERROR_SSL);
    assert.equal(ssl.errorReason(), 'certificate verify failed');
    assert.equal(ssl.verifyResult(), 'X509_V_ERR_CERT_HAS_EXPIRED');
    assert.equal(ssl.lastErrorDetail()?.alert, 45);
    await client.waitForOutput(/sslv3 alert certificate expired/);
    assert.equal(await client.exited(), 1, client.describe());
    assert.equal(client.stdoutLength(), 0, 'no application data reached s_client');
  });
});

describe('interop mTLS: memtls client with a certificate → openssl s_server -Verify 1', function () {
  this.timeout(30_000);
  let pki: TrustPki;
  before(() => {
    pki = trustPki();
  });
  afterEach(cleanupPeers);

  async function connect(clientCert: 'client' | 'clientExpired') {
    const server = await startOpenSslServer({
      cert: pki.certPath('server'),
      key: pki.keyPath('server'),
      chain: pki.certPath('int'),
      caFile: pki.certPath('root'),
      extraArgs: ['-Verify', '1', '-verify_return_error'],
    });
    const ctx = new SslContext({ role: 'client', ca: pki.pem('root'), cert: pki.chain(clientCert, 'int'), key: pki.key(clientCert), now: clock });
    const ssl = new Ssl(ctx, { serverName: 'localhost' });
    const sock = await connectTcp(server.port);
    return { server, ssl, sock };
  }

  it('a good certificate: handshake completes, s_server -rev answers', async () => {
    const { server, ssl, sock } = await connect('client');
    const r = await tryHandshake(ssl, sock);
    assert.equal(r.ret, 1, `memtls client: ${ssl.errorReason()}\n${server.describe()}`);
    assert.equal(ssl.verifyResult(), 'X509_V_OK');
    await writeAll(ssl, sock, enc('hello\n'));
    assert.equal(dec(await readExactly(ssl, sock, 6)), 'olleh\n', server.describe());
  });

  it('an expired certificate: s_server refuses it (certificate_expired), the client reads the alert', async () => {
    const { server, ssl, sock } = await connect('clientExpired');
    // TLS 1.3: the client's side of the handshake completes before the server has checked its certificate.
    const r = await tryHandshake(ssl, sock);
    assert.equal(r.ret, 1, `memtls client: ${ssl.errorReason()}`);
    const read = await pumpFor(ssl, sock).drive('read', () => ssl.read(new Uint8Array(64)));
    assert.equal(read.ret, 0, `read: ${ssl.errorReason()}\n${server.describe()}`);
    assert.equal(read.err, SSL_ERROR_SSL);
    assert.equal(ssl.errorReason(), 'sslv3 alert certificate expired');
    assert.equal(ssl.lastErrorDetail()?.receivedAlert, 45);
    await server.waitForOutput(/verify error:num=10:certificate has expired/);
  });
});
