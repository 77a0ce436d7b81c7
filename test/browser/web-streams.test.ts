/**
 * In Chromium: the @memtls/web-streams pair, client and server in the page over an in-memory transport (with the
 * default suites, with TLS_CHACHA20_POLY1305_SHA256 only, and with X25519MLKEM768), and a client over a WebSocket transport through the
 * relay to the Node TLS echo server (default suites, then ChaCha20-Poly1305 against OpenSSL's).
 */
import { SSL_RECEIVED_SHUTDOWN, SSL_SENT_SHUTDOWN } from '@memtls/core';
import { type ByteTransport, memoryTransportPair, TlsStreams } from '@memtls/web-streams';
import { webSocketTransport } from '@memtls/websocket';
import { assert, concat, config, dec, enc, equal, patternBytes, rejection, sameBytes } from './helpers.js';

const BOTH = SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN;

async function readAll(r: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = r.getReader();
  const chunks: Uint8Array[] = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return concat(chunks);
    chunks.push(value);
  }
}

const CHACHA = 'TLS_CHACHA20_POLY1305_SHA256';

/** Both ends in the page; `cipherSuites` (when given) restricts both. */
function pair(clientTransport: ByteTransport, serverTransport: ByteTransport, cipherSuites?: string[]): { client: TlsStreams; server: TlsStreams } {
  const suites = cipherSuites ? { cipherSuites } : {};
  return {
    client: new TlsStreams(clientTransport, { context: { role: 'client', ca: config.ca, ...suites }, serverName: 'localhost' }),
    server: new TlsStreams(serverTransport, { context: { role: 'server', cert: config.serverCert, key: config.serverKey, ...suites } }),
  };
}

describe('browser: TlsStreams (web streams)', () => {
  it('client and server in the page: 512 KiB each way, close both ways, SENT|RECEIVED on both', async () => {
    const [a, b] = memoryTransportPair();
    const { client, server } = pair(a, b);
    await Promise.all([client.opened, server.opened]);
    const up = patternBytes(512 * 1024, 1);
    const down = patternBytes(512 * 1024, 2);
    const serverGot = readAll(server.readable);
    const clientGot = readAll(client.readable);
    const cw = client.writable.getWriter();
    const sw = server.writable.getWriter();
    await Promise.all([cw.write(up), sw.write(down)]);
    const clientClosing = cw.close();
    assert(sameBytes(await serverGot, up), 'server got other bytes');
    await sw.close();
    await clientClosing;
    assert(sameBytes(await clientGot, down), 'client got other bytes');
    await Promise.all([client.closed, server.closed]);
    equal(client.ssl.getShutdown(), BOTH);
    equal(server.ssl.getShutdown(), BOTH);
  });

  it('X25519MLKEM768 in the page (ML-KEM-768 from @noble/post-quantum, the X25519 half from Chromium): group() on both ends', async () => {
    const [a, b] = memoryTransportPair();
    const client = new TlsStreams(a, { context: { role: 'client', ca: config.ca, groups: ['X25519MLKEM768', 'x25519'] }, serverName: 'localhost' });
    const server = new TlsStreams(b, { context: { role: 'server', cert: config.serverCert, key: config.serverKey } });
    await Promise.all([client.opened, server.opened]);
    equal(client.ssl.group(), 'X25519MLKEM768');
    equal(server.ssl.group(), 'X25519MLKEM768');
    const serverGot = readAll(server.readable);
    const cw = client.writable.getWriter();
    await cw.write(enc('post-quantum'));
    const clientClosing = cw.close();
    equal(dec(await serverGot), 'post-quantum');
    await server.writable.getWriter().close();
    await clientClosing;
    await Promise.all([client.closed, server.closed]);
  });

  it(`${CHACHA} in the page (Chromium's WebCrypto has no ChaCha: the provider uses @noble/ciphers): 64 KiB each way`, async () => {
    const [a, b] = memoryTransportPair();
    const { client, server } = pair(a, b, [CHACHA]);
    await Promise.all([client.opened, server.opened]);
    equal(client.ssl.cipher(), CHACHA);
    equal(server.ssl.cipher(), CHACHA);
    const up = patternBytes(64 * 1024, 3);
    const down = patternBytes(64 * 1024, 4);
    const serverGot = readAll(server.readable);
    const clientGot = readAll(client.readable);
    const cw = client.writable.getWriter();
    const sw = server.writable.getWriter();
    await Promise.all([cw.write(up), sw.write(down)]);
    const clientClosing = cw.close();
    assert(sameBytes(await serverGot, up), 'server got other bytes');
    await sw.close();
    await clientClosing;
    assert(sameBytes(await clientGot, down), 'client got other bytes');
    await Promise.all([client.closed, server.closed]);
    equal(client.ssl.getShutdown(), BOTH);
  });

  it('truncation in memory: the transport ends without close_notify -> ERR_MEMTLS_TRUNCATED', async () => {
    const [a, b] = memoryTransportPair();
    const w = b.writable.getWriter();
    let cut = false;
    const serverSide: ByteTransport = { readable: b.readable, writable: new WritableStream<Uint8Array>({ write: (c) => (cut ? undefined : w.write(c)) }) };
    const { client, server } = pair(a, serverSide);
    await Promise.all([client.opened, server.opened]);
    await server.writable.getWriter().write(enc('before the cut'));
    const reader = client.readable.getReader();
    equal(dec((await reader.read()).value as Uint8Array), 'before the cut');
    cut = true;
    await w.close();
    const err = await rejection(reader.read());
    equal(err.code, 'ERR_MEMTLS_TRUNCATED');
    equal(err.reason, 'unexpected eof while reading');
    server.abort();
  });

  for (const suite of [undefined, CHACHA]) {
    it(`over a WebSocket transport through the relay to the Node TLS echo server${suite ? `, ${suite} only` : ''}`, async () => {
      const transport = webSocketTransport(new WebSocket(`${config.relay}/echo`));
      const context = { role: 'client' as const, ca: config.ca, ...(suite ? { cipherSuites: [suite] } : {}) };
      const tls = new TlsStreams(transport, { context, serverName: 'localhost' });
      const info = await tls.opened;
      equal(info.version, 'TLSv1.3');
      if (suite) equal(tls.ssl.cipher(), suite);
      const payload = patternBytes(100_000, 5);
      const reader = tls.readable.getReader();
      const w = tls.writable.getWriter();
      await w.write(payload);
      const got: Uint8Array[] = [];
      let n = 0;
      while (n < payload.length) {
        const { value, done } = await reader.read();
        assert(!done && value, 'ended early');
        got.push(value);
        n += value.length;
      }
      assert(sameBytes(concat(got), payload), 'echo differs');
      const closing = w.close();
      equal((await reader.read()).done, true, "the echo server's close_notify closes the readable");
      await closing;
      await tls.closed;
      equal(tls.ssl.getShutdown(), BOTH);
      equal((await transport.closed).code, 1000);
    });
  }
});
