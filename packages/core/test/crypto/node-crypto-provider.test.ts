/**
 * The node:crypto provider's own additions in the core (issue 16): the synchronous AEAD methods give the bytes the
 * asynchronous ones give, and the bounded memory of verified signatures never lets a bad signature pass.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { createNodeCryptoProvider } from '@memtls/core/node-crypto';

describe('crypto/node-crypto-provider: synchronous AEAD and the verified-signature memory', () => {
  it('sealSync/openSync/sealRecordSync agree with seal/open/sealRecord, and a bad tag opens to null', async () => {
    const p = createNodeCryptoProvider();
    for (const name of ['AES-128-GCM', 'AES-256-GCM', 'CHACHA20-POLY1305'] as const) {
      const key = await p.importAeadKey(name, new Uint8Array(name === 'AES-128-GCM' ? 16 : 32).fill(9));
      const nonce = new Uint8Array(12).fill(1);
      const aad = Uint8Array.of(23, 3, 3, 0, 20);
      const pt = new Uint8Array(100).fill(5);
      const ct = key.sealSync?.(nonce, aad, pt) as Uint8Array;
      assert.deepEqual(ct, await key.seal(nonce, aad, pt));
      assert.deepEqual(key.openSync?.(nonce, aad, ct), pt);
      ct[0] = (ct[0] as number) ^ 1;
      assert.equal(key.openSync?.(nonce, aad, ct), null);
      const header = Uint8Array.of(23, 3, 3, 0, 100 + 1 + 3 + 16);
      const rec = key.sealRecordSync?.(nonce, header, pt, 22, 3) as Uint8Array;
      assert.deepEqual(rec, await key.sealRecord?.(nonce, header, pt, 22, 3));
      const inner = await key.open(nonce, header, rec.subarray(5));
      assert.deepEqual(inner, Uint8Array.from([...pt, 22, 0, 0, 0]));
    }
  });

  it('a signature verified once verifies again; a different signature, data or key never passes through the memory', async () => {
    const p = createNodeCryptoProvider();
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
    const otherSpki = new Uint8Array(other.export({ format: 'der', type: 'spki' }));
    const data = new Uint8Array(300).fill(4);
    const sig = new Uint8Array(sign('sha256', data, { key: privateKey, dsaEncoding: 'der' }));
    for (let i = 0; i < 3; i++) assert.equal(await p.verify('ecdsa_secp256r1_sha256', spki, data, sig), true);
    const bad = sig.slice();
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
    assert.equal(await p.verify('ecdsa_secp256r1_sha256', spki, data, bad), false);
    const data2 = data.slice();
    data2[0] = 5;
    assert.equal(await p.verify('ecdsa_secp256r1_sha256', spki, data2, sig), false);
    assert.equal(await p.verify('ecdsa_secp256r1_sha256', otherSpki, data, sig), false);
    assert.equal(await p.verify('ecdsa_secp384r1_sha384', spki, data, sig), false);
    // More successes than the memory holds: the first is evicted and verified afresh, still true.
    for (let i = 0; i < 80; i++) {
      const d = new Uint8Array(8).fill(i);
      assert.equal(await p.verify('ecdsa_secp256r1_sha256', spki, d, new Uint8Array(sign('sha256', d, { key: privateKey, dsaEncoding: 'der' }))), true);
    }
    assert.equal(await p.verify('ecdsa_secp256r1_sha256', spki, data, sig), true);
    assert.equal(await p.verify('ecdsa_secp256r1_sha256', spki, data, bad), false);
  });
});
