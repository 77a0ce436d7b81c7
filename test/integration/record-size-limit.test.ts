/**
 * record_size_limit (RFC 8449) end to end in memory, both versions: what is sent is measured on the wire (every
 * record header between the two sides is read), what is refused is checked with its alert.
 */
import { strict as assert } from 'node:assert';
import { type ContextOptions, SSL_ERROR_SSL, SslContext } from '@memtls/core';
import { contexts } from '../util/pair.js';
import { type Rec, Wire } from '../util/record-wire.js';

const APP = 23;
const HS = 22;
const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);
/** The protected records (TLS 1.3: outer type application_data; after the handshake in TLS 1.2). */
const protectedRecords = (log: Rec[]): Rec[] => log.filter((r) => r.type === APP);

function ctxs(version: 'TLSv1.2' | 'TLSv1.3', client: Partial<ContextOptions>, server: Partial<ContextOptions>): { cctx: SslContext; sctx: SslContext } {
  return contexts({ minVersion: version, maxVersion: version, ...client }, { minVersion: version, maxVersion: version, ...server });
}

describe('record_size_limit (RFC 8449, in memory)', () => {
  it('TLS 1.3, both at 64: every protected record carries at most 64 bytes of TLSInnerPlaintext, both ways', async () => {
    const { cctx, sctx } = ctxs('TLSv1.3', { recordSizeLimit: 64 }, { recordSizeLimit: 64 });
    const w = new Wire(cctx, sctx);
    await w.handshake();
    const data = bytes(3000);
    assert.deepEqual(await w.send('client', data), data);
    assert.deepEqual(await w.send('server', data), data);
    for (const log of [w.fromClient, w.fromServer]) {
      const prot = protectedRecords(log);
      assert.ok(prot.length > 3000 / 63, `${prot.length} protected records`);
      // 64 bytes of inner plaintext (63 of data and the content type) plus the 16-byte tag.
      for (const r of prot) assert.ok(r.length <= 64 + 16, `record of ${r.length} bytes`);
      assert.ok(prot.some((r) => r.length === 64 + 16), 'full records use the whole limit');
    }
    // The server's encrypted flight (EncryptedExtensions onwards, the certificate included) already obeys it.
    assert.ok(protectedRecords(w.fromServer).slice(0, 5).every((r) => r.length <= 80));
  });

  it('TLS 1.2, both at 64: 64 bytes of plaintext per protected record (AES-GCM: explicit nonce and tag besides)', async () => {
    const { cctx, sctx } = ctxs('TLSv1.2', { recordSizeLimit: 64 }, { recordSizeLimit: 64 });
    const w = new Wire(cctx, sctx);
    await w.handshake();
    const data = bytes(2000);
    assert.deepEqual(await w.send('client', data), data);
    assert.deepEqual(await w.send('server', data), data);
    assert.match(w.client.cipher() ?? '', /GCM/);
    for (const log of [w.fromClient, w.fromServer]) {
      const prot = protectedRecords(log);
      assert.ok(prot.length >= 2000 / 64);
      for (const r of prot) assert.ok(r.length <= 64 + 8 + 16, `record of ${r.length} bytes`);
      assert.ok(prot.some((r) => r.length === 64 + 8 + 16));
    }
    // The handshake's plaintext records are not subject to the limit (the certificate goes out in one).
    assert.ok(w.fromServer.some((r) => r.type === HS && r.length > 100));
  });

  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`${version}: a server without the option honours a constrained client, which still receives at most its limit`, async () => {
      const { cctx, sctx } = ctxs(version, { recordSizeLimit: 200 }, {});
      const w = new Wire(cctx, sctx);
      await w.handshake();
      const data = bytes(5000);
      assert.deepEqual(await w.send('server', data), data);
      const max = 200 + 16 + (version === 'TLSv1.2' ? 8 : 0);
      for (const r of protectedRecords(w.fromServer)) assert.ok(r.length <= max, `record of ${r.length} bytes`);
      // The server advertised the protocol maximum: the client's 5000 bytes go in one record.
      const before = protectedRecords(w.fromClient).length;
      assert.deepEqual(await w.send('client', data), data);
      assert.equal(protectedRecords(w.fromClient).length - before, 1);
    });
  }

  it('without the option on the client nothing is negotiated: full-size records', async () => {
    const { cctx, sctx } = ctxs('TLSv1.3', {}, { recordSizeLimit: 64 });
    const w = new Wire(cctx, sctx);
    await w.handshake();
    const data = bytes(16384);
    assert.deepEqual(await w.send('server', data), data);
    assert.ok(protectedRecords(w.fromServer).some((r) => r.length === 16384 + 1 + 16));
  });

  it('a smaller send fragment still applies under a larger limit', async () => {
    const { cctx, sctx } = ctxs('TLSv1.3', { recordSizeLimit: 4000 }, {});
    const w = new Wire(cctx, sctx);
    await w.handshake();
    assert.equal(w.server.setMaxSendFragment(1000), 1);
    const data = bytes(5000);
    assert.deepEqual(await w.send('server', data), data);
    const last = protectedRecords(w.fromServer).slice(-5);
    for (const r of last) assert.equal(r.length, 1000 + 1 + 16);
  });

  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`${version}: a protected record above the limit we advertised is record_overflow`, async () => {
      const { cctx, sctx } = ctxs(version, { recordSizeLimit: 100 }, {});
      const w = new Wire(cctx, sctx);
      await w.handshake();
      // A misbehaving server: its engine forgets the client's limit.
      (w.server as unknown as { engine: { setRecordSizeLimits(a: number, b: number): void } }).engine.setRecordSizeLimits(16384, 16385);
      assert.equal(await w.server.write(bytes(101)), 101);
      w.toClient();
      const r = await w.client.read(new Uint8Array(1000));
      assert.equal(w.client.getError(r), SSL_ERROR_SSL);
      assert.equal(w.client.errorReason(), 'packet length too long');
      w.toServer();
      const rs = await w.server.read(new Uint8Array(100));
      assert.equal(w.server.getError(rs), SSL_ERROR_SSL);
      assert.equal(w.server.errorReason(), 'tlsv1 alert record overflow');
    });
  }

  it('TLS 1.3: a record exactly at the limit (padding and content type included) is accepted', async () => {
    const { cctx, sctx } = ctxs('TLSv1.3', { recordSizeLimit: 100 }, {});
    const w = new Wire(cctx, sctx);
    await w.handshake();
    const data = bytes(99);
    assert.deepEqual(await w.send('server', data), data);
    assert.equal(protectedRecords(w.fromServer).at(-1)?.length, 100 + 16);
  });

  it('TLS 1.2: a server answering with a limit below 64 is illegal_parameter', async () => {
    const { cctx, sctx } = ctxs('TLSv1.2', { recordSizeLimit: 64 }, { recordSizeLimit: 64 });
    const w = new Wire(cctx, sctx);
    // ServerHello is plaintext in TLS 1.2: rewrite its record_size_limit (type 28, length 2, 64) to 63.
    w.tamperServer = (b) => {
      for (let i = 0; i + 5 < b.length; i++) {
        if (b[i] === 0 && b[i + 1] === 28 && b[i + 2] === 0 && b[i + 3] === 2 && b[i + 4] === 0 && b[i + 5] === 64) {
          b[i + 5] = 63;
          w.tamperServer = null;
          return;
        }
      }
    };
    let rc = -1;
    for (let i = 0; i < 10; i++) {
      rc = await w.client.doHandshake();
      if (w.client.getError(rc) === SSL_ERROR_SSL) break;
      w.toServer();
      await w.server.doHandshake();
      w.toClient();
    }
    assert.equal(w.client.getError(rc), SSL_ERROR_SSL, `${rc} ${w.client.errorReason()} / ${w.server.errorReason()}`);
    assert.equal(w.client.errorReason(), 'bad extension');
    w.toServer();
    const rs = await w.server.doHandshake();
    assert.equal(w.server.getError(rs), SSL_ERROR_SSL);
    assert.equal(w.server.errorReason(), 'sslv3 alert illegal parameter');
  });

  it('recordSizeLimit and postHandshakeAuth are checked when the context is made', () => {
    for (const bad of [63, 16386, 100.5, 0]) assert.throws(() => new SslContext({ role: 'client', verifyPeer: false, recordSizeLimit: bad }), RangeError);
    assert.throws(() => new SslContext({ role: 'client', verifyPeer: false, postHandshakeAuth: 'yes' as unknown as boolean }), TypeError);
  });
});
