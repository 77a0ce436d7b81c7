/** RecordTap (the -msg observer): framing across arbitrary chunking, plaintext handshake and alerts. */
import { strict as assert } from 'node:assert';
import { type RecordInfo, RecordTap } from '@memtls/node';

const record = (type: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([type, 3, 3, body.length >> 8, body.length & 0xff]), body]);
const hs = (type: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([type, 0, body.length >> 8, body.length & 0xff]), body]);

describe('RecordTap', () => {
  it('frames records split at every byte, names handshake messages, HRR and alerts', () => {
    const hrrRandom = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');
    const serverHello = hs(2, Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32, 7), Buffer.from([0])]));
    const hrr = hs(2, Buffer.concat([Buffer.from([3, 3]), hrrRandom, Buffer.from([0])]));
    // One handshake message split across two records, then an alert and an encrypted record.
    const big = hs(11, Buffer.alloc(300, 1));
    const stream = Buffer.concat([record(22, Buffer.concat([serverHello, hrr])), record(22, big.subarray(0, 100)), record(22, big.subarray(100)), record(21, Buffer.from([2, 48])), record(23, Buffer.alloc(40))]);
    const seen: RecordInfo[] = [];
    const tap = new RecordTap('in', (r) => seen.push(r));
    for (let i = 0; i < stream.length; i++) tap.push(stream.subarray(i, i + 1));
    assert.deepEqual(
      seen.map((r) => [r.contentTypeName, r.handshake.map((m) => m.name), r.alert?.name ?? null, r.encrypted]),
      [
        ['Handshake', ['ServerHello', 'HelloRetryRequest'], null, false],
        ['Handshake', [], null, false],
        ['Handshake', ['Certificate'], null, false],
        ['Alert', [], 'unknown_ca', false],
        ['ApplicationData', [], null, true],
      ],
    );
  });

  it('stops describing (without throwing) when the stream is not TLS', () => {
    const seen: RecordInfo[] = [];
    const tap = new RecordTap('in', (r) => seen.push(r));
    tap.push(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    tap.push(record(22, Buffer.alloc(4)));
    assert.equal(seen.length, 0);
  });
});
