/**
 * The server's side of a TLS 1.3 key exchange, for every kind of group: a KEM group (the hybrid ML-KEM groups)
 * encapsulates to the client's key through `CryptoProvider.encapsulate`; a Diffie-Hellman group makes a fresh key
 * pair (`generateKeyShare`) and derives.
 */
import { isHybridGroup } from './hybrid.js';
import type { CryptoProvider, Encapsulation, GroupName } from './provider.js';

/**
 * Our share and the shared secret for the client's `peerShare` in `group`, or null when that share is invalid.
 * @throws TypeError when a KEM group meets a provider without `encapsulate` (SslContext refuses that pairing).
 */
export async function respondToKeyShare(
  provider: CryptoProvider, group: GroupName, peerShare: Uint8Array,
): Promise<Encapsulation | null> {
  if (isHybridGroup(group)) {
    if (!provider.encapsulate) throw new TypeError(`the crypto provider cannot encapsulate for ${group}`);
    return provider.encapsulate(group, peerShare);
  }
  const mine = await provider.generateKeyShare(group);
  const secret = await mine.deriveSecret(peerShare);
  return secret ? { publicKey: mine.publicKey, secret } : null;
}
