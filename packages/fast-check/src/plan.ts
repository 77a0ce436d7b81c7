/**
 * Mutation plans: which flight of which direction gets which operators, as plain JSON (a counterexample is
 * pasted into a regression test as it is), with a readable rendering and a hex dump for failure reports.
 */
import fc from 'fast-check';
import { applyOps, headerOp, messageOp, type Op, recordOp } from './mutate.js';
import type { Dir } from './pair/side.js';
import { DEFINED_HANDSHAKE_TYPES, hex, parseRecords } from './wire.js';

/** What the man in the middle does: `ops`, in order, on flight number `flight` (from 0) of direction `dir`. */
export interface MutationPlan {
  /** The direction whose flight is mutated (its receiver is the endpoint under test). */
  dir: Dir;
  /** Which flight of that direction: 0 is the ClientHello (c2s) or the server's first flight (s2c). */
  flight: number;
  /** The operators, applied in order. */
  ops: Op[];
}

/** Options of `mutationPlan`. */
export interface MutationPlanOptions {
  /** The directions to mutate (default: both). */
  dirs?: readonly Dir[];
  /** The lowest flight index (default 0). */
  minFlight?: number;
  /** The highest flight index (default 3; at least `minFlight`). */
  maxFlight?: number;
  /** At most this many operators (default 3; at least 1). */
  maxOps?: number;
  /** Which operator families (default: all three). Message operators on sealed records need the null
   * provider on the memtls side; on a peer with real crypto they reach only the plaintext hellos. */
  families?: readonly ('record' | 'header' | 'message')[];
}

/**
 * Plans of 1 to `maxOps` operators on one flight. They shrink operator by operator: first by leaving out any one
 * operator (fast-check's arrays only drop leading items), then each operator's fields, so a counterexample ends
 * as the operators that matter and nothing else.
 */
export function mutationPlan(o: MutationPlanOptions = {}): fc.Arbitrary<MutationPlan> {
  const fams = o.families ?? ['record', 'header', 'message'];
  const arbs = fams.map((f) => (f === 'record' ? recordOp : f === 'header' ? headerOp : messageOp));
  const min = Math.max(0, o.minFlight ?? 0);
  return fc.record({
    dir: fc.constantFrom<Dir>(...(o.dirs ?? ['c2s', 's2c'])),
    flight: fc.integer({ min, max: Math.max(min, o.maxFlight ?? 3) }),
    ops: removableItems(fc.array(fc.oneof(...arbs), { minLength: 1, maxLength: Math.max(1, o.maxOps ?? 3) }), 1),
  });
}

/** Options of `injectionPlan`. */
export interface InjectionPlanOptions {
  /** The directions (default: both). */
  dirs?: readonly Dir[];
  /** The highest flight index (default 3). */
  maxFlight?: number;
  /** The largest body (default 64 bytes). */
  maxBody?: number;
}

/**
 * One handshake message of any type (every registered type weighted, then any byte) with any body, injected before
 * any message of a flight: the receiver's state there is whatever it was expecting next (RFC 8446 §4: anything
 * else is unexpected_message). Against a peer with real crypto the protected messages are out of reach; the
 * injected message then goes in the flight's plaintext part.
 */
export function injectionPlan(o: InjectionPlanOptions = {}): fc.Arbitrary<MutationPlan> {
  const type = fc.oneof(fc.constantFrom(...DEFINED_HANDSHAKE_TYPES), fc.integer({ min: 0, max: 255 }));
  return fc.record({
    dir: fc.constantFrom<Dir>(...(o.dirs ?? ['c2s', 's2c'])),
    flight: fc.nat({ max: o.maxFlight ?? 3 }),
    ops: fc
      .record({ msg: fc.nat({ max: 12 }), type, bytes: fc.uint8Array({ maxLength: Math.max(0, o.maxBody ?? 64) }).map(hex) })
      .map((r): Op[] => [{ op: 'msgInsert', msg: r.msg, type: r.type, bytes: r.bytes }]),
  });
}

/** `arb` with a shrinker that first tries the array without each one of its items (down to `minLength`). */
export function removableItems<T>(arb: fc.Arbitrary<T[]>, minLength = 0): fc.Arbitrary<T[]> {
  return new RemovableItems(arb, minLength);
}

class RemovableItems<T> extends fc.Arbitrary<T[]> {
  private readonly inner: fc.Arbitrary<T[]>;
  private readonly minLength: number;
  constructor(inner: fc.Arbitrary<T[]>, minLength: number) {
    super();
    this.inner = inner;
    this.minLength = minLength;
  }
  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<T[]> {
    return this.inner.generate(mrng, biasFactor);
  }
  canShrinkWithoutContext(value: unknown): value is T[] {
    return this.inner.canShrinkWithoutContext(value);
  }
  shrink(value: T[], context: unknown): fc.Stream<fc.Value<T[]>> {
    const without =
      value.length > this.minLength && value.length > 1
        ? value.map((_, i) => new fc.Value(value.filter((_, j) => j !== i), undefined))
        : [];
    return fc.Stream.of(...without).join(this.inner.shrink(value, context));
  }
}

/** Apply `plan` to flight `n` of direction `dir` (any other flight passes unchanged). */
export function applyPlan(plan: MutationPlan, dir: Dir, n: number, bytes: Uint8Array): Uint8Array {
  return dir === plan.dir && n === plan.flight ? applyOps(bytes, plan.ops).bytes : bytes;
}

const PERMILLE = (p: number): string => `${(Math.min(Math.max(p, 0), 1000) / 10).toFixed(1)}%`;

/** One operator in words ("flip bit 3 of byte 57 (mod length)"). Indices wrap around the records or messages. */
export function formatOp(op: Op): string {
  switch (op.op) {
    case 'flip':
      return `flip bit ${op.bit & 7} of byte ${op.pos} (mod length)`;
    case 'truncate':
      return `truncate the flight at ${PERMILLE(op.at)}`;
    case 'insert':
      return `insert ${op.bytes.length / 2} bytes (${op.bytes || 'none'}) at ${PERMILLE(op.at)}`;
    case 'split':
      return `split record ${op.rec} at ${PERMILLE(op.at)} of its content`;
    case 'merge':
      return `merge record ${op.rec} with the next`;
    case 'swap':
      return `swap record ${op.rec} with the next`;
    case 'dup':
      return `duplicate record ${op.rec}`;
    case 'drop':
      return `drop record ${op.rec}`;
    case 'recType':
      return `set the content type of record ${op.rec} to ${op.type}`;
    case 'recVersion':
      return `set the version of record ${op.rec} to 0x${op.version.toString(16).padStart(4, '0')}`;
    case 'recInsert':
      return `insert a record of type ${op.type} with ${op.bytes.length / 2} bytes (${op.bytes || 'none'}) before record ${op.rec}`;
    case 'msgFlip':
      return `flip bit ${op.bit & 7} of byte ${op.pos} of handshake message ${op.msg}`;
    case 'msgType':
      return `set the type of handshake message ${op.msg} to ${op.type}`;
    case 'msgTrunc':
      return `truncate handshake message ${op.msg} to ${PERMILLE(op.at)} (length fixed)`;
    case 'msgExtend':
      return `append ${op.bytes} to handshake message ${op.msg} (length fixed)`;
    case 'msgLen':
      return `add ${op.delta} to the length field of handshake message ${op.msg}`;
    case 'msgBody':
      return `replace the body of handshake message ${op.msg} with ${op.bytes || 'nothing'}`;
    case 'msgDup':
      return `duplicate handshake message ${op.msg}`;
    case 'msgDrop':
      return `drop handshake message ${op.msg}`;
    case 'msgSwap':
      return `swap handshake message ${op.msg} with the next`;
    case 'msgInsert':
      return `inject a handshake message of type ${op.type} (${op.bytes || 'empty'}) before message ${op.msg}`;
    case 'extDrop':
      return `drop extension ${op.ext} of handshake message ${op.msg}`;
    case 'extDup':
      return `duplicate extension ${op.ext} of handshake message ${op.msg}`;
    case 'extData':
      return `replace the data of extension ${op.ext} of handshake message ${op.msg} with ${op.bytes || 'nothing'}`;
  }
}

/** A plan in words, one operator a line. */
export function formatPlan(plan: MutationPlan): string {
  const head = `flight ${plan.flight} ${plan.dir === 'c2s' ? 'client -> server' : 'server -> client'}:`;
  return [head, ...plan.ops.map((op, i) => `  ${i + 1}. ${formatOp(op)}`)].join('\n');
}

/** A classic hex dump: offset, 16 bytes in hex, the printable ASCII; at most `max` bytes (default 512). */
export function hexDump(bytes: Uint8Array, max = 512): string {
  const lines: string[] = [];
  const n = Math.min(bytes.length, max);
  for (let o = 0; o < n; o += 16) {
    const row = bytes.subarray(o, Math.min(o + 16, n));
    const h = hex(row).replace(/(..)/g, '$1 ').padEnd(48);
    const a = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${o.toString(16).padStart(6, '0')}  ${h} ${a}`);
  }
  if (bytes.length > n) lines.push(`... ${bytes.length - n} more bytes`);
  return lines.join('\n');
}

/** The records of a flight in one line: `type:length` each, and a trailing partial record as `+n`. */
export function recordSummary(bytes: Uint8Array): string {
  const { records, rest } = parseRecords(bytes);
  return `${records.map((r) => `${r.type}:${r.body.length}`).join(' ')}${rest.length ? ` +${rest.length}` : ''}`;
}
