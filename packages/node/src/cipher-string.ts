/**
 * OpenSSL's cipher strings (ciphers(1), `SSL_CTX_set_cipher_list`; Node's `ciphers`, the CLI's `-cipher`),
 * evaluated over the TLS 1.2 suites memtls implements, as OpenSSL 3.0 evaluates them over its own: the same
 * result, restricted to those six suites (checked against `openssl ciphers` in the tests).
 *
 * A string is a list of entries separated by `:`, `,` or spaces. An entry is a suite name or a keyword, or
 * several joined by `+` (all must match), with an optional prefix: none adds the matching suites not yet in the
 * list, at its end, in OpenSSL's order (strongest first); `-` takes them out (a later entry may add them back);
 * `!` takes them out for good; `+` moves those in the list to its end. `@STRENGTH` sorts the list by key length,
 * keeping the order of equals; `DEFAULT` counts only at the start of the string, as in OpenSSL; `@SECLEVEL=n` is accepted and has no effect here (every memtls suite is a 128- or
 * 256-bit AEAD with ECDHE). Unknown names and keywords match nothing, as in OpenSSL.
 */
import { TLS12_OPENSSL_NAMES, TLS13_SUITE_NAMES } from './cipher-names.js';

interface Suite12 {
  readonly openssl: string;
  readonly iana: string;
  readonly auth: 'ECDSA' | 'RSA';
  readonly cipher: 'AES128' | 'AES256' | 'CHACHA20';
  /** OpenSSL's strength_bits, the key of @STRENGTH. */
  readonly bits: number;
}

/** The six suites in OpenSSL 3.0's internal order (what `openssl ciphers ALL` lists). */
const SUITES: readonly Suite12[] = Object.entries(TLS12_OPENSSL_NAMES).map(([openssl, iana]) => {
  const cipher = openssl.includes('CHACHA20') ? 'CHACHA20' : openssl.includes('AES256') ? 'AES256' : 'AES128';
  return { openssl, iana, auth: openssl.startsWith('ECDHE-ECDSA') ? 'ECDSA' : 'RSA', cipher, bits: cipher === 'AES128' ? 128 : 256 };
});

/** Keywords that take in every memtls suite: all are ECDHE (kECDHE, aECDSA or aRSA) AEAD suites of TLS 1.2. */
const EVERY = new Set(['ALL', 'HIGH', 'TLSv1.2', 'ECDH', 'ECDHE', 'EECDH', 'kEECDH', 'kECDHE']);
/** Keywords of OpenSSL 3.0 that match no memtls suite (other key exchanges, ciphers, MACs, strengths, versions). */
const NONE = new Set(
  (
    'COMPLEMENTOFALL COMPLEMENTOFDEFAULT MEDIUM LOW eNULL NULL aNULL kRSA RSA kDHr kDHd kDH kDHE kEDH DH DHE EDH ADH AECDH ' +
    'aDSS DSS aECDH AESCCM AESCCM8 ARIA ARIA128 ARIA256 ARIAGCM CAMELLIA CAMELLIA128 CAMELLIA256 3DES DES RC4 RC2 IDEA SEED ' +
    'MD5 SHA1 SHA SHA256 SHA384 GOST89MAC GOST94 kGOST aGOST kPSK kECDHEPSK kDHEPSK kRSAPSK PSK aPSK SRP kSRP aSRP ' +
    'TLSv1.0 TLSv1 SSLv3 EXPORT'
  ).split(' '),
);
const SUITE_B = new Set(['SUITEB128', 'SUITEB128ONLY', 'SUITEB128C2', 'SUITEB192']);

/** The test of one word, or null when OpenSSL would not know it either (it then matches nothing). */
function word(w: string): ((s: Suite12) => boolean) | null {
  const named = SUITES.find((s) => s.openssl === w || s.iana === w);
  if (named) return (s) => s === named;
  if (EVERY.has(w)) return () => true;
  if (NONE.has(w)) return () => false;
  switch (w) {
    case 'aRSA':
      return (s) => s.auth === 'RSA';
    case 'aECDSA':
    case 'ECDSA':
      return (s) => s.auth === 'ECDSA';
    case 'AES':
    case 'AESGCM':
      return (s) => s.cipher !== 'CHACHA20';
    case 'AES128':
    case 'AES256':
    case 'CHACHA20':
      return (s) => s.cipher === w;
    default:
      return null;
  }
}

/** The TLS 1.2 suites (OpenSSL's order of the string) and TLS 1.3 names a cipher string gives. */
export interface CipherStringSuites {
  /** The TLS 1.3 suites named (Node takes TLS 1.3 names from `ciphers` too), in the string's order. */
  tls13?: string[];
  /** The TLS 1.2 suites the string selects (IANA names), in its order; absent when it has no TLS 1.2 entry. */
  tls12?: string[];
}

/**
 * An OpenSSL cipher string (Node's `ciphers`, the CLI's `-cipher`) evaluated as OpenSSL 3.0 does, over the TLS 1.2
 * suites memtls implements: `HIGH:!aRSA` gives the three ECDHE_ECDSA suites, `ECDHE+AESGCM:-AES256` two, Node's
 * `tls.DEFAULT_CIPHERS` all six. TLS 1.3 names (`TLS_AES_128_GCM_SHA256`) are taken apart, as Node does; IANA names of
 * TLS 1.2 suites are accepted beside OpenSSL's. Throws Error('No cipher match', code ERR_SSL_NO_CIPHER_MATCH), as
 * Node, when the string gives no suite memtls implements; a RangeError for Suite B (`SUITEB128`...), whose curve and
 * signature rules memtls does not apply.
 * @example parseCipherString('ECDHE-RSA-AES128-GCM-SHA256:HIGH:!ECDSA').tls12 // the three ECDHE_RSA suites, AES128 first
 */
export function parseCipherString(text: string): CipherStringSuites {
  if (typeof text !== 'string') throw new TypeError('a cipher string must be a string');
  const tls13: string[] = [];
  let list: Suite12[] = [];
  const killed = new Set<Suite12>();
  let has12 = false;
  // As OpenSSL: `DEFAULT` is a keyword only at the very start of the string (ALL:!COMPLEMENTOFDEFAULT:!eNULL, every
  // memtls suite), and what follows it is read on from there (`DEFAULT+AES` is DEFAULT, then `+AES`).
  let rest = text;
  if (text.startsWith('DEFAULT')) {
    list = [...SUITES];
    has12 = true;
    rest = text.slice(text[7] === ':' ? 8 : 7);
  }
  for (const entry of rest.split(/[:, ]+/).filter((e) => e.length > 0)) {
    if (TLS13_SUITE_NAMES.includes(entry)) {
      if (!tls13.includes(entry)) tls13.push(entry);
      continue;
    }
    has12 = true;
    if (entry === '@STRENGTH') {
      list = [...list].sort((a, b) => b.bits - a.bits); // Array.prototype.sort is stable
      continue;
    }
    if (/^@SECLEVEL=\d$/.test(entry)) continue;
    const op = '!-+'.includes(entry[0] as string) ? (entry[0] as '!' | '-' | '+') : '';
    const words = (op ? entry.slice(1) : entry).split('+');
    if (words.some((w) => SUITE_B.has(w))) throw new RangeError(`${entry}: Suite B cipher strings are not supported (memtls does not apply Suite B's curve and signature rules)`);
    // OpenSSL quirk, reproduced: COMPLEMENTOFDEFAULT constrains only a default flag that a suite named later in the
    // same entry bypasses (`COMPLEMENTOFDEFAULT+ECDHE-RSA-AES128-GCM-SHA256` selects that suite; the other order nothing).
    const named = words.findIndex((w) => SUITES.some((x) => x.openssl === w || x.iana === w));
    const tests = words.filter((w, i) => !(w === 'COMPLEMENTOFDEFAULT' && i < named)).map(word);
    const matches = (s: Suite12) => tests.every((t) => t?.(s) === true);
    if (op === '!') {
      for (const s of SUITES) if (matches(s)) killed.add(s);
      list = list.filter((s) => !killed.has(s));
    } else if (op === '-') {
      list = list.filter((s) => !matches(s));
    } else if (op === '+') {
      list = [...list.filter((s) => !matches(s)), ...list.filter(matches)];
    } else {
      for (const s of SUITES) if (matches(s) && !killed.has(s) && !list.includes(s)) list.push(s);
    }
  }
  const tls12 = list.map((s) => s.iana);
  if (tls12.length === 0 && tls13.length === 0) throw Object.assign(new Error('No cipher match'), { code: 'ERR_SSL_NO_CIPHER_MATCH' });
  return { ...(tls13.length > 0 ? { tls13 } : {}), ...(has12 ? { tls12 } : {}) };
}


