import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { spkiSha256 } from '#internal/cert/anchors';
import { parseCertificate } from '#internal/cert/certificate';
import { KeyUsage } from '#internal/cert/extensions';
import { certSignatureScheme } from '#internal/cert/scheme';
import { createWebCryptoProvider } from '#internal/crypto/webcrypto';
import { readDer } from '#internal/der/reader';
import { SslError } from '#internal/errors/ssl-error';
import { type Pki, sharedPki } from './pki.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('cert/certificate: parseCertificate', () => {
  let pki: Pki;
  before(function () {
    this.timeout(120_000);
    pki = sharedPki();
  });

  const opensslField = (name: string, flag: string): string => pki.openssl(['x509', '-in', `${name}.crt`, '-noout', flag]).toString().trim();

  it('decodes the fields OpenSSL reports for an EC P-256 leaf', () => {
    const c = parseCertificate(pki.der('leafP256'));
    assert.equal(c.version, 3);
    assert.equal(c.serialHex, opensslField('leafP256', '-serial').replace('serial=', '').toLowerCase());
    assert.equal(c.subjectText, 'CN=server.test');
    assert.equal(c.issuerText, 'O=memtls test, CN=Test Intermediate EC');
    assert.equal(c.commonName, 'server.test');
    assert.equal(c.notBefore.toISOString(), '2025-01-01T00:00:00.000Z');
    assert.equal(c.notAfter.toISOString(), '2035-01-01T00:00:00.000Z');
    assert.equal(c.keyType, 'ec-p256');
    assert.equal(c.rsaModulusBits, null);
    assert.deepEqual(c.signatureAlgorithm, { oid: '1.2.840.10045.4.3.2', family: 'ecdsa', hash: 'SHA-256' });
    assert.deepEqual(c.basicConstraints, { cA: false, pathLen: null });
    assert.equal(c.keyUsage, KeyUsage.digitalSignature);
    assert.deepEqual(c.extKeyUsage, ['1.3.6.1.5.5.7.3.1']);
    assert.deepEqual(c.subjectAltName?.dns, ['localhost', '*.example.com', 'server.test', '10.9.9.9']);
    assert.deepEqual(c.subjectAltName?.ip.map(hex), ['7f000001', '20010db8000000000000000000000001']);
    assert.deepEqual(c.unhandledCritical, []);
    assert.equal(c.selfIssued, false);
    const int = parseCertificate(pki.der('int'));
    assert.deepEqual(c.authorityKeyId, int.subjectKeyId);
    assert.deepEqual(c.issuer, int.subject);
  });

  it('keeps the exact tbsCertificate bytes', () => {
    const der = pki.der('leafRsa');
    const c = parseCertificate(der);
    // Certificate ::= SEQUENCE (30 82 LL LL) { tbsCertificate ... }: the TBS starts at offset 4.
    assert.deepEqual(c.tbs, der.subarray(4, 4 + c.tbs.length));
  });

  it('keeps the exact SPKI bytes; their SHA-256 equals OpenSSL\'s (the value used for key pinning)', async () => {
    const pub = pki.openssl(['x509', '-in', 'leafP384.crt', '-noout', '-pubkey']);
    writeFileSync(`${pki.dir}/leafP384.pub`, pub);
    const spkiDer = pki.openssl(['pkey', '-pubin', '-in', 'leafP384.pub', '-outform', 'DER']);
    const c = parseCertificate(pki.der('leafP384'));
    assert.deepEqual(c.spki, new Uint8Array(spkiDer));
    const pin = await spkiSha256(createWebCryptoProvider(globalThis.crypto), c);
    assert.equal(hex(pin), createHash('sha256').update(spkiDer).digest('hex'));
  });

  it('identifies key types and RSA modulus sizes', () => {
    const types = ['leafP384', 'leafRsa', 'leafEd', 'rootPssKey', 'rootRsa'].map((n) => {
      const c = parseCertificate(pki.der(n));
      return [c.keyType, c.rsaModulusBits];
    });
    assert.deepEqual(types, [['ec-p384', null], ['rsa', 2048], ['ed25519', null], ['rsa-pss', 2048], ['rsa', 2048]]);
  });

  it('decodes CA extensions: basicConstraints pathLen, keyUsage, nameConstraints', () => {
    const pl0 = parseCertificate(pki.der('intPl0'));
    assert.deepEqual(pl0.basicConstraints, { cA: true, pathLen: 0 });
    assert.equal(pl0.keyUsage, KeyUsage.keyCertSign | KeyUsage.cRLSign);
    const nc = parseCertificate(pki.der('intNc')).nameConstraints;
    assert.deepEqual(nc?.permitted?.dns, ['allowed.test']);
    assert.deepEqual(nc?.permitted?.ip.map((s) => [hex(s.address), hex(s.mask)]), [['0a000000', 'ff000000']]);
    assert.deepEqual(nc?.excluded?.dns, ['bad.allowed.test']);
    assert.equal(parseCertificate(pki.der('root')).selfIssued, true);
  });

  it('lists critical extensions it does not understand', () => {
    const c = parseCertificate(pki.der('leafCrit'));
    assert.deepEqual(c.unhandledCritical, ['1.3.6.1.4.1.55555.1']);
    assert.ok(c.extensions.some((e) => e.oid === '1.3.6.1.4.1.55555.1' && e.critical && !e.understood));
  });

  it('maps signature algorithms to TLS schemes using the issuer key', () => {
    const ec = parseCertificate(pki.der('leafP256')).signatureAlgorithm;
    assert.equal(certSignatureScheme(ec, 'ec-p256'), 'ecdsa_secp256r1_sha256');
    assert.equal(certSignatureScheme(ec, 'ec-p384'), null); // ecdsa-with-SHA256 by a P-384 key has no TLS 1.3 name
    assert.equal(certSignatureScheme(ec, 'rsa'), null);
    const rsa = parseCertificate(pki.der('rootRsa')).signatureAlgorithm;
    assert.equal(certSignatureScheme(rsa, 'rsa'), 'rsa_pkcs1_sha256');
    const pss = parseCertificate(pki.der('leafRsaPss')).signatureAlgorithm;
    assert.deepEqual([pss.family, pss.hash], ['rsa-pss', 'SHA-256']);
    assert.equal(certSignatureScheme(pss, 'rsa'), 'rsa_pss_rsae_sha256');
    assert.equal(certSignatureScheme(pss, 'rsa-pss'), 'rsa_pss_pss_sha256');
    assert.equal(certSignatureScheme(parseCertificate(pki.der('leafEdChain')).signatureAlgorithm, 'ed25519'), 'ed25519');
  });

  describe('strict DER', () => {
    const rejects = (der: Uint8Array, pattern: RegExp): void => {
      assert.throws(() => parseCertificate(der), (e: Error) => e instanceof SslError && e.reason === 'BAD_CERTIFICATE' && pattern.test(e.message));
    };

    it('rejects trailing bytes, truncation and garbage', () => {
      const der = pki.der('root');
      rejects(new Uint8Array([...der, 0]), /trailing/);
      rejects(der.subarray(0, der.length - 1), /exceeds|truncated/);
      rejects(new Uint8Array([1, 2, 3]), /certificate/);
    });

    it('rejects an indefinite-length encoding (BER, not DER)', () => {
      const der = pki.der('root');
      // 30 82 LL LL <body>  ->  30 80 <body> 00 00
      const ber = new Uint8Array([0x30, 0x80, ...der.subarray(4), 0, 0]);
      rejects(ber, /indefinite/);
    });

    it('rejects a non-minimal length', () => {
      assert.throws(() => readDer(new Uint8Array([0x04, 0x81, 0x01, 0x00])), /non-minimal/);
      assert.throws(() => readDer(new Uint8Array([0x04, 0x82, 0x00, 0x01, 0x00])), /non-minimal/);
      readDer(new Uint8Array([0x04, 0x01, 0x00]));
    });

    it('rejects a BOOLEAN TRUE that is not 0xFF (in an extension\'s critical flag)', () => {
      const der = pki.der('leafCrit');
      const i = Buffer.from(der).indexOf(Buffer.from([0x01, 0x01, 0xff]));
      assert.ok(i > 0);
      der[i + 2] = 0x01;
      rejects(der, /BOOLEAN/);
    });

    it('rejects an inner signature algorithm that differs from the outer one', () => {
      const der = pki.der('leafP256');
      // ecdsa-with-SHA256 OID ends ...04 03 02; the first occurrence is inside the TBS.
      const oidBytes = Buffer.from([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]);
      const i = Buffer.from(der).indexOf(oidBytes);
      der[i + 7] = 0x03; // ecdsa-with-SHA384
      rejects(der, /differs from signatureAlgorithm/);
    });
  });
});
