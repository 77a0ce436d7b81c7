#!/usr/bin/env node
/**
 * The browser bundle of @memtls/core + @memtls/websocket (+ @memtls/web-streams): esbuild, format esm,
 * platform browser, minified. Prints its size, its gzip size and what each package contributes.
 * Run after `tsc -b` (it bundles the built dist/): `pnpm bundle`, or `node packages/websocket/scripts/bundle.mjs`.
 * `--out FILE` also writes the bundle. test/browser/run.mjs imports `browserBundle` to print the same line.
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** What the bytes are, for the breakdown. */
const NOTES = {
  asn1js: 'ASN.1/DER parser used for X.509',
  '@peculiar/utils': "asn1js's byte helpers",
  pvtsutils: "asn1js's byte helpers",
  pvutils: "asn1js's byte helpers",
  '@noble/hashes': 'synchronous SHA-2, HMAC and HKDF in the core',
  '@noble/ciphers': 'ChaCha20-Poly1305 for the WebCrypto provider, which WebCrypto lacks',
};

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

/**
 * Build the bundle in memory.
 * @returns {Promise<{ code: Uint8Array, bytes: number, gzip: number, parts: Array<{ name: string, bytes: number, note?: string }>, externals: string[] }>}
 */
export async function browserBundle() {
  const result = await build({
    stdin: { contents: "export * from '@memtls/core';\nexport * from '@memtls/websocket';\n", resolveDir: pkgDir, loader: 'js', sourcefile: 'memtls-browser.js' },
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
  for (const [path, { bytesInOutput }] of Object.entries(out.inputs)) {
    if (!bytesInOutput) continue;
    const name = owner(path);
    byOwner.set(name, (byOwner.get(name) ?? 0) + bytesInOutput);
  }
  const parts = [...byOwner]
    .sort((a, b) => b[1] - a[1])
    .map(([name, bytes]) => (NOTES[name] ? { name, bytes, note: NOTES[name] } : { name, bytes }));
  return { code, bytes: code.length, gzip: gzipSync(code, { level: 9 }).length, parts, externals: out.imports.map((i) => i.path) };
}

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;

/** One line, for logs: "bundle: core+websocket (esm, browser, minified): N bytes, gzip N bytes". */
export function summaryLine(b) {
  return `bundle: @memtls/core + @memtls/websocket (esm, browser, minified): ${b.bytes} bytes (${kb(b.bytes)}), gzip ${b.gzip} bytes (${kb(b.gzip)})`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const b = await browserBundle();
  console.log(summaryLine(b));
  for (const p of b.parts) console.log(`  ${p.name.padEnd(22)} ${String(p.bytes).padStart(7)} bytes  ${((100 * p.bytes) / b.bytes).toFixed(1).padStart(5)}%${p.note ? `  (${p.note})` : ''}`);
  if (b.externals.length) console.log(`  externals: ${b.externals.join(', ')}`);
  const i = process.argv.indexOf('--out');
  if (i > 0 && process.argv[i + 1]) {
    writeFileSync(process.argv[i + 1], b.code);
    console.log(`  written to ${process.argv[i + 1]}`);
  }
}
