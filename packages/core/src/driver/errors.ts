/**
 * The one error taxonomy of the transport driver. Every adapter (the Node Duplex, the web streams, the
 * WebSocket) reports a `DriverError` in its own class, mapping its `code`:
 *
 * | code | condition |
 * | --- | --- |
 * | `ERR_MEMTLS_TRUNCATED` | the transport ended without the peer's close_notify (OpenSSL's "unexpected eof while reading"), during or after the handshake |
 * | `ERR_MEMTLS_SSL` | any other TLS failure: the engine's reason, words and verification result are kept |
 * | `ERR_MEMTLS_TRANSPORT` | the transport failed: it refused outgoing bytes, or its input ended with an error (`cause`) |
 * | `ERR_MEMTLS_ABORTED` | the connection was torn down locally (`Driver.abort()`) |
 *
 * `@memtls/node` names the truncation `ERR_MEMTLS_UNEXPECTED_EOF` (its historical code; the same condition).
 */
import { SSL_ERROR_SSL } from '../constants.js';

/** The stable codes of the driver's taxonomy. */
export const DriverErrorCode = {
  /** The transport ended without the peer's close_notify. */
  TRUNCATED: 'ERR_MEMTLS_TRUNCATED',
  /** Any other TLS failure. */
  SSL: 'ERR_MEMTLS_SSL',
  /** The transport failed (outgoing bytes refused, or input ended with an error). */
  TRANSPORT: 'ERR_MEMTLS_TRANSPORT',
  /** Torn down locally. */
  ABORTED: 'ERR_MEMTLS_ABORTED',
} as const;
/** One of `DriverErrorCode`'s values. */
export type DriverErrorCode = (typeof DriverErrorCode)[keyof typeof DriverErrorCode];

/** The `Ssl` call a failure came from, named as OpenSSL names it. */
export type DriverCall = 'SSL_do_handshake' | 'SSL_read' | 'SSL_write' | 'SSL_shutdown' | 'SSL_write_early_data' | 'SSL_read_early_data';

/** Which driver operation detected a failure. */
export type DriverPhase = 'handshake' | 'read' | 'write' | 'shutdown' | 'transport';

/**
 * What one `Ssl` call ended with, captured before any other call could start: `getError` and the error
 * details describe the most recent call only (OpenSSL's error queue).
 */
export interface CallOutcome {
  /** The call. */
  readonly call: DriverCall;
  /** What it returned. */
  readonly ret: number;
  /** `getError(ret)` (SSL_ERROR_NONE when ret > 0). */
  readonly err: number;
  /** Neither success, a retry code nor ZERO_RETURN: the engine's account of the failure. */
  readonly failure: EngineFailure | null;
}

/** The engine's account of a failed call. */
export interface EngineFailure {
  /** `Ssl.errorReason()`: OpenSSL's words (e.g. "unexpected eof while reading"), or null. */
  readonly reason: string | null;
  /** The reason code of `Ssl.lastErrorDetail()` (e.g. 'UNEXPECTED_EOF_WHILE_READING'), or null. */
  readonly sslReason: string | null;
  /** The message of `Ssl.lastErrorDetail()` (the engine's words in full), or null. */
  readonly words: string | null;
  /** `Ssl.verifyResult()` when a verification ran and failed (an X509_V_ERR_* name), else null. */
  readonly verifyResult: string | null;
  /** `Ssl.isInitFinished()` when the call ended. */
  readonly initFinished: boolean;
}

/** Details of a `DriverError`. */
export interface DriverErrorDetails {
  /** The Ssl call that failed, when one did. */
  call?: DriverCall | null;
  /** Its return value. */
  ret?: number | null;
  /** Its `getError` (an SSL_ERROR_* value), when a call failed. */
  sslError?: number | null;
  /** The engine's account, when a call failed. */
  engine?: EngineFailure | null;
  /** The transport failed on its input side ('in') or refused our bytes ('out'). */
  side?: 'in' | 'out' | null;
  /** What the transport (or the caller of abort) reported. */
  cause?: unknown;
}

/** A driver failure: sticky, the first one is reported by every later operation. Holds no secret. */
export class DriverError extends Error {
  /** The stable code. */
  readonly code: DriverErrorCode;
  /** The operation that detected it. */
  readonly phase: DriverPhase;
  /** The Ssl call that failed, or null. */
  readonly call: DriverCall | null;
  /** The call's return value, or null. */
  readonly ret: number | null;
  /** The call's SSL_ERROR_* value, or null. */
  readonly sslError: number | null;
  /** The engine's account of the failed call, or null. */
  readonly engine: EngineFailure | null;
  /** For ERR_MEMTLS_TRANSPORT: which side of the transport failed. */
  readonly side: 'in' | 'out' | null;
  /** What the transport or the aborting caller reported (undefined when nothing). */
  readonly transportCause: unknown;

  constructor(code: DriverErrorCode, phase: DriverPhase, message: string, details: DriverErrorDetails = {}) {
    super(message);
    this.name = 'DriverError';
    this.code = code;
    this.phase = phase;
    this.call = details.call ?? null;
    this.ret = details.ret ?? null;
    this.sslError = details.sslError ?? null;
    this.engine = details.engine ?? null;
    this.side = details.side ?? null;
    this.transportCause = details.cause;
  }
}

/**
 * The error for a call that did not succeed (`failure` set, or a result the operation cannot use, such as
 * ZERO_RETURN during the handshake). `inputCause` is set when the transport's input ended with an error:
 * the engine then reports an EOF, which is the transport's failure, not a truncation.
 */
export function errorFromOutcome(o: CallOutcome, phase: DriverPhase, inputCause: { cause: unknown } | null): DriverError {
  const engine = o.failure;
  const details = { call: o.call, ret: o.ret, sslError: o.err, engine };
  const eof = engine !== null && o.err === SSL_ERROR_SSL && engine.sslReason === 'UNEXPECTED_EOF_WHILE_READING';
  if (eof && inputCause) {
    return new DriverError(DriverErrorCode.TRANSPORT, phase, `${phase}: the transport failed`, { ...details, side: 'in', cause: inputCause.cause });
  }
  if (eof) return new DriverError(DriverErrorCode.TRUNCATED, phase, `${phase}: the transport ended without close_notify (unexpected eof while reading)`, details);
  const words = engine?.words ?? engine?.reason ?? `${o.call} returned ${o.ret} (SSL_ERROR ${o.err})`;
  return new DriverError(DriverErrorCode.SSL, phase, `${phase}: ${words}`, details);
}
