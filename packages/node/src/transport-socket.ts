/**
 * `TransportSocket`: the `net.Socket` conveniences of a `Duplex` that runs over another `Duplex` (the
 * transport): address getters and socket options passed to the transport when it has them, and the idle
 * timeout. `MemtlsSocket` extends it (socket.ts stays about TLS and the stream machinery).
 *
 * Rules
 * - A member the transport lacks is a no-op (setters) or undefined / `{}` (getters), as http expects.
 * - The idle timer counts transport traffic in both directions (`touch()` after each), as net.Socket does.
 * - Backpressure: after the transport's `write()` asked to wait (`writableNeedDrain`), writers wait for its
 *   'drain' (or for either side to close).
 * - Several chunks of ciphertext at once (a handshake flight, the records of one write piece) go to the
 *   transport corked, so a `net.Socket` sends them with one writev.
 * - On destroy, what was written (a close_notify, a fatal alert) may be flushed first: the transport is
 *   ended and destroyed once finished, or after a grace period.
 */
import net from 'node:net';
import { Duplex, type DuplexOptions } from 'node:stream';

/** How long a cleanly closed socket waits for the transport to flush before destroying it. */
const FLUSH_GRACE_MS = 2000;

/**
 * The chunks of a `_writev` as few buffers as possible of at least `piece` bytes each (the last may be shorter):
 * runs of small chunks are concatenated (copied), a chunk of `piece` bytes or more goes as it is.
 */
export function gatherChunks(chunks: readonly { chunk: Buffer }[], piece: number): Buffer[] {
  const out: Buffer[] = [];
  let run: Buffer[] = [];
  let runBytes = 0;
  const close = (): void => {
    if (run.length === 1) out.push(run[0] as Buffer);
    else if (run.length > 1) out.push(Buffer.concat(run, runBytes));
    run = [];
    runBytes = 0;
  };
  for (const { chunk } of chunks) {
    if (chunk.length >= piece) {
      close();
      out.push(chunk);
      continue;
    }
    run.push(chunk);
    runBytes += chunk.length;
    if (runBytes >= piece) close();
  }
  close();
  return out;
}

/** A `Duplex` over a transport `Duplex`, with net.Socket's conveniences delegated to the transport. */
export class TransportSocket extends Duplex {
  /** The transport the records travel on. */
  readonly transport: Duplex;
  /**
   * @internal The transport is a plain `net.Socket`: each 'data' chunk is a fresh Buffer over its own read (Node
   * never reuses it), so it can be kept without a copy.
   */
  protected readonly freshChunks: boolean;
  #idleMs = 0;
  #idleTimer: NodeJS.Timeout | null = null;

  /**
   * @param transport the transport `Duplex`.
   * @param options the Duplex options of this side.
   */
  constructor(transport: Duplex, options: DuplexOptions) {
    super(options);
    this.transport = transport;
    this.freshChunks = Object.getPrototypeOf(transport) === net.Socket.prototype;
  }

  /** The transport's remote address, when it has one. */
  get remoteAddress(): string | undefined {
    return (this.transport as { remoteAddress?: string }).remoteAddress;
  }
  /** The transport's remote port, when it has one. */
  get remotePort(): number | undefined {
    return (this.transport as { remotePort?: number }).remotePort;
  }
  /** The transport's address family, when it has one. */
  get remoteFamily(): string | undefined {
    return (this.transport as { remoteFamily?: string }).remoteFamily;
  }
  /** The transport's local address, when it has one. */
  get localAddress(): string | undefined {
    return (this.transport as { localAddress?: string }).localAddress;
  }
  /** The transport's local port, when it has one. */
  get localPort(): number | undefined {
    return (this.transport as { localPort?: number }).localPort;
  }
  /** The transport's `address()`, or `{}`. */
  address(): unknown {
    const t = this.transport as { address?: () => unknown };
    return typeof t.address === 'function' ? t.address() : {};
  }
  /** Passed to the transport's `setNoDelay`, when it has one. */
  setNoDelay(noDelay = true): this {
    (this.transport as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(noDelay);
    return this;
  }
  /** Passed to the transport's `setKeepAlive`, when it has one. */
  setKeepAlive(enable = false, initialDelay = 0): this {
    (this.transport as { setKeepAlive?: (e: boolean, d: number) => void }).setKeepAlive?.(enable, initialDelay);
    return this;
  }
  /** Passed to the transport's `ref`, when it has one. */
  ref(): this {
    (this.transport as { ref?: () => void }).ref?.();
    return this;
  }
  /** Passed to the transport's `unref`, when it has one. */
  unref(): this {
    (this.transport as { unref?: () => void }).unref?.();
    return this;
  }

  /** Idle timeout as net.Socket: `'timeout'` after `ms` without transport traffic (0 disables). */
  setTimeout(ms: number, callback?: () => void): this {
    this.#idleMs = ms;
    if (callback) {
      if (ms === 0) this.off('timeout', callback);
      else this.once('timeout', callback);
    }
    this.touch();
    return this;
  }

  /** End (close_notify) and destroy once our side is flushed, without waiting for the peer's close_notify. */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  /** @internal Transport traffic: restart the idle timer. */
  protected touch(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
    if (this.#idleMs > 0 && !this.destroyed) {
      this.#idleTimer = setTimeout(() => this.emit('timeout'), this.#idleMs);
      this.#idleTimer.unref();
    }
  }

  /** @internal Stop the idle timer for good (on destroy). */
  protected clearIdle(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
    this.#idleMs = 0;
  }

  /**
   * @internal Hand `chunks` to the transport in order, corked when there are several (one writev on a socket).
   * @returns false (nothing written) when the transport no longer takes bytes.
   */
  protected sendToTransport(chunks: readonly Uint8Array[]): boolean {
    const t = this.transport;
    if (!t.writable || t.destroyed) return false;
    if (chunks.length === 1) t.write(chunks[0] as Uint8Array);
    else {
      t.cork();
      for (const c of chunks) t.write(c);
      t.uncork();
    }
    this.touch();
    return true;
  }

  /** @internal A promise when the transport asked writers to wait ('drain', or a close), else undefined. */
  protected transportDrained(): Promise<void> | undefined {
    const t = this.transport as Duplex & { writableNeedDrain?: boolean };
    if (!t.writableNeedDrain || t.destroyed) return undefined;
    return new Promise((resolve) => {
      const done = (): void => {
        t.off('drain', done);
        t.off('close', done);
        this.off('close', done);
        resolve();
      };
      t.on('drain', done);
      t.on('close', done);
      this.on('close', done);
    });
  }

  /** @internal Destroy the transport; with `flushFirst`, once what was written reached it (at most FLUSH_GRACE_MS). */
  protected closeTransport(flushFirst: boolean): void {
    const t = this.transport;
    if (t.destroyed) return;
    if (!flushFirst) {
      t.destroy();
      return;
    }
    if (!t.writableEnded) t.end();
    if (t.writableFinished) t.destroy();
    else {
      const timer = setTimeout(() => t.destroy(), FLUSH_GRACE_MS);
      timer.unref();
      t.once('finish', () => {
        clearTimeout(timer);
        t.destroy();
      });
    }
  }
}
