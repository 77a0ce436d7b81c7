/// <reference types="node" />
/**
 * A `CryptoProvider` over `node:crypto`: every primitive runs synchronously in OpenSSL (the promises the
 * interface asks for are already resolved), so a record costs one cipher call and no thread-pool round trip; its
 * AEAD keys also offer `sealSync`/`openSync`, the record layer's synchronous path. It is the core's default under
 * Node: package.json "imports" maps `#default-crypto` here for the "node" condition (crypto/default-crypto.ts
 * elsewhere), and `@memtls/core/node-crypto` exports it.
 *
 * It imports no `node:` module: it asks the running Node for `node:crypto` with `process.getBuiltinModule`
 * (Node >= 20.16), so the core has no Node import anywhere and bundles for browsers whatever a bundler reaches;
 * a browser bundle resolves `#default-crypto` to crypto/default-crypto.ts and does not even include this module.
 * Outside Node, loading this module throws a TypeError that says so.
 *
 * Rules (as the WebCrypto provider's): peer-controlled input never makes a method reject — a bad tag, an
 * invalid key share, a malformed signature or key resolve to null/false; programmer errors throw TypeError or
 * RangeError. Keys are imported once (AEAD keys per traffic key, verify keys in a bounded LRU).
 */
import { type HybridParts, hybridEncapsulate, hybridKeyShare, isHybridGroup } from './hybrid.js';
import type { AeadKey, AeadName, CryptoProvider, GroupName, HashName, KeyShare, PrivateKeyType, SignatureSchemeName, SigningKey } from './provider.js';

/** `node:crypto` from the running Node, without an import (see the module comment). */
function nodeCrypto() {
  const p = (globalThis as { process?: Partial<NodeJS.Process> }).process;
  if (typeof p?.getBuiltinModule !== 'function') throw new TypeError('memtls: the node:crypto provider needs Node >= 20.16 (process.getBuiltinModule)');
  return p.getBuiltinModule('node:crypto');
}
const {
  constants,
  createCipheriv,
  createDecipheriv,
  createECDH,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  diffieHellman,
  sign: nodeSign,
  verify: nodeVerify,
  randomFillSync,
} = nodeCrypto();
type KeyObject = ReturnType<typeof createSecretKey>;

const HASH_ALG: Record<HashName, string> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
const HASH_LEN: Record<HashName, number> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };
const AEAD: Record<AeadName, { cipher: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305'; keyLen: number }> = {
  'AES-128-GCM': { cipher: 'aes-128-gcm', keyLen: 16 },
  'AES-256-GCM': { cipher: 'aes-256-gcm', keyLen: 32 },
  'CHACHA20-POLY1305': { cipher: 'chacha20-poly1305', keyLen: 32 },
};
const TAG = 16;

interface SchemeInfo {
  hash: string | null;
  keyType: 'ec' | 'rsa' | 'rsa-pss' | 'ed25519';
  curve?: string;
  padding?: number;
  saltLength?: number;
}

const SCHEMES: Record<SignatureSchemeName, SchemeInfo> = {
  ecdsa_secp256r1_sha256: { hash: 'sha256', keyType: 'ec', curve: 'prime256v1' },
  ecdsa_secp384r1_sha384: { hash: 'sha384', keyType: 'ec', curve: 'secp384r1' },
  ecdsa_secp521r1_sha512: { hash: 'sha512', keyType: 'ec', curve: 'secp521r1' },
  rsa_pss_rsae_sha256: { hash: 'sha256', keyType: 'rsa', padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
  rsa_pss_rsae_sha384: { hash: 'sha384', keyType: 'rsa', padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 },
  rsa_pss_rsae_sha512: { hash: 'sha512', keyType: 'rsa', padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 },
  rsa_pss_pss_sha256: { hash: 'sha256', keyType: 'rsa-pss', padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
  rsa_pss_pss_sha384: { hash: 'sha384', keyType: 'rsa-pss', padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 },
  rsa_pss_pss_sha512: { hash: 'sha512', keyType: 'rsa-pss', padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 },
  rsa_pkcs1_sha256: { hash: 'sha256', keyType: 'rsa', padding: constants.RSA_PKCS1_PADDING },
  rsa_pkcs1_sha384: { hash: 'sha384', keyType: 'rsa', padding: constants.RSA_PKCS1_PADDING },
  rsa_pkcs1_sha512: { hash: 'sha512', keyType: 'rsa', padding: constants.RSA_PKCS1_PADDING },
  ed25519: { hash: null, keyType: 'ed25519' },
  // TLS 1.2 ECDSA: the hash only, on the key's own curve (P-256, P-384 or P-521).
  ecdsa_sha256: { hash: 'sha256', keyType: 'ec' },
  ecdsa_sha384: { hash: 'sha384', keyType: 'ec' },
  ecdsa_sha512: { hash: 'sha512', keyType: 'ec' },
};

const TLS_CURVES: ReadonlySet<string | undefined> = new Set(['prime256v1', 'secp384r1', 'secp521r1']);

const KEY_TYPE_OF: Record<PrivateKeyType, { type: string; curve?: string }> = {
  'ec-p256': { type: 'ec', curve: 'prime256v1' },
  'ec-p384': { type: 'ec', curve: 'secp384r1' },
  rsa: { type: 'rsa' },
  ed25519: { type: 'ed25519' },
};

const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.length);

function keyFits(key: KeyObject, s: SchemeInfo): boolean {
  const t = key.asymmetricKeyType;
  if (s.keyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    return t === 'ec' && (s.curve === undefined ? TLS_CURVES.has(curve) : curve === s.curve);
  }
  if (s.keyType === 'rsa-pss') return t === 'rsa' || t === 'rsa-pss';
  return t === s.keyType;
}

function signOpts(key: KeyObject, s: SchemeInfo) {
  if (s.keyType === 'ec') return { key, dsaEncoding: 'der' as const };
  if (s.padding === undefined) return key;
  return s.saltLength === undefined ? { key, padding: s.padding } : { key, padding: s.padding, saltLength: s.saltLength };
}

function makeAeadKey(name: AeadName, raw: Uint8Array): AeadKey {
  const { cipher, keyLen } = AEAD[name];
  if (raw.length !== keyLen) throw new RangeError(`${name} needs a ${keyLen}-byte key`);
  const key = createSecretKey(raw);
  // node:crypto cannot give a cipher a new IV: each record costs one createCipheriv (docs/performance.md, issue 16).
  const sealSync = (nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array => {
    // The GCM and ChaCha20-Poly1305 overloads have the same shape (setAAD, getAuthTag).
    const c = createCipheriv(cipher as 'aes-128-gcm', key, nonce, { authTagLength: TAG });
    c.setAAD(aad, { plaintextLength: plaintext.length });
    const body = c.update(plaintext);
    c.final();
    const out = new Uint8Array(body.length + TAG);
    out.set(body);
    out.set(c.getAuthTag(), body.length);
    return out;
  };
  const sealRecordSync = (nonce: Uint8Array, header: Uint8Array, plaintext: Uint8Array, innerType: number, padding: number): Uint8Array => {
    const c = createCipheriv(cipher as 'aes-128-gcm', key, nonce, { authTagLength: TAG });
    const innerLen = plaintext.length + 1 + padding;
    c.setAAD(header, { plaintextLength: innerLen });
    // The inner plaintext (content, type, zero padding) is laid out in the record itself and encrypted in one call.
    const h = header.length;
    const out = new Uint8Array(h + innerLen + TAG);
    out.set(header);
    out.set(plaintext, h);
    out[h + plaintext.length] = innerType;
    out.set(c.update(out.subarray(h, h + innerLen)), h);
    c.final();
    out.set(c.getAuthTag(), h + innerLen);
    return out;
  };
  const openSync = (nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array | null => {
    if (ciphertext.length < TAG) return null;
    try {
      const d = createDecipheriv(cipher as 'aes-128-gcm', key, nonce, { authTagLength: TAG });
      d.setAuthTag(ciphertext.subarray(ciphertext.length - TAG));
      d.setAAD(aad, { plaintextLength: ciphertext.length - TAG });
      const body = d.update(ciphertext.subarray(0, ciphertext.length - TAG));
      d.final();
      return u8(body);
    } catch {
      return null;
    }
  };
  return {
    name,
    seal: (nonce, aad, plaintext) => Promise.resolve(sealSync(nonce, aad, plaintext)),
    sealRecord: (nonce, header, plaintext, innerType, padding) => Promise.resolve(sealRecordSync(nonce, header, plaintext, innerType, padding)),
    open: (nonce, aad, ciphertext) => Promise.resolve(openSync(nonce, aad, ciphertext)),
    sealSync,
    sealRecordSync,
    openSync,
  };
}

function x25519Share(): KeyShare {
  // Not generateKeyPairSync: Node 20 keeps the generated key in the job object until a GC collects it, and that
  // job's destructor takes the key's mutex; a GC inside export() (which holds that mutex while it allocates)
  // then deadlocks the process (seen in `pnpm bench`'s memory run; test/node-crypto-deadlock.test.ts). Importing
  // 32 random bytes as a JWK private key makes no job, costs the same, and JWK is ~100x cheaper than DER here.
  const d = randomFillSync(Buffer.alloc(32));
  // Node derives the public key from d; x must be a string but is not used for a private key (checked by the test).
  const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: d.toString('base64url'), x: '' }, format: 'jwk' });
  d.fill(0);
  const pub = u8(Buffer.from(privateKey.export({ format: 'jwk' }).x as string, 'base64url'));
  return {
    group: 'x25519',
    publicKey: pub,
    deriveSecret(peer) {
      if (peer.length !== 32) return Promise.resolve(null);
      try {
        const peerKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(peer).toString('base64url') }, format: 'jwk' });
        const secret = u8(diffieHellman({ privateKey, publicKey: peerKey }));
        // RFC 8446 §7.4.2: an all-zero X25519 result must be refused.
        return Promise.resolve(secret.every((b) => b === 0) ? null : secret);
      } catch {
        return Promise.resolve(null);
      }
    },
  };
}

function ecShare(group: 'secp256r1' | 'secp384r1'): KeyShare {
  const ecdh = createECDH(group === 'secp256r1' ? 'prime256v1' : 'secp384r1');
  const pub = u8(ecdh.generateKeys());
  const len = group === 'secp256r1' ? 65 : 97;
  return {
    group,
    publicKey: pub,
    deriveSecret(peer) {
      // RFC 8446 §4.2.8.2: only the uncompressed form; OpenSSL checks that the point is on the curve.
      if (peer.length !== len || peer[0] !== 4) return Promise.resolve(null);
      try {
        return Promise.resolve(u8(ecdh.computeSecret(peer)));
      } catch {
        return Promise.resolve(null);
      }
    },
  };
}

/** What the hybrid ML-KEM groups take from this provider: its randomness and its ECDH. */
const HYBRID_PARTS: HybridParts = {
  randomBytes: (n) => u8(randomFillSync(Buffer.alloc(n))),
  generateKeyShare: (g) => Promise.resolve(g === 'x25519' ? x25519Share() : ecShare(g)),
};

/** A 4-byte big-endian length, so that concatenated fields cannot be read two ways. */
const lenPrefix = (n: number): Uint8Array => Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);

/** Add `id` to a bounded set, dropping the oldest entry past `max` (an LRU by insertion: a hit re-inserts). */
function remember(set: Set<string>, id: string, max: number): void {
  set.delete(id);
  set.add(id);
  if (set.size > max) set.delete(set.values().next().value as string);
}

let shared: CryptoProvider | null = null;

/**
 * The provider a context uses when it is given none, under Node (package.json "imports" `#default-crypto`, the
 * "node" condition): one node:crypto provider shared by every such context (it holds no per-connection state).
 */
export function defaultCryptoProvider(): CryptoProvider {
  shared ??= createNodeCryptoProvider();
  return shared;
}

/**
 * Create a `CryptoProvider` over `node:crypto` (Node only): synchronous primitives, ChaCha20-Poly1305 included, and
 * AEAD keys with the synchronous `sealSync`/`openSync` record path. A context given no `crypto` option under Node
 * already uses one.
 */
export function createNodeCryptoProvider(): CryptoProvider {
  const verifyKeys = new Map<string, KeyObject | null>();
  /** Signatures that verified, by the SHA-256 of scheme, key, data and signature (bounded; successes only). */
  const verified = new Set<string>();
  const verifyKey = (spki: Uint8Array): KeyObject | null => {
    const id = Buffer.from(spki.buffer, spki.byteOffset, spki.length).toString('base64');
    const hit = verifyKeys.get(id);
    if (hit !== undefined) return hit;
    let k: KeyObject | null = null;
    try {
      k = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    } catch {
      k = null;
    }
    verifyKeys.set(id, k);
    if (verifyKeys.size > 64) {
      const oldest = verifyKeys.keys().next();
      if (!oldest.done) verifyKeys.delete(oldest.value);
    }
    return k;
  };

  const hmac = (name: HashName, key: Uint8Array, data: Uint8Array): Uint8Array => u8(createHmac(HASH_ALG[name], key).update(data).digest());
  const hkdfExpand = (name: HashName, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array => {
    const n = HASH_LEN[name];
    if (!Number.isSafeInteger(length) || length < 0 || length > 255 * n) throw new RangeError('HKDF-Expand: bad length');
    const out = new Uint8Array(length);
    let t: Uint8Array = new Uint8Array(0);
    for (let i = 1, o = 0; o < length; i++, o += n) {
      t = u8(createHmac(HASH_ALG[name], prk).update(t).update(info).update(Uint8Array.of(i)).digest());
      out.set(t.subarray(0, Math.min(n, length - o)), o);
    }
    return out;
  };

  return {
    synchronous: true,
    randomBytes(length) {
      if (!Number.isSafeInteger(length) || length < 0) throw new RangeError('randomBytes: bad length');
      return randomFillSync(new Uint8Array(length));
    },
    hash(name, data) {
      return Promise.resolve(u8(createHash(HASH_ALG[name]).update(data).digest()));
    },
    hmac(name, key, data) {
      return Promise.resolve(hmac(name, key, data));
    },
    hkdfExtract(name, salt, ikm) {
      return Promise.resolve(hmac(name, salt.length ? salt : new Uint8Array(HASH_LEN[name]), ikm));
    },
    hkdfExpand(name, prk, info, length) {
      try {
        return Promise.resolve(hkdfExpand(name, prk, info, length));
      } catch (e) {
        return Promise.reject(e);
      }
    },
    hashSync: (name, data) => u8(createHash(HASH_ALG[name]).update(data).digest()),
    hkdfExpandSync: hkdfExpand,
    supportsAead: () => true,
    importAeadKey(name, key) {
      if (!(name in AEAD)) return Promise.reject(new TypeError(`unknown AEAD ${String(name)}`));
      return Promise.resolve(makeAeadKey(name, key));
    },
    supportsGroup: (g: GroupName) => g === 'x25519' || g === 'secp256r1' || g === 'secp384r1' || isHybridGroup(g),
    generateKeyShare(group) {
      if (group === 'x25519') return Promise.resolve(x25519Share());
      if (group === 'secp256r1' || group === 'secp384r1') return Promise.resolve(ecShare(group));
      // ML-KEM-768: Node 20's node:crypto has none, so @memtls/core's composition over @noble/post-quantum.
      if (isHybridGroup(group)) return hybridKeyShare(group, HYBRID_PARTS);
      return Promise.reject(new TypeError(`unknown group ${String(group)}`));
    },
    encapsulate(group, peerShare) {
      if (!isHybridGroup(group)) return Promise.reject(new TypeError(`encapsulate: ${String(group)} is not a KEM group`));
      return hybridEncapsulate(group, peerShare, HYBRID_PARTS);
    },
    importSigningKey(type, pkcs8) {
      const want = KEY_TYPE_OF[type];
      if (!want) return Promise.reject(new TypeError(`unknown key type ${String(type)}`));
      let key: KeyObject;
      try {
        key = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
      } catch (e) {
        return Promise.reject(new TypeError(`the PKCS#8 key does not decode (${(e as Error).message})`));
      }
      if (key.asymmetricKeyType !== want.type || (want.curve && key.asymmetricKeyDetails?.namedCurve !== want.curve)) {
        return Promise.reject(new TypeError(`the PKCS#8 key is not a ${type} key`));
      }
      const bits = key.asymmetricKeyDetails?.modulusLength ?? (type === 'ec-p384' ? 384 : 256);
      const signer: SigningKey = {
        type,
        bits,
        sign(scheme, data) {
          const s = SCHEMES[scheme];
          if (!s || !keyFits(key, s) || s.keyType === 'rsa-pss') return Promise.reject(new TypeError(`a ${type} key cannot sign ${scheme}`));
          return Promise.resolve(u8(nodeSign(s.hash, data, signOpts(key, s))));
        },
      };
      return Promise.resolve(signer);
    },
    verify(scheme, spki, data, signature) {
      const s = SCHEMES[scheme];
      if (!s) return Promise.resolve(false);
      const key = verifyKey(spki);
      if (!key || !keyFits(key, s)) return Promise.resolve(false);
      // A signature that verified is remembered by the SHA-256 of exactly what was verified (a certificate of the
      // same chain, handshake after handshake): only successes are kept, so a hit can never make a bad one pass.
      const id = createHash('sha256').update(scheme).update(lenPrefix(spki.length)).update(spki).update(lenPrefix(data.length)).update(data).update(signature).digest('base64');
      if (verified.has(id)) {
        remember(verified, id, 64);
        return Promise.resolve(true);
      }
      try {
        const ok = nodeVerify(s.hash, data, signOpts(key, s), signature);
        if (ok) remember(verified, id, 64);
        return Promise.resolve(ok);
      } catch {
        return Promise.resolve(false);
      }
    },
  };
}
