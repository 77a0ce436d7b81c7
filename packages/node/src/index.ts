/**
 * memtls over Node streams: a TLS `Duplex` over any `Duplex` or `net.Socket`, `connect()` and `createServer()`
 * like `node:tls`, an https agent, STARTTLS upgrades and the `node:crypto` provider.
 *
 * @module @memtls/node
 */
export { MemtlsAgent, type MemtlsAgentOptions } from './agent.js';
export { type CipherStringSuites, ianaSuiteName, isTls13Suite, opensslSuiteName, parseCipherString, suiteAead, type SuiteDefaults, suitesFromLists, TLS12_OPENSSL_NAMES, TLS13_SUITE_NAMES } from './cipher-names.js';
export { connect, type ConnectOptions, secureUpgrade, type UpgradeOptions } from './connect.js';
export { errorFromSsl, MemtlsError, type MemtlsErrorCode, type SslCallName, shutdownFlagsName, sslErrorName } from './errors.js';
export { authorizationErrorName, contextFromOptions, createSecureContext, groupsFromList, type SecureOptions, type VerifyRecord } from './options.js';
export type { ClientPskCallback, PskNegotiation, ServerPskCallback } from './psk.js';
export type { ALPNCallback, CheckServerIdentity, SNICallback } from './tls-callbacks.js';
export { describeCertificate, type DistinguishedName, type PeerCertificate, parseDistinguishedName } from './peer-certificate.js';
export { alertName, handshakeTypeName, type RecordInfo, RecordTap } from './record-tap.js';
export { formatTraceMessage, formatTraceRecord } from './trace-format.js';
export { createServer, MemtlsServer, type ServerOptions } from './server.js';
export { type BufferStats, type CipherInfo, type KeyExchangeInfo, MemtlsSocket, type MemtlsSocketOptions, type TraceEvent } from './socket.js';
export { createNodeCryptoProvider } from './node-crypto-provider.js';
export { TransportSocket } from './transport-socket.js';
