/**
 * External PSKs (RFC 8446 §4.2.11) between memtls and the OpenSSL 3.0 CLI, over real TCP on 127.0.0.1:
 * memtls client (pskUseSession, no trust anchors) → `openssl s_server -nocert -psk HEX -psk_identity ID`, and
 * `openssl s_client -psk HEX -psk_identity ID` → memtls server (pskFindSession, no certificate). Both ways: data,
 * close_notify, no Certificate on the wire, the suite OpenSSL's SHA-256 PSK leads to, a wrong key (decrypt_error
 * from the binder check) and a peer without the PSK (handshake_failure: no certificate).
 */
import { strict as assert } from 'node:assert';
import type net from 'node:net';
import { type CoreApi, loadCore, type Ssl } from './api.js';
import { text, utf8 } from './payload.js';
import { acceptOne, cleanupPeers, connectTcp, countMsgs, type OpenSslProcess, startOpenSslClient, startOpenSslServer } from './peers.js';
import { endTransport, handshake, readExactly, readUntilZeroReturn, shutdownLoop, writeAll } from './pump.js';

const KEY_HEX = '0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0';
const IDENTITY = 'sensor-0042';
const fromHex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g) ?? [], (x) => Number.parseInt(x, 16));
const BOTH_SHUTDOWN = 3;

describe('interop: external PSKs with openssl (s_server -nocert -psk, s_client -psk)', function () {
  this.timeout(30_000);
  let core: CoreApi;
  before(async () => {
    core = await loadCore();
  });
  afterEach(cleanupPeers);

  const pskClient = (keyHex = KEY_HEX, identity = IDENTITY): Ssl =>
    new core.Ssl(new core.SslContext({ role: 'client', pskUseSession: () => ({ identity: utf8(identity), key: fromHex(keyHex) }) }));

  const pskServer = (seen: string[] = []): Ssl =>
    new core.Ssl(
      new core.SslContext({
        role: 'server',
        pskFindSession: (identity) => {
          seen.push(text(identity));
          return text(identity) === IDENTITY ? { key: fromHex(KEY_HEX) } : null;
        },
      }),
    );

  const sServer = (keyHex = KEY_HEX) => startOpenSslServer({ extraArgs: ['-psk', keyHex, '-psk_identity', IDENTITY] });

  it('memtls client → s_server -nocert -psk: PSK handshake without certificate, data both ways, close both ways', async () => {
    const server = await sServer();
    const ssl = pskClient();
    const sock = await connectTcp(server.port);
    await handshake(ssl, sock);
    assert.equal(ssl.version(), 'TLSv1.3');
    assert.equal(ssl.cipher(), 'TLS_AES_128_GCM_SHA256');
    assert.deepEqual(ssl.pskIdentity(), utf8(IDENTITY));
    assert.equal(ssl.sessionReused(), true);
    assert.equal(ssl.verifyResult(), 'X509_V_ERR_NOT_VERIFIED');
    await writeAll(ssl, sock, utf8('ping over a psk\n'));
    assert.equal(text(await readExactly(ssl, sock, 16)), 'ksp a revo gnip\n');
    assert.equal(await shutdownLoop(ssl, sock), 1);
    assert.equal(ssl.getShutdown(), BOTH_SHUTDOWN);
    await endTransport(ssl, sock);
    assert.equal(await server.exited(), 0, server.describe());
    const msgs = server.msgs();
    assert.equal(countMsgs(msgs, '>>>', 'Certificate'), 0, 'no Certificate from s_server');
    assert.equal(countMsgs(msgs, '>>>', 'EncryptedExtensions'), 1);
    // OpenSSL counts an external PSK as a session hit (memtls's sessionReused() says the same).
    assert.match(server.stdout(), /1 server accepts that finished\n\s+1 session cache hits/);
  });

  it('memtls client with the wrong key → s_server: the binder does not verify (OpenSSL 3.0 sends illegal_parameter), no connection', async () => {
    const server = await sServer();
    const ssl = pskClient(KEY_HEX.replace(/^0f/, 'f0'));
    const sock = await connectTcp(server.port);
    // RFC 8446 §6.2 names decrypt_error for a bad binder (what memtls sends); OpenSSL 3.0 sends illegal_parameter.
    await assert.rejects(handshake(ssl, sock), /alert illegal parameter/);
    await endTransport(ssl, sock);
    await server.exited();
    assert.match(server.stderr(), /binder does not verify/, server.describe());
  });

  it('memtls client with an identity s_server does not know: s_server wants a certificate it does not have', async () => {
    const server = await sServer();
    const ssl = pskClient(KEY_HEX, 'someone-else');
    const sock = await connectTcp(server.port);
    await assert.rejects(handshake(ssl, sock), /handshake failure/);
    await endTransport(ssl, sock);
    await server.exited();
    assert.match(server.stderr() + server.stdout(), /no suitable signature algorithm/, server.describe());
  });

  /** s_client against a fresh listener; memtls runs its side of the handshake. */
  async function accept(extraArgs: string[]): Promise<{ client: OpenSslProcess; sock: net.Socket }> {
    const { port, accepted } = await acceptOne();
    const client = startOpenSslClient({ port, extraArgs });
    const sock = await accepted;
    return { client, sock };
  }

  it('s_client -psk → memtls server without certificate: its SHA-256 PSK leads to ChaCha20 (its first SHA-256 suite), data both ways', async () => {
    const seen: string[] = [];
    const ssl = pskServer(seen);
    const { client, sock } = await accept(['-psk', KEY_HEX, '-psk_identity', IDENTITY]);
    await handshake(ssl, sock);
    assert.deepEqual(seen, [IDENTITY]);
    assert.equal(ssl.version(), 'TLSv1.3');
    // s_client offers TLS_AES_256_GCM_SHA384 first: a SHA-256 PSK steers the choice to its first SHA-256 suite, as OpenSSL's server does.
    assert.equal(ssl.cipher(), 'TLS_CHACHA20_POLY1305_SHA256');
    assert.deepEqual(ssl.pskIdentity(), utf8(IDENTITY));
    assert.equal(ssl.verifyResult(), 'X509_V_ERR_NOT_VERIFIED');
    await client.write('up through the psk\n');
    assert.equal(text(await readExactly(ssl, sock, 19)), 'up through the psk\n');
    await writeAll(ssl, sock, utf8('down\n'));
    await client.waitFor(() => client.stdoutLength() >= 5, 'data on s_client stdout');
    assert.equal(client.stdout(), 'down\n');
    client.endInput();
    assert.equal((await readUntilZeroReturn(ssl, sock)).length, 0);
    assert.equal(await shutdownLoop(ssl, sock), 1);
    await endTransport(ssl, sock);
    assert.equal(await client.exited(), 0, client.describe());
    assert.equal(countMsgs(client.msgs(), '<<<', 'Certificate'), 0, 'no Certificate to s_client');
    assert.equal(countMsgs(client.msgs(), '<<<', 'NewSessionTicket'), 0, 'no ticket after an external PSK');
  });

  it('s_client -psk -ciphersuites TLS_AES_128_GCM_SHA256 → memtls server: that suite', async () => {
    const ssl = pskServer();
    const { client, sock } = await accept(['-psk', KEY_HEX, '-psk_identity', IDENTITY, '-ciphersuites', 'TLS_AES_128_GCM_SHA256']);
    await handshake(ssl, sock);
    assert.equal(ssl.cipher(), 'TLS_AES_128_GCM_SHA256');
    client.endInput();
    await readUntilZeroReturn(ssl, sock);
    await shutdownLoop(ssl, sock);
    await endTransport(ssl, sock);
    assert.equal(await client.exited(), 0, client.describe());
  });

  it('s_client -psk with the wrong key → memtls server: decrypt_error, "psk binder verification failed"', async () => {
    const ssl = pskServer();
    const { client, sock } = await accept(['-psk', KEY_HEX.replace(/^0f/, 'f0'), '-psk_identity', IDENTITY]);
    await assert.rejects(handshake(ssl, sock), /psk binder verification failed/);
    await endTransport(ssl, sock);
    await client.exited();
    assert.match(client.stderr(), /alert decrypt error/, client.describe());
  });

  it('s_client without a PSK → memtls server without certificate: handshake_failure', async () => {
    const ssl = pskServer();
    const { client, sock } = await accept([]);
    await assert.rejects(handshake(ssl, sock), /no suitable signature algorithm/);
    await endTransport(ssl, sock);
    await client.exited();
    assert.match(client.stderr(), /alert handshake failure/, client.describe());
  });
});
