/**
 * The hostile-peer harness shared by test/fuzz and test/robustness: the project's contexts (test PKI, the null
 * provider, version pins) around the pair runner of @memtls/fast-check (`runMemtlsPair`, `Side`, the invariants).
 *
 * `runPair()` drives a memtls client and server through handshake, one payload each way and the recommended
 * close loop (docs/shutdown.md), one API call per side per tick, over MemoryBios with a man in the middle:
 * every batch of bytes a side writes (a "flight": what one call produced) passes through `filter(dir, n, bytes)`
 * before the peer sees it. With the null provider (@memtls/crypto-null) the filter can open, change and re-seal
 * protected records. The run ends when both sides are done or failed; when nothing moves any more (a stall,
 * e.g. after truncation) each waiting side gets a transport EOF, which must end it too.
 *
 * `violations(outcome)` lists what API.md forbids: an exception escaping a call, a call that never returns, a
 * run that never ends, a failure that is not SSL_ERROR_SSL with a reason and an alert sent (or received, or
 * suppressed because our close_notify was already sent: shutdown rules 5 and 13), an alert promised but not
 * written, INTERNAL_ERROR, and buffered plaintext or handshake bytes past the limits.
 */
process.env.MEMTLS_INSECURE_TEST_CRYPTO = '1';

import { type ContextOptions, SslContext } from '@memtls/core';
import { createNullProvider } from '@memtls/crypto-null';
import { describeOutcome, type Outcome, type PairRunOptions, runMemtlsPair } from '@memtls/fast-check/pair';
import { testPki } from '../util/pki.js';

export {
  CALL_TIMEOUT_MS,
  cleanSuccess,
  type Dir,
  describeOutcome as describe,
  type Failure,
  type Filter,
  failureViolations,
  guard,
  internals,
  lastAlert,
  MAX_PLAINTEXT,
  type Outcome,
  Resequencer,
  type Role,
  SILENT_REASONS,
  Side,
  Violation,
} from '@memtls/fast-check/pair';

export type Limits = NonNullable<ContextOptions['limits']>;
export const DEFAULT_MAX_HANDSHAKE_MESSAGE = 102400;

export type Version = 'tls1.3' | 'tls1.2';

export interface Setup {
  /** 'null': @memtls/crypto-null on both sides (records can be opened and forged); 'real': WebCrypto. */
  crypto: 'null' | 'real';
  /** Both ends pinned to this version with minVersion/maxVersion (absent: TLS 1.3, the default negotiation).
   * TLS 1.2 runs use the ECDHE-ECDSA AES-GCM suites, whose explicit nonce lets wire.ts open and re-seal records. */
  version?: Version;
  /** The client offers secp256r1 first and the server takes only x25519: the server sends a HelloRetryRequest. */
  hrr?: boolean;
  /** The hybrid post-quantum group X25519MLKEM768: both ends list it first (the client also sends an x25519 share);
   * with `hrr`, the client offers x25519 first and the server takes only the hybrid (a HelloRetryRequest for it). */
  pq?: boolean;
  /** The server requests (and requires) a client certificate. */
  clientAuth?: boolean;
  /** A first clean connection on the same contexts gives the client a session, which the run resumes
   * (abbreviated handshake: TLS 1.2 RFC 5246 §7.3 / RFC 5077, TLS 1.3 PSK). */
  resume?: boolean;
  /** Both ends have the same external PSK (pskUseSession / pskFindSession): the handshake is authenticated by it,
   * without Certificate or CertificateVerify (RFC 8446 §4.2.11). */
  psk?: boolean;
  /** 0-RTT early data (RFC 8446 §4.2.10): the server accepts early data (maxEarlyData), the run resumes, the client
   * writes its payload as early data (writeEarlyData) and the server reads it first (readEarlyData until 0); the
   * client writes it again after the handshake when the server did not accept it (as an application would). */
  earlyData?: boolean;
  /** Seed of the null provider's random stream (the client uses seed, the server seed + 1). */
  seed?: number;
  /** Null provider: declared synchronous (one record at a time) instead of pipelined; and with the
   * `sealRecord` fast path. Both engine paths are fuzzed. */
  sync?: boolean;
  fastSeal?: boolean;
  clientLimits?: Limits;
  serverLimits?: Limits;
  client?: Partial<ContextOptions>;
  server?: Partial<ContextOptions>;
}

/** The context options that pin both ends to `version` (TLS 1.2: AES-GCM, the 128- or 256-bit suite by `seed`). */
export function pinVersion(version: Version | undefined, seed = 0): Partial<ContextOptions> {
  if (version !== 'tls1.2') return version === 'tls1.3' ? { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' } : {};
  const suites = ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'];
  return { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', cipherSuites: seed % 2 ? suites.reverse() : suites };
}

/** The external PSK of `Setup.psk` runs. */
const FUZZ_PSK_IDENTITY = new TextEncoder().encode('fuzz-psk');
const FUZZ_PSK_KEY = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 3);

function serverGroups(s: Setup): Partial<ContextOptions> {
  if (s.pq) return { groups: s.hrr ? ['X25519MLKEM768'] : ['X25519MLKEM768', 'x25519'] };
  return s.hrr ? { groups: ['x25519'] } : {};
}

function clientGroups(s: Setup): Partial<ContextOptions> {
  if (s.pq) return { groups: s.hrr ? ['x25519', 'X25519MLKEM768'] : ['X25519MLKEM768', 'x25519'] };
  return s.hrr ? { groups: ['secp256r1', 'x25519'] } : {};
}

export function makeContexts(s: Setup): { cctx: SslContext; sctx: SslContext } {
  const pki = testPki();
  const seed = s.seed ?? 0;
  const pin = pinVersion(s.version, seed);
  const nul = s.crypto === 'null';
  const crypto = (k: number): Partial<ContextOptions> => (nul ? { crypto: createNullProvider({ seed: seed + k, synchronous: s.sync === true, sealRecord: s.fastSeal === true }) } : {});
  const sctx = new SslContext({
    role: 'server',
    cert: pki.leaves['ec-p256'].cert,
    key: pki.leaves['ec-p256'].key,
    ...crypto(1),
    ...serverGroups(s),
    // Real CA signatures do not verify under the null provider: accept the chain through the callback there.
    ...(s.clientAuth ? { verifyPeer: true, ca: pki.caCert, ...(nul ? { verifyCallback: () => true } : {}) } : {}),
    ...(s.serverLimits ? { limits: s.serverLimits } : {}),
    ...(s.earlyData ? { maxEarlyData: 16384 } : {}),
    ...(s.psk ? { pskFindSession: (id: Uint8Array) => (id.length === FUZZ_PSK_IDENTITY.length && id.every((b, i) => b === FUZZ_PSK_IDENTITY[i]) ? { key: FUZZ_PSK_KEY } : null) } : {}),
    ...pin,
    ...s.server,
  });
  const cctx = new SslContext({
    role: 'client',
    ...crypto(0),
    ...(nul ? { verifyPeer: false } : { ca: pki.caCert }),
    ...clientGroups(s),
    ...(s.clientAuth ? { cert: pki.client.cert, key: pki.client.key } : {}),
    ...(s.clientLimits ? { limits: s.clientLimits } : {}),
    ...(s.psk ? { pskUseSession: () => ({ identity: FUZZ_PSK_IDENTITY, key: FUZZ_PSK_KEY }) } : {}),
    ...pin,
    ...s.client,
  });
  return { cctx, sctx };
}

export interface RunOptions extends Setup, Omit<PairRunOptions, 'crypto' | 'resequence'> {}

/** A pair run on the contexts of `o` (`makeContexts`); with `resume` or `earlyData`, after a first clean run that gives the session. */
export async function runPair(o: RunOptions): Promise<Outcome> {
  const { cctx, sctx } = makeContexts(o);
  const run = (r: RunOptions, session: Parameters<typeof runMemtlsPair>[3]) =>
    runMemtlsPair({ ...r, crypto: r.crypto, resequence: r.version === 'tls1.2' && r.crypto === 'null' }, cctx, sctx, session);
  if (!o.resume && !o.earlyData) return run(o, null);
  const { filter: _mitm, ...clean } = o;
  const first = await run(clean, null);
  const session = first.client.ssl.getSession();
  if (first.violations.length || !session) throw new Error(`resume: the first connection gave no session (${describeOutcome(first)})`);
  return run(o, session);
}
