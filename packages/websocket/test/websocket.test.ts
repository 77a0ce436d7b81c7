/**
 * TlsWebSocket over `ws` in Node, through the example relay (WebSocket → TCP) to real TLS servers on
 * 127.0.0.1: Node's `tls` and `openssl s_server -www`.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import type tls from 'node:tls';
import { SSL_RECEIVED_SHUTDOWN, SSL_SENT_SHUTDOWN } from '@memtls/core';
import { isTlsStreamError, TlsWebSocket, webSocketTransport } from '@memtls/websocket';
import type { WebSocket } from 'ws';
import { clientContext, concat, opensslWww, patternBytes, relayTo, sha256, sleep, stopAll, tlsServer, until, wsClient, wsServer } from './peers.js';
import { testPki } from './pki.js';

const BOTH = SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN;
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

async function readAll(t: TlsWebSocket): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of t) chunks.push(c);
  return concat(chunks);
}

async function connectVia(port: number, extra: Partial<ConstructorParameters<typeof TlsWebSocket>[1]> = {}): Promise<TlsWebSocket> {
  const relay = await relayTo({ host: '127.0.0.1', port });
  return TlsWebSocket.connect(wsClient(relay.url), { context: clientContext(), serverName: 'localhost', ...extra });
}

describe('websocket: TlsWebSocket over ws through the relay', () => {
  afterEach(stopAll);

  it('Node tls echo server: handshake, 200 KB both ways, end() completes the bidirectional shutdown', async () => {
    let serverSawEnd = false;
    const { port } = await tlsServer((s) => {
      s.on('end', () => {
        serverSawEnd = true;
      });
      s.pipe(s);
    });
    const relay = await relayTo({ host: '127.0.0.1', port });
    const t = new TlsWebSocket(wsClient(relay.url), { context: clientContext(), serverName: 'localhost' });
    const info = await t.connect();
    assert.equal(info.version, 'TLSv1.3');
    assert.ok(info.cipher?.startsWith('TLS_AES_'));
    const payload = patternBytes(200_000, 7);
    const got: Uint8Array[] = [];
    let n = 0;
    const reading = (async () => {
      while (n < payload.length) {
        const c = await t.read();
        assert.ok(c, 'stream ended early');
        got.push(c);
        n += c.length;
      }
    })();
    await t.write(payload);
    await reading;
    assert.equal(sha256(concat(got)), sha256(payload));
    await t.end();
    assert.equal(t.ssl.getShutdown(), BOTH);
    assert.equal(await t.read(), null);
    assert.ok(serverSawEnd, "the server saw our close_notify as 'end'");
    await until(() => relay.connections === 0, 3000, 'the relay to drop the pair');
  });

  it('openssl s_server -www: HTTP GET, the response, then its close_notify ends the readable', async () => {
    const { port } = await opensslWww();
    const t = await connectVia(port);
    await t.write('GET / HTTP/1.0\r\n\r\n');
    const body = text(await readAll(t));
    assert.match(body, /^HTTP\/1\.0 200 ok/);
    assert.match(body, /TLSv1\.3/);
    // allowHalfOpen false: our close_notify goes out by itself after the peer's.
    await t.closed;
    assert.equal(t.ssl.getShutdown(), BOTH);
  });

  it('half-close: after end() sends close_notify, the response still arrives through read()', async () => {
    const { port } = await tlsServer(
      (s) => {
        const parts: Buffer[] = [];
        s.on('data', (d: Buffer) => parts.push(d));
        s.on('end', () => {
          // Our close_notify arrived; the server answers on its still-open half, then closes.
          const all = Buffer.concat(parts);
          s.end(`got ${all.length} ${sha256(all)}`);
        });
      },
      { allowHalfOpen: true },
    );
    const t = await connectVia(port);
    const payload = patternBytes(300_000, 3);
    await t.write(payload);
    const ending = t.end();
    await assert.rejects(t.write('late'), TypeError, 'write after end is refused');
    assert.equal(text(await readAll(t)), `got ${payload.length} ${sha256(payload)}`);
    await ending;
    assert.equal(t.ssl.getShutdown(), BOTH);
  });

  it('memtls at both ends of a ws WebSocket: the server ends first, the client (allowHalfOpen) still writes', async () => {
    // No relay here: through a relay the server's TCP FIN closes the WebSocket (it has no half-close), so
    // half-open use needs a peer that keeps the transport open after its close_notify, as this one does.
    const pki = testPki();
    const wss = await wsServer();
    const serverDone = new Promise<string>((resolve, reject) => {
      wss.server.once('connection', (sock: WebSocket) => {
        const srv = new TlsWebSocket(sock, { context: { role: 'server', cert: pki.cert, key: pki.key } });
        (async () => {
          const first = await srv.read();
          // end(): 'bye' and close_notify out; it resolves after the client's close_notify.
          const ending = srv.end(`bye ${text(first as Uint8Array)}`);
          const rest = text(await readAll(srv));
          await ending;
          assert.equal(srv.ssl.getShutdown(), BOTH);
          return rest;
        })().then(resolve, reject);
      });
    });
    const t = await TlsWebSocket.connect(wsClient(wss.url), { context: clientContext(), serverName: 'localhost', allowHalfOpen: true });
    await t.write('ping');
    assert.equal(text(await readAll(t)), 'bye ping');
    assert.equal(t.ssl.getShutdown(), SSL_RECEIVED_SHUTDOWN);
    await t.write('still here');
    await t.end();
    assert.equal(t.ssl.getShutdown(), BOTH);
    assert.equal(await serverDone, 'still here');
  });

  it('truncation: the server drops TCP without close_notify -> ERR_MEMTLS_TRUNCATED, "unexpected eof while reading"', async () => {
    const { port } = await tlsServer((s: tls.TLSSocket) => {
      s.write('partial', () => setTimeout(() => s.destroy(), 50));
    });
    const t = await connectVia(port);
    assert.equal(text((await t.read()) as Uint8Array), 'partial');
    const err = await t.read().then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(isTlsStreamError(err, 'ERR_MEMTLS_TRUNCATED'), `expected ERR_MEMTLS_TRUNCATED, got ${String(err)}`);
    assert.equal(err.reason, 'unexpected eof while reading');
    assert.equal(err.phase, 'read');
    await assert.rejects(t.closed, { code: 'ERR_MEMTLS_TRUNCATED' });
    assert.equal(t.ssl.getShutdown() & SSL_RECEIVED_SHUTDOWN, 0);
  });

  it('backpressure, slow reader: 4 MiB arrive intact, the ws socket pauses, received bytes in memory stay under 1 MiB', async function () {
    this.timeout(30_000);
    const total = 4 * 1024 * 1024;
    const payload = patternBytes(total, 11);
    const { port } = await tlsServer((s) => {
      s.end(payload);
    });
    const t = await connectVia(port);
    let maxBuffered = 0;
    let pausedSeen = false;
    const chunks: Uint8Array[] = [];
    let n = 0;
    for (;;) {
      const c = await t.read();
      if (c === null) break;
      chunks.push(c);
      n += c.length;
      maxBuffered = Math.max(maxBuffered, t.bufferedIncoming());
      pausedSeen ||= t.transport.isPaused();
      // A slow consumer (about 16 MB/s at most): the network gets ahead of it.
      if (chunks.length % 4 === 0) await sleep(4);
    }
    assert.equal(n, total);
    assert.equal(sha256(concat(chunks)), sha256(payload));
    assert.ok(maxBuffered < 1024 * 1024, `received bytes buffered peaked at ${maxBuffered}`);
    assert.ok(pausedSeen, 'the ws socket was paused at least once');
    await t.closed;
  });

  it('backpressure, slow server: write() waits for bufferedAmount; 4 MiB arrive intact', async function () {
    this.timeout(30_000);
    const total = 4 * 1024 * 1024;
    const payload = patternBytes(total, 5);
    const got: Buffer[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => {
      done = r;
    });
    const { port } = await tlsServer((s) => {
      // Read in bursts with pauses in between.
      const tick = setInterval(() => {
        s.resume();
        setTimeout(() => s.pause(), 2);
      }, 10);
      s.on('data', (d: Buffer) => got.push(d));
      s.on('end', () => {
        clearInterval(tick);
        s.end();
        done();
      });
    });
    const highWaterMark = 128 * 1024;
    const t = await connectVia(port, { highWaterMark });
    let maxBuffered = 0;
    for (let off = 0; off < total; off += 32 * 1024) {
      await t.write(payload.subarray(off, off + 32 * 1024));
      maxBuffered = Math.max(maxBuffered, t.socket.bufferedAmount);
    }
    await t.end();
    await finished;
    assert.equal(sha256(Buffer.concat(got)), sha256(payload));
    // After each write resolves, at most the high-water mark is waiting in the socket.
    assert.ok(maxBuffered <= highWaterMark, `bufferedAmount peaked at ${maxBuffered} after a write resolved`);
  });

  it('a verifying client needs serverName: the URL names the relay; the check comes before any WebSocket opens', () => {
    let opened = 0;
    const Fake = class {
      constructor() {
        opened++;
      }
    };
    const g = globalThis as { WebSocket?: unknown };
    const saved = g.WebSocket;
    g.WebSocket = Fake;
    try {
      assert.throws(() => new TlsWebSocket('ws://127.0.0.1:9/', { context: clientContext() }), (e: Error) => e instanceof TypeError && /serverName is required/.test(e.message));
      assert.equal(opened, 0, 'no WebSocket was opened');
    } finally {
      g.WebSocket = saved;
    }
  });

  it('a refused WebSocket fails connect() with ERR_MEMTLS_TRANSPORT', async () => {
    const relay = await relayTo(() => null);
    const t = new TlsWebSocket(wsClient(`${relay.url}/nowhere`), { context: clientContext(), serverName: 'localhost' });
    await assert.rejects(t.connect(), { code: 'ERR_MEMTLS_TRANSPORT' });
    await assert.rejects(t.read(), { code: 'ERR_MEMTLS_TRANSPORT' });
  });

  it('an untrusted server certificate fails the handshake with ERR_MEMTLS_SSL and OpenSSL words', async () => {
    const { port } = await tlsServer((s) => s.end());
    const relay = await relayTo({ host: '127.0.0.1', port });
    const t = new TlsWebSocket(wsClient(relay.url), { context: { role: 'client', ca: testPki().otherCaCert }, serverName: 'localhost' });
    const err = await t.connect().then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(isTlsStreamError(err, 'ERR_MEMTLS_SSL'), String(err));
    assert.equal(err.phase, 'handshake');
    assert.equal(err.reason, 'certificate verify failed');
    // The detail @memtls/node gives: the X509_V_ERR name, the depth and OpenSSL's words.
    assert.equal(err.verifyResult, 'X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    assert.equal(err.sslReason, 'UNKNOWN_CA');
    assert.match(err.message, /certificate verify failed: X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY at depth 0: unable to get local issuer certificate/);
  });

  it('destroy() aborts: pending reads reject with ERR_MEMTLS_ABORTED and the relay pair goes away', async () => {
    const { port } = await tlsServer(() => undefined);
    const relay = await relayTo({ host: '127.0.0.1', port });
    const t = await TlsWebSocket.connect(wsClient(relay.url), { context: clientContext(), serverName: 'localhost' });
    const pending = t.read();
    t.destroy(new Error('user gave up'));
    await assert.rejects(pending, { code: 'ERR_MEMTLS_ABORTED' });
    await until(() => relay.connections === 0, 3000, 'the relay to drop the pair');
  });
});

/** A port on 127.0.0.1 that nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('websocket: a relay or server failure is reported as such, not as a truncation', () => {
  afterEach(stopAll);

  it('the relay cannot reach the server (connection refused, close 1011): ERR_MEMTLS_TRANSPORT naming the code', async () => {
    const relay = await relayTo({ host: '127.0.0.1', port: await closedPort() });
    const t = new TlsWebSocket(wsClient(relay.url), { context: clientContext(), serverName: 'localhost' });
    const err = await t.connect().then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(isTlsStreamError(err, 'ERR_MEMTLS_TRANSPORT'), `expected ERR_MEMTLS_TRANSPORT, got ${String(err)}`);
    assert.match(err.message, /code 1011 "upstream error": the relay failed/);
    await assert.rejects(t.read(), { code: 'ERR_MEMTLS_TRANSPORT' });
  });

  it('the relay closes normally before any byte arrived: ERR_MEMTLS_TRANSPORT, "before any byte arrived"', async () => {
    const { url, server } = await wsServer();
    server.on('connection', (ws) => ws.close(1000, 'Target closed'));
    const t = new TlsWebSocket(wsClient(url), { context: clientContext(), serverName: 'localhost' });
    const err = await t.connect().then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(isTlsStreamError(err, 'ERR_MEMTLS_TRANSPORT'), `expected ERR_MEMTLS_TRANSPORT, got ${String(err)}`);
    assert.match(err.message, /closed by the relay \(code 1000 "Target closed"\) before any byte arrived/);
  });

  it('a close with an error code after data: the bytes before it are read, then ERR_MEMTLS_TRANSPORT with the code', async () => {
    const { url, server } = await wsServer();
    server.on('connection', (ws) => {
      ws.send(Buffer.from('abc'));
      ws.send(Buffer.from('def'));
      ws.close(4001, 'boom');
    });
    const transport = webSocketTransport(wsClient(url));
    // Nothing is read until the close event has come: the failure waits behind the queued bytes.
    assert.deepEqual(await transport.closed, { code: 4001, reason: 'boom', wasClean: true });
    const reader = transport.readable.getReader();
    const got: number[] = [];
    const err = await (async () => {
      for (;;) {
        const r = await reader.read();
        if (r.done) return null;
        got.push(...r.value);
      }
    })().catch((e: unknown) => e);
    assert.equal(Buffer.from(got).toString(), 'abcdef');
    assert.ok(isTlsStreamError(err, 'ERR_MEMTLS_TRANSPORT'), String(err));
    assert.match(err.message, /closed with code 4001 "boom"/);
  });

  it('a normal close after data stays an end of stream (TLS judges it: the truncation test above)', async () => {
    const { url, server } = await wsServer();
    server.on('connection', (ws) => {
      ws.send(Buffer.from('abc'));
      ws.close(1000, 'Target closed');
    });
    const transport = webSocketTransport(wsClient(url));
    await transport.closed;
    const reader = transport.readable.getReader();
    const first = await reader.read();
    assert.equal(Buffer.from(first.value as Uint8Array).toString(), 'abc');
    assert.equal((await reader.read()).done, true);
  });
});
