/**
 * The fuzz targets, on @memtls/fast-check (its wire codec, mutation operators and the pair runner behind kit.ts):
 * each is a JSON case type, a fast-check arbitrary producing it, and a `check` that throws
 * (with the case and the outcome in the message) when the engine breaks a rule. The mocha files in this
 * folder run them with a small CI budget; `pnpm fuzz` (run.ts) loops them for minutes; regressions.test.ts
 * replays every counterexample ever found.
 *
 *  mutation   a flight of a real handshake / data / close exchange mutated (mutate.ts) on its way to the victim
 *  benign     only record re-cutting (split, merge): the result must be the same as without it
 *  injection  a handshake message of any type, sealed under the current key with the null provider, injected
 *             at any message boundary of either role's incoming stream (RFC 8446 §4: unexpected_message unless
 *             that type may come there)
 *  differential  a generated call sequence and byte-delivery schedule run on libssl 3.0 and on memtls, every
 *             step compared (differential.ts; skipped without a C compiler and libssl-dev)
 *
 * Each target runs under TLS 1.3 (the names above) and under TLS 1.2 (`<name>-tls12`): both ends pinned with
 * minVersion/maxVersion (kit.ts `pinVersion`), the same invariants; injection in TLS 1.2 walks the TLS 1.2 states
 * (RFC 5246 §7.3, §7.4) and also injects ChangeCipherSpec records (RFC 5246 §7.1).
 */

import { AL, applyOps, benignOp, CT, DEFINED_HANDSHAKE_TYPES, describeFlight, formatPlan, fromHex, fromItems, HT, type Item, messageOp, type Op, recordOp, toItems, toUnits } from '@memtls/fast-check';
import fc from 'fast-check';
import { checkDifferential, diffCase, diffCase12 } from './differential.js';
import { checkPha, checkRsl, checkRslValue, phaCase, rslCase, rslValueCase } from './extensions.js';
import { cleanSuccess, type Dir, describe, type Filter, type Outcome, type Role, runPair, type Version } from './kit.js';

export const pattern = (n: number, salt: number): Uint8Array => {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + salt * 7 + (i >> 8)) & 0xff;
  return b;
};

// ------------------------------------------------------------------ mutation

export interface MutationCase {
  /** Absent: TLS 1.3 (every case before TLS 1.2 existed). */
  version?: Version;
  crypto: 'null' | 'real';
  hrr: boolean;
  /** The hybrid group X25519MLKEM768 (kit.ts Setup.pq; absent: false). */
  pq?: boolean;
  clientAuth: boolean;
  /** Both ends share an external PSK that authenticates the handshake (absent: false). */
  psk?: boolean;
  /** A resumption whose client sends its payload as 0-RTT early data, read first by the server (absent: false). */
  earlyData?: boolean;
  seed: number;
  /** Null provider only: synchronous (no pipelining) and the sealRecord fast path (absent: false). */
  sync?: boolean;
  fastSeal?: boolean;
  /** The direction whose flight is mutated: the receiver is the victim. */
  dir: Dir;
  /** Which flight of that direction (0: ClientHello / the server's first flight). */
  flight: number;
  ops: Op[];
  clientPayload: number;
  serverPayload: number;
  readSize: number;
}

export async function runMutation(c: MutationCase): Promise<{ out: Outcome; benign: boolean; applied: string | null }> {
  let benign = true;
  let applied: string | null = null;
  const filter: Filter = (dir, n, bytes) => {
    if (dir !== c.dir || n !== c.flight) return bytes;
    const r = applyOps(bytes, c.ops);
    benign = r.benign;
    applied = `${describeFlight(bytes)} -> ${describeFlight(r.bytes)}`;
    return r.bytes;
  };
  const out = await runPair({
    ...(c.version ? { version: c.version } : {}),
    crypto: c.crypto,
    hrr: c.hrr,
    pq: c.pq === true,
    clientAuth: c.clientAuth,
    psk: c.psk === true,
    earlyData: c.earlyData === true,
    seed: c.seed,
    sync: c.sync === true,
    fastSeal: c.fastSeal === true,
    filter,
    clientPayload: pattern(c.clientPayload, 1),
    serverPayload: pattern(c.serverPayload, 2),
    readSize: c.readSize,
  });
  return { out, benign, applied };
}

export async function checkMutation(c: MutationCase): Promise<void> {
  const { out, benign, applied } = await runMutation(c);
  const problems = [...out.violations];
  if (benign && !cleanSuccess(out, pattern(c.clientPayload, 1), pattern(c.serverPayload, 2))) problems.push('a benign re-cut changed the result');
  if (benign && c.earlyData && !c.hrr && c.clientPayload > 0 && out.client.ssl.getEarlyDataStatus() !== 'accepted') problems.push('a benign re-cut made the server reject the early data');
  if (problems.length) {
    const plan = formatPlan({ dir: c.dir, flight: c.flight, ops: c.ops }).replace(/\n/g, '\n  ');
    throw new Error(`mutation case ${JSON.stringify(c)}\n  ${plan}\n  flight: ${applied ?? 'not reached'}\n  outcome: ${describe(out)}\n  ${problems.join('\n  ')}`);
  }
}

const caseBase = {
  crypto: fc.oneof({ weight: 4, arbitrary: fc.constant('null' as const) }, { weight: 1, arbitrary: fc.constant('real' as const) }),
  hrr: fc.boolean(),
  pq: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  clientAuth: fc.boolean(),
  seed: fc.nat({ max: 1000 }),
  sync: fc.boolean(),
  fastSeal: fc.boolean(),
  dir: fc.constantFrom<Dir>('c2s', 's2c'),
  flight: fc.oneof({ weight: 3, arbitrary: fc.nat({ max: 2 }) }, { weight: 1, arbitrary: fc.nat({ max: 5 }) }),
  clientPayload: fc.oneof(fc.nat({ max: 300 }), fc.integer({ min: 16000, max: 40000 })),
  serverPayload: fc.oneof(fc.nat({ max: 300 }), fc.integer({ min: 16000, max: 40000 })),
  readSize: fc.constantFrom(1, 7, 1000, 16384, 20000),
};

export const mutationCase: fc.Arbitrary<MutationCase> = fc.record({
  ...caseBase,
  ops: fc.array(fc.oneof(recordOp, messageOp), { minLength: 1, maxLength: 3 }),
});

export const benignCase: fc.Arbitrary<MutationCase> = fc.record({
  ...caseBase,
  ops: fc.array(benignOp, { minLength: 1, maxLength: 4 }),
});

/** The same cases pinned to TLS 1.2 (no HelloRetryRequest there: `hrr` only orders the client's groups; no hybrid group). */
const tls12 = <T extends { hrr: boolean; pq?: boolean }>(a: fc.Arbitrary<T>): fc.Arbitrary<T & { version: Version }> => a.map((c) => ({ ...c, version: 'tls1.2' as const, hrr: false, pq: false }));
export const mutationCase12 = tls12(mutationCase);
/** The same cases with an external PSK on both ends (TLS 1.3: EncryptedExtensions then Finished, no certificate). */
const withPsk = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T & { psk: boolean }> => a.map((c) => ({ ...c, psk: true }));
export const mutationCasePsk = withPsk(mutationCase);
export const benignCasePsk = withPsk(benignCase);

/** The TLS 1.3 cases with the hybrid post-quantum group X25519MLKEM768 always (its 1216- and 1120-byte shares). */
export const mutationCasePq = mutationCase.map((c) => ({ ...c, pq: true }));
export const benignCase12 = tls12(benignCase);
/** The same cases as a 0-RTT resumption: the client's payload (within max_early_data) goes as early data. */
const withEarlyData = <T extends { clientPayload: number }>(a: fc.Arbitrary<T>): fc.Arbitrary<T & { earlyData: boolean }> => a.map((c) => ({ ...c, earlyData: true, clientPayload: c.clientPayload % 16385 }));
export const mutationCaseEarly = withEarlyData(mutationCase);
export const benignCaseEarly = withEarlyData(benignCase);

// ------------------------------------------------------------------ injection

export interface InjectionCase {
  /** Absent: TLS 1.3. */
  version?: Version;
  victim: Role;
  hrr: boolean;
  clientAuth: boolean;
  /** The run resumes a session of a first clean connection (abbreviated handshake; absent: false). */
  resume?: boolean;
  /** Both ends share an external PSK that authenticates the handshake (absent: false). */
  psk?: boolean;
  /** Inject after this many handshake messages of the victim's incoming stream (wraps around). */
  boundary: number;
  /** A handshake type, or CCS_INJECT: a ChangeCipherSpec record (content 01, `body` unused). */
  type: number;
  body: string;
}

/** In TLS 1.2 streams: a ChangeCipherSpec record, counted as a position of the incoming stream; as an injected
 * "type": inject a ChangeCipherSpec record (its value is outside the handshake types 0..255). */
export const CCS_INJECT = 0x114;

/** The reasons of an out-of-place ChangeCipherSpec (OpenSSL's: before the key exchange, a second one, or where a
 * handshake message was expected). */
export const CCS_REASONS: readonly string[] = ['ccs received early', 'unexpected ccs message', 'unexpected message'];

/** The handshake messages a victim receives in a clean run (cached per configuration). */
const cleanStreams = new Map<string, number[]>();

export async function incomingTypes(victim: Role, hrr: boolean, clientAuth: boolean, version?: Version, resume = false, psk = false): Promise<number[]> {
  const key = `${victim}/${hrr}/${clientAuth}/${version ?? 'tls1.3'}/${resume}/${psk}`;
  const have = cleanStreams.get(key);
  if (have) return have;
  const types: number[] = [];
  const incoming: Dir = victim === 'client' ? 's2c' : 'c2s';
  const out = await runPair({
    crypto: 'null',
    ...(version ? { version } : {}),
    resume,
    psk,
    hrr,
    clientAuth,
    clientPayload: pattern(100, 1),
    serverPayload: pattern(100, 2),
    filter: (dir, _n, bytes) => {
      if (dir === incoming) for (const it of toItems(toUnits(bytes).units)) if (isPosition(it, version)) types.push(it.kind === 'msg' ? it.msg.type : CCS_INJECT);
      return bytes;
    },
  });
  if (out.violations.length || out.client.phase !== 'done') throw new Error(`clean run failed: ${describe(out)}`);
  if (out.client.ssl.sessionReused() !== (resume || psk)) throw new Error(`clean run: sessionReused() is ${!(resume || psk)}`);
  if (psk && out.client.ssl.pskIdentity() === null) throw new Error('clean run: the external PSK was not used');
  cleanStreams.set(key, types);
  return types;
}

/** A position of the incoming stream: a handshake message; in TLS 1.2 also a (plaintext) ChangeCipherSpec record. */
const isPosition = (it: Item, version: Version | undefined): boolean =>
  it.kind === 'msg' || (version === 'tls1.2' && it.unit.type === CT.CCS && !it.unit.sealed);

/**
 * The TLS 1.2 victim's state before position `k` of its clean incoming stream and what RFC 5246 allows there
 * (§7.3 message order, §7.4 "sent at any time", §7.1 CCS): a client takes a HelloRequest anywhere and ignores it
 * (§7.4.1.1, as OpenSSL); a server takes a ClientHello after the handshake (renegotiation, refused with a
 * no_renegotiation warning). Anything else out of order is unexpected_message (§7.3: "a fatal error").
 */
export function stateAt12(victim: Role, types: readonly number[], k: number): { state: string; allowed: number[] } {
  const next = types[k];
  const prev = types[k - 1];
  if (victim === 'client') {
    const with0 = (state: string, ...allowed: number[]) => ({ state, allowed: [...allowed, HT.HELLO_REQUEST] });
    switch (next) {
      case HT.SERVER_HELLO:
        return with0('expect-server-hello', HT.SERVER_HELLO);
      case HT.CERTIFICATE:
        return with0('expect-certificate', HT.CERTIFICATE);
      case HT.SERVER_KEY_EXCHANGE:
        return with0('expect-server-key-exchange', HT.SERVER_KEY_EXCHANGE);
      case HT.CERTIFICATE_REQUEST:
        return with0('expect-certificate-request-or-server-hello-done', HT.CERTIFICATE_REQUEST, HT.SERVER_HELLO_DONE);
      case HT.SERVER_HELLO_DONE:
        return prev === HT.CERTIFICATE_REQUEST
          ? with0('expect-server-hello-done', HT.SERVER_HELLO_DONE)
          : with0('expect-certificate-request-or-server-hello-done', HT.CERTIFICATE_REQUEST, HT.SERVER_HELLO_DONE);
      case HT.NEW_SESSION_TICKET:
        return with0('expect-new-session-ticket', HT.NEW_SESSION_TICKET);
      case CCS_INJECT:
        return with0('expect-change-cipher-spec', CCS_INJECT);
      case HT.FINISHED:
        return with0('expect-finished', HT.FINISHED);
      default:
        return with0('connected');
    }
  }
  switch (next) {
    case HT.CLIENT_HELLO:
      return { state: 'expect-client-hello', allowed: [HT.CLIENT_HELLO] };
    case HT.CERTIFICATE:
      return { state: 'expect-certificate', allowed: [HT.CERTIFICATE] };
    case HT.CLIENT_KEY_EXCHANGE:
      return { state: 'expect-client-key-exchange', allowed: [HT.CLIENT_KEY_EXCHANGE] };
    case HT.CERTIFICATE_VERIFY:
      return { state: 'expect-certificate-verify', allowed: [HT.CERTIFICATE_VERIFY] };
    case CCS_INJECT:
      return { state: 'expect-change-cipher-spec', allowed: [CCS_INJECT] };
    case HT.FINISHED:
      return { state: 'expect-finished', allowed: [HT.FINISHED] };
    default:
      return { state: 'connected', allowed: [HT.CLIENT_HELLO] };
  }
}

/**
 * The victim's state before message `k` of its clean incoming stream, and the types RFC 8446 allows there. A client
 * that may still negotiate TLS 1.2 (`tls12`: not pinned to 1.3) also takes a HelloRequest before the first
 * ServerHello and ignores it (RFC 5246 §7.4.1.1, as OpenSSL).
 */
export function stateAt(victim: Role, types: readonly number[], k: number, tls12 = true): { state: string; allowed: number[] } {
  const next = types[k];
  const prev = types[k - 1];
  if (victim === 'client') {
    switch (next) {
      case HT.SERVER_HELLO:
        return prev === HT.SERVER_HELLO
          ? { state: 'expect-server-hello (after HelloRetryRequest)', allowed: [HT.SERVER_HELLO] }
          : { state: 'expect-server-hello', allowed: tls12 ? [HT.SERVER_HELLO, HT.HELLO_REQUEST] : [HT.SERVER_HELLO] };
      case HT.ENCRYPTED_EXTENSIONS:
        return { state: 'expect-encrypted-extensions', allowed: [HT.ENCRYPTED_EXTENSIONS] };
      case HT.CERTIFICATE_REQUEST:
        return { state: 'expect-certificate-or-certificate-request', allowed: [HT.CERTIFICATE, HT.CERTIFICATE_REQUEST] };
      case HT.CERTIFICATE:
        return prev === HT.CERTIFICATE_REQUEST
          ? { state: 'expect-certificate', allowed: [HT.CERTIFICATE] }
          : { state: 'expect-certificate-or-certificate-request', allowed: [HT.CERTIFICATE, HT.CERTIFICATE_REQUEST] };
      case HT.CERTIFICATE_VERIFY:
        return { state: 'expect-certificate-verify', allowed: [HT.CERTIFICATE_VERIFY] };
      case HT.FINISHED:
        return { state: 'expect-finished', allowed: [HT.FINISHED] };
      default:
        // RFC 8446 §4.6: after the handshake a client takes NewSessionTicket and KeyUpdate (no post-handshake
        // auth: these clients do not send post_handshake_auth, §4.6.2 says unexpected_message for a CertificateRequest;
        // the post-handshake-auth target of extensions.ts covers clients that do).
        return { state: 'connected', allowed: [HT.NEW_SESSION_TICKET, HT.KEY_UPDATE] };
    }
  }
  switch (next) {
    case HT.CLIENT_HELLO:
      return { state: prev === undefined ? 'expect-client-hello' : 'expect-client-hello-2', allowed: [HT.CLIENT_HELLO] };
    case HT.CERTIFICATE:
      return { state: 'expect-certificate', allowed: [HT.CERTIFICATE] };
    case HT.CERTIFICATE_VERIFY:
      return { state: 'expect-certificate-verify', allowed: [HT.CERTIFICATE_VERIFY] };
    case HT.FINISHED:
      // EndOfEarlyData (§4.5) only after accepted early data, which memtls never accepts.
      return { state: 'expect-finished', allowed: [HT.FINISHED] };
    default:
      return { state: 'connected', allowed: [HT.KEY_UPDATE] };
  }
}

export interface InjectionResult {
  state: string;
  allowed: boolean;
  out: Outcome;
}

export interface BoundaryRun {
  version?: Version;
  victim: Role;
  resume?: boolean;
  psk?: boolean;
  hrr?: boolean;
  clientAuth?: boolean;
  /** After how many handshake messages of the victim's clean incoming stream (0 .. length). */
  boundary: number;
  /** What replaces the rest of the stream (null: nothing, i.e. the transport goes quiet, then EOF). `sealed`
   * is the protection the next message would have had (`v12`: TLS 1.2 record protection). */
  make: ((sealed: boolean, v12: boolean) => Item[]) | null;
  /** Deliver the rest of the clean stream behind what `make` made (default: nothing more). */
  keepRest?: boolean;
}

/**
 * Let the victim's incoming stream through up to a message boundary, then deliver `make(...)` and nothing
 * more, or with `keepRest` the rest of the stream behind it (null provider: messages are re-cut and re-sealed).
 * Returns the clean stream's state at that point.
 */
export async function runAtBoundary(b: BoundaryRun): Promise<{ state: string; allowedTypes: number[]; out: Outcome }> {
  const hrr = b.hrr ?? false;
  const clientAuth = b.clientAuth ?? false;
  const types = await incomingTypes(b.victim, hrr, clientAuth, b.version, b.resume === true, b.psk === true);
  const k = ((b.boundary % (types.length + 1)) + types.length + 1) % (types.length + 1);
  const { state, allowed } = b.version === 'tls1.2' ? stateAt12(b.victim, types, k) : stateAt(b.victim, types, k, b.version !== 'tls1.3');
  const incoming: Dir = b.victim === 'client' ? 's2c' : 'c2s';
  let seen = 0;
  let cut = false;
  let injected = false;
  const filter: Filter = (dir, _n, bytes) => {
    if (dir !== incoming) return bytes;
    if (cut) return new Uint8Array(0); // everything after the cut is dropped
    const items = toItems(toUnits(bytes).units);
    const kept: Item[] = [];
    let lastSealed = false;
    let lastV12 = false;
    for (const it of items) {
      if (isPosition(it, b.version)) {
        const sealedHere = it.kind === 'msg' ? it.sealed : it.unit.sealed;
        const v12Here = b.version === 'tls1.2';
        if (seen === k && !injected) {
          if (b.make) kept.push(...b.make(sealedHere, v12Here));
          injected = true;
          if (!b.keepRest) {
            cut = true;
            break;
          }
        }
        seen++;
        // After a CCS, what follows is protected (TLS 1.2: the next message is the sealed Finished).
        lastSealed = it.kind === 'msg' ? it.sealed : true;
        lastV12 = v12Here;
      }
      kept.push(it);
    }
    // After the last message of the clean stream: right behind it, with its protection.
    if (!injected && seen === k && k === types.length && items.some((it) => isPosition(it, b.version))) {
      if (b.make) kept.push(...b.make(lastSealed, lastV12));
      injected = true;
      cut = b.keepRest !== true;
    }
    return fromItems(kept);
  };
  const out = await runPair({ crypto: 'null', ...(b.version ? { version: b.version } : {}), resume: b.resume === true, psk: b.psk === true, hrr, clientAuth, filter, clientPayload: pattern(100, 1), serverPayload: pattern(100, 2) });
  return { state, allowedTypes: allowed, out };
}

export async function runInjection(c: InjectionCase): Promise<InjectionResult> {
  const r = await runAtBoundary({
    ...(c.version ? { version: c.version } : {}),
    ...(c.resume ? { resume: true } : {}),
    ...(c.psk ? { psk: true } : {}),
    victim: c.victim,
    hrr: c.hrr,
    clientAuth: c.clientAuth,
    boundary: c.boundary,
    make: (sealedRec, v12) =>
      c.type === CCS_INJECT
        ? [{ kind: 'unit', group: 1e9, unit: { sealed: sealedRec, opaque: false, type: CT.CCS, version: 0x0303, content: new Uint8Array([1]), ...(v12 ? { v12 } : {}) } }]
        : [{ kind: 'msg', sealed: sealedRec, ...(v12 ? { v12 } : {}), group: 1e9, msg: { type: c.type, body: fromHex(c.body) } }],
  });
  return { state: r.state, allowed: r.allowedTypes.includes(c.type), out: r.out };
}

export async function checkInjection(c: InjectionCase): Promise<InjectionResult> {
  const r = await runInjection(c);
  const problems = [...r.out.violations];
  const victim = c.victim === 'client' ? r.out.client : r.out.server;
  if (!r.allowed) {
    const f = victim.failure;
    // A ChangeCipherSpec out of place: unexpected_message (RFC 5246 §7.1, §7.3), in OpenSSL's words for it.
    const reasons = c.type === CCS_INJECT ? CCS_REASONS : ['unexpected message'];
    if (!f || f.detail?.alert !== AL.UNEXPECTED_MESSAGE || !reasons.includes(f.reason ?? '')) {
      const what = c.type === CCS_INJECT ? 'a ChangeCipherSpec' : `type ${c.type}`;
      problems.push(`expected unexpected_message (10, "${reasons.join('" or "')}") for ${what} in ${r.state}, got ${f ? `alert ${f.detail?.alert ?? '-'} "${f.reason}"` : `no failure (${victim.phase})`}`);
    }
  }
  if (problems.length) throw new Error(`injection case ${JSON.stringify(c)} (${r.state})\n  outcome: ${describe(r.out)}\n  ${problems.join('\n  ')}`);
  return r;
}

export const injectionCase: fc.Arbitrary<InjectionCase> = fc.record({
  victim: fc.constantFrom<Role>('client', 'server'),
  hrr: fc.boolean(),
  clientAuth: fc.boolean(),
  boundary: fc.nat({ max: 12 }),
  type: fc.oneof(fc.constantFrom(...DEFINED_HANDSHAKE_TYPES), fc.integer({ min: 0, max: 255 })),
  body: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('hex')),
});

/** TLS 1.2: any type or a CCS record, at any position (handshake messages and the CCS) of either role. */
export const injectionCase12: fc.Arbitrary<InjectionCase> = fc.record({
  version: fc.constant('tls1.2' as const),
  victim: fc.constantFrom<Role>('client', 'server'),
  hrr: fc.constant(false),
  clientAuth: fc.boolean(),
  boundary: fc.nat({ max: 10 }),
  type: fc.oneof(fc.constantFrom(...DEFINED_HANDSHAKE_TYPES, CCS_INJECT), fc.integer({ min: 0, max: 255 })),
  body: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('hex')),
});

// ------------------------------------------------------------------ registry (run.ts)

/** A fuzz target with its case type erased, for the runner. */
export interface Target {
  name: string;
  /** fast-check's `check` over this target's property. */
  run(params: fc.Parameters<[unknown]>): Promise<fc.RunDetails<[unknown]>>;
  /** Check one case (a counterexample being replayed). */
  check(c: unknown): Promise<unknown>;
}

function target<T>(name: string, arbitrary: fc.Arbitrary<T>, check: (c: T) => Promise<unknown>): Target {
  const property = fc.asyncProperty(arbitrary, async (c) => {
    await check(c);
  });
  return {
    name,
    run: (params) => fc.check(property, params as fc.Parameters<[T]>) as Promise<fc.RunDetails<[unknown]>>,
    check: (c) => check(c as T),
  };
}

export const TARGETS: readonly Target[] = [
  target('mutation', mutationCase, checkMutation),
  target('mutation-tls12', mutationCase12, checkMutation),
  target('mutation-pq', mutationCasePq, checkMutation),
  target('benign', benignCase, checkMutation),
  target('benign-tls12', benignCase12, checkMutation),
  target('mutation-psk', mutationCasePsk, checkMutation),
  target('benign-psk', benignCasePsk, checkMutation),
  target('mutation-early-data', mutationCaseEarly, checkMutation),
  target('benign-early-data', benignCaseEarly, checkMutation),
  target('injection', injectionCase, checkInjection),
  target('injection-tls12', injectionCase12, checkInjection),
  target('differential', diffCase, (c) => checkDifferential(c)),
  target('differential-tls12', diffCase12, (c) => checkDifferential(c)),
  target('record-size-limit', rslCase, checkRsl),
  target('record-size-limit-value', rslValueCase, checkRslValue),
  target('post-handshake-auth', phaCase, checkPha),
];
