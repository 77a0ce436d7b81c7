/**
 * RFC 8446 §6 AlertDescription, as a branded number: an alert can only come from this table (or from the
 * wire, through `alertFromWire`), never from a bare literal. A leaf module: errors/ and wire/ both use it.
 */

/** An RFC 8446 §6 AlertDescription value (a number branded so that a bare literal is not one). */
export type AlertDescription = number & { readonly __alert: true };

const a = (v: number): AlertDescription => v as AlertDescription;

/** The AlertDescription values memtls names (RFC 8446 §6, RFC 7301, RFC 8446 §4.2). */
export const AlertDescription = {
  CLOSE_NOTIFY: a(0),
  UNEXPECTED_MESSAGE: a(10),
  BAD_RECORD_MAC: a(20),
  RECORD_OVERFLOW: a(22),
  HANDSHAKE_FAILURE: a(40),
  BAD_CERTIFICATE: a(42),
  UNSUPPORTED_CERTIFICATE: a(43),
  CERTIFICATE_REVOKED: a(44),
  CERTIFICATE_EXPIRED: a(45),
  CERTIFICATE_UNKNOWN: a(46),
  ILLEGAL_PARAMETER: a(47),
  UNKNOWN_CA: a(48),
  ACCESS_DENIED: a(49),
  DECODE_ERROR: a(50),
  DECRYPT_ERROR: a(51),
  PROTOCOL_VERSION: a(70),
  INSUFFICIENT_SECURITY: a(71),
  INTERNAL_ERROR: a(80),
  INAPPROPRIATE_FALLBACK: a(86),
  USER_CANCELED: a(90),
  NO_RENEGOTIATION: a(100),
  MISSING_EXTENSION: a(109),
  UNSUPPORTED_EXTENSION: a(110),
  UNRECOGNIZED_NAME: a(112),
  BAD_CERTIFICATE_STATUS_RESPONSE: a(113),
  UNKNOWN_PSK_IDENTITY: a(115),
  CERTIFICATE_REQUIRED: a(116),
  NO_APPLICATION_PROTOCOL: a(120),
} as const;

/** A received alert byte as an AlertDescription (any value 0-255 may arrive; unknown ones are kept as numbers). */
export function alertFromWire(byte: number): AlertDescription {
  return byte as AlertDescription;
}
