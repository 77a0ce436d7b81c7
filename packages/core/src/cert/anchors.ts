/**
 * Loading certificates from local configuration (the `cert` and `ca` PEM options): PEM in, parsed
 * certificates out. Problems here are the caller's, so they are TypeErrors naming the block at fault.
 */
import type { CryptoProvider } from '../crypto/provider.js';
import { SslError } from '../errors/ssl-error.js';
import { type ParsedCertificate, parseCertificate } from './certificate.js';
import { certificatesFromPem } from './pem.js';

/**
 * Parse every "CERTIFICATE" block of one or more PEM texts (trust anchors, or a certificate chain to send).
 * @param pem PEM text, or several
 * @returns the certificates, in order
 * @throws TypeError when there is no certificate or one does not decode
 * @example const anchors = loadCertificates(fs.readFileSync('ca.pem', 'utf8'));
 */
export function loadCertificates(pem: string | readonly string[]): ParsedCertificate[] {
  return certificatesFromPem(pem).map((der, i) => {
    try {
      return parseCertificate(der);
    } catch (e) {
      if (e instanceof SslError) throw new TypeError(`PEM certificate #${i + 1} does not decode: ${e.detail ?? e.message}`);
      throw e;
    }
  });
}

/**
 * The SHA-256 of a certificate's SubjectPublicKeyInfo (the value HPKP-style pins and `openssl x509 -pubkey |
 * openssl pkey -pubin -outform der | openssl dgst -sha256` compute).
 * @param provider hashes the bytes
 * @param cert the certificate whose key to pin
 */
export function spkiSha256(provider: CryptoProvider, cert: ParsedCertificate): Promise<Uint8Array> {
  return provider.hash('SHA-256', cert.spki);
}
