/**
 * Reason codes: why a connection failed, with OpenSSL's reason string (what `errorReason()` returns)
 * and the alert memtls sends for it (null: none is sent). One table, so `alertFor` is a pure lookup.
 * docs/design/errors.md lists them.
 */
import { AlertDescription as A, type AlertDescription } from './alerts.js';

const REASONS = {
  // shutdown and the error model (reference/openssl3-shutdown.md)
  UNEXPECTED_EOF_WHILE_READING: { text: 'unexpected eof while reading', alert: A.DECODE_ERROR },
  APPLICATION_DATA_AFTER_CLOSE_NOTIFY: { text: 'application data after close notify', alert: null },
  PROTOCOL_IS_SHUTDOWN: { text: 'protocol is shutdown', alert: null },
  SHUTDOWN_WHILE_IN_INIT: { text: 'shutdown while in init', alert: null },
  BAD_WRITE_RETRY: { text: 'bad write retry', alert: null },
  BAD_LENGTH: { text: 'bad length', alert: null },
  BROKEN_PIPE: { text: 'broken pipe', alert: null },
  STILL_IN_INIT: { text: 'still in init', alert: null },
  SHOULD_NOT_HAVE_BEEN_CALLED: { text: 'called a function you should not call', alert: null },
  // record layer
  WRONG_VERSION_NUMBER: { text: 'wrong version number', alert: A.PROTOCOL_VERSION },
  HTTP_REQUEST: { text: 'http request', alert: null },
  HTTPS_PROXY_REQUEST: { text: 'https proxy request', alert: null },
  DECRYPTION_FAILED_OR_BAD_RECORD_MAC: { text: 'decryption failed or bad record mac', alert: A.BAD_RECORD_MAC },
  PACKET_LENGTH_TOO_LONG: { text: 'packet length too long', alert: A.RECORD_OVERFLOW },
  ENCRYPTED_LENGTH_TOO_LONG: { text: 'encrypted length too long', alert: A.RECORD_OVERFLOW },
  DATA_LENGTH_TOO_LONG: { text: 'data length too long', alert: A.RECORD_OVERFLOW },
  UNEXPECTED_RECORD: { text: 'unexpected record', alert: A.UNEXPECTED_MESSAGE },
  BAD_RECORD_TYPE: { text: 'bad record type', alert: A.UNEXPECTED_MESSAGE },
  NO_PADDING_END: { text: 'record has no content type', alert: A.UNEXPECTED_MESSAGE },
  CCS_RECEIVED_EARLY: { text: 'ccs received early', alert: A.UNEXPECTED_MESSAGE },
  UNEXPECTED_CCS_MESSAGE: { text: 'unexpected ccs message', alert: A.UNEXPECTED_MESSAGE },
  TOO_MUCH_EARLY_DATA: { text: 'too much early data', alert: A.UNEXPECTED_MESSAGE },
  BAD_EARLY_DATA: { text: 'bad extension', alert: A.ILLEGAL_PARAMETER },
  BAD_CHANGE_CIPHER_SPEC: { text: 'bad change cipher spec', alert: A.UNEXPECTED_MESSAGE },
  TOO_MANY_EMPTY_RECORDS: { text: 'record too small', alert: A.UNEXPECTED_MESSAGE },
  INVALID_ALERT: { text: 'invalid alert', alert: A.DECODE_ERROR },
  SEQUENCE_NUMBER_EXHAUSTED: { text: 'sequence number exhausted', alert: A.INTERNAL_ERROR },
  // handshake framing
  UNEXPECTED_MESSAGE: { text: 'unexpected message', alert: A.UNEXPECTED_MESSAGE },
  BAD_PACKET: { text: 'bad packet', alert: A.DECODE_ERROR },
  /** A certificate_request_context that is not the expected one (RFC 8446 §4.3.2, §4.4.2): OpenSSL's text. */
  INVALID_CONTEXT: { text: 'bad packet', alert: A.ILLEGAL_PARAMETER },
  /** KeyUpdate.request_update other than 0 or 1 (RFC 8446 §4.6.3): OpenSSL's text. */
  BAD_KEY_UPDATE: { text: 'bad packet', alert: A.ILLEGAL_PARAMETER },
  /** NewSessionTicket.ticket_lifetime over 7 days (RFC 8446 §4.6.1): OpenSSL's text. */
  BAD_TICKET_LIFETIME: { text: 'bad packet', alert: A.ILLEGAL_PARAMETER },
  EXCESSIVE_MESSAGE_SIZE: { text: 'excessive message size', alert: A.ILLEGAL_PARAMETER },
  NOT_ON_RECORD_BOUNDARY: { text: 'not on record boundary', alert: A.UNEXPECTED_MESSAGE },
  // negotiation
  UNSUPPORTED_PROTOCOL: { text: 'unsupported protocol', alert: A.PROTOCOL_VERSION },
  /** supported_versions in a ServerHello selects a version the client did not offer (RFC 8446 §4.2.1). */
  BAD_SELECTED_VERSION: { text: 'unsupported protocol', alert: A.ILLEGAL_PARAMETER },
  NO_SHARED_CIPHER: { text: 'no shared cipher', alert: A.HANDSHAKE_FAILURE },
  WRONG_CIPHER_RETURNED: { text: 'wrong cipher returned', alert: A.ILLEGAL_PARAMETER },
  NO_SUITABLE_KEY_SHARE: { text: 'no suitable key share', alert: A.HANDSHAKE_FAILURE },
  BAD_KEY_SHARE: { text: 'bad key share', alert: A.ILLEGAL_PARAMETER },
  MISSING_KEY_SHARE: { text: 'missing key share', alert: A.MISSING_EXTENSION },
  MISSING_SIGALGS_EXTENSION: { text: 'missing sigalgs extension', alert: A.MISSING_EXTENSION },
  BAD_EXTENSION: { text: 'bad extension', alert: A.ILLEGAL_PARAMETER },
  /** server_name is not one valid DNS host name (RFC 6066 §3; handshake/server-name.ts). */
  INVALID_SERVER_NAME: { text: 'bad extension', alert: A.ILLEGAL_PARAMETER },
  UNSOLICITED_EXTENSION: { text: 'unsolicited extension', alert: A.UNSUPPORTED_EXTENSION },
  DUPLICATE_EXTENSION: { text: 'duplicate extension', alert: A.ILLEGAL_PARAMETER },
  BAD_HELLO_RETRY_REQUEST: { text: 'bad hello retry request', alert: A.ILLEGAL_PARAMETER },
  TOO_MANY_HELLO_RETRY_REQUESTS: { text: 'too many hello retry requests', alert: A.UNEXPECTED_MESSAGE },
  BAD_LEGACY_VERSION: { text: 'bad legacy version', alert: A.PROTOCOL_VERSION },
  BAD_COMPRESSION: { text: 'bad compression algorithm', alert: A.ILLEGAL_PARAMETER },
  BAD_SESSION_ID: { text: 'bad session id', alert: A.ILLEGAL_PARAMETER },
  NO_APPLICATION_PROTOCOL: { text: 'no application protocol', alert: A.NO_APPLICATION_PROTOCOL },
  BAD_ALPN: { text: 'bad alpn', alert: A.ILLEGAL_PARAMETER },
  NO_SUITABLE_SIGNATURE_ALGORITHM: { text: 'no suitable signature algorithm', alert: A.HANDSHAKE_FAILURE },
  WRONG_SIGNATURE_TYPE: { text: 'wrong signature type', alert: A.ILLEGAL_PARAMETER },
  BAD_PSK: { text: 'bad psk', alert: A.ILLEGAL_PARAMETER },
  /** pre_shared_key without psk_key_exchange_modes (RFC 8446 §4.2.9). */
  MISSING_PSK_KEX_MODES_EXTENSION: { text: 'bad psk', alert: A.MISSING_EXTENSION },
  BAD_PSK_BINDER: { text: 'psk binder verification failed', alert: A.DECRYPT_ERROR },
  // TLS 1.2 (RFC 5246, RFC 5746, RFC 7507, RFC 7627, RFC 8422; RFC 8446 §4.1.3 downgrade protection)
  /** TLS_FALLBACK_SCSV from a client whose version is below the server's highest (RFC 7507 §3). */
  INAPPROPRIATE_FALLBACK: { text: 'inappropriate fallback', alert: A.INAPPROPRIATE_FALLBACK },
  /** A TLS 1.2 ServerHello.random ends in a DOWNGRD sentinel the client must refuse (RFC 8446 §4.1.3): OpenSSL's text. */
  DOWNGRADE_DETECTED: { text: 'inappropriate fallback', alert: A.ILLEGAL_PARAMETER },
  /** An operation of another protocol version (SSL_key_update in TLS 1.2). */
  WRONG_SSL_VERSION: { text: 'wrong ssl version', alert: null },
  // SSL_verify_client_post_handshake refusals (the call returns 0; nothing is sent)
  EXTENSION_NOT_RECEIVED: { text: 'extension not received', alert: null },
  REQUEST_PENDING: { text: 'request pending', alert: null },
  REQUEST_SENT: { text: 'request sent', alert: null },
  NOT_SERVER: { text: 'not server', alert: null },
  INVALID_CONFIG: { text: 'invalid config', alert: null },
  /** Five warning alerts in a row without other records (OpenSSL's MAX_WARN_ALERT_COUNT). */
  TOO_MANY_WARN_ALERTS: { text: 'too many warn alerts', alert: A.UNEXPECTED_MESSAGE },
  /** The peer refused a renegotiation with a no_renegotiation warning (fatal, as in OpenSSL). */
  NO_RENEGOTIATION: { text: 'no renegotiation', alert: A.HANDSHAKE_FAILURE },
  /** requireExtendedMasterSecret and the peer did not negotiate the extended master secret (RFC 7627 §5.2). */
  EXTENDED_MASTER_SECRET_REQUIRED: { text: 'extended master secret required', alert: A.HANDSHAKE_FAILURE },
  /** renegotiation_info not empty on an initial handshake (RFC 5746 §3.4, §3.6). */
  RENEGOTIATION_MISMATCH: { text: 'renegotiation mismatch', alert: A.HANDSHAKE_FAILURE },
  /** A TLS 1.2 server without renegotiation_info (RFC 5746 §4.1; OpenSSL 3 refuses it by default). */
  UNSAFE_LEGACY_RENEGOTIATION_DISABLED: { text: 'unsafe legacy renegotiation disabled', alert: A.HANDSHAKE_FAILURE },
  /** The server's certificate key does not fit the chosen suite (ECDSA suite, RSA key or the reverse). */
  WRONG_CERTIFICATE_TYPE: { text: 'wrong certificate type', alert: A.ILLEGAL_PARAMETER },
  /** ServerKeyExchange with a group the client did not offer, or not a named curve (RFC 8422 §5.4). */
  WRONG_CURVE: { text: 'wrong curve', alert: A.ILLEGAL_PARAMETER },
  /** An ECDHE public point that is not a valid uncompressed point of the group (RFC 8422 §5.4, §5.7). */
  BAD_ECPOINT: { text: 'bad ecpoint', alert: A.ILLEGAL_PARAMETER },
  /** A TLS 1.2 client sent no certificate to a server that requires one (RFC 5246 §7.4.6: handshake_failure). */
  PEER_DID_NOT_RETURN_A_CERTIFICATE_TLS12: { text: 'peer did not return a certificate', alert: A.HANDSHAKE_FAILURE },
  // authentication
  DIGEST_CHECK_FAILED: { text: 'digest check failed', alert: A.DECRYPT_ERROR },
  BAD_DIGEST_LENGTH: { text: 'bad digest length', alert: A.DECODE_ERROR },
  BAD_SIGNATURE: { text: 'bad signature', alert: A.DECRYPT_ERROR },
  NO_CERTIFICATES_RETURNED: { text: 'no certificates returned', alert: A.DECODE_ERROR },
  PEER_DID_NOT_RETURN_A_CERTIFICATE: { text: 'peer did not return a certificate', alert: A.CERTIFICATE_REQUIRED },
  CERTIFICATE_VERIFY_FAILED: { text: 'certificate verify failed', alert: A.BAD_CERTIFICATE },
  CERTIFICATE_EXPIRED: { text: 'certificate verify failed', alert: A.CERTIFICATE_EXPIRED },
  UNKNOWN_CA: { text: 'certificate verify failed', alert: A.UNKNOWN_CA },
  UNSUPPORTED_CERTIFICATE: { text: 'certificate verify failed', alert: A.UNSUPPORTED_CERTIFICATE },
  CERTIFICATE_UNKNOWN: { text: 'certificate verify failed', alert: A.CERTIFICATE_UNKNOWN },
  BAD_CERTIFICATE: { text: 'bad certificate', alert: A.BAD_CERTIFICATE },
  PINNED_PUBLIC_KEY_MISMATCH: { text: 'pinned public key mismatch', alert: A.BAD_CERTIFICATE },
  // local configuration found wrong at first use
  KEY_VALUES_MISMATCH: { text: 'key values mismatch', alert: A.INTERNAL_ERROR },
  /** The server's certificate selection callback (ContextOptions.selectContext) failed or returned no server context. */
  CERT_CB_ERROR: { text: 'cert cb error', alert: A.INTERNAL_ERROR },
  /** An application callback failed: ALPN selection (threw, or chose a protocol the client did not offer), the
   * external PSK callbacks (pskUseSession / pskFindSession) or the session lookup (lookupSession). */
  CALLBACK_FAILED: { text: 'callback failed', alert: A.INTERNAL_ERROR },
  // resources
  TOO_MANY_KEY_UPDATES: { text: 'too many key updates', alert: A.UNEXPECTED_MESSAGE },
  TOO_MANY_TICKETS: { text: 'too many session tickets', alert: A.UNEXPECTED_MESSAGE },
  TOO_MANY_CERT_REQUESTS: { text: 'too many certificate requests', alert: A.UNEXPECTED_MESSAGE },
  HANDSHAKE_TOO_LARGE: { text: 'excessive message size', alert: A.ILLEGAL_PARAMETER },
  // TLS 1.2 resumption (RFC 5246 §7.4.1.3, RFC 5077, RFC 7627 §5.3)
  /** A resumption whose extended master secret status differs from the session's (RFC 7627 §5.3): OpenSSL's text. */
  INCONSISTENT_EXTMS: { text: 'inconsistent extms', alert: A.HANDSHAKE_FAILURE },
  /** The server resumed the offered TLS 1.2 session with another suite than the session's: OpenSSL's text. */
  OLD_SESSION_CIPHER_NOT_RETURNED: { text: 'old session cipher not returned', alert: A.ILLEGAL_PARAMETER },
  // received alert (the text is computed from the alert: see receivedAlertText)
  PEER_ALERT: { text: 'peer alert', alert: null },
  INTERNAL_ERROR: { text: 'internal error', alert: A.INTERNAL_ERROR },
} as const satisfies Record<string, ReasonInfo>;

/** What a reason code stands for. */
export interface ReasonInfo {
  /** OpenSSL's reason string: what `Ssl.errorReason()` returns. */
  readonly text: string;
  /** The alert (RFC 8446 §6 AlertDescription) memtls sends for it, or null when none is sent. */
  readonly alert: AlertDescription | null;
}

/** A reason code: why a connection failed (the keys of `Reasons`; docs/errors.md lists them all). */
export type ReasonCode = keyof typeof REASONS;

/**
 * Every reason code with OpenSSL's reason string and the alert memtls sends for it. docs/errors.md is
 * generated from this table.
 */
export const Reasons: Readonly<Record<ReasonCode, ReasonInfo>> = REASONS;

/** The alert sent for a reason, or null for none. */
export function alertFor(reason: ReasonCode): AlertDescription | null {
  return Reasons[reason].alert;
}

/** OpenSSL's reason string for a received alert: "sslv3 alert handshake failure", "tlsv1 alert decode error", ... */
export function receivedAlertText(alert: number): string {
  const sslv3 = new Map<number, string>([
    [0, 'close notify'],
    [10, 'unexpected message'],
    [20, 'bad record mac'],
    [30, 'decompression failure'],
    [40, 'handshake failure'],
    [41, 'no certificate'],
    [42, 'bad certificate'],
    [43, 'unsupported certificate'],
    [44, 'certificate revoked'],
    [45, 'certificate expired'],
    [46, 'certificate unknown'],
    [47, 'illegal parameter'],
  ]);
  const tlsv1 = new Map<number, string>([
    [21, 'alert decryption failed'],
    [22, 'alert record overflow'],
    [48, 'alert unknown ca'],
    [49, 'alert access denied'],
    [50, 'alert decode error'],
    [51, 'alert decrypt error'],
    [60, 'alert export restriction'],
    [70, 'alert protocol version'],
    [71, 'alert insufficient security'],
    [80, 'alert internal error'],
    [86, 'alert inappropriate fallback'],
    [90, 'alert user cancelled'],
    [100, 'alert no renegotiation'],
    [110, 'unsupported extension'],
    [111, 'certificate unobtainable'],
    [112, 'unrecognized name'],
    [113, 'bad certificate status response'],
    [114, 'bad certificate hash value'],
    [115, 'alert unknown psk identity'],
    [120, 'alert no application protocol'],
  ]);
  const s3 = sslv3.get(alert);
  if (s3) return `sslv3 alert ${s3}`;
  const t1 = tlsv1.get(alert);
  if (t1) return `tlsv1 ${t1}`;
  if (alert === 109) return 'tlsv13 alert missing extension';
  if (alert === 116) return 'tlsv13 alert certificate required';
  return `ssl/tls alert number ${alert}`;
}
