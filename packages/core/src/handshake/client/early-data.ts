/**
 * The client's 0-RTT early data (RFC 8446 §4.2.10, §4.5): when it is offered, the early key, and what the server's
 * answers mean for it. The states of client/tls13.ts call these at each step.
 *
 * Rules:
 * - Offered only when the application asked (writeEarlyData before the handshake), with a TLS 1.3 session whose
 *   ticket allows early data, offered as the first PSK, whose ALPN (if any) we offer again (RFC 8446 §4.2.10: the
 *   server accepts only the session's ALPN; OpenSSL refuses the inconsistency too). An external PSK never carries
 *   early data in memtls.
 * - The early data is sealed under client_early_traffic_secret with the session's suite, in the first flight.
 * - A HelloRetryRequest, a TLS 1.2 ServerHello, another PSK or none, or EncryptedExtensions without early_data
 *   reject it: writing stops (status 'rejected'; the application may write the data again after the handshake,
 *   as with OpenSSL). The second ClientHello goes in plaintext and never offers early data.
 * - An early_data in EncryptedExtensions when the server did not select the first PSK (or after a
 *   HelloRetryRequest) is illegal_parameter; a non-empty one is decode_error.
 * - Accepted: EndOfEarlyData under the early key after the server's Finished, then the handshake key for Finished.
 */
import { type CipherSuite, suiteByName } from '../../crypto/suites.js';
import { SslError } from '../../errors/ssl-error.js';
import { type SslSession, sessionPsk } from '../../session/session.js';
import { encodeEndOfEarlyData } from '../../wire/early-data.js';
import { ExtensionType as X } from '../../wire/enums.js';
import { type Extension, findExtension } from '../../wire/extensions.js';
import type { EngineConfig } from '../config.js';
import type { HandshakeContext } from '../context.js';
import { clientEarlyTrafficSecret } from '../early-secret.js';

/** The early data `session` allows on this configuration (0: none). */
export function earlyAllowance(c: EngineConfig, session: SslSession | null): number {
  if (session?.version !== 'TLSv1.3' || session.maxEarlyData === 0 || !c.versions.tls13) return 0;
  if (session.alpn !== null && !c.alpn?.includes(session.alpn)) return 0;
  if (!suiteByName(session.cipherSuite) || !c.suites.some((s) => s.name === session.cipherSuite)) return 0;
  return session.maxEarlyData;
}

/** True when this ClientHello offers early data: the application asked, and the offered session allows it. */
export function offersEarlyData(cx: HandshakeContext, session: SslSession | null): session is SslSession {
  return cx.early.wanted && earlyAllowance(cx.config, session) > 0;
}

/** After the first ClientHello: the early key of the session's suite becomes the write key. */
export async function startEarlyData(cx: HandshakeContext, session: SslSession): Promise<void> {
  const suite = suiteByName(session.cipherSuite) as CipherSuite;
  // The early key's suite (the ServerHello sets the negotiated one; accepted early data requires the same).
  cx.suite = suite;
  await cx.setWriteKey(await clientEarlyTrafficSecret(cx, suite, sessionPsk(session)));
  cx.early.status = 'rejected'; // until EncryptedExtensions accept it, as OpenSSL reports it
  cx.early.writing = true;
  cx.early.allowance = session.maxEarlyData;
}

/** The server's answer rejected early data before EncryptedExtensions: no more is written, no write key. */
export async function stopEarlyData(cx: HandshakeContext): Promise<void> {
  if (!cx.early.writing) return;
  cx.early.writing = false;
  await cx.setWriteKey(null);
}

/** EncryptedExtensions: early data accepted (early_data present) or rejected (then the handshake key is ours). */
export async function earlyDataAnswer(cx: HandshakeContext, exts: readonly Extension[], handshakeKey: Uint8Array): Promise<void> {
  const ext = findExtension(exts, X.EARLY_DATA);
  if (ext !== undefined) {
    // RFC 8446 §4.2.10: accepted early data requires the first PSK, in answer to the first ClientHello.
    if (!cx.early.writing) throw new SslError('BAD_EARLY_DATA', { detail: 'early_data accepted without the first PSK of the first ClientHello' });
    if (ext.length !== 0) throw SslError.decode('non-empty early_data in EncryptedExtensions');
    cx.early.status = 'accepted';
    return;
  }
  if (!cx.early.writing) return;
  cx.early.writing = false;
  await cx.setWriteKey(handshakeKey);
}

/** After the server's Finished, accepted early data ends with EndOfEarlyData under the early key (RFC 8446 §4.5). */
export async function endEarlyData(cx: HandshakeContext, handshakeKey: Uint8Array): Promise<void> {
  if (cx.early.status !== 'accepted' || !cx.early.writing) return;
  cx.queueHandshake(encodeEndOfEarlyData());
  await cx.flushHandshake();
  cx.early.writing = false;
  await cx.setWriteKey(handshakeKey);
}
