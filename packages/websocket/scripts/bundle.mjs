#!/usr/bin/env node
/**
 * The browser bundles, built by esbuild (format esm, platform browser, target es2022, minified):
 * - full: `export *` of @memtls/core + @memtls/websocket (everything, both handshake roles);
 * - client app: `CLIENT_APP`, a small app that connects over a WebSocket with the client entries
 *   (@memtls/websocket/client, @memtls/core/client), as a browser client would ship it.
 * Prints each one's minified and gzip size, what each package contributes, and (`--modules`) the client app's
 * largest modules. Run after `tsc -b` (it bundles the built dist/): `pnpm bundle`, or
 * `node packages/websocket/scripts/bundle.mjs [--modules] [--out FILE] [--out-client FILE]`.
 * test/browser/run.mjs imports `browserBundle` and `summaryLine`; the bundle test imports `clientAppBundle`.
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** What the bytes are, for the breakdown. */
const NOTES = {
  '@noble/hashes': 'synchronous SHA-2, HMAC and HKDF in the core',
  '@noble/ciphers': 'ChaCha20-Poly1305 for the WebCrypto provider, which WebCrypto lacks',
  '@noble/post-quantum': 'ML-KEM-768 for the hybrid groups X25519MLKEM768 / SecP256r1MLKEM768',
  '@noble/curves': "ML-KEM's byte helpers",
};

/** The full surface: every export of the core and the WebSocket adapter. */
export const FULL = "export * from '@memtls/core';\nexport * from '@memtls/websocket';\n";

/** A client-only browser app: TLS to a server through a WebSocket relay, from the client entries. */
export const CLIENT_APP = `import { SslContext } from '@memtls/core/client';
import { TlsWebSocket } from '@memtls/websocket/client';
export async function get(url, ca, host, path) {
  const context = new SslContext({ role: 'client', ca, alpn: ['http/1.1'] });
  const tls = await TlsWebSocket.connect(url, { context, serverName: host });
  await tls.write('GET ' + path + ' HTTP/1.1\\r\\nHost: ' + host + '\\r\\nConnection: close\\r\\n\\r\\n');
  const parts = [];
  for await (const chunk of tls) parts.push(chunk);
  await tls.end();
  return new Blob(parts).text();
}
`;

/** Group an esbuild input path by package: node_modules/<pkg> or packages/<name>. */
function owner(path) {
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? path);
  }
  const m = /(?:^|\/)packages\/([^/]+)\//.exec(path) ?? /^\.\.\/([^/]+)\//.exec(path);
  return m ? `@memtls/${m[1]}` : path;
}

/** A readable module name: `core/handshake/client/tls13.js`, `@noble/hashes/sha2.js`. */
function moduleName(path) {
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) return path.slice(nm + 'node_modules/'.length);
  const m = /(?:^|\/)packages\/([^/]+)\/dist\/(.*)$/.exec(path) ?? /^\.\.\/([^/]+)\/dist\/(.*)$/.exec(path);
  return m ? `${m[1]}/${m[2]}` : path;
}

/**
 * Build one bundle in memory.
 * @param {string} contents the entry module's source
 * @param {string} sourcefile its name
 * @returns {Promise<{ code: Uint8Array, bytes: number, gzip: number, parts: Array<{ name: string, bytes: number, note?: string }>, modules: Array<{ name: string, bytes: number }>, inputs: string[], externals: string[] }>}
 */
export async function bundleOf(contents, sourcefile) {
  const result = await build({
    stdin: { contents, resolveDir: pkgDir, loader: 'js', sourcefile },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  const out = Object.values(result.metafile.outputs)[0];
  const byOwner = new Map();
  const modules = [];
  for (const [path, { bytesInOutput }] of Object.entries(out.inputs)) {
    if (!bytesInOutput) continue;
    const name = owner(path);
    byOwner.set(name, (byOwner.get(name) ?? 0) + bytesInOutput);
    modules.push({ name: moduleName(path), bytes: bytesInOutput });
  }
  modules.sort((a, b) => b.bytes - a.bytes);
  const parts = [...byOwner]
    .sort((a, b) => b[1] - a[1])
    .map(([name, bytes]) => (NOTES[name] ? { name, bytes, note: NOTES[name] } : { name, bytes }));
  return {
    code,
    bytes: code.length,
    gzip: gzipSync(code, { level: 9 }).length,
    parts,
    modules,
    inputs: Object.keys(result.metafile.inputs),
    externals: out.imports.map((i) => i.path),
  };
}

/** The full bundle: @memtls/core + @memtls/websocket, every export. */
export function browserBundle() {
  return bundleOf(FULL, 'memtls-browser.js');
}

/** The client-app bundle: `CLIENT_APP` over the client entries. */
export function clientAppBundle() {
  return bundleOf(CLIENT_APP, 'client-app.js');
}

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;

/** One line, for logs: "bundle: <what> (esm, browser, minified): N bytes, gzip N bytes". */
export function summaryLine(b, what = '@memtls/core + @memtls/websocket') {
  return `bundle: ${what} (esm, browser, minified): ${b.bytes} bytes (${kb(b.bytes)}), gzip ${b.gzip} bytes (${kb(b.gzip)})`;
}

function printParts(b) {
  for (const p of b.parts) console.log(`  ${p.name.padEnd(22)} ${String(p.bytes).padStart(7)} bytes  ${((100 * p.bytes) / b.bytes).toFixed(1).padStart(5)}%${p.note ? `  (${p.note})` : ''}`);
  if (b.externals.length) console.log(`  externals: ${b.externals.join(', ')}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const full = await browserBundle();
  console.log(summaryLine(full));
  printParts(full);
  const client = await clientAppBundle();
  console.log(summaryLine(client, 'client app over @memtls/core/client + @memtls/websocket/client'));
  printParts(client);
  if (process.argv.includes('--modules')) {
    console.log('  client app, largest modules (minified bytes):');
    for (const m of client.modules.slice(0, 40)) console.log(`    ${String(m.bytes).padStart(7)}  ${m.name}`);
  }
  for (const [flag, b] of [
    ['--out', full],
    ['--out-client', client],
  ]) {
    const file = arg(flag);
    if (file) {
      writeFileSync(file, b.code);
      console.log(`  written to ${file}`);
    }
  }
}
