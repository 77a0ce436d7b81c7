/** Deterministic test payloads for the interop suites. */

const enc = new TextEncoder();
export const utf8 = (s: string): Uint8Array => enc.encode(s);
export const text = (b: Uint8Array): string => new TextDecoder().decode(b);

export const MiB = 1024 * 1024;

/** xorshift32: reproducible bytes without Math.random, so a failure can be replayed. */
function* xorshift(seed: number): Generator<number, never> {
  let x = seed >>> 0 || 0x9e3779b9;
  for (;;) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    yield x;
  }
}

/** `n` pseudo-random bytes drawn from `alphabet` (a string of single-byte characters). */
export function fromAlphabet(n: number, alphabet: string, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  const codes = utf8(alphabet);
  const rnd = xorshift(seed);
  for (let i = 0; i < n; i++) out[i] = codes[rnd.next().value % codes.length] as number;
  return out;
}

/**
 * Input for `openssl s_server -rev` and what it must send back: `lines` lines of `lineLength` random
 * letters and digits, each ended by `\n`. s_server reverses each line; it reads lines with a 16 KiB buffer,
 * so `lineLength` must stay below 16384, and no line may be `CLOSE` (its quit command).
 */
export function revPayload(lines: number, lineLength: number, seed = 7): { sent: Uint8Array; expected: Uint8Array } {
  if (lineLength >= 16383 || lineLength < 6) throw new RangeError('lineLength must be in [6, 16383)');
  const body = fromAlphabet(lines * lineLength, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', seed);
  const sent = new Uint8Array(lines * (lineLength + 1));
  const expected = new Uint8Array(sent.length);
  for (let l = 0; l < lines; l++) {
    const line = body.subarray(l * lineLength, (l + 1) * lineLength);
    const o = l * (lineLength + 1);
    sent.set(line, o);
    sent[o + lineLength] = 0x0a;
    for (let i = 0; i < lineLength; i++) expected[o + i] = line[lineLength - 1 - i] as number;
    expected[o + lineLength] = 0x0a;
  }
  return { sent, expected };
}

/**
 * Data safe to pipe into `openssl s_client` with its stdin commands enabled: s_client treats a stdin read
 * that starts with Q, R, K or k as a command, so those letters never appear.
 */
export function sClientSafePayload(n: number, seed = 11): Uint8Array {
  return fromAlphabet(n, 'abcdefghijlmnopqrstuvwxyzABCDEFGHIJLMNOPSTUVWXYZ0123456789 .,;:-_+=\n', seed);
}

/** Byte-exact comparison with a short, useful message (assert.deepEqual on 1 MiB is unreadable). */
export function firstDifference(a: Uint8Array, b: Uint8Array): string | null {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return `first difference at byte ${i} of ${a.length}/${b.length}`;
  return a.length === b.length ? null : `lengths differ: ${a.length} vs ${b.length}`;
}
