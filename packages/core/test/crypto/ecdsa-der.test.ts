import { strict as assert } from 'node:assert';
import { generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { ecdsaDerToRaw, ecdsaRawToDer } from '#internal/crypto/ecdsa-der';
import { encodeDerTlv, readDerTlv } from '#internal/der/tlv';
import { fromHex, toHex } from '#internal/wire/bytes';

const rawHex = (r: string, s: string, size: number): string => r.padStart(2 * size, '0') + s.padStart(2 * size, '0');

describe('ECDSA DER <-> raw r||s', () => {
  it('encodes minimal INTEGERs: leading zeros stripped, 0x00 added before a set high bit', () => {
    const raw = fromHex(rawHex('0001', '80', 32));
    assert.equal(toHex(ecdsaRawToDer(raw)), '300702010102020080');
    assert.equal(toHex(ecdsaDerToRaw(fromHex('300702010102020080'), 32) ?? new Uint8Array(0)), toHex(raw));
  });

  it('round-trips random signatures of every field size, including long-form lengths (P-521)', () => {
    for (const size of [32, 48, 66]) {
      for (let i = 0; i < 200; i++) {
        const raw = new Uint8Array(randomBytes(2 * size));
        // Exercise short values and high bits: zero some leading bytes, force others to 0xff.
        if (i % 3 === 0) raw.fill(0, 0, i % size);
        if (i % 3 === 1) raw[size] = 0xff;
        raw[size - 1] = raw[size - 1] || 1; // r, s must be non-zero
        raw[2 * size - 1] = raw[2 * size - 1] || 1;
        const der = ecdsaRawToDer(raw);
        assert.equal(readDerTlv(der)?.end, der.length);
        assert.deepEqual(ecdsaDerToRaw(der, size), raw);
      }
    }
  });

  it('agrees with node:crypto (OpenSSL) on DER versus IEEE P1363 signatures', () => {
    for (const [curve, size] of [['P-256', 32], ['P-384', 48], ['P-521', 66]] as const) {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
      for (let i = 0; i < 10; i++) {
        const data = randomBytes(20);
        const der = new Uint8Array(sign(null, data, { key: privateKey, dsaEncoding: 'der' }));
        const raw = ecdsaDerToRaw(der, size);
        assert.ok(raw !== null);
        assert.ok(verify(null, data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, raw));
        assert.deepEqual(ecdsaRawToDer(raw), der);
      }
    }
  });

  it('rejects every non-DER or out-of-range encoding with null', () => {
    const r = '02' + '01' + '01';
    const bad: Record<string, string> = {
      empty: '',
      truncated: '3006020101020101'.slice(0, 12),
      'trailing garbage after the SEQUENCE': `3006${r}${r}00`,
      'garbage inside the SEQUENCE': `3009${r}${r}${r}`,
      'missing s': `3003${r}`,
      'SET instead of SEQUENCE': `3106${r}${r}`,
      'BIT STRING instead of INTEGER': `3006030101${r}`,
      'indefinite length': `3080${r}${r}0000`,
      'long-form length below 128': `308106${r}${r}`,
      'length with a leading zero byte': `30820006${r}${r}`,
      'long-form INTEGER length': `30070281010102${'0101'}`,
      'negative r': `3006020180${r}`,
      'non-minimal r (needless 0x00)': `3007${'02020001'}${r}`,
      'non-minimal r (0xff sign extension)': `3007${'0202ff81'}${r}`,
      'zero r': `3006020100${r}`,
      'empty INTEGER': `30050200${r}`,
      'r wider than the field': `3026${'0221'}01${'00'.repeat(32)}${r}`,
      'r with a needed 0x00 but 33 value bytes': `3027${'0222'}0080${'00'.repeat(32)}${r}`,
      'multi-byte tag': `1f8106${r}${r}`,
    };
    for (const [what, hex] of Object.entries(bad)) {
      assert.equal(ecdsaDerToRaw(fromHex(hex), 32), null, what);
    }
    // The widest valid r: 32 bytes with the high bit set needs the 0x00 and is accepted.
    assert.ok(ecdsaDerToRaw(fromHex(`3026${'0221'}00${'ff'.repeat(32)}${r}`), 32));
  });

  it('refuses to encode an odd-length raw signature', () => {
    assert.throws(() => ecdsaRawToDer(new Uint8Array(63)), RangeError);
    assert.throws(() => ecdsaRawToDer(new Uint8Array(0)), RangeError);
  });

  it('encodes TLV lengths minimally', () => {
    assert.equal(toHex(encodeDerTlv(4, new Uint8Array(127))).slice(0, 4), '047f');
    assert.equal(toHex(encodeDerTlv(4, new Uint8Array(128))).slice(0, 6), '048180');
    assert.equal(toHex(encodeDerTlv(4, new Uint8Array(256))).slice(0, 8), '04820100');
    assert.equal(readDerTlv(encodeDerTlv(4, new Uint8Array(300)))?.value.length, 300);
  });
});
