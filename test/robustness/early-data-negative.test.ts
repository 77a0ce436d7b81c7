/**
 * Negative 0-RTT handshakes (RFC 8446 §4.2.10, §4.5), forged with the null provider between two memtls ends: each
 * breaks one early-data rule and asserts the alert the RFC names and the reason string.
 */
process.env.MEMTLS_INSECURE_TEST_CRYPTO = '1';

import { strict as assert } from 'node:assert';
import { SSL_ERROR_SSL } from '@memtls/core';
import { AL, concat, EXT, encodeExts, fromItems, HT, type Item, toItems, toUnits } from '@memtls/fast-check';
import { describe as describeOutcome, type Outcome, type Role, runPair } from '../fuzz/kit.js';
import { pattern } from '../fuzz/targets.js';

type MsgItem = Extract<Item, { kind: 'msg' }>;

/** A 0-RTT resumption whose first `dir` flight holding a `type` message goes through `edit`. */
function tamper(dir: 'c2s' | 's2c', type: number, edit: (items: Item[], i: number) => void, earlyData = true): Promise<Outcome> {
  let done = false;
  return runPair({
    crypto: 'null',
    earlyData,
    resume: true,
    clientPayload: pattern(40, 1),
    serverPayload: pattern(40, 2),
    filter: (d, _n, bytes) => {
      if (d !== dir || done) return bytes;
      const items = toItems(toUnits(bytes).units);
      const i = items.findIndex((it) => it.kind === 'msg' && it.msg.type === type);
      if (i < 0) return bytes;
      done = true;
      edit(items, i);
      return fromItems(items);
    },
  });
}

/** The extensions of an EncryptedExtensions body (a vec16 of type, vec16 data). */
function extsOf(body: Uint8Array): { type: number; data: Uint8Array }[] {
  const out: { type: number; data: Uint8Array }[] = [];
  for (let at = 2; at + 4 <= body.length; ) {
    const type = ((body[at] as number) << 8) | (body[at + 1] as number);
    const len = ((body[at + 2] as number) << 8) | (body[at + 3] as number);
    out.push({ type, data: body.subarray(at + 4, at + 4 + len) });
    at += 4 + len;
  }
  return out;
}

function setBody(items: Item[], i: number, body: Uint8Array): void {
  const it = items[i] as MsgItem;
  items[i] = { ...it, msg: { type: it.msg.type, body } };
}

function assertVictim(out: Outcome, role: Role, alert: number, reason: string): void {
  const v = role === 'client' ? out.client : out.server;
  const ctx = describeOutcome(out);
  assert.ok(v.failure, `${role} did not fail: ${ctx}`);
  assert.equal(v.failure.err, SSL_ERROR_SSL, ctx);
  assert.equal(v.failure.detail?.alert, alert, ctx);
  assert.equal(v.failure.reason, reason, ctx);
}

describe('robustness: negative 0-RTT early data', function () {
  this.timeout(60000);

  it('the clean 0-RTT resumption of these tests is accepted (the baseline)', async () => {
    const out = await tamper('c2s', 0xff, () => undefined);
    assert.equal(out.client.phase, 'done', describeOutcome(out));
    assert.equal(out.client.ssl.getEarlyDataStatus(), 'accepted');
    assert.equal(out.server.ssl.getEarlyDataStatus(), 'accepted');
  });

  it('client EndOfEarlyData with a body: decode_error', async () => {
    const out = await tamper('c2s', HT.END_OF_EARLY_DATA, (it, i) => setBody(it, i, new Uint8Array([0])));
    assertVictim(out, 'server', AL.DECODE_ERROR, 'bad packet');
  });

  it('client EndOfEarlyData missing (Finished under the early key): unexpected_message', async () => {
    const out = await tamper('c2s', HT.END_OF_EARLY_DATA, (it, i) => it.splice(i, 1));
    const f = out.server.failure;
    assert.ok(f, describeOutcome(out));
    // The null provider opens any record: the client's Finished reaches the state waiting for EndOfEarlyData.
    assert.ok(f.detail?.alert === AL.UNEXPECTED_MESSAGE || f.detail?.alert === AL.BAD_RECORD_MAC, describeOutcome(out));
  });

  it('server EncryptedExtensions with a non-empty early_data: decode_error', async () => {
    const out = await tamper('s2c', HT.ENCRYPTED_EXTENSIONS, (it, i) => {
      const exts = extsOf((it[i] as MsgItem).msg.body).map((e) => (e.type === EXT.EARLY_DATA ? { type: e.type, data: new Uint8Array([0, 0, 0, 1]) } : e));
      setBody(it, i, encodeExts(exts));
    });
    assertVictim(out, 'client', AL.DECODE_ERROR, 'bad packet');
  });

  it('server EncryptedExtensions accepting early data the client did not offer: unsupported_extension', async () => {
    const out = await tamper(
      's2c',
      HT.ENCRYPTED_EXTENSIONS,
      (it, i) => {
        const exts = extsOf((it[i] as MsgItem).msg.body);
        setBody(it, i, encodeExts([...exts, { type: EXT.EARLY_DATA, data: new Uint8Array(0) }]));
      },
      false,
    );
    assertVictim(out, 'client', AL.UNSUPPORTED_EXTENSION, 'unsolicited extension');
  });

  it('a NewSessionTicket whose early_data is not a uint32: decode_error', async () => {
    const out = await tamper('s2c', HT.NEW_SESSION_TICKET, (it, i) => {
      const b = (it[i] as MsgItem).msg.body;
      // lifetime 4, age_add 4, nonce vec8, ticket vec16, then the extensions: replace them.
      const nonceLen = b[8] as number;
      const at = 9 + nonceLen;
      const ticketLen = ((b[at] as number) << 8) | (b[at + 1] as number);
      const head = b.subarray(0, at + 2 + ticketLen);
      setBody(it, i, concat(head, encodeExts([{ type: EXT.EARLY_DATA, data: new Uint8Array([0, 1]) }])));
    });
    assertVictim(out, 'client', AL.DECODE_ERROR, 'bad packet');
  });
});
