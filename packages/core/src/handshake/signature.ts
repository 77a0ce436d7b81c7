/**
 * Signature schemes in the handshake: which schemes a key can make, the CertificateVerify content
 * (RFC 8446 §4.4.3), and the mapping between code points and provider names.
 */
import type { CryptoProvider, PrivateKeyType, SignatureSchemeName } from '../crypto/provider.js';
import { SslError } from '../errors/ssl-error.js';
import { concat, utf8 } from '../wire/bytes.js';
import { SignatureScheme as S } from '../wire/enums.js';
import type { CertificateVerifyMsg } from '../wire/handshake.js';

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

/** `ecdsa_secp256r1_sha256, ed25519` (unknown code points in hex), for error details; `none` when empty. */
export function schemeList(codes: readonly number[]): string {
  return codes.map((c) => schemeName(c) ?? `0x${c.toString(16).padStart(4, '0')}`).join(', ') || 'none';
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

/** What memtls offers in signature_algorithms when TLS 1.2 is enabled: RSA PKCS#1 v1.5 too (RFC 5246 §7.4.1.4.1),
 * never accepted for a TLS 1.3 CertificateVerify (tls13SchemesForKey has none). */
export const DEFAULT_TLS12_SCHEMES: readonly number[] = [...DEFAULT_TLS13_SCHEMES, S.RSA_PKCS1_SHA256, S.RSA_PKCS1_SHA384, S.RSA_PKCS1_SHA512];

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

/** Schemes memtls can sign or verify a TLS 1.3 CertificateVerify with (a `sigalgs` list needs one of them). */
const CERTIFICATE_VERIFY_SCHEMES: readonly number[] = [...DEFAULT_TLS13_SCHEMES, S.RSA_PSS_PSS_SHA256, S.RSA_PSS_PSS_SHA384, S.RSA_PSS_PSS_SHA512];

/** OpenSSL's `SIG+HASH` form (ssl/t1_lib.c): the signature part, and the scheme for each hash. */
const SIG_PLUS_HASH: Record<string, Record<string, number>> = {
  ECDSA: { SHA256: S.ECDSA_SECP256R1_SHA256, SHA384: S.ECDSA_SECP384R1_SHA384, SHA512: S.ECDSA_SECP521R1_SHA512 },
  RSA: { SHA256: S.RSA_PKCS1_SHA256, SHA384: S.RSA_PKCS1_SHA384, SHA512: S.RSA_PKCS1_SHA512 },
  'RSA-PSS': { SHA256: S.RSA_PSS_RSAE_SHA256, SHA384: S.RSA_PSS_RSAE_SHA384, SHA512: S.RSA_PSS_RSAE_SHA512 },
  PSS: { SHA256: S.RSA_PSS_RSAE_SHA256, SHA384: S.RSA_PSS_RSAE_SHA384, SHA512: S.RSA_PSS_RSAE_SHA512 },
};
const BY_NAME = new Map<string, number>([...NAMES].map(([code, name]) => [name, code]));

/**
 * A signature algorithm list as OpenSSL's SSL_CTX_set1_sigalgs_list reads it, in preference order: a
 * colon-separated string or an array of items, each an IANA name (`ecdsa_secp256r1_sha256`,
 * `rsa_pss_rsae_sha256`, `ed25519`, ...) or OpenSSL's `SIG+HASH` (`ECDSA+SHA256`, `RSA-PSS+SHA384`, `PSS+SHA256`,
 * `RSA+SHA256`, in either order; case is ignored). `RSA-PSS+HASH` is the rsa_pss_rsae scheme, as in OpenSSL.
 * Throws a RangeError for an unknown or repeated item, and for a list with no scheme a TLS 1.3
 * CertificateVerify can use (rsa_pkcs1_* and ecdsa_secp521r1_sha512 alone).
 * @example parseSigalgs('ECDSA+SHA256:rsa_pss_rsae_sha256') // [0x0403, 0x0804]
 */
export function parseSigalgs(list: string | readonly string[]): number[] {
  const items = typeof list === 'string' ? list.split(':') : list;
  if (!Array.isArray(items) || items.some((i) => typeof i !== 'string')) throw new TypeError('sigalgs must be a colon-separated string or an array of strings');
  const out: number[] = [];
  for (const raw of items) {
    const item = raw.trim();
    let code: number | undefined;
    const parts = item.toUpperCase().split('+');
    if (parts.length === 2) {
      const [a, b] = parts as [string, string];
      code = SIG_PLUS_HASH[a]?.[b] ?? SIG_PLUS_HASH[b]?.[a];
    } else if (parts.length === 1) {
      code = BY_NAME.get(item.toLowerCase());
    }
    if (code === undefined) throw new RangeError(`sigalgs: unknown signature algorithm "${item}"`);
    if (out.includes(code)) throw new RangeError(`sigalgs: "${item}" appears twice`);
    out.push(code);
  }
  if (!out.some((c) => CERTIFICATE_VERIFY_SCHEMES.includes(c))) {
    throw new RangeError('sigalgs: no algorithm a TLS 1.3 CertificateVerify can use (RSA-PSS, ECDSA P-256/P-384, Ed25519)');
  }
  return out;
}

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

const ECDSA_CODES: readonly number[] = [S.ECDSA_SECP256R1_SHA256, S.ECDSA_SECP384R1_SHA384, S.ECDSA_SECP521R1_SHA512];

/**
 * TLS 1.2 ServerKeyExchange / CertificateVerify schemes a key of this type can produce or be checked with, most
 * preferred first: the TLS 1.3 ones, plus RSA PKCS#1 v1.5 with SHA-256/384/512 (never SHA-1 or MD5). In TLS 1.2 an
 * ECDSA code point names only the hash (RFC 5246 §7.4.1.4.1, RFC 8422 §5.1.1; OpenSSL checks the curve only in TLS
 * 1.3), so a P-256 or P-384 key may use any of the three, its own curve's hash first.
 */
export function tls12SchemesForKey(type: PrivateKeyType | string, bits: number): number[] {
  const out = tls13SchemesForKey(type, bits);
  if (type === 'rsa') out.push(S.RSA_PKCS1_SHA256, S.RSA_PKCS1_SHA384, S.RSA_PKCS1_SHA512);
  if (type === 'ec-p256' || type === 'ec-p384') out.push(...ECDSA_CODES.filter((c) => !out.includes(c)));
  return out;
}

const TLS12_ECDSA = new Map<number, SignatureSchemeName>([
  [S.ECDSA_SECP256R1_SHA256, 'ecdsa_sha256'],
  [S.ECDSA_SECP384R1_SHA384, 'ecdsa_sha384'],
  [S.ECDSA_SECP521R1_SHA512, 'ecdsa_sha512'],
]);

/** The provider's name for a TLS 1.2 signature code point: ECDSA ones name the hash only (`ecdsa_sha256`, ...). */
export function schemeName12(code: number): SignatureSchemeName | undefined {
  return TLS12_ECDSA.get(code) ?? NAMES.get(code);
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
