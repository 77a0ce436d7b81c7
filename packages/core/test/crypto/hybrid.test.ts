import { strict as assert } from 'node:assert';
import { inspect } from 'node:util';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { type HybridParts, hybridEncapsulate, hybridKeyShare, isHybridGroup } from '#internal/crypto/hybrid';
import { createWebCryptoProvider, importKeyShare } from '#internal/crypto/webcrypto';
import { concat, fromHex, toHex } from '#internal/wire/bytes';

/** RFC 7748 §6.1: Alice's and Bob's X25519 private keys and their shared secret. */
const ALICE = '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a';
const BOB = '5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb';
const ALICE_BOB = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';

/** Parts whose randomness is a counter (so a test knows every seed) and whose x25519 key is a fixed one. */
function fixedParts(x25519Private: string, log: number[] = []): HybridParts {
  let n = 0;
  const web = createWebCryptoProvider(globalThis.crypto);
  return {
    randomBytes(length) {
      log.push(length);
      return new Uint8Array(length).map(() => (n++ * 37 + 11) & 0xff);
    },
    generateKeyShare: (g) => (g === 'x25519' ? importKeyShare(globalThis.crypto, 'x25519', fromHex(x25519Private)) : web.generateKeyShare(g)),
  };
}

describe('hybrid ML-KEM groups (draft-ietf-tls-ecdhe-mlkem)', () => {
  it('isHybridGroup names the two hybrid groups only (own names, not inherited ones)', () => {
    assert.equal(isHybridGroup('X25519MLKEM768'), true);
    assert.equal(isHybridGroup('SecP256r1MLKEM768'), true);
    for (const g of ['x25519', 'secp256r1', 'x25519mlkem768', 'toString', '__proto__']) assert.equal(isHybridGroup(g), false, g);
  });

  it('X25519MLKEM768: shares are ek || x25519 (1216) and ct || x25519 (1120); the secret is ML-KEM ss || X25519 ss', async () => {
    const seeds: number[] = [];
    const client = await hybridKeyShare('X25519MLKEM768', fixedParts(ALICE, seeds));
    assert.equal(client.publicKey.length, 1184 + 32);
    // The key generation seed is the provider's: the first 64 random bytes (d || z, FIPS 203 Algorithm 19).
    const seed = new Uint8Array(64).map((_, i) => (i * 37 + 11) & 0xff);
    const { publicKey: ek, secretKey: dk } = ml_kem768.keygen(seed);
    assert.equal(toHex(client.publicKey.subarray(0, 1184)), toHex(ek));
    assert.deepEqual(seeds, [64]);

    const server = await hybridEncapsulate('X25519MLKEM768', client.publicKey, fixedParts(BOB, seeds));
    assert.ok(server);
    assert.equal(server.publicKey.length, 1088 + 32);
    assert.deepEqual(seeds, [64, 32], 'encapsulation takes its 32-byte message from the provider');
    const kem = ml_kem768.decapsulate(server.publicKey.subarray(0, 1088), dk);
    assert.equal(toHex(server.secret), toHex(kem) + ALICE_BOB);
    const clientSecret = await client.deriveSecret(server.publicKey);
    assert.ok(clientSecret);
    assert.equal(toHex(clientSecret), toHex(server.secret));
  });

  it('SecP256r1MLKEM768: the ECDH part comes first in shares (65 + 1184, 65 + 1088) and in the secret', async () => {
    const client = await hybridKeyShare('SecP256r1MLKEM768', fixedParts(ALICE));
    assert.equal(client.publicKey.length, 65 + 1184);
    assert.equal(client.publicKey[0], 0x04);
    const seed = new Uint8Array(64).map((_, i) => (i * 37 + 11) & 0xff);
    const { publicKey: ek, secretKey: dk } = ml_kem768.keygen(seed);
    assert.equal(toHex(client.publicKey.subarray(65)), toHex(ek));
    const server = await hybridEncapsulate('SecP256r1MLKEM768', client.publicKey, fixedParts(BOB));
    assert.ok(server);
    assert.equal(server.publicKey.length, 65 + 1088);
    assert.equal(server.publicKey[0], 0x04);
    const kem = ml_kem768.decapsulate(server.publicKey.subarray(65), dk);
    assert.equal(toHex(server.secret.subarray(32)), toHex(kem));
    assert.equal(toHex((await client.deriveSecret(server.publicKey)) as Uint8Array), toHex(server.secret));
  });

  it('a client share of the wrong length, or whose encapsulation key fails the FIPS 203 modulus check, is refused', async () => {
    const web = createWebCryptoProvider(globalThis.crypto);
    const parts: HybridParts = { randomBytes: web.randomBytes, generateKeyShare: (g) => web.generateKeyShare(g) };
    const client = await hybridKeyShare('X25519MLKEM768', parts);
    const good = client.publicKey;
    for (const bad of [good.subarray(0, 1215), concat(good, Uint8Array.of(0)), good.subarray(0, 32), new Uint8Array(0)]) {
      assert.equal(await hybridEncapsulate('X25519MLKEM768', bad, parts), null, `length ${bad.length}`);
    }
    // Every 12-bit coefficient of the encapsulation key must be < q = 3329: set the first to 4095.
    const overQ = good.slice();
    overQ[0] = 0xff;
    overQ[1] = (overQ[1] as number) | 0x0f;
    assert.equal(await hybridEncapsulate('X25519MLKEM768', overQ, parts), null);
    // ... anywhere in the key: the last coefficient of the last polynomial (bytes 1150..1151 hold its 12 bits).
    const lastOverQ = good.slice();
    lastOverQ[1150] = (lastOverQ[1150] as number) | 0xf0;
    lastOverQ[1151] = 0xff;
    assert.equal(await hybridEncapsulate('X25519MLKEM768', lastOverQ, parts), null);
    // A small-order X25519 half (all-zero shared secret) is refused as in RFC 8446 §7.4.2.
    const zeroX = concat(good.subarray(0, 1184), new Uint8Array(32));
    assert.equal(await hybridEncapsulate('X25519MLKEM768', zeroX, parts), null);
    assert.ok(await hybridEncapsulate('X25519MLKEM768', good, parts), 'the untouched share still works');
  });

  it('a server share (ciphertext) of the wrong length is refused by the client', async () => {
    const web = createWebCryptoProvider(globalThis.crypto);
    const parts: HybridParts = { randomBytes: web.randomBytes, generateKeyShare: (g) => web.generateKeyShare(g) };
    const client = await hybridKeyShare('X25519MLKEM768', parts);
    const server = await hybridEncapsulate('X25519MLKEM768', client.publicKey, parts);
    assert.ok(server);
    for (const bad of [server.publicKey.subarray(1), concat(server.publicKey, Uint8Array.of(1)), server.publicKey.subarray(0, 1088)]) {
      assert.equal(await client.deriveSecret(bad), null, `length ${bad.length}`);
    }
    // A ciphertext of the right length that was tampered with decapsulates (implicit rejection) to another secret.
    const tampered = server.publicKey.slice();
    tampered[5] = (tampered[5] as number) ^ 1;
    const other = await client.deriveSecret(tampered);
    assert.ok(other);
    assert.notEqual(toHex(other), toHex(server.secret));
  });

  it('the key share exposes no secret to inspect or JSON', async () => {
    const web = createWebCryptoProvider(globalThis.crypto);
    const share = await web.generateKeyShare('X25519MLKEM768');
    assert.deepEqual(Object.keys(share).sort(), ['deriveSecret', 'group', 'publicKey']);
    assert.ok(inspect(share, { depth: 5 }).length < 20_000);
    assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(share))).sort(), ['group', 'publicKey']);
  });

  it('rejects a non-hybrid group with TypeError (programmer error)', async () => {
    const web = createWebCryptoProvider(globalThis.crypto);
    const parts: HybridParts = { randomBytes: web.randomBytes, generateKeyShare: (g) => web.generateKeyShare(g) };
    await assert.rejects(hybridKeyShare('x25519' as 'X25519MLKEM768', parts), TypeError);
    await assert.rejects((web.encapsulate as NonNullable<typeof web.encapsulate>)('x25519', new Uint8Array(32)), TypeError);
  });
});
