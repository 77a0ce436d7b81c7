/**
 * 0-RTT early data for `MemtlsSocket` (RFC 8446 §4.2.10), memtls's opt-in (Node's `tls` has none): a client's
 * `earlyData` option is written with the first flight; a server whose context accepts early data
 * (`maxEarlyData`) reads it before finishing the handshake, pushes it to the readable side and tells each chunk by
 * the `'earlyData'` event. See docs/early-data.md.
 */
import type { Duplex } from 'node:stream';
import type { DriverEarlyData, Ssl } from '@memtls/core';

/** What the socket's handshake does about early data (undefined: nothing). Throws TypeError on a bad option. */
export function earlyDataPlan(opts: { isServer?: boolean; earlyData?: unknown }, ssl: Ssl, sock: Duplex): DriverEarlyData | undefined {
  if (opts.isServer === true) {
    if (ssl.ctx.getMaxEarlyData() === 0) return undefined;
    return {
      read: (chunk) => {
        const b = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
        sock.emit('earlyData', b);
        sock.push(b);
      },
    };
  }
  const data = opts.earlyData;
  if (data === undefined) return undefined;
  if (!(data instanceof Uint8Array)) throw new TypeError('The "options.earlyData" property must be a Buffer or Uint8Array');
  if (data.length === 0) return undefined;
  return { write: new Uint8Array(data) };
}
