/**
 * @memtls/websocket: memtls over a WebSocket (browser WebSocket, or ws in Node), for reaching a TLS server
 * through a WebSocket-to-TCP relay. No `node:` imports: the whole package bundles for browsers.
 *
 * @module @memtls/websocket
 */
export { TlsWebSocket, type TlsWebSocketOptions } from './tls-websocket.js';
export { webSocketTransport, type WebSocketLike, type WebSocketTransport, type WebSocketTransportOptions, type WebSocketCloseInfo } from './websocket-transport.js';
export { TlsStreams, TlsStreamError, TlsErrorCode, isTlsStreamError, memoryTransportPair, type ByteTransport, type TlsInfo, type TlsStreamsOptions, type TlsBufferStats, type TlsPhase } from '@memtls/web-streams';
