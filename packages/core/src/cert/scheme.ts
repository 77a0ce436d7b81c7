/**
 * Map a certificate signature (algorithm family + hash, from the child) and the signer's key type (from the
 * issuer) to the TLS SignatureScheme name that `CryptoProvider.verify` takes (RFC 8446 §4.2.3).
 *
 * TLS 1.3 ECDSA schemes bind the curve to the hash (ecdsa_secp256r1_sha256, ecdsa_secp384r1_sha384,
 * ecdsa_secp521r1_sha512), so an ECDSA certificate signature can only be named when the issuer's curve and the
 * signature's hash agree. Other pairings (a P-384 key signing with SHA-256) have no TLS name and are reported
 * as unsupported.
 */
import type { SignatureSchemeName } from '../crypto/provider.js';
import type { CertKeyType, CertSignatureAlgorithm } from './certificate.js';

/**
 * The TLS SignatureScheme for a signature made with `alg` by a key of type `issuerKey`, or null when there is
 * none (unknown algorithm, key/algorithm mismatch, or a pairing TLS cannot name).
 * @example certSignatureScheme({ oid, family: 'ecdsa', hash: 'SHA-256' }, 'ec-p256') // 'ecdsa_secp256r1_sha256'
 */
export function certSignatureScheme(alg: CertSignatureAlgorithm, issuerKey: CertKeyType): SignatureSchemeName | null {
  switch (alg.family) {
    case 'rsa-pkcs1':
      if (issuerKey !== 'rsa') return null;
      return alg.hash === 'SHA-256' ? 'rsa_pkcs1_sha256' : alg.hash === 'SHA-384' ? 'rsa_pkcs1_sha384' : alg.hash === 'SHA-512' ? 'rsa_pkcs1_sha512' : null;
    case 'rsa-pss':
      // rsae: the signer's key is an rsaEncryption key; pss: the key itself is id-RSASSA-PSS (RFC 8446 §4.2.3).
      if (issuerKey === 'rsa') {
        return alg.hash === 'SHA-256' ? 'rsa_pss_rsae_sha256' : alg.hash === 'SHA-384' ? 'rsa_pss_rsae_sha384' : alg.hash === 'SHA-512' ? 'rsa_pss_rsae_sha512' : null;
      }
      if (issuerKey === 'rsa-pss') {
        return alg.hash === 'SHA-256' ? 'rsa_pss_pss_sha256' : alg.hash === 'SHA-384' ? 'rsa_pss_pss_sha384' : alg.hash === 'SHA-512' ? 'rsa_pss_pss_sha512' : null;
      }
      return null;
    case 'ecdsa':
      if (issuerKey === 'ec-p256' && alg.hash === 'SHA-256') return 'ecdsa_secp256r1_sha256';
      if (issuerKey === 'ec-p384' && alg.hash === 'SHA-384') return 'ecdsa_secp384r1_sha384';
      if (issuerKey === 'ec-p521' && alg.hash === 'SHA-512') return 'ecdsa_secp521r1_sha512';
      return null;
    case 'ed25519':
      return issuerKey === 'ed25519' ? 'ed25519' : null;
    default:
      return null;
  }
}
