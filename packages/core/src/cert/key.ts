/**
 * Private keys: PEM or DER in, `{ type, pkcs8 }` out, ready for `CryptoProvider.importSigningKey`.
 *
 * Accepted: PKCS#8 "PRIVATE KEY" (RFC 5208 / RFC 5958) for EC P-256, EC P-384, RSA and Ed25519; SEC1
 * "EC PRIVATE KEY" (RFC 5915) and PKCS#1 "RSA PRIVATE KEY" (RFC 8017 §A.1.2), which are rewrapped as PKCS#8.
 * Everything else (encrypted keys, other curves, RSA-PSS-only keys, X25519, Ed448, DSA) is a TypeError that
 * says what to do. Inputs are local configuration: errors are TypeErrors and never include key bytes.
 */
import type { PrivateKeyType } from '../crypto/provider.js';
import { OID } from '../der/oids.js';
import { DerError } from '../der/tlv.js';
import { bitStringBytes, ctxConstructed, ctxPrimitive, decodeDer, encodePkcs8, integerBytes, isTag, type Node, octets, oid, rawOf, seq, smallInteger, Tag, TagClass } from './der.js';
import { parsePem } from './pem.js';

/** A private key identified from its PKCS#8 AlgorithmIdentifier. */
export interface ParsedPrivateKey {
  readonly type: PrivateKeyType;
  /** PKCS#8 PrivateKeyInfo DER (converted from SEC1/PKCS#1 when the input was in those formats). */
  readonly pkcs8: Uint8Array;
}

const CONVERT_HINT = 'convert it with `openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem`';
const KEY_LABELS = new Set(['PRIVATE KEY', 'EC PRIVATE KEY', 'RSA PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']);

/**
 * Identify a private key and return it as PKCS#8.
 * @param input PEM text holding exactly one private key block (other blocks, such as certificates or
 *   "EC PARAMETERS", are ignored), or PKCS#8 DER bytes
 * @throws TypeError for an unsupported, encrypted, ambiguous or malformed key
 * @example
 * const { type, pkcs8 } = parsePrivateKey(fs.readFileSync('key.pem', 'utf8')); // type: 'ec-p256'
 * const signer = await provider.importSigningKey(type, pkcs8);
 */
export function parsePrivateKey(input: string | Uint8Array): ParsedPrivateKey {
  if (input instanceof Uint8Array) return fromPkcs8(input);
  if (typeof input !== 'string') throw new TypeError('private key must be PEM text or PKCS#8 DER bytes');
  const keys = parsePem(input).filter((b) => KEY_LABELS.has(b.label));
  const block = keys[0];
  if (block === undefined) throw new TypeError('no private key block ("BEGIN PRIVATE KEY") found in the PEM input');
  if (keys.length > 1) throw new TypeError('the PEM input holds more than one private key');
  switch (block.label) {
    case 'PRIVATE KEY':
      return fromPkcs8(block.der);
    case 'EC PRIVATE KEY':
      return fromSec1(block.der);
    case 'RSA PRIVATE KEY':
      return fromPkcs1(block.der);
    default:
      throw new TypeError(`encrypted private keys are not supported: decrypt it first, e.g. ${CONVERT_HINT}`);
  }
}

function curveType(curve: string): PrivateKeyType {
  if (curve === OID.prime256v1) return 'ec-p256';
  if (curve === OID.secp384r1) return 'ec-p384';
  throw new TypeError('unsupported EC curve: memtls signs with P-256 and P-384 only');
}

function fromPkcs8(der: Uint8Array): ParsedPrivateKey {
  let type: PrivateKeyType;
  try {
    const parts = seq(decodeDer(der, 'PrivateKeyInfo'), 'PrivateKeyInfo');
    const version = smallInteger(parts[0], 'PrivateKeyInfo.version');
    if (version !== 0 && version !== 1) throw new DerError('PrivateKeyInfo: unknown version');
    const alg = seq(parts[1], 'privateKeyAlgorithm');
    const algOid = oid(alg[0], 'privateKeyAlgorithm.algorithm');
    const params: Node | undefined = alg[1];
    octets(parts[2], 'PrivateKeyInfo.privateKey');
    switch (algOid) {
      case OID.ecPublicKey:
        if (!isTag(params, TagClass.UNIVERSAL, Tag.OID)) throw new TypeError('EC private key without a named curve is not supported');
        type = curveType(oid(params, 'namedCurve'));
        break;
      case OID.rsaEncryption:
        type = 'rsa';
        break;
      case OID.ed25519:
        type = 'ed25519';
        break;
      case OID.rsassaPss:
        throw new TypeError('RSA-PSS (id-RSASSA-PSS) private keys are not supported: use an rsaEncryption RSA key');
      default:
        throw new TypeError(`unsupported private key algorithm ${algOid}: use EC P-256/P-384, RSA or Ed25519`);
    }
  } catch (e) {
    if (e instanceof DerError) throw new TypeError(`malformed PKCS#8 private key (${e.message})`);
    throw e;
  }
  return { type, pkcs8: der.slice() };
}

/** SEC1 ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING, [0] parameters OPTIONAL, [1] publicKey OPTIONAL } */
function fromSec1(der: Uint8Array): ParsedPrivateKey {
  try {
    const parts = seq(decodeDer(der, 'ECPrivateKey'), 'ECPrivateKey');
    if (smallInteger(parts[0], 'ECPrivateKey.version') !== 1) throw new DerError('ECPrivateKey: version is not 1');
    octets(parts[1], 'ECPrivateKey.privateKey');
    let curveNode: Node | undefined;
    for (const p of parts.slice(2)) {
      if (isTag(p, TagClass.CONTEXT, 0)) curveNode = ctxConstructed(p, 0, 'ECPrivateKey.parameters')[0];
      else if (isTag(p, TagClass.CONTEXT, 1)) bitStringBytes(ctxConstructed(p, 1, 'ECPrivateKey.publicKey')[0], 'ECPrivateKey.publicKey');
      else throw new DerError('ECPrivateKey: unexpected element');
    }
    if (!isTag(curveNode, TagClass.UNIVERSAL, Tag.OID)) {
      throw new TypeError(`EC PRIVATE KEY without a named curve is not supported: ${CONVERT_HINT}`);
    }
    const type = curveType(oid(curveNode, 'namedCurve'));
    return { type, pkcs8: encodePkcs8(OID.ecPublicKey, rawOf(curveNode), der) };
  } catch (e) {
    if (e instanceof DerError) throw new TypeError(`malformed EC PRIVATE KEY (${e.message}); ${CONVERT_HINT}`);
    throw e;
  }
}

/** PKCS#1 RSAPrivateKey ::= SEQUENCE { version, n, e, d, p, q, dp, dq, qinv [, otherPrimeInfos] } */
function fromPkcs1(der: Uint8Array): ParsedPrivateKey {
  try {
    const parts = seq(decodeDer(der, 'RSAPrivateKey'), 'RSAPrivateKey');
    if (parts.length !== 9 || smallInteger(parts[0], 'RSAPrivateKey.version') !== 0) {
      throw new DerError('RSAPrivateKey: not a two-prime version 0 key');
    }
    const nullParams = new Uint8Array([0x05, 0x00]);
    return { type: 'rsa', pkcs8: encodePkcs8(OID.rsaEncryption, nullParams, der) };
  } catch (e) {
    if (e instanceof DerError) throw new TypeError(`malformed RSA PRIVATE KEY (${e.message}); ${CONVERT_HINT}`);
    throw e;
  }
}

/**
 * Does this private key belong to the certificate's public key? Decided from the key's own bytes where they
 * hold the public key: RSA (modulus and exponent are in RSAPrivateKey), EC with the optional publicKey of
 * ECPrivateKey, and any PKCS#8 v2 (OneAsymmetricKey) with its publicKey. Never throws.
 * @param key a key returned by `parsePrivateKey`
 * @param certPublicKey the certificate's subjectPublicKey contents (`ParsedCertificate.publicKey`)
 * @returns true or false when decided, null when the public key cannot be read from the private key
 *   (e.g. most Ed25519 keys): the caller then checks with a signature (`SslContext` does, at first use)
 */
export function privateKeyMatches(key: ParsedPrivateKey, certPublicKey: Uint8Array): boolean | null {
  try {
    const parts = seq(decodeDer(key.pkcs8, 'PrivateKeyInfo'), 'PrivateKeyInfo');
    const inner = octets(parts[2], 'PrivateKeyInfo.privateKey');
    for (const p of parts.slice(3)) {
      if (isTag(p, TagClass.CONTEXT, 1)) {
        // OneAsymmetricKey publicKey [1] IMPLICIT BIT STRING: the first content byte counts the unused bits.
        const bits = ctxPrimitive(p, 1, 'OneAsymmetricKey.publicKey');
        if (bits[0] === 0) return samePublicKey(bits.subarray(1), certPublicKey);
      }
    }
    if (key.type === 'rsa') {
      const priv = seq(decodeDer(inner, 'RSAPrivateKey'), 'RSAPrivateKey');
      const pub = seq(decodeDer(certPublicKey, 'RSAPublicKey'), 'RSAPublicKey');
      const same = (a: Node | undefined, b: Node | undefined, what: string): boolean => equal(integerBytes(a, what), integerBytes(b, what));
      return same(priv[1], pub[0], 'modulus') && same(priv[2], pub[1], 'publicExponent');
    }
    if (key.type === 'ec-p256' || key.type === 'ec-p384') {
      const ec = seq(decodeDer(inner, 'ECPrivateKey'), 'ECPrivateKey');
      for (const p of ec.slice(2)) {
        if (isTag(p, TagClass.CONTEXT, 1)) return samePublicKey(bitStringBytes(ctxConstructed(p, 1, 'ECPrivateKey.publicKey')[0], 'publicKey'), certPublicKey);
      }
    }
    return null;
  } catch {
    return null;
  }
}

/** Equal keys; an uncompressed EC point also equals its compressed form (same x, y of the same parity). */
function samePublicKey(a: Uint8Array, b: Uint8Array): boolean {
  if (equal(a, b)) return true;
  const [full, short] = a[0] === 0x04 ? [a, b] : [b, a];
  if (full[0] !== 0x04 || (short[0] !== 0x02 && short[0] !== 0x03) || short.length * 2 - 1 !== full.length) return false;
  const x = full.subarray(1, short.length);
  const yOdd = ((full[full.length - 1] as number) & 1) === 1;
  return equal(x, short.subarray(1)) && yOdd === (short[0] === 0x03);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
