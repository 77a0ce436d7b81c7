/**
 * OpenSSL's `-trace` layout (SSL_trace) for records on the wire and decrypted messages, used by
 * `MemtlsSocket.enableTrace()` and by the CLI's `-trace`.
 *
 * Rules: it describes what was seen and never throws; it prints headers (types, versions, lengths,
 * message names, alert descriptions), never message contents, so no key material can appear.
 */
import type { MsgInfo } from '@memtls/core';
import { alertName, handshakeTypeName, type RecordInfo } from './record-tap.js';

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

const CONTENT_NAMES: Record<number, string> = { 20: 'ChangeCipherSpec', 21: 'Alert', 22: 'Handshake', 23: 'ApplicationData' };

function versionName(v: number): string {
  return v >= 0x0301 && v <= 0x0304 ? `TLS 1.${v - 0x0301}` : `0x${hex4(v)}`;
}

/** One record as OpenSSL's -trace prints it (`Sent Record` / `Received Record` and its header fields). */
export function formatTraceRecord(r: RecordInfo): string[] {
  return [
    r.direction === 'out' ? 'Sent Record' : 'Received Record',
    `  Version = ${versionName(r.version)} (0x${r.version.toString(16)})`,
    `  Content Type = ${r.contentTypeName} (${r.contentType})`,
    `  Length = ${r.length}`,
  ];
}

/** One decrypted handshake message or alert (the core's message callback) as OpenSSL's -trace prints it. */
export function formatTraceMessage(m: MsgInfo): string[] {
  const head = `${m.direction === 'sent' ? 'Sent' : 'Received'} Message (decrypted), Content Type = ${CONTENT_NAMES[m.contentType] ?? m.contentType} (${m.contentType})`;
  if (m.contentType === 22) return [head, `    ${handshakeTypeName(m.bytes[0] ?? 0)}, Length=${m.bytes.length - 4}`];
  if (m.contentType === 21) return [head, `    Level=${m.bytes[0] === 2 ? 'fatal' : 'warning'}(${m.bytes[0]}), Description=${alertName(m.bytes[1] ?? 0)}(${m.bytes[1]})`];
  return [head];
}
