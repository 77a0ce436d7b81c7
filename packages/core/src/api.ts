/**
 * The public surface shared by the package entries (index.ts: both roles; client.ts: the client role only). No
 * logic and no registration here: the entries register the handshake roles they expose.
 */

export type { Bio, BioPairEnd } from './bio/bio.js';
export { newBioPair } from './bio/bio-pair.js';
export { MemoryBio } from './bio/memory-bio.js';
export * from './constants.js';
export { type HybridGroupName, type HybridParts, hybridEncapsulate, hybridKeyShare, isHybridGroup } from './crypto/hybrid.js';
export type { AeadKey, AeadName, CryptoProvider, Encapsulation, GroupName, HashName, KeyShare, PrivateKeyType, SignatureSchemeName, SigningKey } from './crypto/provider.js';
export { createWebCryptoProvider } from './crypto/webcrypto.js';
export { type CallOutcome, Driver, type DriverCall, type DriverEarlyData, DriverError, DriverErrorCode, type DriverErrorDetails, type DriverOptions, type DriverPhase, type DriverTransport, type EngineFailure, errorFromOutcome } from './driver/index.js';
export type { MsgInfo } from './engine/config.js';
export { type ReasonCode, type ReasonInfo, Reasons } from './errors/reasons.js';
export { type ErrorOrigin, SslError } from './errors/ssl-error.js';
export type { ExtensionOptions } from './handshake/extension-options.js';
export type { ExternalPskKey, ExternalPskOffer, PskOptions } from './handshake/psk-external.js';
export { sniHostName } from './handshake/server-name.js';
export type { SessionCacheOptions } from './handshake/session-hooks.js';
export { SslSession } from './session/session.js';
export type { TicketKeyAnswer, TicketKeyCallback, TicketOptions } from './session/ticket-keys.js';
export { Ssl, type SslOptions, type SslResult } from './ssl.js';
export { type ContextOptions, SslContext, type VerifyInfo } from './ssl-context.js';
