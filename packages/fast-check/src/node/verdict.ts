/**
 * How a run against an endpoint ended, in the words a property uses, and the alert descriptions of RFC 8446 §6
 * and RFC 5246 §7.2 by name.
 */
import type { MutationPlan } from '../plan.js';
import { formatPlan, hexDump } from '../plan.js';
import { CT, parseRecords } from '../wire.js';

/** The alert descriptions of the TLS Alert registry by number. */
export const ALERT_NAMES: Readonly<Record<number, string>> = {
  0: 'close_notify',
  10: 'unexpected_message',
  20: 'bad_record_mac',
  21: 'decryption_failed',
  22: 'record_overflow',
  30: 'decompression_failure',
  40: 'handshake_failure',
  41: 'no_certificate',
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  44: 'certificate_revoked',
  45: 'certificate_expired',
  46: 'certificate_unknown',
  47: 'illegal_parameter',
  48: 'unknown_ca',
  49: 'access_denied',
  50: 'decode_error',
  51: 'decrypt_error',
  60: 'export_restriction',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  90: 'user_canceled',
  100: 'no_renegotiation',
  109: 'missing_extension',
  110: 'unsupported_extension',
  111: 'certificate_unobtainable',
  112: 'unrecognized_name',
  113: 'bad_certificate_status_response',
  114: 'bad_certificate_hash_value',
  115: 'unknown_psk_identity',
  116: 'certificate_required',
  120: 'no_application_protocol',
};

/** The name of alert description `d` ('alert_<d>' when unassigned). */
export const alertName = (d: number): string => ALERT_NAMES[d] ?? `alert_${d}`;

/**
 * How the endpoint under test ended the run:
 * - `completed`: the handshake finished, the payload was written and the connection closed cleanly (close_notify,
 *   or the transport closed after ours);
 * - `alert`: the endpoint sent an alert other than close_notify (`description`, `name`, `level`);
 * - `closed`: the endpoint closed the transport without an alert we could read;
 * - `hang`: after our side had nothing more to send and closed its half of the transport, the endpoint neither
 *   answered nor closed within the budget (or, an endpoint that connects, it never connected within `acceptMs`);
 * - `exception`: the endpoint's code threw (its `serve`, `connect` or `connectTo` function, a write into its
 *   stream, or an uncaught exception while the run was on).
 */
export type Verdict =
  | {
    /** The verdict. */
    kind: 'completed';
    }
  | {
    /** The verdict. */
    kind: 'alert';
    /** The alert description. */
    description: number;
    /** Its name (RFC 8446 §6). */
    name: string;
    /** The alert level (1 warning, 2 fatal). */
    level: number;
    }
  | {
    /** The verdict. */
    kind: 'closed';
    }
  | {
    /** The verdict. */
    kind: 'hang';
    /** Milliseconds waited after our EOF (or for the connection of an endpoint that connects). */
    afterMs: number;
    }
  | {
    /** The verdict. */
    kind: 'exception';
    /** What was thrown. */
    error: unknown;
    };

/** Everything a run observed, for properties and for the failure report. */
export interface DriveResult {
  /** How the endpoint ended the run. */
  verdict: Verdict;
  /** The plan that was applied (absent: none). */
  plan: MutationPlan | undefined;
  /** Our flights as sent, after the plan and the filter (one entry a flight; the chunking cuts them further). */
  sent: Uint8Array[];
  /** Every byte the endpoint sent, in order. */
  received: Uint8Array;
  /** Application data the memtls side read from the endpoint. */
  appData: Uint8Array;
  /** True when the memtls side finished its handshake. */
  handshakeDone: boolean;
  /** The memtls side's own failure (its reason, and the alert it sent), when it failed first or after. */
  driverFailure: {
    /** Its reason, in words. */
    reason: string;
    /** The alert it sent (null: none). */
    alertSent: number | null;
  } | null;
  /** Milliseconds the run took. */
  elapsedMs: number;
}

/** The first alert other than close_notify in plaintext records of `bytes` (encrypted ones are not looked into). */
export function plaintextAlert(bytes: Uint8Array): {
  /** 1 warning, 2 fatal. */
  level: number;
  /** The description. */
  description: number;
} | null {
  for (const r of parseRecords(bytes).records) {
    if (r.type === CT.ALERT && r.body.length === 2 && r.body[1] !== 0) return { level: r.body[0] as number, description: r.body[1] as number };
  }
  return null;
}

/** A verdict in one line. */
export function formatVerdict(v: Verdict): string {
  switch (v.kind) {
    case 'alert':
      return `alert ${v.name} (${v.description}, level ${v.level})`;
    case 'hang':
      return `hang (no answer and no close ${v.afterMs} ms after our EOF)`;
    case 'exception':
      return `exception in the endpoint: ${v.error instanceof Error ? (v.error.stack ?? v.error.message) : String(v.error)}`;
    default:
      return v.kind;
  }
}

/** The whole run as a report: verdict, plan in words, and hex dumps of what was sent and received. */
export function formatResult(r: DriveResult, maxDump = 256): string {
  const lines = [`verdict: ${formatVerdict(r.verdict)}`, `plan: ${r.plan ? `\n${formatPlan(r.plan)}` : 'none'}`];
  if (r.driverFailure) lines.push(`memtls side failed: ${r.driverFailure.reason} (alert sent: ${r.driverFailure.alertSent === null ? 'none' : alertName(r.driverFailure.alertSent)})`);
  for (const [i, f] of r.sent.entries()) lines.push(`sent flight ${i} (${f.length} bytes):\n${hexDump(f, maxDump)}`);
  lines.push(`received (${r.received.length} bytes):\n${hexDump(r.received, maxDump)}`);
  return lines.join('\n');
}
