/**
 * @memtls/crypto-null: the test-only provider with no security. It must be impossible to create without
 * MEMTLS_INSECURE_TEST_CRYPTO=1, run a whole connection (handshake, data, close) on both sides, keep real
 * hashes / HMAC / HKDF (so the key schedule is exercised), verify exactly its own signatures, agree on key
 * exchange, and let a test open, change and re-seal records.
 */
process.env.MEMTLS_INSECURE_TEST_CRYPTO = '1';

import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { SSL_RECEIVED_SHUTDOWN, SSL_SENT_SHUTDOWN, SslContext } from '@memtls/core';
import { createNullProvider, INSECURE_ENV, NULL_SIGNATURE_PREFIX, nullOpen, nullOpenRecord, nullSeal, nullSealRecord, nullSignature } from '@memtls/crypto-null';
import { CT } from '@memtls/fast-check';
import { closeBoth, handshake, pair } from '../util/pair.js';
import { testPki } from '../util/pki.js';
import { drain, established } from './helpers.js';

describe('robustness: @memtls/crypto-null (test-only provider)', function () {
  this.timeout(60000);

  it(`refuses to exist unless ${INSECURE_ENV}=1`, () => {
    const saved = process.env[INSECURE_ENV];
    try {
      for (const v of [undefined, '', '0', 'true', 'yes', ' 1']) {
        if (v === undefined) delete process.env[INSECURE_ENV];
        else process.env[INSECURE_ENV] = v;
        assert.throws(() => createNullProvider(), /NO SECURITY/, `value ${JSON.stringify(v)}`);
      }
    } finally {
      process.env[INSECURE_ENV] = saved;
    }
    assert.ok(createNullProvider());
  });

  const modes = [
    { strictAead: false, synchronous: false, sealRecord: false },
    { strictAead: true, synchronous: false, sealRecord: false },
    { strictAead: true, synchronous: true, sealRecord: true },
  ];
  for (const mode of modes) {
    const label = [mode.strictAead && 'strict AEAD (key and nonce bound)', mode.synchronous && 'synchronous', mode.sealRecord && 'sealRecord fast path'].filter(Boolean).join(', ');
    for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']) {
      it(`a whole connection on both sides through SslContext({ crypto }): ${suite}${label ? `, ${label}` : ''}`, async () => {
        const pki = testPki();
        const sctx = new SslContext({ role: 'server', cert: pki.leaves['ec-p256'].cert, key: pki.leaves['ec-p256'].key, crypto: createNullProvider({ seed: 1, ...mode }), cipherSuites: [suite] });
        const cctx = new SslContext({ role: 'client', verifyPeer: false, crypto: createNullProvider({ seed: 2, ...mode }), cipherSuites: [suite] });
        const p = pair(cctx, sctx, { serverName: 'localhost' }, 1 << 17, 1 << 17);
        await handshake(p);
        assert.equal(p.client.cipher(), suite);
        const msg = new Uint8Array(40000).map((_, i) => i & 0xff);
        assert.equal(await p.client.write(msg), msg.length);
        const got: number[] = [];
        const buf = new Uint8Array(20000);
        while (got.length < msg.length) {
          const r = await p.server.read(buf);
          assert.ok(r > 0, `server read: ${p.server.errorReason()}`);
          got.push(...buf.subarray(0, r));
        }
        assert.deepEqual(Uint8Array.from(got), msg);
        assert.equal(p.client.keyUpdate(true), 1);
        assert.equal(await p.client.write(new Uint8Array([1, 2, 3])), 3);
        assert.equal(await p.server.read(buf), 3);
        assert.equal(await p.server.write(new Uint8Array([9])), 1); // carries the requested KeyUpdate reply
        assert.equal(await p.client.read(buf), 1);
        await closeBoth(p);
        assert.equal(p.client.getShutdown(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
        assert.ok(p.client.getSession(), 'tickets arrived and make a resumable session');
      });
    }
  }

  it('resumption with the null provider (PSK binders use the real HMAC)', async () => {
    const pki = testPki();
    const sctx = new SslContext({ role: 'server', cert: pki.leaves['ec-p256'].cert, key: pki.leaves['ec-p256'].key, crypto: createNullProvider({ seed: 3 }) });
    const cctx = new SslContext({ role: 'client', verifyPeer: false, crypto: createNullProvider({ seed: 4 }) });
    const p1 = pair(cctx, sctx);
    await handshake(p1);
    await closeBoth(p1);
    const session = p1.client.getSession();
    assert.ok(session);
    const p2 = pair(cctx, sctx, { serverName: 'localhost', session });
    await handshake(p2);
    assert.equal(p2.client.sessionReused(), true);
    assert.equal(p2.server.sessionReused(), true);
  });

  it('client certificates with the null provider (chain accepted by a verify callback)', async () => {
    const pki = testPki();
    const sctx = new SslContext({ role: 'server', cert: pki.leaves['ec-p256'].cert, key: pki.leaves['ec-p256'].key, crypto: createNullProvider({ seed: 5 }), verifyPeer: true, ca: pki.caCert, verifyCallback: () => true });
    const cctx = new SslContext({ role: 'client', verifyPeer: false, cert: pki.client.cert, key: pki.client.key, crypto: createNullProvider({ seed: 6 }) });
    const p = pair(cctx, sctx);
    await handshake(p);
    assert.equal(p.server.peerCertificates().length, 1);
  });

  it('records are plaintext || checksum: opened, changed and re-sealed without knowing the key', async () => {
    const link = await established({ crypto: 'null' });
    assert.equal(await link.client.write(new TextEncoder().encode('hello')), 5);
    const rec = drain(link.clientOut);
    const opened = nullOpenRecord(rec);
    assert.deepEqual(opened && { type: opened.type, text: new TextDecoder().decode(opened.content) }, { type: CT.APP, text: 'hello' });
    const tampered = rec.slice();
    tampered[7] = (tampered[7] as number) ^ 0x20;
    assert.equal(nullOpenRecord(tampered), null, 'a changed byte breaks the checksum');
    // A forged record, sealed without the key or the sequence number, is accepted by the peer.
    link.serverIn.write(nullSealRecord(CT.APP, new TextEncoder().encode('HELLO')));
    const buf = new Uint8Array(10);
    assert.equal(await link.server.read(buf), 5);
    assert.equal(new TextDecoder().decode(buf.subarray(0, 5)), 'HELLO');
    // ... and the tampered one is refused with bad_record_mac.
    link.serverIn.write(tampered);
    const r = await link.server.read(buf);
    assert.equal(link.server.errorReason(), 'decryption failed or bad record mac', `${r}`);
    assert.equal(link.server.lastErrorDetail()?.alert, 20);
  });

  it('nullSeal / nullOpen: the checksum covers AAD and plaintext', () => {
    const aad = new Uint8Array([23, 3, 3, 0, 21]);
    const ct = nullSeal(aad, new Uint8Array([1, 2, 3, 4, 5]));
    assert.deepEqual(ct.subarray(0, 5), new Uint8Array([1, 2, 3, 4, 5]));
    assert.deepEqual(nullOpen(aad, ct), new Uint8Array([1, 2, 3, 4, 5]));
    assert.equal(nullOpen(new Uint8Array([23, 3, 3, 0, 22]), ct), null);
    assert.equal(nullOpen(aad, ct.subarray(0, 15)), null);
    const padded = nullSealRecord(CT.HANDSHAKE, new Uint8Array([9]), 10);
    assert.deepEqual(nullOpenRecord(padded), { type: CT.HANDSHAKE, content: new Uint8Array([9]) });
  });

  it('strict AEAD: a record opens only under the key and nonce it was sealed with', async () => {
    const p = createNullProvider({ strictAead: true });
    const k1 = await p.importAeadKey('AES-128-GCM', new Uint8Array(16).fill(1));
    const k2 = await p.importAeadKey('AES-128-GCM', new Uint8Array(16).fill(2));
    const nonce = new Uint8Array(12);
    const ct = await k1.seal(nonce, new Uint8Array(5), new Uint8Array([7]));
    assert.deepEqual(await k1.open(nonce, new Uint8Array(5), ct), new Uint8Array([7]));
    assert.equal(await k2.open(nonce, new Uint8Array(5), ct), null);
    assert.equal(await k1.open(new Uint8Array(12).fill(1), new Uint8Array(5), ct), null);
    await assert.rejects(p.importAeadKey('AES-128-GCM', new Uint8Array(15)), RangeError);
    await assert.rejects(k1.seal(new Uint8Array(8), new Uint8Array(0), new Uint8Array(0)), RangeError);
  });

  it('key exchange: both ends derive the same secret; malformed shares give null', async () => {
    const p = createNullProvider({ seed: 'kx' });
    for (const g of ['x25519', 'secp256r1', 'secp384r1'] as const) {
      const a = await p.generateKeyShare(g);
      const b = await p.generateKeyShare(g);
      const sa = await a.deriveSecret(b.publicKey);
      assert.ok(sa);
      assert.deepEqual(sa, await b.deriveSecret(a.publicKey));
      assert.equal(sa.length, g === 'secp384r1' ? 48 : 32);
      assert.equal(await a.deriveSecret(b.publicKey.subarray(1)), null);
      assert.equal(await a.deriveSecret(new Uint8Array(a.publicKey.length)), null);
      if (g !== 'x25519') assert.equal(await a.deriveSecret(new Uint8Array([2, ...b.publicKey.subarray(1)])), null);
    }
  });

  it('signatures verify iff made by this provider for that key, scheme and data', async () => {
    const pki = testPki();
    const p = createNullProvider();
    // The test PKI's keys are PKCS#8 PEM ("PRIVATE KEY", openssl genpkey): the DER is the base64 between the lines.
    const pem = pki.leaves['ec-p256'].key;
    assert.match(pem, /-----BEGIN PRIVATE KEY-----/);
    const key = { type: 'ec-p256' as const, pkcs8: new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64')) };
    const signer = await p.importSigningKey(key.type, key.pkcs8);
    const { createPublicKey } = await import('node:crypto');
    const spki = new Uint8Array(createPublicKey(pki.leaves['ec-p256'].key).export({ type: 'spki', format: 'der' }));
    const data = new Uint8Array([1, 2, 3]);
    const sig = await signer.sign('ecdsa_secp256r1_sha256', data);
    assert.deepEqual(sig.subarray(0, NULL_SIGNATURE_PREFIX.length), NULL_SIGNATURE_PREFIX);
    assert.equal(await p.verify('ecdsa_secp256r1_sha256', spki, data, sig), true);
    assert.deepEqual(sig, nullSignature('ecdsa_secp256r1_sha256', spki, data));
    assert.equal(await p.verify('ecdsa_secp384r1_sha384', spki, data, sig), false, 'other scheme');
    assert.equal(await p.verify('ecdsa_secp256r1_sha256', spki, new Uint8Array([1, 2]), sig), false, 'other data');
    const other = new Uint8Array(createPublicKey(pki.client.key).export({ type: 'spki', format: 'der' }));
    assert.equal(await p.verify('ecdsa_secp256r1_sha256', other, data, sig), false, 'other key');
    const bad = sig.slice();
    bad[20] = (bad[20] as number) ^ 1;
    assert.equal(await p.verify('ecdsa_secp256r1_sha256', spki, data, bad), false, 'flipped bit');
    await assert.rejects(signer.sign('ed25519', data), TypeError);
  });

  it('hashes, HMAC and HKDF are the real ones (RFC 5869 A.1)', async () => {
    const p = createNullProvider();
    const ikm = new Uint8Array(22).fill(0x0b);
    const salt = Uint8Array.from(Buffer.from('000102030405060708090a0b0c', 'hex'));
    const info = Uint8Array.from(Buffer.from('f0f1f2f3f4f5f6f7f8f9', 'hex'));
    const prk = await p.hkdfExtract('SHA-256', salt, ikm);
    assert.equal(Buffer.from(prk).toString('hex'), '077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5');
    const okm = await p.hkdfExpand('SHA-256', prk, info, 42);
    assert.equal(Buffer.from(okm).toString('hex'), '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
    assert.equal(Buffer.from(await p.hash('SHA-384', ikm)).toString('hex'), createHash('sha384').update(ikm).digest('hex'));
  });

  it('randomness is a deterministic stream per seed', () => {
    const a = createNullProvider({ seed: 42 });
    const b = createNullProvider({ seed: 42 });
    const c = createNullProvider({ seed: 43 });
    const x = a.randomBytes(100);
    assert.deepEqual(x, b.randomBytes(100));
    assert.notDeepEqual(x, c.randomBytes(100));
    assert.notDeepEqual(a.randomBytes(32), x.subarray(0, 32));
  });
});
