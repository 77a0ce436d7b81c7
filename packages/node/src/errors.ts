/**
 * Errors of the Node adapter. Every error a `MemtlsSocket` emits carries a stable string `code`
 * (Node's convention, as `ws` does with `createError`), so applications branch on `err.code`, never on
 * message text:
 *
 * | code | when |
 * | --- | --- |
 * | `ERR_MEMTLS_UNEXPECTED_EOF` | the transport ended without the peer's close_notify (truncation), during or after the handshake; the core driver's `ERR_MEMTLS_TRUNCATED`, as `@memtls/web-streams` and `@memtls/websocket` name it |
 * | `ERR_MEMTLS_SSL` | any other TLS failure; `reason` is `Ssl.errorReason()` (OpenSSL's words), `sslReason` the reason code |
 * | `ERR_MEMTLS_TRANSPORT_CLOSED` | we had records to send but the transport is no longer writable |
 * | `ERR_MEMTLS_PLAINTEXT_AFTER_UPGRADE` | `secureUpgrade()` found plaintext buffered past the upgrade point (STARTTLS injection) |
 *
 * Errors coming from the transport itself (`ECONNRESET`, `EPIPE`, ...) are passed through unchanged.
 */
import {
  DriverError,
  DriverErrorCode,
  SSL_ERROR_NONE,
  SSL_ERROR_SSL,
  SSL_ERROR_SYSCALL,
  SSL_ERROR_WANT_READ,
  SSL_ERROR_WANT_WRITE,
  SSL_ERROR_ZERO_RETURN,
  SSL_RECEIVED_SHUTDOWN,
  SSL_SENT_SHUTDOWN,
  type Ssl,
} from '@memtls/core';

/** The stable `code` values of `MemtlsError`. */
export type MemtlsErrorCode = 'ERR_MEMTLS_UNEXPECTED_EOF' | 'ERR_MEMTLS_SSL' | 'ERR_MEMTLS_TRANSPORT_CLOSED' | 'ERR_MEMTLS_PLAINTEXT_AFTER_UPGRADE';

/** The Ssl call a failure came from, named as OpenSSL names it. */
export type SslCallName = 'SSL_do_handshake' | 'SSL_read' | 'SSL_write' | 'SSL_shutdown' | 'SSL_write_early_data' | 'SSL_read_early_data';

/** The error a memtls socket emits: a stable `code` plus OpenSSL's reason and the failing call. */
export class MemtlsError extends Error {
  /**
   * Stable code: 'ERR_MEMTLS_UNEXPECTED_EOF' (truncation), 'ERR_MEMTLS_SSL', 'ERR_MEMTLS_TRANSPORT_CLOSED',
   * 'ERR_MEMTLS_PLAINTEXT_AFTER_UPGRADE'.
   */
  readonly code: MemtlsErrorCode;
  /** OpenSSL's reason string (`Ssl.errorReason()`), e.g. "unexpected eof while reading". */
  readonly reason: string | null;
  /** The core's reason code, e.g. `UNEXPECTED_EOF_WHILE_READING` or `PEER_ALERT`. */
  readonly sslReason: string | null;
  /** `SSL_get_error`'s answer for the failing call, by name (`SSL_ERROR_SSL`, ...). */
  readonly sslError: string | null;
  /** The failing call. */
  readonly call: SslCallName | null;
  /** `SSL_get_verify_result` as OpenSSL's name, when a certificate was refused. */
  readonly verifyResult: string | null;

  constructor(
    code: MemtlsErrorCode,
    message: string,
    details: { reason?: string | null; sslReason?: string | null; sslError?: string | null; call?: SslCallName | null; verifyResult?: string | null } = {},
  ) {
    super(message);
    this.name = 'MemtlsError';
    this.code = code;
    this.reason = details.reason ?? null;
    this.sslReason = details.sslReason ?? null;
    this.sslError = details.sslError ?? null;
    this.call = details.call ?? null;
    this.verifyResult = details.verifyResult ?? null;
  }
}

const ERROR_NAMES: Record<number, string> = {
  [SSL_ERROR_NONE]: 'SSL_ERROR_NONE',
  [SSL_ERROR_SSL]: 'SSL_ERROR_SSL',
  [SSL_ERROR_WANT_READ]: 'SSL_ERROR_WANT_READ',
  [SSL_ERROR_WANT_WRITE]: 'SSL_ERROR_WANT_WRITE',
  [SSL_ERROR_SYSCALL]: 'SSL_ERROR_SYSCALL',
  [SSL_ERROR_ZERO_RETURN]: 'SSL_ERROR_ZERO_RETURN',
};

/** `SSL_ERROR_*` value → its OpenSSL name. */
export function sslErrorName(code: number): string {
  return ERROR_NAMES[code] ?? `SSL_ERROR_${code}`;
}

/** `getShutdown()` flags in words: `0`, `SENT`, `RECEIVED` or `SENT|RECEIVED`. */
export function shutdownFlagsName(flags: number): string {
  const parts: string[] = [];
  if (flags & SSL_SENT_SHUTDOWN) parts.push('SENT');
  if (flags & SSL_RECEIVED_SHUTDOWN) parts.push('RECEIVED');
  return parts.length ? parts.join('|') : '0';
}

/**
 * The error for a failed Ssl call (`ret <= 0`, `err` = `getError(ret)`, not a retry code).
 * Truncation (the core's "unexpected eof while reading") gets its own code.
 */
export function errorFromSsl(ssl: Ssl, call: SslCallName, ret: number, err: number): MemtlsError {
  const detail = ssl.lastErrorDetail();
  const reason = ssl.errorReason();
  const sslReason = detail ? detail.reason : null;
  const verify = ssl.verifyResult();
  // Only a verification that ran and failed is worth reporting (X509_V_ERR_NOT_VERIFIED: it never ran).
  const verifyResult = verify !== 'X509_V_OK' && verify !== 'X509_V_ERR_NOT_VERIFIED' ? verify : null;
  const base = { reason, sslReason, sslError: sslErrorName(err), call, verifyResult };
  if (sslReason === 'UNEXPECTED_EOF_WHILE_READING') {
    const when = ssl.isInitFinished() || call !== 'SSL_do_handshake' ? '' : ' during the handshake';
    return new MemtlsError('ERR_MEMTLS_UNEXPECTED_EOF', `memtls: the transport ended without close_notify${when} (truncation)`, base);
  }
  const words = detail?.message ?? reason ?? (err === SSL_ERROR_SYSCALL ? 'connection failed earlier' : 'unknown failure');
  return new MemtlsError('ERR_MEMTLS_SSL', `memtls: ${call} failed (ret=${ret}, ${sslErrorName(err)}): ${words}`, base);
}

/**
 * The `MemtlsError` for a failure of the core's `Driver` (its one taxonomy, mapped code for code; the
 * truncation keeps this adapter's historical code, `ERR_MEMTLS_UNEXPECTED_EOF`, which web streams and the
 * WebSocket adapter call `ERR_MEMTLS_TRUNCATED`: the same condition).
 */
export function errorFromDriver(e: unknown): Error {
  if (!(e instanceof DriverError)) return e as Error;
  const call = e.call as SslCallName | null;
  if (e.code === DriverErrorCode.ABORTED) {
    if (e.phase === 'handshake') return new MemtlsError('ERR_MEMTLS_SSL', 'memtls: socket destroyed during the handshake');
    return new MemtlsError('ERR_MEMTLS_TRANSPORT_CLOSED', e.phase === 'write' ? 'memtls: write after destroy' : `memtls: ${call ?? e.phase} after the socket was destroyed`, { call });
  }
  if (e.code === DriverErrorCode.TRANSPORT) return new MemtlsError('ERR_MEMTLS_TRANSPORT_CLOSED', 'memtls: the transport is closed; records could not be sent', { call });
  const err = e.sslError ?? SSL_ERROR_SSL;
  const engine = e.engine;
  if (engine === null) {
    // A result the operation cannot use, not a failure of the engine.
    if (err === SSL_ERROR_ZERO_RETURN && call === 'SSL_do_handshake') return new MemtlsError('ERR_MEMTLS_SSL', 'memtls: the peer sent close_notify during the handshake', { call, sslError: sslErrorName(err) });
    return new MemtlsError('ERR_MEMTLS_SSL', `memtls: ${call} returned ${e.ret} (${sslErrorName(err)})`, { call });
  }
  const base = { reason: engine.reason, sslReason: engine.sslReason, sslError: sslErrorName(err), call, verifyResult: engine.verifyResult };
  if (e.code === DriverErrorCode.TRUNCATED) {
    const when = engine.initFinished || call !== 'SSL_do_handshake' ? '' : ' during the handshake';
    return new MemtlsError('ERR_MEMTLS_UNEXPECTED_EOF', `memtls: the transport ended without close_notify${when} (truncation)`, base);
  }
  const words = engine.words ?? engine.reason ?? (err === SSL_ERROR_SYSCALL ? 'connection failed earlier' : 'unknown failure');
  return new MemtlsError('ERR_MEMTLS_SSL', `memtls: ${call} failed (ret=${e.ret}, ${sslErrorName(err)}): ${words}`, base);
}
