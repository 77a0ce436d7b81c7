import { strict as assert } from 'node:assert';
import { newBioPair, SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE, SSL_ERROR_ZERO_RETURN, Ssl, SslContext } from '@memtls/core';
import { testPki } from '../util/pki.js';

/** Drive both sides until each op returns > 0 (or a non-retry error). */
async function pump(a: () => Promise<number>, aSsl: Ssl, b: () => Promise<number>, bSsl: Ssl): Promise<[number, number]> {
  let ra = 0;
  let rb = 0;
  let doneA = false;
  let doneB = false;
  for (let i = 0; i < 10000 && !(doneA && doneB); i++) {
    if (!doneA) {
      ra = await a();
      const e = aSsl.getError(ra);
      if (ra > 0 || (e !== SSL_ERROR_WANT_READ && e !== SSL_ERROR_WANT_WRITE)) doneA = true;
    }
    if (!doneB) {
      rb = await b();
      const e = bSsl.getError(rb);
      if (rb > 0 || (e !== SSL_ERROR_WANT_READ && e !== SSL_ERROR_WANT_WRITE)) doneB = true;
    }
  }
  return [ra, rb];
}

describe('Ssl over a BIO pair', () => {
  for (const kind of ['ec-p256', 'ec-p384', 'rsa', 'ed25519'] as const) {
    it(`handshakes, moves data both ways and shuts down (${kind} server key)`, async () => {
      const pki = testPki();
      const sctx = new SslContext({ role: 'server', cert: pki.leaves[kind].cert, key: pki.leaves[kind].key, alpn: ['h2', 'http/1.1'] });
      const cctx = new SslContext({ role: 'client', ca: pki.caCert, alpn: ['http/1.1'] });
      const [e1, e2] = newBioPair(4096, 4096);
      const client = new Ssl(cctx, { serverName: 'localhost' });
      const server = new Ssl(sctx);
      client.setBio(e1, e1);
      server.setBio(e2, e2);
      const [rc, rs] = await pump(() => client.doHandshake(), client, () => server.doHandshake(), server);
      assert.equal(rc, 1, `client: ${client.errorReason()}`);
      assert.equal(rs, 1, `server: ${server.errorReason()}`);
      assert.equal(client.version(), 'TLSv1.3');
      assert.equal(client.alpnSelected(), 'http/1.1');
      assert.equal(server.alpnSelected(), 'http/1.1');
      assert.equal(server.serverName(), 'localhost');
      const msg = new TextEncoder().encode('hello over memtls');
      assert.equal(await client.write(msg), msg.length);
      const buf = new Uint8Array(100);
      const n = await server.read(buf);
      assert.equal(new TextDecoder().decode(buf.subarray(0, n)), 'hello over memtls');
      assert.equal(await client.shutdown(), 0);
      assert.equal(await server.read(buf), 0);
      assert.equal(server.getError(0), SSL_ERROR_ZERO_RETURN);
      assert.equal(await server.shutdown(), 1);
      assert.equal(await client.shutdown(), 1);
    });
  }
});
