/**
 * The hybrid post-quantum key exchange groups of draft-ietf-tls-ecdhe-mlkem: X25519MLKEM768 (0x11EC) and
 * SecP256r1MLKEM768 (0x11EB). Each joins ML-KEM-768 (FIPS 203, from @noble/post-quantum) to an ECDH group that
 * the surrounding provider already implements (its own `generateKeyShare`), so every provider reuses this one
 * composition and its checks.
 *
 * Wire layout (draft-ietf-tls-ecdhe-mlkem §4.1), lengths fixed:
 * - X25519MLKEM768: client share = ML-KEM encapsulation key (1184) || X25519 public key (32); server share =
 *   ML-KEM ciphertext (1088) || X25519 public key (32); shared secret = ML-KEM secret (32) || X25519 secret (32).
 * - SecP256r1MLKEM768: the ECDH part FIRST: client = P-256 point (65) || encapsulation key (1184); server =
 *   P-256 point (65) || ciphertext (1088); secret = ECDH secret (32) || ML-KEM secret (32).
 *
 * Checks (draft-ietf-tls-ecdhe-mlkem §4.1 and draft-ietf-tls-mlkem §4.2; FIPS 203 §7.2 and §7.3): a share of the
 * wrong length, an encapsulation key that fails the modulus check, a ciphertext of the wrong length and an ECDH
 * half the group refuses (an all-zero X25519 result, a point off the curve) all resolve to null, which the
 * handshake answers with illegal_parameter. Randomness (the 64-byte key generation seed, the 32-byte encapsulation
 * message) comes from the provider, never from @noble's ambient source.
 */
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import type { Encapsulation, GroupName, KeyShare } from './provider.js';

/** The hybrid groups, by their TLS names (as OpenSSL 3.5 and the IANA registry spell them). */
export type HybridGroupName = 'X25519MLKEM768' | 'SecP256r1MLKEM768';

/** The ECDH groups a hybrid group is built on. */
type EcdhGroup = 'x25519' | 'secp256r1';

interface Layout {
  readonly ecdh: EcdhGroup;
  /** True when the ECDH part comes first in shares and secret (SecP256r1MLKEM768). */
  readonly ecdhFirst: boolean;
  /** Length of the ECDH public key in a share. */
  readonly ecdhLength: number;
}

const LAYOUT: Readonly<Record<HybridGroupName, Layout>> = {
  X25519MLKEM768: { ecdh: 'x25519', ecdhFirst: false, ecdhLength: 32 },
  SecP256r1MLKEM768: { ecdh: 'secp256r1', ecdhFirst: true, ecdhLength: 65 },
};

/** FIPS 203 Table 3, ML-KEM-768: encapsulation key, ciphertext and seed lengths. */
const EK_LENGTH = 1184;
const CT_LENGTH = 1088;
const KEYGEN_SEED = 64;
const ENCAPS_MESSAGE = 32;

/** What a hybrid group takes from the provider around it: randomness and the ECDH half. */
export interface HybridParts {
  /** Cryptographically secure random bytes (the provider's `randomBytes`). */
  randomBytes(length: number): Uint8Array;
  /** A fresh ECDH key pair (the provider's `generateKeyShare` for x25519 or secp256r1). */
  generateKeyShare(group: 'x25519' | 'secp256r1'): Promise<KeyShare>;
}

/**
 * True for the hybrid ML-KEM groups (TLS 1.3 only: TLS 1.2's ECDHE cannot carry a KEM).
 * @example isHybridGroup('X25519MLKEM768') // true
 */
export function isHybridGroup(group: string): group is HybridGroupName {
  return Object.hasOwn(LAYOUT, group);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Split a share into its [ML-KEM part, ECDH part], or null when its length is not exactly `kemLength + ecdh`. */
function split(layout: Layout, share: Uint8Array, kemLength: number): [Uint8Array, Uint8Array] | null {
  if (share.length !== kemLength + layout.ecdhLength) return null;
  return layout.ecdhFirst
    ? [share.subarray(layout.ecdhLength), share.subarray(0, layout.ecdhLength)]
    : [share.subarray(0, kemLength), share.subarray(kemLength)];
}

function joinSecrets(layout: Layout, kem: Uint8Array, ecdh: Uint8Array): Uint8Array {
  const out = layout.ecdhFirst ? concat(ecdh, kem) : concat(kem, ecdh);
  kem.fill(0);
  ecdh.fill(0);
  return out;
}

function layoutOf(group: HybridGroupName): Layout {
  if (!isHybridGroup(group)) throw new TypeError(`${String(group)} is not a hybrid ML-KEM group`);
  return LAYOUT[group];
}

/**
 * The client's half of a hybrid group: a fresh ML-KEM-768 key pair and ECDH key pair; `publicKey` is the
 * client share; `deriveSecret(serverShare)` decapsulates and completes the ECDH, or resolves null when the
 * server share is malformed (wrong length, ECDH half refused).
 * @param group 'X25519MLKEM768' or 'SecP256r1MLKEM768'.
 * @param parts the provider's randomness and ECDH.
 * @throws TypeError for a group that is not hybrid.
 * @example const share = await hybridKeyShare('X25519MLKEM768', provider); // share.publicKey.length === 1216
 */
export async function hybridKeyShare(group: HybridGroupName, parts: HybridParts): Promise<KeyShare> {
  const layout = layoutOf(group);
  const ecdh = await parts.generateKeyShare(layout.ecdh);
  const seed = parts.randomBytes(KEYGEN_SEED);
  const { publicKey: ek, secretKey: dk } = ml_kem768.keygen(seed);
  seed.fill(0);
  const publicKey = layout.ecdhFirst ? concat(ecdh.publicKey, ek) : concat(ek, ecdh.publicKey);
  return {
    group: group as GroupName,
    publicKey,
    async deriveSecret(serverShare: Uint8Array): Promise<Uint8Array | null> {
      // draft-ietf-tls-ecdhe-mlkem §4.1 / draft-ietf-tls-mlkem §4.2: the ciphertext length must match.
      const parts2 = split(layout, serverShare, CT_LENGTH);
      if (!parts2) return null;
      const [ct, ecdhPeer] = parts2;
      const ecdhSecret = await ecdh.deriveSecret(ecdhPeer);
      if (!ecdhSecret) return null;
      // FIPS 203 decapsulation cannot fail on a ciphertext of the right length (implicit rejection).
      return joinSecrets(layout, ml_kem768.decapsulate(ct, dk), ecdhSecret);
    },
  };
}

/**
 * The server's half of a hybrid group in one step: encapsulate to the client's ML-KEM key and answer its ECDH
 * key. Resolves null when the client share is malformed: wrong length, an encapsulation key that fails the
 * FIPS 203 §7.2 modulus check, or an ECDH half the group refuses.
 * @param group 'X25519MLKEM768' or 'SecP256r1MLKEM768'.
 * @param clientShare the client's key_exchange bytes.
 * @param parts the provider's randomness and ECDH.
 * @returns the server share (`publicKey`) and the shared secret, or null.
 * @throws TypeError for a group that is not hybrid.
 */
export async function hybridEncapsulate(
  group: HybridGroupName, clientShare: Uint8Array, parts: HybridParts,
): Promise<Encapsulation | null> {
  const layout = layoutOf(group);
  const halves = split(layout, clientShare, EK_LENGTH);
  if (!halves) return null;
  const [ek, ecdhPeer] = halves;
  const message = parts.randomBytes(ENCAPS_MESSAGE);
  let encapsulated: { cipherText: Uint8Array; sharedSecret: Uint8Array };
  try {
    // noble performs the FIPS 203 §7.2 input checks (type: length; modulus: ByteEncode12(ByteDecode12(ek)) == ek)
    // and throws when they fail.
    encapsulated = ml_kem768.encapsulate(ek, message);
  } catch {
    return null;
  } finally {
    message.fill(0);
  }
  const ecdh = await parts.generateKeyShare(layout.ecdh);
  const ecdhSecret = await ecdh.deriveSecret(ecdhPeer);
  if (!ecdhSecret) {
    encapsulated.sharedSecret.fill(0);
    return null;
  }
  const ct = encapsulated.cipherText;
  const publicKey = layout.ecdhFirst ? concat(ecdh.publicKey, ct) : concat(ct, ecdh.publicKey);
  return { publicKey, secret: joinSecrets(layout, encapsulated.sharedSecret, ecdhSecret) };
}
