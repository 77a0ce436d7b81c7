/**
 * The TLS 1.2 rows of `pnpm bench` (untimed): both contenders, in memory and over TCP, negotiate TLSv1.2 with
 * TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 and x25519 on both ends, and the measured operations (full handshakes,
 * resumed handshakes, bulk) run and move every byte. The TLS 1.3 rows are checked the same way by the bench itself.
 */
import { strict as assert } from 'node:assert';
import { GROUP, pattern, TLS12, TLS13 } from '../bench/common.js';
import { benchPki, makeContender, TLS12_CONTENDERS } from '../bench/contenders.js';
import { tcpContenders } from '../bench/tcp.js';

describe('bench: the TLS 1.2 rows', function () {
  this.timeout(60_000);

  for (const key of TLS12_CONTENDERS) {
    it(`${key} in memory: negotiates TLSv1.2 on both ends, handshakes, resumed handshakes and bulk run`, async () => {
      const c = await makeContender(key, benchPki(), TLS12);
      const n = await c.negotiate();
      assert.deepEqual({ version: n.version, cipher: n.cipher, group: n.group }, { version: 'TLSv1.2', cipher: TLS12.suite, group: GROUP });
      assert.ok((await c.handshakes(0.05)).count > 0);
      assert.ok((await c.resumedHandshakes(0.05)).count > 0, 'TLS 1.2 abbreviated handshakes (each checked resumed on both ends)');
      assert.ok(n.resumedWire.serverToClient > 0 && n.resumedWire.serverToClient < n.handshakeWire.serverToClient, 'the resumed handshake is the short one');
      const r = await c.stream({ msg: pattern(16 * 1024), bytes: 256 * 1024 });
      assert.equal(r.bytes, 256 * 1024);
    });
  }

  it('over TCP: memtls and node tls negotiate TLSv1.2 (both ends checked), handshakes and bulk run', async () => {
    const tcp = tcpContenders(benchPki(), TLS12);
    for (const c of [tcp.memtls, tcp.node]) {
      await c.start();
      try {
        const n = await c.negotiate();
        assert.deepEqual(n, { version: 'TLSv1.2', cipher: TLS12.suite, group: GROUP }, c.name);
        assert.ok((await c.handshakes(0.05)).count > 0);
        assert.equal((await c.bulk(pattern(16 * 1024), 256 * 1024)).bytes, 256 * 1024);
      } finally {
        await c.stop();
      }
    }
  });

  it('the TLS 1.3 profile is unchanged: memtls in memory negotiates TLSv1.3', async () => {
    const c = await makeContender('memtls-nodecrypto', benchPki(), TLS13);
    assert.equal((await c.negotiate()).version, 'TLSv1.3');
  });
});
