/**
 * Drive a memtls `Ssl` over a `net.Socket` through two MemoryBios, the way an OpenSSL memory-BIO user does.
 *
 * - socket 'data' → `rbio.write`; socket 'end' / 'close' / 'error' → `rbio.setEof()`.
 * - After every Ssl call, everything in `wbio` is flushed to the socket.
 * - A call that returns WANT_READ is retried as soon as new transport bytes (or EOF) have arrived; if
 *   nothing arrives within the timeout the helper throws, naming the call, `getError` and `errorReason()`.
 * - Nothing here ends or destroys the socket except `endTransport`: a peer that sees EOF before our
 *   close_notify would hide shutdown bugs.
 *
 * Only the API.md surface is used (`setBio`, `doHandshake`, `read`, `write`, `shutdown`, `getError`,
 * `errorReason`). The first helper called for an `Ssl` attaches it to the socket (SSL_set_bio).
 */
import type net from 'node:net';
import { MemoryBio } from '@memtls/core';
import { type PumpSsl as Ssl, sslErrorName } from './api.js';

// API.md fixes these values (they are OpenSSL's); '@memtls/core' exports them under the same names.
const SSL_ERROR_NONE = 0;
const SSL_ERROR_WANT_READ = 2;
const SSL_ERROR_WANT_WRITE = 3;
const SSL_ERROR_ZERO_RETURN = 6;

/** How long a helper waits for the peer's next bytes before failing the test. */
export const DEFAULT_WAIT_MS = 15_000;
const WRITE_CHUNK = 64 * 1024;
const READ_CHUNK = 64 * 1024;

export interface PumpOptions {
  /** Per-wait timeout in ms (default 15 s). */
  timeoutMs?: number;
}

export interface CallResult {
  ret: number;
  err: number;
}

/** The transport side of one `Ssl`: its BIOs, the socket, and a wake-up for "new bytes arrived". */
export class SocketPump {
  readonly rbio = new MemoryBio();
  readonly wbio = new MemoryBio();
  readonly ssl: Ssl;
  readonly sock: net.Socket;
  timeoutMs: number;
  /** Bytes received from / sent to the socket. */
  bytesIn = 0;
  bytesOut = 0;
  /** Bytes the engine produced after the socket stopped being writable (they could not be sent). */
  bytesDropped = 0;
  transportEnded = false;
  socketError: Error | null = null;
  #events = 0;
  #wake = new Set<() => void>();

  constructor(ssl: Ssl, sock: net.Socket, opts: PumpOptions = {}) {
    this.ssl = ssl;
    this.sock = sock;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_WAIT_MS;
    ssl.setBio(this.rbio, this.wbio);
    sock.on('data', (d: Buffer) => {
      this.bytesIn += d.length;
      this.rbio.write(d);
      this.#event();
    });
    const eof = () => {
      this.transportEnded = true;
      this.rbio.setEof();
      this.#event();
    };
    sock.on('end', eof);
    sock.on('close', eof);
    sock.on('error', (e) => {
      this.socketError ??= e;
      eof();
    });
  }

  #event(): void {
    this.#events++;
    for (const w of this.#wake) w();
  }

  /** Send everything the engine has written to `wbio`. */
  flush(): void {
    for (let v = this.wbio.readView(); v !== null; v = this.wbio.readView()) {
      if (this.sock.writable) {
        this.sock.write(v);
        this.bytesOut += v.length;
      } else this.bytesDropped += v.length;
    }
  }

  /** Resolve on the next transport event (data, EOF, error); reject after the timeout. */
  waitForTransport(what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        this.#wake.delete(wake);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#wake.delete(wake);
        reject(new Error(`${what}: no bytes from the peer within ${this.timeoutMs} ms (${this.state()})`));
      }, this.timeoutMs);
      this.#wake.add(wake);
    });
  }

  /**
   * Call `op` until it makes progress or fails for a reason other than WANT_READ / WANT_WRITE. Flushes
   * `wbio` after every call; waits for transport bytes on WANT_READ.
   */
  async drive(what: string, op: () => Promise<number>): Promise<CallResult> {
    let spins = 0;
    for (;;) {
      const seen = this.#events;
      const ret = await op();
      this.flush();
      if (ret > 0) return { ret, err: SSL_ERROR_NONE };
      const err = this.ssl.getError(ret);
      if (err === SSL_ERROR_WANT_READ) {
        if (this.#events === seen) await this.waitForTransport(`${what} (WANT_READ)`);
      } else if (err === SSL_ERROR_WANT_WRITE) {
        // MemoryBio never fills up, so WANT_WRITE should not happen; give the loop a turn, but never spin forever.
        if (++spins > 1000) throw this.failure(`${what}: WANT_WRITE 1000 times in a row`, ret, err);
        await new Promise((r) => setImmediate(r));
      } else return { ret, err };
    }
  }

  /** An Error describing a failed call, with getError, errorReason and the transport state. */
  failure(what: string, ret: number, err: number): Error {
    return new Error(`${what}: ret=${ret} ${sslErrorName(err)} reason=${JSON.stringify(this.ssl.errorReason())} (${this.state()})`);
  }

  state(): string {
    const parts = [`in=${this.bytesIn}`, `out=${this.bytesOut}`, `rbio pending=${this.rbio.pending()}`];
    if (this.transportEnded) parts.push('transport EOF');
    if (this.socketError) parts.push(`socket error: ${this.socketError.message}`);
    if (this.bytesDropped) parts.push(`dropped=${this.bytesDropped}`);
    return parts.join(', ');
  }
}

const pumps = new WeakMap<Ssl, SocketPump>();

/** The pump of `ssl`, attaching it to `sock` (SSL_set_bio with two fresh MemoryBios) on first use. */
export function pumpFor(ssl: Ssl, sock: net.Socket, opts: PumpOptions = {}): SocketPump {
  let p = pumps.get(ssl);
  if (p === undefined) {
    p = new SocketPump(ssl, sock, opts);
    pumps.set(ssl, p);
  } else if (p.sock !== sock) throw new Error('this Ssl is already pumped over another socket');
  if (opts.timeoutMs !== undefined) p.timeoutMs = opts.timeoutMs;
  return p;
}

/** Run the handshake to completion (`doHandshake() === 1`), or throw with the reason. */
export async function handshake(ssl: Ssl, sock: net.Socket, opts?: PumpOptions): Promise<void> {
  const p = pumpFor(ssl, sock, opts);
  const { ret, err } = await p.drive('doHandshake', () => ssl.doHandshake());
  if (ret !== 1) throw p.failure('doHandshake', ret, err);
}

/** Write all of `data` (in 64 KiB calls), or throw. */
export async function writeAll(ssl: Ssl, sock: net.Socket, data: Uint8Array, opts?: PumpOptions): Promise<void> {
  const p = pumpFor(ssl, sock, opts);
  let off = 0;
  while (off < data.length) {
    const chunk = data.subarray(off, Math.min(data.length, off + WRITE_CHUNK));
    const { ret, err } = await p.drive(`write (${off}/${data.length} bytes written)`, () => ssl.write(chunk));
    if (ret <= 0) throw p.failure(`write (${off}/${data.length} bytes written)`, ret, err);
    off += ret;
  }
}

/** Read exactly `n` bytes, or throw (a close_notify before `n` bytes is an error). */
export async function readExactly(ssl: Ssl, sock: net.Socket, n: number, opts?: PumpOptions): Promise<Uint8Array> {
  const p = pumpFor(ssl, sock, opts);
  const out = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const buf = out.subarray(got, Math.min(n, got + READ_CHUNK));
    const { ret, err } = await p.drive(`read (${got}/${n} bytes read)`, () => ssl.read(buf));
    if (ret <= 0) throw p.failure(`read (${got}/${n} bytes read)`, ret, err);
    got += ret;
  }
  return out;
}

/**
 * Read until the peer's close_notify (`read` → 0 / SSL_ERROR_ZERO_RETURN) and return the bytes read
 * before it. Any other failure throws.
 */
export async function readUntilZeroReturn(ssl: Ssl, sock: net.Socket, opts?: PumpOptions & { maxBytes?: number }): Promise<Uint8Array> {
  const p = pumpFor(ssl, sock, opts);
  const max = opts?.maxBytes ?? 64 * 1024 * 1024;
  const chunks: Uint8Array[] = [];
  let total = 0;
  const buf = new Uint8Array(READ_CHUNK);
  for (;;) {
    const { ret, err } = await p.drive(`read until close_notify (${total} bytes so far)`, () => ssl.read(buf));
    if (ret > 0) {
      chunks.push(buf.slice(0, ret));
      total += ret;
      if (total > max) throw new Error(`read until close_notify: more than ${max} bytes`);
      continue;
    }
    if (err === SSL_ERROR_ZERO_RETURN) break;
    throw p.failure(`read until close_notify (${total} bytes so far)`, ret, err);
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/**
 * Echo server loop: write back whatever is read until the peer's close_notify. Returns the byte count.
 */
export async function echoUntilZeroReturn(ssl: Ssl, sock: net.Socket, opts?: PumpOptions): Promise<number> {
  const p = pumpFor(ssl, sock, opts);
  const buf = new Uint8Array(READ_CHUNK);
  let total = 0;
  for (;;) {
    const { ret, err } = await p.drive(`echo read (${total} bytes so far)`, () => ssl.read(buf));
    if (ret > 0) {
      await writeAll(ssl, sock, buf.slice(0, ret));
      total += ret;
    } else if (err === SSL_ERROR_ZERO_RETURN) return total;
    else throw p.failure(`echo read (${total} bytes so far)`, ret, err);
  }
}

/**
 * SSL_shutdown as OpenSSL users write it: call once; if it returns 0 (our close_notify sent, the peer's not
 * yet received) and `bidirectional` (default), call again, waiting for the peer's close_notify, until 1.
 * @returns 1, or 0 for a unidirectional shutdown that is still waiting for the peer.
 */
export async function shutdownLoop(ssl: Ssl, sock: net.Socket, opts?: PumpOptions & { bidirectional?: boolean }): Promise<number> {
  const p = pumpFor(ssl, sock, opts);
  const first = await p.drive('shutdown', () => ssl.shutdown());
  if (first.ret === 1) return 1;
  if (first.ret < 0) throw p.failure('shutdown', first.ret, first.err);
  if (opts?.bidirectional === false) return 0;
  const second = await p.drive("shutdown (waiting for the peer's close_notify)", () => ssl.shutdown());
  if (second.ret === 1) return 1;
  throw p.failure("shutdown (waiting for the peer's close_notify)", second.ret, second.err);
}

/** Flush, then half-close the TCP connection (FIN) and resolve when the socket has closed or after 2 s. */
export async function endTransport(ssl: Ssl, sock: net.Socket): Promise<void> {
  pumps.get(ssl)?.flush();
  if (sock.destroyed) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      sock.destroy();
      resolve();
    }, 2000);
    sock.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    sock.end();
  });
}
