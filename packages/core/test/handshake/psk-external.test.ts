/**
 * External PSKs (RFC 8446 §4.2.11 with an out-of-band key; ContextOptions.pskUseSession / pskFindSession) between
 * memtls endpoints in memory: a server without certificate, identities, binders, the hash a PSK is bound to, a
 * HelloRetryRequest, a resumption ticket offered beside the PSK, callbacks that fail, and what the connection
 * reports (pskIdentity, verifyResult, sessionReused).
 */
import { strict as assert } from 'node:assert';
import { inspect } from 'node:util';
import { type MsgInfo, SSL_ERROR_SSL, type Ssl, SslContext } from '@memtls/core';
import { ExtensionType as X } from '#internal/wire/enums';
import { findExtension, parsePreSharedKeyClient } from '#internal/wire/extensions';
import { parseClientHello } from '#internal/wire/handshake';
import { editFirstRecord, onceOn, type Pair, pair, provider, serverCtx, testPki, transfer } from '../tls12/helpers.js';

const ID = new TextEncoder().encode('device-17');
const KEY = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

type Found = { key: Uint8Array; cipher?: string } | null;

/** A server that knows `keys` (identity as text -> key), without a certificate unless `withCert`. */
function pskServer(keys: Record<string, Uint8Array>, opts: { withCert?: boolean; cipher?: string; seen?: string[]; extra?: object } = {}): SslContext {
  const find = (identity: Uint8Array, ssl: Ssl): Found => {
    assert.equal(ssl.isServer(), true);
    const name = new TextDecoder().decode(identity);
    opts.seen?.push(name);
    const key = keys[name];
    return key ? { key, ...(opts.cipher ? { cipher: opts.cipher } : {}) } : null;
  };
  if (opts.withCert) return serverCtx('ec-p256', { pskFindSession: find, ...opts.extra });
  return new SslContext({ role: 'server', crypto: provider, pskFindSession: find, ...opts.extra });
}

/** A client that offers `identity`/`key` (no trust anchors unless `ca`: only the PSK can authenticate the server). */
function pskClient(identity: Uint8Array | null, key: Uint8Array, opts: { cipher?: string; ca?: boolean; extra?: object } = {}): SslContext {
  return new SslContext({
    role: 'client',
    crypto: provider,
    ...(opts.ca ? { ca: testPki().ca } : {}),
    pskUseSession: () => (identity ? { identity, key, ...(opts.cipher ? { cipher: opts.cipher } : {}) } : null),
    ...opts.extra,
  });
}

/** The handshake message types `ssl` receives. */
function receivedTypes(ssl: Ssl): number[] {
  const types: number[] = [];
  ssl.setMsgCallback((m: MsgInfo) => {
    if (m.direction === 'received' && m.contentType === 22) types.push(m.bytes[0] as number);
  });
  return types;
}

async function handshakeOk(p: Pair): Promise<void> {
  const r = await p.handshake();
  assert.deepEqual(r, { client: 1, server: 1 }, `client: ${p.client.errorReason()}, server: ${p.server.errorReason()}`);
}

describe('external PSKs (RFC 8446 §4.2.11)', () => {
  it('a server without certificate and a client without trust anchors agree on a PSK: psk_dhe_ke, no Certificate, honest reporting', async () => {
    const p = pair(pskClient(ID, KEY), pskServer({ 'device-17': KEY }));
    const types = receivedTypes(p.client);
    await handshakeOk(p);
    assert.equal(p.client.version(), 'TLSv1.3');
    assert.equal(p.client.cipher(), 'TLS_AES_128_GCM_SHA256');
    // No Certificate (11) or CertificateVerify (15): the PSK authenticated the server.
    assert.deepEqual(types.slice(0, 3), [2, 8, 20]);
    for (const ssl of [p.client, p.server]) {
      assert.deepEqual(ssl.pskIdentity(), ID);
      assert.equal(ssl.sessionReused(), true);
      // Nothing was verified: memtls never says X509_V_OK then (OpenSSL does).
      assert.equal(ssl.verifyResult(), 'X509_V_ERR_NOT_VERIFIED');
      assert.deepEqual(ssl.peerCertificates(), []);
    }
    // psk_dhe_ke: an (EC)DHE group was still agreed.
    assert.equal(p.client.group(), 'x25519');
    assert.deepEqual(await transfer(p, p.client, p.server, utf8('ping')), utf8('ping'));
    assert.deepEqual(await transfer(p, p.server, p.client, utf8('pong')), utf8('pong'));
    // No NewSessionTicket after an external PSK (unlike OpenSSL): nothing to resume.
    assert.equal(p.client.getSession(), null);
  });

  it('the ClientHello carries the identity with obfuscated_ticket_age 0, pre_shared_key last, psk_dhe_ke only', async () => {
    let seen: ReturnType<typeof parsePreSharedKeyClient> | null = null;
    let last = -1;
    let modes: Uint8Array | undefined;
    const hook = onceOn('c2s', (b) =>
      editFirstRecord(b, (msgs) => {
        const ch = parseClientHello((msgs[0] as Uint8Array).subarray(4));
        seen = parsePreSharedKeyClient(findExtension(ch.extensions, X.PRE_SHARED_KEY) as Uint8Array);
        last = (ch.extensions.at(-1) as { type: number }).type;
        modes = findExtension(ch.extensions, X.PSK_KEY_EXCHANGE_MODES);
        return msgs;
      }),
    );
    await handshakeOk(pair(pskClient(ID, KEY), pskServer({ 'device-17': KEY }), hook));
    assert.ok(seen);
    const s = seen as ReturnType<typeof parsePreSharedKeyClient>;
    assert.equal(s.identities.length, 1);
    assert.deepEqual(s.identities[0]?.identity, ID);
    assert.equal(s.identities[0]?.obfuscatedTicketAge, 0);
    assert.equal(s.binders[0]?.length, 32);
    assert.equal(last, X.PRE_SHARED_KEY);
    assert.deepEqual(modes, Uint8Array.of(1, 1));
  });

  it('a wrong key fails the binder: decrypt_error from the server, "psk binder verification failed"', async () => {
    const wrong = KEY.slice();
    wrong[0] = 0xff;
    const p = pair(pskClient(ID, wrong), pskServer({ 'device-17': KEY }));
    const r = await p.handshake();
    assert.equal(p.server.getError(r.server), SSL_ERROR_SSL);
    assert.equal(p.server.errorReason(), 'psk binder verification failed');
    assert.equal(p.client.getError(r.client), SSL_ERROR_SSL);
    assert.equal(p.client.errorReason(), 'tlsv1 alert decrypt error');
  });

  it('an unknown identity: no PSK; a server without certificate then refuses with handshake_failure', async () => {
    const seen: string[] = [];
    const p = pair(pskClient(utf8('stranger'), KEY), pskServer({ 'device-17': KEY }, { seen }));
    const r = await p.handshake();
    assert.deepEqual(seen, ['stranger']);
    assert.equal(p.server.getError(r.server), SSL_ERROR_SSL);
    assert.equal(p.server.errorReason(), 'no suitable signature algorithm');
    assert.equal(p.client.errorReason(), 'sslv3 alert handshake failure');
  });

  it('a client offering no PSK to a server without certificate: handshake_failure at once', async () => {
    const p = pair(new SslContext({ role: 'client', crypto: provider, verifyPeer: false }), pskServer({ 'device-17': KEY }));
    const r = await p.handshake();
    assert.equal(p.server.getError(r.server), SSL_ERROR_SSL);
    assert.equal(p.server.errorReason(), 'no suitable signature algorithm');
    assert.equal(p.client.errorReason(), 'sslv3 alert handshake failure');
  });

  it('an unknown identity with a certificate server: the certificate handshake, verified, no pskIdentity', async () => {
    const p = pair(pskClient(utf8('stranger'), KEY, { ca: true }), pskServer({ 'device-17': KEY }, { withCert: true }));
    const types = receivedTypes(p.client);
    await handshakeOk(p);
    assert.ok(types.includes(11) && types.includes(15), 'Certificate and CertificateVerify');
    assert.equal(p.client.pskIdentity(), null);
    assert.equal(p.client.sessionReused(), false);
    assert.equal(p.client.verifyResult(), 'X509_V_OK');
  });

  it('a client without trust anchors never accepts a certificate instead of its PSK', async () => {
    const p = pair(pskClient(utf8('stranger'), KEY), pskServer({ 'device-17': KEY }, { withCert: true }));
    const r = await p.handshake();
    assert.equal(p.client.getError(r.client), SSL_ERROR_SSL);
    assert.notEqual(p.client.verifyResult(), 'X509_V_OK');
  });

  it('a certificate server with pskFindSession takes the PSK when it knows it (no Certificate sent)', async () => {
    const p = pair(pskClient(ID, KEY, { ca: true }), pskServer({ 'device-17': KEY }, { withCert: true }));
    const types = receivedTypes(p.client);
    await handshakeOk(p);
    assert.ok(!types.includes(11));
    assert.deepEqual(p.server.pskIdentity(), ID);
    assert.equal(p.client.verifyResult(), 'X509_V_ERR_NOT_VERIFIED');
  });

  it('a PSK bound to SHA-384 steers the server to a SHA-384 suite, whatever the client prefers', async () => {
    const cipher = 'TLS_AES_256_GCM_SHA384';
    const p = pair(pskClient(ID, KEY, { cipher }), pskServer({ 'device-17': KEY }, { cipher }));
    await handshakeOk(p);
    assert.equal(p.client.cipher(), cipher);
    assert.deepEqual(p.server.pskIdentity(), ID);
  });

  it('the two sides binding the key to different hashes: the binder does not verify (decrypt_error)', async () => {
    const p = pair(pskClient(ID, KEY), pskServer({ 'device-17': KEY }, { cipher: 'TLS_AES_256_GCM_SHA384' }));
    const r = await p.handshake();
    assert.equal(p.server.getError(r.server), SSL_ERROR_SSL);
    assert.equal(p.server.errorReason(), 'psk binder verification failed');
    assert.equal(p.client.errorReason(), 'tlsv1 alert decrypt error');
  });

  it('a PSK whose hash fits no suite the client offers is not used', async () => {
    const cctx = pskClient(ID, KEY, { extra: { cipherSuites: ['TLS_AES_128_GCM_SHA256'] } });
    const p = pair(cctx, pskServer({ 'device-17': KEY }, { cipher: 'TLS_AES_256_GCM_SHA384' }));
    const r = await p.handshake();
    assert.equal(p.server.getError(r.server), SSL_ERROR_SSL);
    assert.equal(p.server.errorReason(), 'no suitable signature algorithm');
  });

  it('a client whose suites all have another hash does not offer the PSK', async () => {
    let offered = true;
    const hook = onceOn('c2s', (b) =>
      editFirstRecord(b, (msgs) => {
        offered = findExtension(parseClientHello((msgs[0] as Uint8Array).subarray(4)).extensions, X.PRE_SHARED_KEY) !== undefined;
        return msgs;
      }),
    );
    const cctx = pskClient(ID, KEY, { extra: { cipherSuites: ['TLS_AES_256_GCM_SHA384'], verifyPeer: false } });
    await pair(cctx, pskServer({ 'device-17': KEY }, { withCert: true }), hook).handshake();
    assert.equal(offered, false);
  });

  it('after a HelloRetryRequest the PSK is offered again, with its binder over the new transcript', async () => {
    const cctx = pskClient(ID, KEY, { extra: { groups: ['secp256r1', 'x25519'] } });
    const p = pair(cctx, pskServer({ 'device-17': KEY }, { extra: { groups: ['x25519'] } }));
    await handshakeOk(p);
    assert.equal(p.client.helloRetried(), true);
    assert.deepEqual(p.client.pskIdentity(), ID);
    assert.deepEqual(p.server.pskIdentity(), ID);
  });

  it('a resumption ticket and the external PSK offered together: the ticket first, and the server resumes it', async () => {
    const sctx = pskServer({ 'device-17': KEY }, { withCert: true });
    let offerPsk = false;
    const cctx = new SslContext({ role: 'client', crypto: provider, ca: testPki().ca, pskUseSession: () => (offerPsk ? { identity: ID, key: KEY } : null) });
    const first = pair(cctx, sctx);
    await handshakeOk(first);
    await transfer(first, first.server, first.client, utf8('x'));
    assert.equal(await first.client.shutdown(), 0);
    await first.flush();
    assert.equal(await first.server.read(new Uint8Array(16)), 0);
    assert.equal(await first.server.shutdown(), 1);
    await first.flush();
    assert.equal(await first.client.shutdown(), 1);
    const session = first.client.getSession();
    assert.ok(session);
    offerPsk = true;
    let ids: Uint8Array[] = [];
    const hook = onceOn('c2s', (b) =>
      editFirstRecord(b, (msgs) => {
        const ch = parseClientHello((msgs[0] as Uint8Array).subarray(4));
        ids = parsePreSharedKeyClient(findExtension(ch.extensions, X.PRE_SHARED_KEY) as Uint8Array).identities.map((i) => i.identity);
        return msgs;
      }),
    );
    const second = pair(cctx, sctx, hook, 0, session);
    await handshakeOk(second);
    assert.equal(ids.length, 2);
    assert.deepEqual(ids[0], session.ticket);
    assert.deepEqual(ids[1], ID);
    assert.equal(second.client.sessionReused(), true);
    assert.equal(second.client.pskIdentity(), null);
    assert.equal(second.client.verifyResult(), 'X509_V_OK');
  });

  it('callbacks that throw or return nonsense fail the handshake with CALLBACK_FAILED (internal_error)', async () => {
    const bad = [
      () => {
        throw new Error('boom');
      },
      () => ({ identity: 'text', key: KEY }),
      () => ({ identity: ID, key: new Uint8Array(0) }),
      () => ({ identity: ID, key: KEY, cipher: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' }),
    ];
    for (const use of bad) {
      const cctx = new SslContext({ role: 'client', crypto: provider, pskUseSession: use as never });
      const p = pair(cctx, pskServer({ 'device-17': KEY }));
      const r = await p.handshake();
      assert.equal(p.client.getError(r.client), SSL_ERROR_SSL);
      assert.equal(p.client.errorReason(), 'callback failed');
    }
    const sctx = new SslContext({
      role: 'server',
      crypto: provider,
      pskFindSession: () => {
        throw new Error('boom');
      },
    });
    const p = pair(pskClient(ID, KEY), sctx);
    const r = await p.handshake();
    assert.equal(p.server.getError(r.server), SSL_ERROR_SSL);
    assert.equal(p.server.errorReason(), 'callback failed');
    assert.equal(p.client.errorReason(), 'tlsv1 alert internal error');
  });

  it('TLS 1.2 only: the PSK is not used (TLS 1.2 PSK suites are not implemented)', async () => {
    const p = pair(pskClient(ID, KEY, { ca: true, extra: { maxVersion: 'TLSv1.2' } }), pskServer({ 'device-17': KEY }, { withCert: true }));
    await handshakeOk(p);
    assert.equal(p.client.version(), 'TLSv1.2');
    assert.equal(p.client.pskIdentity(), null);
    assert.equal(p.server.pskIdentity(), null);
  });

  it('the key is reachable from no inspection of the connection', async () => {
    const key = Uint8Array.from({ length: 32 }, () => 0xa5);
    const p = pair(pskClient(ID, key), pskServer({ 'device-17': key }));
    await handshakeOk(p);
    for (const ssl of [p.client, p.server]) {
      const text = inspect(ssl, { depth: 20, showHidden: true });
      assert.ok(!text.includes('165, 165, 165, 165'), 'no key bytes in inspect');
      assert.ok(!JSON.stringify(ssl.pskIdentity()).includes('165'));
    }
  });

  it('option checks: role, type, a server needs a certificate or pskFindSession', () => {
    assert.throws(() => new SslContext({ role: 'client', verifyPeer: false, pskFindSession: () => null }), TypeError);
    assert.throws(() => new SslContext({ role: 'server', pskUseSession: () => null, pskFindSession: () => null }), TypeError);
    assert.throws(() => new SslContext({ role: 'server', pskFindSession: 'no' as never }), TypeError);
    assert.throws(() => new SslContext({ role: 'server' }), /pskFindSession/);
    // A PSK client without anchors needs no serverName (it accepts no certificate).
    const cctx = pskClient(ID, KEY);
    assert.equal(cctx.needsServerName, false);
    assert.equal(pskClient(ID, KEY, { ca: true }).needsServerName, true);
  });
});
