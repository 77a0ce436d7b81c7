/**
 * The early_data extension of a NewSessionTicket (RFC 8446 §4.2.10): a uint32 max_early_data_size, the most 0-RTT
 * bytes the server accepts with the ticket. Encoding only.
 */
import { SslError } from '../errors/ssl-error.js';
import { ExtensionType } from './enums.js';
import { type Extension, findExtension } from './extensions.js';

/** The max_early_data_size of a NewSessionTicket's extensions (0 without early_data); a body of another length is
 * a decode_error. */
export function parseTicketMaxEarlyData(extensions: readonly Extension[]): number {
  const early = findExtension(extensions, ExtensionType.EARLY_DATA);
  if (!early) return 0;
  if (early.length !== 4) throw SslError.decode('early_data in NewSessionTicket is not a uint32');
  return new DataView(early.buffer, early.byteOffset, 4).getUint32(0);
}
