import { strict as assert } from 'node:assert';
import { createPrivateKey } from 'node:crypto';
import { parseCertificate } from '#internal/cert/certificate';
import { parsePrivateKey } from '#internal/cert/key';
import type { SignatureSchemeName } from '#internal/crypto/provider';
import { createWebCryptoProvider } from '#internal/crypto/webcrypto';
import { type Pki, sharedPki } from './pki.js';

const provider = createWebCryptoProvider(globalThis.crypto);
const data = new TextEncoder().encode('CertificateVerify content');

describe('cert/key: parsePrivateKey', () => {
  let pki: Pki;
  before(function () {
    this.timeout(120_000);
    pki = sharedPki();
  });

  /** The key signs, and the certificate's SPKI verifies the signature: the PKCS#8 really is that key. */
  async function assertKeyOf(certName: string, pkcs8: Uint8Array, type: Parameters<typeof provider.importSigningKey>[0], scheme: SignatureSchemeName) {
    const signer = await provider.importSigningKey(type, pkcs8);
    const sig = await signer.sign(scheme, data);
    assert.ok(await provider.verify(scheme, parseCertificate(pki.der(certName)).spki, data, sig), `${certName}: signature does not verify`);
  }

  it('PKCS#8 EC P-256, EC P-384, RSA and Ed25519 keys', async () => {
    const cases = [
      ['leafP256', 'ec-p256', 'ecdsa_secp256r1_sha256'],
      ['leafP384', 'ec-p384', 'ecdsa_secp384r1_sha384'],
      ['leafRsa', 'rsa', 'rsa_pss_rsae_sha256'],
      ['leafEd', 'ed25519', 'ed25519'],
    ] as const;
    for (const [name, type, scheme] of cases) {
      const pem = pki.keyPem(name);
      assert.match(pem, /BEGIN PRIVATE KEY/);
      const k = parsePrivateKey(pem);
      assert.equal(k.type, type);
      await assertKeyOf(name, k.pkcs8, type, scheme);
    }
  });

  it('PKCS#8 DER bytes', () => {
    const der = new Uint8Array(pki.openssl(['pkey', '-in', 'leafEd.key', '-outform', 'DER']));
    assert.equal(parsePrivateKey(der).type, 'ed25519');
  });

  it('SEC1 "EC PRIVATE KEY" (with an "EC PARAMETERS" block before it) is converted to PKCS#8', async () => {
    const sec1 = pki.openssl(['ec', '-in', 'leafP384.key']).toString();
    assert.match(sec1, /BEGIN EC PRIVATE KEY/);
    const params = pki.openssl(['ecparam', '-name', 'secp384r1']).toString();
    const k = parsePrivateKey(params + sec1);
    assert.equal(k.type, 'ec-p384');
    createPrivateKey({ key: Buffer.from(k.pkcs8), format: 'der', type: 'pkcs8' });
    await assertKeyOf('leafP384', k.pkcs8, 'ec-p384', 'ecdsa_secp384r1_sha384');
  });

  it('PKCS#1 "RSA PRIVATE KEY" is converted to the same PKCS#8 that `openssl pkcs8 -topk8` writes', async () => {
    const pkcs1 = pki.openssl(['rsa', '-in', 'leafRsa.key', '-traditional']).toString();
    assert.match(pkcs1, /BEGIN RSA PRIVATE KEY/);
    const k = parsePrivateKey(pkcs1);
    assert.equal(k.type, 'rsa');
    const reference = new Uint8Array(pki.openssl(['pkcs8', '-topk8', '-nocrypt', '-in', 'leafRsa.key', '-outform', 'DER']));
    assert.deepEqual(k.pkcs8, reference);
    await assertKeyOf('leafRsa', k.pkcs8, 'rsa', 'rsa_pkcs1_sha256');
  });

  it('refuses unsupported key types with a TypeError that says what to do', () => {
    const p521 = pki.openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521']).toString();
    assert.throws(() => parsePrivateKey(p521), (e: Error) => e instanceof TypeError && /P-256 and P-384/.test(e.message));
    const x25519 = pki.openssl(['genpkey', '-algorithm', 'X25519']).toString();
    assert.throws(() => parsePrivateKey(x25519), (e: Error) => e instanceof TypeError && /unsupported private key algorithm/.test(e.message));
    assert.throws(() => parsePrivateKey(pki.keyPem('rootPssKey')), (e: Error) => e instanceof TypeError && /RSA-PSS/.test(e.message));
  });

  it('refuses encrypted keys, pointing at `openssl pkcs8 -topk8 -nocrypt`', () => {
    const enc = pki.openssl(['pkey', '-in', 'leafP256.key', '-aes128', '-passout', 'pass:x']).toString();
    assert.throws(() => parsePrivateKey(enc), (e: Error) => e instanceof TypeError && /openssl pkcs8 -topk8 -nocrypt/.test(e.message));
    const legacy = pki.openssl(['rsa', '-in', 'leafRsa.key', '-traditional', '-aes128', '-passout', 'pass:x']).toString();
    assert.throws(() => parsePrivateKey(legacy), (e: Error) => e instanceof TypeError && /openssl pkcs8 -topk8 -nocrypt/.test(e.message));
  });

  it('refuses inputs without exactly one key, and malformed keys', () => {
    assert.throws(() => parsePrivateKey(pki.pem('root')), /no private key block/);
    assert.throws(() => parsePrivateKey(pki.keyPem('leafP256') + pki.keyPem('root')), /more than one/);
    assert.throws(() => parsePrivateKey(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00])), (e: Error) => e instanceof TypeError && /malformed PKCS#8/.test(e.message));
    const bad = '-----BEGIN EC PRIVATE KEY-----\nMAMCAQE=\n-----END EC PRIVATE KEY-----\n';
    assert.throws(() => parsePrivateKey(bad), (e: Error) => e instanceof TypeError && /EC PRIVATE KEY/.test(e.message));
  });
});
