/**
 * An in-memory byte transport pair (a socketpair of web streams): what one end writes, the other reads.
 * For tests, demos and same-page or worker setups. Each direction is an identity `TransformStream` whose
 * queues hold about `highWaterMark` bytes before the writer sees backpressure. Closing an end's writable
 * ends the other end's readable (a FIN); cancelling a readable errors the writer on the other side.
 */
import type { ByteTransport } from './tls-streams.js';

/**
 * @param highWaterMark bytes each direction buffers before backpressure (default 64 KiB).
 * @returns two connected transports.
 * @throws {RangeError} if `highWaterMark` is not a positive integer.
 * @example
 * const [clientSide, serverSide] = memoryTransportPair();
 */
export function memoryTransportPair(highWaterMark = 64 * 1024): [ByteTransport, ByteTransport] {
  if (!Number.isSafeInteger(highWaterMark) || highWaterMark < 1) throw new RangeError('memoryTransportPair: highWaterMark must be a positive integer');
  const strategy = { highWaterMark, size: (chunk: Uint8Array) => chunk.byteLength };
  const aToB = new TransformStream<Uint8Array, Uint8Array>({}, strategy, strategy);
  const bToA = new TransformStream<Uint8Array, Uint8Array>({}, strategy, strategy);
  return [
    { readable: bToA.readable, writable: aToB.writable },
    { readable: aToB.readable, writable: bToA.writable },
  ];
}
