import { strict as assert } from 'node:assert';
import type { ParsedCertificate } from '#internal/cert/certificate';
import { parseCertificate } from '#internal/cert/certificate';
import { certSignatureScheme } from '#internal/cert/scheme';
import { type ChainVerifyOptions, type ChainVerifyResult, type VerifyCode, verifyCertificateChain } from '#internal/cert/verify';
import type { CryptoProvider } from '#internal/crypto/provider';
import { createWebCryptoProvider } from '#internal/crypto/webcrypto';
import { alertFor, type ReasonCode } from '#internal/errors/reasons';
import { AlertDescription } from '#internal/wire/enums';
import { NOW, type Pki, sharedPki } from './pki.js';

const provider: CryptoProvider = createWebCryptoProvider(globalThis.crypto);

function flip(der: Uint8Array, at: number, mask: number): void {
  der[at] = (der[at] as number) ^ mask;
}

describe('cert/verify: verifyCertificateChain', () => {
  let pki: Pki;
  let root: ParsedCertificate;

  before(function () {
    this.timeout(120_000);
    pki = sharedPki();
    root = parseCertificate(pki.der('root'));
  });

  const anchor = (name: string): ParsedCertificate => parseCertificate(pki.der(name));
  const run = (names: string[], opts: Partial<ChainVerifyOptions> = {}): Promise<ChainVerifyResult> =>
    verifyCertificateChain(
      provider,
      names.map((n) => pki.der(n)),
      { anchors: [root], now: NOW, purpose: 'serverAuth', ...opts },
    );
  const expectOk = async (names: string[], opts: Partial<ChainVerifyOptions> = {}): Promise<readonly ParsedCertificate[]> => {
    const r = await run(names, opts);
    assert.ok(r.ok, r.ok ? '' : `expected success, got ${r.code} at depth ${r.depth}: ${r.detail}`);
    return r.path;
  };
  const expectFail = async (
    names: string[] | Promise<ChainVerifyResult>,
    code: VerifyCode,
    reason: ReasonCode,
    depth: number,
    opts: Partial<ChainVerifyOptions> = {},
  ): Promise<string> => {
    const r = Array.isArray(names) ? await run(names, opts) : await names;
    assert.ok(!r.ok, `expected ${code}, but the chain verified`);
    assert.deepEqual({ code: r.code, reason: r.reason, depth: r.depth }, { code, reason, depth }, r.detail);
    return r.detail;
  };
  const subjects = (path: readonly ParsedCertificate[]): string[] => path.map((c) => c.subjectText);

  describe('good chains', () => {
    it('accepts an EC P-256 leaf through an intermediate, returning leaf-to-anchor path', async () => {
      const path = await expectOk(['leafP256', 'int'], { hostname: 'server.test' });
      assert.deepEqual(subjects(path), ['CN=server.test', 'O=memtls test, CN=Test Intermediate EC', 'O=memtls test, CN=Test Root EC']);
    });

    it('accepts P-384, RSA 2048 and Ed25519 leaves issued by the P-256 intermediate', async () => {
      await expectOk(['leafP384', 'int'], { hostname: 'p384.test' });
      await expectOk(['leafRsa', 'int'], { hostname: 'rsa.test' });
      await expectOk(['leafEd', 'int'], { hostname: 'ed.test' });
    });

    it('builds the path from intermediates sent out of order, ignoring an unrelated extra certificate', async () => {
      const path = await expectOk(['leafDeep', 'deep1', 'otherRoot', 'deep2']);
      assert.deepEqual(subjects(path), ['CN=leafDeep.test', 'CN=Deep 2', 'CN=Deep 1', 'O=memtls test, CN=Test Root EC']);
    });

    it('stops at the anchor even when the peer also sends the root', async () => {
      const path = await expectOk(['leafP256', 'int', 'root']);
      assert.equal(path.length, 3);
    });

    it('verifies an RSA-PSS (rsae) signature by an rsaEncryption root', async () => {
      const leaf = parseCertificate(pki.der('leafRsaPss'));
      assert.equal(certSignatureScheme(leaf.signatureAlgorithm, anchor('rootRsa').keyType), 'rsa_pss_rsae_sha256');
      await expectOk(['leafRsaPss'], { anchors: [anchor('rootRsa')], hostname: 'rsa.test' });
    });

    it('verifies an RSA-PSS (pss) signature by an id-RSASSA-PSS root key', async () => {
      const rootPss = anchor('rootPssKey');
      assert.equal(rootPss.keyType, 'rsa-pss');
      assert.equal(certSignatureScheme(parseCertificate(pki.der('leafPssPss')).signatureAlgorithm, rootPss.keyType), 'rsa_pss_pss_sha256');
      await expectOk(['leafPssPss'], { anchors: [rootPss] });
    });

    it('verifies an Ed25519 chain', async () => {
      await expectOk(['leafEdChain'], { anchors: [anchor('rootEd')], hostname: 'ed.test' });
    });

    it('accepts a leaf without extKeyUsage for either purpose', async () => {
      await expectOk(['leafAny', 'int'], { purpose: 'serverAuth' });
      await expectOk(['leafAny', 'int'], { purpose: 'clientAuth' });
    });

    it('trusts a self-signed leaf that is itself an anchor (pinning)', async () => {
      const path = await expectOk(['selfLeaf'], { anchors: [anchor('selfLeaf')], hostname: 'self.test' });
      assert.equal(path.length, 1);
    });

    it('tries alternative issuers: a cross-signed CA whose first copy leads nowhere and second is expired', async () => {
      const path = await expectOk(['leafCross', 'crossA', 'crossOld', 'crossB']);
      assert.deepEqual(path[1]?.der, pki.der('crossB'));
    });
  });

  describe('validity period', () => {
    it('expired leaf: X509_V_ERR_CERT_HAS_EXPIRED, certificate_expired alert', async () => {
      await expectFail(['leafExpired', 'int'], 'X509_V_ERR_CERT_HAS_EXPIRED', 'CERTIFICATE_EXPIRED', 0);
      assert.equal(alertFor('CERTIFICATE_EXPIRED'), AlertDescription.CERTIFICATE_EXPIRED);
    });

    it('not yet valid leaf: X509_V_ERR_CERT_NOT_YET_VALID, bad_certificate alert', async () => {
      await expectFail(['leafFuture', 'int'], 'X509_V_ERR_CERT_NOT_YET_VALID', 'CERTIFICATE_VERIFY_FAILED', 0);
      assert.equal(alertFor('CERTIFICATE_VERIFY_FAILED'), AlertDescription.BAD_CERTIFICATE);
    });

    it('rejects an anchor that has expired, as OpenSSL does', async () => {
      await expectFail(['leafUnderShort'], 'X509_V_ERR_CERT_HAS_EXPIRED', 'CERTIFICATE_EXPIRED', 1, { anchors: [anchor('shortRoot')] });
    });

    it('reports the expired copy when the only path to the anchor runs through it', async () => {
      await expectFail(['leafCross', 'crossA', 'crossOld'], 'X509_V_ERR_CERT_HAS_EXPIRED', 'CERTIFICATE_EXPIRED', 1);
    });
  });

  describe('host names and IP addresses', () => {
    it('wrong host: X509_V_ERR_HOSTNAME_MISMATCH', async () => {
      await expectFail(['leafP256', 'int'], 'X509_V_ERR_HOSTNAME_MISMATCH', 'CERTIFICATE_VERIFY_FAILED', 0, { hostname: 'other.test' });
    });

    it('"*.example.com" matches a.example.com (any case), not a.b.example.com, not example.com', async () => {
      await expectOk(['leafP256', 'int'], { hostname: 'a.example.com' });
      await expectOk(['leafP256', 'int'], { hostname: 'A.Example.COM.' });
      await expectFail(['leafP256', 'int'], 'X509_V_ERR_HOSTNAME_MISMATCH', 'CERTIFICATE_VERIFY_FAILED', 0, { hostname: 'a.b.example.com' });
      await expectFail(['leafP256', 'int'], 'X509_V_ERR_HOSTNAME_MISMATCH', 'CERTIFICATE_VERIFY_FAILED', 0, { hostname: 'example.com' });
    });

    it('partial wildcards ("a*.example.com"), "*.com" and non-left-most wildcards never match', async () => {
      for (const hostname of ['ab.example.com', 'a.example.com', 'example.com', 'b.x.example.org']) {
        await expectFail(['leafPartial', 'int'], 'X509_V_ERR_HOSTNAME_MISMATCH', 'CERTIFICATE_VERIFY_FAILED', 0, { hostname });
      }
    });

    it('IPv4 and IPv6 references match iPAddress SANs', async () => {
      await expectOk(['leafP256', 'int'], { hostname: '127.0.0.1' });
      await expectOk(['leafP256', 'int'], { hostname: '2001:db8::1' });
      await expectOk(['leafP256', 'int'], { hostname: '[2001:DB8:0:0:0:0:0:1]' });
      await expectFail(['leafP256', 'int'], 'X509_V_ERR_IP_ADDRESS_MISMATCH', 'CERTIFICATE_VERIFY_FAILED', 0, { hostname: '127.0.0.2' });
      await expectFail(['leafP256', 'int'], 'X509_V_ERR_IP_ADDRESS_MISMATCH', 'CERTIFICATE_VERIFY_FAILED', 0, { hostname: '2001:db8::2' });
    });

    it('an IP reference never matches a dNSName holding the same text', async () => {
      await expectFail(['leafP256', 'int'], 'X509_V_ERR_IP_ADDRESS_MISMATCH', 'CERTIFICATE_VERIFY_FAILED', 0, { hostname: '10.9.9.9' });
    });

    it('a certificate with only a subject CN fails the host check (no CN fallback)', async () => {
      const detail = await expectFail(['leafCn', 'int'], 'X509_V_ERR_HOSTNAME_MISMATCH', 'CERTIFICATE_VERIFY_FAILED', 0, { hostname: 'cn-only.test' });
      assert.match(detail, /commonName/);
      await expectOk(['leafCn', 'int']); // without a reference identity the chain itself is fine
    });

    it('a non-ASCII reference name never matches (IDNs must be A-labels)', async () => {
      await expectFail(['leafP256', 'int'], 'X509_V_ERR_HOSTNAME_MISMATCH', 'CERTIFICATE_VERIFY_FAILED', 0, { hostname: 'sérver.test' });
    });
  });

  describe('issuers and trust', () => {
    it('unknown root: X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, unknown_ca alert', async () => {
      await expectFail(['otherLeaf', 'otherInt'], 'X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNKNOWN_CA', 1);
      assert.equal(alertFor('UNKNOWN_CA'), AlertDescription.UNKNOWN_CA);
    });

    it('unknown root sent by the peer: X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN', async () => {
      await expectFail(['otherLeaf', 'otherInt', 'otherRoot'], 'X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN', 'UNKNOWN_CA', 2);
    });

    it('missing intermediate: X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY at depth 0', async () => {
      await expectFail(['leafP256'], 'X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNKNOWN_CA', 0);
    });

    it('self-signed leaf: X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT', async () => {
      await expectFail(['selfLeaf'], 'X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT', 'UNKNOWN_CA', 0);
    });

    it('intermediate with CA:FALSE: X509_V_ERR_INVALID_CA', async () => {
      await expectFail(['leafUnderNotCa', 'intNotCa'], 'X509_V_ERR_INVALID_CA', 'UNKNOWN_CA', 1);
    });

    it('intermediate whose keyUsage lacks keyCertSign: X509_V_ERR_INVALID_CA', async () => {
      await expectFail(['leafUnderNoKu', 'intNoKu'], 'X509_V_ERR_INVALID_CA', 'UNKNOWN_CA', 1);
    });

    it('pathLenConstraint 0 with a CA below it: X509_V_ERR_PATH_LENGTH_EXCEEDED', async () => {
      await expectFail(['leafUnderPl0', 'intUnderPl0', 'intPl0'], 'X509_V_ERR_PATH_LENGTH_EXCEEDED', 'UNKNOWN_CA', 2);
    });

    it('chain longer than maxChainLength: X509_V_ERR_CERT_CHAIN_TOO_LONG', async () => {
      await expectFail(['leafDeep', 'deep2', 'deep1'], 'X509_V_ERR_CERT_CHAIN_TOO_LONG', 'UNKNOWN_CA', 2, { maxChainLength: 3 });
      await expectOk(['leafDeep', 'deep2', 'deep1'], { maxChainLength: 4 });
    });
  });

  describe('purpose', () => {
    it('clientAuth-only leaf verified for serverAuth: X509_V_ERR_INVALID_PURPOSE, unsupported_certificate alert', async () => {
      await expectFail(['leafClient', 'int'], 'X509_V_ERR_INVALID_PURPOSE', 'UNSUPPORTED_CERTIFICATE', 0);
      assert.equal(alertFor('UNSUPPORTED_CERTIFICATE'), AlertDescription.UNSUPPORTED_CERTIFICATE);
      await expectOk(['leafClient', 'int'], { purpose: 'clientAuth' });
    });

    it('leaf keyUsage without digitalSignature: X509_V_ERR_INVALID_PURPOSE', async () => {
      await expectFail(['leafNoDs', 'int'], 'X509_V_ERR_INVALID_PURPOSE', 'UNSUPPORTED_CERTIFICATE', 0);
    });

    it('intermediate restricted to clientAuth, verifying a server: X509_V_ERR_INVALID_PURPOSE at depth 1', async () => {
      await expectFail(['leafUnderClient', 'intClient'], 'X509_V_ERR_INVALID_PURPOSE', 'UNSUPPORTED_CERTIFICATE', 1);
    });
  });

  describe('signatures and extensions', () => {
    it('a flipped byte in the signature: X509_V_ERR_CERT_SIGNATURE_FAILURE, bad_certificate alert', async () => {
      const der = pki.der('leafP256');
      flip(der, der.length - 1, 0x01);
      const r = verifyCertificateChain(provider, [der, pki.der('int')], { anchors: [root], now: NOW, purpose: 'serverAuth' });
      await expectFail(r, 'X509_V_ERR_CERT_SIGNATURE_FAILURE', 'CERTIFICATE_VERIFY_FAILED', 0);
    });

    it('a changed byte inside the signed tbsCertificate is caught (exact TBS bytes are verified)', async () => {
      const der = pki.der('leafP256');
      const at = Buffer.from(der).indexOf('localhost');
      assert.ok(at > 0);
      der[at] = 'L'.charCodeAt(0);
      const r = verifyCertificateChain(provider, [der, pki.der('int')], { anchors: [root], now: NOW, purpose: 'serverAuth' });
      await expectFail(r, 'X509_V_ERR_CERT_SIGNATURE_FAILURE', 'CERTIFICATE_VERIFY_FAILED', 0);
    });

    it('a bad signature on the intermediate is reported at depth 1', async () => {
      const der = pki.der('int');
      flip(der, der.length - 2, 0x40);
      const r = verifyCertificateChain(provider, [pki.der('leafP256'), der], { anchors: [root], now: NOW, purpose: 'serverAuth' });
      await expectFail(r, 'X509_V_ERR_CERT_SIGNATURE_FAILURE', 'CERTIFICATE_VERIFY_FAILED', 1);
    });

    it('unknown critical extension: X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION', async () => {
      const detail = await expectFail(['leafCrit', 'int'], 'X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION', 'CERTIFICATE_UNKNOWN', 0);
      assert.match(detail, /1\.3\.6\.1\.4\.1\.55555\.1/);
    });

    it('signature_algorithms_cert without the chain\'s scheme: X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM', async () => {
      await expectFail(['leafP256', 'int'], 'X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM', 'UNSUPPORTED_CERTIFICATE', 0, {
        signatureSchemesCert: ['rsa_pss_rsae_sha256', 'ed25519'],
      });
      await expectOk(['leafP256', 'int'], { signatureSchemesCert: ['ecdsa_secp256r1_sha256'] });
      await expectFail(['leafRsaPss'], 'X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM', 'UNSUPPORTED_CERTIFICATE', 0, {
        anchors: [anchor('rootRsa')],
        signatureSchemesCert: ['rsa_pkcs1_sha256', 'ecdsa_secp256r1_sha256'],
      });
    });

    it('the anchor\'s own signature is not subject to signature_algorithms_cert', async () => {
      // rootRsa is self-signed with rsa_pkcs1_sha256, which the list leaves out.
      await expectOk(['leafRsaPss'], { anchors: [anchor('rootRsa')], signatureSchemesCert: ['rsa_pss_rsae_sha256'] });
    });
  });

  describe('name constraints', () => {
    it('names inside the permitted subtrees pass', async () => {
      await expectOk(['leafNcOk', 'intNc'], { hostname: 'ok.allowed.test' });
      await expectOk(['leafNcOk', 'intNc'], { hostname: '10.1.2.3' });
    });

    it('a dNSName outside the permitted subtrees: X509_V_ERR_PERMITTED_VIOLATION', async () => {
      await expectFail(['leafNcPerm', 'intNc'], 'X509_V_ERR_PERMITTED_VIOLATION', 'CERTIFICATE_UNKNOWN', 0, { hostname: 'ok.allowed.test' });
    });

    it('an iPAddress outside the permitted subtrees: X509_V_ERR_PERMITTED_VIOLATION', async () => {
      await expectFail(['leafNcIp', 'intNc'], 'X509_V_ERR_PERMITTED_VIOLATION', 'CERTIFICATE_UNKNOWN', 0);
    });

    it('a dNSName inside an excluded subtree: X509_V_ERR_EXCLUDED_VIOLATION', async () => {
      await expectFail(['leafNcExcl', 'intNc'], 'X509_V_ERR_EXCLUDED_VIOLATION', 'CERTIFICATE_UNKNOWN', 0);
    });
  });

  describe('malformed input and misuse', () => {
    it('undecodable leaf: CERT_DECODE_ERROR with the bad_certificate alert', async () => {
      const r = verifyCertificateChain(provider, [new Uint8Array([0x30, 0x03, 0x02, 0x01])], { anchors: [root], now: NOW, purpose: 'serverAuth' });
      await expectFail(r, 'CERT_DECODE_ERROR', 'BAD_CERTIFICATE', 0);
    });

    it('a trailing byte after a certificate in the chain: CERT_DECODE_ERROR at its depth', async () => {
      const extra = new Uint8Array([...pki.der('int'), 0]);
      const r = verifyCertificateChain(provider, [pki.der('leafP256'), extra], { anchors: [root], now: NOW, purpose: 'serverAuth' });
      await expectFail(r, 'CERT_DECODE_ERROR', 'BAD_CERTIFICATE', 1);
    });

    it('API misuse throws: empty chain, invalid now, bad maxChainLength', async () => {
      const base = { anchors: [root], now: NOW, purpose: 'serverAuth' } as const;
      await assert.rejects(verifyCertificateChain(provider, [], base), TypeError);
      await assert.rejects(verifyCertificateChain(provider, [pki.der('leafP256')], { ...base, now: new Date(Number.NaN) }), TypeError);
      await assert.rejects(verifyCertificateChain(provider, [pki.der('leafP256')], { ...base, maxChainLength: 0 }), RangeError);
    });
  });
});
