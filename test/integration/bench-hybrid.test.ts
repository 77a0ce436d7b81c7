/**
 * The X25519MLKEM768 rows of `pnpm bench` (untimed, one short round): memtls with both providers and Node 26's tls
 * (child process) each negotiate TLSv1.3 with x25519 and with X25519MLKEM768 (checked before anything is counted),
 * complete handshakes with each, and the hybrid handshake carries the ML-KEM shares (over 1 KiB more each way).
 */
import { strict as assert } from 'node:assert';
import { benchPki } from '../bench/contenders.js';
import { benchHybrid } from '../bench/hybrid.js';

describe('bench: the X25519MLKEM768 rows', function () {
  this.timeout(120_000);

  it('memtls (node:crypto, WebCrypto) and Node 26 tls: both groups negotiated and handshaking', async () => {
    const { rows, node26OpenSsl } = await benchHybrid(benchPki(), 1, 0.05, () => undefined, 0);
    assert.match(node26OpenSsl, /^3\.[5-9]/);
    assert.deepEqual(
      rows.map((r) => r.name),
      ['memtls (node:crypto)', 'memtls (native WebCrypto)', 'node 26 tls (OpenSSL 3.5)'],
    );
    for (const r of rows) {
      assert.ok(r.handshakesPerSec.x25519.median > 0 && r.handshakesPerSec.X25519MLKEM768.median > 0, r.name);
      // The client share grows by the encapsulation key (1184 B), the server share by the ciphertext (1088 B); less
      // a little for Node's x25519 ClientHello, which OpenSSL pads (RFC 7685) and the larger hybrid one does not need.
      assert.ok(r.handshakeWire.X25519MLKEM768.clientToServer - r.handshakeWire.x25519.clientToServer >= 1100, `${r.name} client bytes`);
      assert.ok(r.handshakeWire.X25519MLKEM768.serverToClient - r.handshakeWire.x25519.serverToClient >= 1050, `${r.name} server bytes`);
    }
  });
});
