/**
 * der/oids.ts: the DER content encoding of the object identifiers (X.690 §8.19), checked against their
 * well-known encodings (the bytes the crypto provider matches SubjectPublicKeyInfo and PKCS#8 blobs with).
 */
import { strict as assert } from 'node:assert';
import { OID, oidContent } from '#internal/der/oids';
import { encodeDerTlv } from '#internal/der/tlv';
import { concat, toHex } from '#internal/wire/bytes';

describe('der: object identifiers', () => {
  it('encodes the identifiers of TLS 1.3 keys and hashes as their known DER contents', () => {
    const known: [string, string][] = [
      [OID.ecPublicKey, '2a8648ce3d0201'],
      [OID.ed25519, '2b6570'],
      [OID.rsaEncryption, '2a864886f70d010101'],
      [OID.rsassaPss, '2a864886f70d01010a'],
      [OID.sha256, '608648016503040201'],
      [OID.sha384, '608648016503040202'],
      [OID.sha512, '608648016503040203'],
      [OID.subjectAltName, '551d11'],
      [OID.serverAuth, '2b06010505070301'],
    ];
    for (const [dotted, hex] of known) assert.equal(toHex(oidContent(dotted)), hex, dotted);
  });

  it('makes the namedCurve parameters and the rsaEncryption AlgorithmIdentifier byte for byte (RFC 5480, RFC 8017)', () => {
    assert.equal(toHex(encodeDerTlv(0x06, oidContent(OID.prime256v1))), '06082a8648ce3d030107');
    assert.equal(toHex(encodeDerTlv(0x06, oidContent(OID.secp384r1))), '06052b81040022');
    assert.equal(toHex(encodeDerTlv(0x06, oidContent(OID.secp521r1))), '06052b81040023');
    const algId = encodeDerTlv(0x30, concat(encodeDerTlv(0x06, oidContent(OID.rsaEncryption)), Uint8Array.of(0x05, 0x00)));
    assert.equal(toHex(algId), '300d06092a864886f70d0101010500');
  });

  it('refuses a malformed identifier', () => {
    for (const bad of ['', '1', '3.1', '1.40', '1.2.x', '1.-2']) assert.throws(() => oidContent(bad), RangeError, bad);
  });
});
