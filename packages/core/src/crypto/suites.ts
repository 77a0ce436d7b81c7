/** One table of the cipher suites memtls implements (RFC 8446 §B.4), with everything derived from them. */
import type { AeadName, HashName } from './provider.js';

export interface CipherSuite {
  readonly id: number;
  readonly name: string;
  readonly version: 'TLSv1.3';
  readonly hash: HashName;
  readonly hashLen: number;
  readonly aead: AeadName;
  readonly keyLen: number;
  readonly ivLen: number;
}

export const TLS13_SUITES: readonly CipherSuite[] = [
  { id: 0x1301, name: 'TLS_AES_128_GCM_SHA256', version: 'TLSv1.3', hash: 'SHA-256', hashLen: 32, aead: 'AES-128-GCM', keyLen: 16, ivLen: 12 },
  { id: 0x1302, name: 'TLS_AES_256_GCM_SHA384', version: 'TLSv1.3', hash: 'SHA-384', hashLen: 48, aead: 'AES-256-GCM', keyLen: 32, ivLen: 12 },
  { id: 0x1303, name: 'TLS_CHACHA20_POLY1305_SHA256', version: 'TLSv1.3', hash: 'SHA-256', hashLen: 32, aead: 'CHACHA20-POLY1305', keyLen: 32, ivLen: 12 },
];

export function suiteById(id: number): CipherSuite | undefined {
  return TLS13_SUITES.find((s) => s.id === id);
}

export function suiteByName(name: string): CipherSuite | undefined {
  return TLS13_SUITES.find((s) => s.name === name);
}
