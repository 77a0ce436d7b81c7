/**
 * Helpers for the robustness tests: an established `Link` (test/util/link.ts: manual delivery) with either
 * provider, raw access to what a side wrote, and one assertion for "this call failed the way RFC 8446 and
 * OpenSSL say": SSL_ERROR_SSL, the reason string, the alert in lastErrorDetail() and the alert record written.
 */
import { strict as assert } from 'node:assert';
import { type MemoryBio, SSL_ERROR_SSL, type Ssl } from '@memtls/core';
import { CT, parseRecords, toUnits } from '@memtls/fast-check';
import { makeContexts, type Setup } from '../fuzz/kit.js';
import { Link } from '../util/link.js';

export async function linkFor(setup: Setup): Promise<Link> {
  const { cctx, sctx } = makeContexts(setup);
  return new Link(cctx, sctx);
}

/** A Link whose handshake completed; the server's tickets sit unread in the client's input. */
export async function established(setup: Setup): Promise<Link> {
  const link = await linkFor(setup);
  await link.handshake();
  return link;
}

/** Everything waiting in a BIO (consumed). */
export function drain(bio: MemoryBio): Uint8Array {
  const b = new Uint8Array(bio.pending());
  if (b.length) bio.read(b);
  return b;
}

/** Alerts in a byte stream: plaintext ones, and sealed ones the null provider can open. */
export function alertsIn(bytes: Uint8Array): { level: number; desc: number; sealed: boolean }[] {
  const out: { level: number; desc: number; sealed: boolean }[] = [];
  for (const r of parseRecords(bytes).records) if (r.type === CT.ALERT && r.body.length === 2) out.push({ level: r.body[0] as number, desc: r.body[1] as number, sealed: false });
  for (const u of toUnits(bytes).units) if (u.sealed && !u.opaque && u.type === CT.ALERT && u.content.length === 2) out.push({ level: u.content[0] as number, desc: u.content[1] as number, sealed: true });
  return out;
}

export interface Expected {
  /** errorReason(): OpenSSL's reason string. */
  reason: string;
  /** The alert sent (lastErrorDetail().alert), or null for none. */
  alert: number | null;
  /** The engine's reason code (lastErrorDetail().reason), when the test pins it. */
  code?: string;
  /** Bytes the victim wrote during the call, to check the alert record (null provider opens sealed ones). */
  wrote?: Uint8Array;
  /** The return value (default -1). */
  ret?: number;
}

/** Assert that `ret` is this failure. */
export function assertFailed(ssl: Ssl, ret: number, e: Expected): void {
  const d = ssl.lastErrorDetail();
  const ctx = `ret ${ret}, error ${ssl.getError(ret)}, reason "${ssl.errorReason()}" (${d?.reason}), alert ${d?.alert}, received ${d?.receivedAlert}`;
  assert.equal(ret, e.ret ?? -1, ctx);
  assert.equal(ssl.getError(ret), SSL_ERROR_SSL, ctx);
  assert.equal(ssl.errorReason(), e.reason, ctx);
  assert.equal(d?.alert ?? null, e.alert, ctx);
  if (e.code) assert.equal(d?.reason, e.code, ctx);
  if (e.wrote) {
    const alerts = alertsIn(e.wrote);
    if (e.alert === null) assert.equal(alerts.length, 0, `no alert expected, wrote ${JSON.stringify(alerts)}`);
    else if (alerts.length || parseRecords(e.wrote).records.length === 0) assert.deepEqual(alerts.at(-1), { level: 2, desc: e.alert, sealed: alerts.at(-1)?.sealed ?? false }, `alert record: ${ctx}`);
  }
}

/** Assert a failure caused by a received alert: reason text, receivedAlert, no alert sent in reply. */
export function assertReceivedAlert(ssl: Ssl, ret: number, alert: number, reason: string, wrote?: Uint8Array): void {
  const d = ssl.lastErrorDetail();
  const ctx = `ret ${ret}, reason "${ssl.errorReason()}", received ${d?.receivedAlert}, sent ${d?.alert}`;
  assert.equal(ssl.getError(ret), SSL_ERROR_SSL, ctx);
  assert.equal(ssl.errorReason(), reason, ctx);
  assert.equal(d?.receivedAlert, alert, ctx);
  assert.equal(d?.alert ?? null, null, ctx);
  if (wrote) assert.equal(alertsIn(wrote).length, 0, 'a received alert is never answered with an alert');
}
