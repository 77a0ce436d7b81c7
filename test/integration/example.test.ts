/**
 * The README's main example (`pnpm example`) runs to completion and prints the trace it documents; the
 * node-server / node-client examples clean up their CA on a signal, explain a missing CA file, and say how a
 * connection really ended.
 */
import { strict as assert } from 'node:assert';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// test/dist/integration -> repository root
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const main = join('examples', 'memory-pair', 'dist', 'main.js');

describe('examples/memory-pair', () => {
  it('exits 0 and prints TLSv1.3 and the shutdown return values', () => {
    assert.ok(existsSync(join(repoRoot, main)), `${main} is missing: run tsc -b first`);
    const r = spawnSync(process.execPath, [main], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
    const out = r.stdout;
    assert.equal(r.status, 0, `exit ${r.status} ${r.signal ?? ''}\n${out}\n${r.stderr}`);
    assert.match(out, /TLSv1\.3/);
    assert.match(out, /client shutdown\(\)\s+->\s+0\b.*flags SENT\b/);
    assert.match(out, /server read\(\)\s+->\s+0\s+SSL_ERROR_ZERO_RETURN\s+flags RECEIVED\b/);
    assert.match(out, /server shutdown\(\)\s+->\s+1\s+SSL_ERROR_NONE\s+flags SENT\|RECEIVED/);
    assert.match(out, /client shutdown\(\)\s+->\s+1\s+SSL_ERROR_NONE\s+flags SENT\|RECEIVED/);
    // The order matters: client 0, server read 0, server 1, client 1.
    const steps = [...out.matchAll(/(client|server) (shutdown|read)\(\)\s+->\s+(-?\d+)/g)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
    assert.deepEqual(steps.slice(-4), ['client shutdown 0', 'server read 0', 'server shutdown 1', 'client shutdown 1']);
  });
});

/** The five TLS 1.3 NSS key log labels, one line each: `LABEL <64 hex client_random> <hex secret>`. */
const KEYLOG_LABELS = ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'EXPORTER_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_TRAFFIC_SECRET_0'];
function checkKeylog(file: string): string[] {
  assert.ok(existsSync(file), `${file} was not written`);
  assert.equal(statSync(file).mode & 0o777, 0o600, 'the key log file is owner-only');
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, 5, lines.join('\n'));
  for (const l of lines) assert.match(l, /^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]{64,96}$/);
  assert.deepEqual(lines.map((l) => l.split(' ')[0]).sort(), KEYLOG_LABELS);
  assert.equal(new Set(lines.map((l) => l.split(' ')[1])).size, 1, 'one client_random');
  return lines.sort();
}

describe('examples/minute (the README\'s "A connection in a minute")', function () {
  this.timeout(60_000);
  const minute = join('examples', 'minute', 'dist', 'main.js');

  it('the README snippet is the marked excerpt of examples/minute/main.ts, character for character', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const snippet = /## A connection in a minute\n[\s\S]*?```ts\n([\s\S]*?)```\n/.exec(readme)?.[1];
    assert.ok(snippet, 'no ts block under "A connection in a minute"');
    const source = readFileSync(join(repoRoot, 'examples', 'minute', 'main.ts'), 'utf8');
    const excerpt = /README excerpt: begin\n([\s\S]*?)\/\/ -+ README excerpt: end\n/.exec(source)?.[1];
    assert.equal(snippet, excerpt);
  });

  it('runs against the Node tls server it starts: TLSv1.3, the response, shutdown() -> 1, exit 0', () => {
    assert.ok(existsSync(join(repoRoot, minute)), `${minute} is missing: run tsc -b first`);
    const env = { ...process.env };
    delete env.SSLKEYLOGFILE;
    const r = spawnSync(process.execPath, [minute], { cwd: repoRoot, env, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, `exit ${r.status} ${r.signal ?? ''}\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^TLSv1\.3 TLS_\w+ \w+, ALPN http\/1\.1, verify X509_V_OK$/m);
    assert.match(r.stdout, /^HTTP\/1\.0 200 OK\r?$/m);
    assert.match(r.stdout, /hello from Node's tls, TLSv1\.3/);
    assert.match(r.stdout, /^shutdown\(\) -> 1 \(close_notify both ways\)$/m);
  });

  it('with SSLKEYLOGFILE set, appends the five NSS key log lines to it, mode 0600', () => {
    const dir = mkdtempSync(join(tmpdir(), 'memtls-keylog-'));
    try {
      const file = join(dir, 'keys.log');
      const r = spawnSync(process.execPath, [minute], { cwd: repoRoot, env: { ...process.env, SSLKEYLOGFILE: file }, encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.status, 0, r.stderr);
      checkKeylog(file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A spawned example with its output collected; `waitFor` resolves on the first stdout/stderr match. */
class Spawned {
  readonly proc: ChildProcess;
  out = '';
  err = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  constructor(args: string[], env: NodeJS.ProcessEnv = process.env) {
    this.proc = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(this.proc);
    this.proc.stdout?.on('data', (d: Buffer) => {
      this.out += d.toString();
    });
    this.proc.stderr?.on('data', (d: Buffer) => {
      this.err += d.toString();
    });
    this.exited = new Promise((res) => this.proc.once('close', (code, signal) => res({ code, signal })));
    void this.exited.then(() => running.delete(this.proc));
  }
  async waitFor(re: RegExp, ms = 20_000): Promise<RegExpMatchArray> {
    const end = Date.now() + ms;
    for (;;) {
      const m = re.exec(this.out) ?? re.exec(this.err);
      if (m) return m;
      if (Date.now() > end || this.proc.exitCode !== null) throw new Error(`no ${re} in:\n${this.out}\n${this.err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
const running = new Set<ChildProcess>();

describe('examples/node-server and examples/node-client', function () {
  this.timeout(60_000);
  afterEach(() => {
    for (const p of running) p.kill('SIGKILL');
  });

  const server = join('examples', 'node-server', 'dist', 'main.js');
  const client = join('examples', 'node-client', 'dist', 'main.js');

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`node-server: ${signal} removes the throwaway CA directory (it holds the CA key)`, async () => {
      const s = new Spawned([server, '--port', '0']);
      const ca = (await s.waitFor(/^CA for clients: (.+)$/m))[1] as string;
      const dir = dirname(ca);
      assert.ok(existsSync(join(dir, 'ca.key')), 'the CA key exists while the server runs');
      s.proc.kill(signal);
      const { code } = await s.exited;
      assert.equal(code, signal === 'SIGINT' ? 130 : 143);
      assert.equal(existsSync(dir), false, `${dir} is left behind`);
    });
  }

  it('node-client: a missing --ca file is a clear message and exit 2, not a stack trace', async () => {
    const c = new Spawned([client, 'localhost:9', '--ca', join(tmpdir(), 'memtls-no-such-dir', 'ca.pem')]);
    const { code } = await c.exited;
    assert.equal(code, 2);
    assert.match(c.err, /--ca \S+ca\.pem: no such file/);
    assert.match(c.err, /CA for clients/);
    assert.doesNotMatch(c.err, /\n\s+at /, 'no stack trace');
  });

  it('node-client: a refused certificate (fatal alert) is reported as an error, not as "close_notify both ways"; a good run is', async () => {
    const s = new Spawned([server, '--port', '0']);
    const ca = (await s.waitFor(/^CA for clients: (.+)$/m))[1] as string;
    const port = (await s.waitFor(/https:\/\/localhost:(\d+)\//))[1] as string;
    // A CA that did not sign the server's certificate: the client refuses the chain and sends a fatal alert.
    const other = mkdtempSync(join(tmpdir(), 'memtls-example-test-'));
    let bad: Spawned;
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=other CA', '-days', '1', '-keyout', join(other, 'k.pem'), '-out', join(other, 'ca.pem')], { stdio: 'ignore' });
      bad = new Spawned([client, `localhost:${port}`, '--ca', join(other, 'ca.pem')]);
      assert.equal((await bad.exited).code, 1);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
    assert.match(bad.err, /closed after an error \(ERR_MEMTLS_SSL\): no clean TLS close/);
    assert.doesNotMatch(bad.err, /close_notify both ways/);
    const good = new Spawned([client, `localhost:${port}`, '--ca', ca]);
    assert.equal((await good.exited).code, 0, good.err);
    assert.match(good.out, /"protocol": "TLSv1\.3"/);
    assert.match(good.err, /closed \(close_notify both ways\)/);
  });

  it('node-client reaches a TLS 1.2-only openssl s_server -tls1_2 -www: TLSv1.2, the status page, close_notify both ways', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memtls-example-tls12-'));
    try {
      const ossl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
      ossl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=tls12 test CA', '-days', '1', '-keyout', 'ca.key', '-out', 'ca.pem', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
      ossl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr']);
      writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n');
      ossl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'server.ext', '-out', 'server.pem']);
      const server = spawn('openssl', ['s_server', '-tls1_2', '-accept', '127.0.0.1:0', '-cert', join(dir, 'server.pem'), '-key', join(dir, 'server.key'), '-www', '-naccept', '1'], { stdio: ['pipe', 'pipe', 'pipe'] });
      running.add(server);
      let out = '';
      server.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
      });
      const end = Date.now() + 10_000;
      while (!/ACCEPT 127\.0\.0\.1:(\d+)/.test(out)) {
        if (Date.now() > end || server.exitCode !== null) throw new Error(`openssl s_server did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const port = /ACCEPT 127\.0\.0\.1:(\d+)/.exec(out)?.[1] as string;
      const c = new Spawned([client, `localhost:${port}`, '--ca', join(dir, 'ca.pem')]);
      assert.equal((await c.exited).code, 0, c.err);
      assert.match(c.err, /connected to localhost:\d+: TLSv1\.2 ECDHE-ECDSA-/);
      assert.match(c.out, /Protocol {2}: TLSv1\.2/, 'the s_server -www status page');
      assert.match(c.err, /closed \(close_notify both ways\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('SSLKEYLOGFILE: node-server and node-client each append the same five key log lines, mode 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memtls-keylog-'));
    try {
      const sFile = join(dir, 'server.log');
      const cFile = join(dir, 'client.log');
      const s = new Spawned([server, '--port', '0', '--once'], { ...process.env, SSLKEYLOGFILE: sFile });
      const ca = (await s.waitFor(/^CA for clients: (.+)$/m))[1] as string;
      const port = (await s.waitFor(/https:\/\/localhost:(\d+)\//))[1] as string;
      const c = new Spawned([client, `localhost:${port}`, '--ca', ca], { ...process.env, SSLKEYLOGFILE: cFile });
      assert.equal((await c.exited).code, 0, c.err);
      assert.equal((await s.exited).code, 0, s.err);
      // Both ends log the same secrets for the same connection.
      assert.deepEqual(checkKeylog(sFile), checkKeylog(cFile));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
