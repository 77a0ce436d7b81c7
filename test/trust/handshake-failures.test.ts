/**
 * Certificate verification end to end: a memtls client ↔ memtls server handshake over a Link (manual
 * delivery) for every fault that packages/core/test/cert/verify.test.ts checks at the function level.
 *
 * For a refused chain the test checks, on the wire and on both ends: the client fails with SSL_ERROR_SSL,
 * names the X509_V_ERR code, and writes the alert of docs/trust.md; the server reads that alert (its
 * errorReason is OpenSSL's received-alert text); no application data moves in either direction.
 */
import { strict as assert } from 'node:assert';
import {
  type ContextOptions,
  SSL_ERROR_SSL,
  SSL_ERROR_SYSCALL,
  SSL_ERROR_WANT_READ,
  SSL_ERROR_ZERO_RETURN,
  SslContext,
} from '@memtls/core';
import { Link } from '../util/link.js';
import { breakSignature, type CertName, NOW, type TrustPki, trustPki } from './pki.js';

/** TLS alert numbers (RFC 8446 §6) and OpenSSL's text for each one received. */
const ALERT = {
  bad_certificate: { n: 42, received: 'sslv3 alert bad certificate' },
  unsupported_certificate: { n: 43, received: 'sslv3 alert unsupported certificate' },
  certificate_expired: { n: 45, received: 'sslv3 alert certificate expired' },
  certificate_unknown: { n: 46, received: 'sslv3 alert certificate unknown' },
  unknown_ca: { n: 48, received: 'tlsv1 alert unknown ca' },
  certificate_required: { n: 116, received: 'tlsv13 alert certificate required' },
} as const;
type AlertName = keyof typeof ALERT;

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const clock = () => NOW;

interface Fault {
  code: string;
  alert: AlertName;
}

interface ServerCase {
  name: string;
  /** PEM chain the server sends (leaf first unless the case says otherwise). */
  chain: (p: TrustPki) => string;
  /** Whose key the server signs with. */
  key: CertName;
  /** The client's trust anchor (default 'root'). */
  anchor?: CertName;
  serverName?: string;
  /** Omitted: the handshake completes and data flows. */
  fault?: Fault;
}

const SERVER_CASES: ServerCase[] = [
  { name: 'good chain (leaf + intermediate)', chain: (p) => p.chain('server', 'int'), key: 'server' },
  { name: 'intermediates out of order (leaf, deep1, deep2)', chain: (p) => p.chain('serverDeep', 'deep1', 'deep2'), key: 'serverDeep' },
  { name: 'expired leaf', chain: (p) => p.chain('serverExpired', 'int'), key: 'serverExpired', fault: { code: 'X509_V_ERR_CERT_HAS_EXPIRED', alert: 'certificate_expired' } },
  { name: 'not-yet-valid leaf', chain: (p) => p.chain('serverFuture', 'int'), key: 'serverFuture', fault: { code: 'X509_V_ERR_CERT_NOT_YET_VALID', alert: 'bad_certificate' } },
  { name: 'wrong host name', chain: (p) => p.chain('server', 'int'), key: 'server', serverName: 'other.test', fault: { code: 'X509_V_ERR_HOSTNAME_MISMATCH', alert: 'bad_certificate' } },
  { name: 'wildcard *.example.com matches a.example.com', chain: (p) => p.chain('server', 'int'), key: 'server', serverName: 'a.example.com' },
  { name: 'wildcard *.example.com does not match a.b.example.com', chain: (p) => p.chain('server', 'int'), key: 'server', serverName: 'a.b.example.com', fault: { code: 'X509_V_ERR_HOSTNAME_MISMATCH', alert: 'bad_certificate' } },
  { name: 'wildcard *.example.com does not match example.com', chain: (p) => p.chain('server', 'int'), key: 'server', serverName: 'example.com', fault: { code: 'X509_V_ERR_HOSTNAME_MISMATCH', alert: 'bad_certificate' } },
  { name: 'IP 127.0.0.1 matches an iPAddress SAN', chain: (p) => p.chain('server', 'int'), key: 'server', serverName: '127.0.0.1' },
  { name: 'IP 127.0.0.1 does not match a dNSName "127.0.0.1"', chain: (p) => p.chain('serverDnsOnly', 'int'), key: 'serverDnsOnly', serverName: '127.0.0.1', fault: { code: 'X509_V_ERR_IP_ADDRESS_MISMATCH', alert: 'bad_certificate' } },
  { name: 'commonName only (CN=localhost, no SAN): no CN fallback', chain: (p) => p.chain('serverCnOnly', 'int'), key: 'serverCnOnly', fault: { code: 'X509_V_ERR_HOSTNAME_MISMATCH', alert: 'bad_certificate' } },
  { name: 'unknown root', chain: (p) => p.chain('serverOther', 'otherInt'), key: 'serverOther', fault: { code: 'X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY', alert: 'unknown_ca' } },
  { name: 'self-signed leaf', chain: (p) => p.chain('serverSelf'), key: 'serverSelf', fault: { code: 'X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT', alert: 'unknown_ca' } },
  { name: 'intermediate with CA:FALSE', chain: (p) => p.chain('serverUnderNotCa', 'intNotCa'), key: 'serverUnderNotCa', fault: { code: 'X509_V_ERR_INVALID_CA', alert: 'unknown_ca' } },
  { name: 'pathLen 0 exceeded', chain: (p) => p.chain('serverUnderPl0', 'intUnderPl0', 'intPl0'), key: 'serverUnderPl0', fault: { code: 'X509_V_ERR_PATH_LENGTH_EXCEEDED', alert: 'unknown_ca' } },
  { name: 'wrong EKU (clientAuth-only leaf)', chain: (p) => p.chain('serverClientOnly', 'int'), key: 'serverClientOnly', serverName: 'client.test', fault: { code: 'X509_V_ERR_INVALID_PURPOSE', alert: 'unsupported_certificate' } },
  { name: 'broken leaf signature (one byte flipped)', chain: (p) => breakSignature(p.pem('server')) + p.pem('int'), key: 'server', fault: { code: 'X509_V_ERR_CERT_SIGNATURE_FAILURE', alert: 'bad_certificate' } },
  { name: 'name constraints: SAN evil.test outside permitted allowed.test', chain: (p) => p.chain('serverNc', 'intNc'), key: 'serverNc', serverName: 'ok.allowed.test', fault: { code: 'X509_V_ERR_PERMITTED_VIOLATION', alert: 'certificate_unknown' } },
  { name: 'RSA-PSS chain (RSA root and leaf, rsa_pss_rsae_sha256 signatures)', chain: (p) => p.chain('serverRsaPss'), key: 'serverRsaPss', anchor: 'rootRsa' },
  { name: 'RSA-PSS chain (RSA-PSS-key root, rsa_pss_pss_sha256 signature)', chain: (p) => p.chain('serverUnderPssKey'), key: 'serverUnderPssKey', anchor: 'rootPssKey' },
  { name: 'Ed25519 chain', chain: (p) => p.chain('serverEd'), key: 'serverEd', anchor: 'rootEd' },
];

/** Both sides exchange one message each way over a completed handshake. */
async function dataFlows(l: Link): Promise<void> {
  const buf = new Uint8Array(64);
  assert.equal(await l.client.write(enc('ping')), 4);
  l.toServer();
  let n = await l.server.read(buf);
  assert.ok(n > 0, `server read: ${l.server.errorReason()}`);
  assert.equal(dec(buf.subarray(0, n)), 'ping');
  assert.equal(await l.server.write(enc('pong')), 4);
  l.toClient();
  n = await l.client.read(buf);
  // the client may first consume NewSessionTickets
  while (n < 0 && l.client.getError(n) === SSL_ERROR_WANT_READ) n = await l.client.read(buf);
  assert.equal(dec(buf.subarray(0, n)), 'pong');
}

/**
 * A side that has failed refuses application data both ways and writes nothing more. As OpenSSL (whose
 * state machine is then in MSG_FLOW_ERROR and queues no new error), memtls returns -1 with no error of the
 * call's own (docs/shutdown.md rule 14). getError is then SSL_ERROR_SYSCALL for the side that sent the
 * alert, and SSL_ERROR_ZERO_RETURN for the side that received it: a received fatal alert sets
 * RECEIVED_SHUTDOWN and leaves warn_alert at 0, which is close_notify (OpenSSL's SSL_get_error quirk);
 * that side's read() returns 0.
 */
async function noApplicationData(failed: Link['client'], wrote: () => number, side: 'sent' | 'received'): Promise<void> {
  const err = side === 'sent' ? SSL_ERROR_SYSCALL : SSL_ERROR_ZERO_RETURN;
  const before = wrote();
  const w = await failed.write(enc('must not be sent'));
  assert.equal(w, -1, `write after a failed handshake returned ${w}`);
  assert.equal(failed.getError(w), err);
  const r = await failed.read(new Uint8Array(64));
  // RECEIVED_SHUTDOWN makes read() return 0 without touching the BIO (OpenSSL's ssl_read_internal)
  assert.equal(r, side === 'sent' ? -1 : 0, `read after a failed handshake returned ${r}`);
  assert.equal(failed.getError(r), err);
  assert.equal(wrote(), before, 'nothing written after the failure');
}

describe('trust end to end: the server presents the chain, a memtls client verifies it', function () {
  this.timeout(20_000);
  let pki: TrustPki;
  before(() => {
    pki = trustPki();
  });

  for (const c of SERVER_CASES) {
    it(`${c.fault ? 'refuses' : 'accepts'}: ${c.name}`, async () => {
      const sctx = new SslContext({ role: 'server', cert: c.chain(pki), key: pki.key(c.key), now: clock });
      const cctx = new SslContext({ role: 'client', ca: pki.pem(c.anchor ?? 'root'), now: clock });
      const l = new Link(cctx, sctx, { serverName: c.serverName ?? 'localhost' });
      if (!c.fault) {
        await l.handshake();
        assert.equal(l.client.verifyResult(), 'X509_V_OK');
        await dataFlows(l);
        return;
      }
      const { code, alert } = c.fault;
      // ClientHello → server flight (through Finished) → the client verifies and fails.
      assert.equal(l.client.getError(await l.client.doHandshake()), SSL_ERROR_WANT_READ);
      l.toServer();
      assert.equal(l.server.getError(await l.server.doHandshake()), SSL_ERROR_WANT_READ);
      const serverBefore = l.serverWrote;
      const clientBefore = l.clientWrote;
      l.toClient();
      const rc = await l.client.doHandshake();
      assert.equal(rc, -1);
      assert.equal(l.client.getError(rc), SSL_ERROR_SSL);
      assert.equal(l.client.errorReason(), 'certificate verify failed');
      assert.equal(l.client.verifyResult(), code);
      assert.match(String(l.client.lastErrorDetail()?.message), new RegExp(code.replace('X509_V_ERR_', '')));
      assert.equal(l.client.lastErrorDetail()?.alert, ALERT[alert].n, 'alert sent by the client');
      assert.ok(l.clientWrote > clientBefore, 'the client wrote its alert');
      assert.equal(l.client.isInitFinished(), false);
      await noApplicationData(l.client, () => l.clientWrote, 'sent');

      // The server reads the alert: its read fails, and no data ever reaches it. The server is still in
      // its handshake (waiting for the client's Finished), so as in OpenSSL the read that meets the fatal
      // alert returns -1 (the handshake state machine's error), not the 0 of a read after the handshake.
      l.toServer();
      const buf = new Uint8Array(64);
      const rs = await l.server.read(buf);
      assert.equal(rs, -1, `server read returned ${rs} (${l.server.errorReason()})`);
      assert.equal(l.server.getError(rs), SSL_ERROR_SSL);
      assert.equal(l.server.errorReason(), ALERT[alert].received);
      assert.equal(l.server.lastErrorDetail()?.receivedAlert, ALERT[alert].n);
      assert.equal(l.serverWrote, serverBefore, 'the server sent nothing after its flight');
      await noApplicationData(l.server, () => l.serverWrote, 'received');
    });
  }
});

interface ClientCase {
  name: string;
  /** The client's certificate chain and key; none: sends an empty Certificate. */
  cert?: { chain: (p: TrustPki) => string; key: CertName };
  server?: Partial<ContextOptions>;
  /** Omitted: the handshake completes and data flows. */
  fault?: { reason: string; alert: AlertName; code?: string };
}

const CLIENT_CASES: ClientCase[] = [
  { name: 'a good clientAuth certificate', cert: { chain: (p) => p.chain('client', 'int'), key: 'client' } },
  { name: 'no certificate', fault: { reason: 'peer did not return a certificate', alert: 'certificate_required' } },
  { name: 'an expired client certificate', cert: { chain: (p) => p.chain('clientExpired', 'int'), key: 'clientExpired' }, fault: { reason: 'certificate verify failed', alert: 'certificate_expired', code: 'X509_V_ERR_CERT_HAS_EXPIRED' } },
  { name: 'a serverAuth-only certificate (wrong EKU)', cert: { chain: (p) => p.chain('clientServerOnly', 'int'), key: 'clientServerOnly' }, fault: { reason: 'certificate verify failed', alert: 'unsupported_certificate', code: 'X509_V_ERR_INVALID_PURPOSE' } },
  { name: 'a certificate from an unknown CA', cert: { chain: (p) => p.chain('clientOther', 'otherInt'), key: 'clientOther' }, fault: { reason: 'certificate verify failed', alert: 'unknown_ca', code: 'X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY' } },
  { name: 'no certificate, requireClientCert: false', server: { requireClientCert: false } },
];

describe('trust end to end: client certificates, verified by a memtls server', function () {
  this.timeout(20_000);
  let pki: TrustPki;
  before(() => {
    pki = trustPki();
  });

  for (const c of CLIENT_CASES) {
    it(`${c.fault ? 'refuses' : 'accepts'}: ${c.name}`, async () => {
      const sctx = new SslContext({
        role: 'server',
        cert: pki.chain('server', 'int'),
        key: pki.key('server'),
        ca: pki.pem('root'),
        verifyPeer: true,
        now: clock,
        ...c.server,
      });
      const cctx = new SslContext({
        role: 'client',
        ca: pki.pem('root'),
        now: clock,
        ...(c.cert ? { cert: c.cert.chain(pki), key: pki.key(c.cert.key) } : {}),
      });
      const l = new Link(cctx, sctx, { serverName: 'localhost' });
      if (!c.fault) {
        await l.handshake();
        assert.equal(l.server.peerCertificates().length, c.cert ? 2 : 0);
        // No certificate, nothing verified: never X509_V_OK (docs/trust.md).
        assert.equal(l.server.verifyResult(), c.cert ? 'X509_V_OK' : 'X509_V_ERR_NOT_VERIFIED');
        await dataFlows(l);
        return;
      }
      const { reason, alert, code } = c.fault;
      assert.equal(l.client.getError(await l.client.doHandshake()), SSL_ERROR_WANT_READ);
      l.toServer();
      assert.equal(l.server.getError(await l.server.doHandshake()), SSL_ERROR_WANT_READ);
      l.toClient();
      // TLS 1.3: the client finishes first (Certificate, CertificateVerify, Finished) and may send
      // application data at once; the server must refuse the certificate before any of it is delivered.
      assert.equal(await l.client.doHandshake(), 1);
      assert.equal(await l.client.write(enc('early secret')), 12);
      const serverBefore = l.serverWrote;
      l.toServer();
      const rs = await l.server.doHandshake();
      assert.equal(rs, -1);
      assert.equal(l.server.getError(rs), SSL_ERROR_SSL);
      assert.equal(l.server.errorReason(), reason);
      if (code) assert.equal(l.server.verifyResult(), code);
      assert.equal(l.server.lastErrorDetail()?.alert, ALERT[alert].n, 'alert sent by the server');
      assert.ok(l.serverWrote > serverBefore, 'the server wrote its alert');
      // the client's data is never delivered (noApplicationData reads it, and gets -1)
      await noApplicationData(l.server, () => l.serverWrote, 'sent');
      const buf = new Uint8Array(64);

      // The client meets the alert on its next read.
      l.toClient();
      const rc = await l.client.read(buf);
      assert.equal(rc, 0);
      assert.equal(l.client.getError(rc), SSL_ERROR_SSL);
      assert.equal(l.client.errorReason(), ALERT[alert].received);
      assert.equal(l.client.lastErrorDetail()?.receivedAlert, ALERT[alert].n);
    });
  }
});
