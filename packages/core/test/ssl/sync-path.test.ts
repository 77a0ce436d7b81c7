/**
 * The synchronous record path (issue 16): with a provider whose AEAD keys seal and open synchronously (node:crypto,
 * the default under Node), a write or read that finds no other call queued is served before its promise is even
 * returned, and calls that overlap still run in call order. TLS 1.3 and TLS 1.2, and the asynchronous WebCrypto
 * provider for contrast (its calls never complete synchronously).
 */
import assert from 'node:assert/strict';
import { type ContextOptions, MemoryBio, Ssl, SslContext } from '@memtls/core';
import { createNodeCryptoProvider } from '@memtls/core/node-crypto';
import { testPki } from '../tls12/helpers.js';

interface Pair {
  client: Ssl;
  server: Ssl;
  c2s: MemoryBio;
  s2c: MemoryBio;
}

async function pair(common: Partial<ContextOptions>): Promise<Pair> {
  const pki = testPki();
  const sctx = new SslContext({ ...common, role: 'server', cert: pki.leaves['ec-p256'].cert, key: pki.leaves['ec-p256'].key });
  const cctx = new SslContext({ ...common, role: 'client', ca: pki.ca });
  const client = new Ssl(cctx, { serverName: 'localhost' });
  const server = new Ssl(sctx);
  const c2s = new MemoryBio();
  const s2c = new MemoryBio();
  client.setBio(s2c, c2s);
  server.setBio(c2s, s2c);
  for (let i = 0; i < 10 && !(client.isInitFinished() && server.isInitFinished()); i++) await Promise.all([client.doHandshake(), server.doHandshake()]);
  assert.ok(client.isInitFinished() && server.isInitFinished());
  // The client reads the server's tickets, so nothing post-handshake is left on either side.
  assert.equal(await client.read(new Uint8Array(16)), -1);
  return { client, server, c2s, s2c };
}

const bytes = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);

for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
  describe(`ssl: the synchronous record path (${version}, node:crypto)`, () => {
    const common = { minVersion: version, maxVersion: version, crypto: createNodeCryptoProvider() };

    it('a write is in the write BIO, and a read has filled its buffer, before their promises are awaited', async () => {
      const p = await pair(common);
      const w = p.client.write(bytes(100, 7));
      assert.ok(p.c2s.pending() > 100, 'the record was sealed and written synchronously');
      assert.equal(await w, 100);
      const buf = new Uint8Array(200);
      const r = p.server.read(buf);
      assert.deepEqual(buf.subarray(0, 100), bytes(100, 7), 'the record was opened synchronously');
      assert.equal(p.c2s.pending(), 0);
      assert.equal(await r, 100);
      // Nothing in the BIO: WANT_READ at once too.
      assert.equal(await p.server.read(buf), -1);
      assert.equal(p.server.getError(-1), 2);
    });

    it('a full record (16 KiB) and several records in the BIO read in order, synchronously', async () => {
      const p = await pair(common);
      for (let i = 0; i < 3; i++) assert.equal(await p.client.write(bytes(16384, i + 1)), 16384);
      const buf = new Uint8Array(16384);
      for (let i = 0; i < 3; i++) {
        assert.equal(await p.server.read(buf), 16384);
        assert.deepEqual(buf, bytes(16384, i + 1));
      }
    });

    it('calls behind a queued call are not served early: overlapping calls run in call order', async () => {
      const p = await pair(common);
      // A handshake call always goes through the op queue; the write behind it must wait for it.
      const h = p.client.doHandshake();
      const w1 = p.client.write(bytes(10, 1));
      assert.equal(p.c2s.pending(), 0, 'the write waits behind the queued call');
      const w2 = p.client.write(bytes(10, 2));
      const order: string[] = [];
      await Promise.all([h.then(() => order.push('h')), w1.then(() => order.push('w1')), w2.then(() => order.push('w2'))]);
      assert.deepEqual(order, ['h', 'w1', 'w2']);
      const buf = new Uint8Array(10);
      assert.equal(await p.server.read(buf), 10);
      assert.deepEqual(buf, bytes(10, 1));
      assert.equal(await p.server.read(buf), 10);
      assert.deepEqual(buf, bytes(10, 2));
    });

    it("an overlapping call waits for the caller's continuation of a call served at once (its getError)", async () => {
      const p = await pair(common);
      // A write BIO that takes nothing: the write is served at once with WANT_WRITE.
      const full = { write: () => -1, read: (b: Uint8Array) => p.s2c.read(b), pending: () => p.s2c.pending(), shouldRetry: () => true, eof: () => false };
      p.client.setBio(full, full);
      const seen: number[] = [];
      const write = async () => {
        const r = await p.client.write(bytes(10, 1));
        seen.push(r, p.client.getError(r));
      };
      // The read behind it (WANT_READ) must not run before the write's continuation has read its error.
      await Promise.all([write(), p.client.read(new Uint8Array(10))]);
      assert.deepEqual(seen, [-1, 3]);
      assert.equal(p.client.getError(-1), 2);
    });

    it('records the synchronous path does not handle (a tampered record, a close_notify) take the full path', async () => {
      const p = await pair(common);
      assert.equal(await p.client.write(bytes(10, 1)), 10);
      assert.equal(await p.client.shutdown(), 0);
      const buf = new Uint8Array(10);
      assert.equal(await p.server.read(buf), 10);
      assert.equal(await p.server.read(buf), 0, 'close_notify');
      assert.equal(p.server.getError(0), 6);

      const q = await pair(common);
      assert.equal(await q.client.write(bytes(10, 1)), 10);
      const rec = new Uint8Array(q.c2s.pending());
      q.c2s.read(rec);
      rec[rec.length - 1] = (rec[rec.length - 1] as number) ^ 1;
      q.c2s.write(rec);
      assert.equal(await q.server.read(buf), -1);
      assert.equal(q.server.getError(-1), 1);
      assert.match(q.server.errorReason() ?? '', /decryption failed or bad record mac/);
    });

    it('a write the BIO cannot take whole is a pending write, retried as OpenSSL does', async () => {
      const p = await pair(common);
      const pending = p.client.write(bytes(10, 1));
      assert.equal(await pending, 10);
      // A BIO that takes 20 bytes of the next record only.
      let room = 20;
      const tight = { write: (d: Uint8Array) => { const n = Math.min(room, d.length); room -= n; return n > 0 ? p.c2s.write(d.subarray(0, n)) : -1; }, read: (b: Uint8Array) => p.s2c.read(b), pending: () => p.s2c.pending(), shouldRetry: () => true, eof: () => false };
      p.client.setBio(tight, tight);
      const data = bytes(100, 3);
      assert.equal(await p.client.write(data), -1);
      assert.equal(p.client.getError(-1), 3);
      room = 1000;
      assert.equal(await p.client.write(data), 100);
      const buf = new Uint8Array(200);
      assert.equal(await p.server.read(buf), 10);
      assert.equal(await p.server.read(buf), 100);
      assert.deepEqual(buf.subarray(0, 100), data);
    });
  });
}

describe('ssl: an asynchronous provider keeps the queued path', () => {
  it('with WebCrypto a write is not in the BIO before its promise runs', async () => {
    const p = await pair({ crypto: globalThis.crypto });
    const w = p.client.write(bytes(100, 7));
    assert.equal(p.c2s.pending(), 0);
    assert.equal(await w, 100);
    assert.ok(p.c2s.pending() > 100);
  });
});
