/**
 * A TLS 1.2 connection after (and around) its handshake, memtls <-> memtls in memory: ChangeCipherSpec as a state
 * change, renegotiation refused both ways, warning alerts as OpenSSL 3.0 treats them, record limits per version,
 * bad_record_mac, client certificates, and chunking invariance (any cut of the byte stream, the same result).
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { concat } from '#internal/wire/bytes';
import { clientCtx, engineOf, pair, serverCtx, testPki, transfer } from './helpers.js';

const SSL_ERROR_SSL = 1;
const SSL_ERROR_WANT_READ = 2;
const SSL_ERROR_ZERO_RETURN = 6;

async function established(opts: { kind?: 'ec-p256' | 'rsa'; suite?: string } = {}) {
  const p = pair(clientCtx({ maxVersion: 'TLSv1.2', ...(opts.suite ? { cipherSuites: [opts.suite] } : {}) }), serverCtx(opts.kind ?? 'ec-p256'));
  const r = await p.handshake();
  assert.equal(r.client, 1, p.client.errorReason() ?? '');
  assert.equal(r.server, 1, p.server.errorReason() ?? '');
  return p;
}

/** Seal an alert under `from`'s write key and deliver it to the peer. */
async function sendAlert(p: Awaited<ReturnType<typeof established>>, from: 'client' | 'server', level: 1 | 2, desc: number): Promise<void> {
  const e = engineOf(from === 'client' ? p.client : p.server);
  await e.sendAlert(desc, level === 2);
  p.inject(from === 'client' ? 'c2s' : 's2c', concat(...e.take()));
}

describe('a TLS 1.2 connection', () => {
  it('a HelloRequest is ignored by the client: nothing sent, data keeps flowing', async () => {
    const p = await established();
    const e = engineOf(p.server);
    e.queueHandshake(Uint8Array.of(0, 0, 0, 0), true);
    await e.flushHandshake();
    p.inject('s2c', concat(...e.take()));
    const buf = new Uint8Array(16);
    const r = await p.client.read(buf);
    assert.equal(p.client.getError(r), SSL_ERROR_WANT_READ);
    assert.equal(engineOf(p.client).outputBytes, 0, 'the client answers nothing');
    const data = new TextEncoder().encode('after the HelloRequest');
    assert.deepEqual(await transfer(p, p.server, p.client, data), data);
    assert.deepEqual(await transfer(p, p.client, p.server, data), data);
  });

  it('a HelloRequest during the handshake is ignored too (and kept out of the transcript)', async () => {
    let n = 0;
    const p = pair(clientCtx({ maxVersion: 'TLSv1.2' }), serverCtx('ec-p256'), (d, b) => (d === 's2c' && n++ === 0 ? concat(b, Uint8Array.of(22, 3, 3, 0, 4, 0, 0, 0, 0)) : b));
    const r = await p.handshake();
    assert.equal(r.client, 1, p.client.errorReason() ?? '');
    assert.equal(r.server, 1, p.server.errorReason() ?? '');
  });

  it('a renegotiating ClientHello gets a no_renegotiation warning and is not processed; memtls treats that warning as fatal', async () => {
    const p = await established();
    const ce = engineOf(p.client);
    // A ClientHello (any body: the server does not parse it) under the client's write key.
    ce.queueHandshake(Uint8Array.of(1, 0, 0, 2, 3, 3), true);
    await ce.flushHandshake();
    p.inject('c2s', concat(...ce.take()));
    const buf = new Uint8Array(16);
    const r = await p.server.read(buf);
    assert.equal(p.server.getError(r), SSL_ERROR_WANT_READ);
    assert.equal(p.server.lastErrorDetail(), null);
    // The server still works: its data reaches the client after the warning... which the client refuses as
    // OpenSSL does (it never asked to renegotiate): handshake_failure "no renegotiation".
    assert.equal(await p.server.write(new TextEncoder().encode('still here')), 10);
    await p.flush();
    const cr = await p.client.read(buf);
    assert.equal(p.client.getError(cr), SSL_ERROR_SSL);
    assert.equal(p.client.lastErrorDetail()?.reason, 'NO_RENEGOTIATION');
    assert.equal(p.client.lastErrorDetail()?.alert, 40);
  });

  it('warning alerts: ignored up to four in a row; the fifth is unexpected_message (OpenSSL MAX_WARN_ALERT_COUNT)', async () => {
    const p = await established();
    const buf = new Uint8Array(64);
    for (let i = 0; i < 4; i++) await sendAlert(p, 'client', 1, 90);
    let r = await p.server.read(buf);
    assert.equal(p.server.getError(r), SSL_ERROR_WANT_READ);
    // Data resets the count.
    assert.deepEqual(await transfer(p, p.client, p.server, Uint8Array.of(1, 2, 3)), Uint8Array.of(1, 2, 3));
    for (let i = 0; i < 4; i++) await sendAlert(p, 'client', 1, 90);
    r = await p.server.read(buf);
    assert.equal(p.server.getError(r), SSL_ERROR_WANT_READ);
    await sendAlert(p, 'client', 1, 90);
    r = await p.server.read(buf);
    assert.equal(p.server.getError(r), SSL_ERROR_SSL);
    assert.equal(p.server.lastErrorDetail()?.reason, 'TOO_MANY_WARN_ALERTS');
    assert.equal(p.server.lastErrorDetail()?.alert, 10);
  });

  it('close_notify: a warning ends the read side (zero return); a fatal one is a fatal alert', async () => {
    const p = await established();
    const buf = new Uint8Array(64);
    await sendAlert(p, 'client', 1, 0);
    let r = await p.server.read(buf);
    assert.equal(p.server.getError(r), SSL_ERROR_ZERO_RETURN);
    const q = await established();
    await sendAlert(q, 'client', 2, 0);
    r = await q.server.read(buf);
    assert.equal(q.server.lastErrorDetail()?.receivedAlert, 0);
    assert.equal(q.server.errorReason(), 'sslv3 alert close notify');
  });

  it('a flipped bit in a record: bad_record_mac', async () => {
    for (const suite of ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256']) {
      const q = pair(clientCtx({ maxVersion: 'TLSv1.2', cipherSuites: [suite] }), serverCtx('ec-p256'), (d, b) => {
        if (d === 'c2s' && b[0] === 23) b[b.length - 1] = (b[b.length - 1] as number) ^ 0x80;
        return b;
      });
      assert.equal((await q.handshake()).server, 1);
      assert.equal(await q.client.write(new Uint8Array(100)), 100);
      await q.flush();
      const r = await q.server.read(new Uint8Array(200));
      assert.equal(q.server.getError(r), SSL_ERROR_SSL);
      assert.equal(q.server.lastErrorDetail()?.reason, 'DECRYPTION_FAILED_OR_BAD_RECORD_MAC');
      assert.equal(q.server.lastErrorDetail()?.alert, 20);
    }
  });

  it('record limits per version: a TLS 1.2 record body up to 2^14 + 2048 is read (it fails to authenticate), one byte more is record_overflow', async () => {
    const p = await established();
    const fake = (len: number) => concat(Uint8Array.of(23, 3, 3, len >> 8, len & 0xff), new Uint8Array(len));
    p.inject('c2s', fake(2 ** 14 + 2048));
    let r = await p.server.read(new Uint8Array(10));
    assert.equal(p.server.lastErrorDetail()?.reason, 'DECRYPTION_FAILED_OR_BAD_RECORD_MAC');
    const q = await established();
    q.inject('c2s', fake(2 ** 14 + 2049));
    r = await q.server.read(new Uint8Array(10));
    assert.equal(q.server.getError(r), SSL_ERROR_SSL);
    assert.equal(q.server.lastErrorDetail()?.reason, 'ENCRYPTED_LENGTH_TOO_LONG');
    assert.equal(q.server.lastErrorDetail()?.alert, 22);
  });

  it('ChangeCipherSpec is a state change: one before ClientKeyExchange is unexpected_message', async () => {
    const ccs = Uint8Array.of(20, 3, 3, 0, 1, 1);
    // Before the client's second flight: the server expects ClientKeyExchange.
    let n = 0;
    const p = pair(clientCtx({ maxVersion: 'TLSv1.2' }), serverCtx('ec-p256'), (d, b) => (d === 'c2s' && n++ === 1 ? concat(ccs, b) : b));
    const r = await p.handshake();
    assert.equal(p.server.getError(r.server), SSL_ERROR_SSL);
    assert.equal(p.server.lastErrorDetail()?.reason, 'UNEXPECTED_CCS_MESSAGE');
    assert.equal(p.server.lastErrorDetail()?.alert, 10);
  });

  it('a client limited to TLS 1.2 tolerates no compatibility CCS before the ServerHello (unexpected_message)', async () => {
    let n = 0;
    const p = pair(clientCtx({ maxVersion: 'TLSv1.2' }), serverCtx('ec-p256'), (d, b) => (d === 's2c' && n++ === 0 ? concat(Uint8Array.of(20, 3, 3, 0, 1, 1), b) : b));
    const r = await p.handshake();
    assert.equal(p.client.getError(r.client), SSL_ERROR_SSL);
    assert.equal(p.client.lastErrorDetail()?.reason, 'CCS_RECEIVED_EARLY');
    assert.equal(p.client.lastErrorDetail()?.alert, 10);
  });

  it('a ChangeCipherSpec inside a handshake message (split across it) is unexpected_message', async () => {
    let n = 0;
    // Cut the client's second flight (ClientKeyExchange, CCS, Finished): the first record holds ClientKeyExchange;
    // split it in two records with the CCS between them.
    const p = pair(clientCtx({ maxVersion: 'TLSv1.2' }), serverCtx('ec-p256'), (d, b) => {
      if (d !== 'c2s' || n++ !== 1) return b;
      const len = ((b[3] as number) << 8) | (b[4] as number);
      const body = b.subarray(5, 5 + len);
      const half = 10;
      return concat(Uint8Array.of(22, 3, 3, 0, half), body.subarray(0, half), Uint8Array.of(20, 3, 3, 0, 1, 1), Uint8Array.of(22, 3, 3, (len - half) >> 8, (len - half) & 0xff), body.subarray(half), b.subarray(5 + len));
    });
    const r = await p.handshake();
    assert.equal(p.server.lastErrorDetail()?.reason, 'UNEXPECTED_CCS_MESSAGE');
    assert.equal(p.server.getError(r.server), SSL_ERROR_SSL);
  });

  it('mTLS: the client certificate is requested, sent and verified; a missing one is handshake_failure unless optional', async () => {
    const pki = testPki();
    const withCert = pair(clientCtx({ maxVersion: 'TLSv1.2', cert: pki.client.cert, key: pki.client.key }), serverCtx('rsa', { verifyPeer: true, ca: pki.ca }));
    const r = await withCert.handshake();
    assert.equal(r.server, 1, withCert.server.errorReason() ?? '');
    assert.equal(withCert.server.verifyResult(), 'X509_V_OK');
    assert.equal(withCert.server.peerCertificates().length, 1);
    const without = pair(clientCtx({ maxVersion: 'TLSv1.2' }), serverCtx('rsa', { verifyPeer: true, ca: pki.ca }));
    const w = await without.handshake();
    assert.equal(without.server.lastErrorDetail()?.reason, 'PEER_DID_NOT_RETURN_A_CERTIFICATE_TLS12');
    assert.equal(without.server.lastErrorDetail()?.alert, 40);
    assert.equal(without.server.getError(w.server), SSL_ERROR_SSL);
    const optional = pair(clientCtx({ maxVersion: 'TLSv1.2' }), serverCtx('rsa', { verifyPeer: true, ca: pki.ca, requireClientCert: false }));
    assert.equal((await optional.handshake()).server, 1);
    assert.equal(optional.server.verifyResult(), 'X509_V_ERR_NOT_VERIFIED');
  });

  it('a client certificate that does not verify is refused', async () => {
    const pki = testPki();
    // The server trusts nothing the client's certificate chains to (its own leaf as the only anchor).
    const p = pair(clientCtx({ maxVersion: 'TLSv1.2', cert: pki.client.cert, key: pki.client.key }), serverCtx('ec-p256', { verifyPeer: true, ca: pki.leaves.rsa.cert }));
    const r = await p.handshake();
    assert.equal(p.server.getError(r.server), SSL_ERROR_SSL);
    assert.equal(p.server.lastErrorDetail()?.reason, 'UNKNOWN_CA');
  });

  it('chunking invariance: any cut of the byte stream gives the same handshake and the same data', async function () {
    this.timeout(120_000);
    const data = Uint8Array.from({ length: 3000 }, (_, i) => (i * 31) & 0xff);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 700 }), fc.constantFrom('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'), async (split, suite) => {
        const p = pair(clientCtx({ maxVersion: 'TLSv1.2', cipherSuites: [suite] }), serverCtx('ec-p256'), undefined, split);
        const r = await p.handshake();
        assert.equal(r.client, 1, p.client.errorReason() ?? '');
        assert.equal(r.server, 1, p.server.errorReason() ?? '');
        assert.equal(p.client.cipher(), suite);
        assert.deepEqual(await transfer(p, p.client, p.server, data), data);
        assert.deepEqual(await transfer(p, p.server, p.client, data), data);
      }),
      { numRuns: 25 },
    );
  });
});
