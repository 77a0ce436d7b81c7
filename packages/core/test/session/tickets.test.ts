/**
 * Stateless session tickets (RFC 5077, RFC 8446 §4.6.1) and operator-controlled ticket keys, memtls <-> memtls in
 * both versions: the default is stateless, SSL_OP_NO_TICKET is stateful (TLS 1.3) or session IDs (TLS 1.2), two
 * contexts sharing keys resume each other's sessions, rotation keeps an old key for one lifetime, the callback
 * supplies keys, and every bad ticket (tampered, truncated, foreign, expired, other version) gives a full
 * handshake without an error.
 */
import { strict as assert } from 'node:assert';
import { inspect } from 'node:util';
import { type ContextOptions, SSL_OP_NO_TICKET, type SslContext, SslSession } from '@memtls/core';
import fc from 'fast-check';
import { sessionPsk } from '#internal/session/session';
import { decodeState, encodeState, MAX_STATE, openTicket, sealTicket } from '#internal/session/stateless-ticket';
import { TicketKeyStore } from '#internal/session/ticket-keys';
import { clientCtx, type Pair, pair, provider, serverCtx, testPki } from '../tls12/helpers.js';

type Version = 'TLSv1.2' | 'TLSv1.3';
const VERSIONS: readonly Version[] = ['TLSv1.3', 'TLSv1.2'];

/** A clock the test moves (from now: the test certificates are made at run time). */
function clock(start = Date.now()): { now: () => Date; advance(seconds: number): void } {
  let t = start;
  return { now: () => new Date(t), advance: (s) => (t += s * 1000) };
}

const keys48 = (fill: number): Uint8Array => new Uint8Array(48).map((_, i) => (fill + i * 13) & 0xff);

/** A full handshake of `version`, the tickets read, both sides closed: the client's session. */
async function fullSession(cctx: SslContext, sctx: SslContext, session?: SslSession): Promise<{ p: Pair; session: SslSession }> {
  const p = pair(cctx, sctx, undefined, 0, session);
  assert.deepEqual(await p.handshake(), { client: 1, server: 1 });
  const buf = new Uint8Array(64);
  await p.flush();
  assert.equal(await p.client.read(buf), -1); // the TLS 1.3 tickets
  assert.equal(await p.client.shutdown(), 0);
  await p.flush();
  assert.equal(await p.server.read(buf), 0);
  assert.equal(await p.server.shutdown(), 1);
  await p.flush();
  assert.equal(await p.client.shutdown(), 1);
  const s = p.client.getSession();
  assert.ok(s, 'a resumable session');
  return { p, session: s };
}

const client = (version: Version, extra: Partial<ContextOptions> = {}) => clientCtx({ maxVersion: version, minVersion: version, ...extra });
const server = (extra: Partial<ContextOptions> = {}) => serverCtx('ec-p256', extra);

/** A copy of `s` with other fields (the PSK kept). */
function edited(s: SslSession, f: Partial<ConstructorParameters<typeof SslSession>[0]>): SslSession {
  return new SslSession({
    version: s.version,
    cipherSuite: s.cipherSuite,
    serverName: s.serverName,
    alpn: s.alpn,
    ticket: s.ticket,
    psk: sessionPsk(s),
    ageAdd: s.ageAdd,
    sessionId: s.sessionId,
    extendedMasterSecret: s.extendedMasterSecret,
    lifetime: s.lifetime,
    receivedAt: s.receivedAt,
    peerCertificates: s.peerCertificates,
    verifyResult: s.verifyResult,
    verifiedHostname: s.verifiedHostname,
    ...f,
  });
}

/** Offer `session`: the handshake completes (no error on either side); returns whether the server resumed. */
async function offered(cctx: SslContext, sctx: SslContext, session: SslSession): Promise<boolean> {
  const p = pair(cctx, sctx, undefined, 0, session);
  assert.deepEqual(await p.handshake(), { client: 1, server: 1 }, 'a bad ticket is ignored, never an alert');
  assert.equal(p.client.sessionReused(), p.server.sessionReused());
  return p.server.sessionReused();
}

describe('stateless session tickets', () => {
  for (const version of VERSIONS) {
    describe(version, () => {
      it('the default ticket is stateless: the session sealed under the context key, nothing cached, and it resumes', async () => {
        const sctx = server();
        const cctx = client(version);
        const { session } = await fullSession(cctx, sctx);
        assert.ok(session.ticket.length > 32, 'longer than a cache id');
        assert.deepEqual(session.ticket.subarray(0, 16), sctx.getTicketKeys().subarray(0, 16), 'the ticket starts with the key name');
        assert.equal(sctx.sessionCache?.size, 0, 'nothing is kept on the server');
        assert.equal(await offered(cctx, sctx, session), true);
      });

      it('SSL_OP_NO_TICKET: stateful (TLS 1.3: a cache id as ticket; TLS 1.2: a session ID), and it resumes', async () => {
        const sctx = server({ options: SSL_OP_NO_TICKET });
        const cctx = client(version);
        const { session } = await fullSession(cctx, sctx);
        if (version === 'TLSv1.3') assert.equal(session.ticket.length, 32);
        else assert.deepEqual([session.ticket.length, session.sessionId.length], [0, 32]);
        assert.ok((sctx.sessionCache?.size ?? 0) > 0);
        assert.equal(await offered(cctx, sctx, session), true);
      });

      it('two server contexts ("two machines") sharing ticketKeys resume each other\'s sessions; a third with its own key does not', async () => {
        const shared = keys48(7);
        const a = server({ ticketKeys: shared });
        const b = server();
        b.setTicketKeys(a.getTicketKeys());
        const cctx = client(version);
        const fromA = (await fullSession(cctx, a)).session;
        assert.equal(await offered(cctx, b, fromA), true, 'B resumes A\'s session');
        const fromB = (await fullSession(cctx, b)).session;
        assert.equal(await offered(cctx, a, fromB), true, 'A resumes B\'s session');
        assert.equal(await offered(cctx, server(), fromA), false, 'a foreign key: a full handshake');
      });

      it('rotation: the replaced key opens tickets for one ticket lifetime, then stops; new tickets use the new key', async () => {
        const t = clock();
        const sctx = server({ ticketKeys: keys48(1), now: t.now });
        const cctx = client(version, { now: t.now });
        const old = (await fullSession(cctx, sctx)).session;
        sctx.ticketLifetime = 600; // the old key is kept 600 s after the rotation (the ticket itself lives 7200 s)
        sctx.setTicketKeys(keys48(2));
        assert.deepEqual(sctx.getTicketKeys(), keys48(2));
        t.advance(300);
        const { p, session: renewed } = await fullSession(cctx, sctx, old);
        assert.equal(p.server.sessionReused(), true, 'the old key still opens its tickets');
        assert.deepEqual(renewed.ticket.subarray(0, 16), keys48(2).subarray(0, 16), 'a fresh ticket under the new key (TLS 1.2: renewed)');
        assert.notDeepEqual(renewed.ticket, old.ticket);
        t.advance(301);
        assert.equal(old.isResumable(t.now()), true, 'the ticket has not expired');
        assert.equal(await offered(cctx, sctx, old), false, 'the rotated-out key was dropped: a full handshake');
        assert.equal(await offered(cctx, sctx, renewed), true, 'the renewed ticket resumes');
      });

      it('an expired ticket (the server clock past its lifetime) gives a full handshake', async () => {
        const t = clock();
        const sctx = server({ now: t.now });
        const cctx = client(version); // the system clock: the client still offers it
        const { session } = await fullSession(cctx, sctx);
        assert.equal(await offered(cctx, sctx, session), true);
        t.advance(7201);
        assert.equal(await offered(cctx, sctx, session), false);
      });

      it('tampered tickets: each byte region flipped, truncated, extended, empty of state: a full handshake, no alert', async () => {
        const sctx = server();
        const cctx = client(version);
        const { session } = await fullSession(cctx, sctx);
        const tk = session.ticket;
        const variants: Uint8Array[] = [];
        for (const at of [0, 15, 16, 27, 28, 40, tk.length - 17, tk.length - 1]) {
          const v = tk.slice();
          v[at] = (v[at] as number) ^ 0x01;
          variants.push(v);
        }
        variants.push(tk.slice(0, tk.length - 1), tk.slice(0, 45), tk.slice(0, 33), new Uint8Array([...tk, 0]));
        for (const ticket of variants) assert.equal(await offered(cctx, sctx, edited(session, { ticket })), false, `variant of ${ticket.length} bytes`);
        assert.equal(await offered(cctx, sctx, session), true, 'the genuine ticket still resumes');
      });

      it('ticketKeyCallback supplies the keys (as SSL_CTX_set_tlsext_ticket_key_evp_cb): seal, open, renew, unknown, throwing', async () => {
        const store = new Map<string, Uint8Array>();
        let current = keys48(40);
        const renewNames = new Set<string>();
        const asked: (string | null)[] = [];
        const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
        store.set(hex(current.subarray(0, 16)), current);
        let mode: 'ok' | 'unknown' | 'throw' = 'ok';
        const sctx = server({
          ticketKeyCallback: async (name) => {
            asked.push(name ? hex(name) : null);
            if (mode === 'throw') throw new Error('secret store down');
            if (name === null) return { key: current };
            const key = mode === 'ok' ? store.get(hex(name)) : undefined;
            return key ? { key, renew: renewNames.has(hex(name)) } : null;
          },
        });
        const cctx = client(version);
        const { session } = await fullSession(cctx, sctx);
        assert.deepEqual(session.ticket.subarray(0, 16), current.subarray(0, 16));
        assert.ok(asked.includes(null));
        assert.equal(await offered(cctx, sctx, session), true);
        assert.ok(asked.includes(hex(current.subarray(0, 16))), 'asked for the key by name');
        // Rotate in the store; the old key asks for renewal.
        renewNames.add(hex(current.subarray(0, 16)));
        current = keys48(41);
        store.set(hex(current.subarray(0, 16)), current);
        const { p, session: next } = await fullSession(cctx, sctx, session);
        assert.equal(p.server.sessionReused(), true);
        assert.deepEqual(next.ticket.subarray(0, 16), current.subarray(0, 16), 'renewed under the current key');
        mode = 'unknown';
        assert.equal(await offered(cctx, sctx, next), false, 'an unknown key name: a full handshake');
        mode = 'throw';
        assert.equal(await offered(cctx, sctx, next), false, 'a callback that throws: a full handshake');
      });
    });
  }

  it('TLS 1.3: a stateless ticket resumes after a HelloRetryRequest (opened again for the second ClientHello)', async () => {
    const sctx = server({ groups: ['secp256r1'] });
    const cctx = client('TLSv1.3', { groups: ['x25519', 'secp256r1'] });
    const { session } = await fullSession(cctx, sctx);
    const p = pair(cctx, sctx, undefined, 0, session);
    assert.deepEqual(await p.handshake(), { client: 1, server: 1 });
    assert.equal(p.server.sessionReused(), true);
    assert.equal(p.server.group(), 'secp256r1');
  });

  it('a TLS 1.2 ticket offered in TLS 1.3, and a TLS 1.3 ticket offered in TLS 1.2: a full handshake', async () => {
    const sctx = server();
    const s12 = (await fullSession(client('TLSv1.2'), sctx)).session;
    const s13 = (await fullSession(client('TLSv1.3'), sctx)).session;
    const as13 = edited(s12, { version: 'TLSv1.3', cipherSuite: s13.cipherSuite, ageAdd: 1 });
    assert.equal(await offered(client('TLSv1.3'), sctx, as13), false);
    const as12 = edited(s13, { version: 'TLSv1.2', cipherSuite: s12.cipherSuite, extendedMasterSecret: true, sessionId: new Uint8Array(0) });
    assert.equal(await offered(client('TLSv1.2'), sctx, as12), false);
  });

  it('the session restores the client\'s verify result and chain, the ALPN and the SNI (mTLS, both versions)', async () => {

    const pki = testPki();
    for (const version of VERSIONS) {
      const sctx = server({ verifyPeer: true, ca: pki.ca, alpn: ['h2', 'x'] });
      const cctx = client(version, { cert: pki.client.cert, key: pki.client.key, alpn: ['x'] });
      const first = await fullSession(cctx, sctx);
      const chain = first.p.server.peerCertificates();
      assert.ok(chain.length > 0);
      const p = pair(cctx, sctx, undefined, 0, first.session);
      assert.deepEqual(await p.handshake(), { client: 1, server: 1 });
      assert.equal(p.server.sessionReused(), true, version);
      assert.equal(p.server.verifyResult(), first.p.server.verifyResult());
      assert.deepEqual(p.server.peerCertificates(), chain);
      assert.equal(p.server.alpnSelected(), 'x');
      assert.equal(p.server.cipher(), first.p.server.cipher());
    }
  });

  it('shared keys never upgrade client verification: a context with other client-certificate rules resumes a foreign ticket only as its own policy allows', async () => {
    const pki = testPki();
    const keys = keys48(77);
    const mtls = (extra: Partial<ContextOptions> = {}) => server({ ticketKeys: keys, verifyPeer: true, ca: pki.ca, ...extra });
    for (const version of VERSIONS) {
      const cctx = client(version, { cert: pki.client.cert, key: pki.client.key });
      // A session made without client authentication does not resume where a certificate is required.
      const anonymous = (await fullSession(cctx, server({ ticketKeys: keys }))).session;
      assert.equal(await offered(cctx, mtls(), anonymous), false, `${version}: no certificate in the session, one required`);
      assert.equal(await offered(cctx, mtls({ requireClientCert: false }), anonymous), true, `${version}: a certificate optional`);
      // A session with a verified client chain: verified again under the other context's policy.
      const a = mtls();
      const verified = (await fullSession(cctx, a)).session;
      const b = mtls();
      const p = pair(cctx, b, undefined, 0, verified);
      assert.deepEqual(await p.handshake(), { client: 1, server: 1 });
      assert.equal(p.server.sessionReused(), true, `${version}: the same anchors accept the chain`);
      assert.equal(p.server.verifyResult(), 'X509_V_OK');
      // A policy that refuses the stored chain (the first verification), then accepts the full handshake's.
      let calls = 0;
      assert.equal(await offered(cctx, mtls({ verifyCallback: () => ++calls > 1 }), verified), false, `${version}: a policy that refuses the chain`);
      assert.equal(calls, 2, 'the stored chain, then the full handshake chain');
      // A context that does not verify clients reports no certificate and no verification for the foreign session.
      const q = pair(cctx, server({ ticketKeys: keys }), undefined, 0, verified);
      assert.deepEqual(await q.handshake(), { client: 1, server: 1 });
      assert.equal(q.server.sessionReused(), true);
      assert.equal(q.server.verifyResult(), 'X509_V_ERR_NOT_VERIFIED');
      assert.deepEqual(q.server.peerCertificates(), []);
    }
  });

  it('ticket keys: 48 bytes or a TypeError, server only, getTicketKeys a copy, never in inspect or JSON', () => {
    const k = keys48(9);
    const sctx = server({ ticketKeys: k });
    assert.deepEqual(sctx.getTicketKeys(), k);
    sctx.getTicketKeys().fill(0);
    assert.deepEqual(sctx.getTicketKeys(), k, 'a copy');
    k.fill(0);
    assert.deepEqual(sctx.getTicketKeys(), keys48(9), 'the context copied the option');
    assert.throws(() => sctx.setTicketKeys(new Uint8Array(47)), TypeError);
    assert.throws(() => sctx.setTicketKeys('x' as unknown as Uint8Array), TypeError);
    assert.throws(() => server({ ticketKeys: new Uint8Array(80) }), TypeError);
    assert.throws(() => server({ ticketKeyCallback: 3 as unknown as NonNullable<ContextOptions['ticketKeyCallback']> }), TypeError);
    assert.throws(() => clientCtx({ ticketKeys: keys48(1) }), TypeError);
    assert.throws(() => clientCtx().getTicketKeys(), TypeError);
    const defaults = [server().getTicketKeys(), server().getTicketKeys()];
    assert.notDeepEqual(defaults[0], defaults[1], 'random by default');
    const hexKey = Buffer.from(keys48(9)).toString('hex').slice(32);
    for (const shown of [inspect(sctx, { depth: 10, showHidden: true }), JSON.stringify(sctx)]) {
      assert.ok(!shown.includes(hexKey) && !shown.includes(keys48(9).slice(16).join(',')), 'no key bytes');
    }
  });
});

describe('stateless ticket sealing (session/stateless-ticket.ts)', () => {
  const entry = {
    version: 'TLSv1.3' as const,
    psk: new Uint8Array(32).fill(5),
    hash: 'SHA-256',
    cipherSuite: 0x1301,
    alpn: 'h2',
    serverName: 'example.com',
    createdAt: Date.UTC(2026, 0, 1),
    lifetime: 7200,
    ageAdd: 0xfedcba98,
    peerCertificates: [new Uint8Array(100).fill(1)],
    verifyResult: 'X509_V_OK',
    extendedMasterSecret: false,
    maxEarlyData: 16384,
    origin: new Uint8Array(16).fill(7),
  };

  it('the state round-trips every field; any other format byte or trailing byte is refused', () => {
    const bytes = encodeState(entry);
    assert.deepEqual(decodeState(bytes), entry);
    assert.equal(decodeState(new Uint8Array([2, ...bytes.subarray(1)])), null);
    assert.equal(decodeState(new Uint8Array([...bytes, 0])), null);
    for (let n = 0; n < bytes.length; n++) assert.equal(decodeState(bytes.subarray(0, n)), null);
  });

  it('a state over MAX_STATE (a long client chain) is not sealed: the server then issues a stateful ticket', async () => {
    const store = new TicketKeyStore(provider, () => entry.createdAt, () => 7200, keys48(3), null);
    const big = { ...entry, peerCertificates: [new Uint8Array(MAX_STATE)] };
    assert.equal(await sealTicket(store, new Uint8Array(12), big), null);
    const ticket = await sealTicket(store, new Uint8Array(12).fill(9), entry);
    assert.ok(ticket);
    assert.deepEqual((await openTicket(store, ticket, entry.createdAt + 1000))?.session, { ...entry, origin: store.origin });
    assert.equal(await openTicket(store, ticket, entry.createdAt + 7200 * 1000 + 1), null, 'expired');
  });

  it('property: a ticket changed in any way (bytes flipped, cut, extended) or made up opens to nothing, never throws', async () => {
    const store = new TicketKeyStore(provider, () => entry.createdAt, () => 7200, keys48(4), null);
    const ticket = (await sealTicket(store, new Uint8Array(12).fill(1), entry)) as Uint8Array;
    const now = entry.createdAt + 1000;
    assert.ok(await openTicket(store, ticket, now));
    const edit = fc.oneof(
      fc.record({ at: fc.nat({ max: ticket.length - 1 }), xor: fc.integer({ min: 1, max: 255 }) }).map(({ at, xor }) => {
        const t = ticket.slice();
        t[at] = (t[at] as number) ^ xor;
        return t;
      }),
      fc.nat({ max: ticket.length - 1 }).map((n) => ticket.slice(0, n)),
      fc.uint8Array({ minLength: 1, maxLength: 64 }).map((tail) => new Uint8Array([...ticket, ...tail])),
      fc.uint8Array({ maxLength: 600 }),
      fc.uint8Array({ minLength: 16, maxLength: 300 }).map((rest) => new Uint8Array([...ticket.subarray(0, 16), ...rest])),
    );
    await fc.assert(
      fc.asyncProperty(edit, async (t) => {
        assert.equal(await openTicket(store, t, now), null);
      }),
      { numRuns: 300 },
    );
  });

  it('a TLS 1.3 session with a client chain too large to seal gets a stateful ticket, and resumes', async () => {

    const pki = testPki();
    // A client chain of the leaf repeated: large enough to pass MAX_STATE (the server verifies only what it must).
    const leaf = pki.client;
    const copies = Math.ceil(MAX_STATE / 400) + 2;
    const sctx = server({ verifyPeer: true, ca: pki.ca });
    const cctx = client('TLSv1.3', { cert: Array(copies).fill(leaf.cert).join('\n'), key: leaf.key });
    const first = await fullSession(cctx, sctx);
    assert.equal(first.session.ticket.length, 32, 'a cache id');
    assert.ok((sctx.sessionCache?.size ?? 0) > 0);
    assert.equal(await offered(cctx, sctx, first.session), true);
  });
});
