/**
 * Test helpers for @memtls/node: a throwaway PKI made with the openssl CLI, and tracking of every
 * server, socket and child process a test starts, so `cleanup()` in `afterEach` leaves nothing behind.
 * Everything binds and connects to 127.0.0.1 only.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';

export interface Leaf {
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
}
export interface Pki {
  dir: string;
  ca: string;
  caPath: string;
  server: Leaf;
  client: Leaf;
  /** A CA nobody trusts, and a server leaf it signed. */
  rogueCa: string;
  rogueServer: Leaf;
}

let cached: Pki | null = null;

/** A root CA, a `localhost`/127.0.0.1 server leaf (P-256), a client leaf, and an untrusted CA with a leaf. */
export function testPki(): Pki {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'memtls-node-pki-'));
  onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  const ossl = (args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const mkCa = (name: string): string => {
    ossl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`]);
    ossl(['req', '-x509', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', `${name}.pem`]);
    return readFileSync(join(dir, `${name}.pem`), 'utf8');
  };
  const mkLeaf = (name: string, ca: string, san: string, eku: string): Leaf => {
    ossl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`]);
    ossl(['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`]);
    writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=${eku}\n`);
    ossl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '30', '-extfile', `${name}.ext`, '-out', `${name}.pem`]);
    return { cert: readFileSync(join(dir, `${name}.pem`), 'utf8'), key: readFileSync(join(dir, `${name}.key`), 'utf8'), certPath: join(dir, `${name}.pem`), keyPath: join(dir, `${name}.key`) };
  };
  const ca = mkCa('memtls-node-test-root');
  const rogueCa = mkCa('rogue-root');
  cached = {
    dir,
    ca,
    caPath: join(dir, 'memtls-node-test-root.pem'),
    server: mkLeaf('localhost', 'memtls-node-test-root', 'DNS:localhost,IP:127.0.0.1', 'serverAuth'),
    client: mkLeaf('memtls-client', 'memtls-node-test-root', 'DNS:client.test', 'clientAuth'),
    rogueCa,
    rogueServer: mkLeaf('rogue-localhost', 'rogue-root', 'DNS:localhost,IP:127.0.0.1', 'serverAuth'),
  };
  return cached;
}

type Closer = () => void | Promise<void>;
const closers = new Set<Closer>();
const procs = new Set<ChildProcess>();
onProcessExit(() => {
  for (const p of procs) p.kill('SIGKILL');
});

/** Register something to tear down in `cleanup()`. */
export function track<T>(thing: T, close: (t: T) => void | Promise<void>): T {
  closers.add(() => close(thing));
  return thing;
}

/** Track a net/tls/http server: close it and destroy its connections. */
export function trackServer<T extends net.Server>(server: T): T {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  return track(server, (s) => {
    for (const c of sockets) c.destroy();
    return new Promise<void>((resolve) => s.close(() => resolve()));
  });
}

/** Destroy everything registered since the last call. Never throws. */
export async function cleanup(): Promise<void> {
  const all = [...closers];
  closers.clear();
  await Promise.allSettled(all.map(async (c) => c()));
}

/** Listen on 127.0.0.1:0 and return the port. */
export function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

/** A child process with captured output and a hard deadline; killed by `cleanup()`. */
export class Child {
  readonly proc: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  #waiters = new Set<() => void>();
  #done = false;

  constructor(cmd: string, args: string[], opts: { timeoutMs?: number; cwd?: string } = {}) {
    this.proc = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], cwd: opts.cwd });
    procs.add(this.proc);
    this.proc.stdout?.on('data', (d: Buffer) => {
      this.stdout += d.toString('latin1');
      this.#notify();
    });
    this.proc.stderr?.on('data', (d: Buffer) => {
      this.stderr += d.toString('latin1');
      this.#notify();
    });
    this.proc.stdin?.on('error', () => undefined);
    const deadline = setTimeout(() => this.proc.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    deadline.unref();
    this.exited = new Promise((resolve) => {
      this.proc.once('close', (code, signal) => {
        clearTimeout(deadline);
        procs.delete(this.proc);
        this.#done = true;
        this.#notify();
        resolve(signal ? null : code);
      });
    });
    track(this, (c) => c.kill());
  }

  #notify(): void {
    for (const w of this.#waiters) w();
  }

  /** Resolve when `re` matches stdout (or stderr); reject on exit or after `timeoutMs`. */
  waitFor(re: RegExp, stream: 'stdout' | 'stderr' = 'stdout', timeoutMs = 10_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const m = (stream === 'stdout' ? this.stdout : this.stderr).match(re);
        if (m) {
          done();
          resolve(m);
        } else if (this.#done) {
          done();
          reject(new Error(`process exited before ${stream} matched ${re}\n--- stdout\n${this.stdout}\n--- stderr\n${this.stderr}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timeout waiting for ${stream} to match ${re}\n--- stdout\n${this.stdout}\n--- stderr\n${this.stderr}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  write(s: string | Uint8Array): void {
    this.proc.stdin?.write(s);
  }

  endInput(): void {
    this.proc.stdin?.end();
  }

  async kill(): Promise<void> {
    if (this.#done) return;
    this.proc.kill('SIGKILL');
    await this.exited;
  }
}

/** `openssl s_server` on 127.0.0.1 with an ephemeral port; resolves once it prints ACCEPT. */
export async function opensslServer(args: string[]): Promise<{ child: Child; port: number }> {
  const child = new Child('openssl', ['s_server', '-accept', '127.0.0.1:0', ...args]);
  const m = await child.waitFor(/ACCEPT 127\.0\.0\.1:(\d+)/);
  return { child, port: Number(m[1]) };
}

/** Collect a readable stream to a Buffer. */
export function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    stream.on('data', (d: Buffer) => parts.push(Buffer.from(d)));
    stream.once('end', () => resolve(Buffer.concat(parts)));
    stream.once('error', reject);
  });
}

/** Resolve with the first occurrence of `event` (or reject on 'error' if `failOnError`). */
export function once<T = unknown>(emitter: NodeJS.EventEmitter, event: string, timeoutMs = 15_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timeout waiting for '${event}'`)), timeoutMs);
    emitter.once(event, (v: T) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}

/** An 'error' event as a promise. */
export function nextError(emitter: NodeJS.EventEmitter, timeoutMs = 15_000): Promise<Error & { code?: string; reason?: string }> {
  return once(emitter, 'error', timeoutMs);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Two connected in-memory Duplex ends with real backpressure: a write at one end is pushed into the
 * other end's readable side, and its callback is held until that reader asks for more. Nothing here
 * buffers beyond each end's high-water mark, so a slow reader stalls the writer deterministically
 * (kernel socket buffers would hide that on TCP).
 */
export function duplexPair(highWaterMark = 16 * 1024): [PairEnd, PairEnd] {
  const a = new PairEnd(highWaterMark);
  const b = new PairEnd(highWaterMark);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

export class PairEnd extends Duplex {
  peer: PairEnd | null = null;
  /** The peer's write callback, held until our reader wants more. */
  held: (() => void) | null = null;
  pushed = 0;

  constructor(highWaterMark: number) {
    super({ highWaterMark, allowHalfOpen: true });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const peer = this.peer as PairEnd;
    if (peer.destroyed) {
      cb(new Error('peer destroyed'));
      return;
    }
    peer.pushed += chunk.length;
    if (peer.push(chunk)) cb();
    else peer.held = cb;
  }

  override _read(): void {
    const h = this.held;
    this.held = null;
    h?.();
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.peer?.push(null);
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const peer = this.peer;
    if (peer && !peer.destroyed) peer.destroy();
    cb(err);
  }
}

/** Resolve when `s` has emitted 'close' (at once if it already has). */
export function closed(s: Duplex): Promise<void> {
  if (s.closed) return Promise.resolve();
  return once(s, 'close');
}

/** Run `fn` at process exit, behind the one 'exit' listener all test helpers share (see test/util/on-exit.ts). */
function onProcessExit(fn: () => void): void {
  const key = Symbol.for('memtls.test.onProcessExit');
  const g = globalThis as unknown as Record<symbol, Set<() => void> | undefined>;
  let fns = g[key];
  if (!fns) {
    const set = new Set<() => void>();
    fns = set;
    g[key] = set;
    process.once('exit', () => {
      for (const f of set) {
        try {
          f();
        } catch {
          // one failing clean-up must not stop the others
        }
      }
    });
  }
  fns.add(fn);
}
