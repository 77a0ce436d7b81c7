/**
 * The server's application callbacks (ContextOptions.selectContext, alpnSelect) and the verified chain
 * (Ssl.verifiedChain, VerifyInfo.verifiedChain), in memory.
 */
import { strict as assert } from 'node:assert';
import { type ContextOptions, type Ssl, SslContext, type VerifyInfo } from '@memtls/core';
import { failedHandshake, Link } from '../util/link.js';
import { contexts, handshake, pair } from '../util/pair.js';
import { testPki } from '../util/pki.js';

describe('server callbacks: selectContext and alpnSelect', () => {
  const pki = testPki();
  /** A server context whose own certificate is RSA; the callback may answer with the EC P-256 one. */
  const serverWith = (more: Partial<ContextOptions>): SslContext => new SslContext({ role: 'server', cert: pki.leaves.rsa.cert, key: pki.leaves.rsa.key, ...more });
  const ecCtx = new SslContext({ role: 'server', cert: pki.leaves['ec-p256'].cert, key: pki.leaves['ec-p256'].key });
  const cctx = new SslContext({ role: 'client', ca: pki.caCert });

  it('selectContext: called once per handshake with the SNI name (also across a HelloRetryRequest); its certificate is served', async () => {
    const calls: Array<[string | null, Ssl]> = [];
    const sctx = serverWith({ groups: ['secp384r1'], selectContext: async (name, ssl) => {
        calls.push([name, ssl]);
        return ecCtx;
      },
    });
    const p = pair(cctx, sctx);
    await handshake(p);
    assert.equal(p.server.helloRetried(), true);
    assert.deepEqual(calls.map((c) => c[0]), ['localhost']);
    assert.equal(calls[0]?.[1], p.server);
    const direct = pair(cctx, ecCtx);
    await handshake(direct);
    assert.deepEqual(p.client.peerCertificates()[0], direct.client.peerCertificates()[0], 'the chosen context\'s certificate');
  });

  it('selectContext: null/undefined keeps the context\'s own certificate; no SNI is null', async () => {
    const names: Array<string | null> = [];
    const sctx = serverWith({ selectContext: (name) => {
        names.push(name);
        return null;
      },
    });
    const p = pair(new SslContext({ role: 'client', ca: pki.caCert, verifyHostname: false }), sctx, {});
    await handshake(p);
    assert.deepEqual(names, [null]);
    const own = pair(cctx, serverWith({}));
    await handshake(own);
    assert.deepEqual(p.client.peerCertificates()[0], own.client.peerCertificates()[0]);
  });

  const refusals: Array<[string, NonNullable<ContextOptions['selectContext']>]> = [
    ['throws', () => { throw new Error('secret detail'); }],
    ['rejects', () => Promise.reject(new Error('secret detail'))],
    ['returns a client context', () => cctx],
    ['returns something else', () => ({ cert: 'x' }) as unknown as SslContext],
  ];
  for (const [what, cb] of refusals) {
    it(`selectContext that ${what}: CERT_CB_ERROR, internal_error sent, nothing of the error leaks`, async () => {
      const l = new Link(cctx, serverWith({ selectContext: cb }));
      await failedHandshake(l);
      assert.equal(l.server.errorReason(), 'cert cb error');
      assert.equal(l.server.lastErrorDetail()?.reason, 'CERT_CB_ERROR');
      assert.doesNotMatch(String(l.server.lastErrorDetail()?.message), /secret/);
      assert.equal(l.client.errorReason(), 'tlsv1 alert internal error');
    });
  }

  it('alpnSelect: sees the client\'s protocols in its order and the SNI name; its choice is agreed', async () => {
    const seen: unknown[] = [];
    const sctx = serverWith({ alpnSelect: (info, ssl) => {
        seen.push(info, ssl);
        return 'b';
      },
    });
    const p = pair(new SslContext({ role: 'client', ca: pki.caCert, alpn: ['a', 'b'] }), sctx);
    await handshake(p);
    assert.equal(p.client.alpnSelected(), 'b');
    assert.equal(p.server.alpnSelected(), 'b');
    assert.deepEqual(seen[0], { serverName: 'localhost', protocols: ['a', 'b'] });
    assert.equal(seen[1], p.server);
  });

  it('alpnSelect: not called when the client offers no ALPN', async () => {
    let called = false;
    const alpnSelect = (): string => {
      called = true;
      return 'a';
    };
    const p = pair(cctx, serverWith({ alpnSelect }));
    await handshake(p);
    assert.equal(called, false);
    assert.equal(p.server.alpnSelected(), null);
  });

  const alpnCases: Array<[string, NonNullable<ContextOptions['alpnSelect']>, string, string]> = [
    ['returns undefined', () => undefined, 'no application protocol', 'tlsv1 alert no application protocol'],
    ['returns a protocol the client did not offer', () => 'zz', 'callback failed', 'tlsv1 alert internal error'],
    ['throws', () => { throw new Error('boom'); }, 'callback failed', 'tlsv1 alert internal error'],
  ];
  for (const [what, cb, serverReason, clientReason] of alpnCases) {
    it(`alpnSelect that ${what}: the handshake fails with the right alert`, async () => {
      const l = new Link(new SslContext({ role: 'client', ca: pki.caCert, alpn: ['a', 'b'] }), serverWith({ alpnSelect: cb }));
      await failedHandshake(l);
      assert.equal(l.server.errorReason(), serverReason);
      assert.equal(l.client.errorReason(), clientReason);
    });
  }

  it('misuse is a TypeError at construction: not functions, client role, alpn with alpnSelect', () => {
    const base = { role: 'server' as const, cert: pki.leaves.rsa.cert, key: pki.leaves.rsa.key };
    assert.throws(() => new SslContext({ ...base, selectContext: 5 as never }), TypeError);
    assert.throws(() => new SslContext({ ...base, alpnSelect: 'h2' as never }), TypeError);
    assert.throws(() => new SslContext({ ...base, alpn: ['h2'], alpnSelect: () => 'h2' }), /mutually exclusive/);
    assert.throws(() => new SslContext({ role: 'client', ca: pki.caCert, alpnSelect: () => 'h2' }), /server option/);
    assert.throws(() => new SslContext({ role: 'client', ca: pki.caCert, selectContext: () => null }), /server option/);
  });
});

describe('the verified chain (SSL_get0_verified_chain)', () => {
  const pki = testPki();
  const caDer = (): Uint8Array => new Uint8Array(Buffer.from(pki.caCert.replace(/-----[^-]+-----|\s/g, ''), 'base64'));

  it('a verified server: leaf then the trust anchor the server did not send; the verify callback sees it too', async () => {
    const infos: VerifyInfo[] = [];
    const { cctx, sctx } = contexts({
      verifyCallback: (info) => {
        infos.push(info);
        return info.ok;
      },
    });
    const p = pair(cctx, sctx);
    await handshake(p);
    const chain = p.client.verifiedChain();
    assert.equal(p.client.peerCertificates().length, 1, 'the server sends its leaf only');
    assert.equal(chain.length, 2);
    assert.deepEqual(chain[0], p.client.peerCertificates()[0]);
    assert.deepEqual(chain[1], caDer());
    assert.deepEqual(infos[0]?.verifiedChain, chain);
    chain[0]![0] = 0;
    assert.notEqual(p.client.verifiedChain()[0]![0], 0, 'a copy');
  });

  it('empty when nothing was validated: verifyPeer false, a failure a callback accepted, a server without client auth', async () => {
    const off = contexts({ verifyPeer: false });
    const p = pair(off.cctx, off.sctx);
    await handshake(p);
    assert.deepEqual(p.client.verifiedChain(), []);
    assert.deepEqual(p.server.verifiedChain(), []);
    const lax = contexts({ verifyCallback: () => true });
    const p2 = pair(lax.cctx, lax.sctx, { serverName: 'wrong.example' });
    await handshake(p2);
    assert.equal(p2.client.verifyResult(), 'X509_V_ERR_HOSTNAME_MISMATCH');
    assert.deepEqual(p2.client.verifiedChain(), []);
  });
});
