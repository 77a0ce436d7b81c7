/**
 * A memtls client for any TLS 1.3 server: connect, send a request, print the response.
 *
 *   node examples/node-client/dist/main.js [host:port] [--ca file] [--servername name] [--alpn h2,http/1.1]
 *                                          [--send text] [--insecure]
 *
 * Defaults: localhost:4433 (where `openssl s_server` listens), an HTTP/1.0 GET as the request, Node's
 * root store when no --ca is given. The connection details go to stderr, the response to stdout. The
 * client sends its request, half-closes (close_notify), reads until the server's close_notify and exits
 * 0; a TLS failure (including a truncated response) exits 1.
 */
import { readFileSync } from 'node:fs';
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

const sock = connect({
  host,
  port,
  servername: values.servername ?? host,
  ...(values.ca ? { ca: readFileSync(values.ca, 'utf8') } : {}),
  ...(values.alpn ? { ALPNProtocols: values.alpn.split(',') } : {}),
  rejectUnauthorized: !values.insecure,
});

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
sock.on('error', (err: Error & { code?: string }) => {
  console.error(`error: ${err.code ?? ''} ${err.message}`);
  process.exitCode = 1;
});
sock.on('close', () => {
  console.error(`closed (${sock.getShutdown() === 3 ? 'close_notify both ways' : `shutdown flags ${sock.getShutdown()}`})`);
});
