/**
 * The context options of RFC 8449 (record_size_limit) and RFC 8446 §4.6.2 (post-handshake client authentication):
 * their documentation and their checks, apart from ssl-context.ts so that each stays within its size.
 */

/** ContextOptions for record_size_limit and post-handshake authentication (part of `ContextOptions`). */
export interface ExtensionOptions {
  /**
   * Client: offer post-handshake client authentication (RFC 8446 §4.2.6, OpenSSL's
   * SSL_CTX_set_post_handshake_auth): a TLS 1.3 server may then ask for our certificate at any time after the
   * handshake (`Ssl.verifyClientPostHandshake()` on a memtls server); the answer is our certificate (`cert`/`key`)
   * or an empty Certificate. Without it, a CertificateRequest after the handshake is unexpected_message.
   *
   * Server (with verifyPeer): OpenSSL's SSL_VERIFY_POST_HANDSHAKE, as Python's `post_handshake_auth` on a server
   * context: no CertificateRequest in a TLS 1.3 handshake, the client is asked later with
   * `verifyClientPostHandshake()` (a TLS 1.2 handshake still asks, there being no later way). Default false.
   */
  postHandshakeAuth?: boolean;
  /**
   * record_size_limit (RFC 8449), 64..16385: the most plaintext we accept in one protected record (in TLS 1.3 the
   * content type byte counts: 64 allows 63 bytes of data per record). A client sends it in its ClientHello; a
   * server answers a client's in EncryptedExtensions (TLS 1.3) or ServerHello (TLS 1.2) with this value, or with
   * the protocol maximum when unset. Once both sides sent it, each sends protected records within the other's
   * limit and a larger protected record received is record_overflow. Default: unset (a client does not send it).
   */
  recordSizeLimit?: number;
}

/** The resolved options (throws TypeError / RangeError synchronously on misuse). */
export function extensionOptions(opts: ExtensionOptions): { postHandshakeAuth: boolean; recordSizeLimit: number | null } {
  if (opts.postHandshakeAuth !== undefined) {
    if (typeof opts.postHandshakeAuth !== 'boolean') throw new TypeError('SslContext: postHandshakeAuth must be a boolean');
  }
  const limit = opts.recordSizeLimit;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 64 && limit <= 16385)) {
    throw new RangeError('SslContext: recordSizeLimit must be an integer from 64 to 16385 (RFC 8449)');
  }
  return { postHandshakeAuth: opts.postHandshakeAuth ?? false, recordSizeLimit: limit ?? null };
}
