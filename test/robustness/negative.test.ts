/**
 * Negative handshakes, in the spirit of tlsfuzzer and BoGo: each test breaks one rule of RFC 8446 and asserts
 * the alert the RFC names and the reason string (OpenSSL's where memtls has the obvious equivalent; the
 * OpenSSL 3.0.19 strings were measured with openssl s_server / s_client, see docs/robustness.md).
 *
 * - hellos: ClientHello / ServerHello variants (hellos.ts), real WebCrypto on both sides;
 * - the record layer: HTTP, SSLv2, garbage, bad versions and types sent to a server (and HTTP to a client);
 * - the TLS 1.2 downgrade: a ServerHello without supported_versions;
 * - encrypted messages (forged with the null provider): bad Finished, bad CertificateVerify, wrong signature
 *   scheme, unsolicited / duplicate / misplaced extensions, empty and malformed Certificate, missing messages;
 * - an alert at every handshake step, and the transport closed at every step, in both roles.
 */
process.env.MEMTLS_INSECURE_TEST_CRYPTO = '1';

import { strict as assert } from 'node:assert';
import { SSL_ERROR_SSL, SSL_ERROR_WANT_READ, SSL_ERROR_ZERO_RETURN } from '@memtls/core';
import {
  AL,
  alertBody,
  ascii,
  CT,
  concat,
  EXT,
  encodeExts,
  encodeHello,
  frame,
  fromItems,
  type Hello,
  HT,
  type Item,
  parseHello,
  parseRecords,
  record,
  splitMessages,
  toItems,
  toUnits,
  u16list,
  vec16,
} from '@memtls/fast-check';
import { type Dir, describe as describeOutcome, type Outcome, type Role, runPair, type Side } from '../fuzz/kit.js';
import { incomingTypes, pattern, runAtBoundary } from '../fuzz/targets.js';
import { CLIENT_HELLO_VARIANTS, SERVER_HELLO_VARIANTS } from './hellos.js';
import { alertsIn, assertFailed, drain, linkFor } from './helpers.js';

/** The memtls ClientHello of a fresh real-crypto Link (both ends TLS 1.3 only), and the Link. */
async function clientHello(): Promise<{ link: Awaited<ReturnType<typeof linkFor>>; hello: Hello }> {
  // Both ends TLS 1.3 only: these variants test the TLS 1.3 rules (TLS 1.2 has its own tests, test/tls12).
  const link = await linkFor({ crypto: 'real', client: { minVersion: 'TLSv1.3' }, server: { minVersion: 'TLSv1.3' } });
  await link.client.doHandshake();
  const rec = parseRecords(drain(link.clientOut)).records[0];
  const msg = splitMessages(rec?.body ?? new Uint8Array(0)).msgs[0];
  assert.equal(msg?.type, HT.CLIENT_HELLO);
  return { link, hello: parseHello(msg?.body ?? new Uint8Array(0), true) };
}

/** A client that sent its ClientHello, and the real server's ServerHello (parsed) for it. */
async function serverHello(): Promise<{ link: Awaited<ReturnType<typeof linkFor>>; hello: Hello; clientSent: Hello }> {
  const { link, hello: clientSent } = await clientHello();
  link.serverIn.write(record(CT.HANDSHAKE, encodeHello(clientSent, true), 0x0301));
  await link.server.doHandshake();
  const rec = parseRecords(drain(link.serverOut)).records[0];
  const msg = splitMessages(rec?.body ?? new Uint8Array(0)).msgs[0];
  assert.equal(msg?.type, HT.SERVER_HELLO);
  return { link, hello: parseHello(msg?.body ?? new Uint8Array(0), false), clientSent };
}

const victimOf = (out: Outcome, role: Role): Side => (role === 'client' ? out.client : out.server);

/** Run a null-provider pair whose `dir` flights go through `edit(items)` (first flight containing `type`). */
async function tamper(o: { dir: Dir; type: number; clientAuth?: boolean; edit: (items: Item[], i: number) => void }): Promise<Outcome> {
  let done = false;
  return runPair({
    crypto: 'null',
    clientAuth: o.clientAuth ?? false,
    clientPayload: pattern(50, 1),
    serverPayload: pattern(50, 2),
    filter: (dir, _n, bytes) => {
      if (dir !== o.dir || done) return bytes;
      const items = toItems(toUnits(bytes).units);
      const i = items.findIndex((it) => it.kind === 'msg' && it.msg.type === o.type);
      if (i < 0) return bytes;
      done = true;
      o.edit(items, i);
      return fromItems(items);
    },
  });
}

const msgAt = (items: Item[], i: number): Extract<Item, { kind: 'msg' }> => items[i] as Extract<Item, { kind: 'msg' }>;
const setBody = (items: Item[], i: number, body: Uint8Array): void => {
  const it = msgAt(items, i);
  items[i] = { ...it, msg: { type: it.msg.type, body } };
};

/** The victim failed with this alert sent and reason, and wrote that alert. */
function assertVictim(out: Outcome, role: Role, alert: number, reason: string): void {
  const v = victimOf(out, role);
  const f = v.failure;
  const ctx = describeOutcome(out);
  assert.ok(f, `${role} did not fail: ${ctx}`);
  assert.equal(f.err, SSL_ERROR_SSL, ctx);
  assert.equal(f.detail?.alert, alert, ctx);
  assert.equal(f.reason, reason, ctx);
  assert.deepEqual(alertsIn(f.wroteDuring).at(-1), { level: 2, desc: alert, sealed: alertsIn(f.wroteDuring).at(-1)?.sealed ?? false }, `alert record: ${ctx}`);
  assert.deepEqual(out.violations, []);
}

describe('robustness: negative handshakes', function () {
  this.timeout(120000);

  describe('ClientHello variants (server victim, WebCrypto)', () => {
    for (const v of CLIENT_HELLO_VARIANTS) {
      const reason = v.memtls ?? v.openssl;
      it(`${v.name} (RFC 8446 §${v.rfc}): ${v.alert === null ? 'accepted' : `alert ${v.alert} "${reason}"`}${v.memtls && v.openssl ? ` [OpenSSL: "${v.openssl}"]` : ''}`, async () => {
        const { link, hello } = await clientHello();
        link.serverIn.write(record(CT.HANDSHAKE, v.make(hello), 0x0301));
        const r = await link.server.doHandshake();
        const wrote = drain(link.serverOut);
        if (v.alert === null) {
          assert.equal(link.server.getError(r), SSL_ERROR_WANT_READ, `${link.server.errorReason()}`);
          const first = splitMessages(parseRecords(wrote).records[0]?.body ?? new Uint8Array(0)).msgs[0];
          assert.equal(first?.type, HT.SERVER_HELLO, 'the server answered with a ServerHello');
          return;
        }
        assertFailed(link.server, r, { reason: reason ?? '', alert: v.alert, wrote });
      });
    }
  });

  describe('ServerHello variants (client victim, WebCrypto)', () => {
    for (const v of SERVER_HELLO_VARIANTS) {
      const reason = v.memtls ?? v.openssl;
      it(`${v.name} (RFC 8446 §${v.rfc}): alert ${v.alert} "${reason}"${v.memtls && v.openssl ? ` [OpenSSL: "${v.openssl}"]` : ''}`, async () => {
        const { link, hello } = await serverHello();
        link.clientIn.write(record(CT.HANDSHAKE, v.make(hello)));
        const r = await link.client.doHandshake();
        assertFailed(link.client, r, { reason: reason ?? '', alert: v.alert ?? -1, wrote: drain(link.clientOut) });
      });
    }

    it('HelloRetryRequest that would not change the ClientHello (group already offered): illegal_parameter', async () => {
      const { link, hello } = await serverHello();
      const hrr: Hello = {
        ...hello,
        random: new Uint8Array(Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex')),
        extensions: [
          { type: EXT.SUPPORTED_VERSIONS, data: new Uint8Array([3, 4]) },
          { type: EXT.KEY_SHARE, data: new Uint8Array([0, 0x1d]) },
        ],
      };
      link.clientIn.write(record(CT.HANDSHAKE, encodeHello(hrr, false)));
      const r = await link.client.doHandshake();
      assertFailed(link.client, r, { reason: 'bad hello retry request', alert: AL.ILLEGAL_PARAMETER, wrote: drain(link.clientOut) });
    });

    it('HelloRetryRequest selecting a group the client does not support: illegal_parameter', async () => {
      const { link, hello } = await serverHello();
      const hrr: Hello = {
        ...hello,
        random: new Uint8Array(Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex')),
        extensions: [
          { type: EXT.SUPPORTED_VERSIONS, data: new Uint8Array([3, 4]) },
          { type: EXT.KEY_SHARE, data: new Uint8Array([0, 0x1e]) },
        ],
      };
      link.clientIn.write(record(CT.HANDSHAKE, encodeHello(hrr, false)));
      const r = await link.client.doHandshake();
      assertFailed(link.client, r, { reason: 'bad hello retry request', alert: AL.ILLEGAL_PARAMETER, wrote: drain(link.clientOut) });
    });
  });

  describe('TLS 1.2 ServerHello to a TLS 1.3-only client (RFC 8446 §4.2.1, §D)', () => {
    it('a ServerHello without supported_versions (TLS 1.3 suite, session id echoed): protocol_version "unsupported protocol"', async () => {
      const { link, hello } = await serverHello();
      const tls12: Hello = { ...hello, extensions: [{ type: 0xff01, data: new Uint8Array([0]) }, { type: 0x000b, data: new Uint8Array([1, 0]) }] };
      link.clientIn.write(record(CT.HANDSHAKE, encodeHello(tls12, false)));
      const r = await link.client.doHandshake();
      assertFailed(link.client, r, { reason: 'unsupported protocol', alert: AL.PROTOCOL_VERSION, wrote: drain(link.clientOut) });
    });

    // Regression (bug 3): a realistic TLS 1.2 ServerHello carries a TLS 1.2 suite and may assign a fresh session
    // id; the version decides first (OpenSSL 3.0.19 s_client -tls1_3 on these bytes: "unsupported protocol", 70).
    for (const v of [
      { name: 'TLS 1.2 suite 0xc02b', suite: 0xc02b, freshSid: false },
      { name: 'a fresh session id', suite: 0x1301, freshSid: true },
      { name: 'TLS 1.2 suite and a fresh session id', suite: 0xc02b, freshSid: true },
    ]) {
      it(`a real TLS 1.2 ServerHello (${v.name}): protocol_version "unsupported protocol"`, async () => {
        const { link, hello } = await serverHello();
        const tls12: Hello = {
          ...hello,
          random: new Uint8Array(32).fill(0x42),
          sessionId: v.freshSid ? new Uint8Array(32).fill(3) : hello.sessionId,
          suites: [v.suite],
          extensions: [
            { type: 0xff01, data: new Uint8Array([0]) },
            { type: 0x000b, data: new Uint8Array([1, 0]) },
            { type: 0x0017, data: new Uint8Array(0) },
          ],
        };
        link.clientIn.write(record(CT.HANDSHAKE, encodeHello(tls12, false)));
        const r = await link.client.doHandshake();
        assertFailed(link.client, r, { reason: 'unsupported protocol', alert: AL.PROTOCOL_VERSION, wrote: drain(link.clientOut) });
      });
    }
  });

  describe('the record layer: what a server receives first', () => {
    const cases: { name: string; bytes: Uint8Array; reason: string; alert: number | null; openssl: string }[] = [
      { name: 'plaintext HTTP (GET / HTTP/1.1)', bytes: ascii('GET / HTTP/1.1\r\nHost: example.com\r\n\r\n'), reason: 'http request', alert: null, openssl: 'the same, no alert' },
      { name: 'plaintext HTTP (POST)', bytes: ascii('POST /x HTTP/1.1\r\nContent-Length: 0\r\n\r\n'), reason: 'http request', alert: null, openssl: 'the same, no alert' },
      { name: 'plaintext HTTP (HEAD)', bytes: ascii('HEAD / HTTP/1.0\r\n\r\n'), reason: 'http request', alert: null, openssl: 'the same, no alert' },
      { name: 'an HTTP proxy request (CONNECT)', bytes: ascii('CONNECT example.com:443 HTTP/1.1\r\n\r\n'), reason: 'https proxy request', alert: null, openssl: 'the same, no alert' },
      {
        name: 'an SSLv2-style ClientHello',
        bytes: concat(new Uint8Array([0x80, 0x1f, 0x01, 0x03, 0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x2f, 0x00, 0x00, 0x35]), new Uint8Array(16).fill(0xab)),
        reason: 'wrong version number',
        alert: AL.PROTOCOL_VERSION,
        openssl: '"unsupported protocol", protocol_version',
      },
      { name: 'garbage (0xc8..0xff)', bytes: Uint8Array.from({ length: 56 }, (_, i) => 200 + i), reason: 'wrong version number', alert: AL.PROTOCOL_VERSION, openssl: '"wrong version number", no alert' },
      { name: 'a record of version 2.1', bytes: concat(new Uint8Array([22, 2, 1, 0, 16]), new Uint8Array(16)), reason: 'wrong version number', alert: AL.PROTOCOL_VERSION, openssl: '"wrong version number", no alert' },
      { name: 'a record of unknown content type 25', bytes: concat(new Uint8Array([25, 3, 1, 0, 16]), new Uint8Array(16)), reason: 'bad record type', alert: AL.UNEXPECTED_MESSAGE, openssl: '"unexpected message", unexpected_message' },
      { name: 'application data before the handshake', bytes: concat(new Uint8Array([23, 3, 3, 0, 16]), new Uint8Array(16)), reason: 'unexpected record', alert: AL.UNEXPECTED_MESSAGE, openssl: '-' },
      { name: 'a plaintext record of 2^14+1 bytes', bytes: concat(new Uint8Array([22, 3, 1, 0x40, 0x01]), new Uint8Array(16385).fill(1)), reason: 'packet length too long', alert: AL.RECORD_OVERFLOW, openssl: '"data length too long", record_overflow' },
      { name: 'a change_cipher_spec before the ClientHello', bytes: new Uint8Array([20, 3, 3, 0, 1, 1]), reason: 'ccs received early', alert: AL.UNEXPECTED_MESSAGE, openssl: '-' },
      { name: 'a ClientHello spread over a CCS', bytes: concat(record(CT.HANDSHAKE, new Uint8Array([1, 0, 0])), new Uint8Array([20, 3, 3, 0, 1, 1])), reason: 'ccs received early', alert: AL.UNEXPECTED_MESSAGE, openssl: '-' },
      { name: 'an alert record of 3 bytes', bytes: record(CT.ALERT, new Uint8Array([2, 40, 0])), reason: 'invalid alert', alert: AL.DECODE_ERROR, openssl: '-' },
    ];
    for (const c of cases) {
      it(`${c.name}: ${c.alert === null ? 'no alert' : `alert ${c.alert}`} "${c.reason}" [OpenSSL: ${c.openssl}]`, async () => {
        const link = await linkFor({ crypto: 'real' });
        link.serverIn.write(c.bytes);
        const r = await link.server.doHandshake();
        assertFailed(link.server, r, { reason: c.reason, alert: c.alert, wrote: drain(link.serverOut) });
      });
    }

    it('a fatal alert instead of a ClientHello: "sslv3 alert handshake failure", nothing sent back', async () => {
      const link = await linkFor({ crypto: 'real' });
      link.serverIn.write(record(CT.ALERT, alertBody(AL.HANDSHAKE_FAILURE)));
      const r = await link.server.doHandshake();
      assert.equal(link.server.getError(r), SSL_ERROR_SSL);
      assert.equal(link.server.errorReason(), 'sslv3 alert handshake failure');
      assert.equal(link.server.lastErrorDetail()?.receivedAlert, AL.HANDSHAKE_FAILURE);
      assert.equal(link.serverOut.pending(), 0);
    });

    it('a client answered with plaintext HTTP: "wrong version number" [OpenSSL: the same, no alert]', async () => {
      const link = await linkFor({ crypto: 'real' });
      await link.client.doHandshake();
      drain(link.clientOut);
      link.clientIn.write(ascii('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
      const r = await link.client.doHandshake();
      assertFailed(link.client, r, { reason: 'wrong version number', alert: AL.PROTOCOL_VERSION, wrote: drain(link.clientOut) });
    });
  });

  describe('encrypted handshake messages (forged with the null provider)', () => {
    const flip = (b: Uint8Array, i: number): Uint8Array => {
      const c = b.slice();
      const p = ((i % c.length) + c.length) % c.length;
      c[p] = (c[p] as number) ^ 1;
      return c;
    };
    const cases: { name: string; victim: Role; type: number; clientAuth?: boolean; edit: (items: Item[], i: number) => void; alert: number; reason: string }[] = [
      { name: 'server Finished with one bit flipped', victim: 'client', type: HT.FINISHED, edit: (it, i) => setBody(it, i, flip(msgAt(it, i).msg.body, 0)), alert: AL.DECRYPT_ERROR, reason: 'digest check failed' },
      // RFC 8446 §4.4.4: a Finished of the wrong length is decode_error, checked before the comparison (OpenSSL:
      // "bad digest length"; tlsfuzzer test-tls13-finished).
      { name: 'server Finished one byte short', victim: 'client', type: HT.FINISHED, edit: (it, i) => setBody(it, i, msgAt(it, i).msg.body.slice(1)), alert: AL.DECODE_ERROR, reason: 'bad digest length' },
      { name: 'server Finished empty', victim: 'client', type: HT.FINISHED, edit: (it, i) => setBody(it, i, new Uint8Array(0)), alert: AL.DECODE_ERROR, reason: 'bad digest length' },
      { name: 'client Finished one byte short', victim: 'server', type: HT.FINISHED, edit: (it, i) => setBody(it, i, msgAt(it, i).msg.body.slice(1)), alert: AL.DECODE_ERROR, reason: 'bad digest length' },
      { name: 'client Finished one byte longer (the right verify_data, then a zero)', victim: 'server', type: HT.FINISHED, edit: (it, i) => setBody(it, i, concat(msgAt(it, i).msg.body, new Uint8Array(1))), alert: AL.DECODE_ERROR, reason: 'bad digest length' },
      { name: 'server CertificateVerify signature with one bit flipped', victim: 'client', type: HT.CERTIFICATE_VERIFY, edit: (it, i) => setBody(it, i, flip(msgAt(it, i).msg.body, -1)), alert: AL.DECRYPT_ERROR, reason: 'bad signature' },
      {
        name: 'server CertificateVerify with rsa_pss_rsae_sha256 for an EC key',
        victim: 'client',
        type: HT.CERTIFICATE_VERIFY,
        edit: (it, i) => setBody(it, i, concat(new Uint8Array([8, 4]), msgAt(it, i).msg.body.subarray(2))),
        alert: AL.ILLEGAL_PARAMETER,
        reason: 'wrong signature type',
      },
      {
        name: 'server CertificateVerify with rsa_pkcs1_sha256 (not allowed in TLS 1.3)',
        victim: 'client',
        type: HT.CERTIFICATE_VERIFY,
        edit: (it, i) => setBody(it, i, concat(new Uint8Array([4, 1]), msgAt(it, i).msg.body.subarray(2))),
        alert: AL.ILLEGAL_PARAMETER,
        reason: 'wrong signature type',
      },
      { name: 'server CertificateVerify missing', victim: 'client', type: HT.CERTIFICATE_VERIFY, edit: (it, i) => it.splice(i, 1), alert: AL.UNEXPECTED_MESSAGE, reason: 'unexpected message' },
      { name: 'EncryptedExtensions missing', victim: 'client', type: HT.ENCRYPTED_EXTENSIONS, edit: (it, i) => it.splice(i, 1), alert: AL.UNEXPECTED_MESSAGE, reason: 'unexpected message' },
      { name: 'server Certificate missing', victim: 'client', type: HT.CERTIFICATE, edit: (it, i) => it.splice(i, 1), alert: AL.UNEXPECTED_MESSAGE, reason: 'unexpected message' },
      { name: 'a second EncryptedExtensions', victim: 'client', type: HT.ENCRYPTED_EXTENSIONS, edit: (it, i) => it.splice(i, 0, msgAt(it, i)), alert: AL.UNEXPECTED_MESSAGE, reason: 'unexpected message' },
      {
        name: 'EncryptedExtensions with an extension never offered (0x1234)',
        victim: 'client',
        type: HT.ENCRYPTED_EXTENSIONS,
        edit: (it, i) => setBody(it, i, encodeExts([{ type: 0x1234, data: new Uint8Array(0) }])),
        alert: AL.UNSUPPORTED_EXTENSION,
        reason: 'unsolicited extension',
      },
      {
        name: 'EncryptedExtensions with key_share (offered, but not allowed there)',
        victim: 'client',
        type: HT.ENCRYPTED_EXTENSIONS,
        edit: (it, i) => setBody(it, i, encodeExts([{ type: EXT.KEY_SHARE, data: new Uint8Array([0, 0x1d, 0, 1, 1]) }])),
        alert: AL.ILLEGAL_PARAMETER,
        reason: 'bad extension',
      },
      {
        name: 'EncryptedExtensions with server_name twice',
        victim: 'client',
        type: HT.ENCRYPTED_EXTENSIONS,
        edit: (it, i) => setBody(it, i, encodeExts([{ type: EXT.SERVER_NAME, data: new Uint8Array(0) }, { type: EXT.SERVER_NAME, data: new Uint8Array(0) }])),
        alert: AL.ILLEGAL_PARAMETER,
        reason: 'duplicate extension',
      },
      {
        name: 'EncryptedExtensions with ALPN the client did not offer',
        victim: 'client',
        type: HT.ENCRYPTED_EXTENSIONS,
        edit: (it, i) => setBody(it, i, encodeExts([{ type: EXT.ALPN, data: vec16(new Uint8Array([2, 0x68, 0x32])) }])),
        alert: AL.UNSUPPORTED_EXTENSION,
        reason: 'unsolicited extension',
      },
      {
        name: 'server Certificate with an empty certificate_list',
        victim: 'client',
        type: HT.CERTIFICATE,
        edit: (it, i) => setBody(it, i, new Uint8Array([0, 0, 0, 0])),
        alert: AL.DECODE_ERROR,
        reason: 'no certificates returned',
      },
      {
        name: 'server Certificate with a non-empty certificate_request_context',
        victim: 'client',
        type: HT.CERTIFICATE,
        edit: (it, i) => setBody(it, i, concat(new Uint8Array([1, 7]), msgAt(it, i).msg.body.subarray(1))),
        alert: AL.ILLEGAL_PARAMETER,
        reason: 'bad packet',
      },
      {
        name: 'server Certificate entry with an unsolicited extension (status_request)',
        victim: 'client',
        type: HT.CERTIFICATE,
        edit: (it, i) => {
          const b = msgAt(it, i).msg.body;
          // context(1) list_len(3) cert_len(3) cert ... ext_len(2): give the first entry an extension
          const certLen = ((b[4] as number) << 16) | ((b[5] as number) << 8) | (b[6] as number);
          const cert = b.subarray(7, 7 + certLen);
          const entry = concat(new Uint8Array([certLen >> 16, (certLen >> 8) & 0xff, certLen & 0xff]), cert, vec16(new Uint8Array([0, 5, 0, 0])));
          setBody(it, i, concat(new Uint8Array([0, entry.length >> 16, (entry.length >> 8) & 0xff, entry.length & 0xff]), entry));
        },
        alert: AL.UNSUPPORTED_EXTENSION,
        reason: 'unsolicited extension',
      },
      {
        name: 'server Certificate that is not DER',
        victim: 'client',
        type: HT.CERTIFICATE,
        edit: (it, i) => setBody(it, i, new Uint8Array([0, 0, 0, 10, 0, 0, 5, 0x30, 3, 1, 2, 3, 0, 0])),
        alert: AL.BAD_CERTIFICATE,
        reason: 'bad certificate',
      },
      {
        name: 'CertificateRequest without signature_algorithms',
        victim: 'client',
        clientAuth: true,
        type: HT.CERTIFICATE_REQUEST,
        edit: (it, i) => setBody(it, i, concat(new Uint8Array([0]), encodeExts([]))),
        alert: AL.MISSING_EXTENSION,
        reason: 'missing sigalgs extension',
      },
      {
        name: 'CertificateRequest with a non-empty context in the handshake',
        victim: 'client',
        clientAuth: true,
        type: HT.CERTIFICATE_REQUEST,
        edit: (it, i) => setBody(it, i, concat(new Uint8Array([1, 9]), encodeExts([{ type: EXT.SIGNATURE_ALGORITHMS, data: u16list([0x0403]) }]))),
        alert: AL.ILLEGAL_PARAMETER,
        reason: 'bad packet',
      },
      { name: 'client Finished with one bit flipped', victim: 'server', type: HT.FINISHED, edit: (it, i) => setBody(it, i, flip(msgAt(it, i).msg.body, 5)), alert: AL.DECRYPT_ERROR, reason: 'digest check failed' },
      {
        name: 'client CertificateVerify signature with one bit flipped',
        victim: 'server',
        clientAuth: true,
        type: HT.CERTIFICATE_VERIFY,
        edit: (it, i) => setBody(it, i, flip(msgAt(it, i).msg.body, -3)),
        alert: AL.DECRYPT_ERROR,
        reason: 'bad signature',
      },
      {
        name: 'client Certificate empty while the server requires one',
        victim: 'server',
        clientAuth: true,
        type: HT.CERTIFICATE,
        edit: (it, i) => {
          setBody(it, i, new Uint8Array([0, 0, 0, 0]));
          it.splice(i + 1, 1); // and no CertificateVerify, as a client without a certificate sends
        },
        alert: AL.CERTIFICATE_REQUIRED,
        reason: 'peer did not return a certificate',
      },
      { name: 'client CertificateVerify missing', victim: 'server', clientAuth: true, type: HT.CERTIFICATE_VERIFY, edit: (it, i) => it.splice(i, 1), alert: AL.UNEXPECTED_MESSAGE, reason: 'unexpected message' },
      { name: 'client Certificate missing', victim: 'server', clientAuth: true, type: HT.CERTIFICATE, edit: (it, i) => it.splice(i, 1), alert: AL.UNEXPECTED_MESSAGE, reason: 'unexpected message' },
      {
        name: 'a ServerHello inside the encrypted flight',
        victim: 'client',
        type: HT.ENCRYPTED_EXTENSIONS,
        edit: (it, i) => it.splice(i, 0, { ...msgAt(it, i), msg: { type: HT.SERVER_HELLO, body: new Uint8Array(40) } }),
        alert: AL.UNEXPECTED_MESSAGE,
        reason: 'unexpected message',
      },
      {
        name: 'a handshake message spanning the key change (EncryptedExtensions begun in the ServerHello record)',
        victim: 'client',
        type: HT.SERVER_HELLO,
        edit: (it, i) => {
          const sh = msgAt(it, i);
          const ee = it.find((x, j) => j > i && x.kind === 'msg' && x.msg.type === HT.ENCRYPTED_EXTENSIONS) as Extract<Item, { kind: 'msg' }>;
          const eeRaw = frame(ee.msg.type, ee.msg.body);
          it[i] = { kind: 'unit', group: sh.group, unit: { sealed: false, opaque: false, type: CT.HANDSHAKE, version: 0x0303, content: concat(frame(sh.msg.type, sh.msg.body), eeRaw.subarray(0, 2)) } };
          it.splice(it.indexOf(ee), 1, { kind: 'unit', group: ee.group, unit: { sealed: true, opaque: false, type: CT.HANDSHAKE, version: 0x0303, content: eeRaw.subarray(2) } });
        },
        alert: AL.UNEXPECTED_MESSAGE,
        reason: 'not on record boundary',
      },
    ];
    for (const c of cases) {
      it(`${c.victim} victim: ${c.name}: alert ${c.alert} "${c.reason}"`, async () => {
        const out = await tamper({ dir: c.victim === 'client' ? 's2c' : 'c2s', type: c.type, edit: c.edit, ...(c.clientAuth ? { clientAuth: true } : {}) });
        assertVictim(out, c.victim, c.alert, c.reason);
      });
    }
  });

  describe('an alert at every handshake step, both roles (null provider: alerts sealed under the current key)', () => {
    const configs = [
      { hrr: false, clientAuth: false },
      { hrr: true, clientAuth: false },
      { hrr: false, clientAuth: true },
    ];
    const alerts: { level: number; desc: number; expect: 'fatal' | 'closed' | 'tolerated'; reason?: string }[] = [
      { level: 2, desc: AL.HANDSHAKE_FAILURE, expect: 'fatal', reason: 'sslv3 alert handshake failure' },
      { level: 2, desc: AL.DECODE_ERROR, expect: 'fatal', reason: 'tlsv1 alert decode error' },
      { level: 1, desc: AL.BAD_CERTIFICATE, expect: 'fatal', reason: 'sslv3 alert bad certificate' }, // warning level: fatal anyway (§6.2)
      { level: 2, desc: 255, expect: 'fatal', reason: 'ssl/tls alert number 255' },
      { level: 1, desc: AL.CLOSE_NOTIFY, expect: 'closed' },
      { level: 1, desc: AL.USER_CANCELED, expect: 'tolerated' },
    ];
    for (const victim of ['client', 'server'] as const) {
      for (const cfg of configs) {
        const label = `${victim}${cfg.hrr ? ', HelloRetryRequest' : ''}${cfg.clientAuth ? ', client certificate' : ''}`;
        it(`${label}: every boundary x ${alerts.length} alerts`, async () => {
          const types = await incomingTypes(victim, cfg.hrr, cfg.clientAuth);
          const problems: string[] = [];
          for (let k = 0; k <= types.length; k++) {
            for (const a of alerts) {
              const r = await runAtBoundary({
                victim,
                ...cfg,
                boundary: k,
                make: (sealedRec) => [{ kind: 'unit', group: 1e9, unit: { sealed: sealedRec, opaque: false, type: CT.ALERT, version: 0x0303, content: alertBody(a.desc, a.level) } }],
              });
              const v = victimOf(r.out, victim);
              const f = v.failure;
              const where = `boundary ${k} (${r.state}), alert ${a.level}/${a.desc}: ${describeOutcome(r.out)}`;
              if (r.out.violations.length) problems.push(`${where}: ${r.out.violations.join('; ')}`);
              if (a.expect === 'fatal') {
                if (!f || f.afterEof || f.detail?.receivedAlert !== a.desc || f.reason !== a.reason || f.detail?.alert !== null || alertsIn(f.wroteDuring).length) problems.push(`${where}: expected "${a.reason}", nothing sent back`);
              } else if (a.expect === 'closed') {
                // During the handshake doHandshake returns 0 (ZERO_RETURN); after it, read() does.
                if (v.phase !== 'closed' || (f !== null && f.err !== SSL_ERROR_ZERO_RETURN)) problems.push(`${where}: expected ZERO_RETURN`);
              } else if (!f?.afterEof || f.reason !== 'unexpected eof while reading') problems.push(`${where}: user_canceled must be tolerated (then the EOF ends it)`);
            }
          }
          assert.deepEqual(problems, []);
        });
      }
    }
  });

  describe('the transport closed at every handshake step, both roles', () => {
    for (const victim of ['client', 'server'] as const) {
      for (const cfg of [
        { hrr: false, clientAuth: false },
        { hrr: true, clientAuth: true },
      ]) {
        it(`${victim}${cfg.hrr ? ', HelloRetryRequest + client certificate' : ''}: at every message boundary (null provider)`, async () => {
          const types = await incomingTypes(victim, cfg.hrr, cfg.clientAuth);
          const problems: string[] = [];
          for (let k = 0; k <= types.length; k++) {
            const r = await runAtBoundary({ victim, ...cfg, boundary: k, make: null });
            const f = victimOf(r.out, victim).failure;
            const where = `boundary ${k} (${r.state}): ${describeOutcome(r.out)}`;
            if (r.out.violations.length) problems.push(`${where}: ${r.out.violations.join('; ')}`);
            if (!f || f.err !== SSL_ERROR_SSL || f.reason !== 'unexpected eof while reading' || f.detail?.alert !== AL.DECODE_ERROR || alertsIn(f.wroteDuring).at(-1)?.desc !== AL.DECODE_ERROR) {
              problems.push(`${where}: expected "unexpected eof while reading" with decode_error sent`);
            }
          }
          assert.deepEqual(problems, []);
        });
      }

      it(`${victim}: at byte offsets inside the first two flights (WebCrypto)`, async () => {
        const dir: Dir = victim === 'client' ? 's2c' : 'c2s';
        const problems: string[] = [];
        for (const flight of [0, 1]) {
          for (const at of [0, 1, 3, 5, 6, 'half', 'last'] as const) {
            let cut = false;
            const out = await runPair({
              crypto: 'real',
              clientPayload: pattern(50, 1),
              serverPayload: pattern(50, 2),
              filter: (d, n, bytes) => {
                if (d !== dir) return bytes;
                if (cut) return new Uint8Array(0);
                if (n !== flight) return bytes;
                cut = true;
                const p = at === 'half' ? bytes.length >> 1 : at === 'last' ? bytes.length - 1 : at;
                return bytes.slice(0, p);
              },
            });
            const f = victimOf(out, victim).failure;
            const where = `flight ${flight} cut at ${at}: ${describeOutcome(out)}`;
            if (out.violations.length) problems.push(`${where}: ${out.violations.join('; ')}`);
            if (f?.reason !== 'unexpected eof while reading' || f.detail?.alert !== AL.DECODE_ERROR) problems.push(`${where}: expected "unexpected eof while reading"`);
          }
        }
        assert.deepEqual(problems, []);
      });
    }
  });
});
