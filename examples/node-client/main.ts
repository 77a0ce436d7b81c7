/**
 * A memtls client for any TLS 1.2 or 1.3 server: connect, send a request, print the response.
 *
 *   node examples/node-client/dist/main.js [host:port] [--ca file] [--servername name] [--alpn h2,http/1.1]
 *                                          [--send text] [--insecure]
 *
 * Defaults: localhost:4433 (where `openssl s_server` listens), an HTTP/1.0 GET as the request, Node's
 * root store when no --ca is given. The connection details go to stderr, the response to stdout. The
 * client sends its request, half-closes (close_notify), reads until the server's close_notify and exits
 * 0; a TLS failure (including a truncated response) exits 1. With SSLKEYLOGFILE set, the NSS key log lines
 * are appended to that file (mode 0600), for Wireshark.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { connect } from '@memtls/node';

// `pnpm start -- --flag` passes the `--` through: drop it.
const argv = process.argv.slice(2);
if (argv[0] === '--') argv.shift();
const { values, positionals } = parseArgs({
  args: argv,
  allowPositionals: true,
  options: {
    ca: { type: 'string' },
    servername: { type: 'string' },
    alpn: { type: 'string' },
    send: { type: 'string' },
    insecure: { type: 'boolean', default: false },
  },
});
const target = positionals[0] ?? 'localhost:4433';
const colon = target.lastIndexOf(':');
const host = colon > 0 ? target.slice(0, colon) : target;
const port = colon > 0 ? Number(target.slice(colon + 1)) : 443;

/** --ca: a missing or unreadable file is a one-line usage error (exit 2), with how to get a CA file. */
function readCa(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    console.error(`node-client: --ca ${path}: ${why}.`);
    console.error('  The CA file holds the PEM certificate(s) that signed the server certificate. To get one:');
    console.error('  - run examples/node-server: it prints the path of the ca.pem it made ("CA for clients: ...");');
    console.error('  - or make a CA and a server certificate with openssl (see examples/node-client/README.md);');
    console.error('  - or leave --ca out to use Node\'s root store (public servers).');
    process.exit(2);
  }
}

const sock = connect({
  host,
  port,
  servername: values.servername ?? host,
  ...(values.ca ? { ca: readCa(values.ca) } : {}),
  ...(values.alpn ? { ALPNProtocols: values.alpn.split(',') } : {}),
  rejectUnauthorized: !values.insecure,
});

// SSLKEYLOGFILE (as curl, Firefox and OpenSSL's s_client read it): append each key log line, owner-only.
// The lines are secrets that decrypt this connection: only for debugging.
const keylogFile = process.env.SSLKEYLOGFILE;
if (keylogFile) sock.on('keylog', (line: Buffer) => appendFileSync(keylogFile, line, { mode: 0o600 }));

sock.on('secureConnect', () => {
  const cert = sock.getPeerCertificate();
  console.error(`connected to ${host}:${port}: ${sock.getProtocol()} ${sock.getCipher()?.name}, group ${sock.getEphemeralKeyInfo()?.name}`);
  console.error(`server certificate: ${cert ? `CN=${cert.subject.CN} (issuer CN=${cert.issuer.CN})` : 'none'}; ${sock.authorized ? 'verified' : `NOT verified: ${sock.authorizationError}`}`);
  if (sock.alpnProtocol) console.error(`ALPN: ${sock.alpnProtocol}`);
  const request = values.send !== undefined ? `${values.send.replace(/\\n/g, '\n').replace(/\\r/g, '\r')}` : `GET / HTTP/1.0\r\nHost: ${host}\r\n\r\n`;
  // Send the request, then close our direction (close_notify); the response still comes in.
  sock.end(request);
});
sock.pipe(process.stdout);
// How the connection ended. After a fatal alert OpenSSL's shutdown flags are SENT|RECEIVED too, so the
// flags alone cannot tell a clean close from a failure: the error and the peer's close_notify ('end') can.
let failure: (Error & { code?: string }) | null = null;
let peerClosed = false;
sock.on('end', () => {
  peerClosed = true;
});
sock.on('error', (err: Error & { code?: string }) => {
  failure ??= err;
  console.error(`error: ${err.code ?? ''} ${err.message}`);
  process.exitCode = 1;
});
sock.on('close', () => {
  if (failure) console.error(`closed after an error (${failure.code ?? failure.message}): no clean TLS close`);
  else if (peerClosed && sock.getShutdown() === 3) console.error('closed (close_notify both ways)');
  else console.error(`closed (shutdown flags ${sock.getShutdown()}${peerClosed ? '' : ', no close_notify from the server'})`);
});
