/**
 * TLS 1.3 record protection (record/tls13.ts): a record that does not open is skipped without taking a
 * sequence number (RFC 8446 §4.2.10: a server skips rejected early data), so the next authentic record still
 * opens under the expected nonce. The AEAD binds key and nonce, so a consumed number would make it fail.
 */
import { strict as assert } from 'node:assert';
import { suiteByName } from '#internal/crypto/suites';
import { createWebCryptoProvider } from '#internal/crypto/webcrypto';
import { RecordProtector13 } from '#internal/record/tls13';

/** Pseudo-random bytes (deterministic), standing for early data protected under a key the server lacks. */
function garbage(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed * 2654435761;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

const HANDSHAKE = 22;

describe('record protection: skipped records', () => {
  it('a skipped record takes no sequence number (AEAD: key and nonce bound)', async () => {
    const p = createWebCryptoProvider(globalThis.crypto);
    const suite = suiteByName('TLS_AES_128_GCM_SHA256');
    assert.ok(suite);
    const keys = { key: new Uint8Array(16).fill(1), iv: new Uint8Array(12).fill(2) };
    const writer = await RecordProtector13.create(p, suite, keys);
    const reader = await RecordProtector13.create(p, suite, keys);
    const rec = await writer.seal(HANDSHAKE, new Uint8Array([1, 2, 3]));
    assert.equal(await reader.openIfAuthentic(new Uint8Array([23, 3, 3, 0, 100]), garbage(100, 4)), null);
    assert.equal(reader.sequence, 0);
    const opened = await reader.openIfAuthentic(rec.subarray(0, 5), rec.subarray(5));
    assert.deepEqual(opened && { type: opened.type, content: [...opened.content] }, { type: HANDSHAKE, content: [1, 2, 3] });
    assert.equal(reader.sequence, 1);
  });
});
