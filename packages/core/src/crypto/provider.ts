/**
 * The crypto provider interface: every primitive the engine uses, and nothing else.
 *
 * Rules:
 * - The engine never touches `globalThis.crypto`, `node:crypto` or any other ambient source: it receives a
 *   provider through `SslContext` (resolved in `ssl-context.ts` only).
 * - All byte arguments and results are `Uint8Array`. Secrets never appear in error messages.
 * - Asynchronous methods reject only for programmer errors (unsupported algorithm, bad key length);
 *   conditions a peer can cause (bad AEAD tag, invalid public key, bad signature) resolve to `null`/`false`.
 */

export type HashName = 'SHA-256' | 'SHA-384' | 'SHA-512';
/** The AEAD algorithms of the TLS 1.3 cipher suites. */
export type AeadName = 'AES-128-GCM' | 'AES-256-GCM' | 'CHACHA20-POLY1305';
/**
 * The key-exchange groups memtls supports, by their TLS names: three ECDH groups (TLS 1.3 and 1.2) and the two
 * hybrid post-quantum groups of draft-ietf-tls-ecdhe-mlkem (ECDH + ML-KEM-768, TLS 1.3 only; crypto/hybrid.ts).
 */
export type GroupName = 'x25519' | 'secp256r1' | 'secp384r1' | 'X25519MLKEM768' | 'SecP256r1MLKEM768';

/**
 * TLS SignatureScheme names (RFC 8446 §4.2.3), the subset memtls can produce or check, plus the three TLS 1.2 ECDSA
 * forms `ecdsa_sha256`, `ecdsa_sha384` and `ecdsa_sha512`: in TLS 1.2 the code points 0x0403/0x0503/0x0603 name only
 * the hash (RFC 5246 §7.4.1.4.1, RFC 8422 §5.1.1), so the curve is the key's own (P-256, P-384 or P-521). A provider
 * that does not know these names resolves `verify` to false and rejects `sign`: TLS 1.2 ECDSA then fails cleanly.
 */
export type SignatureSchemeName =
  | 'ecdsa_secp256r1_sha256'
  | 'ecdsa_secp384r1_sha384'
  | 'ecdsa_secp521r1_sha512'
  | 'rsa_pss_rsae_sha256'
  | 'rsa_pss_rsae_sha384'
  | 'rsa_pss_rsae_sha512'
  | 'rsa_pss_pss_sha256'
  | 'rsa_pss_pss_sha384'
  | 'rsa_pss_pss_sha512'
  | 'rsa_pkcs1_sha256'
  | 'rsa_pkcs1_sha384'
  | 'rsa_pkcs1_sha512'
  | 'ed25519'
  | 'ecdsa_sha256'
  | 'ecdsa_sha384'
  | 'ecdsa_sha512';

/** Key algorithms of private keys the engine can sign with. */
export type PrivateKeyType = 'ec-p256' | 'ec-p384' | 'rsa' | 'ed25519';

/** An imported AEAD key. `seal` returns ciphertext || tag; `open` returns null when authentication fails. */
export interface AeadKey {
  /** The algorithm of this key. */
  readonly name: AeadName;
  /** Encrypt and authenticate: returns ciphertext || tag. */
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array>;
  /** Decrypt and check the tag: returns the plaintext, or null when authentication fails. */
  open(nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array | null>;
  /**
   * Optional fast path for TLS 1.3 records: seal `plaintext || innerType || zeros(padding)` with `header` as
   * AAD and return `header || ciphertext || tag` in one buffer (saves the copies of building the inner
   * plaintext and prepending the header). Providers that cannot do better leave it out.
   */
  sealRecord?(nonce: Uint8Array, header: Uint8Array, plaintext: Uint8Array, innerType: number, padding: number): Promise<Uint8Array>;
  /**
   * Optional: `seal`, computed synchronously (the same bytes). A provider whose ciphers run synchronously
   * (node:crypto) offers it together with `openSync`; the record layer then seals and opens records with no promise
   * per record, and a write or read that finds nothing else to do completes without an await (docs/performance.md).
   */
  sealSync?(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** Optional: `open`, computed synchronously (see `sealSync`): the plaintext, or null when authentication fails. */
  openSync?(nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array | null;
  /** Optional: `sealRecord`, computed synchronously (see `sealSync`). */
  sealRecordSync?(nonce: Uint8Array, header: Uint8Array, plaintext: Uint8Array, innerType: number, padding: number): Uint8Array;
}

/** One ephemeral key-exchange key pair. `publicKey` is the TLS key_share encoding
 * (32 bytes for x25519, the uncompressed point 0x04||X||Y for the NIST curves). For a KEM group (the hybrid
 * ML-KEM groups) it is the client's side: `publicKey` carries the encapsulation key and `deriveSecret` decapsulates
 * the server's ciphertext. */
export interface KeyShare {
  /** The group of this key pair. */
  readonly group: GroupName;
  /** Our public key in the TLS key_share encoding. */
  readonly publicKey: Uint8Array;
  /** The shared secret, or null when the peer's public key is invalid (wrong length, not on the curve,
   * all-zero x25519 result). */
  deriveSecret(peerPublicKey: Uint8Array): Promise<Uint8Array | null>;
}

/** The server's answer in a KEM group: its key_share and the shared secret (`CryptoProvider.encapsulate`). */
export interface Encapsulation {
  /** Our key_share: for the hybrid ML-KEM groups, the ciphertext joined to our ECDH public key. */
  readonly publicKey: Uint8Array;
  /** The shared secret, input to the TLS 1.3 key schedule. */
  readonly secret: Uint8Array;
}

/** A private key ready to sign handshake messages. ECDSA signatures come back DER-encoded, as TLS carries them. */
export interface SigningKey {
  /** The key algorithm. */
  readonly type: PrivateKeyType;
  /** Modulus size in bits for RSA, curve size for EC, 256 for Ed25519. */
  readonly bits: number;
  /** Sign `data` with the given TLS signature scheme (ECDSA results are DER). */
  sign(scheme: SignatureSchemeName, data: Uint8Array): Promise<Uint8Array>;
}

/** Every cryptographic primitive the engine uses; `SslContext` takes one (or a WebCrypto object it wraps). */
export interface CryptoProvider {
  /**
   * True when every method completes synchronously (returns already-resolved promises). The engine then
   * works one record at a time; otherwise it keeps several records in flight (docs/performance.md).
   */
  readonly synchronous?: boolean;
  /** Cryptographically secure random bytes (synchronous: getRandomValues is). */
  randomBytes(length: number): Uint8Array;
  /** The digest of `data`. */
  hash(name: HashName, data: Uint8Array): Promise<Uint8Array>;
  /** HMAC of `data` under `key`. */
  hmac(name: HashName, key: Uint8Array, data: Uint8Array): Promise<Uint8Array>;
  /** HKDF-Extract (RFC 5869 §2.2). An empty salt means HashLen zero bytes. */
  hkdfExtract(name: HashName, salt: Uint8Array, ikm: Uint8Array): Promise<Uint8Array>;
  /** HKDF-Expand (RFC 5869 §2.3), over HMAC: SubtleCrypto cannot expand without extracting. */
  hkdfExpand(name: HashName, prk: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array>;
  /**
   * Optional: the digest of `data`, computed synchronously. Providers whose primitives are synchronous (node:crypto)
   * offer it with `hkdfExpandSync`; together they make `Ssl.exportKeyingMaterialSync` available.
   */
  hashSync?(name: HashName, data: Uint8Array): Uint8Array;
  /** Optional: HKDF-Expand (RFC 5869 §2.3) computed synchronously (see `hashSync`). */
  hkdfExpandSync?(name: HashName, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  /** True when this provider implements the AEAD (a custom provider may lack some). */
  supportsAead(name: AeadName): boolean;
  /** Import a raw AEAD key for record protection. */
  importAeadKey(name: AeadName, key: Uint8Array): Promise<AeadKey>;
  /** True when this provider can do key exchange in the group. */
  supportsGroup(group: GroupName): boolean;
  /** A fresh ephemeral key pair for the group (for a KEM group: the client's side). */
  generateKeyShare(group: GroupName): Promise<KeyShare>;
  /**
   * The server's side of a KEM group (the hybrid ML-KEM groups) in one step: encapsulate to the client's share,
   * giving our share (the ciphertext, with the ECDH half) and the shared secret; null when the client's share is
   * invalid (wrong length, an encapsulation key that fails the FIPS 203 modulus check, a refused ECDH half).
   * Required for KEM groups, which have no server key pair; never called for the Diffie-Hellman groups (the engine
   * uses `generateKeyShare` and `deriveSecret` there).
   */
  encapsulate?(group: GroupName, peerShare: Uint8Array): Promise<Encapsulation | null>;
  /** Import a PKCS#8 DER private key whose algorithm the caller already identified. */
  importSigningKey(type: PrivateKeyType, pkcs8: Uint8Array): Promise<SigningKey>;
  /**
   * Verify a signature made with `scheme` by the key in `spki` (SubjectPublicKeyInfo DER).
   * ECDSA signatures are DER. Resolves false for a bad signature, a key that does not fit the scheme or
   * an undecodable key; never rejects because of peer-controlled input.
   */
  verify(scheme: SignatureSchemeName, spki: Uint8Array, data: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

export function hashLength(name: HashName): number {
  return name === 'SHA-256' ? 32 : name === 'SHA-384' ? 48 : 64;
}
