/**
 * Two OpenSSL context settings end to end (issue 15): the verify depth (SSL_CTX_set_verify_depth: the most
 * intermediate CAs in the peer's path, leaf and anchor not counted) and the signature algorithm list
 * (SSL_CTX_set1_sigalgs_list: what we send in signature_algorithms, accept in the peer's CertificateVerify and
 * sign our own with).
 */
import { strict as assert } from 'node:assert';
import { SSL_ERROR_SSL, SslContext } from '@memtls/core';
import { drive, handshake, type Pair, pair } from '../util/pair.js';
import { type KeyKind, testPki } from '../util/pki.js';
import { NOW, trustPki } from './pki.js';

const clock = (): Date => NOW;
const tryHandshake = (p: Pair): Promise<[number, number]> => drive(() => p.client.doHandshake(), p.client, () => p.server.doHandshake(), p.server);

describe('verifyDepth: the most intermediate CA certificates, as OpenSSL counts them', function () {
  this.timeout(30_000);

  // root -> deep1 -> deep2 -> serverDeep: two intermediates.
  const deepServer = (): SslContext => {
    const pki = trustPki();
    return new SslContext({ role: 'server', cert: pki.chain('serverDeep', 'deep2', 'deep1'), key: pki.key('serverDeep'), now: clock });
  };
  const client = (verifyDepth?: number): SslContext =>
    new SslContext({ role: 'client', ca: trustPki().pem('root'), now: clock, ...(verifyDepth !== undefined ? { verifyDepth } : {}) });

  for (const depth of [2, 3, undefined]) {
    it(`two intermediates verify with ${depth === undefined ? 'no verifyDepth' : `verifyDepth ${depth}`}`, async () => {
      const p = pair(client(depth), deepServer());
      await handshake(p);
      assert.equal(p.client.verifyResult(), 'X509_V_OK');
    });
  }

  for (const [depth, at] of [
    [1, 2],
    [0, 1],
  ] as const) {
    it(`two intermediates with verifyDepth ${depth}: X509_V_ERR_CERT_CHAIN_TOO_LONG at depth ${at}, the client's alert reaches the server`, async () => {
      const p = pair(client(depth), deepServer());
      const [rc, rs] = await tryHandshake(p);
      assert.equal(rc, -1);
      assert.equal(p.client.getError(rc), SSL_ERROR_SSL);
      assert.equal(p.client.verifyResult(), 'X509_V_ERR_CERT_CHAIN_TOO_LONG');
      assert.equal(p.client.errorReason(), 'certificate verify failed');
      const detail = String(p.client.lastErrorDetail()?.message);
      assert.match(detail, new RegExp(`CERT_CHAIN_TOO_LONG at depth ${at}: certificate chain too long: verify depth ${depth}: at most ${depth} intermediate CA certificates`));
      assert.equal(p.client.lastErrorDetail()?.alert, 48, 'unknown_ca, as every path error (docs/trust.md)');
      assert.equal(rs, -1);
      assert.equal(p.server.errorReason(), 'tlsv1 alert unknown ca');
    });
  }

  it('a server limits the client certificate path too; verifyDepth 0 still accepts a leaf issued by the anchor', async () => {
    const pki = trustPki();
    // server: one intermediate (root -> int -> server); client cert: the same.
    const sctx = (verifyDepth: number): SslContext =>
      new SslContext({ role: 'server', cert: pki.chain('server', 'int'), key: pki.key('server'), ca: pki.pem('root'), verifyPeer: true, verifyDepth, now: clock });
    const cctx = new SslContext({ role: 'client', ca: pki.pem('root'), cert: pki.chain('client', 'int'), key: pki.key('client'), now: clock });
    const ok = pair(cctx, sctx(1));
    await handshake(ok);
    assert.equal(ok.server.verifyResult(), 'X509_V_OK');
    const refused = pair(cctx, sctx(0));
    const [, rs] = await tryHandshake(refused);
    assert.equal(rs, -1);
    assert.equal(refused.server.verifyResult(), 'X509_V_ERR_CERT_CHAIN_TOO_LONG');
    // The client's own verifyDepth 0 with a server certificate issued by its anchor (test/util PKI: no intermediate).
    const flat = testPki();
    const p = pair(new SslContext({ role: 'client', ca: flat.caCert, verifyDepth: 0 }), new SslContext({ role: 'server', cert: flat.leaves['ec-p256'].cert, key: flat.leaves['ec-p256'].key }));
    await handshake(p);
    assert.equal(p.client.verifyResult(), 'X509_V_OK');
  });

  it('a negative or fractional verifyDepth is a RangeError', () => {
    const ca = trustPki().pem('root');
    for (const verifyDepth of [-1, 1.5, Number.NaN]) assert.throws(() => new SslContext({ role: 'client', ca, verifyDepth }), RangeError);
  });
});

describe('sigalgs: the signature algorithms for CertificateVerify, both ways', function () {
  this.timeout(30_000);
  const server = (kind: KeyKind, sigalgs?: string | string[]): SslContext => {
    const leaf = testPki().leaves[kind];
    return new SslContext({ role: 'server', cert: leaf.cert, key: leaf.key, ...(sigalgs !== undefined ? { sigalgs } : {}) });
  };
  const client = (sigalgs?: string | string[]): SslContext => new SslContext({ role: 'client', ca: testPki().caCert, ...(sigalgs !== undefined ? { sigalgs } : {}) });

  it('OpenSSL and IANA names, in order; unknown, repeated or unusable lists are a RangeError', () => {
    // The name parsing itself (both spellings, order kept) is tested with the code: packages/core/test/handshake/sigalgs.test.ts.
    for (const bad of ['FOO+SHA256', 'ECDSA+MD5', 'ecdsa_p256', '', 'ECDSA+SHA256:ecdsa_secp256r1_sha256', 'RSA+SHA256', 'ECDSA+SHA256+SHA384']) {
      assert.throws(() => client(bad), RangeError, bad);
    }
    assert.throws(() => client(42 as unknown as string), TypeError);
  });

  it('a client that allows only rsa_pss_rsae_sha256 and a server with an ECDSA key: handshake_failure, with the reason in words', async () => {
    const p = pair(client('rsa_pss_rsae_sha256'), server('ec-p256'));
    const [rc, rs] = await tryHandshake(p);
    assert.equal(rs, -1);
    assert.equal(p.server.getError(rs), SSL_ERROR_SSL);
    assert.equal(p.server.errorReason(), 'no suitable signature algorithm');
    assert.match(String(p.server.lastErrorDetail()?.message), /the client offers none of the schemes our ec-p256 key may sign with \(ecdsa_secp256r1_sha256\)/);
    assert.equal(p.server.lastErrorDetail()?.alert, 40, 'handshake_failure');
    assert.equal(rc, -1);
    assert.equal(p.client.errorReason(), 'sslv3 alert handshake failure');
  });

  it('a client that allows only rsa_pss_rsae_sha384 and an RSA server: the handshake uses it (OpenSSL spelling RSA-PSS+SHA384 too)', async () => {
    // By default the server would pick rsa_pss_rsae_sha256, the first RSA scheme the client offers.
    for (const list of ['rsa_pss_rsae_sha384', 'RSA-PSS+SHA384']) {
      let scheme = -1;
      const cctx = new SslContext({
        role: 'client',
        ca: testPki().caCert,
        sigalgs: list,
        msgCallback: (m) => {
          // CertificateVerify (type 15) from the server: its scheme is the first two bytes of the body.
          if (m.contentType === 22 && m.direction === 'received' && m.bytes[0] === 15) scheme = ((m.bytes[4] ?? 0) << 8) | (m.bytes[5] ?? 0);
        },
      });
      const p = pair(cctx, server('rsa'));
      await handshake(p);
      assert.equal(scheme, 0x0805, list);
    }
  });

  it("a server's sigalgs restrict its own key: an ECDSA server limited to ed25519 fails, one limited to ECDSA+SHA256 works", async () => {
    const bad = pair(client(), server('ec-p256', 'ed25519'));
    const [, rs] = await tryHandshake(bad);
    assert.equal(rs, -1);
    assert.match(String(bad.server.lastErrorDetail()?.message), /no suitable signature algorithm: the client offers none of the schemes our ec-p256 key may sign with \(none\)/);
    assert.equal(bad.client.errorReason(), 'sslv3 alert handshake failure');
    await handshake(pair(client(), server('ec-p256', ['ECDSA+SHA256'])));
  });

  it("a server's sigalgs go into its CertificateRequest: a client whose key fits none sends no certificate", async () => {
    const pki = testPki();
    let requested: number[] = [];
    // An RSA server that accepts only ed25519 and RSA-PSS signatures; the client's key is ECDSA P-256.
    const sctx = new SslContext({ role: 'server', cert: pki.leaves.rsa.cert, key: pki.leaves.rsa.key, ca: pki.caCert, verifyPeer: true, sigalgs: 'ed25519:rsa_pss_rsae_sha256' });
    const cctx = new SslContext({
      role: 'client',
      ca: pki.caCert,
      cert: pki.client.cert,
      key: pki.client.key,
      msgCallback: (m) => {
        // CertificateRequest (13): header, empty context, extensions; its one extension, signature_algorithms
        // (type 13 at bytes 7-8), holds a u16 list whose length is at bytes 11-12.
        if (m.contentType === 22 && m.direction === 'received' && m.bytes[0] === 13) {
          const b = m.bytes;
          assert.equal(((b[7] ?? 0) << 8) | (b[8] ?? 0), 13);
          const n = ((b[11] ?? 0) << 8) | (b[12] ?? 0);
          requested = [];
          for (let i = 13; i < 13 + n; i += 2) requested.push(((b[i] ?? 0) << 8) | (b[i + 1] ?? 0));
        }
      },
    });
    const p = pair(cctx, sctx);
    const [, rs] = await tryHandshake(p);
    assert.deepEqual(requested, [0x0807, 0x0804]);
    assert.equal(rs, -1);
    assert.equal(p.server.errorReason(), 'peer did not return a certificate');
    // With ECDSA allowed, the same client authenticates.
    const sctx2 = new SslContext({ role: 'server', cert: pki.leaves.rsa.cert, key: pki.leaves.rsa.key, ca: pki.caCert, verifyPeer: true, sigalgs: 'rsa_pss_rsae_sha256:ECDSA+SHA256' });
    const q = pair(cctx, sctx2);
    await handshake(q);
    assert.equal(q.server.verifyResult(), 'X509_V_OK');
  });
});
