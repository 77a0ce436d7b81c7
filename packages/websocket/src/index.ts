/**
 * @memtls/websocket: memtls over a WebSocket (browser WebSocket, or ws in Node), for reaching a TLS server
 * through a WebSocket-to-TCP relay. No `node:` imports: the whole package bundles for browsers.
 *
 * @module @memtls/websocket
 */

export { type ByteTransport, isTlsStreamError, memoryTransportPair, type TlsBufferStats, TlsErrorCode, type TlsInfo, type TlsPhase, TlsStreamError, TlsStreams, type TlsStreamsOptions } from '@memtls/web-streams';
export { TlsWebSocket, type TlsWebSocketOptions } from './tls-websocket.js';
export { type WebSocketCloseInfo, type WebSocketLike, type WebSocketTransport, type WebSocketTransportOptions, webSocketTransport } from './websocket-transport.js';
