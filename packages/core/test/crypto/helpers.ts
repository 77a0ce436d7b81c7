/**
 * Shared fixtures for the crypto provider tests: the two WebCrypto objects every suite runs against,
 * and a Wycheproof loader.
 *
 * The vectors are kept in the repository under packages/core/test/fixtures/wycheproof/ (source and licence in its README).
 */
import { readFileSync } from 'node:fs';
import { Crypto as PeculiarCrypto } from '@peculiar/webcrypto';
import type { CryptoProvider } from '#internal/crypto/provider';
import { createWebCryptoProvider } from '#internal/crypto/webcrypto';

export interface NamedProvider {
  readonly name: string;
  readonly crypto: Crypto;
  readonly provider: CryptoProvider;
}

function named(name: string, crypto: Crypto): NamedProvider {
  return { name, crypto, provider: createWebCryptoProvider(crypto) };
}

/** Node 20's native WebCrypto and @peculiar/webcrypto (which wraps node:crypto). */
export const PROVIDERS: readonly NamedProvider[] = [
  named('native', globalThis.crypto),
  named('peculiar', new PeculiarCrypto()),
];

export type WycheproofResult = 'valid' | 'invalid' | 'acceptable';

/** One Wycheproof test case: tcId, result, flags, and the algorithm-specific hex fields. */
export interface WycheproofTest {
  readonly tcId: number;
  readonly comment: string;
  readonly flags: readonly string[];
  readonly result: WycheproofResult;
  readonly [field: string]: unknown;
}

/** One test group: group-level parameters (keySize, publicKeyDer, sha, ...) and its tests. */
export interface WycheproofGroup {
  readonly tests: readonly WycheproofTest[];
  readonly [field: string]: unknown;
}

export interface WycheproofFile {
  readonly algorithm: string;
  readonly numberOfTests: number;
  readonly testGroups: readonly WycheproofGroup[];
}

/** From packages/core/test/dist/crypto/ (where this file runs) to packages/core/test/fixtures/wycheproof/. */
const VECTOR_DIR = new URL('../../fixtures/wycheproof/', import.meta.url);

const loaded = new Map<string, WycheproofFile>();

/** Parse a Wycheproof file once (cached across suites). */
export function loadWycheproof(file: string): WycheproofFile {
  let data = loaded.get(file);
  if (data === undefined) {
    data = JSON.parse(readFileSync(new URL(file, VECTOR_DIR), 'utf8')) as WycheproofFile;
    if (!Array.isArray(data.testGroups)) throw new Error(`${file}: no testGroups`);
    loaded.set(file, data);
  }
  return data;
}

/** A string field of a test or group, failing loudly when the schema is not what the loader expects. */
export function str(obj: Readonly<Record<string, unknown>>, key: string): string {
  const v = obj[key];
  if (typeof v !== 'string') throw new Error(`Wycheproof field ${key} is not a string`);
  return v;
}

/** A number field of a test or group. */
export function num(obj: Readonly<Record<string, unknown>>, key: string): number {
  const v = obj[key];
  if (typeof v !== 'number') throw new Error(`Wycheproof field ${key} is not a number`);
  return v;
}

/** Tally for one (file x provider) run: counts what was checked and collects failures by tcId. */
export class Tally {
  checked = 0;
  /** `tcId N (...)` lines, in completion order until `assert` sorts them. */
  readonly failures: string[] = [];

  /** Record one vector; `ok` false adds a failure line. */
  check(t: WycheproofTest, ok: boolean, detail = ''): void {
    this.checked++;
    if (!ok) this.failures.push(`tcId ${t.tcId} (${t.result}${t.comment ? `, ${t.comment}` : ''})${detail ? `: ${detail}` : ''}`);
  }

  /** Throw unless exactly `expected` (> 0) vectors were checked and none failed. */
  assert(label: string, expected: number): void {
    if (expected <= 0 || this.checked !== expected) {
      throw new Error(`${label}: ${this.checked} vectors checked, expected ${expected}`);
    }
    if (this.failures.length > 0) {
      const shown = this.failures
        .sort((x, y) => Number.parseInt(x.slice(5), 10) - Number.parseInt(y.slice(5), 10))
        .slice(0, 20).join('\n  ');
      const more = this.failures.length > 20 ? `\n  ... and ${this.failures.length - 20} more` : '';
      throw new Error(`${label}: ${this.failures.length}/${this.checked} vectors failed:\n  ${shown}${more}`);
    }
  }
}
