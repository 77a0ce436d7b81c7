/**
 * The browser bundles: @memtls/core, and core + @memtls/websocket, bundled by esbuild for `platform:
 * 'browser'` must build without errors and without any `node:` module (as input or as external).
 */
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

async function bundle(contents: string): Promise<{ metafile: Metafile; bytes: number; errors: number }> {
  const r = await build({
    stdin: { contents, resolveDir: here, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return { metafile: r.metafile, bytes: (r.outputFiles[0] as { contents: Uint8Array }).contents.length, errors: r.errors.length };
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
});
