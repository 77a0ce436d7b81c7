/**
 * TLS 1.2 test fixtures: a PKI made with the openssl CLI at test time (a root CA and one leaf per key type, plus a
 * client leaf), a provider that adds ChaCha20-Poly1305 (node:crypto) to the WebCrypto one, and a memtls client and
 * server run against each other in memory over a BIO pair, with a hook that may rewrite each flight in transit.
 */
import { execFileSync } from 'node:child_process';
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ContextOptions, MemoryBio, Ssl, SslContext, type SslSession } from '@memtls/core';
import type { AeadKey, CryptoProvider } from '#internal/crypto/provider';
import { createWebCryptoProvider } from '#internal/crypto/webcrypto';
import type { Engine } from '#internal/engine/engine';
import { concat } from '#internal/wire/bytes';

export type KeyKind = 'ec-p256' | 'ec-p384' | 'rsa' | 'ed25519';
export const KEY_KINDS: readonly KeyKind[] = ['ec-p256', 'ec-p384', 'rsa', 'ed25519'];

export interface Pki {
  ca: string;
  leaves: Record<KeyKind, { cert: string; key: string }>;
  client: { cert: string; key: string };
}

const KEYGEN: Record<KeyKind, string[]> = {
  'ec-p256': ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  'ec-p384': ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  rsa: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  ed25519: ['-algorithm', 'ED25519'],
};

let pki: Pki | null = null;

/** The test PKI (made once per process). Leaves name localhost; the client leaf has clientAuth. */
export function testPki(): Pki {
  if (pki) return pki;
  const dir = mkdtempSync(join(tmpdir(), 'memtls-tls12-'));
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    run(['genpkey', ...KEYGEN['ec-p256'], '-out', 'ca.key']);
    run(['req', '-x509', '-key', 'ca.key', '-subj', '/CN=memtls tls12 test CA', '-days', '3', '-out', 'ca.pem', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
    const leaf = (name: string, kind: KeyKind, eku: string) => {
      run(['genpkey', ...KEYGEN[kind], '-out', `${name}.key`]);
      run(['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`]);
      writeFileSync(join(dir, `${name}.ext`), `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=${eku}\nsubjectAltName=DNS:localhost\n`);
      run(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`]);
      return { cert: readFileSync(join(dir, `${name}.pem`), 'utf8'), key: readFileSync(join(dir, `${name}.key`), 'utf8') };
    };
    const leaves = Object.fromEntries(KEY_KINDS.map((k) => [k, leaf(`leaf-${k}`, k, 'serverAuth')])) as Pki['leaves'];
    pki = { ca: readFileSync(join(dir, 'ca.pem'), 'utf8'), leaves, client: leaf('client', 'ec-p256', 'clientAuth') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return pki;
}

/** The WebCrypto provider plus ChaCha20-Poly1305 from node:crypto (WebCrypto has none). */
export function chachaProvider(): CryptoProvider {
  const base = createWebCryptoProvider(globalThis.crypto);
  const chacha = (key: Uint8Array): AeadKey => ({
    name: 'CHACHA20-POLY1305',
    async seal(nonce, aad, plaintext) {
      const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
      c.setAAD(aad, { plaintextLength: plaintext.length });
      return new Uint8Array(concat(c.update(plaintext), c.final(), c.getAuthTag()));
    },
    async open(nonce, aad, ciphertext) {
      if (ciphertext.length < 16) return null;
      const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
      d.setAAD(aad, { plaintextLength: ciphertext.length - 16 });
      d.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
      try {
        return new Uint8Array(concat(d.update(ciphertext.subarray(0, ciphertext.length - 16)), d.final()));
      } catch {
        return null;
      }
    },
  });
  return {
    ...base,
    supportsAead: (name) => name === 'CHACHA20-POLY1305' || base.supportsAead(name),
    importAeadKey: async (name, key) => (name === 'CHACHA20-POLY1305' ? chacha(key.slice()) : base.importAeadKey(name, key)),
  };
}

export const provider = chachaProvider();

/** The same with a synchronous digest (what `exportKeyingMaterialSync` needs in TLS 1.2). */
export const hashSyncProvider: CryptoProvider = { ...provider, hashSync: (name, data) => new Uint8Array(createHash(name.replace('-', '').toLowerCase()).update(data).digest()) };

/** A server context with the leaf of `kind` (plus `extra` options). */
export function serverCtx(kind: KeyKind, extra: Partial<ContextOptions> = {}): SslContext {
  const p = testPki();
  return new SslContext({ role: 'server', cert: p.leaves[kind].cert, key: p.leaves[kind].key, crypto: provider, ...extra });
}

/** A client context that verifies the server against the test CA (plus `extra` options). */
export function clientCtx(extra: Partial<ContextOptions> = {}): SslContext {
  return new SslContext({ role: 'client', ca: testPki().ca, crypto: provider, ...extra });
}

/** Where a flight goes: from the client to the server, or back. */
export type Direction = 'c2s' | 's2c';

export interface Pair {
  client: Ssl;
  server: Ssl;
  /** Move bytes until both handshakes end (done or failed); returns the final return codes. */
  handshake(): Promise<{ client: number; server: number }>;
  /** Move what is written so far, once each way, through `tamper`. */
  flush(): Promise<void>;
  /** Deliver `bytes` to the receiver of `dir` as if its peer had sent them. */
  inject(dir: Direction, bytes: Uint8Array): void;
}

/**
 * A client and a server over memory BIOs. `tamper` sees every batch of bytes in transit and returns what is
 * delivered instead (default: unchanged). `split` cuts each batch into pieces of that many bytes.
 */
export function pair(cctx: SslContext, sctx: SslContext, tamper: (dir: Direction, bytes: Uint8Array) => Uint8Array = (_d, b) => b, split = 0, session?: SslSession): Pair {
  const client = new Ssl(cctx, session ? { serverName: 'localhost', session } : { serverName: 'localhost' });
  const server = new Ssl(sctx);
  const c2s = new MemoryBio();
  const s2c = new MemoryBio();
  const cOut = new MemoryBio();
  const sOut = new MemoryBio();
  client.setBio(s2c, cOut);
  server.setBio(c2s, sOut);
  const move = (from: MemoryBio, to: MemoryBio, dir: Direction) => {
    const n = from.pending();
    if (n === 0) return false;
    const buf = new Uint8Array(n);
    from.read(buf);
    const out = tamper(dir, buf);
    if (split > 0) for (let o = 0; o < out.length; o += split) to.write(out.subarray(o, o + split));
    else to.write(out);
    return true;
  };
  const flush = async () => {
    move(cOut, c2s, 'c2s');
    move(sOut, s2c, 's2c');
  };
  const handshake = async () => {
    let c = -1;
    let s = -1;
    let cDone = false;
    let sDone = false;
    for (let i = 0; i < 200 && !(cDone && sDone); i++) {
      if (!cDone) {
        c = await client.doHandshake();
        cDone = c === 1 || client.getError(c) !== 2;
      }
      const moved1 = move(cOut, c2s, 'c2s');
      if (!sDone) {
        s = await server.doHandshake();
        sDone = s === 1 || server.getError(s) !== 2;
      }
      const moved2 = move(sOut, s2c, 's2c');
      if (!moved1 && !moved2 && i > 4 && (cDone || sDone)) {
        // one side is done or failed and nothing moves: give the other one last turn
        if (!cDone) c = await client.doHandshake();
        if (!sDone) s = await server.doHandshake();
        move(cOut, c2s, 'c2s');
        move(sOut, s2c, 's2c');
        if (!cDone) c = await client.doHandshake();
        if (!sDone) s = await server.doHandshake();
        break;
      }
    }
    return { client: c, server: s };
  };
  const inject = (dir: Direction, bytes: Uint8Array) => (dir === 'c2s' ? c2s : s2c).write(bytes);
  return { client, server, handshake, flush, inject };
}

/** Write `data` on `from`, move it, read it all on `to`. */
export async function transfer(p: Pair, from: Ssl, to: Ssl, data: Uint8Array): Promise<Uint8Array> {
  let off = 0;
  const got: Uint8Array[] = [];
  let have = 0;
  const buf = new Uint8Array(65536);
  for (let i = 0; i < 100000 && have < data.length; i++) {
    if (off < data.length) {
      const n = await from.write(data.subarray(off, Math.min(data.length, off + 65536)));
      if (n > 0) off += n;
    }
    await p.flush();
    for (;;) {
      const r = await to.read(buf);
      if (r <= 0) break;
      got.push(buf.slice(0, r));
      have += r;
    }
  }
  return concat(...got);
}

/**
 * Rewrite the handshake messages of the first record of a flight (memtls packs a flight's messages in one
 * plaintext record): `edit` gets them (each with its 4-byte header) and returns the replacements.
 */
export function editFirstRecord(bytes: Uint8Array, edit: (msgs: Uint8Array[]) => Uint8Array[]): Uint8Array {
  const len = ((bytes[3] as number) << 8) | (bytes[4] as number);
  const body = bytes.subarray(5, 5 + len);
  const msgs: Uint8Array[] = [];
  for (let o = 0; o < body.length; ) {
    const n = 4 + (((body[o + 1] as number) << 16) | ((body[o + 2] as number) << 8) | (body[o + 3] as number));
    msgs.push(body.slice(o, o + n));
    o += n;
  }
  const out = concat(...edit(msgs));
  return concat(Uint8Array.of(bytes[0] as number, bytes[1] as number, bytes[2] as number, out.length >> 8, out.length & 0xff), out, bytes.subarray(5 + len));
}

/** A tamper hook that edits the first flight in `dir` once (the hello), leaving everything else alone. */
export function onceOn(dir: Direction, edit: (bytes: Uint8Array) => Uint8Array): (d: Direction, b: Uint8Array) => Uint8Array {
  let done = false;
  return (d, b) => {
    if (d !== dir || done || b[0] !== 22) return b;
    done = true;
    return edit(b);
  };
}

/** The engine under an Ssl (tests only: to forge what a peer could send under the real keys). */
export function engineOf(ssl: Ssl): Engine {
  return (ssl as unknown as { engine: Engine }).engine;
}
