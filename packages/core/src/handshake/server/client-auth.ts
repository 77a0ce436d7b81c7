/**
 * Post-handshake client authentication, the server's side (RFC 8446 §4.6.2; OpenSSL's
 * SSL_verify_client_post_handshake).
 *
 * Rules
 * - Only in TLS 1.3, once the handshake is over, and only when the client offered post_handshake_auth in the
 *   ClientHello answered; one request at a time (OpenSSL's "request pending" until it is sent, "request sent"
 *   until the client's Finished). The facade checks the version and the handshake first (ssl/client-auth.ts).
 * - `request()` only queues it: the connection is "in init" until the CertificateRequest is in the output
 *   (holdsInit), and the next doHandshake, write or read sends it, as OpenSSL's state machine does.
 * - The CertificateRequest carries a fresh 32-byte certificate_request_context (as OpenSSL) and our
 *   signature_algorithms; the client's Certificate must echo the context (illegal_parameter otherwise).
 * - The server must verify clients (verifyPeer, so trust anchors; else "invalid config", checked last as OpenSSL).
 * - The client's certificate is verified as in the handshake: the same verifier, the same proofs (a
 *   CertificateVerify is checked only against a verified chain's key, the Finished only after it). An empty
 *   Certificate is certificate_required when the context has verifyPeer and requireClientCert (OpenSSL's
 *   SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT), else accepted and the earlier peer identity kept.
 * - Between the request and the Certificate the client may send anything (application data, KeyUpdate); once
 *   its Certificate came, only CertificateVerify and Finished (a message between is unexpected_message).
 * - A completed exchange is followed by `numTickets` new tickets, whose sessions carry the new identity, as OpenSSL
 *   3.0 sends them (statem_srvr.c: TLS_ST_SR_FINISHED after SSL_PHA_REQUESTED goes to TLS_ST_SW_SESSION_TICKET;
 *   test/oracle pha-exchange); not after our close_notify.
 * - The transcript of each exchange is the handshake's then CertificateRequest, Certificate, CertificateVerify
 *   (§4.4.1); the Finished is keyed by the current client_application_traffic_secret_N (§4.4).
 */
import type { CipherSuite } from '../../crypto/suites.js';
import { SslError } from '../../errors/ssl-error.js';
import { equalBytes } from '../../wire/bytes.js';
import { HandshakeType as H, ExtensionType as X } from '../../wire/enums.js';
import { encodeU16List, findExtension } from '../../wire/extensions.js';
import { type ClientHello, encodeCertificateRequest, type HandshakeMessage, parseCertificate } from '../../wire/handshake.js';
import { type ChainVerified, type SignatureVerified, unexpected, verifyCertificateVerify, verifyFinished, verifyPeerChain } from '../common.js';
import type { HandshakeContext, PostHandshakeAuthRefusal } from '../context.js';

/** Where an exchange is: what the server waits for, with the proofs gathered so far. */
type Exchange =
  | { expect: 'certificate' }
  | { expect: 'certificate-verify'; chain: ChainVerified }
  | { expect: 'finished'; auth: SignatureVerified | { readonly unauthenticated: 'no-certificate' } };

export class ServerClientAuth {
  /** The ClientHello answered carried post_handshake_auth (RFC 8446 §4.2.6). */
  offered = false;
  /** Requested by the application and not yet sent (the connection is in init meanwhile). */
  pending = false;
  /** Sent: the client's answer is awaited. */
  #exchange: Exchange | null = null;
  #context: Uint8Array | null = null;

  /** The ClientHello being answered (the second one after a HelloRetryRequest): did it offer the extension? */
  noteClientHello(ch: ClientHello): void {
    const ext = findExtension(ch.extensions, X.POST_HANDSHAKE_AUTH);
    if (ext && ext.length !== 0) throw SslError.decode('post_handshake_auth with a body');
    this.offered = ext !== undefined;
  }

  /** SSL_verify_client_post_handshake, once the facade checked the version and the handshake; in OpenSSL's order:
   * the client's offer and the requests in flight, then the configuration (send_certificate_request). */
  request(verifiesClients: boolean): PostHandshakeAuthRefusal | null {
    if (!this.offered) return 'EXTENSION_NOT_RECEIVED';
    if (this.pending) return 'REQUEST_PENDING';
    if (this.#exchange) return 'REQUEST_SENT';
    if (!verifiesClients) return 'INVALID_CONFIG';
    this.pending = true;
    return null;
  }

  /** True once the client's Certificate came and its CertificateVerify / Finished are due. */
  get midExchange(): boolean {
    return this.#exchange !== null && this.#exchange.expect !== 'certificate';
  }

  /** True while the client's answer is awaited. */
  get awaitingAnswer(): boolean {
    return this.#exchange !== null;
  }

  /** Send the requested CertificateRequest (not after our close_notify: it stays pending, in init). */
  async flush(cx: HandshakeContext): Promise<void> {
    if (!this.pending || cx.writeClosed) return;
    this.pending = false;
    this.#context = cx.config.provider.randomBytes(32);
    cx.transcript.restartFromBase();
    cx.queueHandshake(encodeCertificateRequest({ context: this.#context, extensions: [{ type: X.SIGNATURE_ALGORITHMS, data: encodeU16List(cx.config.signatureSchemes) }] }));
    this.#exchange = { expect: 'certificate' };
    await cx.flushHandshake();
  }

  /** The client's Certificate, CertificateVerify or Finished of the exchange under way; true once its Finished
   * completed the exchange. */
  async handle(cx: HandshakeContext, msg: HandshakeMessage, suite: CipherSuite, state: string): Promise<boolean> {
    const ex = this.#exchange;
    if (!ex) return unexpected(msg, state);
    if (ex.expect === 'certificate') {
      if (msg.type !== H.CERTIFICATE) return unexpected(msg, `${state} (expecting the client's Certificate)`);
      const cert = parseCertificate(msg.body);
      if (!equalBytes(cert.context, this.#context as Uint8Array)) throw new SslError('INVALID_CONTEXT', { detail: 'certificate_request_context mismatch' });
      cx.transcript.add(msg.raw);
      if (cert.entries.length === 0) {
        if (cx.config.verifyPeer && cx.config.requirePeerCert) throw new SslError('PEER_DID_NOT_RETURN_A_CERTIFICATE');
        this.#exchange = { expect: 'finished', auth: { unauthenticated: 'no-certificate' } };
        return false;
      }
      this.#exchange = { expect: 'certificate-verify', chain: await verifyPeerChain(cx, cert, null) };
      return false;
    }
    if (ex.expect === 'certificate-verify') {
      if (msg.type !== H.CERTIFICATE_VERIFY) return unexpected(msg, `${state} (expecting the client's CertificateVerify)`);
      this.#exchange = { expect: 'finished', auth: await verifyCertificateVerify(cx, ex.chain, msg, false) };
      return false;
    }
    if (msg.type !== H.FINISHED) return unexpected(msg, `${state} (expecting the client's Finished)`);
    await verifyFinished(cx, suite, cx.trafficSecret(false), msg, 'client');
    this.#exchange = null;
    this.#context = null;
    return true;
  }
}
