/**
 * SSL_shutdown as OpenSSL 3 does it: one test per rule of reference/openssl3-shutdown.md (TLS 1.3), named
 * after the rule. Each test checks return values, getError codes, SENT/RECEIVED flags and wire bytes.
 */
import { strict as assert } from 'node:assert';
import {
  SSL_ERROR_SSL,
  SSL_ERROR_SYSCALL,
  SSL_ERROR_WANT_READ,
  SSL_ERROR_WANT_WRITE,
  SSL_ERROR_ZERO_RETURN,
  SSL_MODE_AUTO_RETRY,
  SSL_OP_IGNORE_UNEXPECTED_EOF,
  SSL_OP_NO_TICKET,
  SSL_RECEIVED_SHUTDOWN,
  SSL_SENT_SHUTDOWN,
  type Ssl,
} from '@memtls/core';
import { Link } from '../util/link.js';
import { contexts, handshake, pair } from '../util/pair.js';

const SENT = SSL_SENT_SHUTDOWN;
const RECEIVED = SSL_RECEIVED_SHUTDOWN;
const CLOSE_NOTIFY_13 = 24;
const enc = (s: string) => new TextEncoder().encode(s);
const buf = () => new Uint8Array(1024);

async function established(client: Partial<Parameters<typeof contexts>[0]> = {}, server: Partial<Parameters<typeof contexts>[1]> = {}): Promise<Link> {
  const { cctx, sctx } = contexts(client, server);
  const l = new Link(cctx, sctx);
  await l.handshake();
  // Let the client take the server's tickets now, so later reads see only what each test sends.
  assert.equal(await l.client.read(buf()), -1);
  assert.equal(l.client.getError(-1), SSL_ERROR_WANT_READ);
  return l;
}

function expectErr(ssl: Ssl, ret: number, want: number, reason?: string): void {
  assert.equal(ssl.getError(ret), want, `getError(${ret}) (reason: ${ssl.errorReason()})`);
  if (reason !== undefined) assert.equal(ssl.errorReason(), reason);
}

describe('SSL_shutdown rules (OpenSSL 3.0, TLS 1.3)', () => {
  it('rule 1: the first shutdown sets SENT, writes close_notify and returns 0; 1 if RECEIVED was set', async () => {
    const l = await established();
    const before = l.clientWrote;
    assert.equal(await l.client.shutdown(), 0);
    assert.equal(l.client.getShutdown(), SENT);
    assert.equal(l.clientWrote - before, CLOSE_NOTIFY_13);
    l.toServer();
    assert.equal(await l.server.read(buf()), 0);
    expectErr(l.server, 0, SSL_ERROR_ZERO_RETURN);
    assert.equal(l.server.getShutdown(), RECEIVED);
    assert.equal(await l.server.shutdown(), 1);
    assert.equal(l.server.getShutdown(), SENT | RECEIVED);
  });

  it('rule 1: -1/WANT_WRITE when the transport cannot take the whole alert, SENT already set', async () => {
    const { cctx, sctx } = contexts();
    const p = pair(cctx, sctx, { serverName: 'localhost' }, 30, 17 * 1024);
    await handshake(p);
    assert.equal(await p.client.write(enc('x')), 1); // a 23-byte record: 7 bytes of room left
    const r = await p.client.shutdown();
    assert.equal(r, -1);
    expectErr(p.client, r, SSL_ERROR_WANT_WRITE);
    assert.equal(p.client.getShutdown(), SENT);
  });

  it('rule 2: getError on a 0 from shutdown is SSL_ERROR_SYSCALL', async () => {
    const l = await established();
    const r = await l.client.shutdown();
    assert.equal(r, 0);
    expectErr(l.client, r, SSL_ERROR_SYSCALL);
  });

  it('rule 3: later calls read (WANT_READ on nothing or half a record), then 1 forever; no second alert', async () => {
    const l = await established();
    assert.equal(await l.client.shutdown(), 0);
    const sent = l.clientWrote;
    let r = await l.client.shutdown();
    assert.equal(r, -1);
    expectErr(l.client, r, SSL_ERROR_WANT_READ);
    l.toServer();
    assert.equal(await l.server.read(buf()), 0);
    assert.equal(await l.server.shutdown(), 1);
    l.toClient(10); // half of the server's close_notify
    r = await l.client.shutdown();
    assert.equal(r, -1);
    expectErr(l.client, r, SSL_ERROR_WANT_READ);
    l.toClient();
    assert.equal(await l.client.shutdown(), 1);
    assert.equal(await l.client.shutdown(), 1);
    assert.equal(l.clientWrote, sent, 'no second close_notify');
  });

  it('rule 3: a partly written close_notify is retried first, then 0', async () => {
    const { cctx, sctx } = contexts();
    const p = pair(cctx, sctx, { serverName: 'localhost' }, 30, 17 * 1024);
    await handshake(p);
    assert.equal(await p.client.write(enc('x')), 1);
    assert.equal(await p.client.shutdown(), -1);
    assert.equal(await p.server.read(buf()), 1); // drains the pair
    assert.equal(await p.client.shutdown(), 0);
  });

  it('rule 4: shutdown only reads when SENT was set on entry (a buffered close_notify gives 0, not 1)', async () => {
    const l = await established();
    assert.equal(await l.server.shutdown(), 0);
    l.toClient();
    assert.equal(await l.client.shutdown(), 0);
    assert.equal(l.client.getShutdown(), SENT);
    assert.equal(await l.client.shutdown(), 1);
    assert.equal(l.client.getShutdown(), SENT | RECEIVED);
  });

  it('rule 5: application data reaching the second shutdown is fatal, no alert, data discarded', async () => {
    const l = await established();
    assert.equal(await l.server.write(enc('late data')), 9);
    l.toClient();
    assert.equal(await l.client.shutdown(), 0);
    const sent = l.clientWrote;
    const r = await l.client.shutdown();
    assert.equal(r, -1);
    expectErr(l.client, r, SSL_ERROR_SSL, 'application data after close notify');
    assert.equal(l.clientWrote, sent, 'no alert');
    assert.equal(l.client.pending(), 0);
    const r2 = await l.client.read(buf());
    assert.equal(r2, -1);
    expectErr(l.client, r2, SSL_ERROR_SYSCALL);
  });

  it('rule 5: a half-consumed record (pending > 0) reaching shutdown is fatal too', async () => {
    const l = await established();
    assert.equal(await l.server.write(enc('0123456789')), 10);
    l.toClient();
    assert.equal(await l.client.read(new Uint8Array(5)), 5);
    assert.equal(l.client.pending(), 5);
    assert.equal(await l.client.shutdown(), 0);
    const r = await l.client.shutdown();
    assert.equal(r, -1);
    expectErr(l.client, r, SSL_ERROR_SSL, 'application data after close notify');
  });

  it('rule 5 / man page: SSL_read between the shutdown calls collects the data, then shutdown returns 1', async () => {
    const l = await established();
    assert.equal(await l.client.shutdown(), 0);
    l.toServer();
    assert.equal(await l.server.write(enc('reply')), 5);
    const b = buf();
    assert.equal(await l.server.read(b), 0);
    assert.equal(await l.server.shutdown(), 1);
    l.toClient();
    assert.equal(await l.client.read(b), 5);
    assert.equal(new TextDecoder().decode(b.subarray(0, 5)), 'reply');
    const r = await l.client.read(b);
    assert.equal(r, 0);
    expectErr(l.client, r, SSL_ERROR_ZERO_RETURN);
    assert.equal(await l.client.shutdown(), 1);
  });

  it('rule 6: after SENT, NewSessionTicket and KeyUpdate are processed; a requested update is not answered', async () => {
    const l = await established();
    assert.equal(await l.client.shutdown(), 0);
    const sent = l.clientWrote;
    assert.equal(l.server.keyUpdate(true), 1);
    assert.equal(l.server.newSessionTicket(), 0, 'not while a KeyUpdate is scheduled (as OpenSSL)');
    assert.equal(await l.server.doHandshake(), 1); // sends the KeyUpdate
    assert.equal(l.server.newSessionTicket(), 1);
    assert.equal(await l.server.doHandshake(), 1); // sends the ticket
    assert.equal(await l.server.shutdown(), 0);
    l.toClient();
    assert.equal(await l.client.shutdown(), 1, String(l.client.errorReason()));
    assert.equal(l.clientWrote, sent, 'no KeyUpdate reply after close_notify');
    assert.ok(l.client.getSession(), 'the ticket was processed');
  });

  it('rule 7: RECEIVED comes from close_notify (read or peek); then read returns 0 forever and leaves the BIO alone', async () => {
    const l = await established();
    assert.equal(await l.server.write(enc('A')), 1);
    assert.equal(await l.server.shutdown(), 0);
    l.toClient();
    l.clientIn.write(enc('bytes behind the close_notify'));
    const behind = l.clientIn.pending() - CLOSE_NOTIFY_13 - 23; // a 1-byte record is 23 bytes
    const b = buf();
    assert.equal(await l.client.peek(b), 1);
    assert.equal(await l.client.read(b), 1);
    assert.equal(l.client.getShutdown(), 0);
    assert.equal(await l.client.peek(b), 0);
    assert.equal(l.client.getShutdown(), RECEIVED);
    for (let i = 0; i < 3; i++) {
      const r = await l.client.read(b);
      assert.equal(r, 0);
      expectErr(l.client, r, SSL_ERROR_ZERO_RETURN);
    }
    assert.equal(l.clientIn.pending(), behind, 'records behind the close_notify are never read');
  });

  it('rule 8: half-close: RECEIVED side may write, SENT side may read; write after SENT fails, write(0) too', async () => {
    const l = await established();
    assert.equal(await l.client.shutdown(), 0);
    l.toServer();
    const b = buf();
    assert.equal(await l.server.read(b), 0);
    assert.equal(await l.server.write(enc('still writing')), 13);
    l.toClient();
    assert.equal(await l.client.read(b), 13);
    for (const data of [enc('x'), new Uint8Array(0)]) {
      const r = await l.client.write(data);
      assert.equal(r, -1);
      expectErr(l.client, r, SSL_ERROR_SSL, 'protocol is shutdown');
    }
    // not fatal: reading still works
    const r = await l.client.read(b);
    assert.equal(r, -1);
    expectErr(l.client, r, SSL_ERROR_WANT_READ);
  });

  it('rule 9: shutdown while a write is pending: WANT_WRITE with SENT, then "bad write retry"; write retry is refused', async () => {
    const { cctx, sctx } = contexts();
    const p = pair(cctx, sctx, { serverName: 'localhost' }, 100, 17 * 1024);
    await handshake(p);
    const data = new Uint8Array(1000);
    const w = await p.client.write(data);
    assert.equal(w, -1);
    expectErr(p.client, w, SSL_ERROR_WANT_WRITE);
    let r = await p.client.shutdown();
    assert.equal(r, -1);
    expectErr(p.client, r, SSL_ERROR_WANT_WRITE);
    assert.equal(p.client.getShutdown(), SENT);
    const retry = await p.client.write(data);
    assert.equal(retry, -1);
    expectErr(p.client, retry, SSL_ERROR_SSL, 'protocol is shutdown');
    r = await p.client.shutdown();
    assert.equal(r, -1);
    expectErr(p.client, r, SSL_ERROR_SSL, 'bad write retry');
  });

  it('rule 10: "shutdown while in init" before and during the handshake and with KeyUpdate or ticket pending; not fatal', async () => {
    const { cctx, sctx } = contexts({ quietShutdown: true });
    const l = new Link(cctx, sctx);
    let r = await l.client.shutdown();
    assert.equal(r, -1);
    expectErr(l.client, r, SSL_ERROR_SSL, 'shutdown while in init');
    assert.equal(l.client.getShutdown(), 0, 'quiet shutdown does not bypass the guard');
    assert.equal(await l.client.doHandshake(), -1);
    r = await l.client.shutdown();
    expectErr(l.client, r, SSL_ERROR_SSL, 'shutdown while in init');
    await l.handshake();
    const l2 = await established();
    assert.equal(l2.client.keyUpdate(false), 1);
    r = await l2.client.shutdown();
    expectErr(l2.client, r, SSL_ERROR_SSL, 'shutdown while in init');
    assert.equal(await l2.client.doHandshake(), 1);
    assert.equal(await l2.client.shutdown(), 0);
    assert.equal(l2.server.newSessionTicket(), 1);
    r = await l2.server.shutdown();
    expectErr(l2.server, r, SSL_ERROR_SSL, 'shutdown while in init');
    assert.equal(l2.server.getShutdown(), 0);
  });

  it('rule 11: quiet shutdown returns 1, sets both flags, writes nothing; the peer sees a truncation', async () => {
    const l = await established();
    l.client.setQuietShutdown(true);
    const before = l.clientWrote;
    assert.equal(await l.client.shutdown(), 1);
    assert.equal(l.client.getShutdown(), SENT | RECEIVED);
    assert.equal(l.clientWrote, before);
    l.serverIn.setEof();
    const r = await l.server.read(buf());
    assert.equal(r, 0);
    expectErr(l.server, r, SSL_ERROR_SSL, 'unexpected eof while reading');
  });

  it('rule 11: quiet shutdown set on the context applies to its connections', async () => {
    const l = await established({ quietShutdown: true });
    assert.equal(l.client.getQuietShutdown(), true);
    assert.equal(await l.client.shutdown(), 1);
  });

  it('rule 12: setShutdown assigns: SENT sends nothing, RECEIVED is a clean EOF, clearing allows a second close_notify', async () => {
    const l = await established();
    const before = l.clientWrote;
    l.client.setShutdown(SENT);
    let r = await l.client.shutdown();
    assert.equal(r, -1);
    expectErr(l.client, r, SSL_ERROR_WANT_READ);
    assert.equal(l.clientWrote, before, 'no alert ever');
    l.server.setShutdown(RECEIVED);
    r = await l.server.read(buf());
    assert.equal(r, 0);
    expectErr(l.server, r, SSL_ERROR_ZERO_RETURN);
    const l2 = await established();
    assert.equal(await l2.client.shutdown(), 0);
    l2.client.setShutdown(0);
    assert.equal(await l2.client.write(enc('again')), 5);
    assert.equal(await l2.client.shutdown(), 0);
    const alerts = l2.clientWrote;
    l2.toServer();
    const b = buf();
    // the server sees one close_notify; the write after it is beyond the close
    assert.equal(await l2.server.read(b), 0);
    assert.ok(alerts > 2 * CLOSE_NOTIFY_13);
  });

  it('rule 13: EOF without close_notify: read returns 0 "unexpected eof while reading", decode_error alert sent, flags unchanged', async () => {
    const l = await established();
    const before = l.clientWrote;
    l.clientIn.setEof();
    const r = await l.client.read(buf());
    assert.equal(r, 0);
    expectErr(l.client, r, SSL_ERROR_SSL, 'unexpected eof while reading');
    assert.equal(l.clientWrote - before, 24, 'an encrypted fatal alert');
    assert.equal(l.client.getShutdown(), 0);
    l.toServer();
    const rs = await l.server.read(buf());
    assert.equal(rs, 0);
    expectErr(l.server, rs, SSL_ERROR_SSL, 'tlsv1 alert decode error');
  });

  it('rule 13: during the handshake and in a second shutdown the return is -1; after SENT no alert', async () => {
    const { cctx, sctx } = contexts();
    const l = new Link(cctx, sctx);
    assert.equal(await l.client.doHandshake(), -1);
    l.clientIn.setEof();
    const r = await l.client.doHandshake();
    assert.equal(r, -1);
    expectErr(l.client, r, SSL_ERROR_SSL, 'unexpected eof while reading');
    const l2 = await established();
    assert.equal(await l2.client.shutdown(), 0);
    const sent = l2.clientWrote;
    l2.clientIn.setEof();
    const r2 = await l2.client.shutdown();
    assert.equal(r2, -1);
    expectErr(l2.client, r2, SSL_ERROR_SSL, 'unexpected eof while reading');
    assert.equal(l2.clientWrote, sent);
    assert.equal(l2.client.getShutdown(), SENT);
  });

  it('rule 14: after a fatal error read/write give -1/SYSCALL and shutdown "shutdown while in init", sending nothing', async () => {
    const l = await established();
    l.clientIn.setEof();
    await l.client.read(buf());
    const before = l.clientWrote;
    let r = await l.client.read(buf());
    assert.equal(r, -1);
    expectErr(l.client, r, SSL_ERROR_SYSCALL);
    r = await l.client.write(enc('x'));
    assert.equal(r, -1);
    expectErr(l.client, r, SSL_ERROR_SYSCALL);
    r = await l.client.shutdown();
    assert.equal(r, -1);
    expectErr(l.client, r, SSL_ERROR_SSL, 'shutdown while in init');
    assert.equal(l.clientWrote, before);
  });

  it('rule 15: a received fatal alert sets RECEIVED and read returns 0 with SSL_ERROR_SSL', async () => {
    const l = await established();
    assert.equal(await l.client.write(enc('hello')), 5);
    // corrupt the record on the way: the server answers bad_record_mac
    const rec = new Uint8Array(l.clientOut.pending());
    l.clientOut.read(rec);
    rec[rec.length - 1] = (rec[rec.length - 1] as number) ^ 1;
    l.serverIn.write(rec);
    const rs = await l.server.read(buf());
    assert.equal(rs, -1);
    expectErr(l.server, rs, SSL_ERROR_SSL, 'decryption failed or bad record mac');
    l.toClient();
    const r = await l.client.read(buf());
    assert.equal(r, 0);
    expectErr(l.client, r, SSL_ERROR_SSL, 'sslv3 alert bad record mac');
    assert.equal(l.client.getShutdown(), RECEIVED);
  });

  it('rule 16: SSL_OP_IGNORE_UNEXPECTED_EOF turns EOF, even inside a record, into RECEIVED + ZERO_RETURN', async () => {
    const l = await established({ ignoreUnexpectedEof: true });
    assert.ok(l.client.getOptions() & SSL_OP_IGNORE_UNEXPECTED_EOF);
    assert.equal(await l.server.write(enc('partial')), 7);
    l.toClient(10);
    l.clientIn.setEof();
    const r = await l.client.read(buf());
    assert.equal(r, 0);
    expectErr(l.client, r, SSL_ERROR_ZERO_RETURN);
    assert.equal(l.client.getShutdown(), RECEIVED);
  });

  it('rule 17: with the option, EOF in the second shutdown clears SENT: 0/ZERO_RETURN, then a second close_notify and 1', async () => {
    const l = await established({ ignoreUnexpectedEof: true });
    assert.equal(await l.client.shutdown(), 0);
    l.clientIn.setEof();
    const r = await l.client.shutdown();
    assert.equal(r, 0);
    expectErr(l.client, r, SSL_ERROR_ZERO_RETURN);
    assert.equal(l.client.getShutdown(), RECEIVED);
    const before = l.clientWrote;
    assert.equal(await l.client.shutdown(), 1);
    assert.equal(l.clientWrote - before, CLOSE_NOTIFY_13);
  });

  it('rule 18: a side answering close_notify can show SENT|RECEIVED while still -1/WANT_WRITE; only 1 means done', async () => {
    const { cctx, sctx } = contexts();
    const p = pair(cctx, sctx, { serverName: 'localhost' }, 17 * 1024, 30);
    p.server.setNumTickets(0); // nothing post-handshake in the 30-byte pipe
    await handshake(p);
    const b = buf();
    assert.equal(await p.server.write(enc('x')), 1); // 23 of 30 bytes used
    assert.equal(await p.client.shutdown(), 0);
    assert.equal(await p.server.read(b), 0);
    const r = await p.server.shutdown();
    assert.equal(r, -1);
    expectErr(p.server, r, SSL_ERROR_WANT_WRITE);
    assert.equal(p.server.getShutdown(), SENT | RECEIVED);
    assert.equal(await p.client.read(b), 1);
    assert.equal(await p.server.shutdown(), 1);
  });

  it('rule 19: a session survives a one-sided shutdown; a server freed without SENT withdraws a stateful ticket (SSL_OP_NO_TICKET)', async () => {
    const { cctx, sctx } = contexts({}, { options: SSL_OP_NO_TICKET });
    const l = new Link(cctx, sctx);
    await l.handshake();
    assert.equal(await l.client.read(buf()), -1); // tickets processed
    const session = l.client.getSession();
    assert.ok(session);
    assert.equal(await l.client.shutdown(), 0); // one-sided is enough for the client
    l.client.free();
    assert.ok(session.isResumable());
    l.toServer();
    assert.equal(await l.server.read(buf()), 0); // ZERO_RETURN, but no shutdown
    l.server.free();
    const l2 = new Link(cctx, sctx, { serverName: 'localhost', session });
    await l2.handshake();
    assert.equal(l2.server.sessionReused(), false, 'the server dropped its cache entry');
  });

  it('rule 19: a server freed without SENT leaves a stateless ticket resumable (as OpenSSL: nothing is cached to remove)', async () => {
    const { cctx, sctx } = contexts();
    const l = new Link(cctx, sctx);
    await l.handshake();
    assert.equal(await l.client.read(buf()), -1); // tickets processed
    const session = l.client.getSession();
    assert.ok(session && session.ticket.length > 32, 'a stateless ticket');
    assert.equal(await l.client.shutdown(), 0);
    l.client.free();
    l.toServer();
    assert.equal(await l.server.read(buf()), 0);
    l.server.free();
    const l2 = new Link(cctx, sctx, { serverName: 'localhost', session });
    await l2.handshake();
    assert.equal(l2.server.sessionReused(), true, 'the stateless ticket survives the withdrawal');
  });

  it('rule 19: a client freed without SENT, or after a fatal alert, has no resumable session', async () => {
    const l = await established();
    const s = l.client.getSession();
    assert.ok(s);
    l.client.free();
    assert.equal(s.isResumable(), false);
    const l2 = await established();
    const s2 = l2.client.getSession();
    assert.ok(s2);
    l2.clientIn.setEof();
    await l2.client.read(buf()); // truncation: fatal alert sent
    assert.equal(l2.client.getSession(), null);
    assert.equal(s2.isResumable(), false);
  });

  it('rule 20: only processed tickets make a session; a write-only client closing one-sided has none', async () => {
    const { cctx, sctx } = contexts();
    const l = new Link(cctx, sctx);
    await l.handshake();
    assert.equal(await l.client.write(enc('fire and forget')), 15);
    assert.equal(await l.client.shutdown(), 0);
    assert.equal(l.client.getSession(), null);
    // a full bidirectional shutdown processes them in the second call
    const l2 = new Link(cctx, sctx);
    await l2.handshake();
    assert.equal(await l2.client.shutdown(), 0);
    l2.toServer();
    assert.equal(await l2.server.read(buf()), 0);
    assert.equal(await l2.server.shutdown(), 1);
    l2.toClient();
    assert.equal(await l2.client.shutdown(), 1);
    assert.ok(l2.client.getSession());
  });

  it('rule 21: without AUTO_RETRY each post-handshake message returns WANT_READ once, even before a buffered close_notify', async () => {
    const { cctx, sctx } = contexts();
    const l = new Link(cctx, sctx);
    l.client.clearMode(SSL_MODE_AUTO_RETRY);
    await l.handshake();
    const b = buf();
    for (let i = 0; i < 2; i++) {
      const r = await l.client.read(b);
      assert.equal(r, -1, `ticket ${i + 1}`);
      expectErr(l.client, r, SSL_ERROR_WANT_READ);
    }
    assert.equal(l.server.newSessionTicket(), 1);
    assert.equal(await l.server.doHandshake(), 1);
    assert.equal(await l.server.shutdown(), 0);
    l.toClient();
    assert.equal(await l.client.shutdown(), 0);
    const r = await l.client.shutdown();
    assert.equal(r, -1);
    expectErr(l.client, r, SSL_ERROR_WANT_READ);
    assert.equal(await l.client.shutdown(), 1);
  });

  it('rule 22: a TLS 1.3 close_notify is 24 bytes, written once; none when quiet or set with setShutdown', async () => {
    const l = await established();
    const before = l.clientWrote;
    assert.equal(await l.client.shutdown(), 0);
    await l.client.shutdown();
    await l.client.shutdown();
    assert.equal(l.clientWrote - before, 24);
    const l2 = await established();
    const b2 = l2.clientWrote;
    l2.client.setShutdown(SENT);
    await l2.client.shutdown();
    assert.equal(l2.clientWrote, b2);
  });
});

describe('SSL_shutdown(3) man page paragraphs', () => {
  it('"Peer closes the connection": SSL_read gives ZERO_RETURN, then SSL_shutdown sends close_notify and returns 1 at once', async () => {
    const l = await established();
    assert.equal(await l.server.shutdown(), 0);
    l.toClient();
    const r = await l.client.read(buf());
    assert.equal(r, 0);
    expectErr(l.client, r, SSL_ERROR_ZERO_RETURN);
    const before = l.clientWrote;
    assert.equal(await l.client.shutdown(), 1);
    assert.equal(l.clientWrote - before, CLOSE_NOTIFY_13);
  });

  it('"SSL_shutdown() only closes the write direction": the read direction stays open until the peer closes it', async () => {
    const l = await established();
    assert.equal(await l.client.shutdown(), 0);
    assert.equal(await l.server.write(enc('more')), 4);
    l.toClient();
    assert.equal(await l.client.read(buf()), 4);
  });

  it('"a unidirectional shutdown is enough": after one call the peer reads a clean close', async () => {
    const l = await established();
    assert.equal(await l.client.shutdown(), 0);
    l.client.free();
    l.toServer();
    const r = await l.server.read(buf());
    assert.equal(r, 0);
    expectErr(l.server, r, SSL_ERROR_ZERO_RETURN);
  });
});
