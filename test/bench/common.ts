/** What both sides of the benchmark share: the negotiated parameters, the data and its checks. */
import { performance } from 'node:perf_hooks';

export const SUITE = 'TLS_AES_128_GCM_SHA256';
export const GROUP = 'x25519';

/** The protocol version and suite a contender is pinned to (both ends, both min and max version). */
export interface Profile {
  version: 'TLSv1.2' | 'TLSv1.3';
  /** IANA name (memtls `cipherSuites`, Node's `getCipher().standardName`). */
  suite: string;
  /** OpenSSL's name (Node's `ciphers`). */
  opensslSuite: string;
  /** Whether the resumed-handshake measurements run (TLS 1.3: PSK with x25519; TLS 1.2: an abbreviated handshake). */
  resumption: boolean;
  /**
   * The groups offered, x25519 first (the one negotiated). TLS 1.2 also offers secp256r1: there supported_groups
   * limits the curve of the server's ECDSA certificate too (RFC 8422 §5.1), and the bench certificate is P-256.
   */
  groups: string[];
}
export const TLS13: Profile = { version: 'TLSv1.3', suite: SUITE, opensslSuite: SUITE, resumption: true, groups: [GROUP] };
export const TLS12: Profile = { version: 'TLSv1.2', suite: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', opensslSuite: 'ECDHE-ECDSA-AES128-GCM-SHA256', resumption: true, groups: [GROUP, 'secp256r1'] };
/** The hybrid post-quantum group of the X25519MLKEM768 rows (draft-ietf-tls-ecdhe-mlkem). */
export const HYBRID_GROUP = 'X25519MLKEM768';
/** TLS 1.3 with X25519MLKEM768 as the only group on both ends: full handshakes only (the rows compare key exchanges). */
export const TLS13_HYBRID: Profile = { ...TLS13, resumption: false, groups: [HYBRID_GROUP] };
/** TLS 1.3 with x25519, full handshakes only: the hybrid rows' baseline. */
export const TLS13_FULL: Profile = { ...TLS13, resumption: false };
export const SERVER_NAME = 'localhost';
/** How much each direction of the in-memory transport buffers, the same for both contenders (the memtls BIO
 * pair's size, the Node Duplex's readable high-water mark): enough for a writer to run a few records ahead. */
export const TRANSPORT_BUFFER = 64 * 1024;

/** What one connection negotiated, checked once per contender before anything is timed. */
export interface Negotiated {
  version: string | null;
  cipher: string | null;
  group: string | null;
  /** Bytes on the wire for one full handshake (both servers send their default session tickets). */
  handshakeWire: { clientToServer: number; serverToClient: number };
  /** The same for one resumed handshake (PSK with (EC)DHE, offering the session from a full one). */
  resumedWire: { clientToServer: number; serverToClient: number };
}

export interface StreamPlan {
  /** The message written over and over (each call writes all of it). */
  msg: Uint8Array;
  /** Stop after this many bytes... */
  bytes?: number;
  /** ...or after this many seconds of writing. */
  seconds?: number;
}

export interface StreamResult {
  writes: number;
  bytes: number;
  seconds: number;
  /** Ciphertext bytes the client wrote, to show how many records the writes became. */
  wireBytes: number;
}

export interface Contender extends IdleOpener {
  negotiate(): Promise<Negotiated>;
  /** Sequential full handshakes for `seconds`; returns how many completed and the time they took. */
  handshakes(seconds: number): Promise<{ count: number; seconds: number }>;
  /**
   * Sequential resumed handshakes for about `seconds` of wall time, each offering a session saved from an
   * earlier connection and checked to be resumed on both ends. Only the handshakes are timed (`seconds` in
   * the result is their sum); the clean close that keeps the session resumable is not.
   */
  resumedHandshakes(seconds: number): Promise<{ count: number; seconds: number }>;
  /** One fresh connection (handshake not timed), then client -> server writes of `plan.msg`. */
  stream(plan: StreamPlan): Promise<StreamResult>;
}

/** What `openIdle` returns: the open pairs, held until `close()`. */
export interface IdleSet {
  readonly count: number;
  close(): Promise<void>;
}

/** Something that can hold idle connections (the in-memory contenders, and MemtlsSocket for memory only). */
export interface IdleOpener {
  readonly name: string;
  /**
   * Establish `n` client+server pairs (at most `concurrency` handshakes in flight), let the session tickets
   * arrive, and keep the pairs open. `close()` then closes every pair cleanly (close_notify both ways),
   * which also checks that each one was still a working connection.
   */
  openIdle(n: number, concurrency: number): Promise<IdleSet>;
}

/** Run `task(i)` for i in [0, n) with at most `limit` running at a time; results in order. */
export async function pool<T>(n: number, limit: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      out[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, lane));
  return out;
}

/** How many resumed handshakes one saved session serves before a fresh one is fetched (untimed). memtls
 * tickets are entries in a bounded (20,000) server cache, and every resumed connection adds its own new
 * tickets, so a session offered forever would eventually be evicted. */
export const RESUMPTIONS_PER_SESSION = 1000;

export const now = (): number => performance.now() / 1000;

/** A fixed, position-dependent pattern, so a misplaced or garbage byte is caught. */
export function pattern(len: number): Uint8Array {
  const p = new Uint8Array(len);
  for (let i = 0; i < len; i++) p[i] = (i * 31 + 7) & 0xff;
  return p;
}

/**
 * The receiver's bookkeeping: counts every byte and checks the first and last byte of each delivery
 * against the stream position (O(1) per delivery, so it does not weigh on the measurement). The AEAD tag
 * protects everything in between.
 */
export class StreamCheck {
  received = 0;
  private readonly msg: Uint8Array;

  constructor(msg: Uint8Array) {
    this.msg = msg;
  }

  feed(data: Uint8Array, n: number): void {
    const L = this.msg.length;
    if (data[0] !== this.msg[this.received % L] || data[n - 1] !== this.msg[(this.received + n - 1) % L]) {
      throw new Error(`corrupted stream at byte ${this.received}`);
    }
    this.received += n;
  }

  /** Throws unless exactly `sent` bytes arrived. */
  expect(sent: number): void {
    if (this.received !== sent) throw new Error(`received ${this.received} bytes, sent ${sent}`);
  }
}

/** A one-slot wake-up between two async loops; a notify with nobody waiting is remembered once. */
export class Wakeup {
  private pending = false;
  private waiter: (() => void) | null = null;

  notify(): void {
    this.pending = true;
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  wait(): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.waiter = () => {
        this.pending = false;
        resolve();
      };
    });
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/**
 * What a resumed handshake must negotiate, given the full one: the same version and suite; in TLS 1.3 the same group
 * (PSK with (EC)DHE), in TLS 1.2 none (an abbreviated handshake has no key exchange, RFC 5246 §7.3).
 */
export function resumedExpectation<T extends { version: string | null; cipher: string | null; group: string | null }>(profile: Profile, full: T): T {
  return profile.version === 'TLSv1.2' ? { ...full, group: null } : full;
}
