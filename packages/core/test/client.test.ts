/**
 * The client entry (`@memtls/core/client`): the same API with the client role only. The role registry is
 * process-wide and this mocha process has loaded `@memtls/core` already, so each case runs in a fresh Node.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Run an ES module in a fresh Node inside packages/core (so `@memtls/core` resolves) and return its stdout. */
function run(source: string): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', source], { cwd: pkgDir, encoding: 'utf8' }).trim();
}

/** What `new SslContext({ role })` throws (or 'ok'), printed by the child. */
const TRY = (role: string): string =>
  `try { new SslContext({ role: '${role}', verifyPeer: false }); console.log('${role}: ok'); } catch (e) { console.log('${role}: ' + e.constructor.name + ': ' + e.message); }`;

describe('client entry (@memtls/core/client)', function () {
  this.timeout(30_000);

  it('exports the same names as @memtls/core', () => {
    const out = run(
      "import * as full from '@memtls/core'; import * as client from '@memtls/core/client';" +
        'const a = Object.keys(full).sort().join(), b = Object.keys(client).sort().join(); console.log(a === b && a.length > 0, full.SslContext === client.SslContext);',
    );
    assert.equal(out, 'true true');
  });

  it("makes clients, and a role 'server' context is a TypeError that says which entry to import", () => {
    const out = run(`import { SslContext } from '@memtls/core/client'; ${TRY('client')} ${TRY('server')}`).split('\n');
    assert.equal(out[0], 'client: ok');
    assert.match(out[1] ?? '', /^server: TypeError: SslContext: the server role is not loaded .*import @memtls\/core to make a server/);
  });

  it('the main entry has the server role (the context then asks for a certificate, not for another entry)', () => {
    const out = run(`import { SslContext } from '@memtls/core'; ${TRY('server')}`);
    assert.match(out, /^server: TypeError: SslContext: a server needs cert and key/);
  });

  it('importing both entries, in either order, gives both roles', () => {
    for (const order of ["'@memtls/core/client', '@memtls/core'", "'@memtls/core', '@memtls/core/client'"]) {
      const out = run(`const [a] = await Promise.all([${order}].map((m) => import(m))); const { SslContext } = a; ${TRY('server')}`);
      assert.match(out, /a server needs cert and key/, order);
    }
  });

  it('a bad role is still the same TypeError as before', () => {
    assert.match(run(`import { SslContext } from '@memtls/core/client'; ${TRY('proxy')}`), /^proxy: TypeError: SslContext: role must be 'client' or 'server'$/);
  });
});
