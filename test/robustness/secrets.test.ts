/**
 * Secrets stay out of reach: no traffic, handshake, master, exporter or resumption secret, no PSK, no AEAD key
 * or IV, no ECDHE private key and no private key of a context can be found by walking the public objects with
 * `util.inspect` (all depths, hidden properties, getters) or `JSON.stringify`.
 *
 * The real secret values come from a recording provider: every secret of TLS 1.3 is an output or a key input
 * of HKDF (RFC 8446 §7.1: the secret chain, traffic keys and IVs, Finished keys, PSKs, exporter secrets), an
 * AEAD key import, an ECDHE key share (made here from a private key the test knows) or the PKCS#8 private key
 * handed to `importSigningKey`. The recorder keeps them in a closure, which inspection does not reach.
 * Each is looked for as hex (also Buffer's spaced hex), as the decimal list inspect prints for a Uint8Array
 * (`12, 34, ...`), as JSON prints one (`"0":12,"1":34,...`) and as base64/base64url, in the output with its
 * white space removed.
 */
import { strict as assert } from 'node:assert';
import { Duplex } from 'node:stream';
import { inspect } from 'node:util';
import {
  type CryptoProvider,
  createWebCryptoProvider,
  type KeyShare,
  MemoryBio,
  newBioPair,
  SSL_ERROR_WANT_READ,
  SSL_ERROR_WANT_WRITE,
  Ssl,
  SslContext,
  SslSession,
} from '@memtls/core';
import { createNodeCryptoProvider, MemtlsSocket } from '@memtls/node';
import { x25519KeyShare } from '../util/observer.js';
import { testPki } from '../util/pki.js';

/**
 * A provider that behaves as `base` and records every secret it sees or makes into `found`, and the key objects
 * it returns (AEAD keys, signing keys: the engine keeps them in private fields, so the test walks them itself) into
 * `keys`.
 */
function recordingProvider(base: CryptoProvider, found: Uint8Array[], keys: unknown[] = []): CryptoProvider {
  const keep = (b: Uint8Array | null): void => {
    if (b && b.length >= 12 && b.some((x) => x !== 0)) found.push(b.slice());
  };
  const p: CryptoProvider = {
    randomBytes: (n) => base.randomBytes(n),
    hash: (name, data) => base.hash(name, data),
    async hmac(name, key, data) {
      keep(key); // Finished and binder keys
      return base.hmac(name, key, data);
    },
    async hkdfExtract(name, salt, ikm) {
      keep(salt);
      keep(ikm); // the PSK, the ECDHE shared secret
      const out = await base.hkdfExtract(name, salt, ikm);
      keep(out); // early, handshake and master secrets
      return out;
    },
    async hkdfExpand(name, prk, info, length) {
      keep(prk);
      const out = await base.hkdfExpand(name, prk, info, length);
      keep(out); // traffic, exporter, resumption secrets, PSKs, keys, IVs, Finished keys
      return out;
    },
    supportsAead: (name) => base.supportsAead(name),
    async importAeadKey(name, key) {
      keep(key);
      const k = await base.importAeadKey(name, key);
      keys.push(k);
      return k;
    },
    supportsGroup: (g) => base.supportsGroup(g),
    async generateKeyShare(group) {
      if (group !== 'x25519') return base.generateKeyShare(group);
      // An ephemeral x25519 key the test knows (32 random bytes are a valid x25519 private key).
      const priv = base.randomBytes(32);
      keep(priv);
      const share = x25519KeyShare(priv);
      const recorded: KeyShare = {
        group: share.group,
        publicKey: share.publicKey,
        async deriveSecret(peer) {
          const s = await share.deriveSecret(peer);
          keep(s);
          return s;
        },
      };
      return recorded;
    },
    async importSigningKey(type, pkcs8) {
      keep(pkcs8);
      const k = await base.importSigningKey(type, pkcs8);
      keys.push(k);
      return k;
    },
    verify: (scheme, spki, data, sig) => base.verify(scheme, spki, data, sig),
  };
  if (base.synchronous) return { ...p, synchronous: true };
  return p;
}

/** Every form of `secret` that would show it in inspect or JSON output (the output has no white space). */
function needles(secret: Uint8Array): string[] {
  const b = Buffer.from(secret);
  return [
    b.toString('hex'),
    Array.from(secret).join(','), // inspect's Uint8Array and Buffer's JSON data
    Array.from(secret, (x, i) => `"${i}":${x}`).join(','), // JSON of a Uint8Array
    b.toString('base64').replace(/=+$/, ''),
    b.toString('base64url'),
  ];
}

/** The first of `forms` that `output` shows, or null; hex is compared case-insensitively. */
function shown(output: string, forms: readonly string[]): string | null {
  const flat = output.replace(/\s+/g, '');
  const lower = flat.toLowerCase();
  for (const f of forms) if (/^[0-9a-f]+$/.test(f) ? lower.includes(f) : flat.includes(f)) return f;
  return null;
}

const retry = (ssl: Ssl, r: number): boolean => r <= 0 && (ssl.getError(r) === SSL_ERROR_WANT_READ || ssl.getError(r) === SSL_ERROR_WANT_WRITE);

/** Client and server over four memory BIOs; `pump` moves the bytes (optionally flipping the last byte). */
function memoryLink(cctx: SslContext, sctx: SslContext, opts: { serverName: string; session?: SslSession }) {
  const bios = { cIn: new MemoryBio(), cOut: new MemoryBio(), sIn: new MemoryBio(), sOut: new MemoryBio() };
  const client = new Ssl(cctx, opts);
  const server = new Ssl(sctx);
  client.setBio(bios.cIn, bios.cOut);
  server.setBio(bios.sIn, bios.sOut);
  const move = (from: MemoryBio, to: MemoryBio, corrupt = false): void => {
    const buf = new Uint8Array(from.pending());
    if (buf.length === 0) return;
    from.read(buf);
    if (corrupt) buf[buf.length - 1] = (buf[buf.length - 1] as number) ^ 1;
    to.write(buf);
  };
  const pump = (corrupt = false): void => {
    move(bios.cOut, bios.sIn, corrupt);
    move(bios.sOut, bios.cIn, corrupt);
  };
  return { client, server, bios, pump };
}

/** Call both until neither asks to retry, pumping in between. */
async function settle(a: () => Promise<number>, aSsl: Ssl, b: () => Promise<number>, bSsl: Ssl, pump: () => void): Promise<[number, number]> {
  let ra = -1;
  let rb = -1;
  let doneA = false;
  let doneB = false;
  for (let i = 0; i < 200 && !(doneA && doneB); i++) {
    if (!doneA) {
      ra = await a();
      doneA = !retry(aSsl, ra);
    }
    pump();
    if (!doneB) {
      rb = await b();
      doneB = !retry(bSsl, rb);
    }
    pump();
  }
  return [ra, rb];
}

function duplexPair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const make = (other: () => Duplex): Duplex =>
    new Duplex({
      read() {},
      write(chunk, _enc, cb) {
        other().push(chunk);
        cb();
      },
      final(cb) {
        other().push(null);
        cb();
      },
    });
  ends.push(make(() => ends[1] as Duplex), make(() => ends[0] as Duplex));
  return [ends[0] as Duplex, ends[1] as Duplex];
}

const once = (s: MemtlsSocket, ev: string): Promise<unknown[]> =>
  new Promise((resolve, reject) => {
    s.once(ev, (...args: unknown[]) => resolve(args));
    if (ev !== 'error') s.once('error', reject);
  });

/** [title, provider, the suites both sides allow (default: all the provider has, AES-128-GCM chosen)]. */
const PROVIDERS: [string, () => CryptoProvider, string[]?][] = [
  ['the WebCrypto provider', () => createWebCryptoProvider(globalThis.crypto)],
  // Its ChaCha20-Poly1305 keys are JS objects of its own (@noble/ciphers), not CryptoKeys.
  ['the WebCrypto provider and TLS_CHACHA20_POLY1305_SHA256', () => createWebCryptoProvider(globalThis.crypto), ['TLS_CHACHA20_POLY1305_SHA256']],
  ['the node:crypto provider', () => createNodeCryptoProvider()],
  // TLS 1.2: the master secret (in the session, the engine's exporter and the handshake's key block), its keys.
  ['the WebCrypto provider in TLS 1.2', () => createWebCryptoProvider(globalThis.crypto), ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256']],
];

describe('secrets: no inspect or JSON output of a public object holds a secret', () => {
  for (const [name, make, cipherSuites] of PROVIDERS) {
    it(`live connections, a session, failures and the Node socket, with ${name}`, async function () {
      this.timeout(30000);
      const secrets: Uint8Array[] = [];
      const keys: unknown[] = [];
      const provider = recordingProvider(make(), secrets, keys);
      const pki = testPki();
      const suites = cipherSuites ? { cipherSuites } : {};
      const sctx = new SslContext({ role: 'server', cert: pki.leaves['ec-p256'].cert, key: pki.leaves['ec-p256'].key, crypto: provider, ...suites });
      const cctx = new SslContext({ role: 'client', ca: pki.caCert, crypto: provider, ...suites });
      // The AES-256-GCM half of the server's ticket key (its name is public: every ticket starts with it).
      secrets.push(sctx.getTicketKeys().slice(16));
      const data = new TextEncoder().encode('application data, both ways');
      const buf = new Uint8Array(64 * 1024);

      // 1. A full handshake, data both ways, a KeyUpdate each way, a clean close: a session.
      const a = memoryLink(cctx, sctx, { serverName: 'localhost' });
      assert.deepEqual(await settle(() => a.client.doHandshake(), a.client, () => a.server.doHandshake(), a.server, a.pump), [1, 1]);
      assert.equal(a.client.cipher(), cipherSuites?.[0] ?? 'TLS_AES_128_GCM_SHA256');
      assert.equal(await a.client.write(data), data.length);
      a.pump();
      assert.equal(await a.server.read(buf), data.length);
      // TLS 1.2 has no KeyUpdate (refused with "wrong ssl version").
      assert.equal(a.server.keyUpdate(true), a.client.version() === 'TLSv1.2' ? 0 : 1);
      assert.equal(await a.server.write(data), data.length);
      a.pump();
      assert.equal(await a.client.read(buf), data.length);
      assert.equal(await a.client.write(data), data.length);
      a.pump();
      assert.equal(await a.server.read(buf), data.length);
      const closeBuf = new Uint8Array(4096);
      await settle(
        async () => {
          const r = await a.client.shutdown();
          return r === 0 ? (await a.client.read(closeBuf)) || -1 : r;
        },
        a.client,
        async () => {
          const r = await a.server.read(closeBuf);
          return r === 0 ? a.server.shutdown() : r;
        },
        a.server,
        a.pump,
      );
      const session = a.client.getSession();
      assert.ok(session, 'a session');
      assert.ok(session.isResumable(), 'a resumable session');
      assert.equal(session.version, cipherSuites?.[0]?.startsWith('TLS_ECDHE_') ? 'TLSv1.2' : 'TLSv1.3');
      const sessionBytes = session.toBytes(); // the one explicit serialisation

      // 2. A live resumed connection (PSK), data exchanged, not closed: its traffic keys are current.
      const b = memoryLink(cctx, sctx, { serverName: 'localhost', session: SslSession.fromBytes(sessionBytes) });
      assert.deepEqual(await settle(() => b.client.doHandshake(), b.client, () => b.server.doHandshake(), b.server, b.pump), [1, 1]);
      assert.equal(b.client.sessionReused(), true);
      assert.equal(await b.client.write(data), data.length);
      b.pump();
      assert.equal(await b.server.read(buf), data.length);
      assert.equal(await b.server.write(data), data.length);
      b.pump();
      assert.equal(await b.client.read(buf), data.length);
      const exported = await b.client.exportKeyingMaterial('EXPORTER-test', new Uint8Array(0), 32);
      assert.equal(exported.length, 32);

      // 3. A live connection over a BIO pair, left with a record half written (keys in use, data pending). The
      // pending write is a small Buffer, so it lies in Node's shared Buffer pool, beside a pooled copy of the
      // serialised session (as an application might make): the Ssl must not show that pool.
      const [e1, e2] = newBioPair(1024, 4096);
      const c = { client: new Ssl(cctx, { serverName: 'localhost' }), server: new Ssl(sctx) };
      c.client.setBio(e1, e1);
      c.server.setBio(e2, e2);
      assert.deepEqual(await settle(() => c.client.doHandshake(), c.client, () => c.server.doHandshake(), c.server, () => {}), [1, 1]);
      // One slab shared the way Node's Buffer pool shares it (made by hand, so the test does not depend on the pool's
      // state): the serialised session, then the payload right behind it.
      const slab = Buffer.allocUnsafeSlow(sessionBytes.length + 8 + 4000);
      const pooledSession = slab.subarray(0, sessionBytes.length);
      pooledSession.set(sessionBytes);
      const payload = slab.subarray(sessionBytes.length + 8, sessionBytes.length + 8 + 4000);
      assert.equal(pooledSession.buffer, payload.buffer, 'the session copy and the payload share a slab');
      assert.equal(await c.client.write(payload.fill(7)), -1);
      assert.equal(await c.client.write(payload), -1, 'the retry is still pending');

      // 4. Failed handshakes: a host name that does not match (after the handshake keys), a corrupted record.
      const d = memoryLink(cctx, sctx, { serverName: 'wrong.example' });
      await settle(() => d.client.doHandshake(), d.client, () => d.server.doHandshake(), d.server, d.pump);
      const e = memoryLink(cctx, sctx, { serverName: 'localhost' });
      await settle(() => e.client.doHandshake(), e.client, () => e.server.doHandshake(), e.server, () => e.pump(true));
      const errors = [d.client, d.server, e.client, e.server].map((s) => s.lastErrorDetail());
      assert.ok(errors.every((x) => x !== null), 'each failed handshake left an error');

      // 5. The Node adapter: a socket pair over an in-memory Duplex pair, data exchanged, a session taken.
      // Node's options: `ciphersuites` lists TLS 1.3 suites only, TLS 1.2 suites go in `ciphers` (OpenSSL's names).
      const nodeSuites = !cipherSuites ? {} : cipherSuites[0]?.startsWith('TLS_ECDHE_') ? { ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' } : { ciphersuites: cipherSuites };
      const [t1, t2] = duplexPair();
      const srv = new MemtlsSocket(t2, { isServer: true, cert: pki.leaves['ec-p256'].cert, key: pki.leaves['ec-p256'].key, crypto: provider, ...nodeSuites });
      const cli = new MemtlsSocket(t1, { servername: 'localhost', ca: pki.caCert, crypto: provider, ...nodeSuites });
      await Promise.all([once(cli, 'secureConnect'), once(srv, 'secure')]);
      const got = once(srv, 'data');
      cli.write(Buffer.from(data));
      await got;
      const back = once(cli, 'data');
      srv.write(Buffer.from(data));
      await back;
      const nodeSession = cli.getSession();

      const objects: [string, unknown][] = [
        ['client Ssl', a.client],
        ['server Ssl', a.server],
        ['client SslContext', cctx],
        ['server SslContext', sctx],
        ['SslSession', session],
        ['restored SslSession', SslSession.fromBytes(sessionBytes)],
        ['resumed client Ssl', b.client],
        ['resumed server Ssl', b.server],
        ['memory BIOs', [a.bios, b.bios]],
        ['Ssl pair with a pending write', c],
        ['BIO pair ends', [e1, e2]],
        ['failed Ssl objects', [d.client, d.server, e.client, e.server]],
        ['errors of failed handshakes', errors],
        ['Node client socket', cli],
        ['Node server socket', srv],
        ['AEAD and signing keys the provider returned', keys],
      ];
      // TLS 1.2 has no KeyUpdate and one key per direction and connection: fewer key objects.
      assert.ok(keys.length > (session.version === 'TLSv1.2' ? 12 : 20), `${keys.length} key objects`);
      // The secrets that can be found: enough of them to make the search meaningful.
      assert.ok(secrets.length > 100, `${secrets.length} secrets recorded`);
      const keyPem = pki.leaves['ec-p256'].key;
      const pemBody = keyPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
      const forms = secrets.flatMap((s) => needles(s));
      forms.push(pemBody, pemBody.slice(0, 40));
      const inspections = [
        { depth: Infinity, showHidden: true },
        { depth: Infinity, showHidden: true, getters: true, maxArrayLength: Infinity, maxStringLength: Infinity },
      ];
      for (const [label, obj] of objects) {
        const outputs: [string, string][] = inspections.map((o, i) => [`inspect #${i + 1}`, inspect(obj, o)]);
        let json: string;
        try {
          json = JSON.stringify(obj) ?? '';
        } catch (err) {
          // A circular structure: the error itself must hold no secret either.
          json = `${String(err)} ${inspect(err, { depth: Infinity, showHidden: true })}`;
        }
        outputs.push(['JSON.stringify', json]);
        for (const [how, out] of outputs) {
          const hit = shown(out, forms);
          assert.equal(hit, null, `${label}: ${how} shows a secret (${hit?.slice(0, 24)}...)`);
        }
      }
      assert.ok(nodeSession && nodeSession.length > 0, 'the Node socket still serialises its session on request');
      // ... into memory of its own: a copy into Node's shared Buffer pool would leave the PSK in a slab that
      // every small Buffer of the process shares (and inspect shows an ArrayBuffer's contents).
      assert.equal(nodeSession.buffer.byteLength, nodeSession.length, 'the serialised session is not in the Buffer pool');
      assert.ok(SslSession.fromBytes(new Uint8Array(nodeSession)).isResumable());
      cli.destroy();
      srv.destroy();
    });
  }

  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
  it(`JSON.stringify of a ${version} session holds no PSK or master secret, and toBytes() round-trips it`, async () => {
    const secrets: Uint8Array[] = [];
    const provider = recordingProvider(createWebCryptoProvider(globalThis.crypto), secrets);
    const pki = testPki();
    const sctx = new SslContext({ role: 'server', cert: pki.leaves['ec-p256'].cert, key: pki.leaves['ec-p256'].key, crypto: provider });
    const cctx = new SslContext({ role: 'client', ca: pki.caCert, crypto: provider, maxVersion: version, minVersion: version });
    const a = memoryLink(cctx, sctx, { serverName: 'localhost' });
    await settle(() => a.client.doHandshake(), a.client, () => a.server.doHandshake(), a.server, a.pump);
    const buf = new Uint8Array(4096);
    await settle(
      async () => {
        const r = await a.client.shutdown();
        return r === 0 ? (await a.client.read(buf)) || -1 : r;
      },
      a.client,
      async () => {
        const r = await a.server.read(buf);
        return r === 0 ? a.server.shutdown() : r;
      },
      a.server,
      a.pump,
    );
    const session = a.client.getSession();
    assert.ok(session);
    assert.equal(session.version, version);
    const json = JSON.stringify(session);
    const bytes = Buffer.from(session.toBytes()).toString('hex');
    // The PSK (TLS 1.3, 32 bytes here) or master secret (TLS 1.2, 48 bytes) is in the serialised bytes (that is
    // what toBytes is for) and nowhere in the JSON or inspect output.
    const psks = secrets.filter((s) => bytes.includes(Buffer.from(s).toString('hex')) && s.length === (version === 'TLSv1.2' ? 48 : 32));
    assert.ok(psks.length > 0, 'the PSK or master secret is one of the recorded secrets');
    const inspected = inspect(session, { depth: Infinity, showHidden: true, getters: true });
    for (const psk of psks) {
      assert.equal(shown(json, needles(psk)), null, 'JSON holds the secret');
      assert.equal(shown(inspected, needles(psk)), null, 'inspect shows the secret');
    }
    const again = SslSession.fromBytes(session.toBytes());
    assert.equal(Buffer.from(again.toBytes()).toString('hex'), bytes);
  });
  }
});
