/**
 * The driver's output side: handing the write BIO to the transport after each Ssl call, the `writePiece`
 * option, and the engine failure a call reports.
 *
 * Rules
 * - Output leaves in the order the engine produced it, all of it after every call (the write BIO is empty after).
 * - Zero-copy by default: the BIO's own chunks (views it never overwrites). Several chunks go as one
 *   `transport.writev` when the transport has it (one socket write per flight), else one `write` each.
 * - `coalesceWrites`: one copied chunk per call instead (a WebSocket sends each write as one message).
 */
import type { MemoryBio } from '../bio/memory-bio.js';
import type { Ssl } from '../ssl.js';
import type { EngineFailure } from './errors.js';
import type { DriverTransport } from './transport.js';

/** Plaintext sealed per SSL_write by default: one record, so the write BIO never holds more than that per call. */
const WRITE_PIECE = 16 * 1024;
/** The largest `writePiece` accepted. */
const MAX_WRITE_PIECE = 1024 * 1024;

/** Move everything in `wbio` to the transport (see the module rules). */
export function flushOutput(wbio: MemoryBio, t: DriverTransport, coalesce: boolean): void {
  if (coalesce) {
    const n = wbio.pending();
    if (n === 0) return;
    const bytes = new Uint8Array(n);
    wbio.read(bytes);
    t.write(bytes);
    return;
  }
  const first = wbio.readView();
  if (first === null) return;
  const second = wbio.readView();
  if (second === null) {
    t.write(first);
    return;
  }
  if (t.writev) {
    const chunks = [first, second];
    for (let v = wbio.readView(); v !== null; v = wbio.readView()) chunks.push(v);
    t.writev(chunks);
    return;
  }
  t.write(first);
  t.write(second);
  for (let v = wbio.readView(); v !== null; v = wbio.readView()) t.write(v);
}

/**
 * The `writePiece` option, checked.
 * @throws {TypeError} when it is not a number; {RangeError} when not an integer from 1 to 1048576.
 */
export function checkWritePiece(n: unknown): number {
  if (n === undefined) return WRITE_PIECE;
  if (typeof n !== 'number') throw new TypeError('Driver: writePiece must be a number');
  if (!Number.isInteger(n) || n < 1 || n > MAX_WRITE_PIECE) throw new RangeError(`Driver: writePiece must be an integer from 1 to ${MAX_WRITE_PIECE}, got ${n}`);
  return n;
}

/** What a failed call leaves in `ssl`: reason, OpenSSL words, a failed verification. */
export function engineFailure(ssl: Ssl): EngineFailure {
  const detail = ssl.lastErrorDetail();
  const verify = ssl.verifyResult();
  return {
    reason: ssl.errorReason(),
    sslReason: detail ? detail.reason : null,
    words: detail ? detail.message : null,
    // Only a verification that ran and failed is worth reporting (X509_V_ERR_NOT_VERIFIED: it never ran).
    verifyResult: verify !== 'X509_V_OK' && verify !== 'X509_V_ERR_NOT_VERIFIED' ? verify : null,
    initFinished: ssl.isInitFinished(),
  };
}
