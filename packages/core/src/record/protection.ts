/**
 * What the record layer asks of record protection, whatever the version: TLS 1.3 (record/tls13.ts) and TLS 1.2
 * (record/tls12.ts) implement it. Sequence numbers are taken synchronously, before the first await.
 */

/** An opened record: its real content type and its content. */
export interface OpenedRecord {
  type: number;
  content: Uint8Array;
}

export interface RecordProtector {
  /** The sequence number of the next record. */
  readonly sequence: number;
  /** True when the AEAD key seals and opens synchronously (`sealSync`, `openSyncAt`: the provider's sealSync/openSync). */
  readonly synchronous: boolean;
  /** `seal`, computed synchronously; only when `synchronous` (throws TypeError otherwise). */
  sealSync(type: number, plaintext: Uint8Array, padding?: number): Uint8Array;
  /** `openAt`, computed synchronously, taking no sequence number; only when `synchronous`. */
  openSyncAt(seq: number, header: Uint8Array, body: Uint8Array): Uint8Array | null;
  /** Seal one record of content type `type`: returns header || protected body. `padding` is TLS 1.3's only. */
  seal(type: number, plaintext: Uint8Array, padding?: number): Promise<Uint8Array>;
  /** Open one record (its header as received, its body); throws SslError (bad_record_mac, record_overflow, ...). */
  open(header: Uint8Array, body: Uint8Array): Promise<OpenedRecord>;
  /** Start opening the record that will have sequence number `seq`, without taking it (speculation). */
  openAt(seq: number, header: Uint8Array, body: Uint8Array): Promise<Uint8Array | null>;
  /** Take sequence number `seq` for a record started with `openAt`; false if it is not the next one. */
  adopt(seq: number): boolean;
  /** What `openAt` resolved to, checked as `open` checks it (throws on a failed authentication). */
  finishOpen(raw: Uint8Array | null, header: Uint8Array): OpenedRecord;
  /** Open a record that may not be protected with this key: null (and no sequence number taken) if it does not
   * authenticate. */
  openIfAuthentic(header: Uint8Array, body: Uint8Array): Promise<OpenedRecord | null>;
}
