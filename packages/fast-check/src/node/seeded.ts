/**
 * A CryptoProvider for the memtls side of a driver run whose randomness is a seeded stream: the client random, the
 * session ID, padding and the key shares (x25519, P-256, P-384 private keys made from the stream) come out the
 * same for the same seed, so the memtls side's first flight replays byte for byte. Everything else (AEAD, hashes,
 * signatures) is the real provider's. The endpoint's own randomness is its own: later flights differ run to run.
 *
 * For the memtls side of a test only: a seeded stream is as predictable as its seed.
 */
import { createECDH, createHash, createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import { type CryptoProvider, createWebCryptoProvider, type GroupName, type KeyShare } from '@memtls/core';

const X25519_PKCS8 = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20]);
const X25519_SPKI = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00]);
const CURVES: Partial<Record<GroupName, { name: string; size: number }>> = { secp256r1: { name: 'prime256v1', size: 32 }, secp384r1: { name: 'secp384r1', size: 48 } };

/** A deterministic byte stream: SHA-256 of (seed, counter) blocks. */
function stream(seed: number | string): (n: number) => Uint8Array {
  let counter = 0;
  let pool = new Uint8Array(0);
  return (n) => {
    while (pool.length < n) {
      const block = createHash('sha256').update(`memtls-fast-check-seeded-v1:${seed}:${counter++}`).digest();
      const next = new Uint8Array(pool.length + block.length);
      next.set(pool);
      next.set(block, pool.length);
      pool = next;
    }
    const out = pool.slice(0, n);
    pool = pool.slice(n);
    return out;
  };
}

/**
 * `base` (default: WebCrypto on `globalThis.crypto`) with its randomness and key-share generation drawn from a
 * stream seeded by `seed`. Give it to the memtls side's context: `new SslContext({ role: 'client', crypto:
 * seededProvider(seed), now: () => new Date(fixed) })`.
 * @throws {TypeError} for a seed that is neither a safe integer nor a string.
 */
export function seededProvider(seed: number | string, base?: CryptoProvider): CryptoProvider {
  if (!(typeof seed === 'string' || Number.isSafeInteger(seed))) throw new TypeError('seededProvider(): seed must be a safe integer or a string');
  const real = base ?? createWebCryptoProvider(globalThis.crypto);
  const next = stream(seed);
  const p: CryptoProvider = Object.assign(Object.create(null) as object, real, {
    randomBytes: (length: number): Uint8Array => next(length),
    async generateKeyShare(group: GroupName): Promise<KeyShare> {
      if (group === 'x25519') {
        const priv = createPrivateKey({ key: Buffer.concat([X25519_PKCS8, next(32)]), format: 'der', type: 'pkcs8' });
        const pub = createPublicKey(priv).export({ format: 'der', type: 'spki' }).subarray(-32);
        return share(group, new Uint8Array(pub), (peer) => {
          if (peer.length !== 32) return null;
          const peerKey: KeyObject = createPublicKey({ key: Buffer.concat([X25519_SPKI, peer]), format: 'der', type: 'spki' });
          const secret = new Uint8Array(diffieHellman({ privateKey: priv, publicKey: peerKey }));
          // RFC 7748 §6.1, RFC 8446 §7.4.2: an all-zero output means a small-order peer key.
          return secret.some((b) => b !== 0) ? secret : null;
        });
      }
      const c = CURVES[group];
      if (!c) return real.generateKeyShare(group);
      const ecdh = createECDH(c.name);
      for (;;) {
        try {
          ecdh.setPrivateKey(next(c.size));
          break;
        } catch {
          // a scalar outside [1, n-1]: draw again
        }
      }
      // RFC 8446 §4.2.8.2: NIST points are uncompressed only.
      return share(group, new Uint8Array(ecdh.getPublicKey()), (peer) => (peer.length === 1 + 2 * c.size && peer[0] === 4 ? new Uint8Array(ecdh.computeSecret(peer)) : null));
    },
  });
  return p;
}

function share(group: GroupName, publicKey: Uint8Array, derive: (peer: Uint8Array) => Uint8Array | null): KeyShare {
  return {
    group,
    publicKey,
    // Peer-controlled input never rejects (the CryptoProvider contract): a malformed share is null.
    deriveSecret: async (peer) => {
      try {
        return derive(peer);
      } catch {
        return null;
      }
    },
  };
}
