/**
 * ChaCha20-Poly1305 (RFC 8439) for the WebCrypto provider: WebCrypto defines no ChaCha, so the AEAD comes from
 * @noble/ciphers (audited, dependency-free, synchronous pure JS) behind the `AeadKey` interface.
 *
 * Rules:
 * - The key is copied when imported and held only in this module's closure: the returned AeadKey has no property
 *   that holds key bytes, so `util.inspect` or `JSON.stringify` of the objects that keep it shows none.
 * - A key that is not 32 bytes or a nonce that is not 12 bytes is a programmer error (RangeError). A ciphertext
 *   shorter than the tag or a bad tag (peer input) resolves `open` to null; it never rejects for those.
 * - noble's cipher objects borrow their arguments by reference and are single-use for encryption: one is made per
 *   call, and nothing is kept between calls.
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import type { AeadKey } from './provider.js';

const KEY_LENGTH = 32;
const NONCE_LENGTH = 12; // RFC 8439 §2.8 (the 96-bit IETF nonce); TLS 1.3 record nonces are 12 bytes (RFC 8446 §5.3)
const TAG_LENGTH = 16;

/**
 * Import a raw ChaCha20-Poly1305 key.
 * @param key the 32-byte key (copied: later changes to `key` do not affect the AeadKey).
 * @throws RangeError for a key that is not 32 bytes.
 */
export function chacha20Poly1305Key(key: Uint8Array): AeadKey {
  if (key.length !== KEY_LENGTH) throw new RangeError(`CHACHA20-POLY1305 needs a ${KEY_LENGTH}-byte key`);
  const k = new Uint8Array(key); // a copy (Buffer#slice would share memory)
  const cipher = (nonce: Uint8Array, aad: Uint8Array) => {
    if (nonce.length !== NONCE_LENGTH) throw new RangeError(`CHACHA20-POLY1305 nonce must be ${NONCE_LENGTH} bytes (RFC 8439 §2.8)`);
    return chacha20poly1305(k, nonce, aad);
  };
  return {
    name: 'CHACHA20-POLY1305',
    async seal(nonce, aad, plaintext) {
      return cipher(nonce, aad).encrypt(plaintext);
    },
    async sealRecord(nonce, header, plaintext, innerType, padding) {
      // header || plaintext || innerType || zeros(padding) || tag in one buffer, encrypted in place.
      const c = cipher(nonce, header);
      const innerLength = plaintext.length + 1 + padding;
      const out = new Uint8Array(header.length + innerLength + TAG_LENGTH);
      out.set(header);
      out.set(plaintext, header.length);
      out[header.length + plaintext.length] = innerType;
      c.encrypt(out.subarray(header.length, header.length + innerLength), out.subarray(header.length));
      return out;
    },
    async open(nonce, aad, ciphertext) {
      const c = cipher(nonce, aad);
      if (ciphertext.length < TAG_LENGTH) return null;
      try {
        return c.decrypt(ciphertext);
      } catch {
        return null; // the arguments were checked above: noble throws here only for a tag that does not match
      }
    },
  };
}
