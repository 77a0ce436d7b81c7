/**
 * TLS 1.2 handshake message codecs (RFC 5246 §7.4, RFC 8422 §5.4-§5.7) and the TLS 1.2 extensions
 * ec_point_formats (RFC 8422 §5.1.2) and renegotiation_info (RFC 5746 §3.2). Encoding only: no protocol decisions.
 * Each `parse*` takes the message body (after the 4-byte header) and consumes it entirely or throws decode_error.
 */
import { SslError } from '../errors/ssl-error.js';
import { HandshakeType } from './enums.js';
import { frameHandshake } from './handshake.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

/** Certificate (RFC 5246 §7.4.2): a list of DER certificates, leaf first; no context, no per-entry extensions. */
export function encodeCertificate12(chain: readonly Uint8Array[]): Uint8Array {
  const w = new Writer(2048);
  w.begin(3);
  for (const c of chain) w.vec24(c);
  w.end();
  return frameHandshake(HandshakeType.CERTIFICATE, w.finish());
}

export function parseCertificate12(body: Uint8Array): Uint8Array[] {
  const r = new Reader(body);
  const list = r.sub24('certificate_list');
  const out: Uint8Array[] = [];
  while (list.remaining) out.push(list.vec24('ASN.1Cert', 1));
  r.expectEnd('Certificate');
  return out;
}

/** ECParameters with curve_type named_curve (3) and the ECPoint (RFC 8422 §5.4). */
export const NAMED_CURVE = 3;

/** ServerKeyExchange for ECDHE (RFC 8422 §5.4): the ECDH parameters and their signature. */
export interface ServerKeyExchange12 {
  /** The ServerECDHParams bytes as sent: what the signature covers (after the two randoms). */
  params: Uint8Array;
  group: number;
  publicKey: Uint8Array;
  scheme: number;
  signature: Uint8Array;
}

/** ServerECDHParams: named_curve, the group, the public point (RFC 8422 §5.4). */
export function encodeEcdheParams(group: number, publicKey: Uint8Array): Uint8Array {
  return new Writer(8 + publicKey.length).u8(NAMED_CURVE).u16(group).vec8(publicKey).finish();
}

export function encodeServerKeyExchange12(params: Uint8Array, scheme: number, signature: Uint8Array): Uint8Array {
  return frameHandshake(HandshakeType.SERVER_KEY_EXCHANGE, new Writer(params.length + 4 + signature.length).bytes(params).u16(scheme).vec16(signature).finish());
}

export function parseServerKeyExchange12(body: Uint8Array): ServerKeyExchange12 {
  const r = new Reader(body);
  const curveType = r.u8('curve_type');
  // Only named curves exist in practice (RFC 8422 §5.4 deprecates the explicit ones).
  if (curveType !== NAMED_CURVE) throw new SslError('WRONG_CURVE', { detail: `ECParameters curve_type ${curveType}` });
  const group = r.u16('namedcurve');
  const publicKey = r.vec8('ECPoint', 1);
  const params = body.slice(0, r.offset);
  const scheme = r.u16('SignatureAndHashAlgorithm');
  const signature = r.vec16('signature', 1);
  r.expectEnd('ServerKeyExchange');
  return { params, group, publicKey, scheme, signature };
}

/** CertificateRequest (RFC 5246 §7.4.4): certificate types, signature algorithms, CA names (kept as bytes). */
export interface CertificateRequest12 {
  certificateTypes: Uint8Array;
  schemes: number[];
  authorities: Uint8Array;
}

/** ClientCertificateType values: rsa_sign (1) and ecdsa_sign (64, RFC 8422 §5.5). */
export const CertificateType = { RSA_SIGN: 1, ECDSA_SIGN: 64 } as const;

export function encodeCertificateRequest12(m: CertificateRequest12): Uint8Array {
  const w = new Writer(64);
  w.vec8(m.certificateTypes);
  w.begin(2);
  for (const s of m.schemes) w.u16(s);
  w.end();
  w.vec16(m.authorities);
  return frameHandshake(HandshakeType.CERTIFICATE_REQUEST, w.finish());
}

export function parseCertificateRequest12(body: Uint8Array): CertificateRequest12 {
  const r = new Reader(body);
  const certificateTypes = r.vec8('certificate_types', 1);
  const l = r.sub16('supported_signature_algorithms', 2);
  if (l.remaining % 2) throw SslError.decode('odd supported_signature_algorithms');
  const schemes: number[] = [];
  while (l.remaining) schemes.push(l.u16());
  const authorities = r.vec16('certificate_authorities');
  r.expectEnd('CertificateRequest');
  return { certificateTypes, schemes, authorities };
}

/** ClientKeyExchange for ECDHE (RFC 8422 §5.7): the client's ephemeral public point. */
export function encodeClientKeyExchange12(publicKey: Uint8Array): Uint8Array {
  return frameHandshake(HandshakeType.CLIENT_KEY_EXCHANGE, new Writer(publicKey.length + 1).vec8(publicKey).finish());
}

export function parseClientKeyExchange12(body: Uint8Array): Uint8Array {
  const r = new Reader(body);
  const point = r.vec8('ECPoint', 1);
  r.expectEnd('ClientKeyExchange');
  return point;
}

/** ServerHelloDone (RFC 5246 §7.4.5): an empty message. */
export function encodeServerHelloDone(): Uint8Array {
  return frameHandshake(HandshakeType.SERVER_HELLO_DONE, new Uint8Array(0));
}

/** An empty message (ServerHelloDone, HelloRequest): a body is decode_error. */
export function parseEmpty(body: Uint8Array, what: string): void {
  if (body.length !== 0) throw SslError.decode(`${what} with a body`);
}

/** ec_point_formats (RFC 8422 §5.1.2): memtls sends and accepts uncompressed (0) only. */
export function encodeEcPointFormats(): Uint8Array {
  return new Uint8Array([1, 0]);
}

export function parseEcPointFormats(data: Uint8Array): number[] {
  const r = new Reader(data);
  const list = r.vec8('ec_point_format_list', 1);
  r.expectEnd('ec_point_formats');
  return [...list];
}

/** renegotiation_info (RFC 5746 §3.2): renegotiated_connection, empty on an initial handshake. */
export function encodeRenegotiationInfo(verifyData: Uint8Array): Uint8Array {
  return new Writer(1 + verifyData.length).vec8(verifyData).finish();
}

export function parseRenegotiationInfo(data: Uint8Array): Uint8Array {
  const r = new Reader(data);
  const v = r.vec8('renegotiated_connection');
  r.expectEnd('renegotiation_info');
  return v;
}
