/**
 * cert/verifier.ts, driven without a connection: the order of the policy (pins, path, callback), what the
 * callback can and cannot override, and the session policy that never upgrades trust.
 */
import { strict as assert } from 'node:assert';
import { parseCertificate } from '#internal/cert/certificate';
import { PolicyVerifier, type VerifierPolicy, type VerifyInfo } from '#internal/cert/verifier';
import { createWebCryptoProvider } from '#internal/crypto/webcrypto';
import { NOW, type Pki, sharedPki } from './pki.js';

describe('cert/verifier: PolicyVerifier', () => {
  let pki: Pki;
  let policy: VerifierPolicy;
  const provider = createWebCryptoProvider(globalThis.crypto);
  before(function () {
    this.timeout(60000);
    pki = sharedPki();
    policy = {
      role: 'client',
      provider,
      now: () => NOW,
      anchors: [parseCertificate(pki.der('root'))],
      verifyPeer: true,
      verifyHostname: true,
      pins: [],
      minRsaModulusBits: 2048,
      verifyDepth: undefined,
      certSchemes: ['ecdsa_secp256r1_sha256', 'ecdsa_secp384r1_sha384', 'rsa_pss_rsae_sha256', 'rsa_pkcs1_sha256', 'ed25519'],
      callback: null,
    };
  });
  const chain = (): Uint8Array[] => [pki.der('leafP256'), pki.der('int')];
  const pinOf = async (name: string): Promise<Uint8Array> => provider.hash('SHA-256', parseCertificate(pki.der(name)).spki);

  it('validates the path for the server name: X509_V_OK, the path leaf first and anchor last', async () => {
    const r = await new PolicyVerifier(policy).verifyServerCert(chain(), 'server.test');
    assert.equal(r.code, 'X509_V_OK');
    assert.equal(r.error, null);
    assert.equal(r.hostname, 'server.test');
    assert.equal(r.path.length, 3);
  });

  it('a wrong name fails; a callback that accepts lets it through but the code stays the error', async () => {
    const refused = await new PolicyVerifier(policy).verifyServerCert(chain(), 'other.test');
    assert.equal(refused.code, 'X509_V_ERR_HOSTNAME_MISMATCH');
    assert.ok(refused.error);
    const seen: VerifyInfo[] = [];
    const accepted = await new PolicyVerifier({ ...policy, callback: (info) => seen.push(info) > 0 }).verifyServerCert(chain(), 'other.test');
    assert.equal(accepted.code, 'X509_V_ERR_HOSTNAME_MISMATCH');
    assert.equal(accepted.error, null);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.ok, false);
  });

  it('pins come first and bind the leaf: a mismatch is fatal, whatever the callback says', async () => {
    const v = new PolicyVerifier({ ...policy, pins: [await pinOf('int')], callback: () => true });
    const r = await v.verifyServerCert(chain(), 'server.test');
    assert.equal(r.code, 'X509_V_ERR_APPLICATION_VERIFICATION');
    assert.equal(r.error?.reason, 'PINNED_PUBLIC_KEY_MISMATCH');
    const ok = await new PolicyVerifier({ ...policy, pins: [await pinOf('leafP256')] }).verifyServerCert(chain(), 'server.test');
    assert.equal(ok.code, 'X509_V_OK');
  });

  it('without verifyPeer nothing is validated; a callback that refuses or throws refuses', async () => {
    const off = { ...policy, verifyPeer: false };
    const r = await new PolicyVerifier(off).verifyServerCert(chain(), 'server.test');
    assert.deepEqual([r.code, r.error, r.hostname], ['X509_V_ERR_NOT_VERIFIED', null, null]);
    for (const callback of [() => false, () => { throw new Error('app'); }]) {
      const no = await new PolicyVerifier({ ...off, callback }).verifyServerCert(chain(), 'server.test');
      assert.equal(no.code, 'X509_V_ERR_APPLICATION_VERIFICATION');
      assert.equal(no.error?.reason, 'CERTIFICATE_VERIFY_FAILED');
    }
  });

  it('a session is offered only if it was verified as strongly, for this name, with a matching pin', async () => {
    const v = new PolicyVerifier(policy);
    const session = { verifyResult: 'X509_V_OK', verifiedHostname: 'server.test', peerCertificates: chain() };
    assert.equal(await v.acceptsSession(session, 'server.test'), true);
    assert.equal(await v.acceptsSession(session, 'other.test'), false);
    assert.equal(await v.acceptsSession({ ...session, verifyResult: 'X509_V_ERR_NOT_VERIFIED' }, 'server.test'), false);
    assert.equal(await v.acceptsSession({ ...session, verifyResult: 'X509_V_ERR_CERT_HAS_EXPIRED' }, 'server.test'), false);
    const lenient = new PolicyVerifier({ ...policy, callback: () => true });
    assert.equal(await lenient.acceptsSession({ ...session, verifyResult: 'X509_V_ERR_CERT_HAS_EXPIRED' }, 'server.test'), true);
    const pinned = new PolicyVerifier({ ...policy, pins: [await pinOf('int')] });
    assert.equal(await pinned.acceptsSession(session, 'server.test'), false);
  });

  it('the leaf key: its SPKI, type and size', () => {
    const k = new PolicyVerifier(policy).leafKey(pki.der('leafP256'));
    assert.equal(k.keyType, 'ec-p256');
    assert.ok(k.spki.length > 0);
  });
});
