/**
 * The core calls behind Node's `tls` parity members, over memory BIOs with the wire in view:
 * `getFinished`/`getPeerFinished` (SSL_get_finished / SSL_get_peer_finished), `exportKeyingMaterialSync`,
 * `setServerName` (SSL_set_tlsext_host_name) and `setMaxSendFragment` (SSL_set_max_send_fragment).
 */
import { strict as assert } from 'node:assert';
import { MemoryBio, Ssl, SslContext } from '@memtls/core';
import { createNodeCryptoProvider } from '@memtls/node';
import { testPki } from '../util/pki.js';

interface Wire {
  client: Ssl;
  server: Ssl;
  /** Record body lengths the client and the server wrote, in order. */
  clientRecords: number[];
  serverRecords: number[];
  /** Move the bytes each side wrote to the other; returns true when something moved. */
  shuttle(): boolean;
}

function records(bytes: Uint8Array, out: number[], carry: { rest: Uint8Array }): void {
  const all = new Uint8Array(carry.rest.length + bytes.length);
  all.set(carry.rest);
  all.set(bytes, carry.rest.length);
  let o = 0;
  while (o + 5 <= all.length) {
    const len = ((all[o + 3] as number) << 8) | (all[o + 4] as number);
    if (o + 5 + len > all.length) break;
    out.push(len);
    o += 5 + len;
  }
  carry.rest = all.slice(o);
}

function wire(serverName = 'localhost'): Wire {
  const pki = testPki();
  const crypto = createNodeCryptoProvider();
  const sctx = new SslContext({ role: 'server', cert: pki.leaves['ec-p256'].cert, key: pki.leaves['ec-p256'].key, crypto });
  const cctx = new SslContext({ role: 'client', ca: pki.caCert, crypto, verifyHostname: false });
  const client = new Ssl(cctx, { serverName });
  const server = new Ssl(sctx);
  const [cIn, cOut, sIn, sOut] = [new MemoryBio(), new MemoryBio(), new MemoryBio(), new MemoryBio()];
  client.setBio(cIn, cOut);
  server.setBio(sIn, sOut);
  const w: Wire = {
    client,
    server,
    clientRecords: [],
    serverRecords: [],
    shuttle() {
      let moved = false;
      const cc = { rest: new Uint8Array(0) };
      const sc = { rest: new Uint8Array(0) };
      for (let v = cOut.readView(); v; v = cOut.readView()) {
        records(v, w.clientRecords, cc);
        sIn.write(v);
        moved = true;
      }
      for (let v = sOut.readView(); v; v = sOut.readView()) {
        records(v, w.serverRecords, sc);
        cIn.write(v);
        moved = true;
      }
      return moved;
    },
  };
  return w;
}

async function handshake(w: Wire): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const [rc, rs] = [await w.client.doHandshake(), await w.server.doHandshake()];
    w.shuttle();
    if (rc === 1 && rs === 1) return;
  }
  throw new Error(`no handshake: ${w.client.errorReason()} / ${w.server.errorReason()}`);
}

describe('core: Node tls parity calls (SSL_get_finished, exporter, SSL_set_tlsext_host_name, SSL_set_max_send_fragment)', () => {
  it('getFinished/getPeerFinished: null before; then each side’s sent verify_data is the other’s received, as copies', async () => {
    const w = wire();
    assert.equal(w.client.getFinished(), null);
    assert.equal(w.server.getPeerFinished(), null);
    await handshake(w);
    const cf = w.client.getFinished() as Uint8Array;
    assert.equal(cf.length, 32);
    assert.deepEqual(cf, w.server.getPeerFinished());
    assert.deepEqual(w.server.getFinished(), w.client.getPeerFinished());
    assert.notDeepEqual(cf, w.client.getPeerFinished());
    cf.fill(0);
    assert.deepEqual(w.client.getFinished(), w.server.getPeerFinished());
  });

  it('exportKeyingMaterialSync equals the asynchronous exporter and the peer’s; checks its arguments', async () => {
    const w = wire();
    assert.throws(() => w.client.exportKeyingMaterialSync('x', new Uint8Array(0), 16), TypeError);
    await handshake(w);
    const ctx = new Uint8Array([1, 2, 3]);
    const sync = w.client.exportKeyingMaterialSync('EXPERIMENTAL-a', ctx, 42);
    assert.deepEqual(sync, await w.client.exportKeyingMaterial('EXPERIMENTAL-a', ctx, 42));
    assert.deepEqual(sync, w.server.exportKeyingMaterialSync('EXPERIMENTAL-a', ctx, 42));
    assert.throws(() => w.client.exportKeyingMaterialSync('x', new Uint8Array(0), 0), RangeError);
    assert.throws(() => w.client.exportKeyingMaterialSync('x', new Uint8Array(0), 255 * 32 + 1), RangeError);
    assert.throws(() => w.client.exportKeyingMaterialSync(1 as unknown as string, new Uint8Array(0), 1), TypeError);
  });

  it('setServerName before the handshake replaces the SNI; refused once started, on a server, or for a bad name; the connection is intact', async () => {
    const w = wire('first.test');
    assert.throws(() => w.client.setServerName('bad name'), TypeError);
    assert.throws(() => w.server.setServerName('x.test'), TypeError);
    w.client.setServerName('second.test');
    assert.equal(w.client.serverName(), 'second.test');
    const first = w.client.doHandshake();
    // The call is queued but has not built the ClientHello yet: still accepted, and it applies.
    w.client.setServerName('third.test');
    await first;
    assert.throws(() => w.client.setServerName('fourth.test'), /already started/);
    await handshake(w);
    assert.equal(w.server.serverName(), 'third.test');
    assert.equal(w.client.serverName(), 'third.test');
  });

  it('setMaxSendFragment: 0 outside 512..16384 (nothing changes); with 512, every record sent carries at most 512 bytes', async () => {
    const w = wire();
    assert.equal(w.client.setMaxSendFragment(511), 0);
    assert.equal(w.client.setMaxSendFragment(16385), 0);
    assert.equal(w.client.getMaxSendFragment(), 16384);
    assert.throws(() => w.client.setMaxSendFragment('512' as unknown as number), TypeError);
    assert.equal(w.server.setMaxSendFragment(512), 1);
    await handshake(w);
    // The server's flight (certificate included) was cut at 512 bytes of plaintext too.
    assert.ok(w.serverRecords.length > 3);
    for (const l of w.serverRecords) assert.ok(l <= 512 + 17, `server record of ${l}`);
    assert.equal(w.client.setMaxSendFragment(512), 1);
    w.clientRecords.length = 0;
    const data = new Uint8Array(5000).map((_, i) => i & 0xff);
    assert.equal(await w.client.write(data), data.length);
    w.shuttle();
    assert.deepEqual(w.clientRecords, [...Array(9).fill(512 + 17), 5000 - 9 * 512 + 17]);
    const got = new Uint8Array(6000);
    let n = 0;
    for (let r = await w.server.read(got); r > 0; r = await w.server.read(got.subarray(n))) n += r;
    assert.deepEqual(got.subarray(0, n), data);
    assert.equal(w.client.setMaxSendFragment(16384), 1);
    w.clientRecords.length = 0;
    await w.client.write(data);
    w.shuttle();
    assert.deepEqual(w.clientRecords, [5000 + 17]);
  });
});
