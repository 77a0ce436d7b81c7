/**
 * The node:crypto provider now lives in @memtls/core (`@memtls/core/node-crypto`, and the core's default under
 * Node); this package re-exports it so that `createNodeCryptoProvider` keeps working from `@memtls/node`.
 */
export { createNodeCryptoProvider } from '@memtls/core/node-crypto';
