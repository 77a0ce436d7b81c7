/**
 * Errors of the stream adapters: one class, a stable string `code` (as ws's `err.code`), the OpenSSL words
 * when the engine reported the failure, and the phase it happened in.
 *
 * Codes (stable, documented in README.md):
 * - `ERR_MEMTLS_TRUNCATED`: the transport ended without the peer's close_notify (OpenSSL's "unexpected eof
 *   while reading"). Data received before it was real, but the peer's end of stream was not authenticated.
 * - `ERR_MEMTLS_SSL`: any other TLS failure (handshake refused, bad record, alert received, ...); `reason`
 *   holds `Ssl.errorReason()`, `sslReason` the core's reason code, `verifyResult` the X509_V_ERR_* name of a
 *   refused certificate, and the message the engine's words in full, as `@memtls/node`'s MemtlsError (e.g.
 *   `handshake: certificate verify failed: X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY at depth 0: unable to
 *   get local issuer certificate: issuer: CN=...`). None of them ever holds a secret.
 * - `ERR_MEMTLS_TRANSPORT`: the transport itself failed (a WebSocket that never opened, a text frame, a
 *   transport stream that errored); `cause` holds what the transport reported.
 * - `ERR_MEMTLS_BUFFER_OVERFLOW`: the peer sent more than the receive bound while nobody read and the
 *   transport cannot be paused (a browser WebSocket).
 * - `ERR_MEMTLS_ABORTED`: the connection was torn down locally (`abort()` / `destroy()`).
 */

/** The stable error codes. */
export const TlsErrorCode = {
  /** The transport ended without the peer's close_notify ("unexpected eof while reading"). */
  TRUNCATED: 'ERR_MEMTLS_TRUNCATED',
  /** Any other TLS failure; `reason` holds `Ssl.errorReason()`. */
  SSL: 'ERR_MEMTLS_SSL',
  /** The transport itself failed; `cause` holds what it reported. */
  TRANSPORT: 'ERR_MEMTLS_TRANSPORT',
  /** Too many unread bytes on a transport that cannot pause. */
  BUFFER_OVERFLOW: 'ERR_MEMTLS_BUFFER_OVERFLOW',
  /** Torn down locally (`abort()` / `destroy()`). */
  ABORTED: 'ERR_MEMTLS_ABORTED',
} as const;
export type TlsErrorCode = (typeof TlsErrorCode)[keyof typeof TlsErrorCode];

/** Where a failure was detected. */
export type TlsPhase = 'handshake' | 'read' | 'write' | 'shutdown' | 'transport';

/** What `new TlsStreamError(code, message, options)` takes besides the code and message. */
export interface TlsStreamErrorOptions {
  /** Where the failure was detected. */
  phase: TlsPhase;
  /** `Ssl.errorReason()` at the failing call, e.g. 'unexpected eof while reading'. */
  reason?: string | null;
  /** `Ssl.getError(ret)` of the failing call (an SSL_ERROR_* value). */
  sslError?: number | null;
  /** The core's reason code (`SslError.reason`), e.g. 'CERTIFICATE_VERIFY_FAILED'. */
  sslReason?: string | null;
  /** `Ssl.verifyResult()` when a certificate was refused (an X509_V_ERR_* name), else null. */
  verifyResult?: string | null;
  /** The underlying error, when there is one. */
  cause?: unknown;
}

/** A failure of a TLS stream adapter; `code` is stable, `message` is for people. */
export class TlsStreamError extends Error {
  /** The stable code (see `TlsErrorCode`). */
  readonly code: TlsErrorCode;
  /** Where the failure was detected. */
  readonly phase: TlsPhase;
  /** OpenSSL's reason string when the engine reported the failure, else null. */
  readonly reason: string | null;
  /** The SSL_ERROR_* value of the failing call, when there was one. */
  readonly sslError: number | null;
  /** The core's reason code (e.g. 'CERTIFICATE_VERIFY_FAILED', 'PEER_ALERT') when the engine reported the failure. */
  readonly sslReason: string | null;
  /**
   * OpenSSL's name of the verification result when the peer's certificate was refused, e.g.
   * 'X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY' (as `@memtls/node`'s `verifyResult`); null otherwise.
   */
  readonly verifyResult: string | null;

  constructor(code: TlsErrorCode, message: string, opts: TlsStreamErrorOptions) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'TlsStreamError';
    this.code = code;
    this.phase = opts.phase;
    this.reason = opts.reason ?? null;
    this.sslError = opts.sslError ?? null;
    this.sslReason = opts.sslReason ?? null;
    this.verifyResult = opts.verifyResult ?? null;
  }
}

/** True for a `TlsStreamError` with the given code (also across bundles, where `instanceof` fails). */
export function isTlsStreamError(e: unknown, code?: TlsErrorCode): e is TlsStreamError {
  if (typeof e !== 'object' || e === null) return false;
  const c = (e as { code?: unknown }).code;
  return (e as { name?: unknown }).name === 'TlsStreamError' && typeof c === 'string' && (code === undefined || c === code);
}
