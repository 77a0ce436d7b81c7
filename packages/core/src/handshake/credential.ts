/**
 * A `Credential` (a certificate chain and its private key) made from PEM, as `SslContext.addCredential` takes
 * them: parsed once, the key checked against the certificate, imported into the provider on first use.
 */
import { parseCertificate } from '../cert/certificate.js';
import { parsePrivateKey, privateKeyMatches } from '../cert/key.js';
import { certificatesFromPem } from '../cert/pem.js';
import type { CryptoProvider, SigningKey } from '../crypto/provider.js';
import type { Credential } from './config.js';
import { proveKey } from './prove-key.js';

/** The credential of `certPem` (leaf first) and `keyPem`. TypeError when they do not belong together. */
export function credentialFromPem(provider: CryptoProvider, certPem: string, keyPem: string): Credential {
  const chain = certificatesFromPem(certPem);
  if (chain.length === 0) throw new TypeError('SslContext: cert holds no certificate');
  const leaf = parseCertificate(chain[0] as Uint8Array);
  const key = parsePrivateKey(keyPem);
  const leafType = leaf.keyType;
  if (leafType !== key.type) throw new TypeError(`SslContext: key values mismatch: the key (${key.type}) does not match the certificate (${leafType})`);
  // The key must be the certificate's: decided here from the key's bytes when they hold the public key
  // (RSA, EC), else by a signature the certificate's key verifies, when the key is first imported.
  const match = privateKeyMatches(key, leaf.publicKey);
  if (match === false) throw new TypeError('SslContext: key values mismatch: the private key does not belong to the certificate');
  const keyBits = leaf.rsaModulusBits ?? (key.type === 'ec-p384' ? 384 : 256);
  let imported: Promise<SigningKey> | null = null;
  return {
    chain,
    keyType: key.type,
    keyBits,
    names: leaf.subjectAltName?.dns.slice() ?? [],
    signingKey: () => {
      imported ??= provider.importSigningKey(key.type, key.pkcs8).then(async (k) => (match ? k : proveKey(provider, k, leaf.spki, keyBits)));
      return imported;
    },
  };
}
