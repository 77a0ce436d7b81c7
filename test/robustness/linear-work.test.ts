/**
 * Hostile splitting costs linear work. A peer chooses how its bytes are cut: into 1-byte handshake records, into
 * 1-byte writes to the read BIO, into thousands of tiny application-data records. None of these may make the
 * engine copy the bytes it holds once per piece (quadratic work: a 100 KiB ClientHello in 1-byte records once
 * cost about a second of CPU). Work is counted, never timed: every byte copied by `Uint8Array.prototype.set`
 * or `slice` while the victim runs (test/util/copy-meter.ts), against the bytes the peer delivered.
 */
process.env.MEMTLS_INSECURE_TEST_CRYPTO = '1';

import { strict as assert } from 'node:assert';
import { SSL_ERROR_WANT_READ } from '@memtls/core';
import { CT, concat, EXT, encodeHello, findExt, type Hello, HT, parseHello, record, sealed, splitMessages, toUnits, u16list, vec16 } from '@memtls/fast-check';
import { bytesCopiedBy, elementsScannedBy } from '../util/copy-meter.js';
import { drain, established, linkFor } from './helpers.js';

/** A GREASE extension type (RFC 8701): servers ignore it. */
const GREASE = 0x0a0a;

describe('robustness: hostile splitting costs linear work', function () {
  this.timeout(120000);

  it('a 100 KiB ClientHello in 1-byte records: the server copies O(n) bytes and answers it', async () => {
    const link = await linkFor({ crypto: 'real' });
    await link.client.doHandshake();
    const u = toUnits(drain(link.clientOut)).units[0];
    const m = splitMessages(u?.content ?? new Uint8Array(0)).msgs[0];
    assert.equal(m?.type, HT.CLIENT_HELLO);
    const hello = parseHello(m?.body ?? new Uint8Array(0), true);
    // Up to the largest message the default limits accept (maxHandshakeMessage: 102400 bytes of body): 30000
    // unknown cipher suites (the list may hold 32767) and a GREASE extension (the block may hold 65535 bytes).
    for (let i = 0; i < 30000; i++) hello.suites.push(0x2000 + i);
    const base = encodeHello(hello, true).length;
    hello.extensions.unshift({ type: GREASE, data: new Uint8Array(102400 - (base - 4) - 4) });
    const big = encodeHello(hello, true);
    assert.equal(big.length, 4 + 102400);
    const wire = concat(...Array.from(big, (b) => record(CT.HANDSHAKE, new Uint8Array([b]))));
    let r = 0;
    const copied = await bytesCopiedBy(async () => {
      link.serverIn.write(wire);
      r = await link.server.doHandshake();
    });
    assert.equal(link.server.getError(r), SSL_ERROR_WANT_READ, `${link.server.errorReason()}`);
    const out = toUnits(drain(link.serverOut)).units;
    assert.equal(out[0]?.type, CT.HANDSHAKE);
    assert.equal(out[0]?.content[0], HT.SERVER_HELLO, 'the server answered with its ServerHello');
    // Quadratic reassembly copied about n^2/2 = 5e9 bytes here.
    assert.ok(copied <= 8 * wire.length, `${copied} bytes copied for ${wire.length} delivered`);
  });

  it('long negotiation lists (cipher suites, supported_groups, key_share) are searched in linear time', async () => {
    const link = await linkFor({ crypto: 'real' });
    await link.client.doHandshake();
    const m = splitMessages(toUnits(drain(link.clientOut)).units[0]?.content ?? new Uint8Array(0)).msgs[0];
    const hello: Hello = parseHello(m?.body ?? new Uint8Array(0), true);
    // The real suites last, behind 12000 unknown ones, offered 8000 times: a scan of the offered list per
    // offered suite was 8000 x 12000 steps. Likewise 5000 key shares for groups listed last of 16000.
    const real = hello.suites.slice();
    hello.suites = [...Array.from({ length: 12000 }, (_, i) => 0x2000 + i), ...Array.from({ length: 8000 }, (_, i) => real[i % real.length] as number)];
    const realShare = findExt(hello, EXT.KEY_SHARE)?.data.subarray(2) ?? new Uint8Array(0);
    const fakeGroups = Array.from({ length: 5000 }, (_, i) => 0x3000 + i);
    const listed = findExt(hello, EXT.SUPPORTED_GROUPS)?.data.subarray(2) ?? new Uint8Array(0);
    const realGroups = Array.from({ length: listed.length / 2 }, (_, i) => ((listed[2 * i] as number) << 8) | (listed[2 * i + 1] as number));
    const shares = concat(...fakeGroups.map((g) => new Uint8Array([g >> 8, g & 0xff, 0, 1, 7])), realShare);
    const groups = [...Array.from({ length: 11000 }, (_, i) => 0x9000 + i), ...fakeGroups, ...realGroups];
    hello.extensions = hello.extensions.map((e) =>
      e.type === EXT.KEY_SHARE ? { type: e.type, data: vec16(shares) } : e.type === EXT.SUPPORTED_GROUPS ? { type: e.type, data: u16list(groups) } : e,
    );
    const msg = encodeHello(hello, true);
    const wire = concat(...Array.from({ length: Math.ceil(msg.length / 16384) }, (_, i) => record(CT.HANDSHAKE, msg.subarray(i * 16384, (i + 1) * 16384))));
    let r = 0;
    const scanned = await elementsScannedBy(async () => {
      link.serverIn.write(wire);
      r = await link.server.doHandshake();
    });
    assert.equal(link.server.getError(r), SSL_ERROR_WANT_READ, `${link.server.errorReason()}`);
    assert.equal(toUnits(drain(link.serverOut)).units[0]?.content[0], HT.SERVER_HELLO, 'the server answered with its ServerHello');
    assert.ok(scanned <= 16 * msg.length, `${scanned} array elements scanned for a ${msg.length}-byte ClientHello`);
  });

  for (const crypto of ['null', 'real'] as const) {
    it(`${crypto} crypto (pipelined): 4000 application-data records of 1 byte, read one by one, cost O(n)`, async () => {
      const link = await established({ crypto });
      drain(link.clientOut);
      await link.client.read(new Uint8Array(1)); // the tickets
      const n = 4000;
      let wire: Uint8Array;
      if (crypto === 'null') wire = concat(...Array.from({ length: n }, (_, i) => sealed(CT.APP, new Uint8Array([i & 0xff]))));
      else {
        for (let i = 0; i < n; i++) assert.equal(await link.server.write(new Uint8Array([i & 0xff])), 1);
        wire = drain(link.serverOut);
      }
      const buf = new Uint8Array(16);
      let got = 0;
      let bad = 0;
      const copied = await bytesCopiedBy(async () => {
        link.clientIn.write(wire);
        while (got < n) {
          const r = await link.client.read(buf);
          assert.equal(r, 1, `record ${got}: ${link.client.errorReason()}`);
          if (buf[0] !== (got & 0xff)) bad++;
          got++;
        }
      });
      assert.equal(bad, 0);
      assert.ok(copied <= 16 * wire.length, `${copied} bytes copied for ${wire.length} delivered`);
    });
  }

  it('ciphertext written to the read BIO 1 byte at a time, a read() after each byte: O(n)', async () => {
    const link = await established({ crypto: 'real' });
    await link.client.read(new Uint8Array(1));
    const data = new Uint8Array(64 * 1024).map((_, i) => (i * 31) & 0xff);
    assert.equal(await link.server.write(data), data.length);
    const wire = drain(link.serverOut);
    const buf = new Uint8Array(data.length);
    let got = 0;
    const copied = await bytesCopiedBy(async () => {
      for (let i = 0; i < wire.length; i++) {
        link.clientIn.write(wire.subarray(i, i + 1));
        const r = await link.client.read(buf.subarray(got));
        if (r > 0) got += r;
        else assert.equal(link.client.getError(r), SSL_ERROR_WANT_READ);
      }
    });
    assert.equal(got, data.length);
    assert.deepEqual(buf, data);
    assert.ok(copied <= 8 * wire.length, `${copied} bytes copied for ${wire.length} delivered`);
  });
});
