/** TLS 1.3 features end to end in memory: suites, groups, HRR with cookie, ALPN, SNI, KeyUpdate, exporter. */
import { strict as assert } from 'node:assert';
import { SSL_ERROR_SSL, SSL_ERROR_WANT_READ, SslContext } from '@memtls/core';
import { failedHandshake, Link } from '../util/link.js';
import { contexts, handshake, pair } from '../util/pair.js';
import { testPki } from '../util/pki.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe('TLS 1.3 handshake features (in memory)', () => {
  for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384']) {
    for (const group of ['x25519', 'secp256r1', 'secp384r1']) {
      it(`negotiates ${suite} with ${group}`, async () => {
        const { cctx, sctx } = contexts({ cipherSuites: [suite], groups: [group] }, { groups: [group] });
        const p = pair(cctx, sctx);
        await handshake(p);
        assert.equal(p.client.cipher(), suite);
        assert.equal(p.server.cipher(), suite);
        assert.equal(p.client.group(), group);
        assert.equal(p.server.group(), group);
        assert.equal(p.client.helloRetried(), false);
      });
    }
  }

  it('HelloRetryRequest with a cookie when the client has no share for the server group', async () => {
    const { cctx, sctx } = contexts({ groups: ['x25519', 'secp384r1'] }, { groups: ['secp384r1'] });
    const l = new Link(cctx, sctx);
    await l.handshake();
    assert.equal(l.client.helloRetried(), true);
    assert.equal(l.server.helloRetried(), true);
    assert.equal(l.client.group(), 'secp384r1');
    assert.equal(await l.client.write(enc('after HRR')), 9);
    l.toServer();
    const b = new Uint8Array(32);
    assert.equal(await l.server.read(b), 9);
  });

  it('no group in common ends with handshake_failure', async () => {
    const { cctx, sctx } = contexts({ groups: ['x25519'] }, { groups: ['secp384r1'] });
    const l = new Link(cctx, sctx);
    await failedHandshake(l);
    assert.equal(l.server.errorReason(), 'no suitable key share');
    assert.equal(l.client.errorReason(), 'sslv3 alert handshake failure');
  });

  it('ALPN: the server picks its preferred common protocol; no overlap is no_application_protocol', async () => {
    const { cctx, sctx } = contexts({ alpn: ['http/1.1', 'h2'] }, { alpn: ['h2', 'http/1.1'] });
    const p = pair(cctx, sctx);
    await handshake(p);
    assert.equal(p.client.alpnSelected(), 'h2');
    const bad = contexts({ alpn: ['spdy/3'] }, { alpn: ['h2'] });
    const l = new Link(bad.cctx, bad.sctx);
    await failedHandshake(l);
    assert.equal(l.server.errorReason(), 'no application protocol');
    assert.equal(l.client.errorReason(), 'tlsv1 alert no application protocol');
  });

  it('SNI: the server sees the name and picks the certificate for it', async () => {
    const pki = testPki();
    const sctx = new SslContext({ role: 'server', cert: pki.leaves.rsa.cert, key: pki.leaves.rsa.key });
    sctx.addCredential(pki.client.cert, pki.client.key); // DNS:client.test, an EC P-256 key
    const cctx = new SslContext({ role: 'client', ca: pki.caCert, verifyPeer: false });
    const p = pair(cctx, sctx, { serverName: 'client.test' });
    await handshake(p);
    assert.equal(p.server.serverName(), 'client.test');
    const leaf = p.client.peerCertificates()[0]!;
    assert.ok(dec(leaf).length > 0);
    const p2 = pair(cctx, sctx, { serverName: 'localhost' });
    await handshake(p2);
    assert.notDeepEqual(p2.client.peerCertificates()[0], leaf, 'another name, the default certificate');
  });

  it('KeyUpdate in both directions, including update_requested', async () => {
    const l = new Link(...Object.values(contexts()) as [SslContext, SslContext]);
    await l.handshake();
    const b = new Uint8Array(64);
    assert.equal(l.client.keyUpdate(true), 1);
    assert.equal(await l.client.write(enc('one')), 3);
    l.toServer();
    assert.equal(dec(b.subarray(0, await l.server.read(b))), 'one');
    // the server answers the request before its next data
    const before = l.serverWrote;
    assert.equal(await l.server.write(enc('two')), 3);
    assert.ok(l.serverWrote - before > 3 + 22, 'a KeyUpdate went out first');
    l.toClient();
    let n = await l.client.read(b);
    while (n < 0 && l.client.getError(n) === SSL_ERROR_WANT_READ) n = await l.client.read(b);
    assert.equal(dec(b.subarray(0, n)), 'two');
    assert.equal(l.server.keyUpdate(false), 1);
    assert.equal(await l.server.write(enc('three')), 5);
    l.toClient();
    assert.equal(dec(b.subarray(0, await l.client.read(b))), 'three');
    assert.equal(await l.client.write(enc('four')), 4);
    l.toServer();
    assert.equal(dec(b.subarray(0, await l.server.read(b))), 'four');
  });

  it('the exporter (RFC 8446 §7.5) gives both ends the same keying material', async () => {
    const p = pair(...Object.values(contexts()) as [SslContext, SslContext]);
    await handshake(p);
    const ctx = enc('ctx');
    const a = await p.client.exportKeyingMaterial('EXPERIMENTAL memtls', ctx, 32);
    const b = await p.server.exportKeyingMaterial('EXPERIMENTAL memtls', ctx, 32);
    assert.deepEqual(a, b);
    const c = await p.server.exportKeyingMaterial('EXPERIMENTAL other', ctx, 32);
    assert.notDeepEqual(a, c);
  });

  it('a client verifying the server refuses the wrong host name and an unknown CA', async () => {
    const { cctx, sctx } = contexts();
    const l = new Link(cctx, sctx, { serverName: 'wrong.example' });
    await failedHandshake(l);
    assert.equal(l.client.errorReason(), 'certificate verify failed');
    assert.match(String(l.client.lastErrorDetail()?.detail), /HOSTNAME_MISMATCH/);
    const pki = testPki();
    const other = new SslContext({ role: 'client', ca: pki.leaves.rsa.cert });
    const l2 = new Link(other, sctx);
    await failedHandshake(l2);
    assert.equal(l2.server.errorReason(), 'tlsv1 alert unknown ca');
  });

  it('client certificates: a verifying server requires one and checks it', async () => {
    const pki = testPki();
    const sctx = new SslContext({ role: 'server', cert: pki.leaves['ec-p256'].cert, key: pki.leaves['ec-p256'].key, ca: pki.caCert, verifyPeer: true });
    const withCert = new SslContext({ role: 'client', ca: pki.caCert, cert: pki.client.cert, key: pki.client.key });
    const p = pair(withCert, sctx);
    await handshake(p);
    assert.equal(p.server.peerCertificates().length, 1);
    const without = new SslContext({ role: 'client', ca: pki.caCert });
    const l = new Link(without, sctx);
    await failedHandshake(l);
    assert.equal(l.server.errorReason(), 'peer did not return a certificate');
    // The client finished its side of the handshake; it meets the alert on its next read (as with OpenSSL).
    l.toClient();
    assert.equal(await l.client.read(new Uint8Array(8)), 0);
    assert.equal(l.client.getError(0), SSL_ERROR_SSL);
    assert.equal(l.client.errorReason(), 'tlsv13 alert certificate required');
  });
});

describe('peer verification options', () => {
  it('verifyResult() names the X509_V_ERR of a refused chain, X509_V_OK otherwise', async () => {
    const { cctx, sctx } = contexts();
    const p = pair(cctx, sctx);
    await handshake(p);
    assert.equal(p.client.verifyResult(), 'X509_V_OK');
    const l = new Link(cctx, sctx, { serverName: 'nope.example' });
    await l.client.doHandshake();
    l.toServer();
    await l.server.doHandshake();
    l.toClient();
    assert.equal(await l.client.doHandshake(), -1);
    assert.equal(l.client.verifyResult(), 'X509_V_ERR_HOSTNAME_MISMATCH');
  });

  it('a verify callback sees the chain and the result, and can override it either way', async () => {
    const seen: { ok: boolean; code: string; n: number }[] = [];
    const { sctx } = contexts();
    const pki = testPki();
    const accepting = new SslContext({ role: 'client', ca: pki.caCert, verifyCallback: (i) => {
        seen.push({ ok: i.ok, code: i.code, n: i.chain.length });
        return true;
      },
    });
    const p = pair(accepting, sctx, { serverName: 'wrong.example' });
    await handshake(p);
    assert.deepEqual(seen, [{ ok: false, code: 'X509_V_ERR_HOSTNAME_MISMATCH', n: 1 }]);
    // Accepted, but the result stays the error (OpenSSL's verify_result does too): never OK when not verified.
    assert.equal(p.client.verifyResult(), 'X509_V_ERR_HOSTNAME_MISMATCH');
    const refusing = new SslContext({ role: 'client', ca: pki.caCert, verifyCallback: () => false });
    const l = new Link(refusing, sctx);
    await l.client.doHandshake();
    l.toServer();
    await l.server.doHandshake();
    l.toClient();
    assert.equal(await l.client.doHandshake(), -1);
    assert.equal(l.client.verifyResult(), 'X509_V_ERR_APPLICATION_VERIFICATION');
  });

  it('SPKI SHA-256 pinning accepts the pinned key (even without a CA) and refuses others', async () => {
    const { execFileSync } = await import('node:child_process');
    const pki = testPki();
    const spki = execFileSync('openssl', ['pkey', '-in', pki.leaves['ec-p256'].keyPath, '-pubout', '-outform', 'DER']);
    const pin = `sha256/${(await import('node:crypto')).createHash('sha256').update(spki).digest('base64')}`;
    const { sctx } = contexts();
    const pinned = new SslContext({ role: 'client', verifyPeer: false, pinnedPublicKeys: [pin] });
    const p = pair(pinned, sctx);
    await handshake(p);
    const wrong = new SslContext({ role: 'client', ca: pki.caCert, pinnedPublicKeys: [Buffer.alloc(32).toString('base64')] });
    const l = new Link(wrong, sctx);
    await l.client.doHandshake();
    l.toServer();
    await l.server.doHandshake();
    l.toClient();
    assert.equal(await l.client.doHandshake(), -1);
    assert.equal(l.client.verifyResult(), 'X509_V_ERR_APPLICATION_VERIFICATION');
    assert.match(String(l.client.lastErrorDetail()?.message), /pinned/);
  });
});

describe('not TLS at all', () => {
  it('plaintext HTTP to a server is "http request", with no alert (as OpenSSL)', async () => {
    const { cctx, sctx } = contexts();
    const l = new Link(cctx, sctx);
    l.serverIn.write(enc('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    const r = await l.server.doHandshake();
    assert.equal(r, -1);
    assert.equal(l.server.getError(r), SSL_ERROR_SSL);
    assert.equal(l.server.errorReason(), 'http request');
    assert.equal(l.serverWrote, 0);
  });

  it('random bytes to a server are "wrong version number" with a protocol_version alert', async () => {
    const { cctx, sctx } = contexts();
    const l = new Link(cctx, sctx);
    l.serverIn.write(new Uint8Array([0x16, 0x09, 0x09, 0, 4, 1, 2, 3, 4]));
    const r = await l.server.doHandshake();
    assert.equal(r, -1);
    assert.equal(l.server.errorReason(), 'wrong version number');
    assert.equal(l.serverWrote, 7, 'a plaintext alert record');
  });
});

describe('API additions from the adapters', () => {
  it('*Result methods bind getError and the reason to their own call when calls overlap', async () => {
    const l = new Link(...Object.values(contexts()) as [SslContext, SslContext]);
    await l.handshake();
    await l.client.read(new Uint8Array(8)); // take the tickets
    // a read that must wait and a write that succeeds, issued together
    const [r, w] = await Promise.all([l.client.readResult(new Uint8Array(8)), l.client.writeResult(enc('x'))]);
    assert.deepEqual(r, { ret: -1, error: SSL_ERROR_WANT_READ, reason: null });
    assert.equal(w.ret, 1);
    assert.equal(w.error, 0);
    l.clientIn.setEof();
    const t = await l.client.readResult(new Uint8Array(8));
    assert.deepEqual(t, { ret: 0, error: SSL_ERROR_SSL, reason: 'unexpected eof while reading' });
    const s = await l.client.shutdownResult();
    assert.deepEqual(s, { ret: -1, error: SSL_ERROR_SSL, reason: 'shutdown while in init' });
  });

  it('a plaintext alert from a peer that failed during the handshake is understood', async () => {
    const { cctx, sctx } = contexts();
    const l = new Link(cctx, sctx);
    await l.client.doHandshake();
    l.toServer();
    await l.server.doHandshake();
    // the client refuses the certificate before it switched keys (as an OpenSSL client does): plaintext unknown_ca
    l.serverIn.write(new Uint8Array([21, 3, 3, 0, 2, 2, 48]));
    const r = await l.server.doHandshake();
    assert.equal(r, -1);
    assert.equal(l.server.errorReason(), 'tlsv1 alert unknown ca');
  });

  it('a server may request a client certificate without requiring one (requireClientCert: false)', async () => {
    const pki = testPki();
    const sctx = new SslContext({ role: 'server', cert: pki.leaves['ec-p256'].cert, key: pki.leaves['ec-p256'].key, ca: pki.caCert, verifyPeer: true, requireClientCert: false });
    const p = pair(new SslContext({ role: 'client', ca: pki.caCert }), sctx);
    await handshake(p);
    assert.equal(p.server.peerCertificates().length, 0);
    const p2 = pair(new SslContext({ role: 'client', ca: pki.caCert, cert: pki.client.cert, key: pki.client.key }), sctx);
    await handshake(p2);
    assert.equal(p2.server.peerCertificates().length, 1);
  });

  it('serverName() on a client is the name it sent', async () => {
    const p = pair(...Object.values(contexts()) as [SslContext, SslContext]);
    assert.equal(p.client.serverName(), 'localhost');
  });
});
