/**
 * Arbitraries for how bytes and calls are scheduled: byte-stream chunkings (where a stream is cut into the reads
 * and writes that carry it), BIO pair sizes, and interleavings of API calls on two endpoints. None of them
 * changes a byte: a correct endpoint gives the same result under every one of them.
 */
import fc from 'fast-check';
import type { Role } from './pair/side.js';

/** Cut sizes, used in turn and then from the start again: `[1, 5]` cuts a stream into 1, 5, 1, 5, ... bytes. */
export type Chunking = number[];

/** Options of `chunking`. */
export interface ChunkingOptions {
  /** The largest cut (default 20000, beyond one record). */
  max?: number;
  /** At most this many sizes (default 8). */
  maxSizes?: number;
}

/**
 * Chunkings weighted to the cuts that find bugs: single bytes, the 5-byte record header and its neighbours, small
 * odd sizes, and sizes around one record (2^14 + 5 and the overhead). Shrinks towards `[1]`.
 */
export function chunking(o: ChunkingOptions = {}): fc.Arbitrary<Chunking> {
  const max = Math.max(1, o.max ?? 20000);
  const size = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 1, max: Math.min(max, 16) }) },
    { weight: 1, arbitrary: fc.constantFrom(...[4, 5, 6, 9, 16383, 16384, 16389, 16405].filter((x) => x <= max)) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max }) },
  );
  return fc.array(size, { minLength: 1, maxLength: Math.max(1, o.maxSizes ?? 8) });
}

/** `bytes` cut by `c` (an empty chunking or a size below 1 counts as 1). */
export function applyChunking(bytes: Uint8Array, c: Chunking): Uint8Array[] {
  const out: Uint8Array[] = [];
  let i = 0;
  for (let o = 0; o < bytes.length; i++) {
    const n = Math.max(1, Math.floor(c.length ? (c[i % c.length] as number) : 1));
    out.push(bytes.subarray(o, Math.min(bytes.length, o + n)));
    o += n;
  }
  return out;
}

/** The two buffer sizes of a BIO pair (`BioPair` in @memtls/core, OpenSSL's BIO_new_bio_pair). */
export interface BioPairSizes {
  /** Capacity of the client-to-server half. */
  c2s: number;
  /** Capacity of the server-to-client half. */
  s2c: number;
}

/** BIO pair sizes from 1 byte to 64 KiB, weighted to the small ones and the record-sized ones. */
export function bioPairSizes(): fc.Arbitrary<BioPairSizes> {
  const size = fc.oneof(
    { weight: 2, arbitrary: fc.integer({ min: 1, max: 64 }) },
    { weight: 1, arbitrary: fc.constantFrom(5, 512, 1024, 4096, 16384, 16389, 17000, 65536) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 65536 }) },
  );
  return fc.record({ c2s: size, s2c: size });
}

/** An API call of an interleaving. `size` is the buffer or payload size of read, peek and write. */
export interface ScheduledCall {
  /** Which endpoint makes the call. */
  side: Role;
  /** The call (OpenSSL's names: SSL_do_handshake, SSL_read, SSL_peek, SSL_write, SSL_shutdown, SSL_key_update). */
  call: 'handshake' | 'read' | 'peek' | 'write' | 'shutdown' | 'keyUpdate';
  /** Bytes to read, peek or write (0 to 40000). */
  size: number;
}

/** Options of `interleaving`. */
export interface InterleavingOptions {
  /** At most this many calls (default 40). */
  maxCalls?: number;
  /** Leave out calls (e.g. `['keyUpdate']` for a peer without TLS 1.3). */
  without?: readonly ScheduledCall['call'][];
}

/** Sequences of calls on two endpoints, in any order, with any sizes: the schedule a driver replays. */
export function interleaving(o: InterleavingOptions = {}): fc.Arbitrary<ScheduledCall[]> {
  const calls = (['handshake', 'read', 'peek', 'write', 'shutdown', 'keyUpdate'] as const).filter((c) => !o.without?.includes(c));
  const call = fc.record({
    side: fc.constantFrom<Role>('client', 'server'),
    call: fc.constantFrom(...calls),
    size: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.constantFrom(1, 4096, 16384, 16385, 40000), fc.integer({ min: 0, max: 40000 })),
  });
  return fc.array(call, { minLength: 1, maxLength: Math.max(1, o.maxCalls ?? 40) });
}
