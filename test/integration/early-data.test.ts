import { strict as assert } from 'node:assert';
import { type ContextOptions, SSL_ERROR_SSL, SSL_ERROR_WANT_READ, type Ssl, type SslContext, SslSession } from '@memtls/core';
import { closeBoth, contexts, drive, handshake, type Pair, pair } from '../util/pair.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A session from a first, cleanly closed connection. */
async function firstSession(cctx: SslContext, sctx: SslContext): Promise<SslSession> {
  const p = pair(cctx, sctx);
  await handshake(p);
  await closeBoth(p);
  const s = p.client.getSession();
  assert.ok(s);
  return s;
}

/** The server's side of OpenSSL's early-data loop: readEarlyData until 0 (FINISH), then doHandshake. Returns the early data. */
async function serverEarly(server: Ssl): Promise<{ early: string; ret: number }> {
  let early = '';
  const buf = new Uint8Array(4096);
  for (let i = 0; i < 1000; i++) {
    const r = await server.readEarlyData(buf);
    if (r > 0) early += dec.decode(buf.subarray(0, r));
    else if (r === 0) return { early, ret: 0 };
    else if (server.getError(r) !== SSL_ERROR_WANT_READ) return { early, ret: r };
    else return { early, ret: -1 };
  }
  throw new Error('readEarlyData loop');
}

/** Client: writeEarlyData(text); server: readEarlyData loop; then both finish the handshake. */
async function zeroRtt(p: Pair, text: string): Promise<string> {
  assert.equal(await p.client.writeEarlyData(enc.encode(text)), text.length);
  let early = '';
  let finished = false;
  const serverStep = async (): Promise<number> => {
    if (!finished) {
      const r = await serverEarly(p.server);
      early += r.early;
      if (r.ret === 0) finished = true;
      else return r.ret;
    }
    return p.server.doHandshake();
  };
  const [rc, rs] = await drive(() => p.client.doHandshake(), p.client, serverStep, p.server);
  assert.equal(rc, 1, `client: ${p.client.errorReason()}`);
  assert.equal(rs, 1, `server: ${p.server.errorReason()}`);
  return early;
}

function early(server: Partial<ContextOptions> = {}, client: Partial<ContextOptions> = {}): { cctx: SslContext; sctx: SslContext } {
  return contexts(client, { maxEarlyData: 1007, ...server });
}

describe('TLS 1.3 0-RTT early data (RFC 8446 §4.2.10)', () => {
  it('is accepted with a ticket that allows it: readEarlyData returns the bytes, then 0; EndOfEarlyData; both report accepted', async () => {
    const lines: string[] = [];
    const { cctx, sctx } = early({ keylog: (l) => lines.push(`s ${l}`) }, { keylog: (l) => lines.push(`c ${l}`) });
    const session = await firstSession(cctx, sctx);
    assert.equal(session.maxEarlyData, 1007, 'the NewSessionTicket carries early_data with max_early_data_size');
    const p = pair(cctx, sctx, { serverName: 'localhost', session });
    assert.equal(p.client.getEarlyDataStatus(), 'not_sent');
    assert.equal(await zeroRtt(p, 'GET / early'), 'GET / early');
    assert.equal(p.client.getEarlyDataStatus(), 'accepted');
    assert.equal(p.server.getEarlyDataStatus(), 'accepted');
    assert.equal(p.client.sessionReused(), true);
    const ce = lines.filter((l) => l.startsWith('c CLIENT_EARLY_TRAFFIC_SECRET '));
    const se = lines.filter((l) => l.startsWith('s CLIENT_EARLY_TRAFFIC_SECRET '));
    assert.equal(ce.length, 1);
    assert.equal(ce[0]?.slice(2), se[0]?.slice(2), 'both sides derive the same early secret');
    // Normal data both ways afterwards.
    assert.equal(await p.client.write(enc.encode('after')), 5);
    const buf = new Uint8Array(64);
    assert.equal(dec.decode(buf.subarray(0, await p.server.read(buf))), 'after');
    assert.equal(await p.server.write(enc.encode('reply')), 5);
    assert.equal(dec.decode(buf.subarray(0, await p.client.read(buf))), 'reply');
    await closeBoth(p);
  });

  it('replay protection: the first flight replayed to the server gets no early data in (single-use stateful ticket)', async () => {
    const { cctx, sctx } = early();
    const session = await firstSession(cctx, sctx);
    assert.ok(sctx.sessionCache);
    const p = pair(cctx, sctx, { serverName: 'localhost', session });
    // Capture the client's first flight (ClientHello + early data) as an attacker would.
    assert.equal(await p.client.writeEarlyData(enc.encode('pay 100')), 7);
    const { MemoryBio, Ssl } = await import('@memtls/core');
    const flight = new Uint8Array(65536);
    const serverEnd = (p.server as unknown as { conn: { io: { rbio: { read(b: Uint8Array): number } } } }).conn.io.rbio;
    const n = serverEnd.read(flight);
    assert.ok(n > 0);
    const bytes = flight.slice(0, n);
    // The genuine server gets the flight: early data accepted.
    const m1i = new MemoryBio();
    const m1o = new MemoryBio();
    const genuine = new Ssl(sctx);
    genuine.setBio(m1i, m1o);
    m1i.write(bytes);
    const r1 = await serverEarly(genuine);
    assert.equal(r1.early, 'pay 100');
    assert.equal(genuine.getEarlyDataStatus(), 'accepted');
    // The replay: another server connection of the same context sees the same bytes.
    const m2i = new MemoryBio();
    const m2o = new MemoryBio();
    const replayed = new Ssl(sctx);
    replayed.setBio(m2i, m2o);
    m2i.write(bytes);
    const r2 = await serverEarly(replayed);
    assert.equal(r2.ret, 0, 'FINISH: no early data');
    assert.equal(r2.early, '', 'the replayed early data is never delivered');
    assert.equal(replayed.getEarlyDataStatus(), 'rejected');
    assert.equal(replayed.sessionReused(), false, 'the ticket was used up: a full handshake');
  });

  it('is rejected when the server does not read early data (doHandshake first, as OpenSSL): skipped, the handshake completes, the client may send it again', async () => {
    const { cctx, sctx } = early();
    const session = await firstSession(cctx, sctx);
    const p = pair(cctx, sctx, { serverName: 'localhost', session });
    assert.equal(await p.client.writeEarlyData(enc.encode('x'.repeat(900))), 900);
    assert.equal(p.client.getEarlyDataStatus(), 'rejected', 'rejected until accepted, as OpenSSL reports it');
    await handshake(p);
    assert.equal(p.client.getEarlyDataStatus(), 'rejected');
    assert.equal(p.server.getEarlyDataStatus(), 'rejected');
    assert.equal(p.server.sessionReused(), true, 'the PSK still resumes');
    assert.equal(await p.client.write(enc.encode('again')), 5);
    const buf = new Uint8Array(64);
    assert.equal(dec.decode(buf.subarray(0, await p.server.read(buf))), 'again', 'only the data written after the handshake arrives');
  });

  it('is rejected after a HelloRetryRequest (the second ClientHello offers none; early records skipped by type)', async () => {
    const { cctx, sctx } = early({ groups: ['secp256r1'] }, { groups: ['x25519', 'secp256r1'] });
    const session = await firstSession(cctx, sctx);
    const p = pair(cctx, sctx, { serverName: 'localhost', session });
    assert.equal(await zeroRtt(p, 'hello'), '');
    assert.equal(p.client.helloRetried(), true);
    assert.equal(p.client.getEarlyDataStatus(), 'rejected');
    assert.equal(p.server.getEarlyDataStatus(), 'rejected');
  });

  it('is rejected when the ALPN protocol differs from the session\'s, or the ticket age is off by more than 10 s', async () => {
    {
      let choice = 'a';
      const { cctx, sctx } = early({ alpnSelect: () => choice }, { alpn: ['a', 'b'] });
      const session = await firstSession(cctx, sctx);
      assert.equal(session.alpn, 'a');
      choice = 'b';
      const p = pair(cctx, sctx, { serverName: 'localhost', session });
      assert.equal(await zeroRtt(p, 'alpn'), '', 'another ALPN protocol than the session\'s: rejected');
      assert.equal(p.server.getEarlyDataStatus(), 'rejected');
      assert.equal(p.client.alpnSelected(), 'b');
    }
    {
      let skew = 0;
      const { cctx, sctx } = early({ now: () => new Date(Date.now() + skew) });
      const session = await firstSession(cctx, sctx);
      skew = 30_000;
      const p = pair(cctx, sctx, { serverName: 'localhost', session });
      assert.equal(await zeroRtt(p, 'late'), '', 'a ticket 30 s older to the server than to the client: rejected');
      assert.equal(p.server.getEarlyDataStatus(), 'rejected');
      assert.equal(p.server.sessionReused(), true);
    }
  });

  it('a server without maxEarlyData issues tickets without early_data: writeEarlyData is 0 with "called a function you should not call"', async () => {
    const { cctx, sctx } = contexts();
    const session = await firstSession(cctx, sctx);
    assert.equal(session.maxEarlyData, 0);
    const p = pair(cctx, sctx, { serverName: 'localhost', session });
    const r = await p.client.writeEarlyData(enc.encode('no'));
    assert.equal(r, 0);
    assert.equal(p.client.getError(r), SSL_ERROR_SSL);
    assert.equal(p.client.errorReason(), 'called a function you should not call');
    await handshake(p);
    assert.equal(p.client.getEarlyDataStatus(), 'not_sent');
    assert.equal(p.server.getEarlyDataStatus(), 'not_sent');
  });

  it('the client refuses more than max_early_data_size without writing, and any early write once the handshake went on', async () => {
    const { cctx, sctx } = early();
    const session = await firstSession(cctx, sctx);
    const p = pair(cctx, sctx, { serverName: 'localhost', session });
    assert.equal(await p.client.writeEarlyData(enc.encode('a'.repeat(1000))), 1000);
    const r = await p.client.writeEarlyData(enc.encode('b'.repeat(8)));
    assert.equal(r, 0);
    assert.equal(p.client.errorReason(), 'too much early data');
    assert.equal(await p.client.writeEarlyData(enc.encode('c'.repeat(7))), 7, 'exactly up to the limit');
    assert.equal(await zeroRtt2(p), 'a'.repeat(1000) + 'c'.repeat(7));
    const late = await p.client.writeEarlyData(enc.encode('late'));
    assert.equal(late, 0);
    assert.equal(p.client.errorReason(), 'called a function you should not call');
  });

  it('API misuse throws: writeEarlyData on a server, readEarlyData on a client, empty buffers; readEarlyData after doHandshake or after 0 is an error', async () => {
    const { cctx, sctx } = early();
    const p = pair(cctx, sctx);
    assert.throws(() => p.server.writeEarlyData(enc.encode('x')), TypeError);
    assert.throws(() => p.client.readEarlyData(new Uint8Array(8)), TypeError);
    assert.throws(() => p.client.writeEarlyData(new Uint8Array(0)), RangeError);
    await handshake(p);
    const r = await p.server.readEarlyData(new Uint8Array(8));
    assert.ok(r < 0);
    assert.equal(p.server.getError(r), SSL_ERROR_SSL);
    assert.equal(p.server.errorReason(), 'called a function you should not call');
    assert.equal(p.server.isInitFinished(), true, 'not fatal');
    const q = pair(cctx, sctx);
    const s = await serverEarly(q.server);
    assert.equal(s.ret, -1, 'WANT_READ before the ClientHello');
    await q.client.doHandshake();
    assert.equal((await serverEarly(q.server)).ret, 0, 'FINISH: no early data offered');
    const again = await q.server.readEarlyData(new Uint8Array(8));
    assert.ok(again < 0, 'after FINISH');
    assert.equal(q.server.errorReason(), 'called a function you should not call');
  });

  it('a client that sends more early data than the ticket allows gets unexpected_message ("too much early data")', async () => {
    const { cctx, sctx } = early();
    const session = await firstSession(cctx, sctx);
    // The client's copy of the session says 65536 (a misbehaving client); the server's ticket says 1007.
    const bytes = session.toBytes();
    const at = findU32(bytes, 1007);
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, 65536);
    const forged = SslSession.fromBytes(bytes);
    assert.equal(forged.maxEarlyData, 65536);
    const p = pair(cctx, sctx, { serverName: 'localhost', session: forged });
    assert.equal(await p.client.writeEarlyData(enc.encode('z'.repeat(1500))), 1500);
    const r = await serverEarly(p.server);
    const more = r.ret === 0 ? r : await serverEarly(p.server);
    assert.ok(more.ret < 0);
    assert.equal(p.server.errorReason(), 'too much early data');
    assert.equal(p.server.lastErrorDetail()?.alert, 10, 'unexpected_message');
  });
});

function findU32(bytes: Uint8Array, v: number): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  let found = -1;
  for (let i = 0; i + 4 <= bytes.length; i++) {
    if (dv.getUint32(i) === v) {
      assert.equal(found, -1, 'the value occurs once');
      found = i;
    }
  }
  assert.ok(found >= 0);
  return found;
}

/** As zeroRtt, for early data the client already wrote. */
async function zeroRtt2(p: Pair): Promise<string> {
  let got = '';
  let finished = false;
  const [rc, rs] = await drive(() => p.client.doHandshake(), p.client, async () => {
    if (!finished) {
      const r = await serverEarly(p.server);
      got += r.early;
      if (r.ret !== 0) return r.ret;
      finished = true;
    }
    return p.server.doHandshake();
  }, p.server);
  assert.equal(rc, 1);
  assert.equal(rs, 1);
  return got;
}
