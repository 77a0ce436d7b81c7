/**
 * The README's "A connection in a minute", complete: the core engine (`Ssl` + two `MemoryBio`s) driven by hand
 * over a TCP socket. Run it with `pnpm example:minute`.
 *
 *   node examples/minute/dist/main.js                       # talks to a Node `tls` server it starts itself
 *   node examples/minute/dist/main.js host:port --ca ca.pem  # or to any TLS 1.3 server
 *
 * Without arguments it makes a throwaway CA and a `localhost` certificate (openssl CLI), starts a Node `tls`
 * server on 127.0.0.1 that answers one HTTP/1.0 request, and connects to it. It prints the negotiated
 * parameters, the response and the shutdown result; it exits 0 only after a clean close (close_notify both ways).
 * With SSLKEYLOGFILE set, the NSS key log lines are appended to that file (mode 0600), for Wireshark.
 */
import { once } from 'node:events';
import { appendFileSync, readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { parseArgs } from 'node:util';
import { MemoryBio, SSL_ERROR_WANT_READ, SSL_ERROR_ZERO_RETURN, Ssl, SslContext } from '@memtls/core';
import { demoPki } from './demo-pki.js';

// ---------------------------------------------------------------- the peer: a server of yours, or a local one
const argv = process.argv.slice(2);
if (argv[0] === '--') argv.shift();
const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ca: { type: 'string' } } });
let host = 'localhost';
let port: number;
let caPem: string;
let server: tls.Server | null = null;
if (positionals[0] !== undefined) {
  const colon = positionals[0].lastIndexOf(':');
  host = colon > 0 ? positionals[0].slice(0, colon) : positionals[0];
  port = colon > 0 ? Number(positionals[0].slice(colon + 1)) : 443;
  if (values.ca === undefined) {
    console.error('usage: main.js [host:port --ca ca.pem] (the PEM file of the CA that signed the server certificate)');
    process.exit(2);
  }
  caPem = readFileSync(values.ca, 'utf8');
} else {
  const pki = demoPki();
  caPem = pki.ca;
  server = tls.createServer({ cert: pki.cert, key: pki.key, ALPNProtocols: ['http/1.1'] }, (s) => {
    let request = '';
    s.on('data', (d: Buffer) => {
      request += d.toString('latin1');
      if (request.includes('\r\n\r\n')) s.end(`HTTP/1.0 200 OK\r\ncontent-type: text/plain\r\n\r\nhello from Node's tls, ${s.getProtocol()}\n`);
    });
    s.on('error', () => s.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as net.AddressInfo).port;
}

// ---------------------------------------------------------------- the transport: a TCP socket
const socket = net.connect(port, host);
await once(socket, 'connect');
const received: Buffer[] = [];
let wake: (() => void) | null = null;
let closed = false;
socket.on('data', (d: Buffer) => {
  received.push(d);
  wake?.();
});
socket.on('close', () => {
  closed = true;
  wake?.();
});
/** Records for the network: send them as they are. */
function sendToPeer(bytes: Uint8Array): void {
  if (bytes.length > 0) socket.write(bytes);
}
/** Everything the engine wrote into `bio`. */
function drain(bio: MemoryBio): Uint8Array {
  const out = new Uint8Array(bio.pending());
  bio.read(out);
  return out;
}
/** The next bytes from the network (waits for them); the peer closing the TCP connection is an error here. */
async function receiveFromPeer(): Promise<Uint8Array> {
  while (received.length === 0) {
    if (closed) throw new Error('the peer closed the TCP connection');
    await new Promise<void>((resolve) => {
      wake = resolve;
    });
    wake = null;
  }
  return Buffer.concat(received.splice(0));
}
// SSLKEYLOGFILE: the NSS key log lines (secrets: only for debugging, e.g. Wireshark) appended, owner-only.
const keylogFile = process.env.SSLKEYLOGFILE;
const keylog = (line: string): void => {
  if (keylogFile) appendFileSync(keylogFile, `${line}\n`, { mode: 0o600 });
};

// ---------------------------------------------------------------- README excerpt: begin
const ctx = new SslContext({ role: 'client', ca: caPem, alpn: ['http/1.1'], keylog });
const ssl = new Ssl(ctx, { serverName: host });
const rbio = new MemoryBio(); // bytes from the network go in here
const wbio = new MemoryBio(); // records for the network come out of here
ssl.setBio(rbio, wbio);

let r = await ssl.doHandshake();
while (r !== 1) {
  sendToPeer(drain(wbio)); // whatever your transport is
  if (ssl.getError(r) !== SSL_ERROR_WANT_READ) throw new Error(ssl.errorReason() ?? 'handshake failed');
  rbio.write(await receiveFromPeer());
  r = await ssl.doHandshake();
}
console.log(`${ssl.version()} ${ssl.cipher()} ${ssl.group()}, ALPN ${ssl.alpnSelected()}, verify ${ssl.verifyResult()}`);
await ssl.write(new TextEncoder().encode(`GET / HTTP/1.0\r\nHost: ${host}\r\n\r\n`));
sendToPeer(drain(wbio));

// Read the response until the server's close_notify (read returns 0, SSL_ERROR_ZERO_RETURN).
const buf = new Uint8Array(16384);
for (r = await ssl.read(buf); ssl.getError(r) !== SSL_ERROR_ZERO_RETURN; r = await ssl.read(buf)) {
  if (r > 0) process.stdout.write(buf.subarray(0, r));
  else if (ssl.getError(r) === SSL_ERROR_WANT_READ) {
    sendToPeer(drain(wbio)); // a read can write too (a KeyUpdate answer)
    rbio.write(await receiveFromPeer());
  } else throw new Error(ssl.errorReason() ?? 'read failed');
}
r = await ssl.shutdown(); // 1: our close_notify answers the server's, the close is complete
sendToPeer(drain(wbio));
// ---------------------------------------------------------------- README excerpt: end
console.log(`shutdown() -> ${r}${r === 1 ? ' (close_notify both ways)' : ''}`);
socket.end();
server?.close();
if (r !== 1) process.exitCode = 1;
