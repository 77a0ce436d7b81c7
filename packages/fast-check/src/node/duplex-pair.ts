/**
 * Two connected in-memory Duplex ends (as `stream.duplexPair()` of Node 22): what one end writes the other reads,
 * `end()` on one is EOF on the other, and destroying one ends the other (as a closed TCP connection does).
 */
import { Duplex } from 'node:stream';

class End extends Duplex {
  peer: End | null = null;
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    if (this.peer && !this.peer.destroyed) this.peer.push(Buffer.from(chunk));
    cb();
  }
  override _final(cb: (e?: Error | null) => void): void {
    if (this.peer && !this.peer.destroyed) this.peer.push(null);
    cb();
  }
  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    const p = this.peer;
    this.peer = null;
    if (p && !p.destroyed) {
      p.peer = null;
      if (!p.readableEnded) p.push(null);
      p.destroy();
    }
    cb(err);
  }
}

/** Two connected in-memory Duplex ends: `[a, b]`. */
export function memoryDuplexPair(): [Duplex, Duplex] {
  const a = new End({ allowHalfOpen: true });
  const b = new End({ allowHalfOpen: true });
  a.peer = b;
  b.peer = a;
  return [a, b];
}
