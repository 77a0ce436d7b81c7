/**
 * The public types of `MemtlsSocket`: its options, trace events and buffer counters.
 */
import type { SslCallName } from './errors.js';
import type { SecureOptions } from './options.js';
import type { RecordInfo } from './record-tap.js';

/** What a trace callback receives: every Ssl call, every record on the wire, transport events. */
export type TraceEvent =
  | {
      /** An Ssl call returned. */
      type: 'call';
      /** The call, by OpenSSL's name. */
      call: SslCallName;
      /** What it returned. */
      ret: number;
      /** `getError(ret)` by name, e.g. 'SSL_ERROR_WANT_READ'. */
      error: string;
      /** The shutdown flags after the call, by name. */
      shutdown: string;
      /** OpenSSL's reason string when the call failed, else null. */
      reason: string | null;
    }
  | ({
      /** A record crossed the transport (see `RecordInfo`). */
      type: 'record';
    } & RecordInfo)
  | {
      /** Something happened to the transport. */
      type: 'transport';
      /** What happened: EOF read, FIN sent, reading paused or resumed, closed. */
      event: 'eof' | 'fin-sent' | 'paused' | 'resumed' | 'close';
      /** Extra words, when there are some. */
      detail?: string;
    };

export interface MemtlsSocketOptions extends SecureOptions {
  /** Server role (default: client). */
  isServer?: boolean;
  /** Client: the name for SNI and certificate identity checks (an IP literal is checked, not sent). */
  servername?: string;
  /** Client: a session saved with `getSession()` (or the `'session'` event) to resume. */
  session?: Uint8Array;
  /**
   * Client (memtls's opt-in; Node's `tls` has no 0-RTT): bytes to send as TLS 1.3 early data with the first flight
   * (RFC 8446 §4.2.10, SSL_write_early_data), when `session` allows it. After `'secureConnect'`,
   * `socket.ssl.getEarlyDataStatus()` says 'accepted', or 'rejected' / 'not_sent': then the server never got them,
   * and the application writes them again if it wants to (as with OpenSSL). Early data can be replayed by an
   * attacker: send only what is safe to repeat (RFC 8446 §8).
   */
  earlyData?: Uint8Array;
  /** Keep the writable side open after the peer's close_notify (default false, as in `tls`). */
  allowHalfOpen?: boolean;
  /** Read-BIO bound in bytes before the transport is paused (default 64 KiB; at least 32 KiB). */
  maxBufferedCiphertext?: number;
  /** The plaintext readable side's high-water mark in bytes (as for any Duplex). */
  readableHighWaterMark?: number;
  /** The plaintext writable side's high-water mark in bytes (as for any Duplex). */
  writableHighWaterMark?: number;
  /** Observe every Ssl call, record and transport event (used by `memtls -msg/-state`). */
  trace?: (ev: TraceEvent) => void;
}

/** Counters that let tests and operators check that buffers stay bounded. */
export interface BufferStats {
  /** Ciphertext waiting in the read BIO now, and the most ever seen. */
  rbioPending: number;
  /** The most ciphertext ever waiting in the read BIO. */
  maxRbioPending: number;
  /** Bytes the transport holds in its own write buffer now, and the most ever seen after our writes. */
  transportWritable: number;
  /** The most bytes the transport's write buffer ever held after our writes. */
  maxTransportWritable: number;
  /** Plaintext in this stream's readable buffer. */
  readableLength: number;
  /** True while the transport is paused because the read BIO is full. */
  transportPaused: boolean;
  /** Bytes read from the transport so far. */
  bytesIn: number;
  /** Bytes written to the transport so far. */
  bytesOut: number;
}


/** `MemtlsSocket.getCipher()`: the shape of `tls.TLSSocket.getCipher()`. */
export interface CipherInfo {
  /**
   * OpenSSL's name of the suite, as Node: 'ECDHE-RSA-AES128-GCM-SHA256' for TLS 1.2, 'TLS_AES_128_GCM_SHA256' for
   * TLS 1.3 (where OpenSSL uses the IANA name).
   */
  name: string;
  /** The IANA name, e.g. 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' or 'TLS_AES_128_GCM_SHA256'. */
  standardName: string;
  /** The negotiated protocol version, 'TLSv1.2' or 'TLSv1.3'. */
  version: string;
}

/** `MemtlsSocket.getEphemeralKeyInfo()`: the key exchange group, in `tls.TLSSocket`'s shape. */
export interface KeyExchangeInfo {
  /** 'ECDH' (x25519 and the NIST curves alike); 'TLSGroup' for the hybrid ML-KEM groups, as Node 26 reports them. */
  type: string;
  /** The group: 'x25519', 'secp256r1', 'secp384r1', 'X25519MLKEM768' or 'SecP256r1MLKEM768'. */
  name: string;
}
