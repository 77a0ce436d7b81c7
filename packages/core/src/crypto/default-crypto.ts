/**
 * The default provider of a context given no `crypto` option, outside Node: the WebCrypto provider over
 * `globalThis.crypto` (browsers, workers, Deno, Bun). package.json "imports" maps `#default-crypto` here for every
 * condition but "node"; under Node it maps to crypto/node-crypto-provider.ts, whose `defaultCryptoProvider` has the
 * same signature, so a browser bundle does not include that provider. `ssl-context.ts` is the one caller.
 */
import type { CryptoProvider } from './provider.js';
import { createWebCryptoProvider } from './webcrypto.js';

/**
 * The provider a context uses when it is given none: here a WebCrypto provider over `globalThis.crypto`.
 * @throws TypeError when this runtime has no `globalThis.crypto`.
 */
export function defaultCryptoProvider(): CryptoProvider {
  const g = (globalThis as { crypto?: Partial<Crypto> }).crypto;
  if (typeof g !== 'object' || g === null || typeof g.getRandomValues !== 'function' || typeof g.subtle !== 'object') {
    throw new TypeError('SslContext: no globalThis.crypto here; pass options.crypto');
  }
  return createWebCryptoProvider(g as Crypto);
}
