/**
 * OpenSSL's names of the cipher suites memtls implements, and the IANA names the core uses.
 *
 * Node's `tls.TLSSocket.getCipher()` reports OpenSSL's name in `name` and the IANA name in `standardName`,
 * and Node's `ciphers` option (like `openssl -cipher`) takes OpenSSL's names. For TLS 1.3 suites the two names
 * are the same; for the TLS 1.2 suites they differ (`ECDHE-RSA-AES128-GCM-SHA256` is
 * `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`).
 */
import type { AeadName, CryptoProvider } from '@memtls/core';

/** The TLS 1.3 suites (OpenSSL and IANA names are the same), in OpenSSL's default order. */
export const TLS13_SUITE_NAMES: readonly string[] = ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'];

/** OpenSSL name → IANA name of the TLS 1.2 suites memtls implements, in OpenSSL 3.0's default order. */
export const TLS12_OPENSSL_NAMES: Readonly<Record<string, string>> = Object.freeze({
  'ECDHE-ECDSA-AES256-GCM-SHA384': 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384': 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305': 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'ECDHE-RSA-CHACHA20-POLY1305': 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256': 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256': 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
});

const OPENSSL_BY_IANA: ReadonlyMap<string, string> = new Map(Object.entries(TLS12_OPENSSL_NAMES).map(([o, i]) => [i, o]));

/**
 * The IANA name of a suite given by its OpenSSL name or its IANA name, or undefined when memtls does not
 * implement it.
 * @example ianaSuiteName('ECDHE-RSA-AES128-GCM-SHA256') // 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'
 */
export function ianaSuiteName(name: string): string | undefined {
  if (TLS13_SUITE_NAMES.includes(name) || OPENSSL_BY_IANA.has(name)) return name;
  return TLS12_OPENSSL_NAMES[name];
}

/**
 * OpenSSL's name of a suite given by its IANA name (itself for TLS 1.3 suites and for unknown names).
 * @example opensslSuiteName('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256') // 'ECDHE-RSA-AES128-GCM-SHA256'
 */
export function opensslSuiteName(iana: string): string {
  return OPENSSL_BY_IANA.get(iana) ?? iana;
}

/** Whether an IANA name is a TLS 1.3 suite (OpenSSL's `-ciphersuites`) rather than a TLS 1.2 one (`-cipher`). */
export function isTls13Suite(iana: string): boolean {
  return TLS13_SUITE_NAMES.includes(iana);
}

/** The AEAD of a suite, by its IANA name. */
export function suiteAead(iana: string): AeadName {
  if (iana.includes('CHACHA20_POLY1305')) return 'CHACHA20-POLY1305';
  return iana.includes('AES_256_GCM') ? 'AES-256-GCM' : 'AES-128-GCM';
}

/** What `suitesFromLists` needs to know to fill in a list that was not given. */
export interface SuiteDefaults {
  /** Leave out default suites whose AEAD this provider lacks. */
  provider?: Pick<CryptoProvider, 'supportsAead'>;
  /** The configured version range: a version outside it gets no default suites. */
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** See `minVersion`. */
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
}

/**
 * The core's `cipherSuites` from OpenSSL's two lists, each configuring its own version as in OpenSSL: a TLS 1.3
 * list (`-ciphersuites`, Node's TLS_* entries) and a TLS 1.2 list (`-cipher`, Node's `ciphers`). A list not given
 * defaults to every suite of its version (that the provider supports, when the version is in range). Undefined
 * when neither is given (the core's default: everything). Throws a RangeError naming an entry that is no suite of
 * its list's version.
 */
export function suitesFromLists(tls13: readonly string[] | undefined, tls12: readonly string[] | undefined, defaults: SuiteDefaults = {}): string[] | undefined {
  if (tls13 === undefined && tls12 === undefined) return undefined;
  const { provider, minVersion, maxVersion } = defaults;
  const available = (n: string) => provider === undefined || provider.supportsAead(suiteAead(n));
  const t13 = tls13 ?? (maxVersion === 'TLSv1.2' ? [] : TLS13_SUITE_NAMES.filter(available));
  for (const n of t13) if (!TLS13_SUITE_NAMES.includes(n)) throw new RangeError(`${n} is not a TLS 1.3 cipher suite`);
  const t12 = (tls12 ?? (minVersion === 'TLSv1.3' ? [] : Object.values(TLS12_OPENSSL_NAMES).filter(available))).map((n) => {
    const iana = ianaSuiteName(n);
    if (iana === undefined || isTls13Suite(iana)) throw new RangeError(`${n} is not a TLS 1.2 cipher suite memtls implements (ECDHE with AES-GCM or ChaCha20-Poly1305)`);
    return iana;
  });
  return [...t13, ...t12];
}
