/**
 * The sans-IO TLS 1.3 engine with OpenSSL's memory-BIO model: `SslContext`, `Ssl`, `MemoryBio`, sessions, errors
 * and the `SSL_*` constants. No `node:` imports: it runs in browsers, workers and Node.
 *
 * @module @memtls/core
 */
export * from './constants.js';
export type { Bio, BioPairEnd } from './bio/bio.js';
export { MemoryBio } from './bio/memory-bio.js';
export { newBioPair } from './bio/bio-pair.js';
export { SslContext, type ContextOptions, type VerifyInfo } from './ssl-context.js';
export type { ExternalPskKey, ExternalPskOffer, PskOptions } from './handshake/psk-external.js';
export type { SessionCacheOptions } from './handshake/session-hooks.js';
export type { MsgInfo } from './engine/config.js';
export { Ssl, type SslOptions, type SslResult } from './ssl.js';
export { SslSession } from './session/session.js';
export { sniHostName } from './handshake/server-name.js';
export type { CryptoProvider, AeadKey, KeyShare, SigningKey, HashName, AeadName, GroupName, SignatureSchemeName, PrivateKeyType } from './crypto/provider.js';
export { createWebCryptoProvider } from './crypto/webcrypto.js';
export { SslError, type ErrorOrigin } from './errors/ssl-error.js';
export { Reasons, type ReasonCode, type ReasonInfo } from './errors/reasons.js';
export { Driver, type DriverOptions, type DriverTransport, DriverError, DriverErrorCode, type DriverErrorDetails, type DriverCall, type DriverPhase, type CallOutcome, type EngineFailure, errorFromOutcome } from './driver/index.js';
