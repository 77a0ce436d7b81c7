/**
 * @memtls/node trust rules against a Node tls server on 127.0.0.1: `rejectUnauthorized: false` never
 * overrides a pin, and a session accepted under `rejectUnauthorized: false` stays unauthorized when resumed
 * and is not offered by a client that rejects unauthorized servers.
 */
import { strict as assert } from 'node:assert';
import { createHash, X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { SslContext } from '@memtls/core';
import { connect, MemtlsSocket } from '@memtls/node';
import { cleanup, closed, collect, duplexPair, listen, nextError, testPki, track, trackServer } from './helpers.js';

function connected(s: MemtlsSocket): Promise<MemtlsSocket> {
  track(s, (x) => {
    x.destroy();
  });
  return new Promise((resolve, reject) => {
    s.once('secureConnect', () => resolve(s));
    s.once('error', reject);
  });
}

const pinOf = (pem: string): string => createHash('sha256').update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' })).digest('base64');

describe('@memtls/node trust rules', function () {
  this.timeout(30_000);
  afterEach(cleanup);

  it('a client MemtlsSocket over a bare Duplex needs servername, or a secureContext with verifyHostname: false', () => {
    const pki = testPki();
    const [a] = duplexPair();
    assert.throws(() => new MemtlsSocket(a, { ca: pki.ca }), (e: Error) => e instanceof TypeError && /servername is required/.test(e.message));
    const ctx = new SslContext({ role: 'client', ca: pki.ca, verifyHostname: false });
    track(new MemtlsSocket(a, { secureContext: ctx }), (s) => {
      s.destroy();
    });
  });

  it('an error before any verification carries no verifyResult (X509_V_ERR_NOT_VERIFIED is not a failure)', async () => {
    const pki = testPki();
    const server = trackServer(tls.createServer({ key: pki.server.key, cert: pki.server.cert, maxVersion: 'TLSv1.2' }, (s) => s.on('error', () => undefined)));
    server.on('tlsClientError', () => undefined);
    const port = await listen(server);
    // A TLS 1.3-only client against a TLS 1.2-only server: the handshake fails before any certificate is seen.
    const c = track(connect({ host: 'localhost', port, ca: pki.ca, minVersion: 'TLSv1.3' }), (s) => {
      s.destroy();
    });
    const err = (await nextError(c)) as Error & { code: string; verifyResult: string | null };
    assert.equal(err.code, 'ERR_MEMTLS_SSL');
    assert.equal(err.verifyResult, null);
    assert.equal(c.ssl.verifyResult(), 'X509_V_ERR_NOT_VERIFIED');
  });

  it('rejectUnauthorized: false does not override a pin mismatch', async () => {
    const pki = testPki();
    const server = trackServer(tls.createServer({ key: pki.rogueServer.key, cert: pki.rogueServer.cert }, (s) => s.on('error', () => undefined)));
    server.on('tlsClientError', () => undefined);
    const port = await listen(server);
    const c = track(connect({ host: 'localhost', port, ca: pki.ca, rejectUnauthorized: false, pinnedPublicKeys: [pinOf(pki.server.cert)] }), (s) => {
      s.destroy();
    });
    const err = (await nextError(c)) as Error & { code: string; reason: string; verifyResult: string };
    assert.equal(err.code, 'ERR_MEMTLS_SSL');
    assert.equal(err.reason, 'pinned public key mismatch');
    assert.equal(err.verifyResult, 'X509_V_ERR_APPLICATION_VERIFICATION');
    // The matching pin connects (unauthorized: the rogue CA is not trusted, and rejectUnauthorized is false).
    const ok = await connected(connect({ host: 'localhost', port, ca: pki.ca, rejectUnauthorized: false, pinnedPublicKeys: [pinOf(pki.rogueServer.cert)] }));
    assert.equal(ok.authorized, false);
  });

  it('a session accepted with rejectUnauthorized: false resumes unauthorized, and a strict client does not offer it', async () => {
    const pki = testPki();
    const server = trackServer(tls.createServer({ key: pki.rogueServer.key, cert: pki.rogueServer.cert }, (s) => s.pipe(s)));
    server.on('tlsClientError', () => undefined);
    const port = await listen(server);
    const first = await connected(connect({ host: 'localhost', port, ca: pki.ca, rejectUnauthorized: false }));
    assert.equal(first.authorized, false);
    first.end('one');
    assert.equal((await collect(first)).toString(), 'one');
    await closed(first);
    const saved = first.getSession();
    assert.ok(saved, 'a resumable session');

    const second = await connected(connect({ host: 'localhost', port, ca: pki.ca, rejectUnauthorized: false, session: saved }));
    assert.equal(second.isSessionReused(), true);
    assert.equal(second.authorized, false, 'the resumed session was never verified');
    assert.match(String(second.authorizationError), /UNABLE_TO_GET_ISSUER_CERT/);
    second.end('two');
    await collect(second);

    const strict = track(connect({ host: 'localhost', port, ca: pki.ca, session: saved }), (s) => {
      s.destroy();
    });
    const err = (await nextError(strict)) as Error & { verifyResult: string };
    assert.match(err.verifyResult, /^X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT/);
    assert.equal(strict.isSessionReused(), false);
  });
});
