/** ContextOptions.msgCallback (OpenSSL's SSL_CTX_set_msg_callback): every handshake message and alert, decrypted. */
import { strict as assert } from 'node:assert';
import type { MsgInfo } from '@memtls/core';
import { closeBoth, contexts, handshake, pair } from '../util/pair.js';

const names = (log: MsgInfo[]): string[] => log.map((m) => `${m.direction} ${m.contentType === 22 ? `hs${m.bytes[0]}` : `alert${m.bytes[1]}`}`);

describe('msgCallback', () => {
  it('sees the whole TLS 1.3 handshake in the clear, both sides, and the close_notify alerts', async () => {
    const clog: MsgInfo[] = [];
    const slog: MsgInfo[] = [];
    const { cctx, sctx } = contexts({ msgCallback: (m) => clog.push(m) }, { msgCallback: (m) => slog.push(m), numTickets: 1 });
    const p = pair(cctx, sctx);
    await handshake(p);
    // ClientHello; ServerHello, EncryptedExtensions, Certificate, CertificateVerify, Finished; our Finished.
    assert.deepEqual(names(clog), ['sent hs1', 'received hs2', 'received hs8', 'received hs11', 'received hs15', 'received hs20', 'sent hs20']);
    assert.deepEqual(names(slog).slice(0, 7), ['received hs1', 'sent hs2', 'sent hs8', 'sent hs11', 'sent hs15', 'sent hs20', 'received hs20']);
    // Each handshake message comes whole, with its 4-byte header and a length that matches.
    for (const m of [...clog, ...slog]) {
      if (m.contentType !== 22) continue;
      const len = ((m.bytes[1] as number) << 16) | ((m.bytes[2] as number) << 8) | (m.bytes[3] as number);
      assert.equal(m.bytes.length, 4 + len);
    }
    clog.length = 0;
    slog.length = 0;
    await closeBoth(p);
    assert.ok(names(clog).includes('sent alert0'), names(clog).join());
    assert.ok(names(slog).includes('received alert0'), names(slog).join());
  });

  it('a callback that throws changes nothing; a non-function is a TypeError', async () => {
    const { cctx, sctx } = contexts({
      msgCallback: () => {
        throw new Error('observer failure');
      },
    });
    const p = pair(cctx, sctx);
    await handshake(p);
    assert.throws(() => contexts({ msgCallback: 'no' as unknown as () => void }), TypeError);
  });
});
