/**
 * Key logging (ContextOptions.keylog, OpenSSL's SSL_CTX_set_keylog_callback): NSS key log lines, the same on both
 * sides, naming the connection by the ClientHello.random on the wire, and good enough to decrypt the records an
 * observer saw. Wireshark's own reading of them is checked against a live capture in test/interop/keylog-tshark.
 */
import { strict as assert } from 'node:assert';
import { type Ssl, SslContext } from '@memtls/core';
import { suiteByName } from '@memtls/core/internal/crypto/suites';
import { createWebCryptoProvider } from '@memtls/core/internal/crypto/webcrypto';
import { trafficKeys } from '@memtls/core/internal/keys/tls13-key-schedule';
import { RecordProtector13 } from '@memtls/core/internal/record/tls13';
import { fromHex, toHex } from '@memtls/core/internal/wire/bytes';
import { Link } from '../util/link.js';
import { testPki } from '../util/pki.js';

const LABELS = ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0', 'EXPORTER_SECRET'];
const LINE = /^([A-Z_0-9]+) ([0-9a-f]{64}) ([0-9a-f]{64}|[0-9a-f]{96})$/;

/** Take what `from` wrote and deliver it, keeping a copy of the bytes. */
function deliver(link: Link, to: 'server' | 'client'): Uint8Array {
  const from = to === 'server' ? link.clientOut : link.serverOut;
  const into = to === 'server' ? link.serverIn : link.clientIn;
  const buf = new Uint8Array(from.pending());
  from.read(buf);
  into.write(buf);
  return buf;
}

/** Split a byte stream into TLS records (header, body). */
function records(bytes: Uint8Array): { header: Uint8Array; body: Uint8Array }[] {
  const out: { header: Uint8Array; body: Uint8Array }[] = [];
  for (let o = 0; o + 5 <= bytes.length; ) {
    const len = ((bytes[o + 3] as number) << 8) | (bytes[o + 4] as number);
    out.push({ header: bytes.subarray(o, o + 5), body: bytes.subarray(o + 5, o + 5 + len) });
    o += 5 + len;
  }
  return out;
}

describe('key logging (NSS key log format)', () => {
  const pki = testPki();
  const logged = (): { lines: string[]; owners: Ssl[]; keylog: (line: string, ssl: Ssl) => void } => {
    const lines: string[] = [];
    const owners: Ssl[] = [];
    const keylog = (line: string, ssl: Ssl): void => {
      lines.push(line);
      owners.push(ssl);
    };
    return { lines, owners, keylog };
  };

  for (const suiteName of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384']) {
    it(`both sides log the same five secrets, named by the ClientHello.random, that decrypt the wire (${suiteName})`, async () => {
      const c = logged();
      const s = logged();
      const cctx = new SslContext({ role: 'client', ca: pki.caCert, cipherSuites: [suiteName], keylog: c.keylog });
      const sctx = new SslContext({ role: 'server', cert: pki.leaves['ec-p256'].cert, key: pki.leaves['ec-p256'].key, keylog: s.keylog });
      const link = new Link(cctx, sctx);
      const wireToServer: Uint8Array[] = [];
      let rc = await link.client.doHandshake();
      wireToServer.push(deliver(link, 'server'));
      await link.server.doHandshake();
      deliver(link, 'client');
      rc = await link.client.doHandshake();
      assert.equal(rc, 1);
      wireToServer.push(deliver(link, 'server'));
      assert.equal(await link.server.doHandshake(), 1);
      deliver(link, 'client');
      const secret = new TextEncoder().encode('observed by a debugger, not by an attacker');
      assert.equal(await link.client.write(secret), secret.length);
      const appRecords = deliver(link, 'server');

      // Five lines a side, in NSS format, each label once, and the two sides agree line for line.
      assert.deepEqual(c.lines.map((l) => LINE.exec(l)?.[1]).sort(), [...LABELS].sort());
      assert.deepEqual([...c.lines].sort(), [...s.lines].sort());
      assert.ok(c.owners.every((o) => o === link.client));
      assert.ok(s.owners.every((o) => o === link.server));

      // The connection is named by the ClientHello.random on the wire (record header 5, handshake header 4, version 2).
      const helloRandom = toHex((wireToServer[0] as Uint8Array).subarray(11, 43));
      for (const l of c.lines) assert.equal(LINE.exec(l)?.[2], helloRandom);

      // An observer with only the wire bytes and the log decrypts the client's application data.
      const suite = suiteByName(suiteName)!;
      const p = createWebCryptoProvider(globalThis.crypto);
      const appSecret = fromHex(LINE.exec(c.lines.find((l) => l.startsWith('CLIENT_TRAFFIC_SECRET_0 ')) as string)?.[3] as string);
      const prot = await RecordProtector13.create(p, suite, await trafficKeys(p, suite.hash, appSecret, suite.keyLen, suite.ivLen), 2 ** 48);
      const recs = records(appRecords);
      assert.equal(recs.length, 1);
      const opened = await prot.open(recs[0]!.header, recs[0]!.body);
      assert.equal(new TextDecoder().decode(opened.content), new TextDecoder().decode(secret));
    });
  }

  it('logs nothing without a callback, and a callback that throws does not fail the handshake', async () => {
    let calls = 0;
    const cctx = new SslContext({
      role: 'client',
      ca: pki.caCert,
      keylog: () => {
        calls++;
        throw new Error('the application failed');
      },
    });
    const sctx = new SslContext({ role: 'server', cert: pki.leaves['ec-p256'].cert, key: pki.leaves['ec-p256'].key });
    const link = new Link(cctx, sctx);
    await link.handshake();
    assert.equal(calls, 5);
    assert.equal(await link.client.write(new Uint8Array([1, 2, 3])), 3);
  });

  it('refuses a keylog that is not a function (TypeError)', () => {
    assert.throws(() => new SslContext({ role: 'client', ca: pki.caCert, keylog: 'SSLKEYLOGFILE' as never }), TypeError);
  });
});
