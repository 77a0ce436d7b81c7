/**
 * TLS 1.2 through both browser-side adapters: the context's `minVersion` / `maxVersion` pass through unchanged.
 * TlsWebSocket (over `ws`, through the example relay) to a Node `tls` server limited to TLS 1.2; TlsStreams
 * client and server over an in-memory transport pair, the client limited to TLS 1.2.
 */
import assert from 'node:assert/strict';
import { SSL_RECEIVED_SHUTDOWN, SSL_SENT_SHUTDOWN } from '@memtls/core';
import { memoryTransportPair, TlsStreams } from '@memtls/web-streams';
import { TlsWebSocket } from '@memtls/websocket';
import { clientContext, concat, patternBytes, relayTo, sha256, stopAll, tlsServer, wsClient } from './peers.js';
import { testPki } from './pki.js';

const BOTH = SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN;

async function readAll(r: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const reader = r.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return concat(chunks);
    chunks.push(value);
  }
}

describe('TLS 1.2 through the adapters', () => {
  afterEach(stopAll);

  it('TlsWebSocket, maxVersion TLSv1.2, to a Node tls server limited to TLS 1.2: 100 KB both ways, bidirectional shutdown', async () => {
    let protocol: string | null = null;
    const { port } = await tlsServer(
      (s) => {
        protocol = s.getProtocol();
        s.pipe(s);
      },
      { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' },
    );
    const relay = await relayTo({ host: '127.0.0.1', port });
    const t = new TlsWebSocket(wsClient(relay.url), { context: { ...clientContext(), maxVersion: 'TLSv1.2' }, serverName: 'localhost' });
    const info = await t.connect();
    assert.equal(info.version, 'TLSv1.2');
    assert.equal(protocol, 'TLSv1.2');
    assert.match(info.cipher ?? '', /^TLS_ECDHE_ECDSA_WITH_/);
    const payload = patternBytes(100_000, 3);
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
  });

  it('TlsStreams: a client with maxVersion TLSv1.2 and a server at its defaults negotiate TLS 1.2; data both ways; close', async () => {
    const pki = testPki();
    const [a, b] = memoryTransportPair();
    const client = new TlsStreams(a, { context: { role: 'client', ca: pki.caCert, maxVersion: 'TLSv1.2' }, serverName: 'localhost' });
    const server = new TlsStreams(b, { context: { role: 'server', cert: pki.cert, key: pki.key } });
    const [ci, si] = await Promise.all([client.opened, server.opened]);
    assert.equal(ci.version, 'TLSv1.2');
    assert.equal(si.version, 'TLSv1.2');
    assert.equal(si.cipher, ci.cipher);
    const up = patternBytes(200_000, 1);
    const down = patternBytes(200_000, 2);
    const cw = client.writable.getWriter();
    const sw = server.writable.getWriter();
    const serverGot = readAll(server.readable);
    const clientGot = readAll(client.readable);
    await Promise.all([cw.write(up), sw.write(down)]);
    const clientClosing = cw.close();
    assert.equal(sha256(await serverGot), sha256(up));
    await sw.close();
    await clientClosing;
    assert.equal(sha256(await clientGot), sha256(down));
    await Promise.all([client.closed, server.closed]);
    assert.equal(client.ssl.getShutdown(), BOTH);
    assert.equal(server.ssl.getShutdown(), BOTH);
  });

  it('TlsStreams: a client with minVersion TLSv1.3 and a server with maxVersion TLSv1.2 share no version: opened rejects on both ends', async () => {
    const pki = testPki();
    const [a, b] = memoryTransportPair();
    const client = new TlsStreams(a, { context: { role: 'client', ca: pki.caCert, minVersion: 'TLSv1.3' }, serverName: 'localhost' });
    const server = new TlsStreams(b, { context: { role: 'server', cert: pki.cert, key: pki.key, maxVersion: 'TLSv1.2' } });
    const [c, s] = await Promise.allSettled([client.opened, server.opened]);
    assert.equal(c.status, 'rejected');
    assert.equal(s.status, 'rejected');
    assert.match(String((s as PromiseRejectedResult).reason), /unsupported protocol/);
  });
});
