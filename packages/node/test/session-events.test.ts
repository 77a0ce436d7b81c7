/**
 * `tls.Server`'s `'newSession'` / `'resumeSession'` events on @memtls/node's server, beside Node's own server with
 * the same listeners and Node's client: TLS 1.2 session IDs (the client sends no ticket) stored by 'newSession'
 * and resumed through 'resumeSession' on a second server; `callback(err)` fails the connection; no event for
 * TLS 1.3 on memtls (Node emits one per TLS 1.3 ticket: a documented difference).
 */
import { strict as assert } from 'node:assert';
import { constants } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import tls from 'node:tls';
import { createServer } from '@memtls/node';
import { cleanup, listen, testPki, track, trackServer } from './helpers.js';

type Impl = 'node' | 'memtls';

interface Store {
  map: Map<string, Buffer>;
  newSessions: number;
  lookups: number;
}

function listenFor(server: EventEmitter, st: Store, failLookup = false): void {
  server.on('newSession', (id: Buffer, data: Buffer, cb: () => void) => {
    st.newSessions++;
    st.map.set(id.toString('hex'), data);
    // Asynchronous, as a real store: the handshake waits for the callback.
    setTimeout(cb, 5);
  });
  server.on('resumeSession', (id: Buffer, cb: (err: Error | null, data?: Buffer | null) => void) => {
    st.lookups++;
    if (failLookup) cb(new Error('session store offline'));
    else setTimeout(() => cb(null, st.map.get(id.toString('hex')) ?? null), 5);
  });
}

/** A server of `impl` with the store's listeners; returns its port and its 'tlsClientError's. */
async function serve(impl: Impl, st: Store, failLookup = false): Promise<{ port: number; errors: string[] }> {
  const pki = testPki();
  const opts = { cert: pki.server.cert, key: pki.server.key };
  const onConn = (s: import('node:stream').Duplex): void => {
    s.on('error', () => undefined);
    s.end('hello');
  };
  const server = trackServer(impl === 'node' ? tls.createServer(opts, onConn) : createServer(opts, onConn));
  listenFor(server, st, failLookup);
  const errors: string[] = [];
  server.on('tlsClientError', (e: Error) => errors.push(e.message));
  return { port: await listen(server), errors };
}

/** Node's client; its session (TLS 1.2: at the handshake) and whether it resumed. */
async function nodeClient(port: number, opts: tls.ConnectionOptions = {}): Promise<{ session: Buffer | null; reused: boolean; error: string | null; protocol: string | null }> {
  const pki = testPki();
  return new Promise((resolve) => {
    let session: Buffer | null = null;
    let reused = false;
    let protocol: string | null = null;
    let error: string | null = null;
    const c = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca, maxVersion: 'TLSv1.2', secureOptions: constants.SSL_OP_NO_TICKET, ...opts });
    track(c, (x) => {
      x.destroy();
    });
    c.on('session', (s: Buffer) => {
      session = s;
    });
    c.on('secureConnect', () => {
      reused = c.isSessionReused();
      protocol = c.getProtocol();
    });
    c.on('data', () => undefined);
    c.on('error', (e) => {
      error = e.message;
    });
    c.on('close', () => resolve({ session, reused, error, protocol }));
  });
}

describe('@memtls/node server: newSession / resumeSession (TLS 1.2 session IDs)', function () {
  this.timeout(20_000);
  afterEach(cleanup);

  for (const impl of ['node', 'memtls'] as const) {
    it(`${impl} server: 'newSession' stores the session, a second server resumes it through 'resumeSession'`, async () => {
      const st: Store = { map: new Map(), newSessions: 0, lookups: 0 };
      const first = await serve(impl, st);
      const a = await nodeClient(first.port);
      assert.equal(a.error, null);
      assert.equal(a.protocol, 'TLSv1.2');
      assert.equal(a.reused, false);
      assert.equal(st.newSessions, 1);
      assert.ok(a.session);
      const second = await serve(impl, st);
      const b = await nodeClient(second.port, { session: a.session as Buffer });
      assert.equal(b.error, null);
      assert.equal(b.reused, true, 'resumed on the second server');
      assert.equal(st.lookups, 1);
      assert.deepEqual(second.errors, []);
    });

    it(`${impl} server: resumeSession's callback(err) fails the connection with that Error`, async () => {
      const st: Store = { map: new Map(), newSessions: 0, lookups: 0 };
      const first = await serve(impl, st);
      const a = await nodeClient(first.port);
      const second = await serve(impl, st, true);
      const b = await nodeClient(second.port, { session: a.session as Buffer });
      assert.notEqual(b.error === null && b.reused, true);
      await new Promise((r) => setTimeout(r, 30));
      if (impl === 'memtls') assert.deepEqual(second.errors, ['session store offline']);
    });
  }

  it('memtls server: no event for TLS 1.3 (Node emits newSession per ticket), nor without listeners', async () => {
    const st: Store = { map: new Map(), newSessions: 0, lookups: 0 };
    const first = await serve('memtls', st);
    const a = await nodeClient(first.port, { maxVersion: 'TLSv1.3' });
    assert.equal(a.error, null);
    assert.equal(a.protocol, 'TLSv1.3');
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(st.newSessions, 0);
  });

  it('memtls server without listeners resumes from its own cache', async () => {
    const pki = testPki();
    const server = trackServer(createServer({ cert: pki.server.cert, key: pki.server.key }, (s) => s.end('x')));
    const port = await listen(server);
    const a = await nodeClient(port);
    const b = await nodeClient(port, { session: a.session as Buffer });
    assert.equal(b.reused, true);
  });
});
