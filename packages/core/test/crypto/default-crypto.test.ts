/**
 * The default provider (`#default-crypto` in packages/core/package.json "imports"): a context given no `crypto`
 * option uses node:crypto under Node, and the core bundled for browsers (esbuild, platform 'browser') resolves it to
 * the WebCrypto default and holds no `node:` import at all. The core has no `node:` import anywhere: the provider
 * takes node:crypto from `process.getBuiltinModule`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWebCryptoProvider, SslContext } from '@memtls/core';
import { createNodeCryptoProvider } from '@memtls/core/node-crypto';
import { build, type Metafile, type Platform } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

async function bundle(platform: Platform): Promise<{ metafile: Metafile; text: string }> {
  const r = await build({
    stdin: { contents: "export * from '@memtls/core';", resolveDir: here, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return { metafile: r.metafile, text: new TextDecoder().decode((r.outputFiles[0] as { contents: Uint8Array }).contents) };
}

/** Every `node:` module the bundle takes in or leaves external. */
function nodeImports(m: Metafile): string[] {
  const found: string[] = [];
  for (const [file, input] of Object.entries(m.inputs)) {
    if (file.startsWith('node:')) found.push(file);
    for (const imp of input.imports) if (imp.path.startsWith('node:')) found.push(`${file} -> ${imp.path}`);
  }
  for (const out of Object.values(m.outputs)) for (const imp of out.imports) if (imp.path.startsWith('node:')) found.push(`external ${imp.path}`);
  return found;
}

describe('crypto/default-crypto: the default provider by platform', function () {
  this.timeout(60_000);

  it('under Node, a context given no crypto option uses the node:crypto provider (synchronous, with sealSync)', async () => {
    const ctx = new SslContext({ role: 'client', verifyPeer: false });
    assert.equal(ctx.provider.synchronous, true);
    assert.equal(typeof ctx.provider.hashSync, 'function');
    const key = await ctx.provider.importAeadKey('AES-128-GCM', new Uint8Array(16));
    assert.equal(typeof key.sealSync, 'function');
    assert.equal(typeof key.openSync, 'function');
    // One shared provider for every context left to the default.
    assert.equal(new SslContext({ role: 'client', verifyPeer: false, alpn: ['h2'] }).provider, ctx.provider);
    // The same algorithm as createNodeCryptoProvider's, byte for byte.
    const other = await createNodeCryptoProvider().importAeadKey('AES-128-GCM', new Uint8Array(16));
    const nonce = new Uint8Array(12);
    assert.deepEqual(await key.seal(nonce, new Uint8Array(0), Uint8Array.of(1, 2, 3)), await other.seal(nonce, new Uint8Array(0), Uint8Array.of(1, 2, 3)));
  });

  it('a crypto option given is used as it is', () => {
    const web = createWebCryptoProvider(globalThis.crypto);
    assert.equal(new SslContext({ role: 'client', verifyPeer: false, crypto: web }).provider, web);
    assert.notEqual(new SslContext({ role: 'client', verifyPeer: false, crypto: globalThis.crypto }).provider.synchronous, true);
  });

  it('the core bundled for browsers holds no node: import and not the node:crypto provider', async () => {
    const b = await bundle('browser');
    assert.deepEqual(nodeImports(b.metafile), []);
    assert.doesNotMatch(b.text, /["']node:/);
    const inputs = Object.keys(b.metafile.inputs);
    assert.ok(inputs.some((f) => f.endsWith('core/dist/crypto/default-crypto.js')), 'the WebCrypto default is in the bundle');
    assert.ok(!inputs.some((f) => f.endsWith('node-crypto-provider.js')), 'the node:crypto provider is not');
  });

  it('bundled for Node, the core takes the node:crypto provider instead, still with no node: import', async () => {
    const b = await bundle('node');
    assert.ok(Object.keys(b.metafile.inputs).some((f) => f.endsWith('core/dist/crypto/node-crypto-provider.js')), 'the "node" condition picks the provider');
    assert.deepEqual(nodeImports(b.metafile), []);
    assert.match(b.text, /getBuiltinModule/, 'it asks the running Node for node:crypto');
  });

  it('the node:crypto provider outside Node (no process.getBuiltinModule) fails to load with a TypeError that says so', () => {
    const script = "delete process.getBuiltinModule; import('@memtls/core/node-crypto').then(() => console.log('loaded'), (e) => console.log(e.name + ': ' + e.message));";
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: here, encoding: 'utf8' });
    assert.match(out, /^TypeError: memtls: the node:crypto provider needs Node >= 20\.16/);
  });
});
