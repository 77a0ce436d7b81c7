/** The contenders by key, so the bench and its memory child processes build exactly the same ones. */
import { testPki } from '../util/pki.js';
import { type Contender, type IdleOpener, type Profile, TLS13 } from './common.js';
import { memtlsContender } from './memtls-side.js';
import { memtlsSocketIdle } from './memtls-socket-side.js';
import { nodeContender } from './node-side.js';

export interface Pki {
  cert: string;
  key: string;
  ca: string;
}

/** The EC P-256 leaf of the test PKI and its CA, for every contender. */
export function benchPki(): Pki {
  const pki = testPki();
  const leaf = pki.leaves['ec-p256'];
  return { cert: leaf.cert, key: leaf.key, ca: pki.caCert };
}

/** The in-memory contenders, in table order; 'node' (the reference for every ratio) comes last. */
export const CONTENDERS = [
  { key: 'memtls-nodecrypto', name: 'memtls (node:crypto)' },
  { key: 'memtls-webcrypto', name: 'memtls (native WebCrypto)' },
  { key: 'memtls-peculiar', name: 'memtls (@peculiar/webcrypto)' },
  { key: 'node', name: 'node tls' },
] as const;
/** Measured for memory only: memtls inside its Node stream adapter, the same layer Node's TLSSocket is. */
export const SOCKET_ROW = { key: 'memtls-socket', name: 'memtls MemtlsSocket (node:crypto)' } as const;

export type ContenderKey = (typeof CONTENDERS)[number]['key'];
export type OpenerKey = ContenderKey | typeof SOCKET_ROW.key;

/** The contenders of the TLS 1.2 rows (full handshakes and bulk): memtls with node:crypto, and Node's tls. */
export const TLS12_CONTENDERS = ['memtls-nodecrypto', 'node'] as const;

export async function makeContender(key: ContenderKey, pki: Pki, profile: Profile = TLS13): Promise<Contender> {
  const name = (CONTENDERS.find((c) => c.key === key) as { name: string }).name;
  switch (key) {
    case 'memtls-nodecrypto': {
      const { createNodeCryptoProvider } = await import('@memtls/node');
      return memtlsContender(name, pki, createNodeCryptoProvider(), profile);
    }
    case 'memtls-webcrypto':
      // Explicitly: under Node the core's default is now node:crypto (#default-crypto).
      return memtlsContender(name, pki, globalThis.crypto, profile);
    case 'memtls-peculiar': {
      const { Crypto } = await import('@peculiar/webcrypto');
      return memtlsContender(name, pki, new Crypto() as unknown as Crypto, profile);
    }
    case 'node':
      return nodeContender(name, pki, profile);
  }
}

export async function makeIdleOpener(key: OpenerKey, pki: Pki): Promise<IdleOpener> {
  return key === SOCKET_ROW.key ? memtlsSocketIdle(SOCKET_ROW.name, pki) : makeContender(key, pki);
}

export function isOpenerKey(k: string): k is OpenerKey {
  return k === SOCKET_ROW.key || CONTENDERS.some((c) => c.key === k);
}
