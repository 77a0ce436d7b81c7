/**
 * TLS_CHACHA20_POLY1305_SHA256 with the WebCrypto provider (native WebCrypto and @peculiar/webcrypto), whose
 * ChaCha20-Poly1305 is @noble/ciphers, against memtls on the node:crypto provider (OpenSSL's ChaCha20-Poly1305), in
 * memory, with memtls-over-WebCrypto in each role. The WebCrypto side keeps its default suites, so these also show
 * that it offers (as a client) and accepts (as a server) the suite without being asked to; the node:crypto side
 * allows only ChaCha20-Poly1305. Records of every size are exchanged (multi-record writes, KeyUpdates both ways),
 * then a bidirectional close.
 */
import { strict as assert } from 'node:assert';
import { type CryptoProvider, createWebCryptoProvider, SSL_ERROR_SSL, SSL_RECEIVED_SHUTDOWN, SSL_SENT_SHUTDOWN, type Ssl } from '@memtls/core';
import { createNodeCryptoProvider } from '@memtls/node';
import { Crypto as PeculiarCrypto } from '@peculiar/webcrypto';
import { Link } from '../util/link.js';
import { closeBoth, contexts, handshake, pair } from '../util/pair.js';

const CHACHA = 'TLS_CHACHA20_POLY1305_SHA256';

const WEBCRYPTO: readonly [string, () => CryptoProvider][] = [
  ['native WebCrypto', () => createWebCryptoProvider(globalThis.crypto)],
  ['@peculiar/webcrypto', () => createWebCryptoProvider(new PeculiarCrypto() as unknown as Crypto)],
];

/** A pattern that differs per byte and per call, so a misplaced record shows. */
function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed * 17 + (i >> 8)) & 0xff;
  return out;
}

/** Write all of `data` from `from` and read exactly that many bytes on `to`. */
async function send(from: Ssl, to: Ssl, data: Uint8Array): Promise<void> {
  const got = new Uint8Array(data.length);
  let written = 0;
  let read = 0;
  const buf = new Uint8Array(16 * 1024);
  for (let i = 0; i < 10000 && read < data.length; i++) {
    if (written < data.length) {
      const w = await from.write(data.subarray(written));
      if (w > 0) written += w;
    }
    const r = await to.read(buf);
    if (r > 0) {
      got.set(buf.subarray(0, r), read);
      read += r;
    }
  }
  assert.equal(read, data.length, 'every byte arrived');
  assert.deepEqual(got, data);
}

describe('TLS_CHACHA20_POLY1305_SHA256: the WebCrypto provider against the node:crypto provider, in memory', () => {
  for (const [name, web] of WEBCRYPTO) {
    for (const webRole of ['client', 'server'] as const) {
      it(`${name} as the ${webRole}: handshake, 1 B to 40 KiB writes both ways, KeyUpdates, close`, async () => {
        const webSide = { crypto: web() };
        const nodeSide = { crypto: createNodeCryptoProvider(), cipherSuites: [CHACHA] };
        const { cctx, sctx } = webRole === 'client' ? contexts(webSide, nodeSide) : contexts(nodeSide, webSide);
        const p = pair(cctx, sctx);
        await handshake(p);
        assert.equal(p.client.cipher(), CHACHA);
        assert.equal(p.server.cipher(), CHACHA);
        for (const [i, length] of [1, 100, 16384, 16385, 40 * 1024].entries()) {
          await send(p.client, p.server, pattern(length, i));
          await send(p.server, p.client, pattern(length, i + 100));
        }
        // A KeyUpdate each way (update_requested): the next traffic keys are ChaCha20-Poly1305 keys too.
        assert.equal(p.client.keyUpdate(true), 1);
        await send(p.client, p.server, pattern(5000, 7));
        await send(p.server, p.client, pattern(5000, 8));
        assert.equal(p.server.keyUpdate(true), 1);
        await send(p.server, p.client, pattern(3000, 9));
        await send(p.client, p.server, pattern(3000, 10));
        await closeBoth(p);
        assert.equal(p.client.getShutdown(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
        assert.equal(p.server.getShutdown(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
      });
    }

    it(`${name}: a corrupted ChaCha20-Poly1305 record fails with bad_record_mac, nothing thrown`, async () => {
      const { cctx, sctx } = contexts({ crypto: web(), cipherSuites: [CHACHA] }, { crypto: createNodeCryptoProvider(), cipherSuites: [CHACHA] });
      const link = new Link(cctx, sctx);
      await link.handshake();
      // The server's next record, one bit of its tag flipped on the way to the WebCrypto client.
      assert.equal(await link.server.write(pattern(64, 1)), 64);
      const record = new Uint8Array(link.serverOut.pending());
      link.serverOut.read(record);
      record[record.length - 1] = (record[record.length - 1] as number) ^ 1;
      link.clientIn.write(record);
      const r = await link.client.read(new Uint8Array(100));
      assert.equal(r, -1);
      assert.equal(link.client.getError(r), SSL_ERROR_SSL);
      assert.equal(link.client.errorReason(), 'decryption failed or bad record mac');
      // The alert the client sent is bad_record_mac (20), and the server reads it as such.
      link.toServer();
      const rs = await link.server.read(new Uint8Array(100));
      assert.equal(link.server.getError(rs), SSL_ERROR_SSL);
      assert.equal(link.server.errorReason(), 'sslv3 alert bad record mac');
    });
  }

  it('two WebCrypto providers with default suites still choose TLS_AES_128_GCM_SHA256 (AES-GCM stays first)', async () => {
    const { cctx, sctx } = contexts({ crypto: createWebCryptoProvider(globalThis.crypto) }, { crypto: createWebCryptoProvider(globalThis.crypto) });
    const p = pair(cctx, sctx);
    await handshake(p);
    assert.equal(p.client.cipher(), 'TLS_AES_128_GCM_SHA256');
  });
});
