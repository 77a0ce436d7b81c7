/**
 * Mozilla's root store for memtls where there is no system store: browsers, workers, Deno, Bun, edge
 * runtimes. The roots are the ones Node.js ships as `tls.rootCertificates` (Mozilla's CA Certificate Program,
 * certificates trusted for TLS server authentication), copied into this package by `scripts/generate.mjs`.
 * Nothing is loaded unless this package is imported; the Node adapters keep using Node's own store.
 *
 * @example
 * import { SslContext } from '@memtls/core';
 * import { rootCertificates } from '@memtls/root-store';
 * const ctx = new SslContext({ role: 'client', ca: [...rootCertificates] });
 *
 * @module @memtls/root-store
 */
import { ROOTS, SOURCE_NODE_VERSION } from './roots.js';

/**
 * The root certificates as PEM strings (one certificate each), ready for `ContextOptions.ca`. Frozen.
 * They are trust anchors for TLS server authentication only; memtls checks names, dates and key usage of
 * the chain below them as usual.
 */
export const rootCertificates: readonly string[] = Object.freeze([...ROOTS]);

/** Where the roots came from: the Node.js version whose `tls.rootCertificates` was copied. */
export const rootStoreSource: {
  /** The Node.js version, e.g. 'v20.20.2'. */
  readonly nodeVersion: string;
  /** How many roots there are. */
  readonly count: number;
} = Object.freeze({
  nodeVersion: SOURCE_NODE_VERSION,
  count: ROOTS.length,
});
