/**
 * The ECDH groups of the WebCrypto provider (x25519, P-256, P-384): key generation, the TLS key_share encoding and
 * the checks on a peer's share. The hybrid ML-KEM groups build on these (crypto/hybrid.ts).
 */
import { concat, fromBase64, fromHex } from '../wire/bytes.js';
import type { GroupName, KeyShare } from './provider.js';

type Bytes = Uint8Array<ArrayBuffer>;

/** WebCrypto's BufferSource excludes views of a SharedArrayBuffer: copy only in that case. */
const bs = (b: Uint8Array): Bytes => (b.buffer instanceof ArrayBuffer ? (b as Bytes) : new Uint8Array(b));

/** The ECDH groups (the GroupNames WebCrypto implements itself). */
export type EcdhGroupName = 'x25519' | 'secp256r1' | 'secp384r1';

/** True for the groups of ECDH_GROUPS (own keys only: names arrive untyped at runtime). */
export function isEcdhGroup(group: string): group is EcdhGroupName {
  return Object.hasOwn(ECDH_GROUPS, group);
}

/** Key-exchange groups: WebCrypto parameters, key_share length, shared secret length in bits. */
export const ECDH_GROUPS = {
  x25519: { params: { name: 'X25519' }, publicLength: 32, bits: 256 },
  secp256r1: { params: { name: 'ECDH', namedCurve: 'P-256' }, publicLength: 65, bits: 256 },
  secp384r1: { params: { name: 'ECDH', namedCurve: 'P-384' }, publicLength: 97, bits: 384 },
} as const satisfies Record<EcdhGroupName, { params: Algorithm | EcKeyImportParams; publicLength: number; bits: number }>;

/** PKCS#8 prefixes for a raw private scalar (RFC 8410 §7; RFC 5915 ECPrivateKey without the public key). */
const PKCS8_PREFIX: Readonly<Record<EcdhGroupName, string>> = {
  x25519: '302e020100300506032b656e04220420',
  secp256r1: '30410201003013' + '06072a8648ce3d0201' + '06082a8648ce3d030107' + '042730250201010420',
  secp384r1: '304e0201003010' + '06072a8648ce3d0201' + '06052b81040022' + '043730350201010430',
};

function makeKeyShare(subtle: SubtleCrypto, group: EcdhGroupName, privateKey: CryptoKey, publicKey: Uint8Array): KeyShare {
  const g = ECDH_GROUPS[group];
  return {
    group,
    publicKey,
    async deriveSecret(peerPublicKey: Uint8Array): Promise<Uint8Array | null> {
      // RFC 8446 §4.2.8.2: NIST points are uncompressed only (legacy_form = 4).
      if (peerPublicKey.length !== g.publicLength) return null;
      if (group !== 'x25519' && peerPublicKey[0] !== 0x04) return null;
      try {
        const peer = await subtle.importKey('raw', bs(peerPublicKey), g.params, true, []);
        const bits = await subtle.deriveBits({ name: g.params.name, public: peer }, privateKey, g.bits);
        const secret = new Uint8Array(bits);
        if (group !== 'x25519') return secret; // an ECDH x coordinate of 0 is a legitimate secret
        // RFC 7748 §6.1, RFC 8446 §7.4.2: an all-zero X25519 output means a small-order peer key.
        let acc = 0;
        for (const b of secret) acc |= b;
        return acc === 0 ? null : secret;
      } catch {
        return null; // not on the curve, or rejected by the implementation
      }
    },
  };
}

const fromBase64Url = (s: string): Uint8Array =>
  fromBase64(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));

/**
 * Build a KeyShare from a fixed private key, for known-answer tests and deterministic replays (RFC 8448).
 * Never use it for live handshakes: key shares must be ephemeral.
 * @param crypto the WebCrypto object.
 * @param privateKey the raw private key: 32 bytes for x25519, the big-endian scalar padded to 32 / 48 bytes.
 * @param publicKey the matching key_share encoding; when omitted it is derived through a JWK export, which
 *   @peculiar/webcrypto cannot do for NIST curves (the promise then rejects).
 * @throws RangeError for a private key of the wrong length.
 */
export async function importKeyShare(
  crypto: Crypto, group: GroupName, privateKey: Uint8Array, publicKey?: Uint8Array,
): Promise<KeyShare> {
  if (!isEcdhGroup(group)) throw new TypeError(`group ${String(group)} is not supported`);
  const g = ECDH_GROUPS[group];
  if (privateKey.length !== g.bits / 8) throw new RangeError(`${group} private key must be ${g.bits / 8} bytes`);
  const pkcs8 = bs(concat(fromHex(PKCS8_PREFIX[group]), privateKey));
  const key = await crypto.subtle.importKey('pkcs8', pkcs8, g.params, false, ['deriveBits']);
  let pub = publicKey;
  if (pub === undefined) {
    const extractable = await crypto.subtle.importKey('pkcs8', pkcs8, g.params, true, ['deriveBits']);
    const jwk = await crypto.subtle.exportKey('jwk', extractable);
    const { x, y } = jwk;
    if (x === undefined || (group !== 'x25519' && y === undefined)) throw new Error(`cannot derive the ${group} public key`);
    pub = group === 'x25519' ? fromBase64Url(x) : concat(Uint8Array.of(4), fromBase64Url(x), fromBase64Url(y ?? ''));
  }
  return makeKeyShare(crypto.subtle, group, key, pub);
}

/**
 * A fresh ECDH key pair for `group`.
 * @throws TypeError for a group that is not one of ECDH_GROUPS.
 */
export async function generateEcdhShare(subtle: SubtleCrypto, group: GroupName): Promise<KeyShare> {
  if (!isEcdhGroup(group)) throw new TypeError(`group ${String(group)} is not supported`);
  const pair = (await subtle.generateKey(ECDH_GROUPS[group].params, false, ['deriveBits'])) as CryptoKeyPair;
  const pub = new Uint8Array(await subtle.exportKey('raw', pair.publicKey));
  return makeKeyShare(subtle, group, pair.privateKey, pub);
}
