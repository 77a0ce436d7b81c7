/**
 * TLS 1.2 record protection (record/tls12.ts): the AES-GCM explicit nonce is the sequence number, ChaCha20 uses the
 * RFC 7905 nonce, the additional data carries seq || type || version || length; records are checked by opening
 * them with node:crypto. A bad tag is bad_record_mac; a plaintext over 2^14 is record_overflow.
 */
import { strict as assert } from 'node:assert';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { TLS12_SUITES } from '#internal/crypto/suites';
import { SslError } from '#internal/errors/ssl-error';
import { RecordProtector12 } from '#internal/record/tls12';
import { provider } from './helpers.js';

const suite = (name: string) => TLS12_SUITES.find((s) => s.name.includes(name)) as (typeof TLS12_SUITES)[number];
const seq8 = (n: number) => Buffer.from([0, 0, 0, 0, 0, 0, 0, n]);
const aad = (n: number, type: number, len: number) => Buffer.concat([seq8(n), Buffer.from([type, 3, 3, len >> 8, len & 0xff])]);

describe('TLS 1.2 record protection', () => {
  it('AES-128-GCM: explicit nonce = sequence number, fixed IV || explicit as nonce, AAD with the plaintext length', async () => {
    const key = randomBytes(16);
    const iv = randomBytes(4);
    const prot = await RecordProtector12.create(provider, suite('ECDSA_WITH_AES_128_GCM'), { key, iv });
    for (let n = 0; n < 3; n++) {
      const plaintext = randomBytes(100 + n);
      const rec = await prot.seal(23, plaintext);
      assert.deepEqual([...rec.subarray(0, 3)], [23, 3, 3]);
      assert.equal((rec[3] as number) * 256 + (rec[4] as number), 8 + plaintext.length + 16);
      assert.deepEqual(Buffer.from(rec.subarray(5, 13)), seq8(n));
      const d = createDecipheriv('aes-128-gcm', key, Buffer.concat([iv, seq8(n)]));
      d.setAAD(aad(n, 23, plaintext.length));
      d.setAuthTag(rec.subarray(rec.length - 16));
      assert.deepEqual(Buffer.concat([d.update(rec.subarray(13, rec.length - 16)), d.final()]), plaintext);
    }
  });

  it('ChaCha20-Poly1305: nonce = IV xor sequence number (RFC 7905), nothing explicit', async () => {
    const key = randomBytes(32);
    const iv = randomBytes(12);
    const prot = await RecordProtector12.create(provider, suite('ECDSA_WITH_CHACHA20'), { key, iv });
    for (let n = 0; n < 3; n++) {
      const plaintext = randomBytes(50);
      const rec = await prot.seal(22, plaintext);
      assert.equal(rec.length, 5 + 50 + 16);
      const nonce = Buffer.from(iv);
      nonce[11] = (nonce[11] as number) ^ n;
      const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
      d.setAAD(aad(n, 22, 50), { plaintextLength: 50 });
      d.setAuthTag(rec.subarray(rec.length - 16));
      assert.deepEqual(Buffer.concat([d.update(rec.subarray(5, rec.length - 16)), d.final()]), plaintext);
    }
  });

  it('opens what it seals, in order; a flipped bit is bad_record_mac', async () => {
    for (const name of ['AES_128_GCM', 'AES_256_GCM', 'CHACHA20']) {
      const s = suite(`ECDSA_WITH_${name}`);
      const keys = { key: randomBytes(s.keyLen), iv: randomBytes(s.ivLen) };
      const w = await RecordProtector12.create(provider, s, keys);
      const r = await RecordProtector12.create(provider, s, keys);
      const recs = await Promise.all([w.seal(23, Buffer.from('one')), w.seal(21, Buffer.from([1, 0])), w.seal(23, Buffer.from('three'))]);
      for (const rec of recs.slice(0, 2)) {
        const o = await r.open(rec.subarray(0, 5), rec.subarray(5));
        assert.equal(o.type, rec[0]);
      }
      const bad = recs[2]?.slice() as Uint8Array;
      bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
      await assert.rejects(r.open(bad.subarray(0, 5), bad.subarray(5)), (e: unknown) => e instanceof SslError && e.reason === 'DECRYPTION_FAILED_OR_BAD_RECORD_MAC' && e.alert === 20);
      // Too short for the explicit nonce and the tag: bad_record_mac as well, no exception of another kind.
      const r2 = await RecordProtector12.create(provider, s, keys);
      await assert.rejects(r2.open(Uint8Array.of(23, 3, 3, 0, 4), new Uint8Array(4)), (e: unknown) => e instanceof SslError && e.alert === 20);
    }
  });

  it('a plaintext over 2^14 bytes inside an authentic record is record_overflow', async () => {
    const key = randomBytes(16);
    const iv = randomBytes(4);
    const r = await RecordProtector12.create(provider, suite('ECDSA_WITH_AES_128_GCM'), { key, iv });
    const plaintext = randomBytes(2 ** 14 + 1);
    const c = createCipheriv('aes-128-gcm', key, Buffer.concat([iv, seq8(0)]));
    c.setAAD(aad(0, 23, plaintext.length));
    const body = Buffer.concat([seq8(0), c.update(plaintext), c.final(), c.getAuthTag()]);
    const header = Uint8Array.of(23, 3, 3, body.length >> 8, body.length & 0xff);
    await assert.rejects(r.open(header, body), (e: unknown) => e instanceof SslError && e.reason === 'DATA_LENGTH_TOO_LONG' && e.alert === 22);
    assert.throws(() => r.seal(23, plaintext), RangeError);
  });
});
