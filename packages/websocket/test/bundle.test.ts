/**
 * The browser bundles: @memtls/core, and core + @memtls/websocket, bundled by esbuild for `platform:
 * 'browser'` must build without errors and without any `node:` module (as input or as external). The
 * client-app bundle (scripts/bundle.mjs `CLIENT_APP`, over the `/client` entries) must hold no server handshake
 * code and stay under `CLIENT_APP_GZIP_CEILING`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { WebSocket } from 'ws';
import { relayTo, stopAll, testCa, tlsServer } from './peers.js';

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = join(here, '..', '..');

/** The client app's gzip ceiling in bytes: 74.9 KiB (76,745 bytes) when it was set, plus a little room. */
const CLIENT_APP_GZIP_CEILING = 80_000;

/**
 * Strings that only the server handshake (core/src/handshake/server/) contains: the errors and state names of
 * the server's ClientHello, TLS 1.2 and early-data handling.
 */
const SERVER_MARKERS = [
  'ClientHello legacy_version is not TLS',
  'the client does not offer null compression',
  'pre_shared_key is not the last extension',
  'expect-client-hello-2',
  'expect-client-key-exchange-12',
  'EndOfEarlyData with a body',
];

/** The script's client app source (scripts/bundle.mjs is plain JS, loaded at run time). */
async function clientApp(): Promise<string> {
  const script = (await import(pathToFileURL(join(pkgDir, 'scripts', 'bundle.mjs')).href)) as { CLIENT_APP: string };
  return script.CLIENT_APP;
}

async function bundle(contents: string): Promise<{ metafile: Metafile; bytes: number; errors: number; code: string; gzip: number }> {
  const r = await build({
    stdin: { contents, resolveDir: here, loader: 'js' },
    target: 'es2022',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const out = (r.outputFiles[0] as { contents: Uint8Array }).contents;
  return { metafile: r.metafile, bytes: out.length, errors: r.errors.length, code: new TextDecoder().decode(out), gzip: gzipSync(out, { level: 9 }).length };
}

function nodeImports(m: Metafile): string[] {
  const found: string[] = [];
  for (const [file, input] of Object.entries(m.inputs)) {
    if (file.startsWith('node:')) found.push(file);
    for (const imp of input.imports) if (imp.path.startsWith('node:') || imp.external) found.push(`${file} -> ${imp.path}`);
  }
  for (const out of Object.values(m.outputs)) for (const imp of out.imports) found.push(`external ${imp.path}`);
  return found;
}

describe('bundle: esbuild, platform browser', function () {
  this.timeout(30_000);

  it('@memtls/core bundles with no node: module and no externals', async () => {
    const b = await bundle("export * from '@memtls/core';");
    assert.equal(b.errors, 0);
    assert.deepEqual(nodeImports(b.metafile), []);
    assert.ok(Object.keys(b.metafile.inputs).some((f) => f.includes('core/dist/ssl.js')), 'the core itself is in the bundle');
  });

  it('@memtls/core + @memtls/websocket bundle with no node: module and no externals', async () => {
    const b = await bundle("export * from '@memtls/core'; export * from '@memtls/websocket';");
    assert.equal(b.errors, 0);
    assert.deepEqual(nodeImports(b.metafile), []);
    assert.ok(b.bytes > 10_000);
  });

  it('the check is real: a node: import fails a browser bundle', async () => {
    await assert.rejects(bundle("import { readFileSync } from 'node:fs'; export { readFileSync };"), /node:fs/);
  });

  describe('the client app (the /client entries)', () => {
    const markersIn = (code: string): string[] => SERVER_MARKERS.filter((m) => code.includes(m));

    it('the markers are real: the full bundle holds every one of them', async () => {
      const b = await bundle("export * from '@memtls/core'; export * from '@memtls/websocket';");
      assert.deepEqual(markersIn(b.code), SERVER_MARKERS);
    });

    it('holds no server handshake code (no marker; only constants from handshake/server/) and no node: import', async () => {
      const b = await bundle(await clientApp());
      assert.equal(b.errors, 0);
      assert.deepEqual(markersIn(b.code), []);
      // Only constants may come from handshake/server/ (ssl/read.ts sizes its reads with the NewSessionTicket
      // length from server/tickets13.ts): a few bytes, never a function.
      const out = Object.values(b.metafile.outputs)[0] as Metafile['outputs'][string];
      const serverBytes = Object.entries(out.inputs).filter(([f]) => f.includes('/handshake/server/')).reduce((n, [, i]) => n + i.bytesInOutput, 0);
      assert.ok(serverBytes <= 16, `${serverBytes} bytes from core/handshake/server/`);
      assert.deepEqual(nodeImports(b.metafile), []);
      assert.ok(b.code.includes('expect-server-hello') || b.code.includes('ServerHello'), 'the client handshake is there');
    });

    it(`stays under ${CLIENT_APP_GZIP_CEILING} bytes gzip`, async () => {
      const b = await bundle(await clientApp());
      assert.ok(b.gzip < CLIENT_APP_GZIP_CEILING, `client app: ${b.gzip} bytes gzip (ceiling ${CLIENT_APP_GZIP_CEILING})`);
    });

    it('works as bundled: the minified client app fetches a page through the relay from a Node tls server', async () => {
      const { port } = await tlsServer((s) => {
        s.once('data', () => s.end('HTTP/1.1 200 OK\r\ncontent-length: 16\r\nconnection: close\r\n\r\nclient app works'));
      });
      const relay = await relayTo({ host: '127.0.0.1', port });
      const dir = mkdtempSync(join(tmpdir(), 'memtls-client-app-'));
      const g = globalThis as { WebSocket?: unknown };
      const saved = g.WebSocket;
      try {
        const file = join(dir, 'client-app.mjs');
        writeFileSync(file, (await bundle(await clientApp())).code);
        const app = (await import(pathToFileURL(file).href)) as { get: (url: string, ca: string, host: string, path: string) => Promise<string> };
        g.WebSocket = WebSocket; // the page's WebSocket
        const page = await app.get(relay.url, testCa(), 'localhost', '/');
        assert.match(page, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nclient app works$/);
      } finally {
        g.WebSocket = saved;
        rmSync(dir, { recursive: true, force: true });
        await stopAll();
      }
    });

    for (const [what, extra] of [
      ['@memtls/core', "import '@memtls/core';"],
      ['@memtls/websocket', "export { TlsWebSocket as Full } from '@memtls/websocket';"],
    ] as const) {
      it(`the check fails when the app also imports the main entry ${what}`, async () => {
        const b = await bundle(`${await clientApp()}\n${extra}\n`);
        assert.deepEqual(markersIn(b.code), SERVER_MARKERS);
      });
    }
  });

  describe('the /client entries in Node', () => {
    /** Make a TlsWebSocket with a server context in a fresh Node (the role registry is per process). */
    const serverFrom = (entry: string): string =>
      execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { TlsWebSocket } from '${entry}';
           const socket = { binaryType: 'arraybuffer', readyState: 0, addEventListener() {}, removeEventListener() {}, send() {}, close() {} };
           try { new TlsWebSocket(socket, { context: { role: 'server' } }); console.log('ok'); } catch (e) { console.log(e.constructor.name + ': ' + e.message); }`,
        ],
        { cwd: pkgDir, encoding: 'utf8' },
      ).trim();

    it("@memtls/websocket/client: a server context is a TypeError naming the entry to import", () => {
      assert.match(serverFrom('@memtls/websocket/client'), /^TypeError: SslContext: the server role is not loaded/);
    });

    it('@memtls/websocket: the server role is there (the context asks for a certificate instead)', () => {
      assert.match(serverFrom('@memtls/websocket'), /^TypeError: SslContext: a server needs cert and key/);
    });
  });
});
