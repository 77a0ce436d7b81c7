/**
 * scripts/check-layers.mjs (run by `pnpm lint`): each import-boundary rule catches a violation in a small
 * repository tree made in a temporary directory, a tree that keeps every rule passes, and every violation is
 * reported (not only the first) with exit status 1.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** From test/dist/layers/ (where this file runs) to scripts/. */
const SCRIPT = fileURLToPath(new URL('../../../scripts/check-layers.mjs', import.meta.url));

const manifest = (name: string, exports: Record<string, string> = { '.': './dist/index.js' }): string => JSON.stringify({ name, type: 'module', exports });

/** A small repository where every rule holds: files on several layers, allowed bare imports, a tricky parse. */
const CLEAN: Record<string, string> = {
  'packages/core/package.json': manifest('@memtls/core'),
  'packages/core/src/der/reader.ts': 'export const der = 1;\n',
  'packages/core/src/errors/ssl-error.ts': "import { der } from '../der/reader.js';\nexport const e = der;\n",
  'packages/core/src/wire/bytes.ts': "import { e } from '../errors/ssl-error.js';\nexport const w = e;\n",
  'packages/core/src/crypto/hash.ts': [
    "import { sha256 } from '@noble/hashes/sha2.js';",
    "import * as chacha from '@noble/ciphers/chacha.js';",
    '// import { readFileSync } from \'node:fs\'; (a comment is not an import)',
    "/* import '../ssl.js'; */",
    "import {\n  type w as W,\n  w,\n} from '../wire/bytes.js';",
    "export const text = 'import x from \"node:fs\"';",
    'export const h = [sha256, chacha, w];',
    'export type T = typeof W;',
  ].join('\n'),
  'packages/core/src/handshake/client.ts': "import type { h } from '../crypto/hash.js';\nexport type C = typeof h;\n",
  'packages/core/src/engine/engine.ts': "export * from '../handshake/client.js';\n",
  'packages/core/src/ssl.ts': "import '../src/engine/engine.js';\nexport const ssl = await import('./engine/engine.js');\n",
  'packages/core/src/driver/driver.ts': "import { ssl } from '../ssl.js';\nexport const d = ssl;\n",
  'packages/core/src/index.ts': "export { ssl } from './ssl.js';\nexport { d } from './driver/driver.js';\n",
  'packages/node/package.json': manifest('@memtls/node'),
  'packages/node/src/index.ts': `import { createHash } from 'node:crypto';\nimport { ssl } from '@memtls/core';\nexport const n = [createHash, ssl];\n${'// filler\n'.repeat(447)}`,
  'packages/cli/package.json': manifest('@memtls/cli'),
  'packages/cli/src/main.ts': "import { n } from '@memtls/node';\nexport const m = n;\n",
};

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'memtls-layers-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function run(files: Record<string, string>): { status: number | null; out: string } {
  const root = tree(files);
  try {
    const r = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8' });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The tree with `changes` applied, checked: exit status 1 and one message matching each of `expected`. */
function assertCaught(changes: Record<string, string>, ...expected: RegExp[]): void {
  const { status, out } = run({ ...CLEAN, ...changes });
  assert.equal(status, 1, out);
  for (const re of expected) assert.match(out, re);
}

describe('check-layers (pnpm lint): import boundaries', () => {
  it('a tree that keeps every rule passes (comments, strings and type imports parsed right; 450 lines is within the limit)', () => {
    const { status, out } = run(CLEAN);
    assert.equal(status, 0, out);
    assert.match(out, /the import boundaries hold/);
  });

  it('a node: import in packages/core/src', () => {
    assertCaught({ 'packages/core/src/wire/io.ts': "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n" }, /packages\/core\/src\/wire\/io\.ts:1: 'node:fs': packages\/core\/src imports no node: module/);
  });

  it('a bare import in packages/core/src other than @noble/*', () => {
    assertCaught({ 'packages/core/src/wire/x.ts': "export { x } from 'left-pad';\n" }, /wire\/x\.ts:1: 'left-pad': packages\/core\/src imports only @noble\/\*$/m);
  });

  it('an import running up the layers (wire importing handshake; handshake importing engine by type)', () => {
    assertCaught(
      {
        'packages/core/src/wire/up.ts': "import { C } from '../handshake/client.js';\nexport const u: C | null = null;\n",
        'packages/core/src/handshake/role.ts': "import type { X } from '../engine/engine.js';\nexport type R = X;\n",
      },
      /wire\/up\.ts:1: '\.\.\/handshake\/client\.js' runs up the layers: wire \(layer 0\) imports handshake \(layer 2\)/,
      /handshake\/role\.ts:1: '\.\.\/engine\/engine\.js' runs up the layers: handshake \(layer 2\) imports engine \(layer 3\)/,
    );
  });

  it('an import cycle between two files of one module, also through a type-only import', () => {
    assertCaught(
      {
        'packages/core/src/crypto/a.ts': "import { b } from './b.js';\nexport const a = b;\n",
        'packages/core/src/crypto/b.ts': "import type { a } from './a.js';\nexport const b = 1 as unknown as typeof a;\n",
      },
      /import cycle in packages\/core\/src: crypto\/a\.ts -> crypto\/b\.ts -> crypto\/a\.ts/,
    );
  });

  it('SSL_CTX and SSL may name each other by type only (TYPE_ONLY_EDGES); a value import from the context to the Ssl is a cycle', () => {
    const ctx = "import type { Ssl } from './ssl.js';\nexport type Owner = Ssl;\nexport const ctx = 1;\n";
    const ssl = "import type { ctx } from './ssl-context.js';\nexport type C = typeof ctx;\nexport const ssl = 1;\n";
    const ok = run({ ...CLEAN, 'packages/core/src/ssl-context.ts': ctx, 'packages/core/src/ssl.ts': ssl });
    assert.equal(ok.status, 0, ok.out);
    assertCaught({ 'packages/core/src/ssl-context.ts': ctx.replace('import type', 'import'), 'packages/core/src/ssl.ts': ssl }, /import cycle in packages\/core\/src: ssl(-context)?\.ts -> ssl(-context)?\.ts/);
  });

  it('an import cycle between two modules of one layer without a file cycle (errors -> wire -> errors)', () => {
    const { out } = run({ ...CLEAN, 'packages/core/src/errors/reasons.ts': "import { w } from '../wire/bytes.js';\nexport const r = w;\n" });
    assert.doesNotMatch(out, /import cycle in packages\/core\/src:/);
    assertCaught({ 'packages/core/src/errors/reasons.ts': "import { w } from '../wire/bytes.js';\nexport const r = w;\n" }, /import cycle between the modules of packages\/core\/src: errors -> wire -> errors/);
  });

  it('a module that is not in the layer table', () => {
    assertCaught({ 'packages/core/src/misc/util.ts': 'export const u = 1;\n' }, /packages\/core\/src\/misc\/util\.ts: 'misc' is not in CORE_LAYERS/);
  });

  it('a file of packages/*/src over 450 lines', () => {
    assertCaught({ 'packages/node/src/big.ts': 'export const x = 1;\n'.repeat(451) }, /packages\/node\/src\/big\.ts: 451 lines, over the 450-line limit/);
  });

  it("a package importing another's internals, by name or by a relative path", () => {
    assertCaught(
      {
        'packages/node/src/deep.ts': "import { Engine } from '@memtls/core/dist/engine/engine.js';\nexport const e = Engine;\n",
        'packages/node/src/rel.ts': "import { ssl } from '../../core/src/ssl.js';\nexport const s = ssl;\n",
      },
      /node\/src\/deep\.ts:1: '@memtls\/core\/dist\/engine\/engine\.js' is not exported by @memtls\/core/,
      /node\/src\/rel\.ts:1: '\.\.\/\.\.\/core\/src\/ssl\.js' reaches outside packages\/node\/src/,
    );
  });

  it('a package importing one of a higher layer (the core importing an adapter, an adapter importing the CLI)', () => {
    assertCaught(
      {
        'packages/core/src/ssl/adapter.ts': "import { n } from '@memtls/node';\nexport const a = n;\n",
        'packages/node/src/cli.ts': "import { m } from '@memtls/cli';\nexport const c = m;\n",
      },
      /core\/src\/ssl\/adapter\.ts:1: '@memtls\/node' runs up the package layers: core \(layer 1\) imports node \(layer 2\)/,
      /node\/src\/cli\.ts:1: '@memtls\/cli' runs up the package layers: node \(layer 2\) imports cli \(layer 4\)/,
    );
  });

  it('reports every violation, not only the first', () => {
    const { status, out } = run({
      ...CLEAN,
      'packages/core/src/wire/io.ts': "import 'node:fs';\n",
      'packages/node/src/big.ts': 'export const x = 1;\n'.repeat(460),
    });
    assert.equal(status, 1);
    assert.match(out, /check-layers: 2 violations/);
  });
});
