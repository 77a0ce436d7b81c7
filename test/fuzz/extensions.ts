/**
 * Fuzz targets for record_size_limit (RFC 8449) and post-handshake client authentication (RFC 8446 §4.6.2), run by
 * `pnpm fuzz` with the others (targets.ts TARGETS) and on a small budget by extensions.test.ts.
 *
 * - `record-size-limit`: any limits on either side (or none), either version, any send fragment size, any data
 *   sizes both ways; and a peer's value anywhere in the u16 range. Invariants: every protected record on the wire
 *   carries at most the receiver's limit (when both sent the extension), data arrives intact, a peer value below
 *   64 (or a server's above the version's maximum) ends the handshake with illegal_parameter, never anything else.
 * - `post-handshake-auth`: any number of exchanges, each with application data both ways around the request, a
 *   KeyUpdate or not, a client with or without a certificate, a server requiring one or not. Invariants: data
 *   intact, a client with a good certificate always ends X509_V_OK, one without either fails with
 *   certificate_required (required) or leaves the server at X509_V_ERR_NOT_VERIFIED (not required).
 */
import { strict as assert } from 'node:assert';
import { type ContextOptions, SSL_ERROR_SSL, SslContext } from '@memtls/core';
import fc from 'fast-check';
import { contexts } from '../util/pair.js';
import { testPki } from '../util/pki.js';
import { Wire } from '../util/record-wire.js';

type Version = 'TLSv1.2' | 'TLSv1.3';
const bytes = (n: number, salt: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + salt) & 0xff);

export interface RslCase {
  version: Version;
  clientLimit: number | null;
  serverLimit: number | null;
  /** The server's setMaxSendFragment (512..16384), or null. */
  fragment: number | null;
  up: number;
  down: number;
}

export const rslCase: fc.Arbitrary<RslCase> = fc.record({
  version: fc.constantFrom<Version>('TLSv1.2', 'TLSv1.3'),
  clientLimit: fc.option(fc.integer({ min: 64, max: 16385 })),
  serverLimit: fc.option(fc.integer({ min: 64, max: 16385 })),
  fragment: fc.option(fc.integer({ min: 512, max: 16384 })),
  up: fc.integer({ min: 1, max: 40000 }),
  down: fc.integer({ min: 1, max: 40000 }),
});

export async function checkRsl(c: RslCase): Promise<void> {
  const pin: Partial<ContextOptions> = { minVersion: c.version, maxVersion: c.version };
  const { cctx, sctx } = contexts({ ...pin, ...(c.clientLimit ? { recordSizeLimit: c.clientLimit } : {}) }, { ...pin, ...(c.serverLimit ? { recordSizeLimit: c.serverLimit } : {}) });
  const w = new Wire(cctx, sctx);
  await w.handshake();
  if (c.fragment !== null) assert.equal(w.server.setMaxSendFragment(c.fragment), 1);
  const up = bytes(c.up, 1);
  const down = bytes(c.down, 2);
  assert.deepEqual(await w.send('client', up), up);
  assert.deepEqual(await w.send('server', down), down);
  const max = c.version === 'TLSv1.3' ? 16385 : 16384;
  // Negotiated only when the client sent it (a server always answers); the expansion is the tag (+ nonce in 1.2).
  const extra = 16 + (c.version === 'TLSv1.2' && /GCM/.test(w.client.cipher() ?? '') ? 8 : 0);
  const serverGets = c.clientLimit === null ? max : Math.min(c.serverLimit ?? max, max);
  const clientGets = c.clientLimit === null ? max : Math.min(c.clientLimit, max);
  const prot = (log: { type: number; length: number }[]) => log.filter((r) => r.type === 23);
  for (const r of prot(w.fromClient)) assert.ok(r.length <= serverGets + extra, `client sent ${r.length} (server limit ${serverGets})`);
  for (const r of prot(w.fromServer)) assert.ok(r.length <= clientGets + extra, `server sent ${r.length} (client limit ${clientGets})`);
}

export interface RslValueCase {
  /** The value the TLS 1.2 server's ServerHello is made to carry. */
  value: number;
}

export const rslValueCase: fc.Arbitrary<RslValueCase> = fc.record({ value: fc.oneof(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 64, max: 0xffff })) });

/** A ServerHello (plaintext in TLS 1.2) whose record_size_limit is rewritten to `value`. */
export async function checkRslValue(c: RslValueCase): Promise<void> {
  const pin: Partial<ContextOptions> = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' };
  const { cctx, sctx } = contexts({ ...pin, recordSizeLimit: 1000 }, { ...pin, recordSizeLimit: 1000 });
  const w = new Wire(cctx, sctx);
  w.tamperServer = (b) => {
    for (let i = 0; i + 5 < b.length; i++) {
      if (b[i] === 0 && b[i + 1] === 28 && b[i + 2] === 0 && b[i + 3] === 2 && b[i + 4] === 0x03 && b[i + 5] === 0xe8) {
        b[i + 4] = c.value >> 8;
        b[i + 5] = c.value & 0xff;
        w.tamperServer = null;
        return;
      }
    }
  };
  let failed = false;
  for (let i = 0; i < 12 && !failed; i++) {
    const rc = await w.client.doHandshake();
    failed = w.client.getError(rc) === SSL_ERROR_SSL;
    w.toServer();
    await w.server.doHandshake();
    w.toClient();
  }
  const legal = c.value >= 64 && c.value <= 16384;
  if (c.value === 1000) {
    // Unchanged: the handshake completes.
    assert.ok(!failed, w.client.errorReason() ?? '');
  } else if (legal) {
    // The value is legal, but the Finished covers the ServerHello: the change is caught there (decrypt_error).
    assert.ok(failed, 'a changed ServerHello completed the handshake');
    assert.notEqual(w.client.errorReason(), 'bad extension');
  } else {
    assert.ok(failed);
    assert.equal(w.client.errorReason(), 'bad extension');
    assert.equal(w.client.lastErrorDetail()?.alert, 47);
  }
}

export interface PhaCase {
  clientCert: boolean;
  requireClientCert: boolean;
  exchanges: { before: number; after: number; down: number; keyUpdate: boolean }[];
}

export const phaCase: fc.Arbitrary<PhaCase> = fc.record({
  clientCert: fc.boolean(),
  requireClientCert: fc.boolean(),
  exchanges: fc.array(fc.record({ before: fc.nat({ max: 3000 }), after: fc.nat({ max: 3000 }), down: fc.integer({ min: 1, max: 3000 }), keyUpdate: fc.boolean() }), { minLength: 1, maxLength: 4 }),
});

export async function checkPha(c: PhaCase): Promise<void> {
  const pki = testPki();
  const sctx = new SslContext({ role: 'server', cert: pki.leaves['ec-p256'].cert, key: pki.leaves['ec-p256'].key, ca: pki.caCert, verifyPeer: true, postHandshakeAuth: true, requireClientCert: c.requireClientCert });
  const cctx = new SslContext({ role: 'client', ca: pki.caCert, postHandshakeAuth: true, ...(c.clientCert ? { cert: pki.client.cert, key: pki.client.key } : {}) });
  const w = new Wire(cctx, sctx);
  await w.handshake();
  for (const [i, ex] of c.exchanges.entries()) {
    if (ex.before > 0) {
      const d = bytes(ex.before, i);
      assert.equal(await w.client.write(d), d.length);
    }
    if (ex.keyUpdate) assert.equal(w.client.keyUpdate(true), 1);
    assert.equal(w.server.verifyClientPostHandshake(), 1, w.server.errorReason() ?? '');
    const down = bytes(ex.down, i + 7);
    // The server's write sends the request, then the data; the client answers while reading it.
    assert.equal(await w.server.write(down), down.length);
    if (ex.before > 0) {
      w.toServer();
      const got = new Uint8Array(ex.before);
      let have = 0;
      for (let k = 0; k < 100 && have < ex.before; k++) {
        const r = await w.server.read(got.subarray(have));
        assert.ok(r > 0, `server read: ${w.server.errorReason()}`);
        have += r;
      }
    }
    w.toClient();
    let have = 0;
    const buf = new Uint8Array(4000);
    for (let k = 0; k < 100 && have < down.length; k++) {
      const r = await w.client.read(buf);
      assert.ok(r > 0, `client read: ${w.client.getError(r)} ${w.client.errorReason()}`);
      have += r;
    }
    const after = bytes(Math.max(1, ex.after), i + 3);
    assert.equal(await w.client.write(after), after.length);
    w.toServer();
    const got = new Uint8Array(after.length);
    const r = await w.server.read(got);
    if (!c.clientCert && c.requireClientCert) {
      assert.equal(w.server.getError(r), SSL_ERROR_SSL);
      assert.equal(w.server.errorReason(), 'peer did not return a certificate');
      return;
    }
    assert.ok(r > 0, `server read after: ${w.server.errorReason()}`);
    assert.equal(w.server.verifyResult(), c.clientCert ? 'X509_V_OK' : 'X509_V_ERR_NOT_VERIFIED');
    // Drain the rest of `after`, so the next exchange starts clean.
    let n = r;
    while (n < after.length) {
      const m = await w.server.read(got.subarray(n));
      assert.ok(m > 0);
      n += m;
    }
  }
}
