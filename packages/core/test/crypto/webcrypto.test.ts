import { strict as assert } from 'node:assert';
import { createHmac, generateKeyPairSync, type KeyObject, sign as nodeSign } from 'node:crypto';
import { inspect } from 'node:util';
import { suitesFrom } from '#internal/crypto/choices';
import { ecdsaDerToRaw } from '#internal/crypto/ecdsa-der';
import type { GroupName, PrivateKeyType, SignatureSchemeName } from '#internal/crypto/provider';
import { importKeyShare } from '#internal/crypto/webcrypto';
import { concat, fromHex, toHex, utf8 } from '#internal/wire/bytes';
import { PROVIDERS } from './helpers.js';

/** RFC 8439 §2.8.2, the AEAD_CHACHA20_POLY1305 example. */
const RFC8439 = {
  key: '808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f',
  nonce: '070000004041424344454647',
  aad: '50515253c0c1c2c3c4c5c6c7',
  plaintext: "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
  ciphertext:
    'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36' +
    '92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116',
  tag: '1ae10b594f09e26a7e902ecbd0600691',
} as const;

const der = (k: KeyObject, type: 'pkcs8' | 'spki'): Uint8Array => new Uint8Array(k.export({ type, format: 'der' }));

interface TestKey {
  readonly type: PrivateKeyType;
  readonly bits: number;
  readonly pkcs8: Uint8Array;
  readonly spki: Uint8Array;
  readonly schemes: readonly SignatureSchemeName[];
}

function testKey(type: PrivateKeyType, bits: number, schemes: readonly SignatureSchemeName[], pair: { privateKey: KeyObject; publicKey: KeyObject }): TestKey {
  return { type, bits, pkcs8: der(pair.privateKey, 'pkcs8'), spki: der(pair.publicKey, 'spki'), schemes };
}

/** Keys generated once at load time (RSA-2048 generation dominates: about 0.1-0.5 s each). */
const KEYS: readonly TestKey[] = [
  testKey('ec-p256', 256, ['ecdsa_secp256r1_sha256'], generateKeyPairSync('ec', { namedCurve: 'P-256' })),
  testKey('ec-p384', 384, ['ecdsa_secp384r1_sha384'], generateKeyPairSync('ec', { namedCurve: 'P-384' })),
  testKey('ed25519', 256, ['ed25519'], generateKeyPairSync('ed25519')),
  testKey(
    'rsa',
    2048,
    ['rsa_pss_rsae_sha256', 'rsa_pss_rsae_sha384', 'rsa_pss_rsae_sha512', 'rsa_pkcs1_sha256', 'rsa_pkcs1_sha384', 'rsa_pkcs1_sha512'],
    generateKeyPairSync('rsa', { modulusLength: 2048 }),
  ),
];
const ALL_SCHEMES = [...new Set(KEYS.flatMap((k) => k.schemes))];
const key = (type: PrivateKeyType): TestKey => KEYS.find((k) => k.type === type) as TestKey;

describe('WebCrypto provider: signatures', () => {
  const message = utf8('TLS 1.3, server CertificateVerify');

  for (const signer of PROVIDERS) {
    for (const verifier of PROVIDERS) {
      it(`signs with ${signer.name} and verifies with ${verifier.name}, every scheme and key type`, async () => {
        for (const k of KEYS) {
          const signingKey = await signer.provider.importSigningKey(k.type, k.pkcs8);
          assert.equal(signingKey.type, k.type);
          assert.equal(signingKey.bits, k.bits);
          for (const scheme of k.schemes) {
            const sig = await signingKey.sign(scheme, message);
            if (scheme.startsWith('ecdsa')) assert.ok(ecdsaDerToRaw(sig, k.bits / 8), `${scheme}: not strict DER`);
            assert.equal(await verifier.provider.verify(scheme, k.spki, message, sig), true, `${k.type} ${scheme}`);
            const tampered = message.slice();
            tampered[0] = (tampered[0] as number) ^ 1;
            assert.equal(await verifier.provider.verify(scheme, k.spki, tampered, sig), false, `${scheme} tampered`);
            // The signature must not verify under any other scheme (other hash, padding or key type).
            for (const other of ALL_SCHEMES) {
              if (other !== scheme) assert.equal(await verifier.provider.verify(other, k.spki, message, sig), false, `${scheme} as ${other}`);
            }
          }
        }
      });
    }
  }

  for (const { name, provider } of PROVIDERS) {
    it(`${name}: rejects a scheme that does not fit the key, and a PKCS#8 of another key type`, async () => {
      const ec = await provider.importSigningKey('ec-p256', key('ec-p256').pkcs8);
      for (const scheme of ['ecdsa_secp384r1_sha384', 'ecdsa_secp521r1_sha512', 'rsa_pss_rsae_sha256', 'ed25519'] as const) {
        await assert.rejects(ec.sign(scheme, new Uint8Array(1)), TypeError, scheme);
      }
      const rsa = await provider.importSigningKey('rsa', key('rsa').pkcs8);
      await assert.rejects(rsa.sign('rsa_pss_pss_sha256', new Uint8Array(1)), TypeError); // needs an id-RSASSA-PSS key
      await assert.rejects(rsa.sign('ecdsa_secp256r1_sha256', new Uint8Array(1)), TypeError);
      await assert.rejects(provider.importSigningKey('ed25519', key('ec-p384').pkcs8), TypeError);
      await assert.rejects(provider.importSigningKey('ec-p256', key('ec-p384').pkcs8), TypeError);
      await assert.rejects(provider.importSigningKey('rsa', key('ed25519').pkcs8), TypeError);
      await assert.rejects(provider.importSigningKey('rsa', new Uint8Array([0x30, 0x00])), TypeError);
    });

    it(`${name}: TLS 1.2 ECDSA (ecdsa_sha256/384/512) signs and verifies on the key's own curve; TLS 1.3 names stay bound`, async () => {
      const data = utf8('TLS 1.2 ServerKeyExchange');
      const hashes = ['ecdsa_sha256', 'ecdsa_sha384', 'ecdsa_sha512'] as const;
      for (const k of [key('ec-p256'), key('ec-p384')]) {
        const signer = await provider.importSigningKey(k.type, k.pkcs8);
        for (const scheme of hashes) {
          const sig = await signer.sign(scheme, data);
          assert.ok(ecdsaDerToRaw(sig, k.bits / 8), `${k.type} ${scheme}: not strict DER`);
          assert.equal(await provider.verify(scheme, k.spki, data, sig), true, `${k.type} ${scheme}`);
          for (const other of hashes) if (other !== scheme) assert.equal(await provider.verify(other, k.spki, data, sig), false, `${scheme} as ${other}`);
        }
      }
      // A P-384 key with SHA-256: fine as ecdsa_sha256, never as TLS 1.3's ecdsa_secp256r1_sha256 (RFC 8446 §4.2.3).
      const p384 = key('ec-p384');
      const sig = await (await provider.importSigningKey('ec-p384', p384.pkcs8)).sign('ecdsa_sha256', data);
      assert.equal(await provider.verify('ecdsa_secp256r1_sha256', p384.spki, data, sig), false);
      await assert.rejects((await provider.importSigningKey('ec-p384', p384.pkcs8)).sign('ecdsa_secp256r1_sha256', data), TypeError);
      // Not an EC key: false, and an RSA or Ed25519 signer refuses.
      assert.equal(await provider.verify('ecdsa_sha256', key('ed25519').spki, data, sig), false);
      assert.equal(await provider.verify('ecdsa_sha256', key('rsa').spki, data, sig), false);
      await assert.rejects((await provider.importSigningKey('rsa', key('rsa').pkcs8)).sign('ecdsa_sha256', data), TypeError);
    });

    it(`${name}: verify resolves false for keys that do not fit the scheme and for malformed input`, async () => {
      const data = utf8('data');
      const p256 = key('ec-p256');
      const sig = await (await provider.importSigningKey('ec-p256', p256.pkcs8)).sign('ecdsa_secp256r1_sha256', data);
      assert.equal(await provider.verify('ecdsa_secp256r1_sha256', p256.spki, data, sig), true);
      assert.equal(await provider.verify('ecdsa_secp384r1_sha384', p256.spki, data, sig), false);
      assert.equal(await provider.verify('ed25519', key('ec-p384').spki, data, new Uint8Array(64)), false);
      assert.equal(await provider.verify('rsa_pss_rsae_sha256', p256.spki, data, sig), false);
      assert.equal(await provider.verify('ecdsa_secp256r1_sha256', p256.spki.subarray(0, 40), data, sig), false);
      assert.equal(await provider.verify('ecdsa_secp256r1_sha256', concat(p256.spki, new Uint8Array(1)), data, sig), false);
      assert.equal(await provider.verify('ecdsa_secp256r1_sha256', p256.spki, data, concat(sig, new Uint8Array(1))), false);
      assert.equal(await provider.verify('ecdsa_secp256r1_sha256', new Uint8Array(0), data, sig), false);
      assert.equal(await provider.verify('rsa_pss_rsae_sha256', key('rsa').spki, data, new Uint8Array(10)), false);
      assert.equal(await provider.verify('bogus' as SignatureSchemeName, p256.spki, data, sig), false);
      // A point not on the curve inside a well-formed SPKI.
      const offCurve = p256.spki.slice();
      offCurve[offCurve.length - 1] = (offCurve[offCurve.length - 1] as number) ^ 1;
      assert.equal(await provider.verify('ecdsa_secp256r1_sha256', offCurve, data, sig), false);
    });

    it(`${name}: verifies rsa_pss_pss_* with id-RSASSA-PSS keys and honours their hash restriction`, async () => {
      const data = utf8('pss key');
      const free = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
      const pinned = generateKeyPairSync('rsa-pss', { modulusLength: 2048, hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha256' });
      const pssSign = (k: KeyObject, hash: string, saltLength: number) => new Uint8Array(nodeSign(hash, data, { key: k, saltLength }));
      const sig384 = pssSign(free.privateKey, 'sha384', 48);
      assert.equal(await provider.verify('rsa_pss_pss_sha384', der(free.publicKey, 'spki'), data, sig384), true);
      assert.equal(await provider.verify('rsa_pss_rsae_sha384', der(free.publicKey, 'spki'), data, sig384), false);
      assert.equal(await provider.verify('rsa_pss_pss_sha256', der(free.publicKey, 'spki'), data, sig384), false);
      const sig256 = pssSign(pinned.privateKey, 'sha256', 32);
      assert.equal(await provider.verify('rsa_pss_pss_sha256', der(pinned.publicKey, 'spki'), data, sig256), true);
      assert.equal(await provider.verify('rsa_pss_pss_sha384', der(pinned.publicKey, 'spki'), data, sig384), false);
      // An rsaEncryption key is not an rsa_pss_pss key (RFC 8446 §4.2.3).
      const rsaSig = await (await provider.importSigningKey('rsa', key('rsa').pkcs8)).sign('rsa_pss_rsae_sha256', data);
      assert.equal(await provider.verify('rsa_pss_pss_sha256', key('rsa').spki, data, rsaSig), false);
    });

    it(`${name}: verifies many keys in turn (the bounded key cache evicts and re-imports)`, async () => {
      const data = utf8('cache');
      const ecKey = await provider.importSigningKey('ec-p256', key('ec-p256').pkcs8);
      const sig = await ecKey.sign('ecdsa_secp256r1_sha256', data);
      for (let i = 0; i < 40; i++) {
        const other = der(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey, 'spki');
        assert.equal(await provider.verify('ecdsa_secp256r1_sha256', other, data, sig), false);
        if (i % 10 === 0) assert.equal(await provider.verify('ecdsa_secp256r1_sha256', key('ec-p256').spki, data, sig), true);
      }
      assert.equal(await provider.verify('ecdsa_secp256r1_sha256', key('ec-p256').spki, data, sig), true);
    });
  }
});

describe('WebCrypto provider: key shares', () => {
  const groups = ['x25519', 'secp256r1', 'secp384r1'] as const;
  const publicLength: Record<'x25519' | 'secp256r1' | 'secp384r1', number> = { x25519: 32, secp256r1: 65, secp384r1: 97 };
  const [native, peculiar] = PROVIDERS as [(typeof PROVIDERS)[0], (typeof PROVIDERS)[0]];

  for (const group of groups) {
    it(`${group}: native and peculiar agree on the shared secret`, async () => {
      assert.ok(native.provider.supportsGroup(group));
      const a = await native.provider.generateKeyShare(group);
      const b = await peculiar.provider.generateKeyShare(group);
      assert.equal(a.publicKey.length, publicLength[group]);
      assert.equal(b.publicKey.length, publicLength[group]);
      if (group !== 'x25519') assert.equal(a.publicKey[0], 4);
      const ab = await a.deriveSecret(b.publicKey);
      const ba = await b.deriveSecret(a.publicKey);
      assert.ok(ab !== null && ba !== null);
      assert.equal(toHex(ab), toHex(ba));
      assert.equal(ab.length, group === 'secp384r1' ? 48 : 32);
    });
  }

  for (const { name, crypto, provider } of PROVIDERS) {
    it(`${name}: invalid peer key shares give null`, async () => {
      assert.equal(provider.supportsGroup('x448' as GroupName), false);
      assert.equal(provider.supportsGroup('toString' as GroupName), false);
      await assert.rejects(provider.generateKeyShare('ffdhe2048' as GroupName), TypeError);
      const x = await provider.generateKeyShare('x25519');
      const u = (n: number) => {
        const b = new Uint8Array(32);
        b[0] = n;
        return b;
      };
      // u = 0 and u = 1 are small-order points: the X25519 output is all zero (RFC 7748 §6.1).
      for (const bad of [u(0), u(1), new Uint8Array(31), new Uint8Array(33), new Uint8Array(0)]) {
        assert.equal(await x.deriveSecret(bad), null, toHex(bad));
      }
      for (const group of ['secp256r1', 'secp384r1'] as const) {
        const share = await provider.generateKeyShare(group);
        const other = (await provider.generateKeyShare(group)).publicKey;
        const size = (publicLength[group] - 1) / 2;
        const offCurve = other.slice();
        offCurve[publicLength[group] - 1] = (offCurve[publicLength[group] - 1] as number) ^ 1;
        const compressed = concat(Uint8Array.of(2 + ((other[2 * size] as number) & 1)), other.subarray(1, 1 + size));
        const hybrid = other.slice();
        hybrid[0] = 6 + ((other[2 * size] as number) & 1); // X9.62 hybrid form: not allowed in TLS
        const cases = { offCurve, compressed, hybrid, infinity: Uint8Array.of(0), zeros: new Uint8Array(publicLength[group]) };
        for (const [what, bad] of Object.entries(cases)) assert.equal(await share.deriveSecret(bad), null, `${group} ${what}`);
        assert.ok(await share.deriveSecret(other));
      }
    });

    it(`${name}: importKeyShare reproduces the RFC 7748 §6.1 X25519 exchange`, async () => {
      const alice = await importKeyShare(crypto, 'x25519', fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'));
      const bob = await importKeyShare(crypto, 'x25519', fromHex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb'));
      assert.equal(toHex(alice.publicKey), '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
      assert.equal(toHex(bob.publicKey), 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
      const k = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
      assert.equal(toHex((await alice.deriveSecret(bob.publicKey)) ?? new Uint8Array(0)), k);
      assert.equal(toHex((await bob.deriveSecret(alice.publicKey)) ?? new Uint8Array(0)), k);
      await assert.rejects(importKeyShare(crypto, 'x25519', new Uint8Array(31)), RangeError);
    });
  }
});

describe('WebCrypto provider: AEAD, HMAC, HKDF, random', () => {
  for (const { name, provider } of PROVIDERS) {
    it(`${name}: AES-GCM and ChaCha20-Poly1305 round-trip, and any tampering gives null`, async () => {
      for (const [aead, keyLength] of [['AES-128-GCM', 16], ['AES-256-GCM', 32], ['CHACHA20-POLY1305', 32]] as const) {
        assert.ok(provider.supportsAead(aead));
        const k = await provider.importAeadKey(aead, provider.randomBytes(keyLength));
        assert.equal(k.name, aead);
        const [nonce, aad, plaintext] = [provider.randomBytes(12), utf8('header'), utf8('application data')];
        const sealed = await k.seal(nonce, aad, plaintext);
        assert.equal(sealed.length, plaintext.length + 16);
        assert.deepEqual(await k.open(nonce, aad, sealed), plaintext);
        const flip = (b: Uint8Array, i: number) => {
          const c = b.slice();
          c[i] = (c[i] as number) ^ 0x80;
          return c;
        };
        assert.equal(await k.open(nonce, aad, flip(sealed, 0)), null, 'ciphertext');
        assert.equal(await k.open(nonce, aad, flip(sealed, sealed.length - 1)), null, 'tag');
        assert.equal(await k.open(nonce, flip(aad, 0), sealed), null, 'aad');
        assert.equal(await k.open(flip(nonce, 11), aad, sealed), null, 'nonce');
        assert.equal(await k.open(nonce, aad, sealed.subarray(0, 15)), null, 'shorter than a tag');
        assert.equal(await k.open(nonce, aad, new Uint8Array(0)), null, 'empty');
        // An empty plaintext is a 16-byte tag only, and opens to an empty plaintext.
        assert.deepEqual(await k.open(nonce, aad, await k.seal(nonce, aad, new Uint8Array(0))), new Uint8Array(0));
        await assert.rejects(k.seal(new Uint8Array(8), aad, plaintext), RangeError);
        await assert.rejects(provider.importAeadKey(aead, new Uint8Array(keyLength + 1)), RangeError);
        await assert.rejects(provider.importAeadKey(aead, new Uint8Array(keyLength - 1)), RangeError);
      }
    });

    it(`${name}: the default suites are all three, AES-GCM first (ChaCha20-Poly1305 last, as before)`, () => {
      assert.deepEqual(
        suitesFrom(undefined, provider).tls13.map((s) => s.name),
        ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'],
      );
      assert.deepEqual(suitesFrom(['TLS_CHACHA20_POLY1305_SHA256'], provider).tls13.map((s) => s.name), ['TLS_CHACHA20_POLY1305_SHA256']);
    });

    it(`${name}: ChaCha20-Poly1305 reproduces RFC 8439 §2.8.2 and opens it back`, async () => {
      assert.equal(provider.supportsAead('CHACHA20-POLY1305'), true);
      const k = await provider.importAeadKey('CHACHA20-POLY1305', fromHex(RFC8439.key));
      const [nonce, aad, plaintext] = [fromHex(RFC8439.nonce), fromHex(RFC8439.aad), utf8(RFC8439.plaintext)];
      const sealed = await k.seal(nonce, aad, plaintext);
      assert.equal(toHex(sealed), RFC8439.ciphertext + RFC8439.tag);
      assert.deepEqual(await k.open(nonce, aad, sealed), plaintext);
    });

    it(`${name}: ChaCha20-Poly1305 sealRecord gives header || seal(header, plaintext || type || zeros)`, async () => {
      const k = await provider.importAeadKey('CHACHA20-POLY1305', provider.randomBytes(32));
      assert.ok(k.sealRecord, 'the one-buffer fast path');
      const nonce = provider.randomBytes(12);
      for (const [length, padding] of [[0, 0], [1, 0], [100, 7], [16384, 0], [300, 16000]] as const) {
        const plaintext = provider.randomBytes(length);
        const header = Uint8Array.of(0x17, 0x03, 0x03, ((length + 1 + padding + 16) >> 8) & 0xff, (length + 1 + padding + 16) & 0xff);
        const record = await k.sealRecord(nonce, header, plaintext, 0x17, padding);
        const inner = concat(plaintext, Uint8Array.of(0x17), new Uint8Array(padding));
        assert.equal(toHex(record), toHex(concat(header, await k.seal(nonce, header, inner))), `${length} + ${padding}`);
        assert.deepEqual(await k.open(nonce, header, record.subarray(5)), inner);
      }
      await assert.rejects(k.sealRecord(new Uint8Array(8), new Uint8Array(5), new Uint8Array(1), 0x17, 0), RangeError);
    });

    it(`${name}: a ChaCha20-Poly1305 key is a copy, shows no key bytes, and open never rejects for peer input`, async () => {
      const raw = fromHex(RFC8439.key);
      const k = await provider.importAeadKey('CHACHA20-POLY1305', raw);
      raw.fill(0); // the caller reuses its buffer: the imported key is unaffected
      const [nonce, aad] = [fromHex(RFC8439.nonce), fromHex(RFC8439.aad)];
      assert.equal(toHex(await k.seal(nonce, aad, utf8(RFC8439.plaintext))), RFC8439.ciphertext + RFC8439.tag);
      const shown = `${inspect(k, { depth: Infinity, showHidden: true, getters: true })} ${JSON.stringify(k)}`;
      assert.ok(!shown.replace(/\s+/g, '').includes(Array.from(fromHex(RFC8439.key)).join(',')), shown);
      assert.ok(!shown.toLowerCase().includes(RFC8439.key), shown);
      for (let length = 0; length < 40; length++) {
        assert.equal(await k.open(nonce, aad, provider.randomBytes(length)), null, `${length} random bytes`);
      }
      await assert.rejects(k.open(new Uint8Array(13), aad, new Uint8Array(16)), RangeError);
    });

    it(`${name}: HKDF matches RFC 5869 A.1, HMAC takes an empty key, lengths are checked`, async () => {
      const prk = await provider.hkdfExtract('SHA-256', fromHex('000102030405060708090a0b0c'), fromHex('0b'.repeat(22)));
      assert.equal(toHex(prk), '077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5');
      const okm = await provider.hkdfExpand('SHA-256', prk, fromHex('f0f1f2f3f4f5f6f7f8f9'), 42);
      assert.equal(toHex(okm), '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
      assert.equal((await provider.hkdfExpand('SHA-384', prk, new Uint8Array(0), 255 * 48)).length, 255 * 48);
      assert.equal((await provider.hkdfExpand('SHA-256', prk, new Uint8Array(0), 0)).length, 0);
      await assert.rejects(provider.hkdfExpand('SHA-256', prk, new Uint8Array(0), 255 * 32 + 1), RangeError);
      await assert.rejects(provider.hkdfExpand('SHA-256', prk, new Uint8Array(0), -1), RangeError);
      for (const hash of ['SHA-256', 'SHA-384', 'SHA-512'] as const) {
        const nodeName = hash.replace('-', '').toLowerCase();
        const expected = createHmac(nodeName, new Uint8Array(0)).update('abc').digest('hex');
        assert.equal(toHex(await provider.hmac(hash, new Uint8Array(0), utf8('abc'))), expected, hash);
      }
      // RFC 8446 §7.1: Early Secret = HKDF-Extract(0, 0), with an empty salt meaning HashLen zeros.
      const early = await provider.hkdfExtract('SHA-256', new Uint8Array(0), new Uint8Array(32));
      assert.equal(toHex(early), '33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a');
      assert.equal(
        toHex(await provider.hash('SHA-256', utf8('abc'))),
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      );
    });

    it(`${name}: randomBytes fills requests larger than one getRandomValues call`, () => {
      const big = provider.randomBytes(65536 * 2 + 100);
      assert.equal(big.length, 65536 * 2 + 100);
      for (const offset of [0, 65536, 131072]) {
        assert.ok(big.subarray(offset, offset + 100).some((b) => b !== 0), `chunk at ${offset}`);
      }
      assert.equal(provider.randomBytes(0).length, 0);
      assert.throws(() => provider.randomBytes(-1), RangeError);
      assert.throws(() => provider.randomBytes(1.5), RangeError);
    });
  }
});
