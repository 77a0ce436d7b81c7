/**
 * An observer's TLS 1.3 tools built on node:crypto only, independent of memtls's own code: a record opener from a
 * traffic secret (RFC 8446 §7.1 HKDF-Expand-Label, §7.3 traffic keys, §5.2-5.3 AEAD and per-record nonce) and an
 * x25519 key share made from a private key the test chooses. Cross-package suites use them instead of memtls
 * internals.
 */
import { type CipherGCMTypes, createDecipheriv, createHmac, createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import type { KeyShare } from '@memtls/core';

const SUITES: Record<string, { hash: 'sha256' | 'sha384'; keyLen: number; cipher: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305' }> = {
  TLS_AES_128_GCM_SHA256: { hash: 'sha256', keyLen: 16, cipher: 'aes-128-gcm' },
  TLS_AES_256_GCM_SHA384: { hash: 'sha384', keyLen: 32, cipher: 'aes-256-gcm' },
  TLS_CHACHA20_POLY1305_SHA256: { hash: 'sha256', keyLen: 32, cipher: 'chacha20-poly1305' },
};

/** HKDF-Expand-Label(secret, label, "", length) (RFC 8446 §7.1; RFC 5869 §2.3). */
function expandLabel(hash: 'sha256' | 'sha384', secret: Uint8Array, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, full.length]), full, Buffer.from([0])]);
  const out: Buffer[] = [];
  let t = Buffer.alloc(0);
  for (let i = 1; Buffer.concat(out).length < length; i++) {
    t = createHmac(hash, secret).update(Buffer.concat([t, info, Buffer.from([i])])).digest();
    out.push(t);
  }
  return Buffer.concat(out).subarray(0, length);
}

/** Opens the TLS 1.3 records protected under `secret` with `suite`, in order from sequence number 0. */
export class RecordOpener {
  readonly #cipher: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';
  readonly #key: Buffer;
  readonly #iv: Buffer;
  #seq = 0n;

  constructor(suite: string, secret: Uint8Array) {
    const s = SUITES[suite];
    if (!s) throw new TypeError(`unknown suite ${suite}`);
    this.#cipher = s.cipher;
    this.#key = expandLabel(s.hash, secret, 'key', s.keyLen);
    this.#iv = expandLabel(s.hash, secret, 'iv', 12);
  }

  /** The inner content type and content of the record (`header` the 5-byte record header); throws if not authentic. */
  open(header: Uint8Array, body: Uint8Array): { type: number; content: Uint8Array } {
    const nonce = Buffer.from(this.#iv);
    for (let i = 0; i < 8; i++) nonce[11 - i] = (nonce[11 - i] as number) ^ Number((this.#seq >> BigInt(8 * i)) & 0xffn);
    this.#seq++;
    // GCM and ChaCha20-Poly1305 both carry a 16-byte tag (RFC 5116 §5.1, RFC 8439 §2.8).
    const d = createDecipheriv(this.#cipher as CipherGCMTypes, this.#key, nonce, { authTagLength: 16 });
    d.setAAD(header);
    d.setAuthTag(body.subarray(body.length - 16));
    const inner = Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()]);
    let end = inner.length;
    while (end > 0 && inner[end - 1] === 0) end--;
    if (end === 0) throw new Error('no content type in the inner plaintext');
    return { type: inner[end - 1] as number, content: new Uint8Array(inner.subarray(0, end - 1)) };
  }
}


/** The DER prefix of a PKCS#8 x25519 private key (RFC 8410 §7) before its 32 bytes. */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
/** The DER prefix of an x25519 SubjectPublicKeyInfo (RFC 8410 §4) before its 32 bytes. */
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

/** An x25519 KeyShare made from a private key the test knows (32 bytes). */
export function x25519KeyShare(privateKey: Uint8Array): KeyShare {
  const key: KeyObject = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, privateKey]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return {
    group: 'x25519',
    publicKey: new Uint8Array(spki.subarray(spki.length - 32)),
    async deriveSecret(peer) {
      if (peer.length !== 32) return null;
      const publicKey = createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, peer]), format: 'der', type: 'spki' });
      const s = new Uint8Array(diffieHellman({ privateKey: key, publicKey }));
      return s.some((b) => b !== 0) ? s : null;
    },
  };
}
