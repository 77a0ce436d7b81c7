/** Memory per idle established connection pair, measured in a fresh child process per sample. */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pki } from './contenders.js';

export interface MemorySnapshot {
  rss: number;
  heapUsed: number;
  arrayBuffers: number;
  external: number;
}

/** What one child reports: usage before opening, with all pairs open and idle, and after closing them all. */
export interface MemorySample {
  key: string;
  name: string;
  pairs: number;
  openSeconds: number;
  before: MemorySnapshot;
  open: MemorySnapshot;
  closed: MemorySnapshot;
}

/** Bytes per client+server pair. */
export interface PerPair {
  /** Resident set: everything, including native memory (OpenSSL's for Node's tls). */
  rss: number;
  /** The JavaScript heap plus ArrayBuffer backing stores (what memtls's state lives in). */
  heapPlusArrayBuffers: number;
  /** heapUsed + arrayBuffers still held after every pair was closed and released: server-side session
   * cache entries (memtls tickets are stateful: two per connection, 7200 s lifetime) and anything leaked. */
  retainedAfterClose: number;
}

export function perPair(s: MemorySample): PerPair {
  const js = (m: MemorySnapshot): number => m.heapUsed + m.arrayBuffers;
  return {
    rss: (s.open.rss - s.before.rss) / s.pairs,
    heapPlusArrayBuffers: (js(s.open) - js(s.before)) / s.pairs,
    retainedAfterClose: (js(s.closed) - js(s.before)) / s.pairs,
  };
}

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'memory-child.js');

/**
 * Run one sample in a child `node --expose-gc` (one contender only, so nothing else is in its heap). The
 * child gets the bench's certificate and key on stdin, so it uses the very same ones (and makes no PKI).
 */
export function measureMemory(key: string, pairs: number, concurrency: number, pki: Pki): Promise<MemorySample> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', CHILD, key, String(pairs), String(concurrency)], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(JSON.stringify(pki));
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`memory child for ${key} exited with ${code}: ${err.trim()}`));
        return;
      }
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() as string) as MemorySample);
      } catch (e) {
        reject(new Error(`memory child for ${key}: unreadable output ${JSON.stringify(out)}: ${String(e)}`));
      }
    });
  });
}
