/**
 * The typed handshake states (handshake/client/, handshake/server/): a message that has no place in the current
 * state is unexpected_message naming the state, and is refused before the state touches the connection.
 */
import { strict as assert } from 'node:assert';
import { SslError } from '#internal/errors/ssl-error';
import type { EngineConfig } from '#internal/handshake/config';
import type { HandshakeContext } from '#internal/handshake/context';
import { createHandshake } from '#internal/handshake/create';
import { AlertDescription, HandshakeType as H } from '#internal/wire/enums';

/** A context that refuses every use but its configuration (and, for a client, the server name it is told). */
function guardedContext(role: 'client' | 'server'): HandshakeContext {
  const config = { role, now: () => new Date(0), suites: [] } as unknown as EngineConfig;
  const cx: Record<string, unknown> = { config, serverName: null };
  return new Proxy(cx, {
    get(target, key) {
      if (key === 'config' || key === 'serverName') return target[key];
      throw new Error(`the state used the context (${String(key)}) before checking the message type`);
    },
    set(target, key, value) {
      if (key !== 'serverName') throw new Error(`the state wrote the context (${String(key)})`);
      target[key] = value;
      return true;
    },
  }) as unknown as HandshakeContext;
}

const message = (type: number) => ({ type, body: new Uint8Array(0), raw: new Uint8Array([type, 0, 0, 0]) });

async function refused(p: Promise<unknown>, state: string, type: number): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof SslError);
    assert.equal(e.reason, 'UNEXPECTED_MESSAGE');
    assert.equal(e.alert, AlertDescription.UNEXPECTED_MESSAGE);
    assert.equal(e.detail, `handshake message ${type} in state ${state}`);
    return true;
  });
}

describe('handshake states: a message in the wrong state', () => {
  it('client before start(): every message is unexpected in state start', async () => {
    const cx = guardedContext('client');
    const hs = createHandshake(cx, { serverName: 'example.com', session: null });
    assert.equal(hs.stateName, 'start');
    for (const t of [H.SERVER_HELLO, H.ENCRYPTED_EXTENSIONS, H.CERTIFICATE, H.FINISHED, H.NEW_SESSION_TICKET, H.KEY_UPDATE]) {
      await refused(hs.handle(cx, message(t)), 'start', t);
      assert.equal(hs.stateName, 'start');
    }
  });

  it('server expecting a ClientHello: anything else is unexpected, named expect-client-hello', async () => {
    const cx = guardedContext('server');
    const hs = createHandshake(cx, { serverName: null, session: null });
    assert.equal(hs.stateName, 'expect-client-hello');
    for (const t of [H.SERVER_HELLO, H.CERTIFICATE, H.CERTIFICATE_VERIFY, H.FINISHED, H.NEW_SESSION_TICKET, H.KEY_UPDATE, H.END_OF_EARLY_DATA]) {
      await refused(hs.handle(cx, message(t)), 'expect-client-hello', t);
      assert.equal(hs.stateName, 'expect-client-hello');
    }
  });
});

describe('handshake roles: what the facade asks', () => {
  it('client: a server name may be set, no tickets to request, no session yet', () => {
    const cx = guardedContext('client');
    const hs = createHandshake(cx, { serverName: 'a.example', session: null });
    assert.equal(cx.serverName, 'a.example');
    assert.equal(hs.setServerName(cx, 'b.example'), true);
    assert.equal(cx.serverName, 'b.example');
    assert.equal(hs.tickets, null);
    assert.equal(hs.latestSession, null);
    assert.equal(hs.holdsInit, false);
  });

  it('server: no server name to set; requested tickets hold "in init" only once armed', () => {
    const cx = guardedContext('server');
    const hs = createHandshake(cx, { serverName: null, session: null });
    assert.equal(hs.setServerName(cx, 'a.example'), false);
    assert.equal(hs.latestSession, null);
    const t = hs.tickets;
    assert.ok(t);
    t.pending = 1;
    assert.equal(hs.holdsInit, false);
    t.armed = true;
    assert.equal(hs.holdsInit, true);
  });
});
