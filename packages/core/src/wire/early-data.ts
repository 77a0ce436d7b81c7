/**
 * The early_data extension of a NewSessionTicket (RFC 8446 §4.2.10): a uint32 max_early_data_size, the most 0-RTT
 * bytes the server accepts with the ticket; the empty early_data of ClientHello and EncryptedExtensions; EndOfEarlyData
 * (RFC 8446 §4.5). Encoding only.
 */
import { SslError } from '../errors/ssl-error.js';
import { ExtensionType, HandshakeType } from './enums.js';
import { type Extension, findExtension } from './extensions.js';
import { frameHandshake } from './handshake.js';

/** The max_early_data_size of a NewSessionTicket's extensions (0 without early_data); a body of another length is
 * a decode_error. */
export function parseTicketMaxEarlyData(extensions: readonly Extension[]): number {
  const early = findExtension(extensions, ExtensionType.EARLY_DATA);
  if (!early) return 0;
  if (early.length !== 4) throw SslError.decode('early_data in NewSessionTicket is not a uint32');
  return new DataView(early.buffer, early.byteOffset, 4).getUint32(0);
}

/** The early_data extension of a NewSessionTicket allowing `maxEarlyData` bytes. */
export function ticketEarlyDataExtension(maxEarlyData: number): Extension {
  const data = new Uint8Array(4);
  new DataView(data.buffer).setUint32(0, maxEarlyData);
  return { type: ExtensionType.EARLY_DATA, data };
}

/** The empty early_data extension of a ClientHello (early data follows) or of EncryptedExtensions (accepted). */
export function emptyEarlyDataExtension(): Extension {
  return { type: ExtensionType.EARLY_DATA, data: new Uint8Array(0) };
}

/** EndOfEarlyData (RFC 8446 §4.5): an empty handshake message. */
export function encodeEndOfEarlyData(): Uint8Array {
  return frameHandshake(HandshakeType.END_OF_EARLY_DATA, new Uint8Array(0));
}
