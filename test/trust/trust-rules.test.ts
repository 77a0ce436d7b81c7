/**
 * Trust rules end to end (issue 11): pins bind the leaf in every mode, sessions remember how their peer was
 * verified and never upgrade trust, a verifying client needs a name, keys are checked against their
 * certificate when the context is built, and RSA key limits hold for the peer's leaf in every mode.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ssl, SslContext, SslSession } from '@memtls/core';
import { closeBoth, contexts, drive, handshake, type Pair, pair } from '../util/pair.js';
import { testPki } from '../util/pki.js';

const pinOf = (certPem: string): string =>
  `sha256/${createHash('sha256').update(new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' })).digest('base64')}`;

/**
 * The resumption PSK of `s`, read from its public serialisation (`toBytes()`: format, flag, cipher suite,
 * server name, ALPN as 8-bit vectors, the ticket as a 16-bit vector, then the PSK as an 8-bit vector).
 */
function pskOf(s: SslSession): Uint8Array {
  const b = s.toBytes();
  let o = 2;
  for (let i = 0; i < 3; i++) o += 1 + (b[o] as number);
  o += 2 + (((b[o] as number) << 8) | (b[o + 1] as number));
  return b.slice(o + 1, o + 1 + (b[o] as number));
}

/** Drive both handshakes to their end; the client's and the server's return values. */
const tryHandshake = (p: Pair): Promise<[number, number]> => drive(() => p.client.doHandshake(), p.client, () => p.server.doHandshake(), p.server);

/** A session from a full handshake over `p`, cleanly closed. */
async function sessionOf(p: Pair): Promise<SslSession> {
  await handshake(p);
  await closeBoth(p);
  const s = p.client.getSession();
  assert.ok(s, 'a resumable session');
  return s;
}

/** A new leaf (or only a key) made with openssl in the test PKI directory, signed by its CA. */
function mint(name: string, keygen: string[], withCert = true): { cert: string; key: string } {
  const pki = testPki();
  const run = (args: string[]): void => {
    execFileSync('openssl', args, { cwd: pki.dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  run(['genpkey', ...keygen, '-out', `${name}.key`]);
  const key = readFileSync(join(pki.dir, `${name}.key`), 'utf8');
  if (!withCert) return { cert: '', key };
  run(['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`]);
  writeFileSync(join(pki.dir, `${name}.ext`), 'subjectAltName=DNS:localhost\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n');
  run(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '30', '-extfile', `${name}.ext`, '-out', `${name}.pem`]);
  return { cert: readFileSync(join(pki.dir, `${name}.pem`), 'utf8'), key };
}

describe('trust rules: pins', () => {
  it('with verifyPeer: false a pin must match the leaf, not any certificate the server sent', async () => {
    const pki = testPki();
    const real = pki.leaves['ec-p256'];
    const attacker = pki.leaves['ec-p384'];
    // The attacker presents its own leaf (whose key signs CertificateVerify), then the real server's certificate.
    const sctx = new SslContext({ role: 'server', cert: attacker.cert + real.cert, key: attacker.key });
    const cctx = new SslContext({ role: 'client', verifyPeer: false, pinnedPublicKeys: [pinOf(real.cert)] });
    const p = pair(cctx, sctx);
    const [rc] = await tryHandshake(p);
    assert.equal(rc, -1);
    assert.equal(p.client.errorReason(), 'pinned public key mismatch');
    assert.equal(p.server.errorReason(), 'sslv3 alert bad certificate');
    assert.equal(p.client.verifyResult(), 'X509_V_ERR_APPLICATION_VERIFICATION');
    // The real server passes the same pin.
    const ok = pair(cctx, new SslContext({ role: 'server', cert: real.cert, key: real.key }));
    await handshake(ok);
  });

  it('a verify callback that accepts everything does not override a pin mismatch', async () => {
    const pki = testPki();
    const { sctx } = contexts();
    const cctx = new SslContext({ role: 'client', ca: pki.caCert, verifyCallback: () => true, pinnedPublicKeys: [pinOf(pki.leaves['ec-p384'].cert)] });
    const p = pair(cctx, sctx);
    const [rc] = await tryHandshake(p);
    assert.equal(rc, -1);
    assert.equal(p.client.errorReason(), 'pinned public key mismatch');
  });

  it('a pin of the CA key does not match: pins bind the leaf (as curl --pinnedpubkey)', async () => {
    const pki = testPki();
    const { sctx } = contexts();
    const cctx = new SslContext({ role: 'client', ca: pki.caCert, pinnedPublicKeys: [pinOf(pki.caCert)] });
    const p = pair(cctx, sctx);
    const [rc] = await tryHandshake(p);
    assert.equal(rc, -1);
    assert.equal(p.client.errorReason(), 'pinned public key mismatch');
  });

  it('a pinned client does not resume a session whose stored leaf misses its pin', async () => {
    const pki = testPki();
    const { cctx, sctx } = contexts();
    const session = await sessionOf(pair(cctx, sctx));
    const pinned = new SslContext({ role: 'client', ca: pki.caCert, pinnedPublicKeys: [pinOf(pki.leaves['ec-p384'].cert)] });
    const p = pair(pinned, sctx, { serverName: 'localhost', session });
    const [rc] = await tryHandshake(p);
    assert.equal(rc, -1, 'the full handshake checks the pin and fails');
    assert.equal(p.client.sessionReused(), false);
    assert.equal(p.client.errorReason(), 'pinned public key mismatch');
    const goodPin = new SslContext({ role: 'client', ca: pki.caCert, pinnedPublicKeys: [pinOf(pki.leaves['ec-p256'].cert)] });
    const q = pair(goodPin, sctx, { serverName: 'localhost', session });
    await handshake(q);
    assert.equal(q.client.sessionReused(), true, 'a session whose leaf matches the pin is offered');
  });
});

describe('trust rules: the verify result, and sessions', () => {
  it('verifyResult() is X509_V_ERR_NOT_VERIFIED when nothing was verified, before and after the handshake', async () => {
    const { sctx } = contexts();
    const lax = new SslContext({ role: 'client', verifyPeer: false });
    const p = pair(lax, sctx);
    assert.equal(p.client.verifyResult(), 'X509_V_ERR_NOT_VERIFIED');
    assert.equal(p.server.verifyResult(), 'X509_V_ERR_NOT_VERIFIED');
    await handshake(p);
    assert.equal(p.client.verifyResult(), 'X509_V_ERR_NOT_VERIFIED');
    assert.equal(p.server.verifyResult(), 'X509_V_ERR_NOT_VERIFIED', 'the server did not ask for a client certificate');
  });

  it('a session obtained without verification is not offered by a verifying client, and reports its result when resumed', async () => {
    const pki = testPki();
    const { sctx } = contexts();
    const lax = new SslContext({ role: 'client', verifyPeer: false });
    const session = await sessionOf(pair(lax, sctx, { serverName: 'wrong.example' }));
    assert.equal(session.verifyResult, 'X509_V_ERR_NOT_VERIFIED');
    const again = pair(lax, sctx, { serverName: 'wrong.example', session });
    await handshake(again);
    assert.equal(again.client.sessionReused(), true, 'the same weak policy may resume');
    assert.equal(again.client.verifyResult(), 'X509_V_ERR_NOT_VERIFIED', 'a resumed connection reports the original result');
    const strict = new SslContext({ role: 'client', ca: pki.caCert });
    const p = pair(strict, sctx, { serverName: 'wrong.example', session });
    const [rc] = await tryHandshake(p);
    assert.equal(rc, -1, 'the full handshake verifies, and the certificate is not for wrong.example');
    assert.equal(p.client.sessionReused(), false);
    assert.equal(p.client.verifyResult(), 'X509_V_ERR_HOSTNAME_MISMATCH');
  });

  it('a session whose error a callback accepted is not offered by a strict client; a client that accepts it again resumes it', async () => {
    const pki = testPki();
    const { sctx } = contexts();
    const accepting = new SslContext({ role: 'client', ca: pki.caCert, verifyCallback: () => true });
    const p1 = pair(accepting, sctx, { serverName: 'wrong.example' });
    const session = await sessionOf(p1);
    assert.equal(p1.client.verifyResult(), 'X509_V_ERR_HOSTNAME_MISMATCH');
    const strict = new SslContext({ role: 'client', ca: pki.caCert });
    const p2 = pair(strict, sctx, { serverName: 'wrong.example', session });
    const [rc] = await tryHandshake(p2);
    assert.equal(rc, -1);
    assert.equal(p2.client.sessionReused(), false);
    const seen: string[] = [];
    const alsoAccepting = new SslContext({ role: 'client', ca: pki.caCert, verifyCallback: (i) => seen.push(i.code) > 0 });
    const p3 = pair(alsoAccepting, sctx, { serverName: 'wrong.example', session });
    await handshake(p3);
    assert.equal(p3.client.sessionReused(), true);
    assert.equal(p3.client.verifyResult(), 'X509_V_ERR_HOSTNAME_MISMATCH', 'never upgraded to X509_V_OK');
    assert.deepEqual(seen, ['X509_V_ERR_HOSTNAME_MISMATCH'], 'the callback was asked about the stored result');
  });

  it('a session verified without a host name check is not offered by a client that checks host names', async () => {
    const pki = testPki();
    const { sctx } = contexts();
    const noHost = new SslContext({ role: 'client', ca: pki.caCert, verifyHostname: false });
    const p1 = pair(noHost, sctx, { serverName: 'wrong.example' });
    const session = await sessionOf(p1);
    assert.equal(p1.client.verifyResult(), 'X509_V_OK', 'the path was verified, the name was not checked');
    assert.equal(session.verifiedHostname, null);
    const strict = new SslContext({ role: 'client', ca: pki.caCert });
    const p2 = pair(strict, sctx, { serverName: 'wrong.example', session });
    const [rc] = await tryHandshake(p2);
    assert.equal(rc, -1);
    assert.equal(p2.client.sessionReused(), false);
    assert.equal(p2.client.verifyResult(), 'X509_V_ERR_HOSTNAME_MISMATCH');
  });

  it('a verified session resumes as X509_V_OK for its host name only', async () => {
    const { cctx, sctx } = contexts();
    const session = await sessionOf(pair(cctx, sctx));
    assert.equal(session.verifyResult, 'X509_V_OK');
    assert.equal(session.verifiedHostname, 'localhost');
    const p = pair(cctx, sctx, { serverName: 'localhost', session });
    await handshake(p);
    assert.equal(p.client.sessionReused(), true);
    assert.equal(p.client.verifyResult(), 'X509_V_OK');
    const other = pair(cctx, sctx, { serverName: 'server.test', session });
    await handshake(other);
    assert.equal(other.client.sessionReused(), false, 'not offered for another name');
  });

  it('a server reports the stored client verification when it resumes', async () => {
    const pki = testPki();
    const sctx = new SslContext({ role: 'server', cert: pki.leaves['ec-p256'].cert, key: pki.leaves['ec-p256'].key, ca: pki.caCert, verifyPeer: true, requireClientCert: false });
    const bare = new SslContext({ role: 'client', ca: pki.caCert });
    const session = await sessionOf(pair(bare, sctx));
    const p = pair(bare, sctx, { serverName: 'localhost', session });
    await handshake(p);
    assert.equal(p.server.sessionReused(), true);
    assert.equal(p.server.verifyResult(), 'X509_V_ERR_NOT_VERIFIED', 'no client certificate was ever verified');
    const withCert = new SslContext({ role: 'client', ca: pki.caCert, cert: pki.client.cert, key: pki.client.key });
    const s2 = await sessionOf(pair(withCert, sctx));
    const q = pair(withCert, sctx, { serverName: 'localhost', session: s2 });
    await handshake(q);
    assert.equal(q.server.sessionReused(), true);
    assert.equal(q.server.verifyResult(), 'X509_V_OK');
  });

  it('toBytes/fromBytes keep the verify result and the checked name; other formats are refused', async () => {
    const pki = testPki();
    const accepting = new SslContext({ role: 'client', ca: pki.caCert, verifyCallback: () => true });
    const { sctx } = contexts();
    const s = await sessionOf(pair(accepting, sctx, { serverName: 'wrong.example' }));
    const back = SslSession.fromBytes(s.toBytes());
    assert.equal(back.verifyResult, 'X509_V_ERR_HOSTNAME_MISMATCH');
    assert.equal(back.verifiedHostname, 'wrong.example');
    assert.equal(back.peerCertificates.length, s.peerCertificates.length);
    const strict = new SslContext({ role: 'client', ca: pki.caCert });
    const p = pair(strict, sctx, { serverName: 'wrong.example', session: back });
    await tryHandshake(p);
    assert.equal(p.client.sessionReused(), false, 'a restored session keeps its weak verification');
    // Format 1 (before the verify result was stored): u8 1, u8 0, vec8 suite, vec8 name, vec8 alpn,
    // vec16 ticket, vec8 psk, u32 age_add, u32 lifetime, u64 time, vec24 chain.
    const suite = new TextEncoder().encode('TLS_AES_128_GCM_SHA256');
    const v1 = new Uint8Array([1, 0, suite.length, ...suite, 0, 0, 0, 1, 7, 1, 9, 0, 0, 0, 0, 0, 0, 0x1c, 0x20, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
    assert.throws(() => SslSession.fromBytes(v1), (e: Error) => e instanceof TypeError && /unsupported format 1/.test(e.message));
    const bad = s.toBytes();
    bad[0] = 99;
    assert.throws(() => SslSession.fromBytes(bad), (e: Error) => e instanceof TypeError && /unsupported format 99/.test(e.message));
    // Every truncation of a valid encoding is a TypeError, never another exception.
    const full = s.toBytes();
    for (let n = 0; n < full.length; n++) assert.throws(() => SslSession.fromBytes(full.subarray(0, n)), TypeError);
    // Any verify code a callback accepted round-trips (CERT_DECODE_ERROR is memtls's own name).
    const odd = new SslSession({ ...s, ticket: s.ticket, psk: pskOf(s), peerCertificates: [], verifyResult: 'CERT_DECODE_ERROR', verifiedHostname: null });
    assert.equal(SslSession.fromBytes(odd.toBytes()).verifyResult, 'CERT_DECODE_ERROR');
  });
});

describe('trust rules: a verifying client needs a name', () => {
  it('new Ssl() without serverName on a verifying client context is a TypeError; verifyHostname: false opts out', async () => {
    const pki = testPki();
    const strict = new SslContext({ role: 'client', ca: pki.caCert });
    assert.throws(() => new Ssl(strict), (e: Error) => e instanceof TypeError && /serverName/.test(e.message) && /verifyHostname: false/.test(e.message));
    assert.throws(() => new Ssl(strict, {}), TypeError);
    new Ssl(strict, { serverName: 'localhost' });
    new Ssl(new SslContext({ role: 'client', verifyPeer: false }));
    assert.throws(() => new SslContext({ role: 'client', ca: pki.caCert, verifyHostname: 'no' as unknown as boolean }), TypeError);
    const noHost = new SslContext({ role: 'client', ca: pki.caCert, verifyHostname: false });
    const { sctx } = contexts();
    const p = pair(noHost, sctx, {});
    await handshake(p);
    assert.equal(p.client.verifyResult(), 'X509_V_OK', 'the path is still verified');
    assert.equal(p.server.serverName(), null, 'no SNI without a name');
  });

  it('an IP literal is checked against iPAddress SANs and not sent as SNI', async () => {
    const { cctx, sctx } = contexts();
    const p = pair(cctx, sctx, { serverName: '127.0.0.1' });
    await handshake(p);
    assert.equal(p.client.verifyResult(), 'X509_V_OK');
    assert.equal(p.server.serverName(), null);
    const q = pair(cctx, sctx, { serverName: '127.0.0.2' });
    const [rc] = await tryHandshake(q);
    assert.equal(rc, -1);
    assert.equal(q.client.verifyResult(), 'X509_V_ERR_IP_ADDRESS_MISMATCH');
  });
});

describe('trust rules: keys are checked against their certificate', () => {
  it('an RSA or EC key that is not the certificate\'s is refused when the context is built', function () {
    this.timeout(30_000);
    const pki = testPki();
    const otherRsa = mint('other-rsa', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], false).key;
    const otherEc = mint('other-ec', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], false).key;
    const mismatch = (e: Error): boolean => e instanceof TypeError && /key values mismatch/.test(e.message);
    assert.throws(() => new SslContext({ role: 'server', cert: pki.leaves.rsa.cert, key: otherRsa }), mismatch);
    assert.throws(() => new SslContext({ role: 'server', cert: pki.leaves['ec-p256'].cert, key: otherEc }), mismatch);
    assert.throws(() => new SslContext({ role: 'client', ca: pki.caCert, cert: pki.client.cert, key: otherEc }), mismatch);
    assert.throws(() => new SslContext({ role: 'server', cert: pki.leaves['ec-p256'].cert, key: pki.leaves.rsa.key }), mismatch);
    // SEC1 ("EC PRIVATE KEY") and PKCS#1 ("RSA PRIVATE KEY") forms are checked the same way.
    const sec1 = execFileSync('openssl', ['ec', '-in', pki.leaves['ec-p256'].keyPath], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    new SslContext({ role: 'server', cert: pki.leaves['ec-p256'].cert, key: sec1 });
    const pkcs1 = execFileSync('openssl', ['rsa', '-traditional', '-in', pki.leaves.rsa.keyPath], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    new SslContext({ role: 'server', cert: pki.leaves.rsa.cert, key: pkcs1 });
    new SslContext({ role: 'server', cert: pki.leaves.ed25519.cert, key: pki.leaves.ed25519.key });
  });

  it('an Ed25519 key that is not the certificate\'s fails the first handshake with "key values mismatch"', async () => {
    const pki = testPki();
    const otherEd = mint('other-ed', ['-algorithm', 'ED25519'], false).key;
    const sctx = new SslContext({ role: 'server', cert: pki.leaves.ed25519.cert, key: otherEd });
    const cctx = new SslContext({ role: 'client', ca: pki.caCert });
    const p = pair(cctx, sctx);
    const [rc, rs] = await tryHandshake(p);
    assert.equal(rs, -1);
    assert.equal(rc, -1);
    assert.equal(p.server.errorReason(), 'key values mismatch');
    assert.equal(p.server.lastErrorDetail()?.origin, 'local', 'our configuration, not the peer, is at fault');
    assert.equal(p.client.errorReason(), 'tlsv1 alert internal error');
  });
});

describe('trust rules: RSA key limits for the peer leaf', () => {
  let small: { cert: string; key: string };
  before(function () {
    this.timeout(30_000);
    small = mint('rsa-1024', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024']);
  });

  it('a 1024-bit RSA server is refused by a verifying client, by a non-verifying one too, and accepted with minRsaModulusBits: 1024', async () => {
    const pki = testPki();
    const sctx = new SslContext({ role: 'server', cert: small.cert, key: small.key });
    const p = pair(new SslContext({ role: 'client', ca: pki.caCert }), sctx);
    const [rc] = await tryHandshake(p);
    assert.equal(rc, -1);
    assert.equal(p.client.verifyResult(), 'X509_V_ERR_EE_KEY_TOO_SMALL');
    assert.match(String(p.client.lastErrorDetail()?.message), /1024 bits is below the 2048-bit minimum/);
    assert.equal(p.server.errorReason(), 'sslv3 alert bad certificate');
    const q = pair(new SslContext({ role: 'client', verifyPeer: false }), sctx);
    const [rq] = await tryHandshake(q);
    assert.equal(rq, -1, 'the key that signs CertificateVerify is limited even without verification');
    assert.equal(q.server.errorReason(), 'sslv3 alert bad certificate');
    const ok = pair(new SslContext({ role: 'client', ca: pki.caCert, minRsaModulusBits: 1024 }), sctx);
    await handshake(ok);
    assert.equal(ok.client.verifyResult(), 'X509_V_OK');
    assert.throws(() => new SslContext({ role: 'client', ca: pki.caCert, minRsaModulusBits: 512 }), RangeError);
    assert.throws(() => new SslContext({ role: 'client', ca: pki.caCert, minRsaModulusBits: 16384 }), RangeError);
  });
});
