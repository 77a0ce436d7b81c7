/** The engine's resolved configuration: everything `SslContext` decided, nothing ambient. */
import type { CryptoProvider, GroupName, PrivateKeyType, SigningKey } from '../crypto/provider.js';
import type { CipherSuite } from '../crypto/suites.js';
import type { SessionCache } from '../session/cache.js';
import type { SslSession } from '../session/session.js';
import type { TicketKeyStore } from '../session/ticket-keys.js';
import type { ExternalPsk } from './psk-external.js';
import type { ExternalSessionCache } from './session-hooks.js';

/** A certificate chain and its private key. The key is imported on first use and cached. */
export interface Credential {
  /** DER certificates, leaf first. */
  chain: Uint8Array[];
  keyType: PrivateKeyType;
  /** RSA modulus bits / curve bits: limits which signature schemes fit. */
  keyBits: number;
  /** DNS names of the leaf (SAN dNSName), for picking a certificate by SNI. */
  names: string[];
  signingKey(): Promise<SigningKey>;
}

/** One protocol message as a message callback sees it (OpenSSL's SSL_CTX_set_msg_callback), decrypted. */
export interface MsgInfo {
  /** Whether we sent the message or received it. */
  direction: 'sent' | 'received';
  /** The inner content type: 21 (alert) or 22 (handshake). */
  contentType: number;
  /** A copy of the message: a handshake message with its 4-byte header, or the 2 bytes of an alert. */
  bytes: Uint8Array;
}

export interface Limits {
  /** Largest handshake message accepted (bytes). */
  maxHandshakeMessage: number;
  /** Handshake bytes accepted in all before the handshake completes. */
  maxHandshakeBytes: number;
  /** Consecutive empty or CCS records or warning alerts tolerated before unexpected_message. */
  maxEmptyRecords: number;
  /** KeyUpdates accepted without application data in between. */
  maxKeyUpdates: number;
  /** NewSessionTickets accepted without application data in between. */
  maxTickets: number;
  /** Post-handshake CertificateRequests a client answers without application data in between (each costs a signature). */
  maxCertRequests: number;
  /** Records per key before the connection refuses to continue (sequence-number exhaustion). */
  seqLimit: number;
  /**
   * Records sealed under one AES-GCM write key before memtls sends a KeyUpdate(update_not_requested) by itself
   * and moves to the next key (RFC 8446 §5.5: at most 2^24.5 full-size records per AES-GCM key). The KeyUpdate
   * goes out before the next application-data record. ChaCha20-Poly1305 keys are not rotated automatically (its
   * limit, 2^62 records, lies past `seqLimit`). Keep it below `seqLimit`.
   */
  keyUpdateAfterRecords: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxHandshakeMessage: 102400,
  maxHandshakeBytes: 262144,
  maxEmptyRecords: 32,
  maxKeyUpdates: 32,
  maxTickets: 32,
  maxCertRequests: 32,
  seqLimit: 2 ** 48,
  keyUpdateAfterRecords: 2 ** 24,
};

export interface EngineConfig {
  role: 'client' | 'server';
  provider: CryptoProvider;
  now: () => Date;
  /** The TLS 1.3 suites, in preference order. */
  suites: readonly CipherSuite[];
  /** The TLS 1.2 suites, in preference order. */
  suites12: readonly CipherSuite[];
  /** The versions this connection may negotiate: enabled by minVersion/maxVersion and left with a suite. */
  versions: { readonly tls12: boolean; readonly tls13: boolean };
  /** TLS 1.2: refuse a peer that does not negotiate the extended master secret (RFC 7627). */
  requireExtendedMasterSecret: boolean;
  groups: readonly GroupName[];
  /** SignatureScheme code points we accept in CertificateVerify (and send in signature_algorithms). */
  signatureSchemes: readonly number[];
  /** The same for TLS 1.2 (ServerKeyExchange, CertificateVerify): rsa_pkcs1_* are allowed there (RFC 5246). */
  signatureSchemes12: readonly number[];
  alpn: readonly string[] | null;
  /** Server: candidate certificates (the first is the default); client: the client certificate, if any. */
  credentials: readonly Credential[];
  verifyPeer: boolean;
  /** Server with verifyPeer: refuse a client that sends no certificate (SSL_VERIFY_FAIL_IF_NO_PEER_CERT). */
  requirePeerCert: boolean;
  limits: Limits;
  /** RFC 8449: the record_size_limit we advertise (64..16385), or null/absent: a client sends none, a server
   * answers with the protocol maximum (handshake/record-size.ts). */
  recordSizeLimit?: number | null;
  /** Client: offer post-handshake authentication (RFC 8446 §4.2.6, SSL_CTX_set_post_handshake_auth). */
  postHandshakeAuth?: boolean;
  /** Server: where tickets live (null: no tickets, no resumption). */
  sessionCache: SessionCache | null;
  /** Server: the keys that seal stateless tickets (null: stateful tickets only). */
  ticketKeys: TicketKeyStore | null;
  /** Server: tickets sent after the handshake (SSL_set_num_tickets). */
  numTickets: number;
  /** Server: the early data accepted with a ticket, and announced in its NewSessionTicket (SSL_CTX_set_max_early_data;
   * 0: none). Above 0, tickets are stateful and single-use (replay protection, server/early-data.ts). */
  maxEarlyData: number;
  /** Server: ticket lifetime in seconds (RFC 8446 §4.6.1: at most 7 days). */
  ticketLifetime: number;
  /** SSL_OP_NO_TICKET (kept current by Ssl.setOptions), as OpenSSL 3.0: TLS 1.3 tickets are stateful (cache ids);
   * TLS 1.2 has no session tickets (RFC 5077), session IDs instead. */
  noTicket: boolean;
  /** The public key of a DER certificate: SubjectPublicKeyInfo bytes, key type and size. Throws SslError on a
   * certificate that cannot be parsed. */
  leafKey: (der: Uint8Array) => { spki: Uint8Array; keyType: string; bits: number };
  /** Verifies the peer's chain (leaf first): pins, path validation, the application's callback. Null when
   * nothing is to be checked. `code` is OpenSSL's X509_V_* name (X509_V_ERR_NOT_VERIFIED when no path was
   * validated); `error` is set when the chain is refused; `hostname` is the name the leaf was checked against. */
  verifyChain:
    | ((
        chain: Uint8Array[],
        hostname: string | null,
      ) => Promise<{ code: string; hostname: string | null; error: import('../errors/ssl-error.js').SslError | null; path: Uint8Array[] }>)
    | null;
  /** Server: the credentials to pick from for this connection (ContextOptions.selectContext), awaited once per
   * handshake before the certificate is picked; null: the context's own. Throws SslError (CERT_CB_ERROR). */
  selectCredentials: ((serverName: string | null) => Promise<readonly Credential[] | null>) | null;
  /** Server: the application's ALPN choice among the client's protocols (ContextOptions.alpnSelect). Throws
   * SslError: NO_APPLICATION_PROTOCOL when it chose none, CALLBACK_FAILED when it failed. */
  alpnSelect: ((serverName: string | null, protocols: string[]) => string) | null;
  /** Client: the external PSK to offer (ContextOptions.pskUseSession), asked once per connection; null: none.
   * Throws SslError (CALLBACK_FAILED). */
  pskUse: (() => ExternalPsk | null) | null;
  /** Server: the external PSK of an identity the client offers (ContextOptions.pskFindSession), or null; null
   * when the context has no callback. Throws SslError (CALLBACK_FAILED). */
  pskFind: ((identity: Uint8Array) => ExternalPsk | null) | null;
  /** Server: the application's external session cache (ContextOptions.onNewSession / lookupSession), or null. */
  externalSessions: ExternalSessionCache | null;
  /** Client: check the certificate against the server name (a verifying client then needs one). */
  verifyHostname: boolean;
  /** Client: may this session be offered to this host name under this configuration (never upgrading trust)? */
  sessionAcceptable: (session: SslSession, hostname: string | null) => Promise<boolean>;
  /** Key logging (NSS key log format, one line without its newline per secret), or null. See ContextOptions.keylog. */
  keylog: ((line: string) => void) | null;
  /** OpenSSL's SSL_CTX_set_msg_callback: told of every handshake message and alert, sent or received, in the clear
   * (null: no callback). */
  msgCallback: ((info: MsgInfo) => void) | null;
}
