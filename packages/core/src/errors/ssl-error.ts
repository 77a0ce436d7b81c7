/**
 * The one internal exception class of the core. Parsing and handshake code throw it; the engine catches it
 * at a single boundary and turns it into the sticky failure plus the alert to send (first error wins).
 * API misuse is not an SslError: it is a TypeError/RangeError thrown synchronously by the facade.
 */
import { type ReasonCode, Reasons, receivedAlertText } from './reasons.js';

export type ErrorOrigin = 'peer' | 'local';

export class SslError extends Error {
  readonly reason: ReasonCode;
  /** The alert memtls sends for this failure, or null for none. */
  readonly alert: number | null;
  /** For PEER_ALERT: the alert that was received. */
  readonly receivedAlert: number | null;
  readonly origin: ErrorOrigin;
  /** Extra words for logs and `errorDetail()`: never secrets. */
  readonly detail: string | undefined;

  constructor(
    reason: ReasonCode,
    opts: { detail?: string; alert?: number | null; receivedAlert?: number; origin?: ErrorOrigin } = {},
  ) {
    const text = reason === 'PEER_ALERT' && opts.receivedAlert !== undefined ? receivedAlertText(opts.receivedAlert) : Reasons[reason].text;
    super(opts.detail ? `${text}: ${opts.detail}` : text);
    this.name = 'SslError';
    this.reason = reason;
    this.alert = opts.alert !== undefined ? opts.alert : Reasons[reason].alert;
    this.receivedAlert = opts.receivedAlert ?? null;
    this.origin = opts.origin ?? 'peer';
    this.detail = opts.detail;
  }

  /** OpenSSL's reason string (what `Ssl.errorReason()` returns). */
  get reasonText(): string {
    return this.reason === 'PEER_ALERT' && this.receivedAlert !== null ? receivedAlertText(this.receivedAlert) : Reasons[this.reason].text;
  }

  static decode(detail: string): SslError {
    return new SslError('BAD_PACKET', { detail });
  }
}
