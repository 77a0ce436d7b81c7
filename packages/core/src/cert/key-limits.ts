/**
 * Limits on peer public keys, applied to every certificate of a peer's path (verify.ts) and to the leaf key
 * that signs CertificateVerify (SslContext's `leafKey`), whether or not the chain is verified.
 *
 * RSA (the limits of ring and webpki): the modulus is at most 8,192 bits and at least `minRsaModulusBits`
 * (default 2,048, OpenSSL's security level 2); the public exponent is odd, at least 3 and at most 2^33 − 1.
 * Other key types have fixed sizes and are not limited here.
 */
import type { ParsedCertificate } from './certificate.js';

/** Largest RSA modulus accepted (bits). */
export const RSA_MAX_MODULUS_BITS = 8192;
/** Largest RSA public exponent accepted. */
export const RSA_MAX_EXPONENT = 2 ** 33 - 1;
/** Default smallest RSA modulus accepted (bits): OpenSSL's security level 2. */
export const DEFAULT_MIN_RSA_MODULUS_BITS = 2048;

/** Why a key is refused: an X509_V_ERR_* name and words (never key bytes). */
export interface KeyLimitFailure {
  readonly code: 'X509_V_ERR_EE_KEY_TOO_SMALL' | 'X509_V_ERR_CA_KEY_TOO_SMALL' | 'X509_V_ERR_UNSUPPORTED_PUBLIC_KEY' | 'X509_V_ERR_INVALID_PUBLIC_KEY';
  readonly detail: string;
}

/**
 * Check a certificate's public key against the limits.
 * @param cert the certificate
 * @param minRsaBits the smallest RSA modulus accepted
 * @param isCa true for an issuer (the failure names CA_KEY_TOO_SMALL instead of EE_KEY_TOO_SMALL)
 * @returns null when the key is acceptable
 */
export function checkKeyLimits(cert: ParsedCertificate, minRsaBits: number, isCa: boolean): KeyLimitFailure | null {
  if (cert.rsaModulusBits === null) return null;
  const bits = cert.rsaModulusBits;
  const e = cert.rsaExponent ?? -1;
  if (bits > RSA_MAX_MODULUS_BITS) {
    return { code: 'X509_V_ERR_UNSUPPORTED_PUBLIC_KEY', detail: `RSA modulus of ${bits} bits is over the ${RSA_MAX_MODULUS_BITS}-bit limit` };
  }
  if (e < 3 || e > RSA_MAX_EXPONENT || e % 2 === 0) {
    const why = e < 0 ? 'negative' : e < 3 ? 'below 3' : e > RSA_MAX_EXPONENT ? 'over 2^33 - 1' : 'even';
    return { code: 'X509_V_ERR_INVALID_PUBLIC_KEY', detail: `RSA public exponent is ${why}` };
  }
  if (bits < minRsaBits) {
    return { code: isCa ? 'X509_V_ERR_CA_KEY_TOO_SMALL' : 'X509_V_ERR_EE_KEY_TOO_SMALL', detail: `RSA modulus of ${bits} bits is below the ${minRsaBits}-bit minimum` };
  }
  return null;
}
