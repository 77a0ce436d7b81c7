/**
 * TLS 1.2 key schedule (RFC 5246 §5, §6.3, §7.4.9, §8.1): the PRF (P_hash over the provider's HMAC), the master
 * secret and the extended master secret (RFC 7627 §4), the key block of an AEAD suite, the Finished verify_data
 * and the exporter (RFC 5705 §4).
 *
 * Rule: every function takes the hash explicitly and returns fresh buffers; nothing here holds state.
 */
import type { CryptoProvider, HashName } from '../crypto/provider.js';
import { hashLength } from '../crypto/provider.js';
import { concat, utf8 } from '../wire/bytes.js';

/** PRF(secret, label, seed) = P_<hash>(secret, label || seed), `length` bytes (RFC 5246 §5). */
export async function prf12(p: CryptoProvider, hash: HashName, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Promise<Uint8Array> {
  const labelSeed = concat(utf8(label), seed);
  const out = new Uint8Array(length);
  // A(0) = seed; A(i) = HMAC(secret, A(i-1)); output = HMAC(secret, A(1) || seed) || HMAC(secret, A(2) || seed) ...
  let a = labelSeed;
  for (let off = 0; off < length; ) {
    a = await p.hmac(hash, secret, a);
    const block = await p.hmac(hash, secret, concat(a, labelSeed));
    const n = Math.min(block.length, length - off);
    out.set(block.subarray(0, n), off);
    off += n;
  }
  return out;
}

/** master_secret (RFC 5246 §8.1): PRF(pre_master_secret, "master secret", client_random || server_random)[0..47]. */
export function masterSecret(p: CryptoProvider, hash: HashName, preMaster: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array): Promise<Uint8Array> {
  return prf12(p, hash, preMaster, 'master secret', concat(clientRandom, serverRandom), 48);
}

/**
 * The extended master secret (RFC 7627 §4): PRF(pre_master_secret, "extended master secret", session_hash)[0..47],
 * session_hash being the transcript hash through ClientKeyExchange.
 */
export function extendedMasterSecret(p: CryptoProvider, hash: HashName, preMaster: Uint8Array, sessionHash: Uint8Array): Promise<Uint8Array> {
  return prf12(p, hash, preMaster, 'extended master secret', sessionHash, 48);
}

/** The write keys and fixed IVs of both sides (RFC 5246 §6.3; an AEAD suite has no MAC keys). */
export interface KeyBlock12 {
  clientKey: Uint8Array;
  serverKey: Uint8Array;
  clientIv: Uint8Array;
  serverIv: Uint8Array;
}

/** key_block = PRF(master_secret, "key expansion", server_random || client_random), cut in order (RFC 5246 §6.3). */
export async function keyBlock12(
  p: CryptoProvider,
  hash: HashName,
  master: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  keyLen: number,
  ivLen: number,
): Promise<KeyBlock12> {
  const kb = await prf12(p, hash, master, 'key expansion', concat(serverRandom, clientRandom), 2 * (keyLen + ivLen));
  return {
    clientKey: kb.slice(0, keyLen),
    serverKey: kb.slice(keyLen, 2 * keyLen),
    clientIv: kb.slice(2 * keyLen, 2 * keyLen + ivLen),
    serverIv: kb.slice(2 * keyLen + ivLen, 2 * (keyLen + ivLen)),
  };
}

/** verify_data = PRF(master_secret, finished_label, Hash(handshake_messages))[0..11] (RFC 5246 §7.4.9). */
export function finishedVerifyData12(p: CryptoProvider, hash: HashName, master: Uint8Array, who: 'client' | 'server', transcriptHash: Uint8Array): Promise<Uint8Array> {
  return prf12(p, hash, master, `${who} finished`, transcriptHash, 12);
}

/**
 * The RFC 5705 exporter: PRF(master_secret, label, client_random || server_random [|| context_length || context]).
 * `context` null is OpenSSL's use_context = 0 (no context at all), which differs from an empty context.
 */
export function exporter12(
  p: CryptoProvider,
  hash: HashName,
  master: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  label: string,
  context: Uint8Array | null,
  length: number,
): Promise<Uint8Array> {
  const seed = context === null ? concat(clientRandom, serverRandom) : concat(clientRandom, serverRandom, new Uint8Array([context.length >> 8, context.length & 0xff]), context);
  return prf12(p, hash, master, label, seed, length);
}

/** A synchronous digest (CryptoProvider.hashSync). */
type HashSync = (name: HashName, data: Uint8Array) => Uint8Array;

/** HMAC (RFC 2104) over a synchronous digest: block size 64 bytes for SHA-256, 128 for SHA-384 and SHA-512. */
function hmacSync(hashSync: HashSync, hash: HashName, key: Uint8Array, data: Uint8Array): Uint8Array {
  const block = hashLength(hash) === 32 ? 64 : 128;
  const k = key.length > block ? hashSync(hash, key) : key;
  const ipad = new Uint8Array(block).fill(0x36);
  const opad = new Uint8Array(block).fill(0x5c);
  for (let i = 0; i < k.length; i++) {
    ipad[i] = (ipad[i] as number) ^ (k[i] as number);
    opad[i] = (opad[i] as number) ^ (k[i] as number);
  }
  return hashSync(hash, concat(opad, hashSync(hash, concat(ipad, data))));
}

/**
 * The RFC 5705 exporter computed synchronously, with a provider that has `hashSync` (else null): the PRF over an
 * HMAC built on that digest. Same value as `exporter12`.
 */
export function exporter12Sync(
  p: CryptoProvider,
  hash: HashName,
  master: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  label: string,
  context: Uint8Array | null,
  length: number,
): Uint8Array | null {
  const hashSync = p.hashSync?.bind(p);
  if (!hashSync) return null;
  const seed = context === null ? concat(clientRandom, serverRandom) : concat(clientRandom, serverRandom, new Uint8Array([context.length >> 8, context.length & 0xff]), context);
  const labelSeed = concat(utf8(label), seed);
  const out = new Uint8Array(length);
  let a = labelSeed;
  for (let off = 0; off < length; ) {
    a = hmacSync(hashSync, hash, master, a);
    const block = hmacSync(hashSync, hash, master, concat(a, labelSeed));
    const n = Math.min(block.length, length - off);
    out.set(block.subarray(0, n), off);
    off += n;
  }
  return out;
}
