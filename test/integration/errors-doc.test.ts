import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { Reasons } from '@memtls/core';

describe('docs/errors.md', () => {
  it('lists every reason code with its OpenSSL string', () => {
    const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    for (const [code, r] of Object.entries(Reasons)) {
      assert.ok(doc.includes(`| \`${code}\` | ${r.text} |`), `docs/errors.md lacks ${code}`);
    }
  });
});
