/**
 * Deterministic mutation test: corrupted certificates must end in a verification failure (never an exception,
 * never a success), and parseCertificate may only throw SslError BAD_CERTIFICATE.
 */
import { strict as assert } from 'node:assert';
import { parseCertificate } from '#internal/cert/certificate';
import { verifyCertificateChain } from '#internal/cert/verify';
import { createWebCryptoProvider } from '#internal/crypto/webcrypto';
import { SslError } from '#internal/errors/ssl-error';
import { NOW, type Pki, sharedPki } from './pki.js';

const provider = createWebCryptoProvider(globalThis.crypto);

/** xorshift32: the same sequence on every run. */
function rng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

function mutate(der: Uint8Array, next: (n: number) => number): Uint8Array {
  const b = Array.from(der);
  const at = next(b.length);
  switch (next(5)) {
    case 0:
      b[at] = (b[at] as number) ^ (1 + next(255));
      break;
    case 1:
      b.splice(at, 1);
      break;
    case 2:
      b.splice(at, 0, next(256));
      break;
    case 3:
      b.length = at;
      break;
    default:
      b[at] = [0x00, 0x80, 0x81, 0xff][next(4)] as number; // length-ish bytes
  }
  return new Uint8Array(b);
}

describe('cert: mutated certificates', () => {
  let pki: Pki;
  before(function () {
    this.timeout(120_000);
    pki = sharedPki();
  });

  it('600 single-byte mutations of leaves and the intermediate never verify and never throw', async function () {
    this.timeout(60_000);
    const next = rng(0x5eed);
    const root = parseCertificate(pki.der('root'));
    const names = ['leafP256', 'leafRsa', 'leafNcOk', 'int'] as const;
    let decodeFailures = 0;
    for (let i = 0; i < 600; i++) {
      const target = names[i % names.length] as (typeof names)[number];
      const original = pki.der(target);
      const bad = mutate(original, next);
      const sameBytes = bad.length === original.length && bad.every((x, k) => x === original[k]);
      try {
        parseCertificate(bad);
      } catch (e) {
        assert.ok(e instanceof SslError && e.reason === 'BAD_CERTIFICATE', `parseCertificate threw ${String(e)}`);
        decodeFailures++;
      }
      const chain = target === 'int' ? [pki.der('leafP256'), bad] : [bad, pki.der('int')];
      const r = await verifyCertificateChain(provider, chain, { anchors: [root], now: NOW, purpose: 'serverAuth' });
      assert.ok(!r.ok || sameBytes, `mutation #${i} of ${target} verified`);
    }
    assert.ok(decodeFailures > 100, `only ${decodeFailures} mutations were rejected by the decoder`);
  });
});
