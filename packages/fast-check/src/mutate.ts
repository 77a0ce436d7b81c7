/**
 * Mutation operators over one flight (the bytes one call of one side wrote), as plain JSON so that every
 * counterexample can be pasted into a regression test. Indices wrap around (`rec % count`), positions are
 * permille of the length, byte strings are hex.
 *
 * Record level (any provider): bit flips anywhere (headers included), truncation, insertion, and records
 * split, merged, swapped, duplicated or dropped. Sealed records are split and merged through the null provider
 * (opened, re-cut, re-sealed); with real crypto those two operators leave sealed records alone.
 * Message level (plaintext hellos with any provider; everything with the null provider): handshake messages
 * decrypted, changed (bit flip, type, truncation with a fixed length, extension, wrong length field, new
 * body), duplicated, dropped, swapped or inserted, extensions of ClientHello / ServerHello /
 * EncryptedExtensions dropped, duplicated or replaced, then re-framed and re-sealed.
 *
 * `applyOps` also says whether the result is "benign": the same application bytes in different record
 * boundaries (a split of a handshake or data record into two non-empty parts, a merge of two data records that
 * still fits 2^14). A benign mutation must leave the run's result unchanged.
 */
import fc from 'fast-check';
import type { Op } from './ops.js';
import {
  CT,
  concat,
  type Ext,
  encodeExts,
  frame,
  fromHex,
  fromItems,
  fromUnits,
  HT,
  hex,
  type Item,
  parseRecords,
  record,
  toItems,
  toUnits,
  type Unit,
} from './wire.js';

export type { Op } from './ops.js';

const at = (permille: number, len: number): number => Math.floor((Math.min(Math.max(permille, 0), 1000) * len) / 1000);
const wrap = (i: number, n: number): number => ((i % n) + n) % n;

interface State {
  bytes: Uint8Array;
  benign: boolean;
}

/** Operate on the record list; `rest` (a trailing partial record) stays at the end. */
function onUnits(s: State, fn: (units: Unit[]) => boolean | 'noop'): void {
  const { units, rest } = toUnits(s.bytes);
  if (units.length === 0) return;
  const r = fn(units);
  if (r === 'noop') return;
  if (!r) s.benign = false;
  s.bytes = concat(fromUnits(units), rest);
}

const msgIndices = (items: Item[]): number[] => items.flatMap((it, i) => (it.kind === 'msg' ? [i] : []));

/** Operate on the handshake messages; non-handshake records are kept in place. */
function onItems(s: State, fn: (items: Item[], msgs: number[]) => void): void {
  const { units, rest } = toUnits(s.bytes);
  const items = toItems(units);
  const msgs = msgIndices(items);
  if (msgs.length === 0) return;
  fn(items, msgs);
  s.benign = false;
  s.bytes = concat(fromItems(items), rest);
}

/** Extensions of a ClientHello, ServerHello or EncryptedExtensions body: offset of the block, and the list. */
function extBlock(type: number, body: Uint8Array): { start: number; exts: Ext[] } | null {
  let o: number;
  if (type === HT.CLIENT_HELLO) {
    o = 34;
    o += 1 + (body[o] ?? 0);
    o += 2 + (((body[o] ?? 0) << 8) | (body[o + 1] ?? 0));
    o += 1 + (body[o] ?? 0);
  } else if (type === HT.SERVER_HELLO) {
    o = 34;
    o += 1 + (body[o] ?? 0) + 3;
  } else if (type === HT.ENCRYPTED_EXTENSIONS) o = 0;
  else return null;
  if (o + 2 > body.length) return null;
  const len = ((body[o] as number) << 8) | (body[o + 1] as number);
  if (o + 2 + len !== body.length) return null;
  const exts: Ext[] = [];
  for (let p = o + 2; p + 4 <= body.length; ) {
    const t = ((body[p] as number) << 8) | (body[p + 1] as number);
    const l = ((body[p + 2] as number) << 8) | (body[p + 3] as number);
    exts.push({ type: t, data: body.slice(p + 4, p + 4 + l) });
    p += 4 + l;
  }
  return { start: o, exts };
}

function applyOne(s: State, op: Op): void {
  switch (op.op) {
    case 'flip': {
      if (s.bytes.length === 0) return;
      const b = s.bytes.slice();
      const p = wrap(op.pos, b.length);
      b[p] = (b[p] as number) ^ (1 << (op.bit & 7));
      s.bytes = b;
      s.benign = false;
      return;
    }
    case 'truncate': {
      const n = at(op.at, s.bytes.length);
      if (n === s.bytes.length) return;
      s.bytes = s.bytes.slice(0, n);
      s.benign = false;
      return;
    }
    case 'insert': {
      const ins = fromHex(op.bytes);
      if (ins.length === 0) return;
      const n = at(op.at, s.bytes.length);
      s.bytes = concat(s.bytes.subarray(0, n), ins, s.bytes.subarray(n));
      s.benign = false;
      return;
    }
    case 'split':
      onUnits(s, (units) => {
        const i = wrap(op.rec, units.length);
        const u = units[i] as Unit;
        if (u.opaque || u.content.length < 2) return 'noop';
        const cut = Math.min(Math.max(at(op.at, u.content.length), 1), u.content.length - 1);
        units.splice(i, 1, { ...u, content: u.content.slice(0, cut) }, { ...u, content: u.content.slice(cut) });
        return u.type === CT.HANDSHAKE || u.type === CT.APP;
      });
      return;
    case 'merge':
      onUnits(s, (units) => {
        if (units.length < 2) return 'noop';
        const i = wrap(op.rec, units.length - 1);
        const a = units[i] as Unit;
        const b = units[i + 1] as Unit;
        if (a.opaque || b.opaque || a.sealed !== b.sealed || a.v12 !== b.v12 || a.type !== b.type) return 'noop';
        const content = concat(a.content, b.content);
        units.splice(i, 2, { ...a, content });
        return a.type === CT.APP && a.sealed && content.length <= 16384;
      });
      return;
    case 'swap':
      onUnits(s, (units) => {
        if (units.length < 2) return 'noop';
        const i = wrap(op.rec, units.length - 1);
        const a = units[i] as Unit;
        units[i] = units[i + 1] as Unit;
        units[i + 1] = a;
        return false;
      });
      return;
    case 'dup':
      onUnits(s, (units) => {
        const i = wrap(op.rec, units.length);
        units.splice(i, 0, units[i] as Unit);
        return false;
      });
      return;
    case 'drop':
      onUnits(s, (units) => {
        units.splice(wrap(op.rec, units.length), 1);
        return false;
      });
      return;
    case 'recType':
    case 'recVersion':
    case 'recInsert':
      applyHeaderOp(s, op);
      return;
    default:
      applyMsgOp(s, op);
  }
}

/** Header-level operators: on the raw records (the protection is left as it is, so a sealed record keeps its bytes). */
function applyHeaderOp(s: State, op: Extract<Op, { op: 'recType' | 'recVersion' | 'recInsert' }>): void {
  const { records, rest } = parseRecords(s.bytes);
  if (records.length === 0 && op.op !== 'recInsert') return;
  const raw = records.map((r) => record(r.type, r.body, r.version));
  const i = wrap(op.rec, Math.max(records.length, 1));
  const r = records[i];
  if (op.op === 'recInsert') raw.splice(Math.min(i, raw.length), 0, record(op.type & 0xff, fromHex(op.bytes)));
  else if (r && op.op === 'recType') raw[i] = record(op.type & 0xff, r.body, r.version);
  else if (r && op.op === 'recVersion') raw[i] = record(r.type, r.body, op.version & 0xffff);
  s.bytes = concat(...raw, rest);
  s.benign = false;
}

function applyMsgOp(s: State, op: Op): void {
  onItems(s, (items, msgs) => {
    if (!('msg' in op)) return;
    const idx = msgs[wrap(op.msg, msgs.length)] as number;
    const it = items[idx] as Extract<Item, { kind: 'msg' }>;
    const m = it.msg;
    switch (op.op) {
      case 'msgFlip': {
        // Flip a bit of the framed message (type, length or body); a changed length needs raw framing.
        const raw = frame(m.type, m.body);
        const p = wrap(op.pos, raw.length);
        raw[p] = (raw[p] as number) ^ (1 << (op.bit & 7));
        items[idx] = { kind: 'unit', group: it.group, unit: { sealed: it.sealed, opaque: false, type: CT.HANDSHAKE, version: 0x0303, content: raw, ...(it.v12 ? { v12: true } : {}) } };
        return;
      }
      case 'msgType':
        items[idx] = { ...it, msg: { type: op.type & 0xff, body: m.body } };
        return;
      case 'msgTrunc':
        items[idx] = { ...it, msg: { type: m.type, body: m.body.slice(0, at(op.at, m.body.length)) } };
        return;
      case 'msgExtend':
        items[idx] = { ...it, msg: { type: m.type, body: concat(m.body, fromHex(op.bytes)) } };
        return;
      case 'msgLen': {
        const raw = frame(m.type, m.body);
        const len = Math.max(0, m.body.length + op.delta) & 0xffffff;
        raw[1] = len >> 16;
        raw[2] = (len >> 8) & 0xff;
        raw[3] = len & 0xff;
        items[idx] = { kind: 'unit', group: it.group, unit: { sealed: it.sealed, opaque: false, type: CT.HANDSHAKE, version: 0x0303, content: raw, ...(it.v12 ? { v12: true } : {}) } };
        return;
      }
      case 'msgBody':
        items[idx] = { ...it, msg: { type: m.type, body: fromHex(op.bytes) } };
        return;
      case 'msgDup':
        items.splice(idx, 0, it);
        return;
      case 'msgDrop':
        items.splice(idx, 1);
        return;
      case 'msgSwap': {
        const j = msgs[wrap(msgs.indexOf(idx) + 1, msgs.length)] as number;
        items[idx] = items[j] as Item;
        items[j] = it;
        return;
      }
      case 'msgInsert':
        items.splice(idx, 0, { ...it, msg: { type: op.type & 0xff, body: fromHex(op.bytes) } });
        return;
      case 'extDrop':
      case 'extDup':
      case 'extData': {
        const blk = extBlock(m.type, m.body);
        if (!blk || blk.exts.length === 0) return;
        const e = wrap(op.ext, blk.exts.length);
        const exts = blk.exts.slice();
        if (op.op === 'extDrop') exts.splice(e, 1);
        else if (op.op === 'extDup') exts.splice(e, 0, exts[e] as Ext);
        else exts[e] = { type: (exts[e] as Ext).type, data: fromHex(op.bytes) };
        items[idx] = { ...it, msg: { type: m.type, body: concat(m.body.subarray(0, blk.start), encodeExts(exts)) } };
        return;
      }
      default:
        return;
    }
  });
}

/** Apply `ops` in order to a flight; `benign` says the result only re-cut records (same application bytes). */
export function applyOps(
  bytes: Uint8Array,
  ops: readonly Op[],
): {
  /** The mutated flight. */
  bytes: Uint8Array;
  /** Only record boundaries changed. */
  benign: boolean;
} {
  const s: State = { bytes, benign: true };
  for (const op of ops) applyOne(s, op);
  return s;
}

/** The records of a flight, for messages in failures. */
export function describeFlight(bytes: Uint8Array): string {
  const { records, rest } = parseRecords(bytes);
  return `${records.map((r) => `${r.type}:${r.body.length}`).join(' ')}${rest.length ? ` +${rest.length}` : ''}`;
}

// ------------------------------------------------------------------ arbitraries

const hexBytes = (max: number): fc.Arbitrary<string> => fc.uint8Array({ maxLength: max }).map(hex);
const idx = fc.nat({ max: 40 });
const permille = fc.integer({ min: 0, max: 1000 });
const hsType = fc.oneof(fc.constantFrom(1, 2, 4, 5, 8, 11, 13, 15, 20, 24, 254), fc.integer({ min: 0, max: 255 }));

/** Record-level operators: flip, truncate, insert, and records split, merged, swapped, duplicated, dropped. */
export const recordOp: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), pos: fc.nat({ max: 20000 }), bit: fc.nat({ max: 7 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: permille }),
  fc.record({ op: fc.constant('insert' as const), at: permille, bytes: hexBytes(24) }),
  fc.record({ op: fc.constant('split' as const), rec: idx, at: permille }),
  fc.record({ op: fc.constant('merge' as const), rec: idx }),
  fc.record({ op: fc.constant('swap' as const), rec: idx }),
  fc.record({ op: fc.constant('dup' as const), rec: idx }),
  fc.record({ op: fc.constant('drop' as const), rec: idx }),
);

/** Message-level operators: handshake messages and hello extensions changed, duplicated, dropped, swapped, injected. */
export const messageOp: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('msgFlip' as const), msg: idx, pos: fc.nat({ max: 4000 }), bit: fc.nat({ max: 7 }) }),
  fc.record({ op: fc.constant('msgType' as const), msg: idx, type: hsType }),
  fc.record({ op: fc.constant('msgTrunc' as const), msg: idx, at: permille }),
  fc.record({ op: fc.constant('msgExtend' as const), msg: idx, bytes: hexBytes(16) }),
  fc.record({ op: fc.constant('msgLen' as const), msg: idx, delta: fc.oneof(fc.integer({ min: -8, max: 8 }), fc.constantFrom(-1000000, 70000, 200000, 0xffffff)) }),
  fc.record({ op: fc.constant('msgBody' as const), msg: idx, bytes: hexBytes(64) }),
  fc.record({ op: fc.constant('msgDup' as const), msg: idx }),
  fc.record({ op: fc.constant('msgDrop' as const), msg: idx }),
  fc.record({ op: fc.constant('msgSwap' as const), msg: idx }),
  fc.record({ op: fc.constant('msgInsert' as const), msg: idx, type: hsType, bytes: hexBytes(32) }),
  fc.record({ op: fc.constant('extDrop' as const), msg: idx, ext: idx }),
  fc.record({ op: fc.constant('extDup' as const), msg: idx, ext: idx }),
  fc.record({ op: fc.constant('extData' as const), msg: idx, ext: idx, bytes: hexBytes(12) }),
);

/** Benign-only operators (the result must not change). */
export const benignOp: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('split' as const), rec: idx, at: permille }),
  fc.record({ op: fc.constant('merge' as const), rec: idx }),
);

/**
 * Header operators (not in the project's `recordOp`, so its targets keep their case distribution): a record's
 * content type or version changed, or a plaintext record of any type (CCS, alert, handshake, data, heartbeat,
 * unassigned) inserted before record `rec`.
 */
export const headerOp: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('recType' as const), rec: idx, type: fc.oneof(fc.constantFrom(20, 21, 22, 23, 24), fc.integer({ min: 0, max: 255 })) }),
  fc.record({ op: fc.constant('recVersion' as const), rec: idx, version: fc.oneof(fc.constantFrom(0x0300, 0x0301, 0x0302, 0x0304, 0x0a0a, 0xfefd), fc.integer({ min: 0, max: 0xffff })) }),
  fc.record({ op: fc.constant('recInsert' as const), rec: idx, type: fc.oneof(fc.constantFrom(20, 21, 22, 23, 24), fc.integer({ min: 0, max: 255 })), bytes: hexBytes(24) }),
);
