/**
 * memtls over Node streams: a TLS `Duplex` over any `Duplex` or `net.Socket`, `connect()` and `createServer()`
 * like `node:tls`, an https agent, STARTTLS upgrades and the `node:crypto` provider.
 *
 * @module @memtls/node
 */
export { MemtlsAgent, type MemtlsAgentOptions } from './agent.js';
export { ianaSuiteName, isTls13Suite, opensslSuiteName, type SuiteDefaults, suiteAead, suitesFromLists, TLS12_OPENSSL_NAMES, TLS13_SUITE_NAMES } from './cipher-names.js';
export { type CipherStringSuites, parseCipherString } from './cipher-string.js';
export { type ConnectOptions, connect, secureUpgrade, type UpgradeOptions } from './connect.js';
export { errorFromSsl, MemtlsError, type MemtlsErrorCode, type SslCallName, shutdownFlagsName, sslErrorName } from './errors.js';
export { createNodeCryptoProvider } from './node-crypto-provider.js';
export { authorizationErrorName, contextFromOptions, createSecureContext, groupsFromList, type SecureOptions, type VerifyRecord } from './options.js';
export { type DistinguishedName, describeCertificate, type PeerCertificate, parseDistinguishedName } from './peer-certificate.js';
export type { ClientPskCallback, PskNegotiation, ServerPskCallback } from './psk.js';
export { alertName, handshakeTypeName, type RecordInfo, RecordTap } from './record-tap.js';
export { createServer, MemtlsServer, type ServerOptions } from './server.js';
export { type BufferStats, type CipherInfo, type KeyExchangeInfo, MemtlsSocket, type MemtlsSocketOptions, type TraceEvent } from './socket.js';
export type { ALPNCallback, CheckServerIdentity, SNICallback } from './tls-callbacks.js';
export { formatTraceMessage, formatTraceRecord } from './trace-format.js';
export { TransportSocket } from './transport-socket.js';
