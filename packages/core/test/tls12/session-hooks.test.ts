/**
 * The server's external session cache (ContextOptions.onNewSession / lookupSession; OpenSSL's
 * SSL_CTX_sess_set_new_cb / SSL_CTX_sess_set_get_cb): TLS 1.2 sessions named by a session ID are handed to the
 * application and resumed on another server context that looks them up; what is handed back is checked like a
 * session of the context's own cache.
 */
import { strict as assert } from 'node:assert';
import { SSL_ERROR_SSL, SSL_OP_NO_TICKET, type Ssl, SslContext, type SslSession } from '@memtls/core';
import { decodeCachedSession, encodeCachedSession } from '#internal/session/cached-bytes';
import { clientCtx, type Pair, pair, serverCtx, transfer } from './helpers.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** A store like an application's: session ID (hex) -> bytes, with the calls it saw. */
function store(): { map: Map<string, Uint8Array>; added: Ssl[]; lookups: string[]; opts: object } {
  const map = new Map<string, Uint8Array>();
  const added: Ssl[] = [];
  const lookups: string[] = [];
  return {
    map,
    added,
    lookups,
    opts: {
      onNewSession: async (id: Uint8Array, session: Uint8Array, ssl: Ssl) => {
        added.push(ssl);
        map.set(hex(id), session);
      },
      lookupSession: async (id: Uint8Array) => {
        lookups.push(hex(id));
        return map.get(hex(id)) ?? null;
      },
    },
  };
}

async function ok(p: Pair): Promise<void> {
  const r = await p.handshake();
  assert.deepEqual(r, { client: 1, server: 1 }, `client: ${p.client.errorReason()}, server: ${p.server.errorReason()}`);
}

/** A full TLS 1.2 handshake on `sctx` with a clean close: the client's session. */
async function fullHandshake(sctx: SslContext, cctx = clientCtx({ maxVersion: 'TLSv1.2' })): Promise<{ session: SslSession; p: Pair }> {
  const p = pair(cctx, sctx);
  await ok(p);
  await transfer(p, p.server, p.client, Uint8Array.of(1));
  assert.equal(await p.client.shutdown(), 0);
  await p.flush();
  assert.equal(await p.server.read(new Uint8Array(4)), 0);
  assert.equal(await p.server.shutdown(), 1);
  await p.flush();
  const session = p.client.getSession();
  assert.ok(session);
  return { session, p };
}

describe('TLS 1.2 external session cache (onNewSession / lookupSession)', () => {
  it('a session-ID session goes to onNewSession, and another server context resumes it through lookupSession', async () => {
    const st = store();
    const a = serverCtx('ec-p256', { options: SSL_OP_NO_TICKET, ...st.opts });
    const { session, p } = await fullHandshake(a);
    assert.equal(session.sessionId.length, 32);
    assert.deepEqual([...st.map.keys()], [hex(session.sessionId)]);
    assert.equal(st.added[0], p.server);
    // A second server context (another process, say) with the same store.
    const b = serverCtx('ec-p256', { options: SSL_OP_NO_TICKET, ...st.opts });
    const q = pair(clientCtx({ maxVersion: 'TLSv1.2' }), b, undefined, 0, session);
    await ok(q);
    assert.equal(q.server.sessionReused(), true);
    assert.equal(q.client.sessionReused(), true);
    assert.deepEqual(st.lookups, [hex(session.sessionId)]);
    assert.deepEqual(await transfer(q, q.client, q.server, Uint8Array.of(9, 9)), Uint8Array.of(9, 9));
  });

  it('the context cache answers first: no lookup for a session it holds', async () => {
    const st = store();
    const a = serverCtx('ec-p256', { options: SSL_OP_NO_TICKET, ...st.opts });
    const { session } = await fullHandshake(a);
    const q = pair(clientCtx({ maxVersion: 'TLSv1.2' }), a, undefined, 0, session);
    await ok(q);
    assert.equal(q.server.sessionReused(), true);
    assert.deepEqual(st.lookups, []);
  });

  it('malformed, expired or other-name bytes are a miss: a full handshake', async () => {
    const st = store();
    const { session } = await fullHandshake(serverCtx('ec-p256', { options: SSL_OP_NO_TICKET, ...st.opts }));
    const stored = st.map.get(hex(session.sessionId)) as Uint8Array;
    const entry = decodeCachedSession(stored);
    assert.ok(entry);
    const variants = [stored.subarray(0, stored.length - 1), Uint8Array.of(9, ...stored.subarray(1)), encodeCachedSession({ ...entry, createdAt: entry.createdAt - 8_000_000 }), encodeCachedSession({ ...entry, serverName: 'elsewhere.test' })];
    for (const bytes of variants) {
      const b = serverCtx('ec-p256', { options: SSL_OP_NO_TICKET, lookupSession: () => bytes });
      const q = pair(clientCtx({ maxVersion: 'TLSv1.2' }), b, undefined, 0, session);
      await ok(q);
      assert.equal(q.server.sessionReused(), false);
    }
  });

  it('a lookupSession that throws or returns something else fails the handshake: CALLBACK_FAILED', async () => {
    const st = store();
    const { session } = await fullHandshake(serverCtx('ec-p256', { options: SSL_OP_NO_TICKET, ...st.opts }));
    for (const lookupSession of [
      () => {
        throw new Error('db down');
      },
      () => 'text' as never,
    ]) {
      const q = pair(clientCtx({ maxVersion: 'TLSv1.2' }), serverCtx('ec-p256', { options: SSL_OP_NO_TICKET, lookupSession }), undefined, 0, session);
      const r = await q.handshake();
      assert.equal(q.server.getError(r.server), SSL_ERROR_SSL);
      assert.equal(q.server.errorReason(), 'callback failed');
    }
  });

  it('an onNewSession that throws is ignored: the handshake completes', async () => {
    const sctx = serverCtx('ec-p256', {
      options: SSL_OP_NO_TICKET,
      onNewSession: () => {
        throw new Error('disk full');
      },
    });
    await fullHandshake(sctx);
  });

  it('no onNewSession for a TLS 1.2 ticket session, nor for TLS 1.3', async () => {
    const st = store();
    await fullHandshake(serverCtx('ec-p256', st.opts));
    await fullHandshake(serverCtx('ec-p256', st.opts), clientCtx());
    assert.equal(st.map.size, 0);
  });

  it('the stored bytes round-trip and hold no more than the session', async () => {
    const st = store();
    const { session } = await fullHandshake(serverCtx('ec-p256', { options: SSL_OP_NO_TICKET, ...st.opts }));
    const entry = decodeCachedSession(st.map.get(hex(session.sessionId)) as Uint8Array);
    assert.ok(entry);
    assert.equal(entry.version, 'TLSv1.2');
    assert.equal(entry.extendedMasterSecret, true);
    assert.equal(entry.psk.length, 48);
    assert.deepEqual(decodeCachedSession(encodeCachedSession(entry)), entry);
  });

  it('option checks: server only, functions', () => {
    assert.throws(() => new SslContext({ role: 'client', verifyPeer: false, onNewSession: () => undefined }), TypeError);
    assert.throws(() => new SslContext({ role: 'client', verifyPeer: false, lookupSession: () => null }), TypeError);
    assert.throws(() => serverCtx('ec-p256', { lookupSession: 5 as never }), TypeError);
  });
});
