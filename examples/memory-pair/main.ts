/**
 * memtls in one process: a TLS 1.3 client and server talking over an in-memory BIO pair.
 *
 * Read it top to bottom as a tour of the API (run it with `pnpm example`):
 *  1. a throwaway CA and a `localhost` server certificate, made with WebCrypto and a few lines of DER
 *     (no files, no network, no openssl);
 *  2. one SslContext per role, one Ssl per connection, each attached to one end of `newBioPair()`;
 *  3. the handshake: no call ever waits for the transport. A call that needs the peer's bytes returns -1
 *     and getError() says SSL_ERROR_WANT_READ, so we simply call each side in turn until both return 1;
 *  4. one message each way;
 *  5. the bidirectional close, exactly as OpenSSL's SSL_shutdown(3).
 * Every call's return value is printed with its SSL_ERROR_* name; the exit code is 0 only if each one was
 * the expected value.
 */
import { type Bio, newBioPair, SSL_ERROR_NONE, SSL_ERROR_SSL, SSL_ERROR_SYSCALL, SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE, SSL_ERROR_ZERO_RETURN, SSL_RECEIVED_SHUTDOWN, SSL_SENT_SHUTDOWN, Ssl, SslContext } from '@memtls/core';

const { subtle } = globalThis.crypto;

// ---------------------------------------------------------------- 1. a throwaway PKI (DER by hand)
const der = (tag: number, ...parts: Uint8Array[]): Buffer => {
  const body = Buffer.concat(parts);
  const n = body.length;
  return Buffer.concat([Buffer.from([tag, ...(n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff])]), body]);
};
const seq = (...parts: Uint8Array[]): Buffer => der(0x30, ...parts);
const oid = (hex: string): Buffer => der(0x06, Buffer.from(hex, 'hex'));
/** A positive INTEGER from big-endian bytes (leading zeros dropped, one added when the top bit is set). */
const int = (b: Uint8Array): Buffer => {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return der(0x02, ...((b[i] ?? 0) & 0x80 ? [Buffer.from([0])] : []), b.subarray(i));
};
const cn = (name: string): Buffer => seq(der(0x31, seq(oid('550403'), der(0x0c, Buffer.from(name)))));
const utcTime = (d: Date): Buffer => der(0x17, Buffer.from(`${d.toISOString().replace(/[-:T]/g, '').slice(2, 14)}Z`));
const ext = (oidHex: string, critical: boolean, value: Buffer): Buffer => seq(oid(oidHex), ...(critical ? [der(0x01, Buffer.from([0xff]))] : []), der(0x04, value));
const ECDSA_SHA256 = seq(oid('2a8648ce3d040302'));
const pem = (label: string, body: Uint8Array): string =>
  `-----BEGIN ${label}-----\n${(Buffer.from(body).toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${label}-----\n`;

async function certificate(subject: string, subjectKey: CryptoKey, issuer: string, issuerKey: CryptoKey, extensions: Buffer[]): Promise<string> {
  const now = Date.now();
  const tbs = seq(
    der(0xa0, int(Buffer.from([2]))), // version: v3
    int(crypto.getRandomValues(new Uint8Array(8))), // serial number
    ECDSA_SHA256,
    cn(issuer),
    seq(utcTime(new Date(now - 3600_000)), utcTime(new Date(now + 86400_000))),
    cn(subject),
    Buffer.from(await subtle.exportKey('spki', subjectKey)),
    der(0xa3, seq(...extensions)),
  );
  // WebCrypto returns r || s; X.509 wants SEQUENCE { INTEGER r, INTEGER s }.
  const rs = new Uint8Array(await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, issuerKey, new Uint8Array(tbs)));
  return pem('CERTIFICATE', seq(tbs, ECDSA_SHA256, der(0x03, Buffer.from([0]), seq(int(rs.subarray(0, 32)), int(rs.subarray(32))))));
}

const P256 = { name: 'ECDSA', namedCurve: 'P-256' };
const caKey = (await subtle.generateKey(P256, true, ['sign', 'verify'])) as CryptoKeyPair;
const leafKey = (await subtle.generateKey(P256, true, ['sign', 'verify'])) as CryptoKeyPair;
const caPem = await certificate('memtls example CA', caKey.publicKey, 'memtls example CA', caKey.privateKey, [ext('551d13', true, seq(der(0x01, Buffer.from([0xff]))))]); // basicConstraints cA
const leafPem = await certificate('localhost', leafKey.publicKey, 'memtls example CA', caKey.privateKey, [ext('551d11', false, seq(der(0x82, Buffer.from('localhost'))))]); // subjectAltName
const leafKeyPem = pem('PRIVATE KEY', new Uint8Array(await subtle.exportKey('pkcs8', leafKey.privateKey)));

// ---------------------------------------------------------------- tracing helpers
const ERRORS: Record<number, string> = {
  [SSL_ERROR_NONE]: 'SSL_ERROR_NONE', [SSL_ERROR_SSL]: 'SSL_ERROR_SSL', [SSL_ERROR_WANT_READ]: 'SSL_ERROR_WANT_READ',
  [SSL_ERROR_WANT_WRITE]: 'SSL_ERROR_WANT_WRITE', [SSL_ERROR_SYSCALL]: 'SSL_ERROR_SYSCALL', [SSL_ERROR_ZERO_RETURN]: 'SSL_ERROR_ZERO_RETURN',
};
const flags = (ssl: Ssl): string => [ssl.getShutdown() & SSL_SENT_SHUTDOWN && 'SENT', ssl.getShutdown() & SSL_RECEIVED_SHUTDOWN && 'RECEIVED'].filter(Boolean).join('|') || '-';

/** Print `who call -> ret  SSL_ERROR_*`; fail unless the return value (and error, when given) are the expected ones. */
function expect(who: string, ssl: Ssl, call: string, ret: number, want: number | ((r: number) => boolean), wantError?: number, note = ''): void {
  const err = ssl.getError(ret);
  console.log(`  ${who} ${call.padEnd(16)} -> ${String(ret).padStart(2)}  ${(ERRORS[err] ?? err).toString().padEnd(21)} ${note}`.trimEnd());
  const ok = (typeof want === 'number' ? ret === want : want(ret)) && (wantError === undefined || err === wantError);
  if (!ok) throw new Error(`${who} ${call} returned ${ret} (${ERRORS[err]}): ${ssl.errorReason() ?? 'unexpected result'}`);
}

/** Count the bytes each side writes: a Bio is just five methods, so wrapping one is easy. */
const wire = { client: 0, server: 0 };
const counting = (end: Bio, who: keyof typeof wire): Bio => ({
  write: (data) => {
    const n = end.write(data);
    if (n > 0) wire[who] += n;
    return n;
  },
  read: (buf) => end.read(buf),
  pending: () => end.pending(),
  shouldRetry: () => end.shouldRetry(),
  eof: () => end.eof(),
});

// ---------------------------------------------------------------- 2. contexts, connections, BIOs
const server = new Ssl(new SslContext({ role: 'server', cert: leafPem, key: leafKeyPem, alpn: ['h2', 'http/1.1'] }));
const client = new Ssl(new SslContext({ role: 'client', ca: caPem, alpn: ['http/1.1'] }), { serverName: 'localhost' });
const [clientEnd, serverEnd] = newBioPair(); // what one end writes, the other reads (17 KiB buffered each way)
client.setBio(clientEnd, counting(clientEnd, 'client')); // read BIO, write BIO (the same end, write side counted)
server.setBio(serverEnd, counting(serverEnd, 'server'));

try {
  // -------------------------------------------------------------- 3. handshake: call both sides until both return 1
  console.log('handshake (a CA and a localhost certificate were just made with WebCrypto)');
  // One doHandshake call: 1 = done; -1 with SSL_ERROR_WANT_READ = waiting for the peer's bytes; else a failure.
  const step = async (who: string, ssl: Ssl): Promise<number> => {
    const r = await ssl.doHandshake();
    expect(who, ssl, 'doHandshake()', r, (x) => x === 1 || ssl.getError(x) === SSL_ERROR_WANT_READ);
    return r;
  };
  let c = 0;
  let s = 0;
  for (let round = 0; c !== 1 || s !== 1; round++) {
    if (round === 10) throw new Error('handshake did not finish in 10 rounds');
    if (c !== 1) c = await step('client', client);
    if (s !== 1) s = await step('server', server);
  }
  // There is no getter for the key-exchange group in the API; the contexts offer x25519 first by default.
  console.log(`  version ${client.version()}, cipher ${client.cipher()}, ALPN ${client.alpnSelected()}, SNI ${server.serverName()}`);
  console.log(`  wire so far: client->server ${wire.client} B, server->client ${wire.server} B`);
  if (client.version() !== 'TLSv1.3' || client.alpnSelected() !== 'http/1.1') throw new Error('unexpected version or ALPN');

  // -------------------------------------------------------------- 4. one message each way
  console.log('data');
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const buf = new Uint8Array(1024);
  expect('client', client, 'write("ping")', await client.write(enc.encode('ping')), 4, SSL_ERROR_NONE);
  let n = await server.read(buf);
  expect('server', server, 'read()', n, 4, SSL_ERROR_NONE, JSON.stringify(dec.decode(buf.subarray(0, Math.max(n, 0)))));
  expect('server', server, 'write("pong")', await server.write(enc.encode('pong')), 4, SSL_ERROR_NONE);
  n = await client.read(buf); // also consumes the server's NewSessionTickets (SSL_MODE_AUTO_RETRY is the default)
  expect('client', client, 'read()', n, 4, SSL_ERROR_NONE, JSON.stringify(dec.decode(buf.subarray(0, Math.max(n, 0)))));

  // -------------------------------------------------------------- 5. bidirectional shutdown (SSL_shutdown(3))
  // shutdown() returns 0 when our close_notify is sent but the peer's has not arrived, and 1 once both are
  // done. After a 0, getError() may say SSL_ERROR_SYSCALL although nothing failed (as OpenSSL documents).
  console.log('shutdown');
  expect('client', client, 'shutdown()', await client.shutdown(), 0, undefined, `flags ${flags(client)} (SYSCALL after 0 is no error)`);
  expect('server', server, 'read()', await server.read(buf), 0, SSL_ERROR_ZERO_RETURN, `flags ${flags(server)}`);
  expect('server', server, 'shutdown()', await server.shutdown(), 1, SSL_ERROR_NONE, `flags ${flags(server)}`);
  expect('client', client, 'shutdown()', await client.shutdown(), 1, SSL_ERROR_NONE, `flags ${flags(client)}`);
  console.log(`wire total: client->server ${wire.client} B, server->client ${wire.server} B`);
  console.log('ok');
} catch (e) {
  console.error(`FAILED: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
}
