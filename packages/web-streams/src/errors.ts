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
import { DriverError, DriverErrorCode, SSL_ERROR_SSL } from '@memtls/core/client';

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

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * The `TlsStreamError` for a failure of the core's `Driver` (its one taxonomy, mapped code for code: the
 * truncation is `ERR_MEMTLS_TRUNCATED`, as `@memtls/node`'s `ERR_MEMTLS_UNEXPECTED_EOF`). A transport's own
 * `TlsStreamError` (e.g. a WebSocket closed with 1011) is passed through.
 */
export function streamErrorFromDriver(e: unknown): TlsStreamError {
  if (e instanceof TlsStreamError) return e;
  if (!(e instanceof DriverError)) return new TlsStreamError(TlsErrorCode.TRANSPORT, `transport: ${describe(e)}`, { phase: 'transport', cause: e });
  const phase = e.phase;
  if (e.code === DriverErrorCode.ABORTED) {
    const cause = e.transportCause;
    return cause instanceof TlsStreamError ? cause : new TlsStreamError(TlsErrorCode.ABORTED, 'aborted', { phase, cause });
  }
  if (e.code === DriverErrorCode.TRANSPORT && e.side === 'out') {
    const cause = e.transportCause;
    if (cause instanceof TlsStreamError) return cause;
    return new TlsStreamError(TlsErrorCode.TRANSPORT, `${phase}: the transport refused bytes: ${describe(cause)}`, { phase, cause });
  }
  // The engine's account counts only for SSL_ERROR_SSL (a later call's SSL_ERROR_SYSCALL repeats nothing).
  const engine = e.sslError === SSL_ERROR_SSL ? e.engine : null;
  const detail = engine?.sslReason != null ? engine : null;
  const opts = { phase, reason: engine?.reason ?? null, sslError: e.sslError, sslReason: detail?.sslReason ?? null, verifyResult: detail?.verifyResult ?? null };
  if (e.code === DriverErrorCode.TRANSPORT) {
    const cause = e.transportCause;
    if (cause instanceof TlsStreamError) return cause;
    return new TlsStreamError(TlsErrorCode.TRANSPORT, `${phase}: the transport failed: ${describe(cause)}`, { ...opts, cause });
  }
  if (e.code === DriverErrorCode.TRUNCATED) {
    const what = phase === 'handshake' ? 'before the handshake completed' : 'without close_notify';
    return new TlsStreamError(TlsErrorCode.TRUNCATED, `${phase}: the transport closed ${what} (unexpected eof while reading)`, opts);
  }
  // The engine's words in full (as @memtls/node's message): for a refused certificate, the X509_V_ERR name,
  // the depth and OpenSSL's text, not only "certificate verify failed".
  return new TlsStreamError(TlsErrorCode.SSL, `${phase}: ${detail?.words ?? opts.reason ?? `SSL_ERROR ${e.sslError}`}`, opts);
}
