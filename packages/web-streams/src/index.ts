/**
 * @memtls/web-streams: memtls over any ReadableStream/WritableStream byte transport, as a plaintext pair.
 *
 * @module @memtls/web-streams
 */

export { isTlsStreamError, TlsErrorCode, type TlsPhase, TlsStreamError, type TlsStreamErrorOptions } from './errors.js';
export { memoryTransportPair } from './memory-transport.js';
export { asBytes, type ByteTransport, type TlsBufferStats, type TlsInfo, TlsStreams, type TlsStreamsOptions } from './tls-streams.js';
