/**
 * What the handshake layer sees of the engine (the `HandshakeContext` it is handed), and what the engine sees of
 * a handshake role (`Handshake`). The handshake never imports engine/: the engine implements the context and
 * passes itself in; the roles (client/, server/) are chosen once by `createHandshake`.
 */
import type { CipherSuite } from '../crypto/suites.js';
import type { SslSession } from '../session/session.js';
import type { HandshakeMessage } from '../wire/handshake.js';
import type { EngineConfig } from './config.js';
import type { EarlyData } from './early-data.js';
import type { Transcript } from './transcript.js';

/** What one processed record amounted to, for the facade's return-code decisions. */
export type RecordEvent =
  | 'none' // nothing visible (CCS, empty record, part of a handshake message)
  | 'handshake' // handshake progress during the handshake
  | 'app-data' // plaintext became readable
  | 'post-handshake' // a post-handshake message (NewSessionTicket, KeyUpdate) was processed
  | 'close-notify'; // the peer's close_notify

/** Server: how rejected early data is skipped (RFC 8446 §4.2.10); see the engine's rules. */
export type EarlyDataSkip = 'none' | 'undecryptable' | 'before-second-hello';

/** What the connection negotiated and verified, as the facade reports it (SSL_get_* queries). */
export interface ConnectionInfo {
  /** The negotiated protocol version, once the hellos settled it. */
  version: 'TLSv1.2' | 'TLSv1.3' | null;
  suite: CipherSuite | null;
  /** TLS 1.2: the extended master secret (RFC 7627) was negotiated. */
  extendedMasterSecret: boolean;
  /** True when the handshake resumed a session or used an external PSK (OpenSSL's SSL_session_reused). */
  sessionReused: boolean;
  /** The identity of the external PSK that authenticated the handshake (null: none was used). */
  pskIdentity: Uint8Array | null;
  alpnProtocol: string | null;
  /** The key exchange group of the handshake. */
  group: string | null;
  /** True when the handshake went through a HelloRetryRequest. */
  helloRetried: boolean;
  serverName: string | null;
  peerCertificates: Uint8Array[];
  /** OpenSSL's SSL_get_verify_result as a name (X509_V_OK, X509_V_ERR_NOT_VERIFIED, X509_V_ERR_*). */
  verifyCode: string;
  /** The host name the peer's leaf was checked against (null: none), kept in sessions. */
  verifiedHostname: string | null;
  /** The validated certification path, leaf first, trust anchor last (SSL_get0_verified_chain). */
  verifiedChain: Uint8Array[];
}

/** The engine as a handshake state uses it: transcript, keys, output of handshake messages, configuration. */
export interface HandshakeContext extends ConnectionInfo {
  readonly config: EngineConfig;
  readonly transcript: Transcript;
  /** 0-RTT early data of this connection (RFC 8446 §4.2.10). */
  readonly early: EarlyData;
  /** True once the peer's Finished was processed and our traffic keys are in place. */
  readonly handshakeComplete: boolean;
  /** A KeyUpdate reply is owed to the peer (RFC 8446 §4.6.3). */
  readonly owedKeyUpdate: boolean;
  /** Our close_notify is queued: nothing more of ours is sent (shutdown rule 6). */
  readonly writeClosed: boolean;
  /** ClientHello.random of this handshake: the key log names the connection by it. */
  setClientRandom(random: Uint8Array): void;
  /** The exporter master secret (RFC 8446 §7.5), kept in a #private field of the engine. */
  setExporterSecret(secret: Uint8Array): void;
  /** Hand one secret to the application's key log (NSS key log format), if it asked for one. */
  logSecret(label: string, secret: Uint8Array): void;
  /** Queue a handshake message; it goes into the transcript unless `noTranscript`. */
  queueHandshake(raw: Uint8Array, noTranscript?: boolean): void;
  /** Pack queued handshake messages into records under the current write key. */
  flushHandshake(legacyVersion?: number): Promise<void>;
  /** Queue an unprotected record (the middlebox-compatibility CCS). */
  pushPlain(type: number, payload: Uint8Array): void;
  setReadKey(secret: Uint8Array): Promise<void>;
  /** null: no write key (a client's second ClientHello after early data is sent in plaintext). */
  setWriteKey(secret: Uint8Array | null): Promise<void>;
  /** TLS 1.2: install the read key (when the peer's ChangeCipherSpec arrives) or the write key (when ours is sent). */
  setKey12(direction: 'read' | 'write', keys: { key: Uint8Array; iv: Uint8Array }): Promise<void>;
  /** TLS 1.2: what the RFC 5705 exporter needs (the master secret goes to a #private field of the engine). */
  setExporter12(master: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array): void;
  /** Queue an alert under the current write key (a warning such as no_renegotiation, or a fatal one). */
  sendAlert(description: number, fatal: boolean): Promise<void>;
  /** The first ClientHello was sent (client) or received (server): a compatibility CCS is tolerated from now on. */
  markHelloSeen(): void;
  /** The verify_data of the peer's Finished, once checked (SSL_get_peer_finished). */
  setPeerFinishedData(verifyData: Uint8Array): void;
  /** The peer's Finished was verified: no CCS is tolerated from now on. */
  markPeerFinished(): void;
  /** Both Finished are done and the traffic keys installed. */
  markHandshakeComplete(): void;
  /** Server: how the client's rejected early data is skipped from now on. */
  setSkipEarlyData(mode: EarlyDataSkip): void;
  /** Count one NewSessionTicket or post-handshake CertificateRequest against its flood limit (reset by application data). */
  countPostHandshake(msg: 'ticket' | 'certRequest'): void;
  /** RFC 8449 negotiated (handshake/record-size.ts): the content one protected record we send may carry, and the
   * plaintext one protected record we receive may carry. */
  setRecordSizeLimits(sendContent: number, receive: number): void;
  /** The current application traffic secret we write with (`write`) or read with: the key of a post-handshake
   * Finished (RFC 8446 §4.4: client_application_traffic_secret_N). A method: inspection must not reach it. */
  trafficSecret(write: boolean): Uint8Array;
  /** Process a post-handshake KeyUpdate (RFC 8446 §4.6.3). */
  handleKeyUpdate(msg: HandshakeMessage): Promise<RecordEvent>;
  /** Send the scheduled KeyUpdate and, with `includeOwed`, an owed reply. */
  flushKeyUpdate(includeOwed: boolean): Promise<void>;
}

/** Server: the tickets the application requested with newSessionTicket() (SSL_new_session_ticket). */
export interface TicketRequests {
  /** Requested and not yet sent (shutdown rule 10: in init meanwhile, once armed). */
  pending: number;
  /** OpenSSL 3.0: requested tickets put the connection "in init" only once no record is half written (at
   * newSessionTicket() time, or at the next write with an empty write buffer); until then they wait. */
  armed: boolean;
}

/** Why SSL_verify_client_post_handshake refuses (the call returns 0 with this reason). */
export type PostHandshakeAuthRefusal = 'NOT_SERVER' | 'INVALID_CONFIG' | 'EXTENSION_NOT_RECEIVED' | 'REQUEST_PENDING' | 'REQUEST_SENT';

/** One side of the handshake, driven by the engine one message at a time. */
export interface Handshake {
  /** The name of the current state (in UNEXPECTED_MESSAGE details). */
  readonly stateName: string;
  /** Client: build and queue the ClientHello (once). Server: nothing. */
  start(cx: HandshakeContext): Promise<void>;
  /** Handle one complete handshake message. */
  handle(cx: HandshakeContext, msg: HandshakeMessage): Promise<RecordEvent>;
  /** TLS 1.2: the peer's ChangeCipherSpec arrived (on a message boundary): the state installs the read key, or
   * throws unexpected_message when none is expected. */
  changeCipherSpec(cx: HandshakeContext): Promise<void>;
  /** Post-handshake work of this role that doHandshake sends (server: requested tickets). */
  flushPostHandshake(cx: HandshakeContext): Promise<void>;
  /** True while role-specific work keeps the connection "in init" (server: armed ticket requests). */
  readonly holdsInit: boolean;
  /** SSL_CTX_remove_session: the connection ended badly, its sessions must not be resumed (rule 19). */
  invalidateSessions(): void;
  /** Client: the newest session made from a NewSessionTicket. Server: null. */
  readonly latestSession: SslSession | null;
  /** Client: the early data the session it would offer allows (0: none; before the ClientHello). Server: 0. */
  readonly earlyAllowance: number;
  /** Server: ticket requests. Client: null. */
  readonly tickets: TicketRequests | null;
  /** Server: queue a post-handshake CertificateRequest (RFC 8446 §4.6.2), or say why not. Client: NOT_SERVER. */
  requestClientAuth(): PostHandshakeAuthRefusal | null;
  /** Client: SSL_set_tlsext_host_name before the ClientHello is built. Server: false (nothing done). */
  setServerName(cx: HandshakeContext, name: string): boolean;
}
