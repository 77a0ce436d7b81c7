/**
 * One command for the browser example: a TLS server, the WebSocket-to-TCP relay and the page, all on
 * 127.0.0.1; prints the URL to open.
 *
 *   node examples/browser-websocket/dist/main.js [--port N] [--server node|openssl]
 *   node examples/browser-websocket/dist/main.js --target 127.0.0.1:4433 --ca ca.pem [--servername NAME]
 *
 * --server node     (default) a Node https server with a test PKI made by the openssl CLI
 * --server openssl  `openssl s_server -www` with the same PKI (it answers GET / with its session details)
 * --target H:P      an existing TLS server on a loopback address; --ca is then the PEM that signs its chain
 * --port N          the page's port (default 8080; 0 picks a free one)
 * --check           load the page in headless Chromium (/usr/bin/chromium), print what it shows, and exit
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { startRelay } from './relay.js';

const here = dirname(fileURLToPath(import.meta.url));
const pageDir = resolve(here, '..', 'page');

interface Pki {
  dir: string;
  caCert: string;
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
}

/** A root CA and a P-256 server leaf for localhost / 127.0.0.1, made with the openssl CLI. */
function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'memtls-browser-example-'));
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  run(['genpkey', ...ec, '-out', 'ca.key']);
  run(['req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=memtls example root', '-days', '7', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign', '-out', 'ca.pem']);
  run(['genpkey', ...ec, '-out', 'server.key']);
  run(['req', '-new', '-key', 'server.key', '-subj', '/CN=localhost', '-out', 'server.csr']);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n');
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '7', '-extfile', 'server.ext', '-out', 'server.pem']);
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return { dir, caCert: read('ca.pem'), cert: read('server.pem'), key: read('server.key'), certPath: join(dir, 'server.pem'), keyPath: join(dir, 'server.key') };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((res, rej) => {
    server.once('error', rej);
    server.listen(port, '127.0.0.1', () => {
      const a = server.address();
      res(a !== null && typeof a === 'object' ? a.port : port);
    });
  });
}

async function nodeHttps(pki: Pki): Promise<{ port: number; stop(): void }> {
  const server = https.createServer({ cert: pki.cert, key: pki.key, minVersion: 'TLSv1.3' }, (req, res) => {
    const s = req.socket as import('node:tls').TLSSocket;
    const body = [
      'Hello from a Node https server.',
      `You asked for ${req.method} ${req.url} over ${s.getProtocol()} with ${s.getCipher().standardName}.`,
      `Server time: ${new Date().toISOString()}`,
      '',
    ].join('\n');
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
    res.end(body);
  });
  server.on('tlsClientError', () => undefined);
  const port = await listen(server, 0);
  return { port, stop: () => server.close() };
}

async function opensslWww(pki: Pki): Promise<{ port: number; stop(): void }> {
  const proc: ChildProcess = spawn('openssl', ['s_server', '-www', '-accept', '127.0.0.1:0', '-cert', pki.certPath, '-key', pki.keyPath], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((res, rej) => {
    let out = '';
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ACCEPT 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) res(Number(m[1]));
    });
    proc.once('exit', (code) => rej(new Error(`openssl s_server exited (${code})`)));
  });
  return { port, stop: () => proc.kill() };
}

async function check(url: string): Promise<number> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'memtls-example-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, { executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-dev-shm-usage'] });
  try {
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    await page.goto(`${url}?auto`);
    await page.waitForFunction(() => /closed:|failed:/.test(document.getElementById('log')?.textContent ?? ''), null, { timeout: 20_000 });
    const log = await page.textContent('#log');
    const response = await page.textContent('#response');
    console.log(`--- log\n${log}--- response (first 400 chars)\n${(response ?? '').slice(0, 400)}`);
    return log?.includes('closed:') ? 0 : 1;
  } finally {
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      server: { type: 'string', default: 'node' },
      target: { type: 'string' },
      ca: { type: 'string' },
      servername: { type: 'string', default: 'localhost' },
      check: { type: 'boolean', default: false },
    },
  });
  const stops: Array<() => void | Promise<void>> = [];
  let target: { host: string; port: number };
  let ca: string;
  if (values.target) {
    const m = /^(.+):(\d+)$/.exec(values.target);
    if (!m || !values.ca) throw new Error('--target needs HOST:PORT and --ca FILE');
    target = { host: m[1] as string, port: Number(m[2]) };
    ca = readFileSync(values.ca, 'utf8');
  } else {
    const pki = makePki();
    stops.push(() => rmSync(pki.dir, { recursive: true, force: true }));
    const tlsServer = values.server === 'openssl' ? await opensslWww(pki) : await nodeHttps(pki);
    stops.push(tlsServer.stop);
    target = { host: '127.0.0.1', port: tlsServer.port };
    ca = pki.caCert;
    console.log(`TLS server (${values.server === 'openssl' ? 'openssl s_server -www' : 'Node https'}) on 127.0.0.1:${tlsServer.port}`);
  }

  const app = await build({
    entryPoints: [join(pageDir, 'app.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const appJs = (app.outputFiles[0] as { contents: Uint8Array }).contents;
  const html = readFileSync(join(pageDir, 'index.html'));

  const pageServer = createServer();
  const pagePort = await listen(pageServer, Number(values.port));
  stops.push(() => {
    pageServer.closeAllConnections();
    pageServer.close();
  });
  const origin = `http://127.0.0.1:${pagePort}`;
  const relay = await startRelay({ target, origins: [origin, `http://localhost:${pagePort}`], log: (l) => console.log(`relay: ${l}`) });
  stops.push(() => relay.close());
  const config = JSON.stringify({ relay: relay.url, target: `${target.host}:${target.port}`, ca, serverName: values.servername });
  pageServer.on('request', (req, res) => {
    const send = (type: string, body: string | Uint8Array) => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.url === '/' || req.url?.startsWith('/?')) send('text/html; charset=utf-8', html);
    else if (req.url === '/app.js') send('text/javascript', appJs);
    else if (req.url === '/config.json') send('application/json', config);
    else {
      res.writeHead(404);
      res.end();
    }
  });
  console.log(`relay ${relay.url} -> ${target.host}:${target.port}`);
  console.log(`page: ${origin}/  (browser bundle ${appJs.length} bytes)`);

  const stopAll = async () => {
    for (const s of stops.reverse()) await s();
  };
  if (values.check) {
    const code = await check(`${origin}/`);
    await stopAll();
    process.exit(code);
  }
  console.log('Ctrl-C to stop');
  // Ctrl-C or a kill: stop the servers and remove the PKI directory (it holds the CA key).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void stopAll().then(() => process.exit(0));
    });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
