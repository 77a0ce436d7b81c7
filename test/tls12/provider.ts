/** The WebCrypto provider plus ChaCha20-Poly1305 from node:crypto (WebCrypto has none), for the TLS 1.2 suites. */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { type AeadKey, type CryptoProvider, createWebCryptoProvider } from '@memtls/core';

function chacha(key: Uint8Array): AeadKey {
  return {
    name: 'CHACHA20-POLY1305',
    async seal(nonce, aad, plaintext) {
      const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
      c.setAAD(aad, { plaintextLength: plaintext.length });
      return new Uint8Array(Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]));
    },
    async open(nonce, aad, ciphertext) {
      if (ciphertext.length < 16) return null;
      const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
      d.setAAD(aad, { plaintextLength: ciphertext.length - 16 });
      d.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
      try {
        return new Uint8Array(Buffer.concat([d.update(ciphertext.subarray(0, ciphertext.length - 16)), d.final()]));
      } catch {
        return null;
      }
    },
  };
}

export function chachaProvider(): CryptoProvider {
  const base = createWebCryptoProvider(globalThis.crypto);
  return {
    ...base,
    supportsAead: (name) => name === 'CHACHA20-POLY1305' || base.supportsAead(name),
    importAeadKey: async (name, key) => (name === 'CHACHA20-POLY1305' ? chacha(key.slice()) : base.importAeadKey(name, key)),
  };
}
