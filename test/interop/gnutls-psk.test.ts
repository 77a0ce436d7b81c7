/**
 * External PSKs (RFC 8446 §4.2.11) between memtls and GnuTLS 3.7, a third peer beside OpenSSL and Node:
 * `gnutls-cli --pskusername --pskkey` (priority +ECDHE-PSK: psk_dhe_ke) → memtls server without certificate, and
 * memtls client (no trust anchors) → `gnutls-serv --pskpasswd` (in its network namespace, see gnutls-peers.ts).
 */
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CoreApi, loadCore, type Ssl } from './api.js';
import { startGnuTlsClient, startGnuTlsServer } from './gnutls-peers.js';
import { text, utf8 } from './payload.js';
import { acceptOne, cleanupPeers } from './peers.js';
import { getPki, type Pki } from './pki.js';
import { endTransport, handshake, readExactly, readUntilZeroReturn, shutdownLoop, writeAll } from './pump.js';

const KEY_HEX = 'a0b1c2d3e4f5061728394a5b6c7d8e9f00112233445566778899aabbccddeeff';
const IDENTITY = 'gnutls-device';
const PRIORITY = 'NORMAL:-VERS-ALL:+VERS-TLS1.3:+ECDHE-PSK:+PSK';
const fromHex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g) ?? [], (x) => Number.parseInt(x, 16));

describe('interop: external PSKs with GnuTLS (gnutls-cli --pskkey, gnutls-serv --pskpasswd)', function () {
  this.timeout(60_000);
  let core: CoreApi;
  let pki: Pki;
  before(async () => {
    core = await loadCore();
    pki = await getPki();
  });
  afterEach(cleanupPeers);

  it('gnutls-cli --pskusername --pskkey → memtls server without certificate: PSK authentication, data both ways', async () => {
    const seen: string[] = [];
    const ssl: Ssl = new core.Ssl(
      new core.SslContext({
        role: 'server',
        pskFindSession: (identity) => {
          seen.push(text(identity));
          return text(identity) === IDENTITY ? { key: fromHex(KEY_HEX) } : null;
        },
      }),
    );
    const { port, accepted } = await acceptOne();
    const client = startGnuTlsClient({ port, priority: PRIORITY, caFile: pki.caPath, extraArgs: ['--pskusername', IDENTITY, '--pskkey', KEY_HEX] });
    const sock = await accepted;
    await handshake(ssl, sock);
    assert.deepEqual(seen, [IDENTITY]);
    assert.equal(ssl.version(), 'TLSv1.3');
    assert.deepEqual(ssl.pskIdentity(), utf8(IDENTITY));
    assert.equal(ssl.verifyResult(), 'X509_V_ERR_NOT_VERIFIED');
    await client.write('up over gnutls\n');
    assert.equal(text(await readExactly(ssl, sock, 15)), 'up over gnutls\n');
    await writeAll(ssl, sock, utf8('down\n'));
    await client.waitFor(() => client.stdoutLength() >= 5, 'data on gnutls-cli stdout');
    client.endInput();
    assert.equal((await readUntilZeroReturn(ssl, sock)).length, 0);
    assert.equal(await shutdownLoop(ssl, sock), 1);
    await endTransport(ssl, sock);
    assert.equal(await client.exited(), 0, client.describe());
    assert.match(client.msgs(), /PSK authentication\. Connected as 'gnutls-device'/, client.describe());
  });

  it('memtls client (pskUseSession, no trust anchors) → gnutls-serv --pskpasswd: PSK authentication, echo', async () => {
    const passwd = join(pki.dir, 'gnutls-psk.passwd');
    writeFileSync(passwd, `${IDENTITY}:${KEY_HEX}\n`);
    const cred = pki.servers['ec-p256'];
    const server = await startGnuTlsServer({ cert: cred.certPath, key: cred.keyPath, priority: PRIORITY, extraArgs: ['--pskpasswd', passwd] });
    const ssl: Ssl = new core.Ssl(new core.SslContext({ role: 'client', pskUseSession: () => ({ identity: utf8(IDENTITY), key: fromHex(KEY_HEX) }) }));
    const sock = await server.connect();
    await handshake(ssl, sock);
    assert.equal(ssl.version(), 'TLSv1.3');
    assert.deepEqual(ssl.pskIdentity(), utf8(IDENTITY));
    assert.deepEqual(ssl.peerCertificates(), [], 'no certificate: the PSK authenticated gnutls-serv');
    await writeAll(ssl, sock, utf8('echo me\n'));
    assert.equal(text(await readExactly(ssl, sock, 8)), 'echo me\n');
    assert.equal(await shutdownLoop(ssl, sock), 1);
    await endTransport(ssl, sock);
  });
});
