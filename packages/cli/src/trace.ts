/**
 * The readable trace both tools print on stderr (stdout carries only the peer's data).
 *
 * Always (unless -quiet):
 *   HANDSHAKE  every SSL_do_handshake call: ret, SSL_get_error name, shutdown flags
 *   summary    New/Reused, protocol, cipher, SNI, ALPN, group, certificates, verification
 *   SHUTDOWN   every shutdown step: SSL_shutdown calls, the SSL_read that met close_notify (or EOF),
 *              transport EOF / FIN / close, each with ret, error name and SENT/RECEIVED flags
 * With -state: every SSL call (reads and writes too).
 * With -msg:   every record as it crosses the transport (>>> sent, <<< received), with the handshake
 *              messages and alerts visible in plaintext records. TLS 1.3 encrypts everything after
 *              ServerHello, and the core has no message callback, so later records show their outer
 *              type and length only.
 */
import type { MemtlsSocket, PeerCertificate, TraceEvent } from '@memtls/node';

export interface TraceFlags {
  quiet: boolean;
  msg: boolean;
  state: boolean;
}

export type Print = (line: string) => void;

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

/** Format one record event the way `openssl -msg` lines look. */
export function formatRecord(ev: Extract<TraceEvent, { type: 'record' }>): string[] {
  const arrow = ev.direction === 'out' ? '>>>' : '<<<';
  const head = `${arrow} TLS record, ${ev.contentTypeName} [length ${hex4(ev.length)}]`;
  if (ev.handshake.length) return ev.handshake.map((m) => `${head}, ${m.name} [length ${hex4(m.length + 4)}]`);
  if (ev.alert) return [`${head}, ${ev.alert.level === 2 ? 'fatal' : 'warning'} ${ev.alert.name}`];
  if (ev.encrypted) return [`${head} (encrypted; inner type not visible)`];
  return [head];
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
      if (flags.msg) for (const l of formatRecord(ev)) print(prefix + l);
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

function dn(d: PeerCertificate['subject']): string {
  return Object.entries(d)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}

/** The post-handshake summary, OpenSSL-like ("New, TLSv1.3, Cipher is ..."). */
export function summary(sock: MemtlsSocket, role: 'client' | 'server'): string[] {
  const lines: string[] = ['---'];
  const chain: PeerCertificate[] = [];
  for (let c = sock.getPeerCertificate(true); c; c = c.issuerCertificate ?? null) chain.push(c);
  if (chain.length) {
    lines.push(role === 'client' ? 'Certificate chain' : 'Client certificate chain');
    chain.forEach((c, i) => {
      lines.push(` ${i} s:${dn(c.subject)}`, `   i:${dn(c.issuer)}`, `   v:NotBefore: ${c.valid_from}; NotAfter: ${c.valid_to}`);
    });
  } else lines.push(role === 'client' ? (sock.isSessionReused() ? 'No certificate (resumed session)' : 'No server certificate') : 'No client certificate');
  lines.push('---');
  const cipher = sock.getCipher();
  lines.push(`${sock.isSessionReused() ? 'Reused' : 'New'}, ${sock.getProtocol() ?? '?'}, Cipher is ${cipher?.name ?? '?'}`);
  lines.push(`Protocol: ${sock.getProtocol() ?? '?'}`);
  if (sock.servername) lines.push(`Server name: ${sock.servername}`);
  lines.push(sock.alpnProtocol ? `ALPN protocol: ${sock.alpnProtocol}` : 'No ALPN negotiated');
  const group = sock.getEphemeralKeyInfo();
  if (group) lines.push(`Negotiated group: ${group.name}`);
  if (role === 'client' || chain.length) {
    lines.push(sock.authorized ? 'Verification: OK' : `Verification error: ${sock.authorizationError ?? 'not verified'}`);
    lines.push(`Verify return code: ${sock.authorized ? '0 (ok)' : (sock.authorizationError ?? 'not verified')}`);
  }
  lines.push('---');
  return lines;
}
