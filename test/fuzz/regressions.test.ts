/**
 * Every counterexample the fuzzers ever found, replayed: test/fuzz/corpus/<target>/*.json (written by
 * `pnpm fuzz`, or added by hand). The TLS 1.2 targets have their own folders (`<target>-tls12/`: flights and
 * handshake positions are version-specific); the differential scenarios are not, so each of them is replayed
 * under TLS 1.3 (as found) and again with both implementations pinned to TLS 1.2. Cases that show an unfixed engine bug live in corpus/pending/ and are replayed
 * by test/robustness/engine-bugs.pending.ts instead; move them up once the engine is fixed.
 */
process.env.MEMTLS_INSECURE_TEST_CRYPTO = '1';

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TARGETS } from './targets.js';

/** test/fuzz/corpus, seen from test/dist/fuzz/. */
const CORPUS = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fuzz', 'corpus');

export function corpusCases(dir: string): { file: string; target: string; case: unknown }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'pending')
    .flatMap((d) =>
      readdirSync(join(dir, d.name))
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => {
          const j = JSON.parse(readFileSync(join(dir, d.name, f), 'utf8')) as { target?: string; case: unknown };
          return { file: `${d.name}/${f}`, target: j.target ?? d.name, case: j.case };
        }),
    );
}

describe('fuzz: regressions (every counterexample found, replayed)', function () {
  this.timeout(120000);
  const cases = corpusCases(CORPUS);
  it('the corpus is there', () => {
    if (cases.length === 0) throw new Error(`no cases under ${CORPUS}`);
  });
  for (const c of cases) {
    it(c.file, async () => {
      const t = TARGETS.find((x) => x.name === c.target);
      if (!t) throw new Error(`unknown target ${c.target}`);
      await t.check(c.case);
    });
    const diff = c.case as { version?: string };
    if (c.target === 'differential' && diff.version === undefined) {
      it(`${c.file}, pinned to TLS 1.2`, async () => {
        const t = TARGETS.find((x) => x.name === 'differential-tls12');
        if (!t) throw new Error('unknown target differential-tls12');
        await t.check({ ...diff, version: 'tls1.2' });
      });
    }
  }
});
