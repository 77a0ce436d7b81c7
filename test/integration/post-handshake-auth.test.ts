/**
 * Post-handshake client authentication (RFC 8446 §4.6.2) end to end in memory: verifyClientPostHandshake() on the
 * server, postHandshakeAuth on the client, OpenSSL's refusals, the certificate verified as in the handshake, and
 * misbehaving peers.
 */
import { strict as assert } from 'node:assert';
import { type ContextOptions, SSL_ERROR_SSL, SSL_ERROR_WANT_READ, SslContext } from '@memtls/core';
import { Link } from '../util/link.js';
import { testPki } from '../util/pki.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function ctxs(client: Partial<ContextOptions> = {}, server: Partial<ContextOptions> = {}): { cctx: SslContext; sctx: SslContext } {
  const pki = testPki();
  const sctx = new SslContext({ role: 'server', cert: pki.leaves['ec-p256'].cert, key: pki.leaves['ec-p256'].key, ca: pki.caCert, verifyPeer: true, postHandshakeAuth: true, ...server });
  const cctx = new SslContext({ role: 'client', ca: pki.caCert, cert: pki.client.cert, key: pki.client.key, postHandshakeAuth: true, ...client });
  return { cctx, sctx };
}

/** Read what is there on `side` after delivering; returns the text read ('' when nothing: WANT_READ). */
async function readText(l: Link, side: 'client' | 'server'): Promise<string> {
  if (side === 'client') l.toClient();
  else l.toServer();
  const ssl = side === 'client' ? l.client : l.server;
  const buf = new Uint8Array(1000);
  const r = await ssl.read(buf);
  if (r > 0) return dec(buf.subarray(0, r));
  assert.equal(ssl.getError(r), SSL_ERROR_WANT_READ, `${side} read: ${ssl.errorReason()}`);
  return '';
}

describe('post-handshake client authentication (RFC 8446 §4.6.2, in memory)', () => {
  it('the server asks after the handshake; the client answers in its read; the chain is verified', async () => {
    const { cctx, sctx } = ctxs();
    const l = new Link(cctx, sctx);
    await l.handshake();
    // SSL_VERIFY_POST_HANDSHAKE: nothing was asked in the handshake.
    assert.equal(l.server.peerCertificates().length, 0);
    assert.equal(l.server.verifyResult(), 'X509_V_ERR_NOT_VERIFIED');
    assert.equal(l.server.verifyClientPostHandshake(), 1);
    // Queued: the connection is in init until it is sent, so a second request is "still in init" (OpenSSL checks
    // SSL_is_init_finished before its "request pending").
    assert.equal(l.server.verifyClientPostHandshake(), 0);
    assert.equal(l.server.errorReason(), 'still in init');
    assert.equal(await l.server.write(enc('who are you?')), 12);
    assert.equal(l.server.verifyClientPostHandshake(), 0);
    assert.equal(l.server.errorReason(), 'request sent');
    // The client reads the data; the CertificateRequest before it is answered on the way.
    assert.equal(await readText(l, 'client'), 'who are you?');
    assert.equal(await l.client.write(enc('me')), 2);
    assert.equal(await readText(l, 'server'), 'me');
    assert.equal(l.server.peerCertificates().length, 1);
    assert.deepEqual(l.server.peerCertificates()[0], l.client.peerCertificates().length ? l.server.peerCertificates()[0] : null);
    assert.equal(l.server.verifyResult(), 'X509_V_OK');
    assert.equal(l.server.verifiedChain().length, 2);
    // Another exchange may follow (each hashes the handshake transcript then its own messages).
    assert.equal(l.server.verifyClientPostHandshake(), 1);
    assert.equal(await l.server.doHandshake(), 1);
    assert.equal(await readText(l, 'client'), '');
    assert.equal(await readText(l, 'server'), '');
    assert.equal(l.server.verifyClientPostHandshake(), 1);
  });

  it('application data crosses the request both ways, and a KeyUpdate before the answer keeps the keys in step', async () => {
    const { cctx, sctx } = ctxs();
    const l = new Link(cctx, sctx);
    await l.handshake();
    assert.equal(l.client.keyUpdate(true), 1);
    assert.equal(await l.client.write(enc('before')), 6);
    assert.equal(l.server.verifyClientPostHandshake(), 1);
    assert.equal(await l.server.write(enc('request sent')), 12);
    // The client's data and KeyUpdate were on the way before it saw the request.
    assert.equal(await readText(l, 'server'), 'before');
    assert.equal(await readText(l, 'client'), 'request sent');
    assert.equal(await l.client.write(enc('after')), 5);
    assert.equal(await readText(l, 'server'), 'after');
    assert.equal(l.server.verifyResult(), 'X509_V_OK');
    // The Finished of the answer was keyed by the client's current (updated) traffic secret.
    assert.equal(await l.server.write(enc('ok')), 2);
    assert.equal(await readText(l, 'client'), 'ok');
  });

  it("OpenSSL's refusals: extension not received, wrong ssl version, not server, invalid config, still in init", async () => {
    const a = ctxs({ postHandshakeAuth: false });
    const l = new Link(a.cctx, a.sctx);
    assert.equal(l.server.verifyClientPostHandshake(), 0);
    assert.equal(l.server.errorReason(), 'wrong ssl version');
    await l.handshake();
    assert.equal(l.server.verifyClientPostHandshake(), 0);
    assert.equal(l.server.errorReason(), 'extension not received');
    assert.equal(l.client.verifyClientPostHandshake(), 0);
    assert.equal(l.client.errorReason(), 'not server');
    const b = ctxs({ maxVersion: 'TLSv1.2' });
    const l2 = new Link(b.cctx, b.sctx);
    await l2.handshake();
    // TLS 1.2 still asks in the handshake (SSL_VERIFY_POST_HANDSHAKE is TLS 1.3 only).
    assert.equal(l2.server.peerCertificates().length, 1);
    assert.equal(l2.server.verifyClientPostHandshake(), 0);
    assert.equal(l2.server.errorReason(), 'wrong ssl version');
    const pki = testPki();
    const plain = new SslContext({ role: 'server', cert: pki.leaves['ec-p256'].cert, key: pki.leaves['ec-p256'].key });
    const l3 = new Link(ctxs().cctx, plain);
    await l3.handshake();
    assert.equal(l3.server.verifyClientPostHandshake(), 0);
    assert.equal(l3.server.errorReason(), 'invalid config');
    const d = ctxs();
    const l4 = new Link(d.cctx, d.sctx);
    await l4.handshake();
    assert.equal(l4.server.keyUpdate(false), 1);
    assert.equal(l4.server.verifyClientPostHandshake(), 0);
    assert.equal(l4.server.errorReason(), 'still in init');
  });

  it('a client without a certificate sends an empty one: certificate_required unless requireClientCert is false', async () => {
    const pki = testPki();
    const noCert = new SslContext({ role: 'client', ca: pki.caCert, postHandshakeAuth: true });
    const { sctx } = ctxs();
    const l = new Link(noCert, sctx);
    await l.handshake();
    assert.equal(l.server.verifyClientPostHandshake(), 1);
    assert.equal(await l.server.doHandshake(), 1);
    assert.equal(await readText(l, 'client'), '');
    l.toServer();
    const r = await l.server.read(new Uint8Array(10));
    assert.equal(l.server.getError(r), SSL_ERROR_SSL);
    assert.equal(l.server.errorReason(), 'peer did not return a certificate');
    l.toClient();
    assert.equal(await l.client.read(new Uint8Array(10)), 0);
    assert.equal(l.client.errorReason(), 'tlsv13 alert certificate required');

    const lenient = ctxs({}, { requireClientCert: false }).sctx;
    const l2 = new Link(noCert, lenient);
    await l2.handshake();
    assert.equal(l2.server.verifyClientPostHandshake(), 1);
    assert.equal(await l2.server.write(enc('x')), 1);
    assert.equal(await readText(l2, 'client'), 'x');
    assert.equal(await l2.client.write(enc('y')), 1);
    assert.equal(await readText(l2, 'server'), 'y');
    assert.equal(l2.server.peerCertificates().length, 0);
    assert.equal(l2.server.verifyResult(), 'X509_V_ERR_NOT_VERIFIED');
  });

  it('a client certificate from an unknown CA fails as in the handshake (unknown_ca)', async () => {
    const pki = testPki();
    // The client's certificate is checked against anchors that do not issue it: the server's own leaf.
    const { cctx } = ctxs();
    const sctx = new SslContext({ role: 'server', cert: pki.leaves['ec-p256'].cert, key: pki.leaves['ec-p256'].key, ca: pki.leaves.rsa.cert, verifyPeer: true, postHandshakeAuth: true });
    const l = new Link(cctx, sctx);
    await l.handshake();
    assert.equal(l.server.verifyClientPostHandshake(), 1);
    assert.equal(await l.server.doHandshake(), 1);
    assert.equal(await readText(l, 'client'), '');
    l.toServer();
    const r = await l.server.read(new Uint8Array(10));
    assert.equal(l.server.getError(r), SSL_ERROR_SSL);
    assert.equal(l.server.errorReason(), 'certificate verify failed');
    assert.notEqual(l.server.verifyResult(), 'X509_V_OK');
    l.toClient();
    await l.client.read(new Uint8Array(10));
    assert.equal(l.client.errorReason(), 'tlsv1 alert unknown ca');
  });

  it('a CertificateRequest to a client that did not offer post_handshake_auth is unexpected_message', async () => {
    const { cctx, sctx } = ctxs({ postHandshakeAuth: false });
    const l = new Link(cctx, sctx);
    // A misbehaving server: it asks although the client never offered.
    const auth = (l.server as unknown as { engine: { hs: { clientAuth: { offered: boolean; noteClientHello(): void } } } }).engine.hs.clientAuth;
    auth.noteClientHello = () => {
      auth.offered = true;
    };
    await l.handshake();
    assert.equal(l.server.verifyClientPostHandshake(), 1);
    assert.equal(await l.server.doHandshake(), 1);
    l.toClient();
    const r = await l.client.read(new Uint8Array(10));
    assert.equal(l.client.getError(r), SSL_ERROR_SSL);
    assert.equal(l.client.errorReason(), 'unexpected message');
    l.toServer();
    await l.server.read(new Uint8Array(10));
    assert.equal(l.server.errorReason(), 'sslv3 alert unexpected message');
  });

  it('a server asking over and over without data: the 33rd CertificateRequest is unexpected_message (limits.maxCertRequests)', async () => {
    // A memtls server, as OpenSSL's, sends a ticket after each completed request: those have their own limit.
    const { cctx, sctx } = ctxs({ limits: { maxTickets: 1000 } });
    const l = new Link(cctx, sctx);
    await l.handshake();
    /** One request, answered by the client and read by the server, with no application data either way. */
    const exchange = async (): Promise<void> => {
      assert.equal(l.server.verifyClientPostHandshake(), 1, l.server.errorReason() ?? '');
      assert.equal(await l.server.doHandshake(), 1);
      assert.equal(await readText(l, 'client'), '');
      assert.equal(await readText(l, 'server'), '');
      assert.equal(l.server.verifyResult(), 'X509_V_OK');
    };
    for (let i = 0; i < 32; i++) await exchange();
    // Application data ends the run: 32 more are answered.
    assert.equal(await l.server.write(enc('data')), 4);
    assert.equal(await readText(l, 'client'), 'data');
    for (let i = 0; i < 32; i++) await exchange();
    assert.equal(l.server.verifyClientPostHandshake(), 1);
    assert.equal(await l.server.doHandshake(), 1);
    l.toClient();
    const r = await l.client.read(new Uint8Array(10));
    assert.equal(l.client.getError(r), SSL_ERROR_SSL);
    assert.equal(l.client.errorReason(), 'too many certificate requests');
    l.toServer();
    await l.server.read(new Uint8Array(10));
    assert.equal(l.server.errorReason(), 'sslv3 alert unexpected message');
  });

  it('shutdown while the request is queued: "shutdown while in init", as OpenSSL (the request sets in_init)', async () => {
    const { cctx, sctx } = ctxs();
    const l = new Link(cctx, sctx);
    await l.handshake();
    assert.equal(l.server.verifyClientPostHandshake(), 1);
    const r = await l.server.shutdown();
    assert.equal(r, -1);
    assert.equal(l.server.errorReason(), 'shutdown while in init');
  });
});
