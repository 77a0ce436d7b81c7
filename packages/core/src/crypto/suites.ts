/**
 * One table of the cipher suites memtls implements, with everything derived from them: the TLS 1.3 suites
 * (RFC 8446 §B.4) and the TLS 1.2 ECDHE AEAD suites (RFC 5289, RFC 7905). A TLS 1.2 suite names its key
 * exchange (always ECDHE here), the certificate type that authenticates the server, its AEAD and its PRF hash.
 */
import type { AeadName, HashName } from './provider.js';

export interface CipherSuite {
  readonly id: number;
  /** The IANA name (`TLS_AES_128_GCM_SHA256`, `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`). */
  readonly name: string;
  /** The one protocol version the suite is used with. */
  readonly version: 'TLSv1.2' | 'TLSv1.3';
  /** TLS 1.3: the HKDF and transcript hash. TLS 1.2: the PRF and transcript hash. */
  readonly hash: HashName;
  readonly hashLen: number;
  readonly aead: AeadName;
  readonly keyLen: number;
  /** TLS 1.3: the per-record IV (12). TLS 1.2: the fixed IV of the key block (4 for AES-GCM, 12 for ChaCha20). */
  readonly ivLen: number;
  /** TLS 1.2: the explicit nonce sent in each record (8 for AES-GCM, RFC 5288 §3; 0 for ChaCha20, RFC 7905 §2). */
  readonly explicitNonceLen: number;
  /** TLS 1.2: the server certificate's key type the suite needs (ECDSA also takes Ed25519, RFC 8422 §5.1). */
  readonly auth: 'ECDSA' | 'RSA' | null;
}

export const TLS13_SUITES: readonly CipherSuite[] = [
  { id: 0x1301, name: 'TLS_AES_128_GCM_SHA256', version: 'TLSv1.3', hash: 'SHA-256', hashLen: 32, aead: 'AES-128-GCM', keyLen: 16, ivLen: 12, explicitNonceLen: 0, auth: null },
  { id: 0x1302, name: 'TLS_AES_256_GCM_SHA384', version: 'TLSv1.3', hash: 'SHA-384', hashLen: 48, aead: 'AES-256-GCM', keyLen: 32, ivLen: 12, explicitNonceLen: 0, auth: null },
  { id: 0x1303, name: 'TLS_CHACHA20_POLY1305_SHA256', version: 'TLSv1.3', hash: 'SHA-256', hashLen: 32, aead: 'CHACHA20-POLY1305', keyLen: 32, ivLen: 12, explicitNonceLen: 0, auth: null },
];

const gcm12 = (id: number, name: string, auth: 'ECDSA' | 'RSA', bits: 128 | 256): CipherSuite => ({
  id,
  name,
  version: 'TLSv1.2',
  hash: bits === 128 ? 'SHA-256' : 'SHA-384',
  hashLen: bits === 128 ? 32 : 48,
  aead: bits === 128 ? 'AES-128-GCM' : 'AES-256-GCM',
  keyLen: bits / 8,
  ivLen: 4,
  explicitNonceLen: 8,
  auth,
});
const chacha12 = (id: number, name: string, auth: 'ECDSA' | 'RSA'): CipherSuite => ({
  id,
  name,
  version: 'TLSv1.2',
  hash: 'SHA-256',
  hashLen: 32,
  aead: 'CHACHA20-POLY1305',
  keyLen: 32,
  ivLen: 12,
  explicitNonceLen: 0,
  auth,
});

/** The TLS 1.2 suites, in OpenSSL 3.0's default order (`openssl ciphers -v DEFAULT`). */
export const TLS12_SUITES: readonly CipherSuite[] = [
  gcm12(0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ECDSA', 256),
  gcm12(0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'RSA', 256),
  chacha12(0xcca9, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDSA'),
  chacha12(0xcca8, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'RSA'),
  gcm12(0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ECDSA', 128),
  gcm12(0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'RSA', 128),
];

/** TLS_FALLBACK_SCSV (RFC 7507) and TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 §3.3): signalling values. */
export const FALLBACK_SCSV = 0x5600;
export const EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff;

/** A TLS 1.3 suite by its code point. */
export function suiteById(id: number): CipherSuite | undefined {
  return TLS13_SUITES.find((s) => s.id === id);
}

/** A TLS 1.3 suite by its IANA name. */
export function suiteByName(name: string): CipherSuite | undefined {
  return TLS13_SUITES.find((s) => s.name === name);
}

/** A suite of either version by its IANA name. */
export function anySuiteByName(name: string): CipherSuite | undefined {
  return suiteByName(name) ?? TLS12_SUITES.find((s) => s.name === name);
}
