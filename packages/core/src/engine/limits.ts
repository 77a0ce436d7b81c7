/**
 * The flood counters of one connection, against the limits of `config.limits` (docs/robustness.md). Each guards
 * a way a peer could keep us busy without progress:
 * - runs of records without application data: empty records, the compatibility CCS, user_canceled warnings
 *   (maxEmptyRecords), KeyUpdates (maxKeyUpdates), NewSessionTickets (maxTickets) and post-handshake
 *   CertificateRequests (maxCertRequests: each answer costs the client a signature); application data ends a run;
 * - handshake bytes before the handshake completes (maxHandshakeBytes);
 * - rejected early data a server skips (RFC 8446 §4.2.10), at most MAX_REJECTED_EARLY_DATA bytes.
 */
import { SslError } from '../errors/ssl-error.js';
import type { Limits } from './config.js';

/**
 * Bytes of rejected early data (whole records, headers included) a server skips (RFC 8446 §4.2.10): 16 KiB,
 * OpenSSL's default max_early_data, plus 512 bytes for record headers, AEAD tags and padding.
 */
export const MAX_REJECTED_EARLY_DATA = (1 << 14) + 512;

export class FloodCounters {
  private readonly limits: Limits;
  private emptyRun = 0;
  private keyUpdateRun = 0;
  private ticketRun = 0;
  private certRequestRun = 0;
  private handshakeBytes = 0;
  private earlyDataSkipped = 0;

  constructor(limits: Limits) {
    this.limits = limits;
  }

  /** A record that carried nothing for the application (empty data, CCS, user_canceled). */
  empty(): void {
    if (++this.emptyRun > this.limits.maxEmptyRecords) throw new SslError('TOO_MANY_EMPTY_RECORDS');
  }

  /** Application data arrived: every run ends. */
  progress(): void {
    this.emptyRun = 0;
    this.keyUpdateRun = 0;
    this.ticketRun = 0;
    this.certRequestRun = 0;
  }

  /** A NewSessionTicket from the peer (client). */
  ticket(): void {
    if (++this.ticketRun > this.limits.maxTickets) throw new SslError('TOO_MANY_TICKETS');
  }

  /** A post-handshake CertificateRequest from the peer (client, RFC 8446 §4.6.2). */
  certRequest(): void {
    if (++this.certRequestRun > this.limits.maxCertRequests) throw new SslError('TOO_MANY_CERT_REQUESTS');
  }

  /** A KeyUpdate from the peer. */
  keyUpdate(): void {
    if (++this.keyUpdateRun > this.limits.maxKeyUpdates) throw new SslError('TOO_MANY_KEY_UPDATES');
  }

  /** `n` bytes of handshake records before the handshake completed. */
  handshake(n: number): void {
    this.handshakeBytes += n;
    if (this.handshakeBytes > this.limits.maxHandshakeBytes) throw new SslError('HANDSHAKE_TOO_LARGE', { detail: `more than ${this.limits.maxHandshakeBytes} handshake bytes` });
  }

  /** One record of rejected early data skipped: `n` bytes, header included. */
  earlyData(n: number): void {
    this.earlyDataSkipped += n;
    if (this.earlyDataSkipped > MAX_REJECTED_EARLY_DATA) throw new SslError('TOO_MUCH_EARLY_DATA', { detail: `more than ${MAX_REJECTED_EARLY_DATA} bytes of rejected early data` });
  }
}
