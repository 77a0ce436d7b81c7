/**
 * The hybrid post-quantum groups (draft-ietf-tls-ecdhe-mlkem) end to end in memory: X25519MLKEM768 and
 * SecP256r1MLKEM768 in both roles, with each provider; the HelloRetryRequest a server preferring the hybrid sends;
 * the client's two first shares; TLS 1.2 never negotiating a KEM; misbehaving peers (malformed shares, an
 * encapsulation key failing the FIPS 203 modulus check, a ciphertext of the wrong length) getting illegal_parameter.
 */
import { strict as assert } from 'node:assert';
import { type CryptoProvider, createWebCryptoProvider, type GroupName, type KeyShare, SslContext } from '@memtls/core';
import { createNodeCryptoProvider } from '@memtls/node';
import { failedHandshake, Link } from '../util/link.js';
import { closeBoth, contexts, handshake, pair } from '../util/pair.js';

const HYBRID = ['X25519MLKEM768', 'SecP256r1MLKEM768'] as const;
/** Client share, server share lengths (draft-ietf-tls-ecdhe-mlkem §4.1). */
const LENGTHS = { X25519MLKEM768: [1184 + 32, 1088 + 32], SecP256r1MLKEM768: [65 + 1184, 65 + 1088] } as const;

/** Key shares sent in a ClientHello record (the first handshake record the client writes). */
function clientHelloShares(record: Uint8Array): { group: number; length: number }[] {
  // record header (5), handshake header (4), version (2), random (32), session id, suites, compression, extensions
  let i = 5 + 4 + 2 + 32;
  i += 1 + (record[i] as number);
  i += 2 + (((record[i] as number) << 8) | (record[i + 1] as number));
  i += 1 + (record[i] as number);
  const end = i + 2 + (((record[i] as number) << 8) | (record[i + 1] as number));
  i += 2;
  while (i < end) {
    const type = ((record[i] as number) << 8) | (record[i + 1] as number);
    const len = ((record[i + 2] as number) << 8) | (record[i + 3] as number);
    if (type === 51) {
      const out: { group: number; length: number }[] = [];
      for (let j = i + 6; j < i + 4 + len; ) {
        const group = ((record[j] as number) << 8) | (record[j + 1] as number);
        const length = ((record[j + 2] as number) << 8) | (record[j + 3] as number);
        out.push({ group, length });
        j += 4 + length;
      }
      return out;
    }
    i += 4 + len;
  }
  return [];
}

function peekClientOut(l: Link): Uint8Array {
  const buf = new Uint8Array(l.clientOut.pending());
  l.clientOut.read(buf);
  l.serverIn.write(buf);
  return buf;
}

/** A provider whose key shares (client role) or encapsulations (server role) are bent by `bend`. */
function bent(base: CryptoProvider, bend: { client?: (share: Uint8Array) => Uint8Array; server?: (share: Uint8Array) => Uint8Array }): CryptoProvider {
  return {
    ...base,
    async generateKeyShare(group: GroupName): Promise<KeyShare> {
      const s = await base.generateKeyShare(group);
      const publicKey = bend.client ? bend.client(s.publicKey) : s.publicKey;
      return { group: s.group, publicKey, deriveSecret: (peer) => s.deriveSecret(peer) };
    },
    async encapsulate(group: GroupName, peer: Uint8Array) {
      const r = await (base.encapsulate as NonNullable<CryptoProvider['encapsulate']>)(group, peer);
      return r && bend.server ? { publicKey: bend.server(r.publicKey), secret: r.secret } : r;
    },
  };
}

describe('Hybrid ML-KEM key exchange (in memory)', function () {
  this.timeout(60000);
  const providers: [string, () => CryptoProvider][] = [
    ['webcrypto', () => createWebCryptoProvider(globalThis.crypto)],
    ['node:crypto', () => createNodeCryptoProvider()],
  ];

  for (const group of HYBRID) {
    for (const [cname, cprov] of providers) {
      for (const [sname, sprov] of providers) {
        it(`${group}: ${cname} client, ${sname} server, TLS 1.3, group() on both ends`, async () => {
          const { cctx, sctx } = contexts({ groups: [group], crypto: cprov() }, { groups: [group], crypto: sprov() });
          const p = pair(cctx, sctx);
          await handshake(p);
          assert.equal(p.client.group(), group);
          assert.equal(p.server.group(), group);
          assert.equal(p.client.version(), 'TLSv1.3');
          assert.equal(p.client.helloRetried(), false);
          const msg = new TextEncoder().encode('post-quantum hello');
          assert.equal(await p.client.write(msg), msg.length);
          const buf = new Uint8Array(64);
          assert.equal(await p.server.read(buf), msg.length);
          const [a, b] = await Promise.all([
            p.client.exportKeyingMaterial('EXPERIMENTAL test', new Uint8Array(0), 32),
            p.server.exportKeyingMaterial('EXPERIMENTAL test', new Uint8Array(0), 32),
          ]);
          assert.deepEqual(a, b);
        });
      }
    }

    it(`${group}: the shares on the wire have the draft's lengths`, async () => {
      const { cctx, sctx } = contexts({ groups: [group] }, { groups: [group] });
      const l = new Link(cctx, sctx);
      await l.client.doHandshake();
      const shares = clientHelloShares(peekClientOut(l));
      const code = group === 'X25519MLKEM768' ? 0x11ec : 0x11eb;
      assert.deepEqual(shares, [{ group: code, length: LENGTHS[group][0] }]);
      await l.handshake();
      assert.equal(l.server.group(), group);
    });
  }

  it('a client leading with X25519MLKEM768 also sends an x25519 share; a classic server takes it without HRR', async () => {
    const { cctx, sctx } = contexts({ groups: ['X25519MLKEM768', 'x25519', 'secp256r1'] }, { groups: ['x25519', 'secp256r1'] });
    const l = new Link(cctx, sctx);
    await l.client.doHandshake();
    assert.deepEqual(clientHelloShares(peekClientOut(l)), [
      { group: 0x11ec, length: 1216 },
      { group: 0x1d, length: 32 },
    ]);
    await l.handshake();
    assert.equal(l.client.group(), 'x25519');
    assert.equal(l.server.group(), 'x25519');
    assert.equal(l.client.helloRetried(), false);
  });

  it('defaults: a client offers no hybrid (x25519 negotiated, no ML-KEM cost); a server takes it from a client leading with it', async () => {
    const d = contexts();
    const l = new Link(d.cctx, d.sctx);
    await l.client.doHandshake();
    assert.deepEqual(clientHelloShares(peekClientOut(l)), [{ group: 0x1d, length: 32 }]);
    await l.handshake();
    assert.equal(l.server.group(), 'x25519');
    const pq = contexts({ groups: ['X25519MLKEM768', 'x25519'] });
    const p = pair(pq.cctx, pq.sctx);
    await handshake(p);
    assert.equal(p.server.group(), 'X25519MLKEM768');
    assert.equal(p.client.helloRetried(), false);
  });

  it('the same client meets a hybrid-capable server: the hybrid share is taken', async () => {
    const { cctx, sctx } = contexts({ groups: ['X25519MLKEM768', 'x25519'] }, { groups: ['x25519', 'X25519MLKEM768'] });
    const p = pair(cctx, sctx);
    await handshake(p);
    assert.equal(p.server.group(), 'X25519MLKEM768');
    assert.equal(p.client.group(), 'X25519MLKEM768');
  });

  it('resumption (PSK with DHE) keeps the hybrid group: a fresh ML-KEM exchange beside the PSK', async () => {
    const { cctx, sctx } = contexts({ groups: ['X25519MLKEM768'] }, { groups: ['X25519MLKEM768'] });
    const p1 = pair(cctx, sctx);
    await handshake(p1);
    await closeBoth(p1);
    const session = p1.client.getSession();
    assert.ok(session);
    const p2 = pair(cctx, sctx, { serverName: 'localhost', session });
    await handshake(p2);
    assert.equal(p2.client.sessionReused(), true);
    assert.equal(p2.server.sessionReused(), true);
    assert.equal(p2.client.group(), 'X25519MLKEM768');
    assert.equal(p2.server.group(), 'X25519MLKEM768');
  });

  it('a server preferring X25519MLKEM768 answers an x25519-only share with a HelloRetryRequest for it', async () => {
    const { cctx, sctx } = contexts({ groups: ['x25519', 'X25519MLKEM768'] }, { groups: ['X25519MLKEM768', 'x25519'] });
    const l = new Link(cctx, sctx);
    await l.handshake();
    assert.equal(l.client.helloRetried(), true);
    assert.equal(l.server.helloRetried(), true);
    assert.equal(l.client.group(), 'X25519MLKEM768');
    assert.equal(l.server.group(), 'X25519MLKEM768');
  });

  it('a server preferring the hybrid takes x25519 without HRR from a client that does not list the hybrid', async () => {
    const { cctx, sctx } = contexts({ groups: ['x25519'] }, { groups: ['X25519MLKEM768', 'x25519'] });
    const l = new Link(cctx, sctx);
    await l.handshake();
    assert.equal(l.client.helloRetried(), false);
    assert.equal(l.server.group(), 'x25519');
  });

  it('a client offering only x25519 first gets the hybrid through HRR from a hybrid-only server', async () => {
    const { cctx, sctx } = contexts({ groups: ['x25519', 'SecP256r1MLKEM768'] }, { groups: ['SecP256r1MLKEM768'] });
    const l = new Link(cctx, sctx);
    await l.handshake();
    assert.equal(l.client.helloRetried(), true);
    assert.equal(l.client.group(), 'SecP256r1MLKEM768');
  });

  it('TLS 1.2 never negotiates a hybrid group: the server picks its ECDHE group, the client lists none for TLS 1.2 only', async () => {
    // secp256r1 listed too: a TLS 1.2 server's ECDSA P-256 certificate needs it (RFC 8422 §5.1).
    const { cctx, sctx } = contexts({ groups: ['X25519MLKEM768', 'x25519', 'secp256r1'] }, { groups: ['X25519MLKEM768', 'x25519'], maxVersion: 'TLSv1.2' });
    const p = pair(cctx, sctx);
    await handshake(p);
    assert.equal(p.client.version(), 'TLSv1.2');
    assert.equal(p.client.group(), 'x25519');
    assert.equal(p.server.group(), 'x25519');

    const only12 = contexts({ groups: ['X25519MLKEM768', 'x25519'], maxVersion: 'TLSv1.2' }, { groups: ['x25519'] });
    const l = new Link(only12.cctx, only12.sctx);
    await l.client.doHandshake();
    const hello = peekClientOut(l);
    assert.equal(clientHelloShares(hello).length, 0);
    assert.ok(!Buffer.from(hello).includes(Buffer.from([0x11, 0xec])), 'no 0x11EC in a TLS 1.2-only ClientHello');
  });

  it("names and aliases: OpenSSL's spellings, case-insensitive; a provider without encapsulate() is refused", () => {
    const pki = contexts();
    assert.ok(pki.cctx);
    for (const g of ['X25519MLKEM768', 'x25519mlkem768', 'SecP256r1MLKEM768', 'secp256r1mlkem768']) {
      assert.doesNotThrow(() => new SslContext({ role: 'client', groups: [g], verifyPeer: false }));
    }
    const base = createWebCryptoProvider(globalThis.crypto);
    const { encapsulate: _drop, ...noKem } = base;
    assert.throws(() => new SslContext({ role: 'client', groups: ['X25519MLKEM768'], verifyPeer: false, crypto: noKem }), RangeError);
    assert.throws(() => new SslContext({ role: 'client', groups: ['X25519MLKEM1024'], verifyPeer: false }), RangeError);
  });

  describe('misbehaving peers get illegal_parameter', () => {
    const web = () => createWebCryptoProvider(globalThis.crypto);
    const cases: [string, 'client' | 'server', (b: Uint8Array) => Uint8Array][] = [
      ['a client share one byte short', 'client', (b) => b.subarray(0, b.length - 1)],
      ['a client share one byte long', 'client', (b) => Uint8Array.of(...b, 0)],
      // FIPS 203 §7.2 modulus check: the first 12-bit coefficient set to 4095 (>= q = 3329).
      ['an encapsulation key failing the modulus check', 'client', (b) => Uint8Array.of(0xff, (b[1] as number) | 0x0f, ...b.subarray(2))],
      ['a server share (ciphertext) one byte short', 'server', (b) => b.subarray(0, b.length - 1)],
      ['a server share (ciphertext) one byte long', 'server', (b) => Uint8Array.of(...b, 0)],
      ['a server share with an all-zero X25519 key', 'server', (b) => Uint8Array.of(...b.subarray(0, 1088), ...new Uint8Array(32))],
    ];
    for (const [what, side, bend] of cases) {
      it(what, async () => {
        const bad = bent(web(), side === 'client' ? { client: bend } : { server: bend });
        const { cctx, sctx } = contexts({ groups: ['X25519MLKEM768'], ...(side === 'client' ? { crypto: bad } : {}) }, { groups: ['X25519MLKEM768'], ...(side === 'server' ? { crypto: bad } : {}) });
        const l = new Link(cctx, sctx);
        await failedHandshake(l);
        const victim = side === 'client' ? l.server : l.client;
        const culprit = side === 'client' ? l.client : l.server;
        assert.equal(victim.lastErrorDetail()?.reason, 'BAD_KEY_SHARE');
        assert.equal(victim.errorReason(), 'bad key share');
        assert.equal(culprit.errorReason(), 'sslv3 alert illegal parameter');
      });
    }
  });
});
