/**
 * @memtls/websocket: memtls over a WebSocket (browser WebSocket, or ws in Node), for reaching a TLS server
 * through a WebSocket-to-TCP relay. No `node:` imports: the whole package bundles for browsers.
 *
 * This entry serves both roles (through `@memtls/web-streams`, which loads `@memtls/core`). Client-only apps can
 * import `@memtls/websocket/client` instead: same API, no server handshake code in their bundle.
 *
 * @module @memtls/websocket
 */
import '@memtls/core'; // registers both handshake roles (tls-websocket.ts imports @memtls/core/client)

export { type ByteTransport, isTlsStreamError, memoryTransportPair, type TlsBufferStats, TlsErrorCode, type TlsInfo, type TlsPhase, TlsStreamError, TlsStreams, type TlsStreamsOptions } from '@memtls/web-streams';
export { TlsWebSocket, type TlsWebSocketOptions } from './tls-websocket.js';
export { type WebSocketCloseInfo, type WebSocketLike, type WebSocketTransport, type WebSocketTransportOptions, webSocketTransport } from './websocket-transport.js';
