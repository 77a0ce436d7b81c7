/**
 * GnuTLS peers for interop tests: `gnutls-serv` and `gnutls-cli` (GnuTLS 3.7), in the style of peers.ts
 * (hard deadlines, everything tracked and stopped by `cleanupPeers()`).
 *
 * GnuTLS 3.7.9 CLI facts these wrappers rely on (measured here, and read in src/serv.c, src/cli.c):
 * - gnutls-serv has no listen-address option: it binds every address getaddrinfo(NULL, port, AI_PASSIVE)
 *   returns (0.0.0.0 and ::), and prints `Echo Server listening on IPv4 0.0.0.0 port <p>...done` on stderr
 *   with the port it was given (so `-p 0` would not tell which port it got). To keep the rule "bind
 *   127.0.0.1 only", each gnutls-serv runs in a private network namespace
 *   (`unshare -rn --pid --fork --kill-child`: an unprivileged user namespace, only `lo`, brought up with
 *   `ip link set lo up`) on the fixed port 5556, which nothing else can hold there. A relay inside the same
 *   namespace (gnutls-bridge.ts) joins it to a Unix-domain socket in a fresh temp directory, which the test
 *   connects to; the relay forwards bytes and half-closes unchanged. The namespace's PID 1 is the relay, so
 *   killing the `unshare` process (its child gets SIGKILL through --kill-child) ends gnutls-serv too.
 * - `--echo`: the server accumulates received data until it holds a `\n`, then sends everything held back
 *   as a C string (a NUL byte truncates it), so echo is byte-exact for text without NUL. A held line
 *   starting with `**` may be a command (`**REHANDSHAKE**`, `**REAUTH**`, `**HEARTBEAT**`): payloads avoid
 *   `*`. Without `--echo` it is an HTTP server: it answers `GET / HTTP/1.0\r\n\r\n` with an HTML page
 *   describing the session (`Protocol version:</TD><TD>TLS1.2`, the cipher, ...), then sends its
 *   close_notify (`gnutls_bye(GNUTLS_SHUT_WR)`) and closes the socket: that is the server-first close.
 * - gnutls-serv answers a client's close_notify with its own close_notify (SHUT_WR), then closes.
 * - gnutls-serv's stdout (the session description: `- Version: TLS1.3`, `- Description: (TLS1.3-X.509)-...`)
 *   is block-buffered on a pipe: it runs under `stdbuf -oL` so lines arrive as they are printed.
 * - gnutls-cli reads stdin in reads of up to 4 KiB and sends each read as application data; at stdin EOF it
 *   sends close_notify (`gnutls_bye(GNUTLS_SHUT_WR)`) and keeps reading until the peer's close_notify
 *   (`- Peer has closed the GnuTLS connection`, exit 0). When the peer closes first it prints the same
 *   line and exits 0 without sending a close_notify of its own (`socket_bye(…, 0)`).
 * - gnutls-cli writes received application data to stdout unbuffered; `--logfile` moves its informational
 *   messages (`- Version: TLS1.2`, `- Description: ...`, `- Options: extended master secret, safe
 *   renegotiation,`) to a file, so stdout carries only the data. Errors still go to stderr.
 * - Priority strings: `NORMAL:-VERS-ALL:+VERS-TLS1.3` (or `+VERS-TLS1.2`) pins the version; `-CIPHER-ALL:+AES-128-GCM`
 *   pins the cipher (AES-128-GCM, AES-256-GCM, CHACHA20-POLY1305).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type net from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onProcessExit } from '../util/on-exit.js';
import { OpenSslProcess, PROCESS_TIMEOUT_MS } from './peers.js';

const BRIDGE = fileURLToPath(new URL('./gnutls-bridge.js', import.meta.url));
/** gnutls-serv's port inside its own network namespace (GnuTLS's default). */
const NETNS_PORT = 5556;
const LISTEN_TIMEOUT_MS = 10_000;

let scratchDir: string | undefined;
function scratch(name: string): string {
  if (scratchDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'memtls-interop-gnutls-'));
    scratchDir = dir;
    onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  }
  return join(scratchDir, `${name}-${process.pid}-${Math.random().toString(36).slice(2)}`);
}

/** A GnuTLS priority string for one protocol version, optionally pinned to some ciphers and key exchanges. */
export function gnutlsPriority(version: 'TLSv1.2' | 'TLSv1.3', ciphers?: string[], kx?: string[]): string {
  let p = `NORMAL:-VERS-ALL:+VERS-${version === 'TLSv1.2' ? 'TLS1.2' : 'TLS1.3'}`;
  if (ciphers) p += `:-CIPHER-ALL:${ciphers.map((c) => `+${c}`).join(':')}`;
  if (kx) p += `:-KX-ALL:${kx.map((k) => `+${k}`).join(':')}`;
  return p;
}

export interface GnuTlsServerOptions {
  cert: string;
  key: string;
  priority: string;
  /** 'echo' (default) or 'http' (one page describing the session, then close_notify). */
  mode?: 'echo' | 'http';
  /** Require a client certificate verified against this CA file (`--require-client-cert --verify-client-cert`). */
  requireClientCertCa?: string;
  extraArgs?: string[];
  timeoutMs?: number;
}

/** A running gnutls-serv, reachable through `connect()`. */
export interface GnuTlsServer extends OpenSslProcess {
  /** Open a stream to the server (through the namespace relay). */
  connect(timeoutMs?: number): Promise<net.Socket>;
}

export async function startGnuTlsServer(o: GnuTlsServerOptions): Promise<GnuTlsServer> {
  const sockPath = scratch('serv.sock');
  const serv = ['stdbuf', '-oL', 'gnutls-serv', '-p', String(NETNS_PORT), '--x509certfile', o.cert, '--x509keyfile', o.key];
  serv.push('--priority', o.priority);
  if (o.requireClientCertCa) serv.push('--require-client-cert', '--verify-client-cert', '--x509cafile', o.requireClientCertCa);
  else serv.push('--disable-client-cert');
  if ((o.mode ?? 'echo') === 'echo') serv.push('--echo');
  if (o.extraArgs) serv.push(...o.extraArgs);
  const quote = (a: string) => `'${a.replaceAll("'", `'\\''`)}'`;
  const script = `ip link set lo up && { ${serv.map(quote).join(' ')} & exec ${quote(process.execPath)} ${quote(BRIDGE)} ${quote(sockPath)} ${NETNS_PORT}; }`;
  const p = new OpenSslProcess(['-rn', '--pid', '--fork', '--kill-child', 'sh', '-c', script], {
    program: 'unshare',
    timeoutMs: o.timeoutMs ?? PROCESS_TIMEOUT_MS,
  });
  const listening = new RegExp(`listening on IPv4 [^\\n]* port ${NETNS_PORT}\\.\\.\\.done`);
  await p.waitFor(() => /BRIDGE READY/.test(p.stdout()) && listening.test(p.stderr()), 'gnutls-serv and its relay', LISTEN_TIMEOUT_MS);
  const open = (timeoutMs = 10_000) =>
    new Promise<net.Socket>((resolve, reject) => {
      const sock = connect({ path: sockPath, allowHalfOpen: true });
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error(`connect to ${sockPath} timed out`));
      }, timeoutMs);
      sock.once('connect', () => {
        clearTimeout(timer);
        resolve(sock);
      });
      sock.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      p.exited().then(() => sock.destroy(), () => {});
    });
  return Object.assign(p, { connect: open });
}

export interface GnuTlsClientOptions {
  port: number;
  priority: string;
  /** Verify the server against this CA file for the name 'localhost' (also sent as SNI). */
  caFile: string;
  /** A client certificate and key (PEM paths) to offer when the server asks. */
  cert?: string;
  key?: string;
  extraArgs?: string[];
  timeoutMs?: number;
}

/**
 * Spawn `gnutls-cli` to 127.0.0.1:port: stdout carries only the application data received (informational
 * messages go to the log file, readable with `msgs()`); stdin is sent as application data; closing stdin
 * (`endInput()`) makes it send close_notify and wait for the peer's.
 */
export function startGnuTlsClient(o: GnuTlsClientOptions): OpenSslProcess {
  const logFile = scratch('cli.log');
  const args = ['-p', String(o.port), '127.0.0.1', '--priority', o.priority, '--x509cafile', o.caFile];
  args.push('--verify-hostname', 'localhost', '--sni-hostname', 'localhost', '--logfile', logFile);
  if (o.cert && o.key) args.push('--x509certfile', o.cert, '--x509keyfile', o.key);
  if (o.extraArgs) args.push(...o.extraArgs);
  return new OpenSslProcess(args, { program: 'gnutls-cli', timeoutMs: o.timeoutMs ?? PROCESS_TIMEOUT_MS, msgFile: logFile });
}
