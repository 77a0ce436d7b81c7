/**
 * TLS 1.2 session resumption between memtls endpoints in memory (RFC 5246 §7.3, RFC 5077, RFC 7627 §5.3): by
 * session ID and by ticket in both roles, SSL_OP_NO_TICKET on either side, the extended master secret rules,
 * the session's suite, a 1.2 session beside TLS 1.3, the verification a session carries, toBytes/fromBytes and
 * rule 19.
 */
import { strict as assert } from 'node:assert';
import { type MsgInfo, SSL_OP_NO_TICKET, type SslContext, SslSession } from '@memtls/core';
import { ExtensionType as X } from '#internal/wire/enums';
import { findExtension } from '#internal/wire/extensions';
import { type ClientHello, encodeClientHello, encodeServerHello, parseClientHello, parseServerHello, type ServerHello } from '#internal/wire/handshake';
import { clientCtx, type Direction, editFirstRecord, onceOn, type Pair, pair, serverCtx, transfer } from './helpers.js';

const SUITE_128 = 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256';
const SUITE_256 = 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384';
type Hook = (d: Direction, b: Uint8Array) => Uint8Array;

/** Rewrite the ClientHello of the first c2s flight. */
const editClientHello = (f: (ch: ClientHello) => void): Hook =>
  onceOn('c2s', (b) =>
    editFirstRecord(b, ([m, ...rest]) => {
      const ch = parseClientHello((m as Uint8Array).subarray(4));
      f(ch);
      return [encodeClientHello(ch), ...rest];
    }),
  );
/** Rewrite the ServerHello of the first s2c flight. */
const editServerHello = (f: (sh: ServerHello) => void): Hook =>
  onceOn('s2c', (b) =>
    editFirstRecord(b, ([m, ...rest]) => {
      const sh = parseServerHello((m as Uint8Array).subarray(4));
      f(sh);
      return [encodeServerHello(sh), ...rest];
    }),
  );
/** The first ClientHello, captured. */
function captureClientHello(): { hook: Hook; hello: () => ClientHello } {
  let ch: ClientHello | null = null;
  return {
    hook: onceOn('c2s', (b) => {
      editFirstRecord(b, (msgs) => {
        ch = parseClientHello((msgs[0] as Uint8Array).subarray(4));
        return msgs;
      });
      return b;
    }),
    hello: () => {
      assert.ok(ch, 'a ClientHello went by');
      return ch;
    },
  };
}

/** The handshake message types the client received. */
function received(p: Pair): number[] {
  const types: number[] = [];
  p.client.setMsgCallback((m: MsgInfo) => {
    if (m.direction === 'received' && m.contentType === 22) types.push(m.bytes[0] as number);
  });
  return types;
}

/** A full TLS 1.2 handshake, data both ways and a clean bidirectional close: the client's session. */
async function firstSession(cctx: SslContext, sctx: SslContext, hook?: Hook): Promise<SslSession> {
  const p = pair(cctx, sctx, hook);
  const r = await p.handshake();
  assert.deepEqual(r, { client: 1, server: 1 });
  assert.equal(p.client.version(), 'TLSv1.2');
  assert.equal(p.client.sessionReused(), false);
  await closeBoth(p);
  const s = p.client.getSession();
  assert.ok(s, 'a resumable TLS 1.2 session');
  assert.equal(s.version, 'TLSv1.2');
  assert.equal(s.extendedMasterSecret, true);
  return s;
}

async function closeBoth(p: Pair): Promise<void> {
  assert.equal(await p.client.shutdown(), 0);
  await p.flush();
  assert.equal(await p.server.read(new Uint8Array(16)), 0, 'the close_notify (rule 4: shutdown reads only after SENT)');
  assert.equal(await p.server.shutdown(), 1);
  await p.flush();
  assert.equal(await p.client.shutdown(), 1);
  p.client.free();
  p.server.free();
}

function failed(ssl: Pair['client'], r: number, reason: string, alert: number): void {
  assert.equal(ssl.getError(r), 1, `expected SSL_ERROR_SSL, got ${ssl.getError(r)}`);
  const d = ssl.lastErrorDetail();
  assert.equal(d?.reason, reason);
  assert.equal(d?.alert, alert);
  assert.ok(d?.message && d.message.length > reason.length, 'a reason in words');
}

/** Resume `session`; both sides report it, the server sent no certificate, data flows. */
async function resumes(cctx: SslContext, sctx: SslContext, session: SslSession, hook?: Hook): Promise<Pair> {
  const p = pair(cctx, sctx, hook, 0, session);
  const types = received(p);
  assert.deepEqual(await p.handshake(), { client: 1, server: 1 });
  assert.equal(p.client.sessionReused(), true, 'the client resumed');
  assert.equal(p.server.sessionReused(), true, 'the server resumed');
  assert.ok(!types.includes(11) && !types.includes(12), 'an abbreviated handshake: no Certificate, no ServerKeyExchange');
  assert.equal(types[0], 2);
  assert.equal(types.at(-1), 20);
  assert.equal(p.client.cipher(), session.cipherSuite);
  assert.equal(p.server.cipher(), session.cipherSuite);
  assert.equal(p.client.verifyResult(), session.verifyResult);
  assert.equal(p.client.peerCertificates().length, session.peerCertificates.length);
  const data = new Uint8Array(70000).map((_, i) => i * 7);
  assert.deepEqual(await transfer(p, p.client, p.server, data), data);
  assert.deepEqual(await transfer(p, p.server, p.client, data), data);
  assert.deepEqual(await p.client.exportKeyingMaterial('EXPERIMENTAL-r', null, 32), await p.server.exportKeyingMaterial('EXPERIMENTAL-r', null, 32));
  return p;
}

describe('TLS 1.2 session resumption (memtls <-> memtls)', () => {
  const c12 = () => clientCtx({ maxVersion: 'TLSv1.2' });

  it('by ticket (RFC 5077): an empty session_ticket asks, the server announces and sends one, a fresh session ID recognises acceptance', async () => {
    const cctx = c12();
    const sctx = serverCtx('ec-p256');
    const first = captureClientHello();
    const s = await firstSession(cctx, sctx, first.hook);
    assert.deepEqual(findExtension(first.hello().extensions, X.SESSION_TICKET), new Uint8Array(0));
    assert.ok(s.ticket.length > 32, 'a stateless ticket: the session sealed under the ticket key');
    assert.equal(s.sessionId.length, 0, 'as OpenSSL: a session announced by ticket has an empty session ID');
    const second = captureClientHello();
    await resumes(cctx, sctx, s, second.hook);
    const ch = second.hello();
    assert.deepEqual(findExtension(ch.extensions, X.SESSION_TICKET), s.ticket);
    assert.equal(ch.sessionId.length, 32, 'RFC 5077 §3.4: a session ID beside the ticket');
    // The resumed connection's session is the one it resumed; it resumes again.
    await resumes(cctx, sctx, s);
  });

  it('by session ID: SSL_OP_NO_TICKET on the server, on the client, or on one connection', async () => {
    const noTicketServer = serverCtx('ec-p256');
    noTicketServer.setOptions(SSL_OP_NO_TICKET);
    const cctx = c12();
    const s1 = await firstSession(cctx, noTicketServer);
    assert.equal(s1.sessionId.length, 32);
    assert.equal(s1.ticket.length, 0);
    await resumes(cctx, noTicketServer, s1);

    const noTicketClient = c12();
    noTicketClient.setOptions(SSL_OP_NO_TICKET);
    const sctx = serverCtx('ec-p256');
    const first = captureClientHello();
    const s2 = await firstSession(noTicketClient, sctx, first.hook);
    assert.equal(findExtension(first.hello().extensions, X.SESSION_TICKET), undefined, 'no session_ticket with SSL_OP_NO_TICKET');
    assert.equal(s2.sessionId.length, 32);
    const again = captureClientHello();
    await resumes(noTicketClient, sctx, s2, again.hook);
    assert.deepEqual(again.hello().sessionId, s2.sessionId);

    // Ssl.setOptions on one connection, before its handshake, counts too.
    const p = pair(c12(), sctx);
    p.server.setOptions(SSL_OP_NO_TICKET);
    await p.handshake();
    await closeBoth(p);
    assert.equal(p.client.getSession()?.sessionId.length, 32);
    // A ticket-only session is not offered by a client that sets SSL_OP_NO_TICKET: a full handshake.
    const t = await firstSession(c12(), sctx);
    const q = pair(noTicketClient, sctx, undefined, 0, t);
    await q.handshake();
    assert.equal(q.client.sessionReused(), false);
  });

  it('an abbreviated handshake delivered in pieces of 1, 5 and 13 bytes (both mechanisms)', async () => {
    const idServer = serverCtx('ec-p256');
    idServer.setOptions(SSL_OP_NO_TICKET);
    for (const sctx of [serverCtx('ec-p256'), idServer]) {
      const cctx = c12();
      const s = await firstSession(cctx, sctx);
      for (const split of [1, 5, 13]) {
        const p = pair(cctx, sctx, undefined, split, s);
        assert.deepEqual(await p.handshake(), { client: 1, server: 1 }, `pieces of ${split}`);
        assert.equal(p.client.sessionReused(), true);
        assert.equal(p.server.sessionReused(), true);
        const data = Uint8Array.of(1, 2, 3, 4, 5);
        assert.deepEqual(await transfer(p, p.client, p.server, data), data);
      }
    }
  });

  it('with RSA and ChaCha20-Poly1305 and AES-256-GCM-SHA384 (the suite hash drives the PRF)', async () => {
    for (const [kind, suite] of [
      ['rsa', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
      ['ec-p384', SUITE_256],
    ] as const) {
      const cctx = clientCtx({ maxVersion: 'TLSv1.2', cipherSuites: [suite] });
      const sctx = serverCtx(kind);
      const s = await firstSession(cctx, sctx);
      assert.equal(s.cipherSuite, suite);
      await resumes(cctx, sctx, s);
    }
  });

  it('RFC 7627 §5.3, server: a ClientHello resuming an EMS session without extended_master_secret gets handshake_failure', async () => {
    const cctx = c12();
    const sctx = serverCtx('ec-p256');
    sctx.setOptions(SSL_OP_NO_TICKET);
    const s = await firstSession(cctx, sctx);
    const strip = editClientHello((ch) => {
      ch.extensions = ch.extensions.filter((e) => e.type !== X.EXTENDED_MASTER_SECRET);
    });
    const p = pair(cctx, sctx, strip, 0, s);
    const r = await p.handshake();
    failed(p.server, r.server, 'INCONSISTENT_EXTMS', 40);
    assert.match(p.server.lastErrorDetail()?.message ?? '', /extended master secret/);
    assert.equal(p.client.lastErrorDetail()?.receivedAlert, 40);
  });

  it('RFC 7627 §5.3, client: a server resuming without extended_master_secret gets handshake_failure', async () => {
    const cctx = c12();
    const sctx = serverCtx('ec-p256');
    const s = await firstSession(cctx, sctx);
    const strip = editServerHello((sh) => {
      sh.extensions = sh.extensions.filter((e) => e.type !== X.EXTENDED_MASTER_SECRET);
    });
    const p = pair(cctx, sctx, strip, 0, s);
    const r = await p.handshake();
    failed(p.client, r.client, 'INCONSISTENT_EXTMS', 40);
    assert.match(p.client.lastErrorDetail()?.message ?? '', /extended master secret/);
  });

  it('RFC 7627 §5.3: a TLS 1.2 session without the extended master secret is never offered', async () => {
    const cctx = c12();
    const sctx = serverCtx('ec-p256');
    sctx.setOptions(SSL_OP_NO_TICKET);
    const s = await firstSession(cctx, sctx);
    for (const ems of [false, true]) {
      const copy = new SslSession({ ...s, psk: new Uint8Array(48), sessionId: s.sessionId, extendedMasterSecret: ems });
      const seen = captureClientHello();
      const p = pair(cctx, sctx, seen.hook, 0, copy);
      await p.handshake();
      // The copy has a wrong master secret: offered (ems), the server resumes and the Finished fails.
      assert.deepEqual(seen.hello().sessionId, ems ? s.sessionId : new Uint8Array(0));
      assert.equal(p.client.sessionReused(), ems);
    }
  });

  it("the server must resume with the session's suite: another one is illegal_parameter", async () => {
    const cctx = clientCtx({ maxVersion: 'TLSv1.2', cipherSuites: [SUITE_128, SUITE_256] });
    const sctx = serverCtx('ec-p256');
    const s = await firstSession(cctx, sctx);
    assert.equal(s.cipherSuite, SUITE_128);
    const swap = editServerHello((sh) => {
      sh.cipherSuite = 0xc02c; // ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, offered too
    });
    const p = pair(cctx, sctx, swap, 0, s);
    const r = await p.handshake();
    failed(p.client, r.client, 'OLD_SESSION_CIPHER_NOT_RETURNED', 47);
    // A session whose suite is no longer enabled is not offered: a full handshake.
    const other = clientCtx({ maxVersion: 'TLSv1.2', cipherSuites: [SUITE_256] });
    const q = pair(other, sctx, undefined, 0, s);
    assert.deepEqual(await q.handshake(), { client: 1, server: 1 });
    assert.equal(q.client.sessionReused(), false);
  });

  it('a 1.2 session offered beside TLS 1.3: unused when the server picks 1.3, resumed when it picks 1.2', async () => {
    const both = clientCtx();
    const s = await firstSession(both, serverCtx('ec-p256', { maxVersion: 'TLSv1.2' }));
    const server13 = serverCtx('ec-p256');
    const seen = captureClientHello();
    const p = pair(both, server13, seen.hook, 0, s);
    assert.deepEqual(await p.handshake(), { client: 1, server: 1 });
    assert.equal(p.client.version(), 'TLSv1.3');
    assert.equal(p.client.sessionReused(), false);
    assert.equal(findExtension(seen.hello().extensions, X.PRE_SHARED_KEY), undefined, 'a 1.2 session is no TLS 1.3 PSK');
    // The server picks 1.2: the session resumes.
    const server12 = serverCtx('ec-p256', { maxVersion: 'TLSv1.2' });
    const s2 = await firstSession(both, server12);
    await resumes(both, server12, s2);
  });

  it('a session is offered only to its server name, and never turns "not verified" into verified', async () => {
    const cctx = c12();
    const sctx = serverCtx('ec-p256');
    const s = await firstSession(cctx, sctx);
    assert.equal(s.verifyResult, 'X509_V_OK');
    assert.equal(s.verifiedHostname, 'localhost');
    const seen = captureClientHello();
    const p = pair(cctx, sctx, seen.hook, 0, s, 'other.example');
    await p.handshake();
    assert.equal(p.client.sessionReused(), false);
    assert.equal(seen.hello().sessionId.length, 0, 'no session ID offered');
    assert.deepEqual(findExtension(seen.hello().extensions, X.SESSION_TICKET), new Uint8Array(0), 'no ticket offered');

    // A session from a client that did not verify: resumed as unverified by the same kind of client, not offered
    // by a verifying one.
    const lax = clientCtx({ maxVersion: 'TLSv1.2', verifyPeer: false });
    const weak = await firstSession(lax, sctx);
    assert.equal(weak.verifyResult, 'X509_V_ERR_NOT_VERIFIED');
    const again = await resumes(lax, sctx, weak);
    assert.equal(again.client.verifyResult(), 'X509_V_ERR_NOT_VERIFIED');
    const q = pair(cctx, sctx, undefined, 0, weak);
    assert.deepEqual(await q.handshake(), { client: 1, server: 1 });
    assert.equal(q.client.sessionReused(), false, 'a verifying client does not resume an unverified session');
    assert.equal(q.client.verifyResult(), 'X509_V_OK');
  });

  it('toBytes/fromBytes round-trips a TLS 1.2 session (ticket or ID), and the restored one resumes', async () => {
    const sctx = serverCtx('ec-p256');
    const idServer = serverCtx('ec-p256');
    idServer.setOptions(SSL_OP_NO_TICKET);
    for (const server of [sctx, idServer]) {
      const cctx = c12();
      const s = await firstSession(cctx, server);
      const back = SslSession.fromBytes(s.toBytes());
      for (const k of ['version', 'cipherSuite', 'serverName', 'alpn', 'lifetime', 'verifyResult', 'verifiedHostname', 'extendedMasterSecret'] as const) {
        assert.equal(back[k], s[k], k);
      }
      assert.deepEqual(back.sessionId, s.sessionId);
      assert.deepEqual(back.ticket, s.ticket);
      assert.deepEqual(back.peerCertificates, s.peerCertificates);
      assert.equal(back.receivedAt.getTime(), s.receivedAt.getTime());
      assert.deepEqual(back.toBytes(), s.toBytes());
      await resumes(cctx, server, back);
      const full = s.toBytes();
      for (let n = 0; n < full.length; n++) assert.throws(() => SslSession.fromBytes(full.subarray(0, n)), TypeError);
    }
  });

  it('rule 19: a server freed without SENT withdraws a stateless ticket never (as OpenSSL), a session ID always', async () => {
    const cctx = c12();
    const sctx = serverCtx('ec-p256');
    const p = pair(cctx, sctx);
    await p.handshake();
    const s = p.client.getSession();
    assert.ok(s && s.ticket.length > 32);
    assert.equal(await p.client.shutdown(), 0);
    p.client.free();
    p.server.free(); // never set SENT: nothing is cached to withdraw
    const q = await resumes(cctx, sctx, s);
    assert.equal(q.server.sessionReused(), true, 'a stateless ticket survives the withdrawal');
  });

  it('rule 19: a server freed without SENT withdraws the session ID; a client freed without SENT too', async () => {
    const cctx = c12();
    const sctx = serverCtx('ec-p256');
    sctx.setOptions(SSL_OP_NO_TICKET);
    const p = pair(cctx, sctx);
    await p.handshake();
    const s = p.client.getSession();
    assert.ok(s);
    assert.equal(await p.client.shutdown(), 0);
    p.client.free();
    p.server.free(); // never set SENT: the cache entry goes
    assert.equal(s.isResumable(), true, 'the client set SENT: its session stays');
    const q = pair(cctx, sctx, undefined, 0, s);
    assert.deepEqual(await q.handshake(), { client: 1, server: 1 });
    assert.equal(q.client.sessionReused(), false, 'the server withdrew it');
    // The resumption's connection freed without SENT withdraws the resumed session on the client.
    const s2 = q.client.getSession();
    assert.ok(s2);
    await closeBoth(q);
    const r = await resumes(cctx, sctx, s2);
    r.client.free();
    assert.equal(s2.isResumable(), false);
    assert.equal(r.client.getSession(), null);
  });
});
