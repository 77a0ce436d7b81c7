/** Wire code points: content types, handshake types, alert descriptions, extension types. */
/** TLS content types (RFC 8446 §5.1). */
export const CT = {
  /** change_cipher_spec (20) */
  CCS: 20,
  /** alert (21) */
  ALERT: 21,
  /** handshake (22) */
  HANDSHAKE: 22,
  /** application_data (23) */
  APP: 23,
} as const;
/** Handshake message types (RFC 8446 §4, RFC 5246 §7.4). */
export const HT = {
  /** hello_request (0) */
  HELLO_REQUEST: 0,
  /** client_hello (1) */
  CLIENT_HELLO: 1,
  /** server_hello (2) */
  SERVER_HELLO: 2,
  /** new_session_ticket (4) */
  NEW_SESSION_TICKET: 4,
  /** end_of_early_data (5) */
  END_OF_EARLY_DATA: 5,
  /** encrypted_extensions (8) */
  ENCRYPTED_EXTENSIONS: 8,
  /** certificate (11) */
  CERTIFICATE: 11,
  /** server_key_exchange (12) */
  SERVER_KEY_EXCHANGE: 12,
  /** certificate_request (13) */
  CERTIFICATE_REQUEST: 13,
  /** server_hello_done (14) */
  SERVER_HELLO_DONE: 14,
  /** certificate_verify (15) */
  CERTIFICATE_VERIFY: 15,
  /** client_key_exchange (16) */
  CLIENT_KEY_EXCHANGE: 16,
  /** finished (20) */
  FINISHED: 20,
  /** certificate_url (21) */
  CERTIFICATE_URL: 21,
  /** certificate_status (22) */
  CERTIFICATE_STATUS: 22,
  /** supplemental_data (23) */
  SUPPLEMENTAL_DATA: 23,
  /** key_update (24) */
  KEY_UPDATE: 24,
  /** compressed_certificate (25) */
  COMPRESSED_CERTIFICATE: 25,
  /** message_hash (254) */
  MESSAGE_HASH: 254,
} as const;
/** Every handshake type registered with IANA (TLS HandshakeType registry), TLS 1.2 ones included. */
export const DEFINED_HANDSHAKE_TYPES: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 8, 11, 12, 13, 14, 15, 16, 17, 20, 21, 22, 23, 24, 25, 26, 254];

/** Alert descriptions (RFC 8446 §6). */
export const AL = {
  /** close_notify (0) */
  CLOSE_NOTIFY: 0,
  /** unexpected_message (10) */
  UNEXPECTED_MESSAGE: 10,
  /** bad_record_mac (20) */
  BAD_RECORD_MAC: 20,
  /** record_overflow (22) */
  RECORD_OVERFLOW: 22,
  /** handshake_failure (40) */
  HANDSHAKE_FAILURE: 40,
  /** bad_certificate (42) */
  BAD_CERTIFICATE: 42,
  /** illegal_parameter (47) */
  ILLEGAL_PARAMETER: 47,
  /** decode_error (50) */
  DECODE_ERROR: 50,
  /** decrypt_error (51) */
  DECRYPT_ERROR: 51,
  /** protocol_version (70) */
  PROTOCOL_VERSION: 70,
  /** internal_error (80) */
  INTERNAL_ERROR: 80,
  /** user_canceled (90) */
  USER_CANCELED: 90,
  /** no_renegotiation (100) */
  NO_RENEGOTIATION: 100,
  /** missing_extension (109) */
  MISSING_EXTENSION: 109,
  /** unsupported_extension (110) */
  UNSUPPORTED_EXTENSION: 110,
  /** certificate_required (116) */
  CERTIFICATE_REQUIRED: 116,
} as const;

/** Extension types (RFC 8446 §4.2). */
export const EXT = {
  /** server_name (0) */
  SERVER_NAME: 0,
  /** supported_groups (10) */
  SUPPORTED_GROUPS: 10,
  /** signature_algorithms (13) */
  SIGNATURE_ALGORITHMS: 13,
  /** alpn (16) */
  ALPN: 16,
  /** pre_shared_key (41) */
  PRE_SHARED_KEY: 41,
  /** early_data (42) */
  EARLY_DATA: 42,
  /** supported_versions (43) */
  SUPPORTED_VERSIONS: 43,
  /** cookie (44) */
  COOKIE: 44,
  /** psk_key_exchange_modes (45) */
  PSK_KEY_EXCHANGE_MODES: 45,
  /** key_share (51) */
  KEY_SHARE: 51,
} as const;
