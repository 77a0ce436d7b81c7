/**
 * An idle MemtlsSocket holds no read buffer: after a small exchange, what a connection pair keeps in ArrayBuffers
 * stays small (the read loop's slab is its own and goes when the loop stops; a 64 KiB slab kept per socket made the
 * bench's idle MemtlsSocket pair grow from about 40 to 150 KiB of heap + ArrayBuffers).
 */
import { strict as assert } from 'node:assert';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MemtlsSocket } from '@memtls/node';
import { cleanup, duplexPair, once, testPki, track } from './helpers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const arrayBuffers = (): number => {
  gc();
  gc();
  return process.memoryUsage().arrayBuffers;
};

describe('@memtls/node idle memory', function () {
  this.timeout(60_000);
  afterEach(cleanup);

  it('20 idle socket pairs after a 100 B exchange each way hold under 16 KiB of ArrayBuffers per pair', async () => {
    const pki = testPki();
    const pairs: [MemtlsSocket, MemtlsSocket][] = [];
    const open = async (): Promise<void> => {
      const [a, b] = duplexPair();
      const s = track(new MemtlsSocket(a, { isServer: true, cert: pki.server.cert, key: pki.server.key }), (x) => {
        x.destroy();
      });
      const c = track(new MemtlsSocket(b, { servername: 'localhost', ca: pki.ca }), (x) => {
        x.destroy();
      });
      await once(c, 'secureConnect');
      const atServer = once<Buffer>(s, 'data');
      c.write(Buffer.alloc(100, 1));
      assert.equal((await atServer).length, 100);
      const atClient = once<Buffer>(c, 'data');
      s.write(Buffer.alloc(100, 2));
      assert.equal((await atClient).length, 100);
      pairs.push([c, s]);
    };
    await open(); // warm-up: module-level buffers and pools are not the connections'
    const before = arrayBuffers();
    for (let i = 0; i < 20; i++) await open();
    const perPair = (arrayBuffers() - before) / 20;
    assert.equal(pairs.length, 21);
    assert.ok(perPair < 16 * 1024, `ArrayBuffers per idle pair: ${(perPair / 1024).toFixed(1)} KiB`);
  });
});
