/**
 * record_size_limit (RFC 8449) in the handshake of both roles and versions: what we advertise, what we answer, and
 * the limits handed to the record layer once both sides sent the extension (the limit is negotiated then only).
 *
 * Rules
 * - The value is the largest plaintext the sender of the extension accepts in one protected record: in TLS 1.3
 *   the whole TLSInnerPlaintext (content type byte and padding included), in TLS 1.2 the fragment. Unprotected
 *   records (the hellos, TLS 1.2's before ChangeCipherSpec) are not subject to it (§4).
 * - A value below 64 is illegal_parameter (wire/extensions.ts). A client refuses one above the negotiated
 *   version's maximum (16385 in TLS 1.3, 16384 in TLS 1.2) with illegal_parameter, as §4 allows; a server never
 *   refuses a larger value (a client may advertise one for a version the server does not know): it clamps it.
 * - A client sends the extension only when `recordSizeLimit` is configured. A server answers every client that
 *   sends it (its own configured value, else the version's maximum: "endpoints SHOULD advertise", §4), so a
 *   constrained client is always honoured. The server sends it in EncryptedExtensions (TLS 1.3) or ServerHello
 *   (TLS 1.2).
 * - max_fragment_length (RFC 6066) is not implemented: memtls never sends it and ignores it in a ClientHello, so
 *   a ClientHello carrying both is answered with record_size_limit only (§5).
 */
import { SslError } from '../errors/ssl-error.js';
import { ExtensionType as X } from '../wire/enums.js';
import { type Extension, encodeRecordSizeLimit, findExtension, parseRecordSizeLimit } from '../wire/extensions.js';
import type { HandshakeContext } from './context.js';

/** The protocol-defined maximum RecordSizeLimit: 2^14 + 1 in TLS 1.3 (the content type byte), 2^14 in TLS 1.2. */
export function maxRecordSizeLimit(version: 'TLSv1.2' | 'TLSv1.3'): number {
  return version === 'TLSv1.3' ? 16385 : 16384;
}

/** Client: the extension of the ClientHello when `recordSizeLimit` is configured (else null). */
export function offerRecordSizeLimit(cx: HandshakeContext): Extension | null {
  const limit = cx.config.recordSizeLimit ?? null;
  return limit === null ? null : { type: X.RECORD_SIZE_LIMIT, data: encodeRecordSizeLimit(limit) };
}

/** Hand the negotiated limits to the record layer: the peer's (as content per record) and ours. */
function apply(cx: HandshakeContext, version: 'TLSv1.2' | 'TLSv1.3', peer: number, ours: number): void {
  const max = maxRecordSizeLimit(version);
  const sendPlaintext = Math.min(peer, max);
  cx.setRecordSizeLimits(version === 'TLSv1.3' ? sendPlaintext - 1 : sendPlaintext, Math.min(ours, max));
}

/** Server: the client's record_size_limit, if it sent one: the limits are in force and our answer is returned. */
export function answerRecordSizeLimit(cx: HandshakeContext, clientExtensions: readonly Extension[], version: 'TLSv1.2' | 'TLSv1.3'): Extension | null {
  const data = findExtension(clientExtensions, X.RECORD_SIZE_LIMIT);
  if (!data) return null;
  const theirs = parseRecordSizeLimit(data);
  const ours = Math.min(cx.config.recordSizeLimit ?? maxRecordSizeLimit(version), maxRecordSizeLimit(version));
  apply(cx, version, theirs, ours);
  return { type: X.RECORD_SIZE_LIMIT, data: encodeRecordSizeLimit(ours) };
}

/** Client: the server's answer (EncryptedExtensions or a TLS 1.2 ServerHello; only offered extensions get here). */
export function acceptRecordSizeLimit(cx: HandshakeContext, serverExtensions: readonly Extension[], version: 'TLSv1.2' | 'TLSv1.3'): void {
  const data = findExtension(serverExtensions, X.RECORD_SIZE_LIMIT);
  if (!data) return;
  const theirs = parseRecordSizeLimit(data);
  if (theirs > maxRecordSizeLimit(version)) throw new SslError('BAD_EXTENSION', { detail: `record_size_limit ${theirs} is above the ${version} maximum ${maxRecordSizeLimit(version)}` });
  apply(cx, version, theirs, cx.config.recordSizeLimit ?? maxRecordSizeLimit(version));
}
