/**
 * @memtls/crypto-null: a `CryptoProvider` with NO SECURITY AT ALL, for tests and fuzzing only.
 *
 * Why it exists: a fuzzer that mutates encrypted handshake messages, or injects messages into the encrypted
 * part of a handshake, never gets past the AEAD and the signatures with real crypto. With this provider the
 * engine still runs its whole key schedule (real SHA-2, HMAC and HKDF from node:crypto), but
 *
 * - the "AEAD" is the identity: ciphertext = plaintext || 16-byte checksum. By default the checksum covers the
 *   AAD (the record header, length included) and the plaintext but NOT the key or the nonce, so any record can
 *   be opened, mutated and re-sealed by a test without knowing which key or sequence number the engine is at
 *   (`nullOpenRecord` / `nullSealRecord`). `strictAead: true` also binds key and nonce, which makes the engine's
 *   key and sequence-number discipline observable (both ends must agree, as with a real AEAD);
 * - key shares are random byte strings of the right shape, and both ends compute the same shared secret from
 *   the two public values (so a man in the middle can compute it too);
 * - a signature is a hash over (scheme, the signer's SubjectPublicKeyInfo, data): `verify` accepts exactly
 *   what `sign` produced for that key and scheme, and `nullSignature` lets a test forge one for any key;
 *   certificate-chain signatures made by a real CA do not verify (use `verifyPeer: false`, or a
 *   `verifyCallback`, with this provider);
 * - randomness is a deterministic stream from a seed, so a fuzz case replays byte for byte.
 *
 * Rules:
 * - `createNullProvider()` throws unless `process.env.MEMTLS_INSECURE_TEST_CRYPTO === '1'`: it cannot be
 *   selected by accident outside the test and fuzz scripts (which set the variable). The package is published
 *   only for fuzzing with @memtls/fast-check; its name, description and README say it has no security.
 * - Peer-controlled input never makes a method reject (the `CryptoProvider` contract): a bad checksum is
 *   `null`, a bad signature `false`, a malformed key share `null`.
 */
import { createHash, createHmac, createPrivateKey, createPublicKey } from 'node:crypto';
import type {
  AeadKey,
  AeadName,
  CryptoProvider,
  HashName,
  KeyShare,
  PrivateKeyType,
  SignatureSchemeName,
  SigningKey,
} from '@memtls/core';
import { hybridEncapsulate, hybridKeyShare, isHybridGroup } from '@memtls/core';

/** The environment variable that has to be '1' for `createNullProvider()` to work. */
export const INSECURE_ENV = 'MEMTLS_INSECURE_TEST_CRYPTO';
/** Length of the null AEAD's checksum ("tag"), as AES-GCM's. */
export const NULL_TAG_LENGTH = 16;

export interface NullProviderOptions {
  /** Seed of the deterministic random stream (default 0). Two providers with one seed draw the same bytes. */
  seed?: number | string;
  /** Bind the AEAD checksum to the key and the nonce as well (default false: see the module comment). */
  strictAead?: boolean;
  /** Declare the provider `synchronous` (the engine then works one record at a time instead of pipelining). */
  synchronous?: boolean;
  /** Offer the optional `AeadKey.sealRecord` fast path (default false: the engine builds records itself). */
  sealRecord?: boolean;
}

/** True when the insecure test provider may be created in this process. */
export function insecureTestCryptoEnabled(): boolean {
  return typeof process !== 'undefined' && process.env[INSECURE_ENV] === '1';
}

const NODE_HASH: Readonly<Record<HashName, string>> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
const HASH_LEN: Readonly<Record<HashName, number>> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };
const AEAD_KEY_LEN: Readonly<Record<AeadName, number>> = { 'AES-128-GCM': 16, 'AES-256-GCM': 32, 'CHACHA20-POLY1305': 32 };
/** key_share shapes: public key length, uncompressed-point prefix, shared secret length. */
type EcdhGroup = 'x25519' | 'secp256r1' | 'secp384r1';
const GROUPS: Readonly<Record<EcdhGroup, { publicLength: number; prefix: number | null; secretLength: number }>> = {
  x25519: { publicLength: 32, prefix: null, secretLength: 32 },
  secp256r1: { publicLength: 65, prefix: 0x04, secretLength: 32 },
  secp384r1: { publicLength: 97, prefix: 0x04, secretLength: 48 },
};

const enc = new TextEncoder();
const DOMAIN_AEAD = enc.encode('memtls-null-aead-v1');
const DOMAIN_AEAD_STRICT = enc.encode('memtls-null-aead-strict-v1');
const DOMAIN_KX = enc.encode('memtls-null-kx-v1');
const DOMAIN_SIG = enc.encode('memtls-null-sig-v1');
const DOMAIN_RNG = enc.encode('memtls-null-rng-v1');
/** Every null signature starts with this, so a test can tell one from a real signature in a capture. */
export const NULL_SIGNATURE_PREFIX = enc.encode('NULLSIG1');

function u16(n: number): Uint8Array {
  return new Uint8Array([(n >> 8) & 0xff, n & 0xff]);
}

function digest(name: string, ...parts: Uint8Array[]): Uint8Array {
  const h = createHash(name);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

function hmacSync(name: HashName, key: Uint8Array, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac(NODE_HASH[name], key).update(data).digest());
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= (a[i] as number) ^ (b[i] as number);
  return d === 0;
}

function compare(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

function checkHash(name: HashName): string {
  const n = Object.hasOwn(NODE_HASH, name) ? NODE_HASH[name] : undefined;
  if (n === undefined) throw new TypeError(`null provider: unknown hash ${String(name)}`);
  return n;
}

// ------------------------------------------------------------------ the null AEAD

function checksum(aad: Uint8Array, plaintext: Uint8Array, keyAndNonce: { key: Uint8Array; nonce: Uint8Array } | null): Uint8Array {
  const parts = keyAndNonce
    ? [DOMAIN_AEAD_STRICT, u16(keyAndNonce.key.length), keyAndNonce.key, keyAndNonce.nonce, u16(aad.length), aad, plaintext]
    : [DOMAIN_AEAD, u16(aad.length), aad, plaintext];
  return digest('sha256', ...parts).subarray(0, NULL_TAG_LENGTH);
}

/**
 * Seal with the (non-strict) null AEAD: `plaintext || checksum(aad, plaintext)`.
 * @param aad the additional data: in TLS 1.3 the 5-byte record header, whose length field counts the tag.
 */
export function nullSeal(aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const out = new Uint8Array(plaintext.length + NULL_TAG_LENGTH);
  out.set(plaintext);
  out.set(checksum(aad, plaintext, null), plaintext.length);
  return out;
}

/** Open a (non-strict) null AEAD ciphertext: the plaintext, or null when the checksum does not match. */
export function nullOpen(aad: Uint8Array, ciphertext: Uint8Array): Uint8Array | null {
  if (ciphertext.length < NULL_TAG_LENGTH) return null;
  const pt = ciphertext.subarray(0, ciphertext.length - NULL_TAG_LENGTH);
  return equal(checksum(aad, pt, null), ciphertext.subarray(pt.length)) ? pt.slice() : null;
}

/**
 * A complete TLS 1.3 protected record (RFC 8446 §5.2) as a null-provider engine would write it, under any key
 * and sequence number: header `17 03 03 len`, then `content || innerType || zeros(padding)` sealed.
 * @throws RangeError when the record would exceed 2^16-1 bytes of body (tests may exceed 2^14+256 on purpose).
 */
export function nullSealRecord(innerType: number, content: Uint8Array, padding = 0): Uint8Array {
  const inner = new Uint8Array(content.length + 1 + padding);
  inner.set(content);
  inner[content.length] = innerType;
  const len = inner.length + NULL_TAG_LENGTH;
  if (len > 0xffff) throw new RangeError('nullSealRecord: record body over 65535 bytes');
  const header = new Uint8Array([23, 3, 3, len >> 8, len & 0xff]);
  const body = nullSeal(header, inner);
  const rec = new Uint8Array(5 + body.length);
  rec.set(header);
  rec.set(body, 5);
  return rec;
}

/**
 * Open a complete protected record (header included) written with a non-strict null provider.
 * @returns the inner content type and content (padding removed), or null when the checksum fails or the
 *   record has no non-zero content type.
 */
export function nullOpenRecord(record: Uint8Array): { type: number; content: Uint8Array } | null {
  if (record.length < 5) return null;
  const inner = nullOpen(record.subarray(0, 5), record.subarray(5));
  if (inner === null) return null;
  let end = inner.length - 1;
  while (end >= 0 && inner[end] === 0) end--;
  if (end < 0) return null;
  return { type: inner[end] as number, content: inner.subarray(0, end) };
}

function makeAeadKey(name: AeadName, key: Uint8Array, strict: boolean, fastPath: boolean): AeadKey {
  const k = key.slice();
  const checkNonce = (nonce: Uint8Array): void => {
    if (nonce.length !== 12) throw new RangeError('null provider: AEAD nonce must be 12 bytes (RFC 8446 §5.3)');
  };
  const fast: Pick<AeadKey, 'sealRecord'> = fastPath
    ? {
        async sealRecord(nonce, header, plaintext, innerType, padding) {
          checkNonce(nonce);
          const inner = new Uint8Array(plaintext.length + 1 + padding);
          inner.set(plaintext);
          inner[plaintext.length] = innerType;
          const rec = new Uint8Array(header.length + inner.length + NULL_TAG_LENGTH);
          rec.set(header);
          rec.set(inner, header.length);
          rec.set(checksum(header, inner, strict ? { key: k, nonce } : null), header.length + inner.length);
          return rec;
        },
      }
    : {};
  return {
    ...fast,
    name,
    async seal(nonce, aad, plaintext) {
      checkNonce(nonce);
      const out = new Uint8Array(plaintext.length + NULL_TAG_LENGTH);
      out.set(plaintext);
      out.set(checksum(aad, plaintext, strict ? { key: k, nonce } : null), plaintext.length);
      return out;
    },
    async open(nonce, aad, ciphertext) {
      checkNonce(nonce);
      if (ciphertext.length < NULL_TAG_LENGTH) return null;
      const pt = ciphertext.subarray(0, ciphertext.length - NULL_TAG_LENGTH);
      const tag = checksum(aad, pt, strict ? { key: k, nonce } : null);
      return equal(tag, ciphertext.subarray(pt.length)) ? pt.slice() : null;
    },
  };
}

// ------------------------------------------------------------------ key exchange

/** The shared secret both ends of a null key exchange compute: a hash of the two public values, sorted. */
export function nullSharedSecret(group: EcdhGroup, a: Uint8Array, b: Uint8Array): Uint8Array {
  const g = GROUPS[group];
  const [lo, hi] = compare(a, b) <= 0 ? [a, b] : [b, a];
  return digest(g.secretLength === 48 ? 'sha384' : 'sha256', DOMAIN_KX, enc.encode(group), u16(lo.length), lo, hi);
}

/** True when `pub` has the shape of a key_share for `group` (length, point prefix, not all zero). */
function validPublic(group: EcdhGroup, pub: Uint8Array): boolean {
  const g = GROUPS[group];
  if (pub.length !== g.publicLength) return false;
  if (g.prefix !== null && pub[0] !== g.prefix) return false;
  let acc = 0;
  for (let i = g.prefix === null ? 0 : 1; i < pub.length; i++) acc |= pub[i] as number;
  return acc !== 0;
}

// ------------------------------------------------------------------ signatures

/**
 * The null signature of `data` by the key whose SubjectPublicKeyInfo is `spki`, under `scheme`: what the
 * null provider's signer produces and its `verify` accepts. Lets a test forge a CertificateVerify.
 */
export function nullSignature(scheme: SignatureSchemeName, spki: Uint8Array, data: Uint8Array): Uint8Array {
  const s = enc.encode(scheme);
  const h = digest('sha512', DOMAIN_SIG, u16(s.length), s, u16(spki.length), spki, data);
  const out = new Uint8Array(NULL_SIGNATURE_PREFIX.length + h.length);
  out.set(NULL_SIGNATURE_PREFIX);
  out.set(h, NULL_SIGNATURE_PREFIX.length);
  return out;
}

const SCHEME_KEY: Readonly<Record<SignatureSchemeName, PrivateKeyType | 'rsa-pss' | 'ec-p521'>> = {
  ecdsa_secp256r1_sha256: 'ec-p256',
  ecdsa_secp384r1_sha384: 'ec-p384',
  ecdsa_secp521r1_sha512: 'ec-p521',
  rsa_pss_rsae_sha256: 'rsa',
  rsa_pss_rsae_sha384: 'rsa',
  rsa_pss_rsae_sha512: 'rsa',
  rsa_pss_pss_sha256: 'rsa-pss',
  rsa_pss_pss_sha384: 'rsa-pss',
  rsa_pss_pss_sha512: 'rsa-pss',
  rsa_pkcs1_sha256: 'rsa',
  rsa_pkcs1_sha384: 'rsa',
  rsa_pkcs1_sha512: 'rsa',
  ed25519: 'ed25519',
  // TLS 1.2 ECDSA: any curve (the signer's own type is accepted below).
  ecdsa_sha256: 'ec-p256',
  ecdsa_sha384: 'ec-p256',
  ecdsa_sha512: 'ec-p256',
};
const CURVE_FREE: ReadonlySet<string> = new Set(['ecdsa_sha256', 'ecdsa_sha384', 'ecdsa_sha512']);

function importSigningKeySync(type: PrivateKeyType, pkcs8: Uint8Array): SigningKey {
  let spki: Uint8Array;
  let bits: number;
  try {
    const priv = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
    const pub = createPublicKey(priv);
    spki = new Uint8Array(pub.export({ type: 'spki', format: 'der' }));
    const kt = priv.asymmetricKeyType;
    const d = priv.asymmetricKeyDetails;
    const actual = kt === 'rsa' ? 'rsa' : kt === 'ed25519' ? 'ed25519' : kt === 'ec' ? (d?.namedCurve === 'prime256v1' ? 'ec-p256' : d?.namedCurve === 'secp384r1' ? 'ec-p384' : 'ec-other') : String(kt);
    if (actual !== type) throw new TypeError(`null provider: the key is ${actual}, not ${type}`);
    bits = kt === 'rsa' ? (d?.modulusLength ?? 0) : type === 'ec-p384' ? 384 : 256;
  } catch (e) {
    throw e instanceof TypeError ? e : new TypeError(`null provider: cannot import the ${type} key`);
  }
  return {
    type,
    bits,
    async sign(scheme, data) {
      const fits = CURVE_FREE.has(scheme) ? type === 'ec-p256' || type === 'ec-p384' : SCHEME_KEY[scheme] === type;
      if (!Object.hasOwn(SCHEME_KEY, scheme) || !fits) throw new TypeError(`null provider: scheme ${String(scheme)} does not fit a ${type} key`);
      return nullSignature(scheme, spki, data);
    },
  };
}

// ------------------------------------------------------------------ the provider

/**
 * Create the test-only null provider.
 * @throws Error unless `process.env.MEMTLS_INSECURE_TEST_CRYPTO === '1'`.
 * @example
 * process.env.MEMTLS_INSECURE_TEST_CRYPTO = '1'; // test scripts only
 * const ctx = new SslContext({ role: 'server', cert, key, crypto: createNullProvider() });
 */
export function createNullProvider(opts: NullProviderOptions = {}): CryptoProvider {
  if (!insecureTestCryptoEnabled()) {
    throw new Error(`@memtls/crypto-null provides NO SECURITY and is for tests only; set ${INSECURE_ENV}=1 in a test process to use it`);
  }
  const seed = enc.encode(String(opts.seed ?? 0));
  const strict = opts.strictAead === true;
  let counter = 0;

  function randomBytes(length: number): Uint8Array {
    if (!Number.isInteger(length) || length < 0) throw new RangeError('randomBytes: length must be a non-negative integer');
    const out = new Uint8Array(length);
    for (let o = 0; o < length; o += 32) {
      const c = new Uint8Array(8);
      new DataView(c.buffer).setFloat64(0, counter++);
      const block = digest('sha256', DOMAIN_RNG, u16(seed.length), seed, c);
      out.set(block.subarray(0, Math.min(32, length - o)), o);
    }
    return out;
  }

  // `provider` is named (not `this`): callers may pass its methods around unbound.
  const provider: CryptoProvider = {
    ...(opts.synchronous ? { synchronous: true } : {}),
    randomBytes,
    async hash(name, data) {
      return digest(checkHash(name), data);
    },
    async hmac(name, key, data) {
      checkHash(name);
      return hmacSync(name, key, data);
    },
    async hkdfExtract(name, salt, ikm) {
      checkHash(name);
      return hmacSync(name, salt.length ? salt : new Uint8Array(HASH_LEN[name]), ikm);
    },
    async hkdfExpand(name, prk, info, length) {
      checkHash(name);
      const hl = HASH_LEN[name];
      if (!Number.isInteger(length) || length < 0 || length > 255 * hl) throw new RangeError('hkdfExpand: bad length');
      const out = new Uint8Array(length);
      let t: Uint8Array = new Uint8Array(0);
      for (let i = 1, o = 0; o < length; i++, o += hl) {
        const input = new Uint8Array(t.length + info.length + 1);
        input.set(t);
        input.set(info, t.length);
        input[input.length - 1] = i;
        t = hmacSync(name, prk, input);
        out.set(t.subarray(0, Math.min(hl, length - o)), o);
      }
      return out;
    },
    supportsAead(name) {
      return Object.hasOwn(AEAD_KEY_LEN, name);
    },
    async importAeadKey(name, key) {
      const len = Object.hasOwn(AEAD_KEY_LEN, name) ? AEAD_KEY_LEN[name] : undefined;
      if (len === undefined) throw new TypeError(`null provider: unknown AEAD ${String(name)}`);
      if (key.length !== len) throw new RangeError(`null provider: ${name} key must be ${len} bytes`);
      return makeAeadKey(name, key, strict, opts.sealRecord === true);
    },
    supportsGroup(group) {
      return Object.hasOwn(GROUPS, group) || isHybridGroup(group);
    },
    // The hybrid groups: the real ML-KEM-768 (deterministic under this provider's randomness) joined to the null
    // ECDH below, so the fuzzer reaches the hybrid share checks with the real lengths and encapsulation key check.
    async encapsulate(group, peerShare) {
      if (!isHybridGroup(group)) throw new TypeError(`null provider: ${String(group)} is not a KEM group`);
      return hybridEncapsulate(group, peerShare, provider);
    },
    async generateKeyShare(group): Promise<KeyShare> {
      if (isHybridGroup(group)) return hybridKeyShare(group, provider);
      if (!Object.hasOwn(GROUPS, group)) throw new TypeError(`null provider: unknown group ${String(group)}`);
      const ecdh = group as EcdhGroup;
      const g = GROUPS[ecdh];
      const publicKey = randomBytes(g.publicLength);
      if (g.prefix !== null) publicKey[0] = g.prefix;
      publicKey[publicKey.length - 1] = (publicKey[publicKey.length - 1] as number) | 1; // never all zero
      return {
        group,
        publicKey,
        async deriveSecret(peer) {
          return validPublic(ecdh, peer) ? nullSharedSecret(ecdh, publicKey, peer) : null;
        },
      };
    },
    async importSigningKey(type, pkcs8) {
      return importSigningKeySync(type, pkcs8);
    },
    async verify(scheme, spki, data, signature) {
      if (!Object.hasOwn(SCHEME_KEY, scheme)) return false;
      return equal(nullSignature(scheme, spki, data), signature);
    },
  };
  return provider;
}
