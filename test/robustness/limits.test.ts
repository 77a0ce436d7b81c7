/**
 * Resource limits (engine/config.ts `Limits`, settable with `new SslContext({ limits })`), each pushed one past
 * its bound by a hostile peer: the record length (checked when the 5-byte header arrives, before any body is
 * buffered), the handshake message size, the total handshake bytes, runs of empty records / CCS / warning
 * alerts, KeyUpdate and NewSessionTicket floods, one HelloRetryRequest only, sequence-number exhaustion, and
 * the plaintext the engine holds for a slow reader. Peers are real memtls objects where the API can produce
 * the flood, and forged records (null provider) where it cannot.
 */
process.env.MEMTLS_INSECURE_TEST_CRYPTO = '1';

import { strict as assert } from 'node:assert';
import { SSL_ERROR_SSL, SSL_ERROR_WANT_READ, SslContext } from '@memtls/core';
import { nullSealRecord } from '@memtls/crypto-null';
import { AL, alertBody, CT, concat, frame, HT, parseHello, record, sealed, splitMessages, toUnits } from '@memtls/fast-check';
import { testPki } from '../util/pki.js';
import { alertsIn, assertFailed, drain, established, linkFor } from './helpers.js';

const MAX_PLAIN = 16384;
const MAX_CIPHER = 16384 + 256;

describe('robustness: limits', function () {
  this.timeout(120000);

  describe('record length (RFC 8446 §5.1, §5.2), checked at header time', () => {
    it('a protected record announcing 2^14+256+1 bytes: record_overflow on the header alone, body never read', async () => {
      const link = await established({ crypto: 'real' });
      drain(link.clientIn); // the tickets
      // Header only, plus 1000 body bytes that must stay unread in the BIO.
      link.clientIn.write(concat(new Uint8Array([CT.APP, 3, 3, (MAX_CIPHER + 1) >> 8, (MAX_CIPHER + 1) & 0xff]), new Uint8Array(1000)));
      const before = link.clientOut.total;
      const r = await link.client.read(new Uint8Array(100));
      assertFailed(link.client, r, { reason: 'encrypted length too long', alert: AL.RECORD_OVERFLOW, code: 'ENCRYPTED_LENGTH_TOO_LONG' });
      assert.equal(link.clientIn.pending(), 1000, 'the body was not buffered');
      assert.ok(link.clientOut.total > before, 'an alert record was written');
    });

    it('exactly 2^14+256 is accepted at header time (WANT_READ for the body)', async () => {
      const link = await established({ crypto: 'real' });
      drain(link.clientIn);
      link.clientIn.write(new Uint8Array([CT.APP, 3, 3, MAX_CIPHER >> 8, MAX_CIPHER & 0xff]));
      const r = await link.client.read(new Uint8Array(100));
      assert.equal(link.client.getError(r), SSL_ERROR_WANT_READ);
    });

    it('a plaintext record over 2^14 before keys: record_overflow ("packet length too long") on the header alone', async () => {
      const link = await linkFor({ crypto: 'real' });
      link.serverIn.write(new Uint8Array([CT.HANDSHAKE, 3, 1, (MAX_PLAIN + 1) >> 8, (MAX_PLAIN + 1) & 0xff]));
      const r = await link.server.doHandshake();
      assertFailed(link.server, r, { reason: 'packet length too long', alert: AL.RECORD_OVERFLOW, wrote: drain(link.serverOut) });
    });

    it('decrypted content over 2^14 (valid tag): record_overflow "data length too long"', async () => {
      const link = await established({ crypto: 'null' });
      drain(link.clientIn);
      // 2^14 bytes of content and the type byte: TLSInnerPlaintext of exactly 2^14 + 1, the largest allowed.
      link.clientIn.write(nullSealRecord(CT.APP, new Uint8Array(MAX_PLAIN).fill(7)));
      const buf = new Uint8Array(MAX_PLAIN);
      assert.equal(await link.client.read(buf), MAX_PLAIN);
      link.clientIn.write(sealed(CT.APP, new Uint8Array(MAX_PLAIN + 1)));
      const r = await link.client.read(buf);
      assertFailed(link.client, r, { reason: 'data length too long', alert: AL.RECORD_OVERFLOW, wrote: drain(link.clientOut) });
    });

    // RFC 8446 §5.2: "The full encoded TLSInnerPlaintext MUST NOT exceed 2^14 + 1 octets": padding counts
    // (tlsfuzzer test-tls13-record-padding).
    for (const [content, padding] of [
      [MAX_PLAIN, 1],
      [MAX_PLAIN, 200],
      [MAX_PLAIN - 100, 101],
      [0, MAX_PLAIN + 1],
    ] as const) {
      it(`${content} bytes of content + ${padding} bytes of padding (TLSInnerPlaintext over 2^14 + 1): record_overflow`, async () => {
        const link = await established({ crypto: 'null' });
        drain(link.clientIn);
        link.clientIn.write(nullSealRecord(CT.APP, new Uint8Array(content).fill(7), padding));
        const r = await link.client.read(new Uint8Array(MAX_PLAIN));
        assertFailed(link.client, r, { reason: 'data length too long', alert: AL.RECORD_OVERFLOW, wrote: drain(link.clientOut) });
      });
    }

    it('padding up to the limit is accepted: 2^14 - 100 bytes of content + 100 bytes of padding', async () => {
      const link = await established({ crypto: 'null' });
      drain(link.clientIn);
      link.clientIn.write(nullSealRecord(CT.APP, new Uint8Array(MAX_PLAIN - 100).fill(7), 100));
      assert.equal(await link.client.read(new Uint8Array(MAX_PLAIN)), MAX_PLAIN - 100);
    });
  });

  describe('handshake message size (maxHandshakeMessage, default 102400)', () => {
    it('a ClientHello header announcing 102401 bytes: illegal_parameter "excessive message size" at once', async () => {
      const link = await linkFor({ crypto: 'real' });
      link.serverIn.write(record(CT.HANDSHAKE, new Uint8Array([HT.CLIENT_HELLO, 0x01, 0x90, 0x01]), 0x0301));
      const r = await link.server.doHandshake();
      assertFailed(link.server, r, { reason: 'excessive message size', alert: AL.ILLEGAL_PARAMETER, code: 'EXCESSIVE_MESSAGE_SIZE', wrote: drain(link.serverOut) });
    });

    it('exactly at the limit: the header is accepted and the engine waits for the body', async () => {
      const link = await linkFor({ crypto: 'real' });
      link.serverIn.write(record(CT.HANDSHAKE, new Uint8Array([HT.CLIENT_HELLO, 0x01, 0x90, 0x00]), 0x0301));
      const r = await link.server.doHandshake();
      assert.equal(link.server.getError(r), SSL_ERROR_WANT_READ, `${link.server.errorReason()}`);
    });

    it('limits.maxHandshakeMessage = 300: the server Certificate is refused by the client', async () => {
      const link = await linkFor({ crypto: 'real', clientLimits: { maxHandshakeMessage: 300 } });
      assert.equal(link.client.getError(await link.client.doHandshake()), SSL_ERROR_WANT_READ);
      link.toServer();
      await link.server.doHandshake();
      link.toClient();
      const r = await link.client.doHandshake();
      assertFailed(link.client, r, { reason: 'excessive message size', alert: AL.ILLEGAL_PARAMETER, code: 'EXCESSIVE_MESSAGE_SIZE' });
    });

    it('a post-handshake message is bounded too: NewSessionTicket announcing 102401 bytes', async () => {
      const link = await established({ crypto: 'null' });
      drain(link.clientIn);
      link.clientIn.write(sealed(CT.HANDSHAKE, new Uint8Array([HT.NEW_SESSION_TICKET, 0x01, 0x90, 0x01])));
      const r = await link.client.read(new Uint8Array(10));
      assertFailed(link.client, r, { reason: 'excessive message size', alert: AL.ILLEGAL_PARAMETER, wrote: drain(link.clientOut) });
    });
  });

  describe('total handshake bytes (maxHandshakeBytes, default 262144)', () => {
    it('limits.maxHandshakeBytes = 600: the server flight is refused part-way', async () => {
      const link = await linkFor({ crypto: 'real', clientLimits: { maxHandshakeBytes: 600 } });
      await link.client.doHandshake();
      link.toServer();
      await link.server.doHandshake();
      link.toClient();
      const r = await link.client.doHandshake();
      assertFailed(link.client, r, { reason: 'excessive message size', alert: AL.ILLEGAL_PARAMETER, code: 'HANDSHAKE_TOO_LARGE' });
    });

    it('a trickled ClientHello: 1-byte handshake records count towards the limit, each byte once', async () => {
      const link = await linkFor({ crypto: 'real', serverLimits: { maxHandshakeBytes: 2000 } });
      // A ClientHello announcing 3000 bytes, sent one byte per record: refused once 2000 bytes arrived.
      const msg = concat(new Uint8Array([HT.CLIENT_HELLO, 0, 0x0b, 0xb8]), new Uint8Array(3000));
      let r = -1;
      let sent = 0;
      for (; sent < msg.length; sent++) {
        link.serverIn.write(record(CT.HANDSHAKE, msg.subarray(sent, sent + 1)));
        r = await link.server.doHandshake();
        if (link.server.getError(r) !== SSL_ERROR_WANT_READ) break;
      }
      assert.equal(sent, 2000, 'refused at byte 2001');
      assertFailed(link.server, r, { reason: 'excessive message size', alert: AL.ILLEGAL_PARAMETER, code: 'HANDSHAKE_TOO_LARGE' });
    });
  });

  describe('runs of records that carry nothing (maxEmptyRecords, default 32)', () => {
    const run = async (what: string, one: () => Uint8Array, limit?: number): Promise<void> => {
      const link = await established({ crypto: 'null', ...(limit ? { clientLimits: { maxEmptyRecords: limit } } : {}) });
      const n = limit ?? 32;
      assert.ok((await link.client.read(new Uint8Array(1))) < 0); // process the tickets
      for (let i = 0; i < n; i++) link.clientIn.write(one());
      let r = await link.client.read(new Uint8Array(10));
      assert.equal(link.client.getError(r), SSL_ERROR_WANT_READ, `${what} #${n} must still be tolerated: ${link.client.errorReason()}`);
      link.clientIn.write(one());
      r = await link.client.read(new Uint8Array(10));
      assertFailed(link.client, r, { reason: 'record too small', alert: AL.UNEXPECTED_MESSAGE, code: 'TOO_MANY_EMPTY_RECORDS', wrote: drain(link.clientOut) });
    };

    it('33 empty application-data records', () => run('empty record', () => sealed(CT.APP, new Uint8Array(0))));
    it('33 warning user_canceled alerts', () => run('user_canceled', () => sealed(CT.ALERT, alertBody(AL.USER_CANCELED, 1))));
    it('a mix, with limits.maxEmptyRecords = 5', () => {
      let i = 0;
      return run('mixed', () => (i++ % 2 ? sealed(CT.APP, new Uint8Array(0)) : sealed(CT.ALERT, alertBody(AL.USER_CANCELED, 1))), 5);
    });

    it('application data resets the run: 32 empty, 1 byte, 32 empty is fine', async () => {
      const link = await established({ crypto: 'null' });
      await link.client.read(new Uint8Array(1));
      for (let i = 0; i < 32; i++) link.clientIn.write(sealed(CT.APP, new Uint8Array(0)));
      link.clientIn.write(sealed(CT.APP, new Uint8Array([42])));
      for (let i = 0; i < 32; i++) link.clientIn.write(sealed(CT.APP, new Uint8Array(0)));
      const buf = new Uint8Array(10);
      assert.equal(await link.client.read(buf), 1);
      assert.equal(link.client.getError(await link.client.read(buf)), SSL_ERROR_WANT_READ);
    });

    it('one change_cipher_spec record is dropped; a second one is unexpected_message (server)', async () => {
      const link = await linkFor({ crypto: 'real' });
      await link.client.doHandshake();
      link.toServer(); // ClientHello: one CCS is tolerated from now until the client's Finished
      link.serverIn.write(record(CT.CCS, new Uint8Array([1])));
      let r = await link.server.doHandshake();
      assert.equal(link.server.getError(r), SSL_ERROR_WANT_READ, `${link.server.errorReason()}`);
      drain(link.serverOut);
      link.serverIn.write(record(CT.CCS, new Uint8Array([1])));
      r = await link.server.doHandshake();
      assertFailed(link.server, r, { reason: 'unexpected ccs message', alert: AL.UNEXPECTED_MESSAGE, code: 'UNEXPECTED_CCS_MESSAGE' });
    });

    it('an empty handshake record is refused outright (unexpected_message)', async () => {
      const link = await linkFor({ crypto: 'real' });
      link.serverIn.write(record(CT.HANDSHAKE, new Uint8Array(0)));
      const r = await link.server.doHandshake();
      assertFailed(link.server, r, { reason: 'unexpected record', alert: AL.UNEXPECTED_MESSAGE, wrote: drain(link.serverOut) });
    });

    it('a warning alert other than user_canceled / close_notify is fatal (RFC 8446 §6.2)', async () => {
      const link = await established({ crypto: 'null' });
      await link.client.read(new Uint8Array(1));
      link.clientIn.write(sealed(CT.ALERT, alertBody(AL.HANDSHAKE_FAILURE, 1)));
      const r = await link.client.read(new Uint8Array(1));
      assert.equal(r, 0);
      assert.equal(link.client.errorReason(), 'sslv3 alert handshake failure');
      assert.equal(link.client.lastErrorDetail()?.receivedAlert, AL.HANDSHAKE_FAILURE);
      assert.equal(alertsIn(drain(link.clientOut)).length, 0, 'no alert in reply to an alert');
    });
  });

  describe('KeyUpdate flood (maxKeyUpdates, default 32)', () => {
    for (const victim of ['client', 'server'] as const) {
      it(`${victim} victim: 33 KeyUpdates without data from a real peer (keyUpdate + doHandshake)`, async () => {
        const link = await established({ crypto: 'real' });
        const peer = victim === 'client' ? link.server : link.client;
        const ssl = victim === 'client' ? link.client : link.server;
        const buf = new Uint8Array(10);
        const deliver = (): number => (victim === 'client' ? link.toClient() : link.toServer());
        const peerOut = victim === 'client' ? link.serverOut : link.clientOut;
        const before = peerOut.total;
        // doHandshake sends a scheduled KeyUpdate (write(empty) should too, but does not: engine-bugs.pending.ts).
        for (let i = 0; i < 32; i++) {
          assert.equal(peer.keyUpdate(false), 1, `keyUpdate ${i}: ${peer.errorReason()}`);
          assert.equal(await peer.doHandshake(), 1);
        }
        assert.equal(peerOut.total - before, 32 * 27, 'the peer sent 32 KeyUpdate records');
        deliver();
        let r = await ssl.read(buf);
        assert.equal(ssl.getError(r), SSL_ERROR_WANT_READ, `32 KeyUpdates are fine: ${ssl.errorReason()}`);
        peer.keyUpdate(false);
        await peer.doHandshake();
        deliver();
        r = await ssl.read(buf);
        assertFailed(ssl, r, { reason: 'too many key updates', alert: AL.UNEXPECTED_MESSAGE, code: 'TOO_MANY_KEY_UPDATES' });
      });
    }

    it('keyUpdate + write(empty) sends the KeyUpdate at once, as SSL_write(ssl, buf, 0) (regression: bug 1)', async () => {
      const link = await established({ crypto: 'real' });
      drain(link.serverOut);
      for (let i = 0; i < 3; i++) {
        assert.equal(link.server.keyUpdate(false), 1, `keyUpdate ${i}: ${link.server.errorReason()}`);
        assert.equal(await link.server.write(new Uint8Array(0)), 0);
        assert.equal(link.serverOut.pending(), 27 * (i + 1), 'one KeyUpdate record in the write BIO per call');
      }
      assert.equal(link.server.newSessionTicket(), 1);
      assert.equal(await link.server.write(new Uint8Array(0)), 0);
      assert.ok(link.serverOut.pending() > 27 * 3, 'the ticket too');
    });

    it('application data in between resets the count (100 KeyUpdates, each followed by data)', async () => {
      const link = await established({ crypto: 'real' });
      const buf = new Uint8Array(10);
      for (let i = 0; i < 100; i++) {
        link.server.keyUpdate(false);
        assert.equal(await link.server.write(new Uint8Array([i])), 1);
      }
      link.toClient();
      for (let i = 0; i < 100; i++) {
        assert.equal(await link.client.read(buf), 1, `record ${i}: ${link.client.errorReason()}`);
        assert.equal(buf[0], i);
      }
    });

    it('32 KeyUpdates asking for an update back: 32 replies, as OpenSSL (each written before the next message)', async () => {
      const link = await established({ crypto: 'null' });
      await link.client.read(new Uint8Array(1));
      for (let i = 0; i < 32; i++) link.clientIn.write(sealed(CT.HANDSHAKE, frame(HT.KEY_UPDATE, new Uint8Array([1]))));
      assert.equal(link.client.getError(await link.client.read(new Uint8Array(1))), SSL_ERROR_WANT_READ);
      assert.equal(await link.client.write(new Uint8Array([1])), 1);
      const types = toUnits(drain(link.clientOut)).units.map((u) => (u.type === CT.HANDSHAKE ? `hs${u.content[0]}` : `ct${u.type}`));
      // A reply owed from one message goes out before the next post-handshake message is processed, or with the
      // next write (test/oracle keyupdate-reply-in-read): 31 replies in the read, 1 with the write.
      assert.equal(types.at(-1), 'ct23');
      const replies = types.filter((t) => t === `hs${HT.KEY_UPDATE}`).length;
      assert.equal(replies, 32, `${replies} KeyUpdate replies to 32 requests`);
      assert.equal(types.length, replies + 1);
    });
  });

  describe('NewSessionTicket flood (maxTickets, default 32)', () => {
    it('the 33rd ticket without data in between: unexpected_message "too many session tickets"', async () => {
      const link = await established({ crypto: 'real' }); // 2 tickets already sent (numTickets default 2)
      const buf = new Uint8Array(10);
      for (let i = 0; i < 30; i++) assert.equal(link.server.newSessionTicket(), 1);
      assert.equal(await link.server.doHandshake(), 1); // sends the 30 tickets
      link.toClient();
      let r = await link.client.read(buf);
      assert.equal(link.client.getError(r), SSL_ERROR_WANT_READ, `32 tickets are fine: ${link.client.errorReason()}`);
      assert.notEqual(link.client.getSession(), null);
      assert.equal(link.server.newSessionTicket(), 1);
      assert.equal(await link.server.doHandshake(), 1);
      link.toClient();
      r = await link.client.read(buf);
      assertFailed(link.client, r, { reason: 'too many session tickets', alert: AL.UNEXPECTED_MESSAGE, code: 'TOO_MANY_TICKETS' });
    });
  });

  describe('HelloRetryRequest only once (RFC 8446 §4.1.4)', () => {
    it('client: a second HelloRetryRequest is unexpected_message', async () => {
      const link = await linkFor({ crypto: 'real', hrr: true });
      await link.client.doHandshake();
      link.toServer();
      await link.server.doHandshake();
      const hrr = drain(link.serverOut);
      const { msgs } = splitMessages(toUnits(hrr).units.filter((u) => u.type === CT.HANDSHAKE)[0]?.content ?? new Uint8Array(0));
      assert.equal(msgs[0]?.type, HT.SERVER_HELLO, 'the server answered with a HelloRetryRequest');
      link.clientIn.write(hrr);
      assert.equal(link.client.getError(await link.client.doHandshake()), SSL_ERROR_WANT_READ);
      drain(link.clientOut); // the second ClientHello
      link.clientIn.write(hrr);
      const r = await link.client.doHandshake();
      assertFailed(link.client, r, { reason: 'too many hello retry requests', alert: AL.UNEXPECTED_MESSAGE, wrote: drain(link.clientOut) });
    });

    it('server: a second ClientHello that still lacks the share gets illegal_parameter, never a second HelloRetryRequest', async () => {
      const link = await linkFor({ crypto: 'real', hrr: true });
      await link.client.doHandshake();
      const ch1 = drain(link.clientOut);
      link.serverIn.write(ch1);
      await link.server.doHandshake();
      drain(link.serverOut);
      link.serverIn.write(ch1);
      const r = await link.server.doHandshake();
      const out = drain(link.serverOut);
      assert.ok(!toUnits(out).units.some((u) => u.type === CT.HANDSHAKE), 'no handshake message in reply');
      // Refused for the missing cookie first (RFC 8446 §4.2.2) or for the share (§4.1.2): illegal_parameter either way.
      assert.ok(['bad extension', 'bad key share'].includes(link.server.errorReason() ?? ''), `${link.server.errorReason()}`);
      assertFailed(link.server, r, { reason: link.server.errorReason() ?? '', alert: AL.ILLEGAL_PARAMETER, wrote: out });
    });
  });

  describe('sequence-number exhaustion (seqLimit)', () => {
    it('limits.seqLimit = 8: the 9th record under one key is refused; a KeyUpdate (sent as record 8) starts a new key', async () => {
      const link = await established({ crypto: 'null', clientLimits: { seqLimit: 8 } });
      const one = new Uint8Array([1]);
      for (let i = 0; i < 7; i++) assert.equal(await link.client.write(one), 1, `write ${i}: ${link.client.errorReason()}`);
      assert.equal(link.client.keyUpdate(false), 1);
      for (let i = 0; i < 8; i++) assert.equal(await link.client.write(one), 1, `after KeyUpdate, write ${i}: ${link.client.errorReason()}`);
      link.toServer();
      const buf = new Uint8Array(100);
      let got = 0;
      while (got < 15) {
        const r = await link.server.read(buf);
        assert.ok(r > 0, `server read: ${link.server.errorReason()}`);
        got += r;
      }
      const r = await link.client.write(one);
      assert.equal(r, -1);
      assert.equal(link.client.getError(r), SSL_ERROR_SSL);
      assert.equal(link.client.errorReason(), 'sequence number exhausted');
      assert.equal(link.client.lastErrorDetail()?.reason, 'SEQUENCE_NUMBER_EXHAUSTED');
      // Regression (bug 2): the internal_error alert it names is written too (the last number is kept for it).
      assert.equal(link.client.lastErrorDetail()?.alert, AL.INTERNAL_ERROR);
      assert.deepEqual(alertsIn(drain(link.clientOut)).at(-1), { level: 2, desc: AL.INTERNAL_ERROR, sealed: true });
    });

    it('the receiving side: a peer writing past the reader limit gets internal_error', async () => {
      const link = await established({ crypto: 'null', clientLimits: { seqLimit: 8 } });
      drain(link.clientIn); // tickets would use read sequence numbers too
      for (let i = 0; i < 9; i++) link.clientIn.write(sealed(CT.APP, new Uint8Array([i])));
      const buf = new Uint8Array(1);
      for (let i = 0; i < 8; i++) assert.equal(await link.client.read(buf), 1);
      const r = await link.client.read(buf);
      assertFailed(link.client, r, { reason: 'sequence number exhausted', alert: AL.INTERNAL_ERROR, wrote: drain(link.clientOut) });
    });
  });

  describe('buffered plaintext', () => {
    it('a peer sends 1 MiB, the application reads 1 byte at a time: at most one record of plaintext is held', async () => {
      const link = await established({ crypto: 'real' });
      const total = 1 << 20;
      const data = new Uint8Array(total);
      for (let i = 0; i < total; i++) data[i] = (i * 7) & 0xff;
      assert.equal(await link.server.write(data), total);
      link.toClient();
      const inBio = link.clientIn.pending();
      const buf = new Uint8Array(1);
      let got = 0;
      let maxPending = 0;
      let bad = 0;
      while (got < total) {
        const r = await link.client.read(buf);
        if (r !== 1) {
          assert.equal(link.client.getError(r), SSL_ERROR_WANT_READ, `${link.client.errorReason()}`);
          assert.ok(got > 0 || link.clientIn.pending() < inBio);
          continue;
        }
        if (buf[0] !== ((got * 7) & 0xff)) bad++;
        got++;
        const p = link.client.pending();
        if (p > maxPending) maxPending = p;
        if (p > MAX_PLAIN) assert.fail(`pending() = ${p} after ${got} bytes`);
        // The engine reads one record at a time: the rest of the megabyte stays in the BIO, not in the engine.
        if (got === 1) assert.ok(link.clientIn.pending() > total - 2 * MAX_PLAIN, 'records are not decrypted ahead of the reader');
      }
      assert.equal(bad, 0);
      assert.ok(maxPending <= MAX_PLAIN && maxPending >= MAX_PLAIN - 1, `max pending ${maxPending}`);
    });
  });

  describe('configuration', () => {
    it('limits are validated: unknown names and values below 1 are refused', () => {
      const pki = testPki();
      assert.throws(() => new SslContext({ role: 'client', verifyPeer: false, limits: { seqLimit: 0 } }), RangeError);
      assert.throws(() => new SslContext({ role: 'client', verifyPeer: false, limits: { nope: 1 } as never }), RangeError);
      assert.ok(new SslContext({ role: 'server', cert: pki.leaves['ec-p256'].cert, key: pki.leaves['ec-p256'].key, limits: { maxTickets: 1 } }));
    });

    it('the ClientHello is a valid hello this harness can take apart (sanity check of test/fuzz/wire.ts)', async () => {
      const link = await linkFor({ crypto: 'real' });
      await link.client.doHandshake();
      const u = toUnits(drain(link.clientOut)).units[0];
      const m = splitMessages(u?.content ?? new Uint8Array(0)).msgs[0];
      assert.equal(m?.type, HT.CLIENT_HELLO);
      const h = parseHello(m?.body ?? new Uint8Array(0), true);
      assert.equal(h.legacyVersion, 0x0303);
      assert.ok(h.extensions.length >= 5);
    });
  });
});
