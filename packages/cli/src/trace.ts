/**
 * The readable trace both tools print on stderr, and the OpenSSL-style reports.
 *
 * stderr (unless -quiet):
 *   HANDSHAKE  every SSL_do_handshake call: ret, SSL_get_error name, shutdown flags
 *   SHUTDOWN   every shutdown step: SSL_shutdown calls, the SSL_read that met close_notify (or EOF),
 *              transport EOF / FIN / close, each with ret, error name and SENT/RECEIVED flags
 * With -state: every SSL call (reads and writes too).
 * With -msg:   every record as it crosses the transport (`>>> TLS record, ...` sent, `<<<` received), and
 *              every handshake message and alert, decrypted, from the core's message callback
 *              (`<<< TLS 1.3, Handshake [length 0006], EncryptedExtensions`).
 * With -trace: the same events laid out as OpenSSL's -trace (`Sent Record` / `Received Record` blocks).
 * stdout (s_client, unless -quiet/-brief): the connection summary, as `openssl s_client` prints it
 * (`SSL handshake has read N bytes and written N bytes`, `Verify return code: 0 (ok)`, ...).
 */
import { X509Certificate } from 'node:crypto';
import type { MsgInfo } from '@memtls/core';
import { alertName, formatTraceMessage, formatTraceRecord, handshakeTypeName, type MemtlsSocket, type TraceEvent } from '@memtls/node';
import { opensslName, type VerifyResult } from './common.js';
import { verifyCode, verifyReturnLine } from './verify-codes.js';

export interface TraceFlags {
  quiet: boolean;
  msg: boolean;
  state: boolean;
  /** OpenSSL's -trace layout for records and messages. */
  trace?: boolean;
}

export type Print = (line: string) => void;

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

const CONTENT_NAMES: Record<number, string> = { 20: 'ChangeCipherSpec', 21: 'Alert', 22: 'Handshake', 23: 'ApplicationData' };

/** Format one record event the way `openssl -msg` lines look (the record layer only: messages come from formatMessage). */
export function formatRecord(ev: Extract<TraceEvent, { type: 'record' }>): string[] {
  const arrow = ev.direction === 'out' ? '>>>' : '<<<';
  return [`${arrow} TLS record, ${ev.contentTypeName} [length ${hex4(ev.length)}]${ev.encrypted ? ' (encrypted)' : ''}`];
}

/**
 * The protocol version a ServerHello (or HelloRetryRequest) selects: its supported_versions extension (RFC 8446
 * §4.2.1) when present, else its legacy_version. Null for anything else or a message too short to tell.
 */
export function serverHelloVersion(bytes: Uint8Array): '1.2' | '1.3' | null {
  if (bytes[0] !== 2 || bytes.length < 4 + 2 + 32 + 1) return null;
  let o = 4 + 2 + 32;
  o += 1 + (bytes[o] ?? 0) + 2 + 1; // session id, cipher suite, compression
  const legacy = ((bytes[4] ?? 0) << 8) | (bytes[5] ?? 0);
  const end = Math.min(bytes.length, o + 2 + (((bytes[o] ?? 0) << 8) | (bytes[o + 1] ?? 0)));
  for (o += 2; o + 4 <= end; ) {
    const type = ((bytes[o] ?? 0) << 8) | (bytes[o + 1] ?? 0);
    const len = ((bytes[o + 2] ?? 0) << 8) | (bytes[o + 3] ?? 0);
    if (type === 43 && len === 2 && bytes[o + 4] === 3 && bytes[o + 5] === 4) return '1.3';
    o += 4 + len;
  }
  return legacy === 0x0303 ? '1.2' : null;
}

/** One decrypted message from the core's message callback, as `openssl -msg` prints it (`version`: '1.2' or '1.3'). */
export function formatMessage(m: MsgInfo, version: '1.2' | '1.3' = '1.3'): string {
  const arrow = m.direction === 'sent' ? '>>>' : '<<<';
  const type = CONTENT_NAMES[m.contentType] ?? `type ${m.contentType}`;
  const head = `${arrow} TLS ${version}, ${type} [length ${hex4(m.bytes.length)}]`;
  if (m.contentType === 22) return `${head}, ${handshakeTypeName(m.bytes[0] ?? 0)}`;
  if (m.contentType === 21) return `${head}, ${m.bytes[0] === 2 ? 'fatal' : 'warning'} ${alertName(m.bytes[1] ?? 0)}`;
  return head;
}

/**
 * The message callback for -msg / -trace (null when neither is on). As OpenSSL's, a line carries the highest
 * version enabled (`maxVersion`) until the ServerHello, then the negotiated one; each ClientHello starts over.
 */
export function makeMsgPrinter(flags: TraceFlags, print: Print, prefix = '', maxVersion: '1.2' | '1.3' = '1.3'): ((m: MsgInfo) => void) | null {
  if (flags.quiet || !(flags.msg || flags.trace)) return null;
  let version = maxVersion;
  return (m) => {
    if (m.contentType === 22 && m.bytes[0] === 1) version = maxVersion;
    if (m.contentType === 22) version = serverHelloVersion(m.bytes) ?? version;
    for (const l of flags.trace ? formatTraceMessage(m) : [formatMessage(m, version)]) print(prefix + l);
  };
}

/** Format one Ssl call: `SSL_shutdown -> 0 SSL_ERROR_SYSCALL [SENT]`. */
export function formatCall(ev: Extract<TraceEvent, { type: 'call' }>): string {
  const reason = ev.reason ? ` (${ev.reason})` : '';
  return `${ev.call} -> ${ev.ret} ${ev.error} [${ev.shutdown}]${reason}`;
}

/**
 * A trace callback for one connection. `prefix` tells connections apart on a server.
 */
export function makeTracer(flags: TraceFlags, print: Print, prefix = ''): (ev: TraceEvent) => void {
  let handshakeDone = false;
  return (ev) => {
    if (flags.quiet) return;
    if (ev.type === 'record') {
      if (flags.trace) for (const l of formatTraceRecord(ev)) print(prefix + l);
      else if (flags.msg) for (const l of formatRecord(ev)) print(prefix + l);
      return;
    }
    if (ev.type === 'transport') {
      if (flags.state || handshakeDone || ev.event === 'eof') print(`${prefix}SHUTDOWN: transport ${describeTransport(ev.event)}${ev.detail ? ` (${ev.detail})` : ''}`);
      return;
    }
    if (ev.call === 'SSL_do_handshake') {
      if (ev.ret === 1) handshakeDone = true;
      print(`${prefix}HANDSHAKE: ${formatCall(ev)}`);
      return;
    }
    if (ev.call === 'SSL_shutdown') {
      print(`${prefix}SHUTDOWN: ${formatCall(ev)}`);
      return;
    }
    // A read that ends the stream (close_notify, truncation, fatal alert) is a shutdown step.
    const endsStream = ev.call === 'SSL_read' && ev.ret <= 0 && ev.error !== 'SSL_ERROR_WANT_READ';
    if (endsStream) print(`${prefix}SHUTDOWN: ${formatCall(ev)}${ev.error === 'SSL_ERROR_ZERO_RETURN' ? ' (peer close_notify)' : ''}`);
    else if (flags.state) print(`${prefix}STATE: ${formatCall(ev)}`);
  };
}

function describeTransport(event: string): string {
  switch (event) {
    case 'eof':
      return 'EOF from the peer (FIN)';
    case 'fin-sent':
      return 'FIN sent (our side half-closed)';
    case 'close':
      return 'closed';
    case 'paused':
      return 'paused (backpressure)';
    case 'resumed':
      return 'resumed';
    default:
      return event;
  }
}

/**
 * `Server Temp Key: X25519, 253 bits`; for a hybrid ML-KEM group, which has no single peer key, OpenSSL 3.5's
 * `Negotiated TLS1.3 group: X25519MLKEM768` instead.
 */
function tempKeyLines(sock: MemtlsSocket): string[] {
  const info = sock.getEphemeralKeyInfo();
  if (info?.type === 'TLSGroup') return [`Negotiated TLS1.3 group: ${info.name}`];
  const key = tempKey(info?.name);
  return key ? [`Server Temp Key: ${key}`] : [];
}

/** `Server Temp Key: X25519, 253 bits`, as OpenSSL names the groups. */
function tempKey(group: string | undefined): string | null {
  switch (group) {
    case 'x25519':
      return 'X25519, 253 bits';
    case 'secp256r1':
      return 'ECDH, prime256v1, 256 bits';
    case 'secp384r1':
      return 'ECDH, secp384r1, 384 bits';
    default:
      return group ? group : null;
  }
}

/** The verification result for the report: the callback's, else the core's (a resumed session). */
function resultOf(sock: MemtlsSocket, verify: VerifyResult | null): string {
  return verify?.code ?? sock.ssl.verifyResult();
}

/**
 * The post-handshake report of `openssl s_client` (stdout): the chain, the server certificate, the handshake
 * byte counts, `New, TLSv1.3, Cipher is ...`, ALPN and `Verify return code: N (text)`. No secret (no PSK, no
 * ticket) is printed.
 */
export function clientSummary(sock: MemtlsSocket, verify: VerifyResult | null, opts: { showcerts?: boolean }): string[] {
  const lines: string[] = ['---'];
  const chain = sock.ssl.peerCertificates();
  if (chain.length) {
    lines.push('Certificate chain');
    chain.forEach((der, i) => {
      lines.push(` ${i} s:${opensslName(der)}`, `   i:${opensslName(der, 'issuer')}`);
      const v = validity(der);
      if (v) lines.push(`   v:NotBefore: ${v[0]}; NotAfter: ${v[1]}`);
      if (opts.showcerts) lines.push(derToPemLines(der));
    });
    lines.push('---', 'Server certificate');
    if (!opts.showcerts) lines.push(derToPemLines(chain[0] as Uint8Array));
    lines.push(`subject=${opensslName(chain[0])}`, `issuer=${opensslName(chain[0], 'issuer')}`);
  } else lines.push('no peer certificate available');
  lines.push('---', 'No client certificate CA names sent');
  lines.push(...tempKeyLines(sock));
  const stats = sock.bufferStats();
  lines.push('---', `SSL handshake has read ${stats.bytesIn} bytes and written ${stats.bytesOut} bytes`);
  const code = resultOf(sock, verify);
  lines.push(code === 'X509_V_OK' ? 'Verification: OK' : `Verification error: ${verifyCode(code).text}`);
  lines.push('---');
  const cipher = sock.getCipher()?.name ?? '(NONE)';
  const proto = sock.getProtocol() ?? '(NONE)';
  lines.push(`${sock.isSessionReused() ? 'Reused' : 'New'}, ${proto}, Cipher is ${cipher}`);
  // A TLS 1.2 connection of the client always has RFC 5746 (the core refuses a server without it); TLS 1.3 has no
  // renegotiation, and OpenSSL prints NOT there.
  lines.push(`Secure Renegotiation IS${proto === 'TLSv1.2' ? '' : ' NOT'} supported`, 'Compression: NONE', 'Expansion: NONE');
  lines.push(sock.alpnProtocol ? `ALPN protocol: ${sock.alpnProtocol}` : 'No ALPN negotiated');
  lines.push(earlyDataLine(sock), verifyReturnLine(code), '---');
  lines.push('SSL-Session:', `    Protocol  : ${proto}`, `    Cipher    : ${cipher}`, `    PSK identity: ${pskIdentityText(sock)}`, `    ${verifyReturnLine(code)}`, '---');
  return lines;
}

/** OpenSSL's s_client line for SSL_get_early_data_status. */
function earlyDataLine(sock: MemtlsSocket): string {
  const s = sock.ssl.getEarlyDataStatus();
  return s === 'accepted' ? 'Early data was accepted' : s === 'rejected' ? 'Early data was rejected' : 'Early data was not sent';
}

/** `openssl s_client -brief` (stderr). */
export function briefSummary(sock: MemtlsSocket, verify: VerifyResult | null): string[] {
  const lines = ['CONNECTION ESTABLISHED', `Protocol version: ${sock.getProtocol() ?? '(NONE)'}`, `Ciphersuite: ${sock.getCipher()?.name ?? '(NONE)'}`];
  const leaf = sock.ssl.peerCertificates()[0];
  lines.push(leaf ? `Peer certificate: ${opensslName(leaf)}` : 'No peer certificate');
  const code = resultOf(sock, verify);
  lines.push(code === 'X509_V_OK' ? 'Verification: OK' : `Verification error: ${verifyCode(code).text}`);
  lines.push(...tempKeyLines(sock));
  if (sock.alpnProtocol) lines.push(`ALPN protocol: ${sock.alpnProtocol}`);
  return lines;
}

/** The external PSK identity that authenticated the peer, as text (OpenSSL's SSL_SESSION_print: None when none). */
function pskIdentityText(sock: MemtlsSocket): string {
  const id = sock.ssl.pskIdentity();
  return id ? JSON.stringify(Buffer.from(id).toString('latin1')).slice(1, -1) : 'None';
}

/** OpenSSL's lines for a chain that did not verify (stderr, even with -quiet). */
export function verifyErrorLines(v: VerifyResult, reject: boolean): string[] {
  const { num, text } = verifyCode(v.code);
  return [`depth=${v.depth} ${v.subject}`, `verify error:num=${num}:${text}`, ...(reject ? [] : ['verify return:1'])];
}

function validity(der: Uint8Array): [string, string] | null {
  try {
    const x = new X509Certificate(der);
    return [x.validFrom, x.validTo];
  } catch {
    return null;
  }
}

function derToPemLines(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----`;
}

/** The s_server summary (stderr: its stdout carries the client's data). */
export function serverSummary(sock: MemtlsSocket, verify: VerifyResult | null): string[] {
  const lines: string[] = ['---'];
  const chain = sock.ssl.peerCertificates();
  if (chain.length) {
    lines.push('Client certificate chain');
    chain.forEach((der, i) => {
      lines.push(` ${i} s:${opensslName(der)}`, `   i:${opensslName(der, 'issuer')}`);
    });
  } else lines.push('No client certificate');
  lines.push('---');
  lines.push(`${sock.isSessionReused() ? 'Reused' : 'New'}, ${sock.getProtocol() ?? '?'}, Cipher is ${sock.getCipher()?.name ?? '?'}`);
  lines.push(`Protocol: ${sock.getProtocol() ?? '?'}`);
  if (sock.ssl.pskIdentity()) lines.push(`PSK identity: ${pskIdentityText(sock)}`);
  if (sock.servername) lines.push(`Server name: ${sock.servername}`);
  lines.push(sock.alpnProtocol ? `ALPN protocol: ${sock.alpnProtocol}` : 'No ALPN negotiated');
  const group = sock.getEphemeralKeyInfo();
  if (group) lines.push(`Negotiated group: ${group.name}`);
  if (chain.length) {
    const code = resultOf(sock, verify);
    lines.push(code === 'X509_V_OK' ? 'Verification: OK' : `Verification error: ${verifyCode(code).text}`, verifyReturnLine(code));
  }
  lines.push('---');
  return lines;
}
