/**
 * Real TLS peers for interop tests: `openssl s_server`, `openssl s_client`, Node `tls` in both roles,
 * plus plain TCP helpers for putting a memtls endpoint on a socket.
 *
 * Rules: everything binds to and connects to 127.0.0.1 only. Every spawned process and every server is
 * tracked and has a hard deadline; call `cleanupPeers()` in `afterEach` and nothing leaks or hangs. At
 * process exit any survivor gets SIGKILL.
 *
 * OpenSSL 3.0.19 CLI facts these wrappers rely on (measured, see the harness tests):
 * - `s_server -accept 127.0.0.1:0` binds an ephemeral port and prints `ACCEPT 127.0.0.1:<port>` on stdout
 *   once listening (`-accept 0` alone binds `[::]`, all interfaces: not used).
 * - s_server in its default (stdin/stdout) mode quits with `DONE` when its stdin reaches EOF, so stdin is
 *   kept open as a pipe. `-rev` and `-www` ignore stdin.
 * - `-rev` reads lines with a 16 KiB buffer: a line of up to 16383 bytes plus `\n` comes back reversed; a
 *   longer one is cut into pieces reversed separately. A `CLOSE` line, or the client's close_notify, makes
 *   it send its own close_notify.
 * - With `-servername X -cert2/-key2`, s_server switches to a second SSL_CTX for SNI X, which does not
 *   carry the `-alpn` callback: test ALPN and SNI with separate servers.
 * - s_client: `-quiet` implies `-ign_eof`, which disables stdin commands and keeps running at stdin EOF.
 *   With `-quiet -no_ign_eof`, stdin EOF prints `DONE` and sends close_notify. Commands (`Q`, `R`, `K`
 *   = KeyUpdate requesting one back, `k` = KeyUpdate) are recognised only as the first byte of a stdin
 *   read, and the rest of that read is dropped; `-nocommands` turns them off.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { onProcessExit } from '../util/on-exit.js';

/** Default hard deadline for a spawned openssl process. */
export const PROCESS_TIMEOUT_MS = 30_000;
/** How long to wait for a server to start listening. */
const LISTEN_TIMEOUT_MS = 10_000;

type Cleanup = () => Promise<void>;
const cleanups = new Set<Cleanup>();
const liveProcs = new Set<ChildProcess>();

onProcessExit(() => {
  for (const p of liveProcs) p.kill('SIGKILL');
});

/** Stop every peer started since the last call (for mocha `afterEach`). Never throws. */
export async function cleanupPeers(): Promise<void> {
  const all = [...cleanups];
  cleanups.clear();
  await Promise.allSettled(all.map((c) => c()));
}

function track(c: Cleanup): Cleanup {
  cleanups.add(c);
  return async () => {
    cleanups.delete(c);
    await c();
  };
}

let scratchDir: string | undefined;
function scratch(name: string): string {
  if (scratchDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'memtls-interop-peers-'));
    scratchDir = dir;
    onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  }
  return join(scratchDir, `${name}-${process.pid}-${Math.random().toString(36).slice(2)}`);
}

/** A spawned openssl process (or, with `program`, another command-line peer such as gnutls-cli) with its output captured. */
export class OpenSslProcess {
  readonly proc: ChildProcess;
  readonly command: string;
  #stdout: Buffer[] = [];
  #stdoutLen = 0;
  #stderr = '';
  #exit: Promise<number | null>;
  #exited = false;
  #waiters = new Set<() => void>();
  readonly msgFile: string | undefined;

  constructor(args: string[], opts: { timeoutMs?: number; msgFile?: string; program?: string } = {}) {
    const program = opts.program ?? 'openssl';
    this.command = `${program} ${args.join(' ')}`;
    this.msgFile = opts.msgFile;
    this.proc = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    liveProcs.add(this.proc);
    this.proc.stdout?.on('data', (d: Buffer) => {
      this.#stdout.push(d);
      this.#stdoutLen += d.length;
      this.#notify();
    });
    this.proc.stderr?.on('data', (d: Buffer) => {
      this.#stderr += d.toString('latin1');
      this.#notify();
    });
    // Writes to a process that already exited give EPIPE: expected, not a test failure by themselves.
    this.proc.stdin?.on('error', () => {});
    const deadline = setTimeout(() => this.proc.kill('SIGKILL'), opts.timeoutMs ?? PROCESS_TIMEOUT_MS);
    deadline.unref();
    this.#exit = new Promise((resolve) => {
      this.proc.once('exit', (code, signal) => {
        clearTimeout(deadline);
        liveProcs.delete(this.proc);
        this.#exited = true;
        this.#notify();
        resolve(signal ? null : code);
      });
      this.proc.once('error', () => {
        clearTimeout(deadline);
        liveProcs.delete(this.proc);
        this.#exited = true;
        this.#notify();
        resolve(null);
      });
    });
    track(() => this.kill());
  }

  #notify(): void {
    for (const w of this.#waiters) w();
  }

  /** Everything written to stdout so far. */
  stdoutBytes(): Buffer {
    if (this.#stdout.length > 1) this.#stdout = [Buffer.concat(this.#stdout)];
    return this.#stdout[0] ?? Buffer.alloc(0);
  }
  stdout(): string {
    return this.stdoutBytes().toString('latin1');
  }
  stderr(): string {
    return this.#stderr;
  }
  stdoutLength(): number {
    return this.#stdoutLen;
  }
  /** The `-msg` trace, when started with `msg: true`. */
  msgs(): string {
    if (this.msgFile === undefined) throw new Error('process was not started with a -msgfile');
    try {
      return readFileSync(this.msgFile, 'latin1');
    } catch {
      return '';
    }
  }
  hasExited(): boolean {
    return this.#exited;
  }
  /** Resolves with the exit code (null if killed by a signal). */
  exited(): Promise<number | null> {
    return this.#exit;
  }

  /** Wait until `pred()` holds, re-checking on every output and on exit; rejects after `timeoutMs`. */
  waitFor(pred: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (pred()) {
          done();
          resolve();
        } else if (this.#exited) {
          done();
          reject(new Error(`${this.command} exited while waiting for ${what}\n${this.describe()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.describe()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Wait for `re` to match stderr (or stdout with `stream: 'stdout'`). */
  waitForOutput(re: RegExp, stream: 'stdout' | 'stderr' = 'stderr', timeoutMs = 10_000): Promise<void> {
    return this.waitFor(() => re.test(stream === 'stdout' ? this.stdout() : this.stderr()), `${stream} ${re}`, timeoutMs);
  }

  /** Write to the process's stdin; resolves once the bytes are handed to the pipe. */
  write(data: string | Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.proc.stdin;
      if (!stdin || stdin.destroyed) {
        reject(new Error(`${this.command}: stdin is closed`));
        return;
      }
      stdin.write(data, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Close stdin (EOF). */
  endInput(): void {
    this.proc.stdin?.end();
  }

  /** Last output, for failure messages. */
  describe(): string {
    const tail = (s: string) => (s.length > 2000 ? `…${s.slice(-2000)}` : s);
    return `--- ${this.command}\n--- stdout (${this.#stdoutLen} bytes):\n${tail(this.stdout())}\n--- stderr:\n${tail(this.#stderr)}`;
  }

  /** SIGTERM, then SIGKILL if it has not exited within 2 s. Idempotent. */
  async kill(): Promise<void> {
    if (this.#exited) return;
    this.proc.stdin?.destroy();
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 2000);
    timer.unref();
    await this.#exit;
    clearTimeout(timer);
  }
}

export interface OpenSslServerOptions {
  /** Leaf certificate (or full chain) and key paths; both absent: `-nocert` (an external PSK server). */
  cert?: string;
  key?: string;
  /** Extra chain certificates to send (`-cert_chain`). */
  chain?: string;
  /** 'rev' (reverse each line), 'www' (status page for GET /) or 'stdio' (default s_server mode). */
  mode?: 'rev' | 'www' | 'stdio';
  groups?: string[];
  ciphersuites?: string[];
  alpn?: string[];
  /** SNI: with `cert2`/`key2`, s_server switches to them when the client sends this name. */
  servername?: string;
  servernameFatal?: boolean;
  cert2?: string;
  key2?: string;
  /** Request (`'request'`) or require (`'require'`) a client certificate verified against `caFile`. */
  verifyClient?: 'request' | 'require';
  caFile?: string;
  /** Exit after this many connections (`-naccept`, default 1). */
  naccept?: number;
  numTickets?: number;
  /** Record the `-msg` trace to a file readable with `msgs()`. Default true. */
  msg?: boolean;
  extraArgs?: string[];
  timeoutMs?: number;
}

/** A running `openssl s_server -tls1_3` on 127.0.0.1 with its port. */
export interface OpenSslServer extends OpenSslProcess {
  readonly port: number;
}

export async function startOpenSslServer(o: OpenSslServerOptions): Promise<OpenSslServer> {
  const args = ['s_server', '-tls1_3', '-accept', '127.0.0.1:0', ...(o.cert && o.key ? ['-cert', o.cert, '-key', o.key] : ['-nocert'])];
  args.push('-naccept', String(o.naccept ?? 1));
  if (o.chain) args.push('-cert_chain', o.chain);
  if ((o.mode ?? 'rev') === 'rev') args.push('-rev');
  else if (o.mode === 'www') args.push('-www');
  if (o.groups) args.push('-groups', o.groups.join(':'));
  if (o.ciphersuites) args.push('-ciphersuites', o.ciphersuites.join(':'));
  if (o.alpn) args.push('-alpn', o.alpn.join(','));
  if (o.servername) args.push('-servername', o.servername);
  if (o.servernameFatal) args.push('-servername_fatal');
  if (o.cert2) args.push('-cert2', o.cert2);
  if (o.key2) args.push('-key2', o.key2);
  if (o.verifyClient) args.push(o.verifyClient === 'require' ? '-Verify' : '-verify', '4', '-verify_return_error');
  if (o.caFile) args.push('-CAfile', o.caFile);
  if (o.numTickets !== undefined) args.push('-num_tickets', String(o.numTickets));
  const msgFile = o.msg === false ? undefined : scratch('s_server.msg');
  if (msgFile) args.push('-msg', '-msgfile', msgFile);
  if (o.extraArgs) args.push(...o.extraArgs);
  const p = new OpenSslProcess(args, msgFile === undefined ? { timeoutMs: o.timeoutMs ?? PROCESS_TIMEOUT_MS } : { timeoutMs: o.timeoutMs ?? PROCESS_TIMEOUT_MS, msgFile });
  const re = /^ACCEPT 127\.0\.0\.1:(\d+)$/m;
  await p.waitFor(() => re.test(p.stdout()), 'the ACCEPT line', LISTEN_TIMEOUT_MS);
  const port = Number(re.exec(p.stdout())?.[1]);
  return Object.assign(p, { port });
}

export interface OpenSslClientOptions {
  port: number;
  /** SNI to send (`-servername`); default 'localhost'. Null sends none (`-noservername`). */
  servername?: string | null;
  /** Verify the server against this CA file (with `-verify_return_error` and hostname 'localhost'). */
  caFile?: string;
  cert?: string;
  key?: string;
  groups?: string[];
  ciphersuites?: string[];
  alpn?: string[];
  /** Keep stdin commands (Q/R/K/k) enabled. Default false (`-nocommands`). */
  commands?: boolean;
  /** Record the `-msg` trace to a file readable with `msgs()`. Default true. */
  msg?: boolean;
  extraArgs?: string[];
  timeoutMs?: number;
}

/**
 * Spawn `openssl s_client -tls1_3 -quiet -no_ign_eof` to 127.0.0.1: stdout carries only the application
 * data received; stdin is sent as application data; closing stdin (`endInput()`) makes s_client send a
 * close_notify and exit.
 */
export function startOpenSslClient(o: OpenSslClientOptions): OpenSslProcess {
  const args = ['s_client', '-connect', `127.0.0.1:${o.port}`, '-tls1_3', '-quiet', '-no_ign_eof'];
  if (o.servername === null) args.push('-noservername');
  else args.push('-servername', o.servername ?? 'localhost');
  if (o.caFile) args.push('-CAfile', o.caFile, '-verify_return_error', '-verify_hostname', 'localhost');
  if (o.cert) args.push('-cert', o.cert);
  if (o.key) args.push('-key', o.key);
  if (o.groups) args.push('-groups', o.groups.join(':'));
  if (o.ciphersuites) args.push('-ciphersuites', o.ciphersuites.join(':'));
  if (o.alpn) args.push('-alpn', o.alpn.join(','));
  if (!o.commands) args.push('-nocommands');
  const msgFile = o.msg === false ? undefined : scratch('s_client.msg');
  if (msgFile) args.push('-msg', '-msgfile', msgFile);
  if (o.extraArgs) args.push(...o.extraArgs);
  const timeoutMs = o.timeoutMs ?? PROCESS_TIMEOUT_MS;
  return new OpenSslProcess(args, msgFile === undefined ? { timeoutMs } : { timeoutMs, msgFile });
}

/** Count `-msg` lines for a handshake message, e.g. countMsgs(p.msgs(), '<<<', 'ClientHello'). */
export function countMsgs(trace: string, direction: '<<<' | '>>>', message: string): number {
  const re = new RegExp(`^${direction} [^\\n]*, ${message}\\s*$`, 'gm');
  return trace.match(re)?.length ?? 0;
}

// ---------------------------------------------------------------------------------------------
// TCP and Node tls peers

/**
 * Listen on 127.0.0.1:0 and resolve with the first accepted socket (for a memtls server). The socket is
 * half-open capable: the peer's FIN does not end our side, so close_notify and late data still go out.
 */
export async function acceptOne(timeoutMs = 10_000): Promise<{ port: number; accepted: Promise<net.Socket> }> {
  const server = net.createServer({ allowHalfOpen: true });
  const sockets = new Set<net.Socket>();
  track(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  const accepted = new Promise<net.Socket>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no connection on 127.0.0.1:${port} within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    server.once('connection', (s) => {
      clearTimeout(timer);
      sockets.add(s);
      server.close(); // one connection only; the socket stays open
      resolve(s);
    });
  });
  accepted.catch(() => {}); // a test that never awaits it must not see an unhandled rejection
  return { port, accepted };
}

/** Open a half-open capable TCP connection to 127.0.0.1:port (for a memtls client). */
export function connectTcp(port: number, timeoutMs = 10_000): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    track(async () => {
      sock.destroy();
    });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`connect to 127.0.0.1:${port} timed out`));
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      resolve(sock);
    });
    sock.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

export interface NodeTlsServer {
  port: number;
  server: tls.Server;
  /** Sockets accepted so far (after their handshake). */
  connections: tls.TLSSocket[];
  /** The first connection, once its handshake is complete (rejects after 10 s). */
  firstConnection: Promise<tls.TLSSocket>;
  /** Errors seen by the server (tlsClientError, socket errors). */
  errors: Error[];
  close(): Promise<void>;
}

/**
 * A Node `tls.createServer` on 127.0.0.1:0. By default each connection echoes what it reads and answers
 * the client's close_notify with its own (Node's default, allowHalfOpen: false).
 */
export async function startNodeTlsServer(
  options: tls.TlsOptions,
  onConnection: (sock: tls.TLSSocket) => void = (s) => s.pipe(s),
): Promise<NodeTlsServer> {
  const connections: tls.TLSSocket[] = [];
  const errors: Error[] = [];
  let first!: (s: tls.TLSSocket) => void;
  const firstConnection = new Promise<tls.TLSSocket>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no TLS connection completed within 10 s (${errors.map((e) => e.message).join('; ')})`)), 10_000);
    timer.unref();
    first = (s) => {
      clearTimeout(timer);
      resolve(s);
    };
  });
  firstConnection.catch(() => {}); // unawaited by tests that do not need it
  const server = tls.createServer({ minVersion: 'TLSv1.3', ...options }, (s) => {
    connections.push(s);
    s.on('error', (e) => errors.push(e));
    first(s);
    onConnection(s);
  });
  server.on('tlsClientError', (e) => errors.push(e));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const close = track(async () => {
    for (const c of connections) c.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return { port: (server.address() as net.AddressInfo).port, server, connections, firstConnection, errors, close };
}

/** Node `tls.connect` to 127.0.0.1:port; resolves after the handshake ('secureConnect'). */
export function nodeTlsConnect(port: number, options: tls.ConnectionOptions = {}, timeoutMs = 10_000): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const sock = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', minVersion: 'TLSv1.3', ...options });
    track(async () => {
      sock.destroy();
    });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`tls.connect to 127.0.0.1:${port} timed out`));
    }, timeoutMs);
    sock.once('secureConnect', () => {
      clearTimeout(timer);
      resolve(sock);
    });
    sock.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** Collect everything a readable stream emits until 'end' (or reject on error/timeout). */
export function collect(stream: NodeJS.ReadableStream, timeoutMs = 20_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => reject(new Error(`stream did not end within ${timeoutMs} ms`)), timeoutMs);
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.once('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    stream.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
