/**
 * Open wire enums (RFC 8446 §B.1-§B.4, IANA TLS registries). Unknown values are carried as plain numbers;
 * the `*Name` lookups print a known name or `unknown(0x..)`.
 */

import { AlertDescription } from '../errors/alerts.js';

function namer(table: Record<string, number>): (v: number) => string {
  const rev = new Map<number, string>();
  for (const [k, v] of Object.entries(table)) rev.set(v, k.toLowerCase());
  return (v) => rev.get(v) ?? `unknown(0x${v.toString(16)})`;
}

/** RFC 8446 §5.1 ContentType. */
export const ContentType = {
  CHANGE_CIPHER_SPEC: 20,
  ALERT: 21,
  HANDSHAKE: 22,
  APPLICATION_DATA: 23,
} as const;
export const contentTypeName = namer(ContentType);

/** RFC 8446 §4 HandshakeType. */
export const HandshakeType = {
  HELLO_REQUEST: 0,
  CLIENT_HELLO: 1,
  SERVER_HELLO: 2,
  NEW_SESSION_TICKET: 4,
  END_OF_EARLY_DATA: 5,
  ENCRYPTED_EXTENSIONS: 8,
  CERTIFICATE: 11,
  SERVER_KEY_EXCHANGE: 12,
  CERTIFICATE_REQUEST: 13,
  SERVER_HELLO_DONE: 14,
  CERTIFICATE_VERIFY: 15,
  CLIENT_KEY_EXCHANGE: 16,
  FINISHED: 20,
  KEY_UPDATE: 24,
  MESSAGE_HASH: 254,
} as const;
export const handshakeTypeName = namer(HandshakeType);

/** RFC 8446 §6 AlertDescription: defined in errors/alerts.ts (a leaf both errors/ and wire/ use). */
export { AlertDescription };
export const alertName = namer(AlertDescription);

/** IANA ExtensionType values used by memtls. */
export const ExtensionType = {
  SERVER_NAME: 0,
  MAX_FRAGMENT_LENGTH: 1,
  STATUS_REQUEST: 5,
  SUPPORTED_GROUPS: 10,
  EC_POINT_FORMATS: 11,
  SIGNATURE_ALGORITHMS: 13,
  ALPN: 16,
  SIGNED_CERTIFICATE_TIMESTAMP: 18,
  PADDING: 21,
  ENCRYPT_THEN_MAC: 22,
  EXTENDED_MASTER_SECRET: 23,
  RECORD_SIZE_LIMIT: 28,
  SESSION_TICKET: 35,
  PRE_SHARED_KEY: 41,
  EARLY_DATA: 42,
  SUPPORTED_VERSIONS: 43,
  COOKIE: 44,
  PSK_KEY_EXCHANGE_MODES: 45,
  CERTIFICATE_AUTHORITIES: 47,
  OID_FILTERS: 48,
  POST_HANDSHAKE_AUTH: 49,
  SIGNATURE_ALGORITHMS_CERT: 50,
  KEY_SHARE: 51,
  RENEGOTIATION_INFO: 0xff01,
} as const;
export const extensionTypeName = namer(ExtensionType);

/** IANA NamedGroup values. */
export const NamedGroup = {
  SECP256R1: 0x0017,
  SECP384R1: 0x0018,
  SECP521R1: 0x0019,
  X25519: 0x001d,
  X448: 0x001e,
  /** draft-ietf-tls-ecdhe-mlkem: P-256 ECDH + ML-KEM-768. */
  SECP256R1_MLKEM768: 0x11eb,
  /** draft-ietf-tls-ecdhe-mlkem: ML-KEM-768 + X25519 (OpenSSL 3.5, Go 1.24, browsers). */
  X25519_MLKEM768: 0x11ec,
} as const;
export const namedGroupName = namer(NamedGroup);

/** The key exchange groups memtls implements, by name (crypto's GroupName), with their NamedGroup code points. */
export const GROUP_CODES = {
  x25519: NamedGroup.X25519,
  secp256r1: NamedGroup.SECP256R1,
  secp384r1: NamedGroup.SECP384R1,
  X25519MLKEM768: NamedGroup.X25519_MLKEM768,
  SecP256r1MLKEM768: NamedGroup.SECP256R1_MLKEM768,
} as const;

/** The name of an implemented group for a NamedGroup code point, or undefined. */
export function groupByCode(code: number): keyof typeof GROUP_CODES | undefined {
  for (const [name, c] of Object.entries(GROUP_CODES)) if (c === code) return name as keyof typeof GROUP_CODES;
  return undefined;
}

/** IANA SignatureScheme values. */
export const SignatureScheme = {
  RSA_PKCS1_SHA256: 0x0401,
  RSA_PKCS1_SHA384: 0x0501,
  RSA_PKCS1_SHA512: 0x0601,
  ECDSA_SECP256R1_SHA256: 0x0403,
  ECDSA_SECP384R1_SHA384: 0x0503,
  ECDSA_SECP521R1_SHA512: 0x0603,
  RSA_PSS_RSAE_SHA256: 0x0804,
  RSA_PSS_RSAE_SHA384: 0x0805,
  RSA_PSS_RSAE_SHA512: 0x0806,
  ED25519: 0x0807,
  ED448: 0x0808,
  RSA_PSS_PSS_SHA256: 0x0809,
  RSA_PSS_PSS_SHA384: 0x080a,
  RSA_PSS_PSS_SHA512: 0x080b,
} as const;
export const signatureSchemeName = namer(SignatureScheme);

/** Protocol version numbers on the wire. */
export const ProtocolVersion = {
  TLS10: 0x0301,
  TLS11: 0x0302,
  TLS12: 0x0303,
  TLS13: 0x0304,
} as const;

/** PskKeyExchangeMode (RFC 8446 §4.2.9). */
export const PskKeyExchangeMode = { PSK_KE: 0, PSK_DHE_KE: 1 } as const;
