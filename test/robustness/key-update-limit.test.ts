/**
 * AEAD usage limits (RFC 8446 §5.5): after `limits.keyUpdateAfterRecords` records under one AES-GCM write key,
 * memtls sends KeyUpdate(update_not_requested) by itself before the next application-data record. Tested with
 * small thresholds: the records on the wire (opened with the null provider), the peer (a memtls server) reading
 * every byte across the key changes, ChaCha20-Poly1305 (no automatic update), partial writes into a small BIO
 * pair, and the shutdown rules (nothing after our close_notify).
 */
process.env.MEMTLS_INSECURE_TEST_CRYPTO = '1';

import { strict as assert } from 'node:assert';
import { type Bio, newBioPair, SSL_ERROR_SSL, SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE, Ssl } from '@memtls/core';
import { CT, concat, HT, parseRecords, toUnits } from '@memtls/fast-check';
import { makeContexts } from '../fuzz/kit.js';
import { drain, established } from './helpers.js';

/** The client's records after the handshake as letters: D application data, K KeyUpdate, A alert, ? other. */
function letters(bytes: Uint8Array): string {
  return toUnits(bytes)
    .units.map((u) => (u.type === CT.APP ? 'D' : u.type === CT.HANDSHAKE && u.content[0] === HT.KEY_UPDATE ? `K${u.content[4]}` : u.type === CT.ALERT ? 'A' : '?'))
    .join(' ');
}

/** Read exactly n bytes on the server (it processes the KeyUpdates on the way). */
async function readAll(ssl: Ssl, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const r = await ssl.read(out.subarray(got));
    assert.ok(r > 0, `server read after ${got} bytes: ${ssl.errorReason()}`);
    got += r;
  }
  return out;
}

describe('robustness: automatic KeyUpdate before the AEAD usage limit (keyUpdateAfterRecords)', function () {
  this.timeout(60000);

  it('the default is 2^24 records per key, and the option is validated like every limit', () => {
    const { cctx } = makeContexts({ crypto: 'null' });
    assert.equal((cctx.engineConfig().limits as { keyUpdateAfterRecords: number }).keyUpdateAfterRecords, 2 ** 24);
    assert.throws(() => makeContexts({ crypto: 'null', clientLimits: { keyUpdateAfterRecords: 0 } }), RangeError);
    assert.throws(() => makeContexts({ crypto: 'null', clientLimits: { keyUpdateAfterRecords: 1.5 } }), RangeError);
  });

  it('threshold 4, ten 1-byte writes: a KeyUpdate(update_not_requested) after every 4 records; the server reads all', async () => {
    const link = await established({ crypto: 'null', clientLimits: { keyUpdateAfterRecords: 4 } });
    for (let i = 0; i < 10; i++) assert.equal(await link.client.write(new Uint8Array([i])), 1, `write ${i}: ${link.client.errorReason()}`);
    const wire = drain(link.clientOut);
    assert.equal(letters(wire), 'D D D D K0 D D D D K0 D D');
    link.serverIn.write(wire);
    assert.deepEqual([...(await readAll(link.server, 10))], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // The server switched its read key twice and is still in step: more data reads fine.
    assert.equal(await link.client.write(new Uint8Array([10])), 1);
    link.toServer();
    assert.deepEqual([...(await readAll(link.server, 1))], [10]);
  });

  it('threshold 3, one write of ten full records (pipelined sealing): the KeyUpdates fall between batches, exactly every 3', async () => {
    const link = await established({ crypto: 'null', clientLimits: { keyUpdateAfterRecords: 3 } });
    const data = new Uint8Array(10 * 16384).map((_, i) => (i * 13) & 0xff);
    assert.equal(await link.client.write(data), data.length);
    const wire = drain(link.clientOut);
    assert.equal(letters(wire), 'D D D K0 D D D K0 D D D K0 D');
    link.serverIn.write(wire);
    assert.deepEqual(await readAll(link.server, data.length), data);
  });

  it('a KeyUpdate of the application, or a reply to the peer, starts a new key and the count anew', async () => {
    const link = await established({ crypto: 'null', clientLimits: { keyUpdateAfterRecords: 3 } });
    await link.client.write(new Uint8Array([1]));
    assert.equal(link.client.keyUpdate(false), 1);
    for (let i = 0; i < 4; i++) await link.client.write(new Uint8Array([i]));
    assert.equal(letters(drain(link.clientOut)), 'D K0 D D D K0 D');
    // The server asks for an update: the client's reply (update_not_requested) is a new key too.
    assert.equal(link.server.keyUpdate(true), 1);
    assert.equal(await link.server.doHandshake(), 1);
    link.toClient();
    assert.equal(link.client.getError(await link.client.read(new Uint8Array(1))), SSL_ERROR_WANT_READ);
    for (let i = 0; i < 4; i++) await link.client.write(new Uint8Array([i]));
    assert.equal(letters(drain(link.clientOut)), 'K0 D D D K0 D');
  });

  it('ChaCha20-Poly1305 keys are not rotated automatically (their limit is past the sequence limit)', async () => {
    const link = await established({ crypto: 'null', clientLimits: { keyUpdateAfterRecords: 2 }, client: { cipherSuites: ['TLS_CHACHA20_POLY1305_SHA256'] } });
    assert.equal(link.client.cipher(), 'TLS_CHACHA20_POLY1305_SHA256');
    for (let i = 0; i < 6; i++) await link.client.write(new Uint8Array([i]));
    assert.equal(letters(drain(link.clientOut)), 'D D D D D D');
  });

  it('never after our close_notify: shutdown with the key worn out sends the alert alone, and writes stay refused', async () => {
    const link = await established({ crypto: 'null', clientLimits: { keyUpdateAfterRecords: 2 } });
    await link.client.write(new Uint8Array([1]));
    await link.client.write(new Uint8Array([2]));
    assert.equal(await link.client.shutdown(), 0);
    const r = await link.client.write(new Uint8Array([3]));
    assert.equal(link.client.getError(r), SSL_ERROR_SSL);
    assert.equal(link.client.errorReason(), 'protocol is shutdown');
    assert.equal(await link.client.write(new Uint8Array(0)), -1);
    assert.equal(letters(drain(link.clientOut)), 'D D A');
  });

  it('real crypto, threshold 2, 1 MiB through a 1 KiB BIO pair with write retries: the server gets every byte', async () => {
    const { cctx, sctx } = makeContexts({ crypto: 'real', clientLimits: { keyUpdateAfterRecords: 2 } });
    const [ce, se] = newBioPair(1024, 1024);
    const client = new Ssl(cctx, { serverName: 'localhost' });
    const server = new Ssl(sctx);
    // Everything the client writes is also logged, to count its KeyUpdate records afterwards.
    const log: Uint8Array[] = [];
    const logged: Bio = {
      write: (d) => {
        const k = ce.write(d);
        if (k > 0) log.push(d.slice(0, k));
        return k;
      },
      read: (b) => ce.read(b),
      pending: () => ce.pending(),
      shouldRetry: () => ce.shouldRetry(),
      eof: () => ce.eof(),
    };
    client.setBio(ce, logged);
    server.setBio(se, se);
    for (let i = 0; i < 100; i++) {
      const [rc, rs] = [await client.doHandshake(), await server.doHandshake()];
      if (rc === 1 && rs === 1) break;
    }
    assert.ok(client.isInitFinished() && server.isInitFinished());
    const data = new Uint8Array(1 << 20).map((_, i) => (i * 7) & 0xff);
    const got = new Uint8Array(data.length);
    let n = 0;
    const buf = new Uint8Array(20000);
    let done = false;
    let wr = 0;
    while (!done || n < data.length) {
      if (!done) {
        wr = await client.write(data);
        if (wr === data.length) done = true;
        else assert.equal(client.getError(wr), SSL_ERROR_WANT_WRITE, `write: ${client.errorReason()}`);
      }
      const r = await server.read(buf);
      if (r > 0) {
        got.set(buf.subarray(0, r), n);
        n += r;
      } else assert.equal(server.getError(r), SSL_ERROR_WANT_READ, `server: ${server.errorReason()}`);
    }
    assert.equal(n, data.length);
    assert.deepEqual(got, data);
    // 64 full records, a KeyUpdate after every 2 but the last: 31, each 27 bytes with AES-128-GCM (5-byte header,
    // 4-byte message + request_update, inner type, 16-byte tag).
    const sent = parseRecords(concat(...log)).records;
    assert.equal(sent.filter((rec) => rec.type === CT.APP && rec.body.length === 16384 + 17).length, 64);
    assert.equal(sent.filter((rec) => rec.type === CT.APP && rec.body.length === 22).length, 31);
  });
});
