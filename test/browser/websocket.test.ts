/**
 * In Chromium: memtls over the browser's WebSocket, through a relay (WebSocket → TCP) to Node TLS servers
 * on 127.0.0.1. Every test runs through each relay the runner (run.mjs) started: the example relay and
 * Debian's websockify, a relay no one here wrote.
 */
import {
  SSL_ERROR_NONE,
  SSL_ERROR_SSL,
  SSL_ERROR_SYSCALL,
  SSL_ERROR_ZERO_RETURN,
  SSL_RECEIVED_SHUTDOWN,
  SSL_SENT_SHUTDOWN,
  Ssl,
  SslContext,
} from '@memtls/core';
import { TlsWebSocket } from '@memtls/websocket';
import { assert, concat, config, dec, enc, equal, patternBytes, readHttpResponse, rejection, sameBytes, WebSocketPump } from './helpers.js';

const BOTH = SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN;
const clientOptions = () => ({ context: { role: 'client' as const, ca: config.ca }, serverName: 'localhost' });

for (const relay of config.relays) {
  describe(`browser: TlsWebSocket through ${relay.name}`, () => {
    it('HTTPS GET: handshake, request, response, then the server close_notify ends the readable', async () => {
      const t = await TlsWebSocket.connect(relay.https, clientOptions());
      equal(t.ssl.version(), 'TLSv1.3');
      await t.write('GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      const chunks: Uint8Array[] = [];
      for await (const c of t) chunks.push(c);
      const text = dec(concat(chunks));
      assert(text.startsWith('HTTP/1.1 200 OK'), text.slice(0, 80));
      assert(text.endsWith('hello from node https'), text);
      await t.closed;
      equal(t.ssl.getShutdown(), BOTH);
    });

    it('POST 256 KiB to /echo over keep-alive, read it back, then end() runs the bidirectional shutdown', async () => {
      const t = await TlsWebSocket.connect(relay.https, clientOptions());
      const body = patternBytes(256 * 1024, 3);
      await t.write(`POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${body.length}\r\n\r\n`);
      await t.write(body);
      const res = await readHttpResponse(() => t.read());
      equal(res.status, 200);
      assert(sameBytes(res.body, body), 'echoed body differs');
      // Client-initiated close: close_notify out, the server answers with its own, end() resolves.
      await t.end();
      equal(t.ssl.getShutdown(), BOTH);
      equal(await t.read(), null);
    });

    it('truncation: the server drops TCP without close_notify -> ERR_MEMTLS_TRUNCATED, "unexpected eof while reading"', async () => {
      const t = await TlsWebSocket.connect(relay.https, clientOptions());
      await t.write('GET /truncate HTTP/1.1\r\nHost: localhost\r\n\r\n');
      const got: Uint8Array[] = [];
      const err = await rejection(
        (async () => {
          for await (const c of t) got.push(c);
        })(),
        'the stream ended cleanly',
      );
      equal(err.code, 'ERR_MEMTLS_TRUNCATED');
      equal(err.reason, 'unexpected eof while reading');
      assert(dec(concat(got)).includes('partial'), 'the bytes before the truncation were delivered');
      equal(t.ssl.getShutdown() & SSL_RECEIVED_SHUTDOWN, 0);
    });

    it('a relay that cannot reach the server: ERR_MEMTLS_TRANSPORT naming the close code, not a truncation', async () => {
      const t = new TlsWebSocket(relay.refused, clientOptions());
      const err = await rejection(t.connect());
      equal(err.code, 'ERR_MEMTLS_TRANSPORT');
      // The example relay closes with 1011 and its reason. websockify closes with 1011 or, depending on timing, drops
      // the WebSocket without a close frame (1006): either way the words say the relay, not TLS, ended it.
      const words = /closed with code 1011 ".+": the relay failed/.test(err.message) || (relay.name === 'websockify' && /closed with code 1006: connection lost without a close frame/.test(err.message));
      assert(words, err.message);
      equal((await rejection(t.read())).code, 'ERR_MEMTLS_TRANSPORT');
    });

    it('a certificate for another name fails the handshake: ERR_MEMTLS_SSL, "certificate verify failed"', async () => {
      const t = new TlsWebSocket(relay.https, { context: { role: 'client', ca: config.ca }, serverName: 'nomatch.test' });
      const err = await rejection(t.connect());
      equal(err.code, 'ERR_MEMTLS_SSL');
      equal(err.phase, 'handshake');
      equal(err.reason, 'certificate verify failed');
      // The same detail as @memtls/node: the X509_V_ERR name and OpenSSL's words, not only "verify failed".
      equal(err.verifyResult, 'X509_V_ERR_HOSTNAME_MISMATCH');
      assert(/certificate verify failed: X509_V_ERR_HOSTNAME_MISMATCH at depth 0: hostname mismatch/.test(err.message), err.message);
    });
  });

  describe(`browser: the raw Ssl API over a WebSocket through ${relay.name} (exact return values)`, () => {
    it('handshake, echo, shutdown() returns 0 then 1: close_notify both ways', async () => {
      const ssl = new Ssl(new SslContext({ role: 'client', ca: config.ca }), { serverName: 'localhost' });
      const pump = new WebSocketPump(ssl, relay.echo);
      await pump.opened();
      equal((await pump.drive(() => ssl.doHandshake())).join(), [1, SSL_ERROR_NONE].join());
      equal((await pump.drive(() => ssl.write(enc('ping'))))[0], 4);
      const buf = new Uint8Array(64);
      const [n] = await pump.drive(() => ssl.read(buf));
      equal(dec(buf.subarray(0, n)), 'ping');

      const first = await ssl.shutdown();
      equal(first, 0, 'first shutdown(): close_notify sent, the peer not heard yet');
      equal(ssl.getError(first), SSL_ERROR_SYSCALL, 'a 0 from shutdown() reports SSL_ERROR_SYSCALL (OpenSSL 3)');
      equal(ssl.getShutdown(), SSL_SENT_SHUTDOWN);
      pump.flush();
      const [second, err] = await pump.drive(() => ssl.shutdown());
      equal(second, 1, "second shutdown(): the server's close_notify arrived");
      equal(err, SSL_ERROR_NONE);
      equal(ssl.getShutdown(), BOTH);
      pump.ws.close(1000);
    });

    it('truncation: read() returns 0 with SSL_ERROR_SSL and errorReason() "unexpected eof while reading"', async () => {
      const ssl = new Ssl(new SslContext({ role: 'client', ca: config.ca }), { serverName: 'localhost' });
      const pump = new WebSocketPump(ssl, relay.https);
      await pump.opened();
      equal((await pump.drive(() => ssl.doHandshake()))[0], 1);
      await pump.drive(() => ssl.write(enc('GET /truncate HTTP/1.1\r\nHost: localhost\r\n\r\n')));
      const buf = new Uint8Array(16384);
      let got = '';
      for (;;) {
        const [ret, err] = await pump.drive(() => ssl.read(buf));
        if (ret > 0) {
          got += dec(buf.subarray(0, ret));
          continue;
        }
        equal(ret, 0);
        equal(err, SSL_ERROR_SSL);
        assert(err !== SSL_ERROR_ZERO_RETURN);
        equal(ssl.errorReason(), 'unexpected eof while reading');
        break;
      }
      assert(got.includes('partial'), got);
    });
  });
}
