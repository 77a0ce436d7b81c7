/**
 * An HTTPS server on memtls: Node's `http.createServer` behind `@memtls/node`'s `createServer`.
 *
 *   node examples/node-server/dist/main.js [--port 8443] [--cert file --key file] [--once]
 *
 * Without --cert/--key it makes a throwaway CA and a localhost certificate (openssl CLI) and prints
 * the curl command that trusts it. Each request is answered with the connection's TLS details as JSON.
 * --once exits after the first response (handy for scripts). Listens on 127.0.0.1 only. With SSLKEYLOGFILE set,
 * every connection's NSS key log lines are appended to that file (mode 0600), for Wireshark.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { parseArgs } from 'node:util';
import { createServer, type MemtlsSocket } from '@memtls/node';
import { demoPki } from './demo-pki.js';

// `pnpm start -- --flag` passes the `--` through: drop it.
const argv = process.argv.slice(2);
if (argv[0] === '--') argv.shift();
const { values } = parseArgs({
  args: argv,
  options: {
    port: { type: 'string', default: '8443' },
    cert: { type: 'string' },
    key: { type: 'string' },
    once: { type: 'boolean', default: false },
  },
});

let cert: string;
let key: string;
let caHint = '<your CA file>';
if (values.cert && values.key) {
  cert = readFileSync(values.cert, 'utf8');
  key = readFileSync(values.key, 'utf8');
} else {
  const pki = demoPki();
  ({ cert, key } = pki);
  caHint = pki.caPath;
}

const app = http.createServer((req, res) => {
  const tls = req.socket as unknown as MemtlsSocket;
  const body = {
    method: req.method,
    url: req.url,
    protocol: tls.getProtocol(),
    cipher: tls.getCipher()?.name,
    alpn: tls.alpnProtocol,
    servername: tls.servername,
    resumed: tls.isSessionReused(),
    group: tls.getEphemeralKeyInfo()?.name,
  };
  res.setHeader('content-type', 'application/json');
  res.end(`${JSON.stringify(body, null, 2)}\n`);
  if (values.once) res.on('finish', () => setTimeout(() => process.exit(0), 100));
});

const server = createServer({ cert, key, ALPNProtocols: ['http/1.1'] }, (sock) => app.emit('connection', sock));
// SSLKEYLOGFILE: Node's tls.Server 'keylog' (line, socket) event, appended owner-only. Secrets: debugging only.
const keylogFile = process.env.SSLKEYLOGFILE;
if (keylogFile) server.on('keylog', (line: Buffer) => appendFileSync(keylogFile, line, { mode: 0o600 }));
server.on('tlsClientError', (err: Error & { code?: string }) => console.error(`TLS error: ${err.code ?? ''} ${err.message}`));
server.listen(Number(values.port), '127.0.0.1', () => {
  const { port } = server.address() as net.AddressInfo;
  console.log(`memtls HTTPS server on https://localhost:${port}/`);
  console.log(`CA for clients: ${caHint}`);
  console.log(`try: curl --cacert ${caHint} https://localhost:${port}/hello`);
});
