/**
 * The TLS 1.2 key schedule (keys/tls12-key-schedule.ts): the PRF against the published P_SHA256 / P_SHA384 vectors
 * (IETF TLS WG mailing list, https://www.ietf.org/mail-archive/web/tls/current/msg03416.html; the same vectors are
 * in BearSSL's test_crypto.c), and every derivation cross-checked against an independent P_hash written here over
 * node:crypto's HMAC.
 */
import { strict as assert } from 'node:assert';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { HashName } from '#internal/crypto/provider';
import { createWebCryptoProvider } from '#internal/crypto/webcrypto';
import { exporter12, exporter12Sync, extendedMasterSecret, finishedVerifyData12, keyBlock12, masterSecret, prf12 } from '#internal/keys/tls12-key-schedule';
import { fromHex, toHex } from '#internal/wire/bytes';

const p = createWebCryptoProvider(globalThis.crypto);
const nodeHash = (h: HashName) => h.replace('-', '').toLowerCase();

/** RFC 5246 §5 P_hash, independently, over node:crypto. */
function pHash(hash: HashName, secret: Uint8Array, label: string, seed: Uint8Array, n: number): Uint8Array {
  const ls = Buffer.concat([Buffer.from(label, 'latin1'), seed]);
  const out: Buffer[] = [];
  let a: Buffer = ls;
  let have = 0;
  while (have < n) {
    a = createHmac(nodeHash(hash), secret).update(a).digest();
    const block = createHmac(nodeHash(hash), secret).update(Buffer.concat([a, ls])).digest();
    out.push(block);
    have += block.length;
  }
  return new Uint8Array(Buffer.concat(out).subarray(0, n));
}

describe('TLS 1.2 key schedule', () => {
  it('the synchronous exporter (HMAC built on hashSync) equals the asynchronous one, keys longer than a block included', async () => {
    const sync = { ...p, hashSync: (name: HashName, data: Uint8Array) => new Uint8Array(createHash(nodeHash(name)).update(data).digest()) };
    assert.equal(exporter12Sync(p, 'SHA-256', randomBytes(48), randomBytes(32), randomBytes(32), 'x', null, 10), null, 'null without hashSync');
    for (const hash of ['SHA-256', 'SHA-384'] as const) {
      for (const keyLen of [1, 48, 64, 128, 129, 300]) {
        const [ms, cr, sr] = [randomBytes(keyLen), randomBytes(32), randomBytes(32)];
        for (const ctx of [null, randomBytes(5)]) {
          assert.deepEqual(exporter12Sync(sync, hash, ms, cr, sr, 'EXPORTER-y', ctx, 150), await exporter12(p, hash, ms, cr, sr, 'EXPORTER-y', ctx, 150));
        }
      }
    }
  });

  it('PRF P_SHA256: the published vector (100 bytes)', async () => {
    const out = await prf12(p, 'SHA-256', fromHex('9bbe436ba940f017b17652849a71db35'), 'test label', fromHex('a0ba9f936cda311827a6f796ffd5198c'), 100);
    assert.equal(
      toHex(out),
      'e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66',
    );
  });

  it('PRF P_SHA384: the published vector (148 bytes)', async () => {
    const out = await prf12(p, 'SHA-384', fromHex('b80b733d6ceefcdc71566ea48e5567df'), 'test label', fromHex('cd665cf6a8447dd6ff8b27555edb7465'), 148);
    assert.equal(
      toHex(out),
      '7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d9184259b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee691c8f3a26854308d5eaa3be85e0990703d73e56f',
    );
  });

  for (const hash of ['SHA-256', 'SHA-384'] as const) {
    it(`${hash}: master secret, extended master secret, key block, Finished and exporter match node:crypto`, async () => {
      for (let i = 0; i < 5; i++) {
        const pms = randomBytes(32 + i);
        const cr = randomBytes(32);
        const sr = randomBytes(32);
        const ms = await masterSecret(p, hash, pms, cr, sr);
        assert.deepEqual(ms, pHash(hash, pms, 'master secret', Buffer.concat([cr, sr]), 48));
        const sessionHash = randomBytes(hash === 'SHA-256' ? 32 : 48);
        assert.deepEqual(await extendedMasterSecret(p, hash, pms, sessionHash), pHash(hash, pms, 'extended master secret', sessionHash, 48));
        const kb = await keyBlock12(p, hash, ms, cr, sr, 16, 4);
        const ref = pHash(hash, ms, 'key expansion', Buffer.concat([sr, cr]), 40);
        assert.deepEqual([kb.clientKey, kb.serverKey, kb.clientIv, kb.serverIv], [ref.slice(0, 16), ref.slice(16, 32), ref.slice(32, 36), ref.slice(36, 40)]);
        const th = randomBytes(32);
        assert.deepEqual(await finishedVerifyData12(p, hash, ms, 'client', th), pHash(hash, ms, 'client finished', th, 12));
        assert.deepEqual(await finishedVerifyData12(p, hash, ms, 'server', th), pHash(hash, ms, 'server finished', th, 12));
        const ctx = randomBytes(i * 3);
        assert.deepEqual(await exporter12(p, hash, ms, cr, sr, 'EXPORTER-x', ctx, 42), pHash(hash, ms, 'EXPORTER-x', Buffer.concat([cr, sr, Buffer.from([0, ctx.length]), ctx]), 42));
        // RFC 5705 §4: no context (OpenSSL's use_context = 0) is another value than an empty context.
        const none = await exporter12(p, hash, ms, cr, sr, 'EXPORTER-x', null, 42);
        assert.deepEqual(none, pHash(hash, ms, 'EXPORTER-x', Buffer.concat([cr, sr]), 42));
        assert.notDeepEqual(none, await exporter12(p, hash, ms, cr, sr, 'EXPORTER-x', new Uint8Array(0), 42));
      }
    });
  }
});
