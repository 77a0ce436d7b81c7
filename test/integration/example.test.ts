/** The README's main example (`pnpm example`) runs to completion and prints the trace it documents. */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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
