/**
 * @memtls/web-streams: memtls over any ReadableStream/WritableStream byte transport, as a plaintext pair.
 *
 * @module @memtls/web-streams
 */
export { TlsStreams, asBytes, type ByteTransport, type TlsStreamsOptions, type TlsInfo, type TlsBufferStats } from './tls-streams.js';
export { TlsStreamError, TlsErrorCode, isTlsStreamError, type TlsPhase, type TlsStreamErrorOptions } from './errors.js';
export { memoryTransportPair } from './memory-transport.js';
