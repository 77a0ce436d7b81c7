/**
 * @memtls/web-streams: TlsStreams client and server over an in-memory transport pair (memoryTransportPair),
 * in Node. The same pair runs in Chromium in test/browser/web-streams.test.ts.
 */
import assert from 'node:assert/strict';
import { SSL_RECEIVED_SHUTDOWN, SSL_SENT_SHUTDOWN } from '@memtls/core';
import { type ByteTransport, isTlsStreamError, memoryTransportPair, TlsStreams } from '@memtls/web-streams';
import { concat, patternBytes, sha256, sleep } from './peers.js';
import { testPki } from './pki.js';

const BOTH = SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

async function readAll(r: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const reader = r.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return concat(chunks);
    chunks.push(value);
  }
}

function pair(opts: { clientTransport?: ByteTransport; serverTransport?: ByteTransport; ignoreUnexpectedEof?: boolean } = {}): { client: TlsStreams; server: TlsStreams } {
  const pki = testPki();
  const [a, b] = memoryTransportPair();
  const client = new TlsStreams(opts.clientTransport ?? a, {
    context: { role: 'client', ca: pki.caCert, ...(opts.ignoreUnexpectedEof ? { ignoreUnexpectedEof: true } : {}) },
    serverName: 'localhost',
  });
  const server = new TlsStreams(opts.serverTransport ?? b, { context: { role: 'server', cert: pki.cert, key: pki.key } });
  return { client, server };
}

/** A transport end whose outgoing direction can be cut (closed) without TLS knowing: a truncation. */
function cuttable(t: ByteTransport): { transport: ByteTransport; cut(): Promise<void> } {
  const w = t.writable.getWriter();
  let cut = false;
  return {
    transport: { readable: t.readable, writable: new WritableStream<Uint8Array>({ write: (c) => (cut ? undefined : w.write(c)) }) },
    cut: () => {
      cut = true;
      return w.close();
    },
  };
}

describe('web-streams: TlsStreams over an in-memory transport', () => {
  it('handshake, 1 MiB each way at once (more than the transport buffers: no deadlock), client-initiated bidirectional shutdown', async () => {
    const { client, server } = pair();
    const [ci, si] = await Promise.all([client.opened, server.opened]);
    assert.equal(ci.version, 'TLSv1.3');
    assert.equal(si.cipher, ci.cipher);
    const up = patternBytes(1 << 20, 1);
    const down = patternBytes(1 << 20, 2);
    const cw = client.writable.getWriter();
    const sw = server.writable.getWriter();
    const serverGot = readAll(server.readable);
    const clientGot = readAll(client.readable);
    await Promise.all([cw.write(up), sw.write(down)]);
    // Client closes first: close_notify, then it waits for the server's.
    const clientClosing = cw.close();
    assert.equal(sha256(await serverGot), sha256(up), 'server readable ends at the client close_notify');
    assert.equal(server.ssl.getShutdown(), SSL_RECEIVED_SHUTDOWN);
    await sw.close();
    await clientClosing;
    assert.equal(sha256(await clientGot), sha256(down));
    await Promise.all([client.closed, server.closed]);
    assert.equal(client.ssl.getShutdown(), BOTH);
    assert.equal(server.ssl.getShutdown(), BOTH);
  });

  it('closing with a KeyUpdate still queued ("shutdown while in init"): an empty write sends it, then close_notify (as @memtls/node)', async () => {
    const { client, server } = pair();
    await Promise.all([client.opened, server.opened]);
    assert.equal(client.ssl.keyUpdate(false), 1);
    const serverGot = readAll(server.readable);
    const clientGot = readAll(client.readable);
    const clientClosing = client.writable.getWriter().close();
    assert.equal((await serverGot).length, 0);
    await server.writable.getWriter().close();
    await clientClosing;
    assert.equal((await clientGot).length, 0);
    await Promise.all([client.closed, server.closed]);
    assert.equal(client.ssl.getShutdown(), BOTH);
    assert.equal(server.ssl.getShutdown(), BOTH);
  });

  it('truncation: the transport ends without close_notify -> readable errors with ERR_MEMTLS_TRUNCATED', async () => {
    const [a, b] = memoryTransportPair();
    const srv = cuttable(b);
    const { client, server } = pair({ clientTransport: a, serverTransport: srv.transport });
    await Promise.all([client.opened, server.opened]);
    const sw = server.writable.getWriter();
    await sw.write(enc('half a story'));
    const reader = client.readable.getReader();
    assert.equal(dec((await reader.read()).value as Uint8Array), 'half a story');
    await srv.cut();
    const err = await reader.read().then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(isTlsStreamError(err, 'ERR_MEMTLS_TRUNCATED'), String(err));
    assert.equal(err.reason, 'unexpected eof while reading');
    await assert.rejects(client.closed, { code: 'ERR_MEMTLS_TRUNCATED' });
    server.abort();
  });

  it('a refused certificate: ERR_MEMTLS_SSL with the X509_V_ERR name, depth and OpenSSL words, as @memtls/node gives them', async () => {
    const pki = testPki();
    const [a, b] = memoryTransportPair();
    const client = new TlsStreams(a, { context: { role: 'client', ca: pki.otherCaCert }, serverName: 'localhost' });
    const server = new TlsStreams(b, { context: { role: 'server', cert: pki.cert, key: pki.key } });
    const err = await client.opened.then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(isTlsStreamError(err, 'ERR_MEMTLS_SSL'), String(err));
    assert.equal(err.phase, 'handshake');
    assert.equal(err.reason, 'certificate verify failed');
    assert.equal(err.sslReason, 'UNKNOWN_CA');
    assert.equal(err.verifyResult, 'X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    assert.match(err.message, /^handshake: certificate verify failed: X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY at depth 0: unable to get local issuer certificate/);
    // The server reads the client's alert: its error names it, and no certificate was verified there.
    const serr = await server.opened.then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(isTlsStreamError(serr, 'ERR_MEMTLS_SSL'), String(serr));
    assert.equal(serr.reason, 'tlsv1 alert unknown ca');
    assert.equal(serr.verifyResult, null);
  });

  it('ignoreUnexpectedEof: the same EOF is a clean end of the readable', async () => {
    const [a, b] = memoryTransportPair();
    const srv = cuttable(b);
    const { client, server } = pair({ clientTransport: a, serverTransport: srv.transport, ignoreUnexpectedEof: true });
    await Promise.all([client.opened, server.opened]);
    await server.writable.getWriter().write(enc('all of it'));
    const got = readAll(client.readable);
    await sleep(10);
    await srv.cut();
    assert.equal(dec(await got), 'all of it');
    server.abort();
  });

  it('a transport that errors surfaces as ERR_MEMTLS_TRANSPORT with the cause', async () => {
    const [a, b] = memoryTransportPair();
    const { client, server } = pair({ clientTransport: a, serverTransport: b });
    await Promise.all([client.opened, server.opened]);
    const boom = new Error('link down');
    // The server's TLS layer aborts its transport: the client's transport readable errors.
    server.abort(boom);
    await assert.rejects(server.closed, { code: 'ERR_MEMTLS_ABORTED' });
    const err = await client.readable
      .getReader()
      .read()
      .then(
        () => null,
        (e: unknown) => e,
      );
    assert.ok(isTlsStreamError(err, 'ERR_MEMTLS_TRANSPORT'), String(err));
  });

  it('a cancelled readable makes the close one-sided: close_notify sent, no wait for the peer', async () => {
    const { client, server } = pair();
    await Promise.all([client.opened, server.opened]);
    await client.readable.cancel();
    await client.writable.close();
    await client.closed;
    assert.equal(client.ssl.getShutdown(), SSL_SENT_SHUTDOWN);
    assert.equal(dec(await readAll(server.readable)), '');
    assert.equal(server.ssl.getShutdown(), SSL_RECEIVED_SHUTDOWN);
  });

  it('backpressure: a slow reader keeps decrypted and ciphertext bytes bounded; 4 MiB arrive intact', async function () {
    this.timeout(30_000);
    const { client, server } = pair();
    await Promise.all([client.opened, server.opened]);
    const payload = patternBytes(4 << 20, 9);
    const sw = server.writable.getWriter();
    const sending = (async () => {
      for (let off = 0; off < payload.length; off += 64 * 1024) await sw.write(payload.subarray(off, off + 64 * 1024));
      await sw.close();
    })();
    const reader = client.readable.getReader();
    const chunks: Uint8Array[] = [];
    let maxPlain = 0;
    let maxCipher = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(value);
      const s = client.stats();
      maxPlain = Math.max(maxPlain, s.plaintext);
      maxCipher = Math.max(maxCipher, s.ciphertext);
      if (chunks.length % 8 === 0) await sleep(1);
    }
    assert.equal(sha256(concat(chunks)), sha256(payload));
    assert.ok(maxPlain <= 64 * 1024 + 16 * 1024, `plaintext queue peaked at ${maxPlain}`);
    assert.ok(maxCipher <= 2 * (16 * 1024 + 256), `read BIO peaked at ${maxCipher}`);
    await client.writable.close();
    await sending;
    await Promise.all([client.closed, server.closed]);
  });

  it('options are checked up front', () => {
    const [a] = memoryTransportPair();
    assert.throws(() => new TlsStreams(a, { context: { role: 'client', ca: testPki().caCert }, readableHighWaterMark: 0 }), RangeError);
    assert.throws(() => new TlsStreams({} as ByteTransport, { context: { role: 'client' } }), TypeError);
  });

  it('a verifying client needs serverName (the transport names no TLS server), or verifyHostname: false', async () => {
    const pki = testPki();
    const [a, b] = memoryTransportPair();
    assert.throws(() => new TlsStreams(a, { context: { role: 'client', ca: pki.caCert } }), (e: Error) => e instanceof TypeError && /serverName is required/.test(e.message));
    assert.equal(a.readable.locked, false, 'nothing was taken');
    const client = new TlsStreams(a, { context: { role: 'client', ca: pki.caCert, verifyHostname: false } });
    const server = new TlsStreams(b, { context: { role: 'server', cert: pki.cert, key: pki.key } });
    await Promise.all([client.opened, server.opened]);
    assert.equal(client.ssl.verifyResult(), 'X509_V_OK');
  });
});
