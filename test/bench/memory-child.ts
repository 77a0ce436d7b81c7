/**
 * `node --expose-gc memory-child.js <key> <pairs> <concurrency>`: one memory measurement in a fresh process,
 * so nothing from another contender (or from the timed runs: heap pages, malloc arenas) is in its numbers.
 * Reads the PKI ({cert, key, ca} PEM) as JSON on stdin; prints one JSON line (MemorySample) on stdout.
 */
import { isOpenerKey, makeIdleOpener, type Pki } from './contenders.js';
import type { MemorySample, MemorySnapshot } from './memory.js';

const WARMUP_PAIRS = 50;

function snapshot(): MemorySnapshot {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, external: m.external };
}

/** Full collections with turns of the event loop between them (native handles are freed after a turn). */
async function settle(gc: () => void): Promise<MemorySnapshot> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  return snapshot();
}

async function main(): Promise<void> {
  const [key, nArg, cArg] = process.argv.slice(2);
  const n = Number(nArg);
  const concurrency = Number(cArg);
  if (!key || !isOpenerKey(key) || !(n > 0) || !(concurrency > 0)) throw new Error('usage: memory-child.js <key> <pairs> <concurrency>');
  const gc = globalThis.gc;
  if (!gc) throw new Error('run with node --expose-gc');
  let input = '';
  for await (const chunk of process.stdin) input += String(chunk);
  const pki = JSON.parse(input) as Pki;
  if (typeof pki.cert !== 'string' || typeof pki.key !== 'string' || typeof pki.ca !== 'string') throw new Error('expected {cert, key, ca} on stdin');
  const opener = await makeIdleOpener(key, pki);
  // Warm up: compiled code, lazily built tables and caches belong to the baseline, not to the pairs.
  const warm = await opener.openIdle(WARMUP_PAIRS, concurrency);
  await warm.close();

  const before = await settle(gc);
  const t0 = performance.now();
  const set = await opener.openIdle(n, concurrency);
  const openSeconds = (performance.now() - t0) / 1000;
  const open = await settle(gc);
  if (set.count !== n) throw new Error(`opened ${set.count} pairs, wanted ${n}`);
  await set.close(); // also proves every pair was still a working connection
  const closed = await settle(gc);
  const sample: MemorySample = { key, name: opener.name, pairs: n, openSeconds, before, open, closed };
  process.stdout.write(`${JSON.stringify(sample)}\n`);
}

main().catch((e: unknown) => {
  console.error(`memory child FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exitCode = 1;
});
