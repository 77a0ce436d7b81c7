/**
 * The fragmenter: plaintext framing for the records we send. Handshake messages are coalesced and cut into
 * fragments of at most `maxFragment` bytes (RFC 8446 §5.1: a message may span records, records may carry several
 * messages); application data is cut the same way. Unprotected records (before keys, and the middlebox
 * compatibility CCS) are framed here; protected ones are sealed by the record protection (record/tls13.ts).
 */
import { concat } from '../wire/bytes.js';
import { MAX_PLAINTEXT } from './tls13.js';

/** The TLS record header: type, legacy version, length. */
export const RECORD_HEADER_LENGTH = 5;

/** An unprotected record: header (type, legacy_record_version, length) then the payload. */
export function plainRecord(type: number, payload: Uint8Array, legacyVersion = 0x0303): Uint8Array {
  const rec = new Uint8Array(RECORD_HEADER_LENGTH + payload.length);
  rec[0] = type;
  rec[1] = legacyVersion >> 8;
  rec[2] = legacyVersion & 0xff;
  rec[3] = payload.length >> 8;
  rec[4] = payload.length & 0xff;
  rec.set(payload, RECORD_HEADER_LENGTH);
  return rec;
}

export class Fragmenter {
  /** SSL_set_max_send_fragment: the most plaintext one record we send carries (handshake and application data). */
  maxFragment = MAX_PLAINTEXT;
  /**
   * RFC 8449, once negotiated: the most content one protected record may carry under the peer's
   * record_size_limit (in TLS 1.3 the limit less the content type byte). Unprotected records are not subject to it.
   */
  peerLimit: number | null = null;

  /** The fragment size of protected records: the send fragment size within the peer's record_size_limit. */
  get protectedFragment(): number {
    return this.peerLimit === null ? this.maxFragment : Math.min(this.maxFragment, this.peerLimit);
  }

  /** Coalesce handshake messages into one stream and cut it into record fragments (views into one buffer);
   * `protectedRecords`: they will be sealed, so the peer's record_size_limit applies. */
  handshakeFragments(messages: readonly Uint8Array[], protectedRecords: boolean): Uint8Array[] {
    const all = concat(...messages);
    const step = protectedRecords ? this.protectedFragment : this.maxFragment;
    const frags: Uint8Array[] = [];
    for (let i = 0; i < all.length; i += step) frags.push(all.subarray(i, Math.min(all.length, i + step)));
    return frags;
  }

  /** Application data `data[from, end)` cut into at most `count` record fragments (views into `data`). */
  appFragments(data: Uint8Array, from: number, end: number, count: number): Uint8Array[] {
    const frag = this.protectedFragment;
    const chunks: Uint8Array[] = [];
    for (let o = from; chunks.length < count && o < end; o += frag) chunks.push(data.subarray(o, Math.min(end, o + frag)));
    return chunks;
  }
}
