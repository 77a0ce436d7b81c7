/**
 * The crypto choices of a context, checked when it is made (a bad option is a TypeError/RangeError then, never
 * a handshake failure later): the provider, the cipher suites and the key exchange groups it offers, and the bit
 * sets and counts of its options.
 */
import { isHybridGroup } from './hybrid.js';
import type { CryptoProvider, GroupName } from './provider.js';
import { anySuiteByName, type CipherSuite, TLS12_SUITES, TLS13_SUITES } from './suites.js';
import { createWebCryptoProvider } from './webcrypto.js';

/** The ECDH groups offered by default, in preference order (the client sends a key share for the first). */
const GROUPS: readonly GroupName[] = ['x25519', 'secp256r1', 'secp384r1'];
/** Lower-cased names and aliases (OpenSSL's spellings included: `X25519MLKEM768`, `SecP256r1MLKEM768`). */
const GROUP_ALIASES: Record<string, GroupName> = {
  x25519: 'x25519',
  secp256r1: 'secp256r1',
  'p-256': 'secp256r1',
  prime256v1: 'secp256r1',
  secp384r1: 'secp384r1',
  'p-384': 'secp384r1',
  x25519mlkem768: 'X25519MLKEM768',
  secp256r1mlkem768: 'SecP256r1MLKEM768',
};

function isProvider(x: unknown): x is CryptoProvider {
  return typeof x === 'object' && x !== null && typeof (x as CryptoProvider).hkdfExpand === 'function' && typeof (x as CryptoProvider).randomBytes === 'function';
}

function isWebCrypto(x: unknown): x is Crypto {
  return typeof x === 'object' && x !== null && typeof (x as Crypto).getRandomValues === 'function' && typeof (x as Crypto).subtle === 'object';
}

/**
 * The provider of `ContextOptions.crypto`: a CryptoProvider as given, a WebCrypto object wrapped; when absent,
 * `platformDefault()` (the caller's `#default-crypto`: node:crypto under Node, globalThis.crypto elsewhere).
 */
export function providerFrom(crypto: unknown, platformDefault: () => CryptoProvider): CryptoProvider {
  if (crypto === undefined) return platformDefault();
  if (isProvider(crypto)) return crypto;
  if (isWebCrypto(crypto)) return createWebCryptoProvider(crypto);
  throw new TypeError('SslContext: crypto must be a WebCrypto Crypto object or a CryptoProvider');
}

/** The suites of each version, in preference order. */
export interface SuiteChoice {
  tls13: CipherSuite[];
  tls12: CipherSuite[];
}

/**
 * The suites of `ContextOptions.cipherSuites` (default: all that `provider` supports), in preference order, apart
 * per version: TLS 1.3 names configure TLS 1.3 only and TLS 1.2 names TLS 1.2 only (as OpenSSL's `-ciphersuites`
 * and `-cipher`). A version left without a suite is not negotiated.
 */
export function suitesFrom(names: string[] | undefined, provider: CryptoProvider): SuiteChoice {
  const suiteNames = names ?? [...TLS13_SUITES, ...TLS12_SUITES].map((s) => s.name);
  if (!Array.isArray(suiteNames) || suiteNames.length === 0) throw new TypeError('SslContext: cipherSuites must be a non-empty array');
  const out: SuiteChoice = { tls13: [], tls12: [] };
  for (const n of suiteNames) {
    const s = typeof n === 'string' ? anySuiteByName(n) : undefined;
    if (!s) throw new RangeError(`SslContext: unknown cipher suite ${String(n)}`);
    if (!provider.supportsAead(s.aead)) {
      if (names) throw new RangeError(`SslContext: ${n} is not available with this crypto provider`);
      continue;
    }
    const list = s.version === 'TLSv1.3' ? out.tls13 : out.tls12;
    if (!list.includes(s)) list.push(s);
  }
  return out;
}

/**
 * The versions a context negotiates: those from `minVersion` (default TLSv1.2) to `maxVersion` (default TLSv1.3)
 * that have a suite. A RangeError when none is left.
 */
export function versionsFrom(min: unknown, max: unknown, suites: SuiteChoice): { tls12: boolean; tls13: boolean } {
  for (const v of [min, max]) {
    if (v !== undefined && v !== 'TLSv1.2' && v !== 'TLSv1.3') throw new RangeError(`SslContext: unknown version ${String(v)}`);
  }
  const lo = min ?? 'TLSv1.2';
  const hi = max ?? 'TLSv1.3';
  if (lo === 'TLSv1.3' && hi === 'TLSv1.2') throw new RangeError('SslContext: minVersion is above maxVersion');
  const versions = { tls12: lo === 'TLSv1.2' && suites.tls12.length > 0, tls13: hi === 'TLSv1.3' && suites.tls13.length > 0 };
  if (!versions.tls12 && !versions.tls13) throw new RangeError(`SslContext: cipherSuites has no suite for the enabled versions (${String(lo)} to ${String(hi)})`);
  return versions;
}

/**
 * The groups of `ContextOptions.groups` (names or aliases), in preference order. Default: x25519, P-256, P-384 (those
 * the provider supports); a server adds X25519MLKEM768 last when the provider can encapsulate (docs/key-exchange.md).
 */
export function groupsFrom(names: readonly string[] | undefined, provider: CryptoProvider, role: 'client' | 'server' = 'client'): GroupName[] {
  if (names === undefined) {
    const kem = role === 'server' && provider.supportsGroup('X25519MLKEM768') && typeof provider.encapsulate === 'function';
    const defaults = GROUPS.filter((g) => provider.supportsGroup(g));
    if (defaults.length === 0) throw new RangeError('SslContext: the crypto provider supports none of the default groups');
    return kem ? [...defaults, 'X25519MLKEM768'] : defaults;
  }
  const groupNames = names;
  if (!Array.isArray(groupNames) || groupNames.length === 0) throw new TypeError('SslContext: groups must be a non-empty array');
  return groupNames.map((g) => {
    const name = typeof g === 'string' && Object.hasOwn(GROUP_ALIASES, g.toLowerCase()) ? GROUP_ALIASES[g.toLowerCase()] : undefined;
    if (!name) throw new RangeError(`SslContext: unknown group ${String(g)}`);
    if (!provider.supportsGroup(name)) throw new RangeError(`SslContext: group ${name} is not available with this crypto provider`);
    // A KEM server encapsulates (CryptoProvider.encapsulate); a provider without it cannot serve the group.
    if (isHybridGroup(name) && typeof provider.encapsulate !== 'function') {
      throw new RangeError(`SslContext: group ${name} needs a crypto provider with encapsulate()`);
    }
    return name;
  });
}

/** An SSL_OP_* / SSL_MODE_* bit set of SslContext: a 32-bit unsigned integer, else RangeError. */
export function checkBits(bits: number, what: string): number {
  if (!Number.isInteger(bits) || bits < 0 || bits > 0xffffffff) throw new RangeError(`SslContext: ${what} must be a 32-bit unsigned integer`);
  return bits;
}

/** A ticket count of SslContext (numTickets): an integer from 0 to 64, else RangeError. */
/** maxEarlyData (SSL_CTX_set_max_early_data): a uint32, as max_early_data_size on the wire (RFC 8446 §4.2.10). */
export function checkMaxEarlyData(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError('SslContext: maxEarlyData must be an integer from 0 to 2^32 - 1');
  return n;
}

export function checkCount(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new RangeError(`SslContext: ${what} must be an integer from 0 to 64`);
  return n;
}
