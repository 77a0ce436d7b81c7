/**
 * `@memtls/websocket/client`: the same API as `@memtls/websocket` for client-only apps (the usual browser case):
 * built on `@memtls/core/client` and `@memtls/web-streams/client`, so that a bundle made from this entry holds no
 * server handshake code. A server context made through this entry alone throws a TypeError.
 *
 * @module @memtls/websocket/client
 */

export { type ByteTransport, isTlsStreamError, memoryTransportPair, type TlsBufferStats, TlsErrorCode, type TlsInfo, type TlsPhase, TlsStreamError, TlsStreams, type TlsStreamsOptions } from '@memtls/web-streams/client';
export { TlsWebSocket, type TlsWebSocketOptions } from './tls-websocket.js';
export { type WebSocketCloseInfo, type WebSocketLike, type WebSocketTransport, type WebSocketTransportOptions, webSocketTransport } from './websocket-transport.js';
