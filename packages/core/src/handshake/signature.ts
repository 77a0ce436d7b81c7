/**
 * Signature schemes in the handshake: which schemes a key can make, the CertificateVerify content
 * (RFC 8446 §4.4.3), and the mapping between code points and provider names.
 */
import type { CryptoProvider, PrivateKeyType, SignatureSchemeName } from '../crypto/provider.js';
import { SslError } from '../errors/ssl-error.js';
import { concat, utf8 } from '../wire/bytes.js';
import type { CertificateVerifyMsg } from '../wire/handshake.js';
import { SignatureScheme as S } from '../wire/enums.js';

const NAMES = new Map<number, SignatureSchemeName>([
  [S.ECDSA_SECP256R1_SHA256, 'ecdsa_secp256r1_sha256'],
  [S.ECDSA_SECP384R1_SHA384, 'ecdsa_secp384r1_sha384'],
  [S.ECDSA_SECP521R1_SHA512, 'ecdsa_secp521r1_sha512'],
  [S.RSA_PSS_RSAE_SHA256, 'rsa_pss_rsae_sha256'],
  [S.RSA_PSS_RSAE_SHA384, 'rsa_pss_rsae_sha384'],
  [S.RSA_PSS_RSAE_SHA512, 'rsa_pss_rsae_sha512'],
  [S.RSA_PSS_PSS_SHA256, 'rsa_pss_pss_sha256'],
  [S.RSA_PSS_PSS_SHA384, 'rsa_pss_pss_sha384'],
  [S.RSA_PSS_PSS_SHA512, 'rsa_pss_pss_sha512'],
  [S.RSA_PKCS1_SHA256, 'rsa_pkcs1_sha256'],
  [S.RSA_PKCS1_SHA384, 'rsa_pkcs1_sha384'],
  [S.RSA_PKCS1_SHA512, 'rsa_pkcs1_sha512'],
  [S.ED25519, 'ed25519'],
]);

export function schemeName(code: number): SignatureSchemeName | undefined {
  return NAMES.get(code);
}

/** What memtls offers in signature_algorithms for TLS 1.3 CertificateVerify, most preferred first. */
export const DEFAULT_TLS13_SCHEMES: readonly number[] = [
  S.ECDSA_SECP256R1_SHA256,
  S.ECDSA_SECP384R1_SHA384,
  S.ED25519,
  S.RSA_PSS_RSAE_SHA256,
  S.RSA_PSS_RSAE_SHA384,
  S.RSA_PSS_RSAE_SHA512,
];

/** Schemes accepted for signatures inside certificates (signature_algorithms_cert semantics). */
export const DEFAULT_CERT_SCHEMES: readonly number[] = [
  ...DEFAULT_TLS13_SCHEMES,
  S.RSA_PSS_PSS_SHA256,
  S.RSA_PSS_PSS_SHA384,
  S.RSA_PSS_PSS_SHA512,
  S.RSA_PKCS1_SHA256,
  S.RSA_PKCS1_SHA384,
  S.RSA_PKCS1_SHA512,
];

/** TLS 1.3 CertificateVerify schemes a key of this type can produce (RFC 8446 §4.2.3: no PKCS#1 v1.5). */
export function tls13SchemesForKey(type: PrivateKeyType | string, bits: number): number[] {
  switch (type) {
    case 'ec-p256':
      return [S.ECDSA_SECP256R1_SHA256];
    case 'ec-p384':
      return [S.ECDSA_SECP384R1_SHA384];
    case 'ed25519':
      return [S.ED25519];
    case 'rsa': {
      // RSA-PSS needs emLen >= hLen + sLen + 2 (RFC 8017 §9.1.1): SHA-512 with salt 64 needs > 1040 bits.
      const out: number[] = [S.RSA_PSS_RSAE_SHA256, S.RSA_PSS_RSAE_SHA384];
      if (bits >= 1040) out.push(S.RSA_PSS_RSAE_SHA512);
      return out;
    }
    case 'rsa-pss':
      return [S.RSA_PSS_PSS_SHA256, S.RSA_PSS_PSS_SHA384, S.RSA_PSS_PSS_SHA512];
    default:
      return [];
  }
}

const SPACES = new Uint8Array(64).fill(0x20);
const SERVER_CTX = utf8('TLS 1.3, server CertificateVerify');
const CLIENT_CTX = utf8('TLS 1.3, client CertificateVerify');

/** The public key of the peer's leaf certificate, as the handshake needs it. */
export interface PeerKey {
  spki: Uint8Array;
  keyType: string;
  bits: number;
}

/**
 * Check a peer's CertificateVerify (RFC 8446 §4.4.3): the scheme must be one we offered and fit the leaf's key,
 * and the signature must verify over the transcript. Throws the SslError to send.
 */
export async function checkCertificateVerify(
  provider: CryptoProvider,
  offered: readonly number[],
  key: PeerKey,
  cv: CertificateVerifyMsg,
  transcriptHash: Uint8Array,
  fromServer: boolean,
): Promise<void> {
  const name = schemeName(cv.scheme);
  if (!name || !offered.includes(cv.scheme) || !tls13SchemesForKey(key.keyType, key.bits).includes(cv.scheme)) {
    throw new SslError('WRONG_SIGNATURE_TYPE', { detail: `CertificateVerify scheme 0x${cv.scheme.toString(16)}` });
  }
  const ok = await provider.verify(name, key.spki, certificateVerifyContent(fromServer, transcriptHash), cv.signature);
  if (!ok) throw new SslError('BAD_SIGNATURE', { detail: `${fromServer ? 'server' : 'client'} CertificateVerify` });
}

/** The bytes covered by a TLS 1.3 CertificateVerify signature. */
export function certificateVerifyContent(server: boolean, transcriptHash: Uint8Array): Uint8Array {
  return concat(SPACES, server ? SERVER_CTX : CLIENT_CTX, new Uint8Array([0]), transcriptHash);
}
