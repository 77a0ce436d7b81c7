/**
 * The abstract byte transport a `Driver` runs over, and the driver's options. The adapter owns the real
 * transport (a Node `Duplex`, a web streams pair, a WebSocket) and its backpressure; the driver only asks:
 * - `write(bytes)`: take these bytes, in order (the driver never writes again before it returns);
 * - `writev(chunks)` (optional): take several chunks at once, in order (one socket write for a whole flight);
 * - `drained(op)`: a promise when the operation must wait before going on (backpressure), else undefined;
 * - `requestInput()`: (pull sources) read one more chunk, then hand it to `Driver.receive` / `receiveEof`.
 * Push sources (Node's 'data' events) call `Driver.receive` whenever bytes arrive and leave it out.
 * Closing the transport is the adapter's act, after the driver's `shutdown()` or failure (see driver.ts).
 */
import type { CallOutcome } from './errors.js';

/** What the driver needs from a transport. */
export interface DriverTransport {
  /** Take outgoing ciphertext, in order. A transport that cannot deliver reports it with `Driver.outputFailed`. */
  write(bytes: Uint8Array): void;
  /**
   * Optional gather write: the output of one Ssl call when it is more than one chunk (a handshake flight, the
   * records of one `writePiece`), in order, as one transport write (e.g. a socket's writev). Without it each
   * chunk goes to `write`. The chunks are views the driver never reuses.
   */
  writev?(chunks: Uint8Array[]): void;
  /**
   * Backpressure: a promise that resolves once the transport wants more, when it asked the `op` to wait;
   * undefined (no promise made) when it did not. Asked after handshake, write and shutdown calls, never
   * after a read (reading must go on while writes are stalled, or two peers that both write more than the
   * transport buffers would wait for each other forever). A transport may hold only some operations back
   * (a Node socket holds only application writes; a stream writer holds every one).
   */
  drained(op: 'handshake' | 'write' | 'shutdown'): Promise<void> | undefined;
  /**
   * Pull sources: called when a call needs bytes and none arrived since it started. Read one chunk (one read
   * shared by concurrent requests) and give it to `receive`, or call `receiveEof` at its end (`receiveError` when it failed).
   */
  requestInput?(): void;
}

/** Options of `new Driver(ssl, transport, options)`. */
export interface DriverOptions {
  /**
   * Hand the write BIO to the transport as one copied chunk per call (a WebSocket sends each write as one
   * message) instead of the BIO's own chunks, zero-copy (default false).
   */
  coalesceWrites?: boolean;
  /**
   * Plaintext bytes sealed per SSL_write (default 16384, one record): after each piece the driver asks the
   * transport whether to wait (`drained`). A larger piece (e.g. 65536) seals several records per call and
   * hands them over together; the write BIO then holds up to about that much per call.
   * An integer from 1 to 1048576, else a RangeError (a TypeError if not a number).
   */
  writePiece?: number;
  /** After each Ssl call, once its output went to the transport (tracing, resuming a paused source). */
  onCall?(outcome: CallOutcome): void;
  /** A read found no complete record (WANT_READ): post-handshake messages (tickets) may have been processed. */
  onReadIdle?(): void;
  /** The peer's close_notify was read, before the driver completes a shutdown it started. */
  onPeerClose?(): void;
}

/** 0-RTT early data around the handshake (RFC 8446 §4.2.10; `Driver.handshake`): one of the two, by role. */
export interface DriverEarlyData {
  /** Client: early data to send with the first flight (SSL_write_early_data). */
  write?: Uint8Array;
  /** Server: read early data (SSL_read_early_data) and hand each chunk to this, in order. */
  read?: (chunk: Uint8Array) => void;
}
