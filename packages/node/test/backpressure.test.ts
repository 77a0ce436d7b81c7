/**
 * Backpressure both ways: with a slow consumer nothing buffers without bound, and once the consumer
 * resumes every byte arrives intact.
 *
 * - Read side, real TCP: a Node tls server writes 8 MiB (respecting its own 'drain'). The memtls client
 *   does not read. Its own counters (`bufferStats()`: read-BIO ciphertext, readable buffer) must stay under
 *   fixed bounds while the server stalls; kernel socket buffers take the rest, and the server's writes
 *   stop completing.
 * - Write side, in-memory transport with real backpressure (TCP's kernel buffers would hide it): a memtls
 *   server writes 8 MiB to Node's own `tls.TLSSocket` that does not read. The memtls socket's writes must
 *   stop completing, and what it has handed to the transport must stay bounded.
 */
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import tls from 'node:tls';
import { connect, MemtlsSocket } from '@memtls/node';
import { cleanup, collect, duplexPair, listen, once, sleep, testPki, track, trackServer } from './helpers.js';

const TOTAL = 8 * 1024 * 1024;
const CHUNK = 64 * 1024;
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Write `data` in chunks, honouring write() === false / 'drain'. `progress.accepted` counts completed chunks. */
async function writeWithBackpressure(w: NodeJS.WritableStream, data: Buffer, progress: { accepted: number; stalledSince: number }): Promise<void> {
  for (let off = 0; off < data.length; off += CHUNK) {
    const chunk = data.subarray(off, off + CHUNK);
    const ok = w.write(chunk);
    progress.accepted = off + chunk.length;
    if (!ok) {
      progress.stalledSince = Date.now();
      await once(w, 'drain', 60_000);
      progress.stalledSince = 0;
    }
  }
  w.end();
}

/** Resolve once the writer has been waiting for 'drain' for `ms` straight (fail if it finished instead). */
async function waitForStall(progress: { accepted: number; stalledSince: number }, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (progress.stalledSince && Date.now() - progress.stalledSince >= ms) return;
    if (progress.accepted >= TOTAL && !progress.stalledSince) assert.fail(`${what}: all ${TOTAL} bytes were accepted although nobody read them`);
    await sleep(20);
  }
  assert.fail(`${what}: never stalled`);
}

describe('@memtls/node backpressure', function () {
  this.timeout(60_000);
  afterEach(cleanup);

  it('read side: a paused consumer pauses the transport; buffers stay bounded; 8 MiB arrive intact', async () => {
    const pki = testPki();
    const data = randomBytes(TOTAL);
    const progress = { accepted: 0, stalledSince: 0 };
    const server = trackServer(
      tls.createServer({ key: pki.server.key, cert: pki.server.cert }, (s) => {
        s.on('error', () => undefined);
        writeWithBackpressure(s, data, progress).catch(() => undefined);
      }),
    );
    const port = await listen(server);
    const c = track(connect({ host: 'localhost', port, ca: pki.ca }), (x) => {
      x.destroy();
    });
    await once(c, 'secureConnect');
    // Nobody reads: the server must get stuck on its own backpressure.
    await waitForStall(progress, 300, 'Node server writing to a paused memtls client');
    const stats = c.bufferStats();
    assert.ok(stats.transportPaused, 'the transport is paused while the consumer does not read');
    assert.ok(stats.maxRbioPending <= 128 * 1024, `read BIO bounded (max ${stats.maxRbioPending} bytes)`);
    assert.ok(stats.readableLength <= 32 * 1024, `readable buffer bounded (${stats.readableLength} bytes)`);
    assert.ok(progress.accepted < TOTAL, 'the server could not write everything');

    const got = await collect(c);
    assert.equal(got.length, TOTAL);
    assert.equal(sha(got), sha(data));
    assert.ok(c.bufferStats().maxRbioPending <= 128 * 1024, `read BIO stayed bounded while draining (max ${c.bufferStats().maxRbioPending})`);
  });

  it('write side: a peer that does not read stalls memtls writes; the transport buffer stays bounded; 8 MiB arrive intact', async () => {
    const pki = testPki();
    const data = randomBytes(TOTAL);
    const [serverEnd, clientEnd] = duplexPair(16 * 1024);
    const s = track(new MemtlsSocket(serverEnd, { isServer: true, cert: pki.server.cert, key: pki.server.key }), (x) => {
      x.destroy();
    });
    const client = track(tls.connect({ socket: clientEnd, ca: pki.ca, servername: 'localhost' }), (x) => {
      x.destroy();
    });
    await once(client, 'secureConnect');
    client.pause();
    const progress = { accepted: 0, stalledSince: 0 };
    const writing = writeWithBackpressure(s, data, progress);
    await waitForStall(progress, 300, 'memtls server writing to a Node client that does not read');
    const stats = s.bufferStats();
    assert.ok(stats.maxTransportWritable <= 64 * 1024, `transport write buffer bounded (max ${stats.maxTransportWritable} bytes)`);
    assert.ok(s.writableLength <= 128 * 1024, `memtls writable buffer bounded (${s.writableLength} bytes)`);
    assert.ok(progress.accepted < TOTAL / 2, `writes stalled early (${progress.accepted} bytes accepted)`);

    const got = collect(client);
    client.resume();
    await writing;
    const received = await got;
    assert.equal(received.length, TOTAL);
    assert.equal(sha(received), sha(data));
  });
});
