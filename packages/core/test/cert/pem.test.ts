import { strict as assert } from 'node:assert';
import { loadCertificates } from '#internal/cert/anchors';
import { certificatesFromPem, parsePem } from '#internal/cert/pem';
import { type Pki, sharedPki } from './pki.js';

describe('cert/pem', () => {
  let pki: Pki;
  before(function () {
    this.timeout(120_000);
    pki = sharedPki();
  });

  it('reads several blocks in order, skipping text between them, CRLF line ends and other block types', () => {
    const text = [
      'subject=CN = server.test',
      'issuer=O = memtls test, CN = Test Intermediate EC',
      pki.pem('leafP256'),
      '# a comment, then a key that must be skipped',
      pki.keyPem('leafP256'),
      'Bag Attributes: <No Attributes>',
      pki.pem('int').replace(/\n/g, '\r\n'),
      'trailing junk -----',
    ].join('\n');
    assert.deepEqual(
      parsePem(text).map((b) => b.label),
      ['CERTIFICATE', 'PRIVATE KEY', 'CERTIFICATE'],
    );
    const certs = certificatesFromPem(text);
    assert.equal(certs.length, 2);
    assert.deepEqual(certs[0], pki.der('leafP256'));
    assert.deepEqual(certs[1], pki.der('int'));
  });

  it('accepts an array of PEM texts', () => {
    const certs = certificatesFromPem([pki.pem('root'), pki.pem('rootRsa')]);
    assert.deepEqual(certs, [pki.der('root'), pki.der('rootRsa')]);
  });

  it('rejects unterminated blocks, mismatched labels, bad base64 and encapsulated headers with TypeError', () => {
    const pem = pki.pem('root');
    assert.throws(() => parsePem(pem.replace('-----END CERTIFICATE-----', '')), /unterminated/);
    assert.throws(() => parsePem(pem.replace('END CERTIFICATE', 'END X509 CRL')), /ends with/);
    assert.throws(() => parsePem(pem.replace(/\n[A-Za-z0-9+/]{10}/, '\n!!!!!!!!!!')), /base64/);
    const legacy = '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n';
    assert.throws(() => parsePem(legacy), (e: Error) => e instanceof TypeError && /openssl pkcs8/.test(e.message));
  });

  it('reports a PEM input without certificates', () => {
    assert.throws(() => certificatesFromPem(pki.keyPem('root')), /no "BEGIN CERTIFICATE"/);
    assert.throws(() => certificatesFromPem('hello'), TypeError);
  });

  it('loadCertificates parses every block and names the one that does not decode', () => {
    const certs = loadCertificates(pki.pem('leafP256') + pki.pem('int'));
    assert.deepEqual(certs.map((c) => c.subjectText), ['CN=server.test', 'O=memtls test, CN=Test Intermediate EC']);
    const broken = '-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n';
    assert.throws(() => loadCertificates(pki.pem('root') + broken), (e: Error) => e instanceof TypeError && /#2/.test(e.message));
  });
});
