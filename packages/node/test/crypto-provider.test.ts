/**
 * The node:crypto provider, checked against the WebCrypto provider of @memtls/core (itself checked against
 * Wycheproof in test/vectors): the same inputs give the same outputs, key shares agree across the two, and bad
 * peer input resolves to null rather than throwing.
 */
import { strict as assert } from 'node:assert';
import { createHook } from 'node:async_hooks';
import { sign as cryptoSign, generateKeyPairSync, webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type AeadName, createWebCryptoProvider, type GroupName, type HashName } from '@memtls/core';
import { createNodeCryptoProvider } from '@memtls/node';

const node = createNodeCryptoProvider();
const web = createWebCryptoProvider(webcrypto as unknown as Crypto);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Types of the async resources (node:crypto jobs among them) created while `f` runs. */
async function asyncResources(f: () => Promise<unknown>): Promise<string[]> {
  const types: string[] = [];
  const hook = createHook({
    init(_id, type) {
      types.push(type);
    },
  }).enable();
  try {
    await f();
  } finally {
    hook.disable();
  }
  return types;
}

describe('node:crypto provider', () => {
  it("TLS 1.2 ECDSA (ecdsa_sha256/384/512): any hash on the key's own curve, across both providers", async () => {
    const data = node.randomBytes(200);
    for (const [type, namedCurve] of [['ec-p256', 'P-256'], ['ec-p384', 'P-384']] as const) {
      const pair = generateKeyPairSync('ec', { namedCurve });
      const pkcs8 = new Uint8Array(pair.privateKey.export({ type: 'pkcs8', format: 'der' }));
      const spki = new Uint8Array(pair.publicKey.export({ type: 'spki', format: 'der' }));
      for (const scheme of ['ecdsa_sha256', 'ecdsa_sha384', 'ecdsa_sha512'] as const) {
        const byNode = await (await node.importSigningKey(type, pkcs8)).sign(scheme, data);
        const byWeb = await (await web.importSigningKey(type, pkcs8)).sign(scheme, data);
        assert.equal(await web.verify(scheme, spki, data, byNode), true, `${type} ${scheme} node → web`);
        assert.equal(await node.verify(scheme, spki, data, byWeb), true, `${type} ${scheme} web → node`);
      }
    }
    // The curve stays bound for TLS 1.3 names: a P-384 key's SHA-256 signature is not ecdsa_secp256r1_sha256.
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const sig = await (await node.importSigningKey('ec-p384', new Uint8Array(p384.privateKey.export({ type: 'pkcs8', format: 'der' })))).sign('ecdsa_sha256', data);
    assert.equal(await node.verify('ecdsa_secp256r1_sha256', new Uint8Array(p384.publicKey.export({ type: 'spki', format: 'der' })), data, sig), false);
    // A curve TLS does not use (secp256k1) is refused.
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    const k1sig = new Uint8Array(cryptoSign('sha256', data, { key: k1.privateKey, dsaEncoding: 'der' }));
    assert.equal(await node.verify('ecdsa_sha256', new Uint8Array(k1.publicKey.export({ type: 'spki', format: 'der' })), data, k1sig), false);
  });

  it('hash, HMAC and HKDF give what the WebCrypto provider gives', async () => {
    const data = node.randomBytes(1000);
    const key = node.randomBytes(48);
    for (const h of ['SHA-256', 'SHA-384', 'SHA-512'] as HashName[]) {
      assert.equal(hex(await node.hash(h, data)), hex(await web.hash(h, data)), h);
      assert.equal(hex(await node.hmac(h, key, data)), hex(await web.hmac(h, key, data)), h);
      const prk = await node.hkdfExtract(h, key, data);
      assert.equal(hex(prk), hex(await web.hkdfExtract(h, key, data)), h);
      assert.equal(hex(await node.hkdfExpand(h, prk, data.subarray(0, 40), 77)), hex(await web.hkdfExpand(h, prk, data.subarray(0, 40), 77)), h);
    }
  });

  it('AES-GCM seals as WebCrypto does; a flipped bit or a short input opens to null', async () => {
    for (const [name, len] of [['AES-128-GCM', 16], ['AES-256-GCM', 32]] as [AeadName, number][]) {
      const k = node.randomBytes(len);
      const a = await node.importAeadKey(name, k);
      const b = await web.importAeadKey(name, k);
      const nonce = node.randomBytes(12);
      const aad = node.randomBytes(5);
      const pt = node.randomBytes(300);
      const ct = await a.seal(nonce, aad, pt);
      assert.equal(hex(ct), hex(await b.seal(nonce, aad, pt)), name);
      assert.equal(hex((await b.open(nonce, aad, ct)) as Uint8Array), hex(pt));
      for (const i of [0, 150, ct.length - 1]) {
        const bad = ct.slice();
        bad[i] = (bad[i] as number) ^ 1;
        assert.equal(await a.open(nonce, aad, bad), null, `${name} bit flipped at ${i}`);
      }
      assert.equal(await a.open(nonce, aad, ct.subarray(0, 15)), null);
    }
  });

  it('ChaCha20-Poly1305 (not in WebCrypto) reproduces RFC 8439 §2.8.2', async () => {
    assert.equal(node.supportsAead('CHACHA20-POLY1305'), true);
    const key = Buffer.from('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f', 'hex');
    const nonce = Buffer.from('070000004041424344454647', 'hex');
    const aad = Buffer.from('50515253c0c1c2c3c4c5c6c7', 'hex');
    const pt = Buffer.from("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.");
    const k = await node.importAeadKey('CHACHA20-POLY1305', key);
    const ct = await k.seal(nonce, aad, pt);
    assert.equal(hex(ct.subarray(0, 16)), 'd31a8d34648e60db7b86afbc53ef7ec2');
    assert.equal(hex(ct.subarray(ct.length - 16)), '1ae10b594f09e26a7e902ecbd0600691');
    assert.equal(Buffer.from((await k.open(nonce, aad, ct)) as Uint8Array).toString(), pt.toString());
  });

  it('ChaCha20-Poly1305: the Wycheproof vectors with 96-bit nonces, as the WebCrypto provider checks them', async () => {
    // The core's copy of Wycheproof (source and licence in its README); the WebCrypto provider runs the same file.
    const file = new URL('../../../core/test/fixtures/wycheproof/chacha20_poly1305_test.json', import.meta.url);
    interface Vector { tcId: number; key: string; iv: string; aad: string; msg: string; ct: string; tag: string; result: string }
    const data = JSON.parse(readFileSync(file, 'utf8')) as { testGroups: { ivSize: number; tests: Vector[] }[] };
    const failures: string[] = [];
    let checked = 0;
    for (const t of data.testGroups.filter((g) => g.ivSize === 96).flatMap((g) => g.tests)) {
      const k = await node.importAeadKey('CHACHA20-POLY1305', Buffer.from(t.key, 'hex'));
      const [iv, aad, msg] = [Buffer.from(t.iv, 'hex'), Buffer.from(t.aad, 'hex'), Buffer.from(t.msg, 'hex')];
      const sealed = Buffer.from(t.ct + t.tag, 'hex');
      const opened = await k.open(iv, aad, sealed);
      const ok = t.result === 'invalid' ? opened === null : opened !== null && hex(opened) === t.msg && hex(await k.seal(iv, aad, msg)) === t.ct + t.tag;
      checked++;
      if (!ok) failures.push(`tcId ${t.tcId} (${t.result})`);
    }
    assert.equal(checked, 316);
    assert.deepEqual(failures, []);
  });

  for (const group of ['x25519', 'secp256r1', 'secp384r1'] as GroupName[]) {
    it(`${group}: key shares agree with WebCrypto's both ways`, async () => {
      for (let i = 0; i < 5; i++) {
        const a = await node.generateKeyShare(group);
        const b = await web.generateKeyShare(group);
        const ab = await a.deriveSecret(b.publicKey);
        const ba = await b.deriveSecret(a.publicKey);
        assert.ok(ab && ba);
        assert.equal(hex(ab), hex(ba));
      }
    });
  }

  for (const group of ['X25519MLKEM768', 'SecP256r1MLKEM768'] as GroupName[]) {
    it(`${group}: node:crypto and WebCrypto encapsulate to each other's keys and agree`, async () => {
      for (const [client, server] of [[node, web], [web, node]] as const) {
        const share = await client.generateKeyShare(group);
        const answer = await (server.encapsulate as NonNullable<typeof server.encapsulate>)(group, share.publicKey);
        assert.ok(answer);
        const secret = await share.deriveSecret(answer.publicKey);
        assert.ok(secret);
        assert.equal(secret.length, 64);
        assert.equal(hex(secret), hex(answer.secret));
      }
    });
  }

  it('x25519: fresh keys each time; small-order and wrong-length peer keys give null', async () => {
    const a = await node.generateKeyShare('x25519');
    const b = await node.generateKeyShare('x25519');
    assert.notEqual(hex(a.publicKey), hex(b.publicKey));
    const u = (n: number): Uint8Array => {
      const p = new Uint8Array(32);
      p[0] = n;
      return p;
    };
    for (const bad of [u(0), u(1), new Uint8Array(31), new Uint8Array(33)]) assert.equal(await a.deriveSecret(bad), null, hex(bad));
  });

  it('x25519 key shares create no key-generation job (Node 20 deadlocks when a GC collects one during export)', async () => {
    // generateKeyPairSync leaves a KEYPAIRGENREQUEST job whose destructor takes the key's mutex; collected by a
    // GC inside KeyObject.export (which holds that mutex) it hung `pnpm bench` about one run in seven.
    const types = await asyncResources(async () => {
      for (let i = 0; i < 20; i++) await node.generateKeyShare('x25519');
    });
    assert.deepEqual(types.filter((t) => t === 'KEYPAIRGENREQUEST'), []);
    // The probe itself can see such jobs.
    const { generateKeyPairSync } = await import('node:crypto');
    const seen = await asyncResources(async () => generateKeyPairSync('x25519'));
    assert.ok(seen.includes('KEYPAIRGENREQUEST'), `the probe saw ${JSON.stringify(seen)}`);
  });
});
