/** @memtls/core public surface (../shared/API.md names). No logic lives here. */
export * from './constants.js';
export type { Bio, BioPairEnd } from './bio/bio.js';
export { MemoryBio } from './bio/memory-bio.js';
export { newBioPair } from './bio/bio-pair.js';
export { SslContext, type ContextOptions, type VerifyInfo } from './ssl-context.js';
export { Ssl, type SslOptions, type SslResult } from './ssl.js';
export { SslSession } from './session/session.js';
export type { CryptoProvider, AeadKey, KeyShare, SigningKey, HashName, AeadName, GroupName, SignatureSchemeName, PrivateKeyType } from './crypto/provider.js';
export { createWebCryptoProvider } from './crypto/webcrypto.js';
export { SslError } from './errors/ssl-error.js';
export { Reasons, type ReasonCode } from './errors/reasons.js';
