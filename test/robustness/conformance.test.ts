/**
 * RFC 8446 conformance cases found by tlsfuzzer (issue 11), reproduced with the project's own tools: each test
 * names the tlsfuzzer script whose failure it pins. The null provider forges protected records (any key).
 *
 * - an empty alert record, under handshake or application keys, with or without padding: unexpected_message;
 * - change_cipher_spec: one is dropped, a second one (alone or in the same read) is unexpected_message;
 * - a client refuses a plaintext alert once ServerHello installed its handshake keys; a server accepts one only
 *   as the client's first answer to its flight;
 * - KeyUpdate: each update_requested gets its own reply, also when two arrive in one record;
 * - rejected early data (RFC 8446 §4.2.10) is skipped within MAX_REJECTED_EARLY_DATA bytes, and after a
 *   HelloRetryRequest until the second ClientHello.
 */
process.env.MEMTLS_INSECURE_TEST_CRYPTO = '1';

import { strict as assert } from 'node:assert';
import { SSL_ERROR_WANT_READ } from '@memtls/core';
import { nullSealRecord } from '@memtls/crypto-null';
import { AL, alertBody, CT, concat, EXT, encodeHello, frame, HT, parseHello, parseRecords, record, sealed, splitMessages, toUnits } from '@memtls/fast-check';
import { alertsIn, assertFailed, drain, established, linkFor } from './helpers.js';

type Link = Awaited<ReturnType<typeof linkFor>>;

/** A null-provider Link where the server has read the ClientHello and written its flight (handshake keys set). */
async function serverAwaitingFinished(): Promise<Link> {
  const link = await linkFor({ crypto: 'null' });
  await link.client.doHandshake();
  link.toServer();
  assert.equal(link.server.getError(await link.server.doHandshake()), SSL_ERROR_WANT_READ);
  return link;
}

/** Pseudo-random bytes (deterministic), standing for early data protected under a key the server lacks. */
function garbage(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed * 2654435761;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/** The client's first ClientHello (null provider), re-encoded with an early_data extension before pre_shared_key. */
async function helloWithEarlyData(hrr: boolean): Promise<{ link: Link; hello: Uint8Array }> {
  const link = await linkFor({ crypto: 'null', hrr });
  await link.client.doHandshake();
  const rec = parseRecords(drain(link.clientOut)).records[0];
  const msg = splitMessages(rec?.body ?? new Uint8Array(0)).msgs[0];
  const h = parseHello(msg?.body ?? new Uint8Array(0), true);
  const exts = h.extensions.filter((e) => e.type !== EXT.PRE_SHARED_KEY);
  exts.push({ type: EXT.EARLY_DATA, data: new Uint8Array(0) }, ...h.extensions.filter((e) => e.type === EXT.PRE_SHARED_KEY));
  return { link, hello: record(CT.HANDSHAKE, encodeHello({ ...h, extensions: exts }, true), 0x0301) };
}

const typesOf = (bytes: Uint8Array): string[] => toUnits(bytes).units.map((u) => (u.type === CT.HANDSHAKE ? `hs${u.content[0]}` : `ct${u.type}`));

describe('robustness: RFC 8446 conformance (tlsfuzzer cases)', function () {
  this.timeout(60000);

  describe('an empty alert record is unexpected_message, not decode_error (test-tls13-empty-alert)', () => {
    for (const padding of [0, 2, 30]) {
      it(`under the handshake keys, ${padding} bytes of padding`, async () => {
        const link = await serverAwaitingFinished();
        drain(link.serverOut);
        link.serverIn.write(nullSealRecord(CT.ALERT, new Uint8Array(0), padding));
        const r = await link.server.doHandshake();
        assertFailed(link.server, r, { reason: 'unexpected record', alert: AL.UNEXPECTED_MESSAGE, code: 'UNEXPECTED_RECORD', wrote: drain(link.serverOut) });
      });

      it(`under the application keys, ${padding} bytes of padding`, async () => {
        const link = await established({ crypto: 'null' });
        drain(link.serverOut);
        link.serverIn.write(nullSealRecord(CT.ALERT, new Uint8Array(0), padding));
        const r = await link.server.read(new Uint8Array(10));
        assertFailed(link.server, r, { reason: 'unexpected record', alert: AL.UNEXPECTED_MESSAGE, code: 'UNEXPECTED_RECORD', wrote: drain(link.serverOut) });
      });
    }

    it('a one-byte alert is still decode_error "invalid alert"', async () => {
      const link = await established({ crypto: 'null' });
      link.serverIn.write(sealed(CT.ALERT, new Uint8Array([2])));
      const r = await link.server.read(new Uint8Array(10));
      assertFailed(link.server, r, { reason: 'invalid alert', alert: AL.DECODE_ERROR, wrote: drain(link.serverOut) });
    });
  });

  describe('only one change_cipher_spec is tolerated (test-tls13-multiple-ccs-messages, CVE-2020-25648)', () => {
    it('server: two CCS records in one segment after the ClientHello', async () => {
      const link = await linkFor({ crypto: 'null' });
      await link.client.doHandshake();
      const ccs = record(CT.CCS, new Uint8Array([1]));
      link.serverIn.write(concat(drain(link.clientOut), ccs, ccs));
      const r = await link.server.doHandshake();
      assertFailed(link.server, r, { reason: 'unexpected ccs message', alert: AL.UNEXPECTED_MESSAGE, code: 'UNEXPECTED_CCS_MESSAGE' });
    });

    it('server: one CCS, then another one before the Finished', async () => {
      const link = await serverAwaitingFinished();
      link.serverIn.write(record(CT.CCS, new Uint8Array([1])));
      assert.equal(link.server.getError(await link.server.doHandshake()), SSL_ERROR_WANT_READ);
      drain(link.serverOut);
      link.serverIn.write(record(CT.CCS, new Uint8Array([1])));
      const r = await link.server.doHandshake();
      assertFailed(link.server, r, { reason: 'unexpected ccs message', alert: AL.UNEXPECTED_MESSAGE, wrote: drain(link.serverOut) });
    });

    it('client: a second CCS after the ServerHello', async () => {
      const link = await linkFor({ crypto: 'null' });
      await link.client.doHandshake();
      link.toServer();
      await link.server.doHandshake();
      const recs = parseRecords(drain(link.serverOut)).records.filter((r) => r.type !== CT.CCS);
      const ccs = record(CT.CCS, new Uint8Array([1]));
      const [sh, ...rest] = recs.map((r) => record(r.type, r.body, r.version));
      link.clientIn.write(concat(sh as Uint8Array, ccs, ccs, ...rest));
      const r = await link.client.doHandshake();
      assertFailed(link.client, r, { reason: 'unexpected ccs message', alert: AL.UNEXPECTED_MESSAGE, wrote: drain(link.clientOut) });
    });
  });

  describe('plaintext alerts once the handshake keys are set (RFC 8446 §5)', () => {
    /** A client that has processed the ServerHello (and its handshake keys) but nothing protected yet. */
    async function clientAfterServerHello(): Promise<Link> {
      const link = await linkFor({ crypto: 'null' });
      await link.client.doHandshake();
      link.toServer();
      await link.server.doHandshake();
      const sh = parseRecords(drain(link.serverOut)).records[0];
      assert.equal(sh?.type, CT.HANDSHAKE);
      link.clientIn.write(record(CT.HANDSHAKE, sh?.body ?? new Uint8Array(0)));
      assert.equal(link.client.getError(await link.client.doHandshake()), SSL_ERROR_WANT_READ);
      return link;
    }

    for (const [name, desc, level] of [
      ['close_notify', AL.CLOSE_NOTIFY, 1],
      ['handshake_failure', AL.HANDSHAKE_FAILURE, 2],
    ] as const) {
      it(`client: a plaintext ${name} after the ServerHello is unexpected_message, not a (clean) close`, async () => {
        const link = await clientAfterServerHello();
        link.clientIn.write(record(CT.ALERT, alertBody(desc, level)));
        const r = await link.client.doHandshake();
        assertFailed(link.client, r, { reason: 'unexpected record', alert: AL.UNEXPECTED_MESSAGE, wrote: drain(link.clientOut) });
        assert.equal(link.client.lastErrorDetail()?.receivedAlert ?? null, null);
      });
    }

    it('server: a plaintext alert as the client’s first answer is accepted (OpenSSL’s client sends one)', async () => {
      const link = await serverAwaitingFinished();
      link.serverIn.write(record(CT.ALERT, alertBody(AL.HANDSHAKE_FAILURE)));
      const r = await link.server.doHandshake();
      assert.equal(link.server.errorReason(), 'sslv3 alert handshake failure');
      assert.equal(link.server.lastErrorDetail()?.receivedAlert, AL.HANDSHAKE_FAILURE);
      assert.equal(r, -1);
    });

    it('server: a plaintext alert after a protected record from the client is unexpected_message', async () => {
      const link = await serverAwaitingFinished();
      drain(link.serverOut);
      link.serverIn.write(sealed(CT.ALERT, alertBody(AL.USER_CANCELED, 1)));
      assert.equal(link.server.getError(await link.server.doHandshake()), SSL_ERROR_WANT_READ);
      link.serverIn.write(record(CT.ALERT, alertBody(AL.HANDSHAKE_FAILURE)));
      const r = await link.server.doHandshake();
      assertFailed(link.server, r, { reason: 'unexpected record', alert: AL.UNEXPECTED_MESSAGE, wrote: drain(link.serverOut) });
    });
  });

  describe('KeyUpdate: one reply per update_requested (test-tls13-keyupdate)', () => {
    it('two requests read in one call: the first reply is written before the second is processed, the second with the next write', async () => {
      const link = await established({ crypto: 'null' });
      await link.client.read(new Uint8Array(1));
      drain(link.clientOut);
      const ku = frame(HT.KEY_UPDATE, new Uint8Array([1]));
      // A KeyUpdate ends its record (RFC 8446 §5.1: no handshake message spans a key change).
      link.clientIn.write(concat(sealed(CT.HANDSHAKE, ku), sealed(CT.HANDSHAKE, ku)));
      assert.equal(link.client.getError(await link.client.read(new Uint8Array(1))), SSL_ERROR_WANT_READ, `${link.client.errorReason()}`);
      assert.deepEqual(typesOf(drain(link.clientOut)), [`hs${HT.KEY_UPDATE}`]);
      assert.equal(await link.client.write(new Uint8Array([1])), 1);
      assert.deepEqual(typesOf(drain(link.clientOut)), [`hs${HT.KEY_UPDATE}`, 'ct23']);
    });
  });

  describe('rejected early data is skipped (RFC 8446 §4.2.10, test-tls13-0rtt-garbage)', () => {
    it('records that do not open under the handshake key are skipped; the first that opens ends the skipping', async () => {
      const { link, hello } = await helloWithEarlyData(false);
      link.serverIn.write(concat(hello, record(CT.CCS, new Uint8Array([1])), record(CT.APP, garbage(8209, 1)), record(CT.APP, garbage(8209, 2))));
      const r = await link.server.doHandshake();
      assert.equal(link.server.getError(r), SSL_ERROR_WANT_READ, `${link.server.errorReason()}`);
      const flight = drain(link.serverOut);
      assert.equal(splitMessages(parseRecords(flight).records[0]?.body ?? new Uint8Array(0)).msgs[0]?.type, HT.SERVER_HELLO);
      assert.ok(!typesOf(flight).includes(`ct${CT.ALERT}`));
      // A protected record (a user_canceled warning) opens: from now on a record that does not open is bad_record_mac.
      link.serverIn.write(sealed(CT.ALERT, alertBody(AL.USER_CANCELED, 1)));
      assert.equal(link.server.getError(await link.server.doHandshake()), SSL_ERROR_WANT_READ);
      link.serverIn.write(record(CT.APP, garbage(100, 3)));
      const r2 = await link.server.doHandshake();
      assertFailed(link.server, r2, { reason: 'decryption failed or bad record mac', alert: AL.BAD_RECORD_MAC, wrote: drain(link.serverOut) });
    });

    it(`more than 2^14 + 512 bytes of it: unexpected_message "too much early data"`, async () => {
      const { link, hello } = await helloWithEarlyData(false);
      const recs = [];
      for (let i = 0; i < 5; i++) recs.push(record(CT.APP, garbage(4000, 10 + i)));
      link.serverIn.write(concat(hello, ...recs));
      const r = await link.server.doHandshake();
      assertFailed(link.server, r, { reason: 'too much early data', alert: AL.UNEXPECTED_MESSAGE, code: 'TOO_MUCH_EARLY_DATA' });
    });

    it('without early_data in the ClientHello, an undecryptable record is bad_record_mac', async () => {
      const link = await serverAwaitingFinished();
      drain(link.serverOut);
      link.serverIn.write(record(CT.APP, garbage(100, 5)));
      const r = await link.server.doHandshake();
      assertFailed(link.server, r, { reason: 'decryption failed or bad record mac', alert: AL.BAD_RECORD_MAC, wrote: drain(link.serverOut) });
    });

    it('after a HelloRetryRequest: application-data records are skipped until the second ClientHello, not after', async () => {
      const { link, hello } = await helloWithEarlyData(true);
      link.serverIn.write(concat(hello, record(CT.APP, garbage(8209, 6)), record(CT.APP, garbage(8209, 7))));
      assert.equal(link.server.getError(await link.server.doHandshake()), SSL_ERROR_WANT_READ, `${link.server.errorReason()}`);
      const hrr = drain(link.serverOut);
      assert.ok(!typesOf(hrr).includes(`ct${CT.ALERT}`), 'no alert');
      // The client answers the HelloRetryRequest with its second ClientHello.
      link.clientIn.write(hrr);
      await link.client.doHandshake();
      link.toServer();
      assert.equal(link.server.getError(await link.server.doHandshake()), SSL_ERROR_WANT_READ, `${link.server.errorReason()}`);
      assert.equal(splitMessages(parseRecords(drain(link.serverOut)).records[0]?.body ?? new Uint8Array(0)).msgs[0]?.type, HT.SERVER_HELLO);
      link.serverIn.write(record(CT.APP, garbage(64, 8)));
      const r = await link.server.doHandshake();
      assertFailed(link.server, r, { reason: 'decryption failed or bad record mac', alert: AL.BAD_RECORD_MAC, wrote: drain(link.serverOut) });
    });

    it('after a HelloRetryRequest without early_data offered: application data is unexpected_message', async () => {
      const link = await linkFor({ crypto: 'null', hrr: true });
      await link.client.doHandshake();
      link.serverIn.write(concat(drain(link.clientOut), record(CT.APP, garbage(100, 9))));
      const r = await link.server.doHandshake();
      assertFailed(link.server, r, { reason: 'unexpected record', alert: AL.UNEXPECTED_MESSAGE });
      assert.deepEqual(alertsIn(drain(link.serverOut)).at(-1)?.desc, AL.UNEXPECTED_MESSAGE);
    });
  });
});
