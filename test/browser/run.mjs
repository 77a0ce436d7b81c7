#!/usr/bin/env node
/**
 * Browser test runner: memtls in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core).
 * Run after `tsc -b`: `node test/browser/run.mjs`.
 *
 * It starts, on 127.0.0.1 only:
 * - a Node https server (test PKI from test/util/pki.ts): /hello, POST /echo, /truncate (drops TCP
 *   without close_notify);
 * - a Node tls echo server;
 * - the example relay (examples/browser-websocket/relay.ts): /https and /echo lead to those two, /refused
 *   to a port where nothing listens;
 * - Debian's websockify (a real WebSocket-to-TCP relay, `apt-get install -y websockify`), one process per
 *   target since it relays to a single host:port: the https server, the echo server, the closed port;
 * - an http server for the page, mocha's browser build and the esbuild bundle of test/browser/*.test.ts.
 * It prints the page's mocha output, the size of the production browser bundle, and a closing line
 * `browser: N passed, N failed, N skipped`. Exit status 1 if a test failed, if none passed, if Chromium is
 * missing, or after the deadline.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import { connect as netConnect, createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const DEADLINE_MS = 120_000;
const require = createRequire(import.meta.url);

const cleanups = [];
let exitCode = 1;

function summary(passes, failures, pending) {
  console.log(`browser: ${passes} passed, ${failures} failed, ${pending} skipped`);
}

async function cleanup() {
  for (const c of cleanups.reverse()) {
    try {
      await c();
    } catch {
      // best effort
    }
  }
}

const deadline = setTimeout(async () => {
  console.error(`browser: deadline of ${DEADLINE_MS} ms passed`);
  summary(0, 1, 0);
  await cleanup();
  process.exit(1);
}, DEADLINE_MS);

function listen(server) {
  return new Promise((res, rej) => {
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => res(server.address().port));
  });
}

function closeServer(server) {
  return new Promise((res) => {
    server.closeAllConnections?.();
    server.close(() => res());
  });
}

/** A port on 127.0.0.1 that was free a moment ago (bound to 0, then closed). */
async function freePort() {
  const server = netServer();
  const port = await listen(server);
  await new Promise((res) => server.close(() => res()));
  return port;
}

function canConnect(port) {
  return new Promise((res) => {
    const s = netConnect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      res(true);
    });
    s.on('error', () => res(false));
  });
}

const WEBSOCKIFY = process.env.WEBSOCKIFY ?? 'websockify';

/**
 * Debian's websockify relaying ws://127.0.0.1:<port>/ to 127.0.0.1:<targetPort>. It cannot listen on port 0,
 * so it gets a port that was just free (tried again on another one if it could not listen).
 */
async function startWebsockify(targetPort) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const output = [];
    const child = spawn(WEBSOCKIFY, [`127.0.0.1:${port}`, `127.0.0.1:${targetPort}`], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout.on('data', (d) => output.push(d));
    child.stderr.on('data', (d) => output.push(d));
    const exited = new Promise((res) => child.once('exit', (code) => res(code ?? 'signal')));
    const spawnError = new Promise((res) => child.once('error', (e) => res(e)));
    const stop = () => {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      try {
        process.kill(-child.pid, 'SIGTERM'); // its process group: websockify forks one process per connection
      } catch {
        child.kill('SIGTERM');
      }
      return exited;
    };
    for (let i = 0; i < 100; i++) {
      const early = await Promise.race([spawnError, exited, new Promise((res) => setTimeout(() => res(null), 50))]);
      if (early instanceof Error) throw new Error(`websockify could not start (${early.message}): apt-get install -y websockify, or set WEBSOCKIFY=/path`);
      if (early !== null) break;
      if (await canConnect(port)) {
        cleanups.push(stop);
        return `ws://127.0.0.1:${port}/`;
      }
    }
    await stop();
    console.log(`browser: websockify on port ${port} did not come up: ${Buffer.concat(output).toString().trim()}`);
  }
  throw new Error('websockify did not start after 3 attempts');
}

/** Node https server for the page's tests. */
async function startHttps(leaf) {
  const server = https.createServer({ cert: leaf.cert, key: leaf.key, minVersion: 'TLSv1.3' }, (req, res) => {
    if (req.url === '/hello') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '21' });
      res.end('hello from node https');
    } else if (req.url === '/echo' && req.method === 'POST') {
      const parts = [];
      req.on('data', (d) => parts.push(d));
      req.on('end', () => {
        const body = Buffer.concat(parts);
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length) });
        res.end(body);
      });
    } else if (req.url === '/truncate') {
      // Promise 1000 bytes, send 7, then drop the TCP connection: no close_notify.
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' });
      res.write('partial', () => setTimeout(() => req.socket.destroy(), 50));
    } else {
      res.writeHead(404, { 'content-length': '0' });
      res.end();
    }
  });
  server.on('tlsClientError', () => undefined);
  const port = await listen(server);
  cleanups.push(() => closeServer(server));
  return port;
}

/** Node tls echo server: echoes until the client's close_notify, then sends its own and closes. */
async function startEcho(leaf) {
  const sockets = new Set();
  const server = tls.createServer({ cert: leaf.cert, key: leaf.key, minVersion: 'TLSv1.3' }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    s.pipe(s);
  });
  server.on('tlsClientError', () => undefined);
  const port = await listen(server);
  cleanups.push(
    () =>
      new Promise((res) => {
        for (const s of sockets) s.destroy();
        server.close(() => res());
      }),
  );
  return port;
}

async function bundleTests() {
  const files = readdirSync(here)
    .filter((f) => f.endsWith('.test.ts'))
    .sort();
  if (files.length === 0) throw new Error('no test/browser/*.test.ts');
  const result = await build({
    stdin: { contents: files.map((f) => `import './${f}';`).join('\n'), resolveDir: here, sourcefile: 'browser-tests.js', loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: 'inline',
    write: false,
    logLevel: 'silent',
  });
  return { code: result.outputFiles[0].contents, files };
}

function page(config) {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>memtls browser tests</title></head>
<body><div id="mocha"></div>
<script>window.__memtls = ${JSON.stringify(config)};</script>
<script src="/mocha.js"></script>
<script>mocha.setup({ ui: 'bdd', reporter: 'spec', timeout: 20000 }); mocha.checkLeaks(false);</script>
<script type="module">
try {
  await import('/tests.js');
} catch (e) {
  console.log('import of the test bundle failed: ' + (e && e.stack || e));
  window.__mochaResult = { passes: 0, failures: 1, pending: 0 };
  throw e;
}
const runner = mocha.run();
runner.on('end', () => {
  window.__mochaResult = { passes: runner.stats.passes, failures: runner.stats.failures, pending: runner.stats.pending };
});
</script></body></html>`;
}

async function main() {
  const { chromium } = await import('playwright-core');
  try {
    readFileSync(CHROMIUM);
  } catch {
    console.error(`browser: Chromium not found at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM=/path)`);
    summary(0, 1, 0);
    return 1;
  }

  const { testPki } = await import(join(root, 'test/dist/util/pki.js'));
  const { startRelay } = await import(join(root, 'examples/browser-websocket/dist/relay.js'));
  const { browserBundle, clientAppBundle, summaryLine } = await import(join(root, 'packages/websocket/scripts/bundle.mjs'));

  const pki = testPki();
  const leaf = pki.leaves['ec-p256'];
  const httpsPort = await startHttps(leaf);
  const echoPort = await startEcho(leaf);
  const refusedPort = await freePort(); // nothing listens there: a relay's connection to it is refused
  const targets = { '/https': httpsPort, '/echo': echoPort, '/refused': refusedPort };

  const [tests, mochaJs] = await Promise.all([bundleTests(), Promise.resolve(readFileSync(join(dirname(require.resolve('mocha')), 'mocha.js')))]);
  const pageServer = createServer();
  const pagePort = await listen(pageServer);
  cleanups.push(() => closeServer(pageServer));
  const origin = `http://127.0.0.1:${pagePort}`;
  const relay = await startRelay({
    target: (path) => (targets[path] ? { host: '127.0.0.1', port: targets[path] } : null),
    origins: [origin],
  });
  cleanups.push(() => relay.close());

  const websockify = {
    name: 'websockify',
    https: await startWebsockify(httpsPort),
    echo: await startWebsockify(echoPort),
    refused: await startWebsockify(refusedPort),
  };
  const relays = [{ name: 'the example relay', https: `${relay.url}/https`, echo: `${relay.url}/echo`, refused: `${relay.url}/refused` }, websockify];
  const html = page({ relay: relay.url, relays, ca: pki.caCert, serverCert: leaf.cert, serverKey: leaf.key });
  pageServer.on('request', (req, res) => {
    const send = (type, body) => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.url === '/') send('text/html; charset=utf-8', html);
    else if (req.url === '/mocha.js') send('text/javascript', mochaJs);
    else if (req.url === '/tests.js') send('text/javascript', tests.code);
    else if (req.url === '/favicon.ico') {
      res.writeHead(204);
      res.end();
    } else {
      res.writeHead(404);
      res.end();
    }
  });

  const profile = mkdtempSync(join(tmpdir(), 'memtls-chromium-'));
  cleanups.push(() => rmSync(profile, { recursive: true, force: true }));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  cleanups.push(() => context.close());
  const tab = context.pages()[0] ?? (await context.newPage());
  // Keep the page's console lines in order (argument values are fetched asynchronously).
  let printing = Promise.resolve();
  tab.on('console', (msg) => {
    const args = msg.args();
    printing = printing.then(async () => {
      const values = await Promise.all(args.map((a) => a.jsonValue().catch(() => String(a))));
      console.log(values.length ? format(...values) : msg.text());
    });
  });
  tab.on('pageerror', (e) => {
    printing = printing.then(() => console.log(`page error: ${e.stack ?? e}`));
  });

  console.log(`browser: Chromium ${context.browser()?.version() ?? ''}, ${tests.files.length} test files (${tests.files.join(', ')})`);
  await tab.goto(`${origin}/`);
  await tab.waitForFunction(() => window.__mochaResult, null, { timeout: DEADLINE_MS - 10_000, polling: 100 });
  const result = await tab.evaluate(() => window.__mochaResult);
  await printing;

  const bundle = await browserBundle();
  console.log(summaryLine(bundle));
  console.log(summaryLine(await clientAppBundle(), 'client app over the /client entries'));
  summary(result.passes, result.failures, result.pending);
  return result.failures === 0 && result.passes > 0 ? 0 : 1;
}

try {
  exitCode = await main();
} catch (e) {
  console.error(`browser: runner failed: ${e?.stack ?? e}`);
  summary(0, 1, 0);
  exitCode = 1;
} finally {
  clearTimeout(deadline);
  await cleanup();
}
process.exit(exitCode);
