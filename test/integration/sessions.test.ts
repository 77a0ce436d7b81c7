import { strict as assert } from 'node:assert';
import { SSL_OP_NO_TICKET, SslSession } from '@memtls/core';
import { closeBoth, contexts, handshake, pair } from '../util/pair.js';

describe('TLS 1.3 sessions (tickets, PSK resumption)', () => {
  it('a cleanly closed session resumes with psk_dhe_ke on both ends', async () => {
    const { cctx, sctx } = contexts({ alpn: ['x'] }, { alpn: ['x'] });
    const p1 = pair(cctx, sctx);
    await handshake(p1);
    assert.equal(p1.client.sessionReused(), false);
    assert.equal(p1.client.getSession(), null, 'no ticket processed yet (rule 20)');
    await closeBoth(p1);
    const session = p1.client.getSession();
    assert.ok(session, 'the tickets were processed by the second shutdown call');
    p1.client.free();
    p1.server.free();
    const p2 = pair(cctx, sctx, { serverName: 'localhost', session });
    await handshake(p2);
    assert.equal(p2.client.sessionReused(), true);
    assert.equal(p2.server.sessionReused(), true);
    assert.equal(p2.client.alpnSelected(), 'x');
    assert.ok(p2.client.peerCertificates().length > 0, 'the resumed session keeps the server chain');
    const msg = new TextEncoder().encode('resumed');
    assert.equal(await p2.client.write(msg), msg.length);
    const buf = new Uint8Array(64);
    assert.equal(await p2.server.read(buf), msg.length);
  });

  it('a full handshake issues numTickets tickets, a resumed one a single replacement (as OpenSSL; stateful tickets with SSL_OP_NO_TICKET)', async () => {
    const { cctx, sctx } = contexts({}, { numTickets: 3, options: SSL_OP_NO_TICKET });
    const cache = sctx.sessionCache!;
    const p1 = pair(cctx, sctx);
    await handshake(p1);
    await closeBoth(p1);
    assert.equal(cache.size, 3, 'three tickets after the full handshake');
    const p2 = pair(cctx, sctx, { serverName: 'localhost', session: p1.client.getSession()! });
    await handshake(p2);
    assert.equal(p2.server.sessionReused(), true);
    await closeBoth(p2);
    assert.equal(cache.size, 4, 'one more ticket after the resumption');
    const again = p2.client.getSession();
    assert.ok(again, 'the replacement ticket is a resumable session');
    const p3 = pair(cctx, sctx, { serverName: 'localhost', session: again });
    await handshake(p3);
    assert.equal(p3.server.sessionReused(), true, 'the replacement ticket resumes');
  });

  it('a session survives serialisation with toBytes/fromBytes', async () => {
    const { cctx, sctx } = contexts();
    const p1 = pair(cctx, sctx);
    await handshake(p1);
    await closeBoth(p1);
    const bytes = p1.client.getSession()!.toBytes();
    const p2 = pair(cctx, sctx, { serverName: 'localhost', session: SslSession.fromBytes(bytes) });
    await handshake(p2);
    assert.equal(p2.server.sessionReused(), true);
  });

  it('format 4 keeps maxEarlyData; format 3 bytes (without it) still restore, with 0, and resume', async () => {
    const { cctx, sctx } = contexts();
    const p1 = pair(cctx, sctx);
    await handshake(p1);
    await closeBoth(p1);
    const s = p1.client.getSession()!;
    assert.equal(s.maxEarlyData, 0, 'memtls servers accept no early data');
    // Format 4 ends with u32 max early data, then the chain.
    const chainLen = 3 + s.peerCertificates.reduce((n, c) => n + 3 + c.length, 0);
    const v4 = s.toBytes();
    assert.equal(v4[0], 4);
    const withEarly = v4.slice();
    new DataView(withEarly.buffer).setUint32(v4.length - chainLen - 4, 16384);
    assert.equal(SslSession.fromBytes(withEarly).maxEarlyData, 16384);
    assert.deepEqual(SslSession.fromBytes(withEarly).toBytes(), withEarly);
    // Format 3: the same bytes without that u32.
    const v3 = new Uint8Array([3, ...v4.subarray(1, v4.length - chainLen - 4), ...v4.subarray(v4.length - chainLen)]);
    const old = SslSession.fromBytes(v3);
    assert.equal(old.maxEarlyData, 0);
    assert.deepEqual(old.peerCertificates, s.peerCertificates);
    const p2 = pair(cctx, sctx, { serverName: 'localhost', session: old });
    await handshake(p2);
    assert.equal(p2.server.sessionReused(), true);
  });

  it('a session is not offered to another server name', async () => {
    const { cctx, sctx } = contexts();
    const p1 = pair(cctx, sctx);
    await handshake(p1);
    await closeBoth(p1);
    const p2 = pair(cctx, sctx, { serverName: 'server.test', session: p1.client.getSession()! });
    await handshake(p2);
    assert.equal(p2.client.sessionReused(), false);
  });

  it('a server freed without SENT withdraws its tickets (rule 19)', async () => {
    const { cctx, sctx } = contexts();
    const p1 = pair(cctx, sctx);
    await handshake(p1);
    // client closes fully; the server reads ZERO_RETURN but never calls shutdown
    assert.equal(await p1.client.shutdown(), 0);
    const buf = new Uint8Array(16);
    assert.equal(await p1.server.read(buf), 0);
    p1.server.free();
    // the client still processes the tickets it received
    p1.client.setShutdown(3);
    const s = p1.client.getSession();
    assert.ok(s === null || s.isResumable());
    const r = await p1.client.read(buf);
    assert.equal(r, 0);
  });
});

