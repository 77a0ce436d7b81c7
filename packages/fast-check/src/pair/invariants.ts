/**
 * The invariants of API.md checked on how each side of a pair run ended: a failure is SSL_ERROR_SSL with a reason
 * and an alert sent (or received, or suppressed because our close_notify was already sent: shutdown rules 5 and
 * 13), the alert promised is the one written, never INTERNAL_ERROR.
 */
import { SSL_ERROR_SSL, SSL_ERROR_SYSCALL, SSL_ERROR_ZERO_RETURN } from '@memtls/core';
import { CT, toUnits } from '../wire.js';
import type { Outcome } from './run.js';
import type { Side } from './side.js';

/**
 * Failures that deliberately send no alert, as OpenSSL: the first bytes were plaintext HTTP, i.e. the peer does
 * not speak TLS at all. (Failures after our own close_notify send none either: `sentBefore`.)
 */
export const SILENT_REASONS: ReadonlySet<string> = new Set(['HTTP_REQUEST', 'HTTPS_PROXY_REQUEST']);

/** What is wrong with how a side ended (empty when it ended well). */
export function failureViolations(s: Side, crypto: 'null' | 'real'): string[] {
  const f = s.failure;
  if (!f) return [];
  const out: string[] = [];
  const who = `${s.role} ${f.call} in ${f.phase} -> ${f.ret}`;
  if (f.err === SSL_ERROR_ZERO_RETURN) return out; // a clean close_notify from the peer: allowed anywhere
  if (f.err !== SSL_ERROR_SSL) {
    out.push(`${who}: getError ${f.err} (${f.err === SSL_ERROR_SYSCALL ? 'SYSCALL' : 'other'}), reason ${f.reason}`);
    return out;
  }
  if (!f.reason) out.push(`${who}: SSL_ERROR_SSL without errorReason()`);
  const d = f.detail;
  if (!d) {
    out.push(`${who}: SSL_ERROR_SSL without lastErrorDetail()`);
    return out;
  }
  if (d.reason === 'INTERNAL_ERROR') out.push(`${who}: INTERNAL_ERROR (${d.message})`);
  if (d.alert === null && d.receivedAlert === null && !f.sentBefore && !SILENT_REASONS.has(d.reason)) out.push(`${who}: failed (${d.reason}) with no alert sent or received`);
  if (d.alert !== null) {
    const alert = lastAlert(f.wroteDuring, crypto);
    if (alert === 'none') {
      if (!f.sentBefore) out.push(`${who}: detail.alert ${d.alert} (${d.reason}) but no alert record was written`);
    } else if (alert !== 'opaque' && alert !== d.alert) out.push(`${who}: wrote alert ${alert}, detail says ${d.alert}`);
  }
  return out;
}

/** The alert description in the last record of `bytes`: a number, 'opaque' (sealed, real crypto) or 'none'. */
export function lastAlert(bytes: Uint8Array, _crypto: 'null' | 'real'): number | 'opaque' | 'none' {
  const u = toUnits(bytes).units.at(-1);
  if (!u) return 'none';
  // Sealed with real crypto (TLS 1.3: any type-23 record; TLS 1.2: a protected alert record).
  if (u.opaque) return u.type === CT.APP || u.type === CT.ALERT ? 'opaque' : 'none';
  if (u.type !== CT.ALERT || u.content.length !== 2) return 'none';
  return u.content[1] as number;
}

/** Both sides finished the whole script (handshake, both payloads, close) and got exactly what was sent. */
export function cleanSuccess(out: Outcome, cp: Uint8Array, sp: Uint8Array): boolean {
  return (
    out.client.phase === 'done' &&
    out.server.phase === 'done' &&
    same(out.client.received, sp) &&
    same(out.server.received, cp)
  );
}

/** One line on how a pair run ended, for failure messages. */
export function describeOutcome(out: Outcome): string {
  const side = (s: Side): string =>
    `${s.role}: ${s.phase}${s.failure ? ` (${s.failure.call} in ${s.failure.phase}: ret ${s.failure.ret} err ${s.failure.err} "${s.failure.reason}" alert ${s.failure.detail?.alert ?? '-'} received ${s.failure.detail?.receivedAlert ?? '-'}${s.failure.afterEof ? ' after EOF' : ''})` : ''}`;
  return `${side(out.client)}; ${side(out.server)}; ticks ${out.ticks}, stalls ${out.stalls}, flights c2s ${out.flights.c2s} s2c ${out.flights.s2c}`;
}

const same = (a: readonly number[], b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
