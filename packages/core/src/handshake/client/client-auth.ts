/**
 * The client's certificate in TLS 1.3 (RFC 8446 §4.4.2): the answer to a CertificateRequest in the handshake, and
 * post-handshake client authentication (§4.6.2, OpenSSL's SSL_CTX_set_post_handshake_auth).
 *
 * Rules
 * - Without `postHandshakeAuth` the client never offered it: a CertificateRequest after the handshake is
 *   unexpected_message (§4.6.2).
 * - Each post-handshake exchange hashes the handshake transcript (through the client's Finished), then the
 *   CertificateRequest, Certificate and CertificateVerify (§4.4.1); the Finished is keyed by the current
 *   client_application_traffic_secret_N (§4.4). The answer is sent at once, in the read that processed the
 *   request; after our close_notify nothing is sent (shutdown rule 6).
 * - The certificate is the context's (`cert`/`key`) when its key fits one of the server's signature_algorithms,
 *   else an empty Certificate (the server decides whether that is acceptable).
 */
import type { CipherSuite } from '../../crypto/suites.js';
import { SslError } from '../../errors/ssl-error.js';
import { ExtensionType as X } from '../../wire/enums.js';
import { findExtension, parseU16List } from '../../wire/extensions.js';
import { type CertificateRequestMsg, type HandshakeMessage, parseCertificateRequest } from '../../wire/handshake.js';
import { queueCertificate, queueCertificateVerify, queueFinished, unexpected } from '../common.js';
import type { HandshakeContext } from '../context.js';
import { tls13SchemesForKey } from '../signature.js';

/** Our Certificate and CertificateVerify when the server asked (RFC 8446 §4.4.2): empty without a fitting key. */
export async function sendClientCertificate(cx: HandshakeContext, cr: CertificateRequestMsg): Promise<void> {
  const cred = cx.config.credentials[0];
  const offered = parseU16List(findExtension(cr.extensions, X.SIGNATURE_ALGORITHMS) as Uint8Array, 'signature_algorithms');
  const mine = cred ? tls13SchemesForKey(cred.keyType, cred.keyBits).filter((s) => cx.config.signatureSchemes.includes(s)) : [];
  const scheme = mine.find((s) => offered.includes(s));
  if (!cred || scheme === undefined) {
    // RFC 8446 §4.4.2: with no suitable certificate, send an empty Certificate message.
    queueCertificate(cx, cr.context, []);
    return;
  }
  queueCertificate(cx, cr.context, cred.chain);
  await queueCertificateVerify(cx, cred, scheme, false);
}

/** A CertificateRequest after the handshake (RFC 8446 §4.6.2): Certificate, [CertificateVerify], Finished. */
export async function answerPostHandshakeRequest(cx: HandshakeContext, msg: HandshakeMessage, suite: CipherSuite, state: string): Promise<void> {
  if (!cx.config.postHandshakeAuth) unexpected(msg, `${state} (post_handshake_auth was not offered)`);
  // Each answer costs a signature: a server may not ask again and again without application data in between.
  cx.countPostHandshake('certRequest');
  const cr = parseCertificateRequest(msg.body);
  if (!findExtension(cr.extensions, X.SIGNATURE_ALGORITHMS)) throw new SslError('MISSING_SIGALGS_EXTENSION');
  cx.transcript.restartFromBase();
  cx.transcript.add(msg.raw);
  if (cx.writeClosed) return;
  await sendClientCertificate(cx, cr);
  await queueFinished(cx, suite, cx.trafficSecret(true));
  await cx.flushHandshake();
}
