/**
 * `@memtls/web-streams/client`: the same API as `@memtls/web-streams` for client-only apps. Its modules use
 * `@memtls/core/client`, so a bundle made from this entry holds no server handshake code; a `TlsStreams` whose
 * context options say `role: 'server'` throws a TypeError unless the app also imports `@memtls/core` (or this
 * package's main entry).
 *
 * @module @memtls/web-streams/client
 */

export { isTlsStreamError, TlsErrorCode, type TlsPhase, TlsStreamError, type TlsStreamErrorOptions } from './errors.js';
export { memoryTransportPair } from './memory-transport.js';
export { asBytes, type ByteTransport, type TlsBufferStats, type TlsInfo, TlsStreams, type TlsStreamsOptions } from './tls-streams.js';
