/**
 * Cipher strings (Node's `ciphers`, the CLI's `-cipher`) evaluated as OpenSSL 3.0 evaluates them: the same suites,
 * in the same order, as `openssl ciphers` gives for the string, restricted to the six TLS 1.2 suites memtls has.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import tls from 'node:tls';
import { opensslSuiteName, parseCipherString, TLS12_OPENSSL_NAMES } from '@memtls/node';
import fc from 'fast-check';

const OURS = new Set(Object.keys(TLS12_OPENSSL_NAMES));

/** What OpenSSL selects among memtls's six suites, in its order; [] when it refuses the string ("no cipher match"). */
function openssl(text: string): string[] {
  try {
    const out = execFileSync('openssl', ['ciphers', '-s', '-tls1_2', '-ciphersuites', '', '--', text], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return out.trim().split(':').filter((n) => OURS.has(n));
  } catch {
    return [];
  }
}

/** What memtls selects, as OpenSSL names; [] when it refuses the string. */
function memtls(text: string): string[] {
  try {
    return (parseCipherString(text).tls12 ?? []).map(opensslSuiteName);
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_SSL_NO_CIPHER_MATCH') return [];
    throw e;
  }
}

const WORDS = [
  ...OURS,
  'AES128-SHA',
  'DHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-SHA256',
  'ALL',
  'HIGH',
  'DEFAULT',
  'MEDIUM',
  'COMPLEMENTOFDEFAULT',
  'aNULL',
  'eNULL',
  'ECDHE',
  'EECDH',
  'kECDHE',
  'aRSA',
  'aECDSA',
  'ECDSA',
  'RSA',
  'DHE',
  'AES',
  'AESGCM',
  'AES128',
  'AES256',
  'CHACHA20',
  'SHA256',
  'SHA384',
  'TLSv1.2',
  'CAMELLIA',
  'PSK',
  'FOO',
];

const entry = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom('DEFAULT', 'DEFAULT+AES', '-DEFAULT') },
  { weight: 8, arbitrary: fc.tuple(fc.constantFrom('', '', '!', '-', '+'), fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 3 })).map(([op, ws]) => op + ws.join('+')) },
  { weight: 1, arbitrary: fc.constantFrom('@STRENGTH', '@SECLEVEL=1', '@SECLEVEL=2') },
);
const cipherString = fc.tuple(fc.constantFrom('', '', 'DEFAULT:', 'DEFAULT'), fc.array(entry, { minLength: 1, maxLength: 6 })).map(([head, es]) => head + es.join(':'));

describe('@memtls/node: cipher strings as OpenSSL 3.0 evaluates them', function () {
  this.timeout(120_000);

  it('examples: exclusions, re-adding, ordering and @STRENGTH, checked against openssl ciphers', () => {
    for (const text of [
      'HIGH:!aRSA',
      'ALL:-ECDSA:ECDSA',
      'ALL:!ECDSA:ECDSA',
      'ALL:+ECDSA',
      'ECDHE+AESGCM:-AES256',
      'CHACHA20:AES256:AES128:@STRENGTH',
      'ECDHE-RSA-AES128-GCM-SHA256:HIGH:!ECDSA',
      'kECDHE+aRSA+AES256',
      'AES+aRSA:aECDSA',
      'ECDHE-RSA-AES128-GCM-SHA256:!AES128',
      'HIGH:!aNULL:!MD5',
      'DEFAULT+AES',
      'DEFAULT:!aRSA',
      'aRSA:DEFAULT',
      tls.DEFAULT_CIPHERS,
    ]) {
      assert.deepEqual(memtls(text), openssl(text), text);
    }
    assert.deepEqual(memtls('HIGH:!aRSA'), ['ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-ECDSA-AES128-GCM-SHA256']);
  });

  it('property: any string of suite names and keywords selects what OpenSSL selects, in its order', () => {
    fc.assert(
      fc.property(cipherString, (text) => {
        assert.deepEqual(memtls(text), openssl(text), text);
      }),
      { numRuns: 150, seed: 20261206 },
    );
  });

  it('TLS 1.3 names are taken apart; IANA names of TLS 1.2 suites work too; Suite B is refused', () => {
    assert.deepEqual(parseCipherString('TLS_AES_128_GCM_SHA256:!ALL'), { tls13: ['TLS_AES_128_GCM_SHA256'], tls12: [] });
    assert.deepEqual(parseCipherString('TLS_AES_128_GCM_SHA256'), { tls13: ['TLS_AES_128_GCM_SHA256'] });
    assert.deepEqual(parseCipherString('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'), { tls12: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'] });
    assert.throws(() => parseCipherString('SUITEB128'), RangeError);
    assert.throws(() => parseCipherString('ALL:!ALL'), /No cipher match/);
    assert.throws(() => parseCipherString(42 as unknown as string), TypeError);
  });
});
