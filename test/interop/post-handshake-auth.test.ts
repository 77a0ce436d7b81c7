/**
 * Post-handshake client authentication (RFC 8446 §4.6.2) against OpenSSL 3.0 on 127.0.0.1:
 * - `openssl s_client -enable_pha -cert -key` → memtls server (verifyPeer, postHandshakeAuth): the request goes
 *   out with the next write, s_client answers in its read, memtls verifies the chain; without -enable_pha the
 *   request is refused ("extension not received").
 * - memtls client (postHandshakeAuth, cert, key) → `openssl s_server -CAfile` without `-verify`, then its `c`
 *   command: s_server sends the CertificateRequest and receives Certificate, CertificateVerify, Finished; a client
 *   that did not offer PHA makes s_server print "Failed to initiate request".
 */
import { strict as assert } from 'node:assert';
import type net from 'node:net';
import { type CoreApi, loadCore, type Ssl } from './api.js';
import { acceptOne, cleanupPeers, connectTcp, countMsgs, type OpenSslProcess, startOpenSslClient, startOpenSslServer } from './peers.js';
import { getPki, type Pki } from './pki.js';
import { handshake, readExactly, writeAll } from './pump.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe('interop: post-handshake client authentication with OpenSSL 3.0', function () {
  this.timeout(60_000);
  let core: CoreApi;
  let pki: Pki;
  before(async () => {
    core = await loadCore();
    pki = await getPki();
  });
  afterEach(cleanupPeers);

  async function serve(enablePha: boolean): Promise<{ ssl: Ssl; sock: net.Socket; client: OpenSslProcess }> {
    const s = pki.servers['ec-p256'];
    const ctx = new core.SslContext({ role: 'server', cert: s.chainPem, key: s.keyPem, ca: pki.caPem, verifyPeer: true, postHandshakeAuth: true });
    const ssl = new core.Ssl(ctx);
    const { port, accepted } = await acceptOne();
    const client = startOpenSslClient({ port, caFile: pki.caPath, cert: pki.client.certPath, key: pki.client.keyPath, extraArgs: enablePha ? ['-enable_pha'] : [] });
    const sock = await accepted;
    await handshake(ssl, sock);
    return { ssl, sock, client };
  }

  it('openssl s_client -enable_pha → memtls server: asked after the handshake, the chain verified', async () => {
    const { ssl, sock, client } = await serve(true);
    assert.equal(ssl.peerCertificates().length, 0, 'nothing asked in the handshake');
    assert.equal(ssl.verifyClientPostHandshake(), 1);
    await writeAll(ssl, sock, enc('who are you?\n'));
    await client.waitForOutput(/who are you\?/, 'stdout');
    await client.write('me\n');
    assert.equal(dec(await readExactly(ssl, sock, 3)), 'me\n');
    assert.equal(ssl.verifyResult(), 'X509_V_OK');
    // s_client sends its chain as OpenSSL builds it from -CAfile: the leaf first.
    assert.ok(ssl.peerCertificates().length >= 1);
    const trace = client.msgs();
    assert.equal(countMsgs(trace, '<<<', 'CertificateRequest'), 1, trace);
    assert.equal(countMsgs(trace, '>>>', 'Certificate'), 1, trace);
    assert.equal(countMsgs(trace, '>>>', 'CertificateVerify'), 1, trace);
    assert.equal(countMsgs(trace, '>>>', 'Finished'), 2, trace);
    // A second exchange works the same way.
    assert.equal(ssl.verifyClientPostHandshake(), 1);
    await writeAll(ssl, sock, enc('again\n'));
    await client.waitForOutput(/again/, 'stdout');
    await client.write('still me\n');
    assert.equal(dec(await readExactly(ssl, sock, 9)), 'still me\n');
    assert.equal(countMsgs(client.msgs(), '>>>', 'Finished'), 3);
    assert.equal(ssl.verifyResult(), 'X509_V_OK');
  });

  it('openssl s_client without -enable_pha: the request is refused, "extension not received"', async () => {
    const { ssl } = await serve(false);
    assert.equal(ssl.verifyClientPostHandshake(), 0);
    assert.equal(ssl.errorReason(), 'extension not received');
  });

  async function connectToServer(pha: boolean): Promise<{ ssl: Ssl; sock: net.Socket; server: OpenSslProcess }> {
    const s = pki.servers['ec-p256'];
    const server = await startOpenSslServer({ cert: s.certPath, key: s.keyPath, caFile: pki.caPath, mode: 'stdio' });
    const ctx = new core.SslContext({ role: 'client', ca: pki.caPem, cert: pki.client.certPem, key: pki.client.keyPem, postHandshakeAuth: pha });
    const ssl = new core.Ssl(ctx, { serverName: 'localhost' });
    const sock = await connectTcp(server.port);
    await handshake(ssl, sock);
    return { ssl, sock, server };
  }

  it("memtls client → openssl s_server, its 'c' command: Certificate, CertificateVerify, Finished received", async () => {
    const { ssl, sock, server } = await connectToServer(true);
    await server.write('c\n');
    // One command per stdin read: wait until s_server has sent the request before giving it data.
    await server.waitFor(() => countMsgs(server.msgs(), '>>>', 'CertificateRequest') === 1, 'the CertificateRequest', 10_000);
    await server.write('hello\n');
    // The client meets the CertificateRequest before the data and answers it in this read.
    assert.equal(dec(await readExactly(ssl, sock, 6)), 'hello\n');
    await writeAll(ssl, sock, enc('answered\n'));
    await server.waitForOutput(/answered/, 'stdout');
    const trace = server.msgs();
    assert.equal(countMsgs(trace, '>>>', 'CertificateRequest'), 1, trace);
    assert.equal(countMsgs(trace, '<<<', 'Certificate'), 1, trace);
    assert.equal(countMsgs(trace, '<<<', 'CertificateVerify'), 1, trace);
    assert.equal(countMsgs(trace, '<<<', 'Finished'), 2, trace);
    assert.doesNotMatch(server.stdout() + server.stderr(), /Failed to initiate request|error/i);
  });

  it('memtls client without postHandshakeAuth: s_server prints "Failed to initiate request"', async () => {
    const { server } = await connectToServer(false);
    await server.write('c\n');
    // OpenSSL 3.0.19's s_server puts SSL_verify_client_post_handshake's error on stderr ("extension not received");
    // newer versions also print "Failed to initiate request".
    await server.waitForOutput(/Failed to initiate request|SSL_verify_client_post_handshake:extension not received/, 'stderr');
    assert.equal(countMsgs(server.msgs(), '>>>', 'CertificateRequest'), 0);
  });
});
