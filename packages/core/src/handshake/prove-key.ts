/** The generic "key values mismatch" check of a server or client credential (SslContext.addCredential). */
import type { CryptoProvider, SigningKey } from '../crypto/provider.js';
import { SslError } from '../errors/ssl-error.js';
import { utf8 } from '../wire/bytes.js';
import { schemeName, tls13SchemesForKey } from './signature.js';

/** Sign with the imported key and verify with the certificate's key: resolves to the key, or throws KEY_VALUES_MISMATCH. */
export async function proveKey(provider: CryptoProvider, key: SigningKey, spki: Uint8Array, bits: number): Promise<SigningKey> {
  const scheme = schemeName(tls13SchemesForKey(key.type, bits)[0] ?? -1);
  if (!scheme) return key;
  const probe = utf8('memtls: does this private key belong to its certificate?');
  const ok = await provider.verify(scheme, spki, probe, await key.sign(scheme, probe)).catch(() => false);
  if (!ok) throw new SslError('KEY_VALUES_MISMATCH', { detail: 'the private key does not belong to the certificate', origin: 'local' });
  return key;
}
