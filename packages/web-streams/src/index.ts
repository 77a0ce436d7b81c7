/**
 * @memtls/web-streams: memtls over any ReadableStream/WritableStream byte transport, as a plaintext pair.
 *
 * This entry serves both roles: it loads `@memtls/core`, which registers the server handshake role. Client-only
 * apps can import `@memtls/web-streams/client` instead (same API, smaller bundle).
 *
 * @module @memtls/web-streams
 */
import '@memtls/core'; // registers both handshake roles (the modules below import @memtls/core/client)

export { isTlsStreamError, TlsErrorCode, type TlsPhase, TlsStreamError, type TlsStreamErrorOptions } from './errors.js';
export { memoryTransportPair } from './memory-transport.js';
export { asBytes, type ByteTransport, type TlsBufferStats, type TlsInfo, TlsStreams, type TlsStreamsOptions } from './tls-streams.js';
