/**
 * RSA key limits in path validation (cert/key-limits.ts): modulus at most 8,192 bits and at least
 * `minRsaModulusBits` (default 2,048), exponent odd, >= 3 and <= 2^33 - 1. The refused keys are crafted with
 * `openssl asn1parse -genconf` and put into certificates the test root really signs (`x509 -force_pubkey`).
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCertificate } from '#internal/cert/certificate';
import { type ChainVerifyResult, verifyCertificateChain } from '#internal/cert/verify';
import { createWebCryptoProvider } from '#internal/crypto/webcrypto';
import { alertFor } from '#internal/errors/reasons';
import { AlertDescription } from '#internal/wire/enums';
import { NOW, type Pki, sharedPki } from './pki.js';

const provider = createWebCryptoProvider(globalThis.crypto);

describe('cert/key-limits: RSA keys in peer certificates', () => {
  let pki: Pki;
  let n2048: string;
  let seq = 0;

  before(function () {
    this.timeout(120_000);
    pki = sharedPki();
    n2048 = pki.openssl(['rsa', '-in', 'rootRsa.key', '-noout', '-modulus']).toString().trim().split('=')[1] as string;
  });

  /** A certificate for an RSA public key (n, e) of our choosing, signed by `issuer` (default: the EC root). */
  function craft(nHex: string, e: string, issuer = 'root', ca = false): Uint8Array {
    const name = `crafted${seq++}`;
    writeFileSync(
      join(pki.dir, `${name}.cnf`),
      `asn1=SEQUENCE:spki\n[spki]\nalg=SEQUENCE:alg\nkey=BITWRAP,SEQUENCE:rsa\n[alg]\noid=OID:rsaEncryption\nnull=NULL\n[rsa]\nn=INTEGER:0x${nHex}\ne=INTEGER:${e}\n`,
    );
    writeFileSync(join(pki.dir, `${name}.ext`), ca ? 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n' : 'basicConstraints=critical,CA:FALSE\n');
    pki.openssl(['asn1parse', '-genconf', `${name}.cnf`, '-out', `${name}.pub.der`, '-noout']);
    pki.openssl(['pkey', '-pubin', '-inform', 'DER', '-in', `${name}.pub.der`, '-out', `${name}.pub.pem`]);
    const key = issuer === 'root' ? 'root.key' : `${issuer}.key`;
    pki.openssl(['x509', '-new', '-subj', `/CN=${name}`, '-force_pubkey', `${name}.pub.pem`, '-CA', `${issuer}.crt`, '-CAkey', key, '-days', '3650', '-extfile', `${name}.ext`, '-out', `${name}.crt`]);
    return new Uint8Array(pki.openssl(['x509', '-in', `${name}.crt`, '-outform', 'DER']));
  }

  const verify = (chain: Uint8Array[], min?: number): Promise<ChainVerifyResult> =>
    verifyCertificateChain(provider, chain, {
      anchors: [parseCertificate(pki.der('root'))],
      now: NOW,
      purpose: 'serverAuth',
      ...(min !== undefined ? { minRsaModulusBits: min } : {}),
    });

  const refused = async (r: Promise<ChainVerifyResult>, code: string, depth: number, words: RegExp, alert: number): Promise<void> => {
    const res = await r;
    assert.ok(!res.ok, 'the chain must be refused');
    assert.equal(res.code, code);
    assert.equal(res.depth, depth);
    assert.match(res.detail, words);
    assert.equal(alertFor(res.reason), alert);
  };

  it('accepts exponents 3, 65537 and 2^33 - 1 with a 2048-bit modulus', async function () {
    this.timeout(30_000);
    for (const e of ['3', '65537', String(2 ** 33 - 1)]) {
      const r = await verify([craft(n2048, e)]);
      assert.ok(r.ok, r.ok ? '' : `e=${e}: ${r.code} ${r.detail}`);
    }
  });

  it('refuses an even exponent, an exponent below 3 and one over 2^33 - 1 (bad_certificate)', async function () {
    this.timeout(30_000);
    await refused(verify([craft(n2048, '65536')]), 'X509_V_ERR_INVALID_PUBLIC_KEY', 0, /exponent is even/, AlertDescription.BAD_CERTIFICATE);
    await refused(verify([craft(n2048, '1')]), 'X509_V_ERR_INVALID_PUBLIC_KEY', 0, /exponent is below 3/, AlertDescription.BAD_CERTIFICATE);
    await refused(verify([craft(n2048, String(2 ** 33 + 1))]), 'X509_V_ERR_INVALID_PUBLIC_KEY', 0, /over 2\^33 - 1/, AlertDescription.BAD_CERTIFICATE);
  });

  it('refuses a modulus over 8192 bits (unsupported_certificate)', async function () {
    this.timeout(30_000);
    const big = randomBytes(8200 / 8);
    big[0] = (big[0] as number) | 0x80;
    big[big.length - 1] = (big[big.length - 1] as number) | 1;
    await refused(verify([craft(big.toString('hex').toUpperCase(), '65537')]), 'X509_V_ERR_UNSUPPORTED_PUBLIC_KEY', 0, /8200 bits is over the 8192-bit limit/, AlertDescription.UNSUPPORTED_CERTIFICATE);
  });

  it('refuses a leaf modulus below the minimum (default 2048; configurable)', async function () {
    this.timeout(30_000);
    const n1024 = pki.openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024']);
    writeFileSync(join(pki.dir, 'small.key'), n1024);
    const mod = pki.openssl(['rsa', '-in', 'small.key', '-noout', '-modulus']).toString().trim().split('=')[1] as string;
    const leaf = craft(mod, '65537');
    await refused(verify([leaf]), 'X509_V_ERR_EE_KEY_TOO_SMALL', 0, /1024 bits is below the 2048-bit minimum/, AlertDescription.BAD_CERTIFICATE);
    const ok = await verify([leaf], 1024);
    assert.ok(ok.ok, 'minRsaModulusBits: 1024 accepts it');
    await refused(verify([craft(n2048, '65537')], 3072), 'X509_V_ERR_EE_KEY_TOO_SMALL', 0, /2048 bits is below the 3072-bit minimum/, AlertDescription.BAD_CERTIFICATE);
  });

  it('refuses a CA whose RSA key is too small, at the CA depth', async function () {
    this.timeout(30_000);
    writeFileSync(join(pki.dir, 'smallca.key'), pki.openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024']));
    // The CA certificate carries the real 1024-bit public key, so the leaf below it is genuinely signed by it.
    writeFileSync(join(pki.dir, 'smallca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n');
    pki.openssl(['req', '-new', '-key', 'smallca.key', '-subj', '/CN=Small RSA CA', '-out', 'smallca.csr']);
    pki.openssl(['x509', '-req', '-in', 'smallca.csr', '-CA', 'root.crt', '-CAkey', 'root.key', '-days', '3650', '-extfile', 'smallca.ext', '-out', 'smallca.crt']);
    const ca = new Uint8Array(pki.openssl(['x509', '-in', 'smallca.crt', '-outform', 'DER']));
    const leaf = craft(n2048, '65537', 'smallca');
    await refused(verify([leaf, ca]), 'X509_V_ERR_CA_KEY_TOO_SMALL', 1, /1024 bits is below the 2048-bit minimum/, AlertDescription.BAD_CERTIFICATE);
    const ok = await verify([leaf, ca], 1024);
    assert.ok(ok.ok, ok.ok ? '' : `${ok.code} ${ok.detail}`);
  });
});
