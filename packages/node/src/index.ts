/** @memtls/node public surface: memtls over Node streams. No logic lives here. */
export { MemtlsAgent, type MemtlsAgentOptions } from './agent.js';
export { connect, type ConnectOptions, secureUpgrade, type UpgradeOptions } from './connect.js';
export { errorFromSsl, MemtlsError, type MemtlsErrorCode, type SslCallName, shutdownFlagsName, sslErrorName } from './errors.js';
export { authorizationErrorName, contextFromOptions, groupsFromList, type SecureOptions, type VerifyRecord } from './options.js';
export { describeCertificate, type DistinguishedName, type PeerCertificate, parseDistinguishedName } from './peer-certificate.js';
export { alertName, handshakeTypeName, type RecordInfo, RecordTap } from './record-tap.js';
export { createServer, MemtlsServer, type ServerOptions } from './server.js';
export { type BufferStats, MemtlsSocket, type MemtlsSocketOptions, type TraceEvent } from './socket.js';
export { createNodeCryptoProvider } from './node-crypto-provider.js';
