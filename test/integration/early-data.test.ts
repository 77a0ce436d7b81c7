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
});
