/**
 * The one internal exception class of the core. Parsing and handshake code throw it; the engine catches it
 * at a single boundary and turns it into the sticky failure plus the alert to send (first error wins).
 * API misuse is not an SslError: it is a TypeError/RangeError thrown synchronously by the facade.
 */
import { type AlertDescription, alertFromWire } from './alerts.js';
import { type ReasonCode, Reasons, receivedAlertText } from './reasons.js';

/** Who caused a failure: 'peer' (what it sent) or 'local' (our side). */
export type ErrorOrigin = 'peer' | 'local';

/** A TLS failure with its reason code: the engine turns it into `errorReason()` and the alert it sends. */
export class SslError extends Error {
  /** The reason code (see `Reasons` and docs/errors.md). */
  readonly reason: ReasonCode;
  /** The alert memtls sends for this failure, or null for none: a function of the reason (`Reasons`). */
  readonly alert: AlertDescription | null;
  /** For PEER_ALERT: the alert that was received. */
  readonly receivedAlert: AlertDescription | null;
  /** 'peer' for what the peer sent or did, 'local' for a local condition. */
  readonly origin: ErrorOrigin;
  /** Extra words for logs and `errorDetail()`: never secrets. */
  readonly detail: string | undefined;

  constructor(
    reason: ReasonCode,
    opts: { detail?: string; receivedAlert?: number; origin?: ErrorOrigin } = {},
  ) {
    const text = reason === 'PEER_ALERT' && opts.receivedAlert !== undefined ? receivedAlertText(opts.receivedAlert) : Reasons[reason].text;
    super(opts.detail ? `${text}: ${opts.detail}` : text);
    this.name = 'SslError';
    this.reason = reason;
    this.alert = Reasons[reason].alert;
    this.receivedAlert = opts.receivedAlert === undefined ? null : alertFromWire(opts.receivedAlert);
    this.origin = opts.origin ?? 'peer';
    this.detail = opts.detail;
  }

  /** OpenSSL's reason string (what `Ssl.errorReason()` returns). */
  get reasonText(): string {
    return this.reason === 'PEER_ALERT' && this.receivedAlert !== null ? receivedAlertText(this.receivedAlert) : Reasons[this.reason].text;
  }

  /** A BAD_PACKET (decode_error) failure with words for logs. */
  static decode(detail: string): SslError {
    return new SslError('BAD_PACKET', { detail });
  }
}
