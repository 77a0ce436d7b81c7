/**
 * 0-RTT early data (RFC 8446 §4.2.10), what both roles share: the connection's early-data state (the engine holds
 * one, the handshake states and the facade's readEarlyData/writeEarlyData steps update it); the client early traffic
 * secret is in early-secret.ts. docs/early-data.md describes the whole feature.
 *
 * Rules:
 * - Early data exists only with a resumption PSK offered first whose ticket allowed it (max_early_data_size > 0),
 *   in the first ClientHello, under client_early_traffic_secret of that PSK's suite.
 * - The status is OpenSSL's SSL_get_early_data_status: 'not_sent' until the client offers early data (or the
 *   server sees the offer), then 'rejected' until the server's EncryptedExtensions accept it ('accepted').
 * - Server: accepted early data is application data read under the early key until EndOfEarlyData, at most
 *   `limit` bytes (more is unexpected_message, RFC 8446 §4.2.10); it goes to the plaintext buffer, in order, so
 *   that readEarlyData (or read() after the handshake) returns it.
 */
import { SslError } from '../errors/ssl-error.js';

/** OpenSSL's SSL_EARLY_DATA_NOT_SENT / _REJECTED / _ACCEPTED. */
export type EarlyDataStatus = 'not_sent' | 'rejected' | 'accepted';

/** The early-data state of one connection (either role). */
export class EarlyData {
  status: EarlyDataStatus = 'not_sent';
  /** Client: the application called writeEarlyData before the handshake started (offer early data). Server: it
   * called readEarlyData first (accept early data, as OpenSSL accepts it only inside SSL_read_early_data). */
  wanted = false;
  /** Client: the bytes the offered session allows (its ticket's max_early_data_size), set with the ClientHello. */
  allowance = 0;
  /** Client: application data may be sealed under the early key now (from the ClientHello until the server's
   * answer rejects it, or until EndOfEarlyData). */
  writing = false;
  /** Client: early data bytes written so far. */
  sent = 0;
  /** Server: early data is being read (accepted, EndOfEarlyData not yet received). */
  reading = false;
  /** Server: the most early data accepted (ContextOptions.maxEarlyData). */
  limit = 0;
  /** Server: early data bytes received so far. */
  received = 0;
  /** Server: readEarlyData returned FINISH (0). */
  finished = false;

  /** Server: count one record of accepted early data; more than `limit` bytes is unexpected_message. */
  count(n: number): void {
    this.received += n;
    if (this.received > this.limit) throw new SslError('TOO_MUCH_EARLY_DATA', { detail: `more than max_early_data_size (${this.limit}) bytes of early data` });
  }
}
