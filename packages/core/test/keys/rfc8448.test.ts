/**
 * RFC 8448 §3 (Simple 1-RTT Handshake): the key schedule and record protection reproduce every record of the
 * trace byte for byte, and a memtls server given the trace's randomness answers the trace's ClientHello with
 * the trace's ServerHello record.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import type { CryptoProvider } from '@memtls/core';
import { MemoryBio, Ssl, SslContext } from '@memtls/core';
import { suiteByName } from '#internal/crypto/suites';
import { createWebCryptoProvider, importKeyShare } from '#internal/crypto/webcrypto';
import { finishedVerifyData, KeySchedule, trafficKeys } from '#internal/keys/tls13-key-schedule';
import { RecordProtector13 } from '#internal/record/tls13';
import { concat, fromHex, toHex } from '#internal/wire/bytes';
import { findExtension, parseKeyShareServer } from '#internal/wire/extensions';
import { parseServerHello } from '#internal/wire/handshake';
import { sharedPki } from '../cert/pki.js';

/** Kept in the repository: packages/core/test/fixtures/rfc8448/ (source and licence in its README). */
const trace = JSON.parse(readFileSync(new URL('../../fixtures/rfc8448/simple-1rtt.json', import.meta.url), 'utf8')) as Record<string, string>;
const hex = (k: string): Uint8Array => fromHex(trace[k] as string);

describe('RFC 8448 §3 simple 1-RTT trace', () => {
  const p = createWebCryptoProvider(globalThis.crypto);
  const suite = suiteByName('TLS_AES_128_GCM_SHA256')!;
  const ch = hex('record_client_hello').subarray(5);
  const sh = hex('record_server_hello').subarray(5);
  const serverFlight = concat(hex('message_encrypted_extensions'), hex('message_server_certificate'), hex('message_server_certificate_verify'), hex('message_server_finished'));

  async function schedule() {
    const share = await importKeyShare(globalThis.crypto, 'x25519', hex('client_x25519_private'));
    const serverShare = parseKeyShareServer(findExtension(parseServerHello(sh.subarray(4)).extensions, 51)!);
    const shared = await share.deriveSecret(serverShare.keyExchange);
    assert.ok(shared);
    const ks = new KeySchedule(p, 'SHA-256');
    await ks.early(null);
    const hs = await ks.handshake(shared, await p.hash('SHA-256', concat(ch, sh)));
    const app = await ks.master(await p.hash('SHA-256', concat(ch, sh, serverFlight)));
    return { ks, hs, app };
  }

  const protector = async (secret: Uint8Array) => RecordProtector13.create(p, suite, await trafficKeys(p, 'SHA-256', secret, 16, 12));

  it('decrypts the server handshake flight and checks the server Finished', async () => {
    const { hs } = await schedule();
    const rec = hex('record_server_handshake');
    const opened = await (await protector(hs.server)).open(rec.subarray(0, 5), rec.subarray(5));
    assert.equal(opened.type, 22);
    assert.equal(toHex(opened.content), toHex(serverFlight));
    const fin = hex('message_server_finished');
    const upToCv = concat(ch, sh, hex('message_encrypted_extensions'), hex('message_server_certificate'), hex('message_server_certificate_verify'));
    const expected = await finishedVerifyData(p, 'SHA-256', hs.server, await p.hash('SHA-256', upToCv));
    assert.equal(toHex(expected), toHex(fin.subarray(4)));
  });

  it('produces the client Finished record byte for byte', async () => {
    const { hs } = await schedule();
    const vd = await finishedVerifyData(p, 'SHA-256', hs.client, await p.hash('SHA-256', concat(ch, sh, serverFlight)));
    const msg = concat(new Uint8Array([20, 0, 0, 32]), vd);
    const rec = await (await protector(hs.client)).seal(22, msg);
    assert.equal(toHex(rec), trace.record_client_finished);
  });

  it('opens the NewSessionTicket and reproduces application data and close_notify records in both directions', async () => {
    const { app } = await schedule();
    const server = await protector(app.server);
    const nst = hex('record_new_session_ticket');
    const opened = await server.open(nst.subarray(0, 5), nst.subarray(5));
    assert.equal(opened.type, 22);
    assert.equal(opened.content[0], 4, 'a NewSessionTicket message');
    const serverW = await protector(app.server);
    await serverW.seal(22, opened.content); // the ticket took sequence number 0
    const client = await protector(app.client);
    assert.equal(toHex(await client.seal(23, hex('app_data'))), trace.record_client_app_data);
    assert.equal(toHex(await serverW.seal(23, hex('app_data'))), trace.record_server_app_data);
    assert.equal(toHex(await client.seal(21, new Uint8Array([1, 0]))), trace.record_client_close_notify);
    assert.equal(toHex(await serverW.seal(21, new Uint8Array([1, 0]))), trace.record_server_close_notify);
  });

  it('a memtls server with the trace randomness answers the trace ClientHello with the trace ServerHello', async () => {
    const pki = sharedPki();
    const serverKey = hex('server_x25519_private');
    const injected: CryptoProvider = {
      ...p,
      randomBytes: (n: number) => (n === 32 ? hex('server_random') : p.randomBytes(n)),
      generateKeyShare: (g) => (g === 'x25519' ? importKeyShare(globalThis.crypto, 'x25519', serverKey) : p.generateKeyShare(g)),
    };
    const ctx = new SslContext({ role: 'server', cert: pki.pem('leafP256'), key: pki.keyPem('leafP256'), crypto: injected });
    const ssl = new Ssl(ctx);
    const rbio = new MemoryBio();
    const wbio = new MemoryBio();
    ssl.setBio(rbio, wbio);
    rbio.write(hex('record_client_hello'));
    const r = await ssl.doHandshake();
    assert.equal(r, -1);
    const out = new Uint8Array(wbio.pending());
    wbio.read(out);
    assert.equal(toHex(out.subarray(0, 95)), trace.record_server_hello);
  });
});
