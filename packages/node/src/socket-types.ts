/**
 * The public types of `MemtlsSocket`: its options, trace events and buffer counters.
 */
import type { SslCallName } from './errors.js';
import type { SecureOptions } from './options.js';
import type { RecordInfo } from './record-tap.js';

/** What a trace callback receives: every Ssl call, every record on the wire, transport events. */
export type TraceEvent =
  | { type: 'call'; call: SslCallName; ret: number; error: string; shutdown: string; reason: string | null }
  | ({ type: 'record' } & RecordInfo)
  | { type: 'transport'; event: 'eof' | 'fin-sent' | 'paused' | 'resumed' | 'close'; detail?: string };

export interface MemtlsSocketOptions extends SecureOptions {
  /** Server role (default: client). */
  isServer?: boolean;
  /** Client: the name for SNI and certificate identity checks (an IP literal is checked, not sent). */
  servername?: string;
  /** Client: a session saved with `getSession()` (or the `'session'` event) to resume. */
  session?: Uint8Array;
  /** Keep the writable side open after the peer's close_notify (default false, as in `tls`). */
  allowHalfOpen?: boolean;
  /** Read-BIO bound in bytes before the transport is paused (default 64 KiB; at least 32 KiB). */
  maxBufferedCiphertext?: number;
  readableHighWaterMark?: number;
  writableHighWaterMark?: number;
  /** Observe every Ssl call, record and transport event (used by `memtls -msg/-state`). */
  trace?: (ev: TraceEvent) => void;
}

/** Counters that let tests and operators check that buffers stay bounded. */
export interface BufferStats {
  /** Ciphertext waiting in the read BIO now, and the most ever seen. */
  rbioPending: number;
  maxRbioPending: number;
  /** Bytes the transport holds in its own write buffer now, and the most ever seen after our writes. */
  transportWritable: number;
  maxTransportWritable: number;
  /** Plaintext in this stream's readable buffer. */
  readableLength: number;
  transportPaused: boolean;
  bytesIn: number;
  bytesOut: number;
}

