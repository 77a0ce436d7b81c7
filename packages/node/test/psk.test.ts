/**
 * Node's `pskCallback` / `pskIdentityHint` on @memtls/node (TLS 1.3 external PSKs), against Node's own `tls` in
 * both roles and memtls against itself: Node 20 (OpenSSL 3) does TLS 1.3 PSK through pskCallback without PSK
 * `ciphers`, binding the key to SHA-256. Each combination agrees on the PSK with a server that has no certificate,
 * and data flows; wrong keys, unknown identities and failing callbacks end the handshake on both sides.
 */
import { strict as assert } from 'node:assert';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { connect, contextFromOptions, createServer, MemtlsSocket } from '@memtls/node';
import { cleanup, listen, testPki, track, trackServer } from './helpers.js';

const KEY = Buffer.from('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', 'hex');
const IDENTITY = 'gateway-7';

type Impl = 'node' | 'memtls';
const IMPLS: Impl[] = ['node', 'memtls'];

interface Outcome {
  serverError: string | null;
  clientError: string | null;
  secure: boolean;
  protocol: string | null;
  cipher: string | null;
  reused: boolean | null;
  authorized: boolean | null;
  /** What the server's pskCallback saw: the identity, and whether the socket was a TLS socket of its kind. */
  serverSaw: { identity: string; socketKind: string }[];
  hints: (string | null)[];
  received: string;
}

/** One connection: a server that has no certificate (unless `serverOpts` gives one) and knows IDENTITY. */
async function run(serverImpl: Impl, clientImpl: Impl, o: { clientKey?: Buffer; clientIdentity?: string; serverOpts?: Record<string, unknown>; clientOpts?: Record<string, unknown> } = {}): Promise<Outcome> {
  const out: Outcome = { serverError: null, clientError: null, secure: false, protocol: null, cipher: null, reused: null, authorized: null, serverSaw: [], hints: [], received: '' };
  const sopts = {
    pskIdentityHint: 'memtls-test',
    pskCallback: (socket: unknown, identity: string) => {
      out.serverSaw.push({ identity, socketKind: socket instanceof MemtlsSocket ? 'memtls' : socket instanceof tls.TLSSocket ? 'node' : String(socket) });
      return identity === IDENTITY ? KEY : null;
    },
    ...o.serverOpts,
  };
  const onConn = (s: Duplex): void => {
    s.on('error', () => undefined);
    s.on('data', (d: Buffer) => s.end(`echo:${d.toString()}`));
  };
  const server = trackServer(serverImpl === 'node' ? tls.createServer(sopts as tls.TlsOptions, onConn) : createServer(sopts as never, onConn));
  server.on('tlsClientError', (e: Error & { code?: string }) => {
    out.serverError = `${e.code ?? '-'}|${e.message}`;
  });
  const port = await listen(server);
  const copts = {
    host: '127.0.0.1',
    port,
    pskCallback: (hint: string | null) => {
      out.hints.push(hint);
      return { psk: o.clientKey ?? KEY, identity: o.clientIdentity ?? IDENTITY };
    },
    // Node needs this for PSK (its default check wants a certificate); memtls runs it only for certificates.
    checkServerIdentity: () => undefined,
    ...o.clientOpts,
  };
  await new Promise<void>((resolve) => {
    const c = clientImpl === 'node' ? tls.connect(copts as tls.ConnectionOptions) : connect(copts as never);
    track(c, (x) => {
      x.destroy();
    });
    c.once('secureConnect', () => {
      const cs = c as unknown as { authorized: boolean; getProtocol(): string | null; getCipher(): { name: string } | null; isSessionReused(): boolean };
      out.secure = true;
      out.protocol = cs.getProtocol();
      out.cipher = cs.getCipher()?.name ?? null;
      out.reused = cs.isSessionReused();
      out.authorized = cs.authorized;
      c.write('ping');
    });
    c.on('data', (d: Buffer) => {
      out.received += d.toString();
    });
    c.on('error', (e: Error & { code?: string }) => {
      out.clientError = `${e.code ?? '-'}|${e.message}`;
    });
    c.on('close', () => resolve());
  });
  await new Promise((r) => setTimeout(r, 30));
  return out;
}

describe('@memtls/node pskCallback (TLS 1.3 external PSKs) with Node tls', function () {
  this.timeout(20_000);
  afterEach(cleanup);

  for (const serverImpl of IMPLS) {
    for (const clientImpl of IMPLS) {
      it(`${clientImpl} client (pskCallback) → ${serverImpl} server (pskCallback, no certificate): PSK agreed, data both ways`, async () => {
        const r = await run(serverImpl, clientImpl);
        assert.equal(r.clientError, null, r.clientError ?? '');
        assert.equal(r.serverError, null, r.serverError ?? '');
        assert.equal(r.secure, true);
        assert.equal(r.protocol, 'TLSv1.3');
        assert.equal(r.received, 'echo:ping');
        // TLS 1.3 has no hint: both clients get null.
        assert.deepEqual(r.hints, [null]);
        assert.deepEqual(r.serverSaw, [{ identity: IDENTITY, socketKind: serverImpl }]);
        // OpenSSL counts the PSK as a reuse, and Node's client calls the PSK-authenticated server authorized.
        assert.equal(r.reused, true);
        assert.equal(r.authorized, true);
        assert.match(r.cipher ?? '', /_SHA256$/);
      });
    }
  }

  for (const serverImpl of IMPLS) {
    it(`wrong key from a memtls client: the ${serverImpl} server refuses it, nothing is secure`, async () => {
      const r = await run(serverImpl, 'memtls', { clientKey: Buffer.alloc(32, 7) });
      assert.equal(r.secure, false);
      assert.ok(r.serverError, 'tlsClientError on the server');
      assert.ok(r.clientError, 'error on the client');
      if (serverImpl === 'memtls') assert.match(r.serverError ?? '', /psk binder verification failed/);
    });
  }

  it('wrong key from a Node client: the memtls server says "psk binder verification failed" (decrypt_error)', async () => {
    const r = await run('memtls', 'node', { clientKey: Buffer.alloc(32, 7) });
    assert.equal(r.secure, false);
    assert.match(r.serverError ?? '', /psk binder verification failed/);
    assert.match(r.clientError ?? '', /decrypt error/);
  });

  it('an identity the memtls server does not know: no PSK, and without a certificate handshake_failure', async () => {
    const r = await run('memtls', 'node', { clientIdentity: 'stranger' });
    assert.equal(r.secure, false);
    assert.deepEqual(r.serverSaw.map((s) => s.identity), ['stranger']);
    assert.match(r.serverError ?? '', /no suitable signature algorithm/);
    assert.match(r.clientError ?? '', /handshake failure/);
  });

  it('a memtls client whose PSK a certificate server ignores verifies the certificate as usual', async () => {
    const pki = testPki();
    const r = await run('node', 'memtls', { serverOpts: { cert: pki.server.cert, key: pki.server.key, pskCallback: () => null }, clientOpts: { ca: pki.ca, servername: 'localhost', checkServerIdentity: undefined } });
    assert.equal(r.clientError, null, r.clientError ?? '');
    assert.equal(r.secure, true);
    assert.equal(r.reused, false);
    assert.equal(r.authorized, true);
  });

  it('the same with an untrusted certificate: refused (the PSK offer never lowers verification)', async () => {
    const pki = testPki();
    const r = await run('node', 'memtls', { serverOpts: { cert: pki.rogueServer.cert, key: pki.rogueServer.key, pskCallback: () => null }, clientOpts: { ca: pki.ca, servername: 'localhost', checkServerIdentity: undefined } });
    assert.equal(r.secure, false);
    assert.ok(r.clientError);
  });

  it("a server pskCallback that throws: the connection fails with the application's Error", async () => {
    const r = await run('memtls', 'node', {
      serverOpts: {
        pskCallback: () => {
          throw new Error('key store offline');
        },
      },
    });
    assert.equal(r.secure, false);
    assert.equal(r.serverError, '-|key store offline');
    assert.match(r.clientError ?? '', /internal error/);
  });

  it('a client pskCallback returning a bad value fails the memtls client with a TypeError', async () => {
    const r = await run('node', 'memtls', { clientOpts: { pskCallback: () => ({ psk: 'not bytes', identity: IDENTITY }) } });
    assert.equal(r.secure, false);
    assert.match(r.clientError ?? '', /pskCallback must return/);
  });

  it('client contexts are cached per pskCallback (Node root store parsed once), never shared between callbacks', () => {
    const f = () => null;
    const g = () => null;
    assert.equal(contextFromOptions('client', { pskCallback: f }), contextFromOptions('client', { pskCallback: f }));
    assert.notEqual(contextFromOptions('client', { pskCallback: f }), contextFromOptions('client', { pskCallback: g }));
    assert.notEqual(contextFromOptions('client', { pskCallback: f }), contextFromOptions('client', {}));
  });

  it('option checks, as Node', () => {
    assert.throws(() => createServer({ pskCallback: 'x' as never }), /"options.pskCallback" property must be of type function/);
    assert.throws(() => createServer({ pskCallback: () => null, pskIdentityHint: 5 as never }), /pskIdentityHint/);
    assert.throws(() => createServer({}), /cert and key/);
    // A server with only a pskCallback needs no certificate.
    trackServer(createServer({ pskCallback: () => null }));
  });
});
