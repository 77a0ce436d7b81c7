/** Paths into the steering repo's shared/ folder, which sits beside the repository (../shared). */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function sharedPath(...parts: string[]): string {
  const base = process.env.MEMTLS_SHARED ?? join(repoRoot, '..', 'shared');
  const p = join(base, ...parts);
  if (!existsSync(p)) throw new Error(`shared data not found at ${p} (set MEMTLS_SHARED to the shared/ folder)`);
  return p;
}
