/**
 * A `CryptoProvider` over any WebCrypto `Crypto` object: a browser's or Node's `globalThis.crypto`, or
 * `@peculiar/webcrypto`. The object is passed in; this module reads no ambient global.
 *
 * Rules:
 * - Peer-controlled input (AEAD ciphertext, key shares, signatures, SPKI from certificates) never makes a
 *   method reject: failures resolve to `null` / `false`. Programmer errors (wrong key length, unsupported
 *   algorithm, a scheme that does not fit the key) reject with TypeError / RangeError.
 * - Implementations differ in what they check (Node's native WebCrypto validates SPKI algorithms and EC points,
 *   @peculiar/webcrypto accepts e.g. a P-384 SPKI as an Ed25519 key). So the AlgorithmIdentifier of every
 *   SPKI / PKCS#8 is matched against the scheme or key type here, not left to the implementation.
 * - Imported keys are cached: AEAD keys inside the AeadKey, RSA signing keys per (padding, hash), and verify
 *   keys in a bounded LRU keyed by scheme + SPKI bytes (a CA key checks many certificates).
 * - Callers must not mutate argument buffers until the returned promise settles.
 */
import { extract as nobleExtract } from '@noble/hashes/hkdf.js';
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { OID as OIDS, oidContent } from '../der/oids.js';
import { encodeDerTlv, readDerTlv } from '../der/tlv.js';
import { concat, fromHex, toHex } from '../wire/bytes.js';
import { chacha20Poly1305Key } from './chacha20-poly1305.js';
import { ecdsaDerToRaw, ecdsaRawToDer } from './ecdsa-der.js';
import { hybridEncapsulate, hybridKeyShare, isHybridGroup } from './hybrid.js';
import type { AeadKey, AeadName, CryptoProvider, HashName } from './provider.js';
import { hashLength, type PrivateKeyType, type SignatureSchemeName, type SigningKey } from './provider.js';
import { generateEcdhShare, isEcdhGroup } from './webcrypto-kx.js';

type Bytes = Uint8Array<ArrayBuffer>;

/** `record[key]` for own keys only: names arrive untyped at runtime ('toString' is not a group). */
const own = <K extends string, V>(record: Readonly<Record<K, V>>, key: K): V | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined;

/** WebCrypto's BufferSource excludes views of a SharedArrayBuffer: copy only in that case. */
const bs = (b: Uint8Array): Bytes => (b.buffer instanceof ArrayBuffer ? (b as Bytes) : new Uint8Array(b));

/** Object identifiers (content bytes, hex) of the algorithms a TLS 1.3 key can carry. */
const OID = {
  ecPublicKey: toHex(oidContent(OIDS.ecPublicKey)), // RFC 5480
  ed25519: toHex(oidContent(OIDS.ed25519)), // RFC 8410
  rsaEncryption: toHex(oidContent(OIDS.rsaEncryption)), // RFC 8017
  rsassaPss: toHex(oidContent(OIDS.rsassaPss)), // RFC 4055
  'SHA-256': toHex(oidContent(OIDS.sha256)),
  'SHA-384': toHex(oidContent(OIDS.sha384)),
  'SHA-512': toHex(oidContent(OIDS.sha512)),
} as const;

/** The namedCurve parameter (an OID TLV) of id-ecPublicKey for each curve (RFC 5480 §2.1.1.1). */
const CURVE_PARAMS = {
  'P-256': toHex(encodeDerTlv(0x06, oidContent(OIDS.prime256v1))),
  'P-384': toHex(encodeDerTlv(0x06, oidContent(OIDS.secp384r1))),
  'P-521': toHex(encodeDerTlv(0x06, oidContent(OIDS.secp521r1))),
} as const;

/** AlgorithmIdentifier { rsaEncryption, NULL }: RSA-PSS keys are re-wrapped into it for importKey. */
const RSA_ENCRYPTION_ALGID = toHex(encodeDerTlv(0x30, concat(encodeDerTlv(0x06, oidContent(OIDS.rsaEncryption)), Uint8Array.of(0x05, 0x00))));

type Curve = 'P-256' | 'P-384' | 'P-521';
interface Scheme {
  readonly kind: 'ecdsa' | 'rsa-pss' | 'pkcs1' | 'ed25519';
  readonly hash: HashName;
  /** ECDSA only: the curve the scheme names (TLS 1.3 binds curve and hash) and its field size in bytes. */
  readonly curve?: Curve;
  readonly size?: number;
  /** rsa_pss_pss_*: the key is an id-RSASSA-PSS key, not an rsaEncryption one (RFC 8446 §4.2.3). */
  readonly pssKey?: boolean;
}

const SCHEMES: Readonly<Record<SignatureSchemeName, Scheme>> = {
  ecdsa_secp256r1_sha256: { kind: 'ecdsa', hash: 'SHA-256', curve: 'P-256', size: 32 },
  ecdsa_secp384r1_sha384: { kind: 'ecdsa', hash: 'SHA-384', curve: 'P-384', size: 48 },
  ecdsa_secp521r1_sha512: { kind: 'ecdsa', hash: 'SHA-512', curve: 'P-521', size: 66 },
  rsa_pss_rsae_sha256: { kind: 'rsa-pss', hash: 'SHA-256' },
  rsa_pss_rsae_sha384: { kind: 'rsa-pss', hash: 'SHA-384' },
  rsa_pss_rsae_sha512: { kind: 'rsa-pss', hash: 'SHA-512' },
  rsa_pss_pss_sha256: { kind: 'rsa-pss', hash: 'SHA-256', pssKey: true },
  rsa_pss_pss_sha384: { kind: 'rsa-pss', hash: 'SHA-384', pssKey: true },
  rsa_pss_pss_sha512: { kind: 'rsa-pss', hash: 'SHA-512', pssKey: true },
  rsa_pkcs1_sha256: { kind: 'pkcs1', hash: 'SHA-256' },
  rsa_pkcs1_sha384: { kind: 'pkcs1', hash: 'SHA-384' },
  rsa_pkcs1_sha512: { kind: 'pkcs1', hash: 'SHA-512' },
  ed25519: { kind: 'ed25519', hash: 'SHA-512' },
  // TLS 1.2 ECDSA: the hash only; the curve comes from the key (withCurve).
  ecdsa_sha256: { kind: 'ecdsa', hash: 'SHA-256' },
  ecdsa_sha384: { kind: 'ecdsa', hash: 'SHA-384' },
  ecdsa_sha512: { kind: 'ecdsa', hash: 'SHA-512' },
};

const CURVE_SIZE: Readonly<Record<Curve, number>> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };

/** A TLS 1.2 ECDSA scheme (no curve) completed with the curve of the key, or `s` itself; null for a key on no known curve. */
function withCurve(s: Scheme, a: KeyAlgorithm | null): Scheme | null {
  if (s.kind !== 'ecdsa' || s.curve !== undefined) return s;
  if (a === null || a.oid !== OID.ecPublicKey || a.params === null) return null;
  const params = toHex(a.params);
  const curve = (Object.keys(CURVE_SIZE) as Curve[]).find((c) => CURVE_PARAMS[c] === params);
  return curve === undefined ? null : { ...s, curve, size: CURVE_SIZE[curve] };
}

/** The private key type that can sign with `s`, or null (P-521 and id-RSASSA-PSS keys are not importable). */
const keyTypeFor = (s: Scheme): PrivateKeyType | null =>
  s.kind === 'ecdsa' ? (s.curve === 'P-256' ? 'ec-p256' : s.curve === 'P-384' ? 'ec-p384' : null)
  : s.kind === 'ed25519' ? 'ed25519' : s.pssKey ? null : 'rsa';

function importParams(s: Scheme): AlgorithmIdentifier | EcKeyImportParams | RsaHashedImportParams {
  if (s.kind === 'ecdsa') return { name: 'ECDSA', namedCurve: s.curve as Curve };
  if (s.kind === 'ed25519') return { name: 'Ed25519' };
  return { name: s.kind === 'pkcs1' ? 'RSASSA-PKCS1-v1_5' : 'RSA-PSS', hash: s.hash };
}

function signParams(s: Scheme): AlgorithmIdentifier | EcdsaParams | RsaPssParams {
  if (s.kind === 'ecdsa') return { name: 'ECDSA', hash: s.hash };
  if (s.kind === 'ed25519') return { name: 'Ed25519' };
  // RFC 8446 §4.2.3: "The length of the Salt MUST be equal to the length of the digest algorithm".
  if (s.kind === 'rsa-pss') return { name: 'RSA-PSS', saltLength: hashLength(s.hash) };
  return { name: 'RSASSA-PKCS1-v1_5' };
}

/** The AlgorithmIdentifier of a SubjectPublicKeyInfo (or of a PKCS#8 PrivateKeyInfo), parsed strictly. */
interface KeyAlgorithm {
  readonly oid: string;
  /** The parameters TLV (tag + content), or null when absent. */
  readonly params: Uint8Array | null;
  /** SPKI only: the subjectPublicKey BIT STRING TLV. */
  readonly bitString: Uint8Array;
}

function keyAlgorithm(der: Uint8Array, pkcs8: boolean): KeyAlgorithm | null {
  const outer = readDerTlv(der);
  if (outer === null || outer.tag !== 0x30 || outer.end !== der.length) return null;
  const body = outer.value;
  const version = pkcs8 ? readDerTlv(body) : null;
  if (pkcs8 && (version === null || version.tag !== 0x02)) return null;
  const alg = readDerTlv(body, version?.end ?? 0);
  if (alg === null || alg.tag !== 0x30) return null;
  const oid = readDerTlv(alg.value);
  if (oid === null || oid.tag !== 0x06) return null;
  const params = oid.end < alg.value.length ? readDerTlv(alg.value, oid.end) : null;
  if (params !== null && params.end !== alg.value.length) return null;
  let bitString: Uint8Array = new Uint8Array(0);
  if (!pkcs8) {
    const key = readDerTlv(body, alg.end);
    if (key === null || key.tag !== 0x03 || key.end !== body.length) return null;
    bitString = body.subarray(alg.end);
  }
  return { oid: toHex(oid.value), params: params && alg.value.subarray(oid.end), bitString };
}

const isNullOrAbsent = (p: Uint8Array | null): boolean => p === null || toHex(p) === '0500';

/**
 * RFC 4055 §3.1: RSASSA-PSS-params restrict the key to one hash ([0], default SHA-1). Absent parameters
 * mean an unrestricted key. Only the hash is checked: TLS fixes the salt length and MGF1 hash to it.
 */
function pssParamsAllow(params: Uint8Array | null, hash: HashName): boolean {
  if (params === null) return true;
  const seq = readDerTlv(params);
  if (seq === null || seq.tag !== 0x30) return false;
  const hashField = readDerTlv(seq.value);
  if (hashField === null || hashField.tag !== 0xa0) return false; // default SHA-1: never a TLS 1.3 scheme
  const hashAlg = readDerTlv(hashField.value);
  const hashOid = hashAlg && hashAlg.tag === 0x30 ? readDerTlv(hashAlg.value) : null;
  return hashOid !== null && hashOid.tag === 0x06 && toHex(hashOid.value) === OID[hash];
}

/** True when the key algorithm `a` is the one scheme `s` names (RFC 8446 §4.2.3). */
function algorithmFits(a: KeyAlgorithm, s: Scheme): boolean {
  switch (s.kind) {
    case 'ecdsa':
      return a.oid === OID.ecPublicKey && a.params !== null && toHex(a.params) === CURVE_PARAMS[s.curve as Curve];
    case 'ed25519':
      return a.oid === OID.ed25519 && a.params === null;
    case 'pkcs1':
      return a.oid === OID.rsaEncryption && isNullOrAbsent(a.params);
    case 'rsa-pss':
      return s.pssKey
        ? a.oid === OID.rsassaPss && pssParamsAllow(a.params, s.hash)
        : a.oid === OID.rsaEncryption && isNullOrAbsent(a.params);
  }
}

const KEY_TYPE_SCHEME: Readonly<Record<PrivateKeyType, SignatureSchemeName>> = {
  'ec-p256': 'ecdsa_secp256r1_sha256',
  'ec-p384': 'ecdsa_secp384r1_sha384',
  rsa: 'rsa_pkcs1_sha256',
  ed25519: 'ed25519',
};

/**
 * An AES-GCM AeadKey over a WebCrypto key still being imported: the import runs on the implementation's own
 * thread while the handshake goes on, and the first seal or open waits for it (a handshake installs four keys
 * and uses each only later; awaiting each import in turn cost a thread round trip apiece).
 */
function makeAeadKey(subtle: SubtleCrypto, name: AeadName, importing: Promise<CryptoKey>): AeadKey {
  const params = (nonce: Uint8Array, aad: Uint8Array): AesGcmParams => {
    if (nonce.length !== 12) throw new RangeError('AES-GCM nonce must be 12 bytes (RFC 8446 §5.3)');
    return { name: 'AES-GCM', iv: bs(nonce), additionalData: bs(aad), tagLength: 128 };
  };
  return {
    name,
    async seal(nonce, aad, plaintext) {
      const p = params(nonce, aad);
      return new Uint8Array(await subtle.encrypt(p, await importing, bs(plaintext)));
    },
    async open(nonce, aad, ciphertext) {
      const p = params(nonce, aad);
      if (ciphertext.length < 16) return null; // shorter than the tag
      const key = await importing;
      try {
        return new Uint8Array(await subtle.decrypt(p, key, bs(ciphertext)));
      } catch {
        // Arguments are checked above, so any rejection is an authentication failure. Native WebCrypto
        // throws OperationError; @peculiar/webcrypto leaks Node's plain Error ("unable to authenticate data").
        return null;
      }
    },
  };
}

/** Bounded LRU of imported verify keys (a failed import is cached as null too). */
const VERIFY_KEY_CACHE_SIZE = 32;

/**
 * Create a CryptoProvider backed by a WebCrypto implementation.
 * @param crypto a WebCrypto `Crypto` object (`globalThis.crypto` in browsers and Node 20,
 *   `new Crypto()` from @peculiar/webcrypto).
 * @returns a provider with AES-GCM, ChaCha20-Poly1305 (pure JS: WebCrypto has none), x25519 / P-256 / P-384 key
 *   shares, and ECDSA / RSA-PSS / RSASSA-PKCS1-v1_5 / Ed25519 signatures.
 * @example const provider = createWebCryptoProvider(globalThis.crypto);
 */
const NOBLE = { 'SHA-256': sha256, 'SHA-384': sha384, 'SHA-512': sha512 } as const;

/**
 * A `CryptoProvider` over a WebCrypto object (`globalThis.crypto` in browsers, workers and Node); hashes come from
 * @noble/hashes, and ChaCha20-Poly1305, which WebCrypto lacks, from @noble/ciphers (chacha20-poly1305.ts).
 */
export function createWebCryptoProvider(crypto: Crypto): CryptoProvider {
  const subtle = crypto.subtle;
  const kx = {
    randomBytes: (n: number) => provider.randomBytes(n),
    generateKeyShare: (g: 'x25519' | 'secp256r1') => generateEcdhShare(subtle, g),
  };
  const verifyKeys = new Map<string, Promise<CryptoKey | null>>();

  async function importVerifyKey(s: Scheme, spki: Uint8Array): Promise<CryptoKey | null> {
    const a = keyAlgorithm(spki, false);
    if (a === null || !algorithmFits(a, s)) return null;
    // Node's WebCrypto refuses id-RSASSA-PSS keys; the RSAPublicKey inside is the same, so re-wrap it.
    const body = s.pssKey ? encodeDerTlv(0x30, concat(fromHex(RSA_ENCRYPTION_ALGID), a.bitString)) : spki;
    return subtle.importKey('spki', bs(body), importParams(s), false, ['verify']);
  }

  function verifyKey(scheme: SignatureSchemeName, s: Scheme, spki: Uint8Array): Promise<CryptoKey | null> {
    const id = `${scheme}:${toHex(spki)}`;
    const hit = verifyKeys.get(id);
    if (hit !== undefined) {
      verifyKeys.delete(id); // move to the most recently used end
      verifyKeys.set(id, hit);
      return hit;
    }
    const p = importVerifyKey(s, spki).catch(() => null);
    verifyKeys.set(id, p);
    const oldest = verifyKeys.keys().next();
    if (verifyKeys.size > VERIFY_KEY_CACHE_SIZE && !oldest.done) verifyKeys.delete(oldest.value);
    return p;
  }

  async function importSigningKey(type: PrivateKeyType, pkcs8: Uint8Array): Promise<SigningKey> {
    // The scheme whose key algorithm `type` names; it is also the first CryptoKey imported.
    const baseName = own(KEY_TYPE_SCHEME, type);
    const base = baseName === undefined ? undefined : SCHEMES[baseName];
    const a = keyAlgorithm(pkcs8, true);
    if (base === undefined || a === null || !algorithmFits(a, base)) {
      throw new TypeError(`PKCS#8 key is not a ${String(type)} key`);
    }
    // One CryptoKey per (padding, hash): WebCrypto binds both to the key. Imported lazily, then cached.
    const keys = new Map<string, Promise<CryptoKey>>();
    const keyFor = (s: Scheme): Promise<CryptoKey> => {
      const id = `${s.kind}:${s.hash}`;
      let p = keys.get(id);
      if (p === undefined) {
        p = subtle.importKey('pkcs8', bs(pkcs8), importParams(s), false, ['sign']);
        p.catch(() => keys.delete(id));
        keys.set(id, p);
      }
      return p;
    };
    const first = await keyFor(base);
    const bits = type === 'rsa' ? (first.algorithm as RsaHashedKeyAlgorithm).modulusLength : type === 'ec-p384' ? 384 : 256;
    return {
      type,
      bits,
      async sign(scheme: SignatureSchemeName, data: Uint8Array): Promise<Uint8Array> {
        const named = own(SCHEMES, scheme);
        const s = named === undefined ? null : withCurve(named, a);
        if (s === null || keyTypeFor(s) !== type) throw new TypeError(`scheme ${scheme} does not fit a ${type} key`);
        const sig = new Uint8Array(await subtle.sign(signParams(s), await keyFor(s), bs(data)));
        return s.kind === 'ecdsa' ? ecdsaRawToDer(sig) : sig;
      },
    };
  }

  const provider: CryptoProvider = {
    randomBytes(length: number): Uint8Array {
      if (!Number.isSafeInteger(length) || length < 0) throw new RangeError('randomBytes: bad length');
      const out = new Uint8Array(length);
      // getRandomValues fills at most 65536 bytes per call (WebCrypto §10.1.1, QuotaExceededError).
      for (let i = 0; i < length; i += 65536) crypto.getRandomValues(out.subarray(i, i + 65536));
      return out;
    },

    // Hashes, HMAC and HKDF run synchronously in JS (@noble/hashes): a TLS 1.3 handshake makes about a
    // hundred of them on small inputs, and each native WebCrypto call costs a thread-pool round trip that is
    // 10-50x the work itself (docs/performance.md). AES-GCM, ECDH and signatures stay in WebCrypto.
    async hash(name, data) {
      return NOBLE[name](data);
    },

    async hmac(name, key, data) {
      return nobleHmac(NOBLE[name], key, data);
    },

    async hkdfExtract(name, salt, ikm) {
      // RFC 5869 §2.2: "if not provided, [salt] is set to a string of HashLen zeros".
      return nobleExtract(NOBLE[name], ikm, salt.length === 0 ? new Uint8Array(hashLength(name)) : salt);
    },

    async hkdfExpand(name, prk, info, length) {
      // RFC 5869 §2.3: L <= 255*HashLen.
      if (!Number.isSafeInteger(length) || length < 0 || length > 255 * hashLength(name)) throw new RangeError('HKDF-Expand: bad length');
      // T(i) = HMAC-Hash(PRK, T(i-1) | info | i); the keyed HMAC state is made once and cloned per block.
      const n = hashLength(name);
      const keyed = nobleHmac.create(NOBLE[name], prk);
      const out = new Uint8Array(length);
      let t: Uint8Array = new Uint8Array(0);
      for (let i = 1, o = 0; o < length; i++, o += n) {
        t = keyed.clone().update(t).update(info).update(Uint8Array.of(i)).digest();
        out.set(t.subarray(0, Math.min(n, length - o)), o);
      }
      return out;
    },

    supportsAead(name) {
      return name === 'AES-128-GCM' || name === 'AES-256-GCM' || name === 'CHACHA20-POLY1305';
    },

    async importAeadKey(name, key) {
      if (name === 'CHACHA20-POLY1305') return chacha20Poly1305Key(key);
      const keyLength = name === 'AES-128-GCM' ? 16 : name === 'AES-256-GCM' ? 32 : 0;
      if (keyLength === 0) throw new TypeError(`AEAD ${String(name)} is not available in WebCrypto`);
      if (key.length !== keyLength) throw new RangeError(`${name} needs a ${keyLength}-byte key`);
      const importing = subtle.importKey('raw', bs(key.slice()), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
      // A raw AES key of the right length always imports; were it refused, seal/open reject with the reason.
      importing.catch(() => undefined);
      return makeAeadKey(subtle, name, importing);
    },

    supportsGroup(group) {
      return isEcdhGroup(group) || isHybridGroup(group);
    },

    async generateKeyShare(group) {
      // ML-KEM-768 comes from @noble/post-quantum (crypto/hybrid.ts): WebCrypto has no KEM yet.
      if (isHybridGroup(group)) return hybridKeyShare(group, kx);
      return generateEcdhShare(subtle, group);
    },

    async encapsulate(group, peerShare) {
      if (!isHybridGroup(group)) throw new TypeError(`encapsulate: ${String(group)} is not a KEM group`);
      return hybridEncapsulate(group, peerShare, kx);
    },

    importSigningKey,

    async verify(scheme, spki, data, signature) {
      const named = own(SCHEMES, scheme);
      if (named === undefined) return false;
      try {
        const s = withCurve(named, keyAlgorithm(spki, false));
        if (s === null) return false;
        const key = await verifyKey(scheme, s, spki);
        if (key === null) return false;
        const sig = s.kind === 'ecdsa' ? ecdsaDerToRaw(signature, s.size as number) : signature;
        if (sig === null) return false;
        return await subtle.verify(signParams(s), key, bs(sig), bs(data));
      } catch {
        return false; // e.g. an RSA signature whose length differs from the modulus
      }
    },
  };
  return provider;
}

export { importKeyShare } from './webcrypto-kx.js';
