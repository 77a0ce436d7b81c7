/**
 * @memtls/node with TLS 1.2: `minVersion` / `maxVersion` and `ciphers` as Node's `tls` (defaults TLSv1.2 to
 * TLSv1.3, no `secureProtocol`), `getProtocol()` and `getCipher()` compared with Node's own on the same
 * connection (memtls on one end, Node's `tls` on the other, TCP on 127.0.0.1), in both roles.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type net from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import { connect, contextFromOptions, createServer, type MemtlsSocket, opensslSuiteName, parseCipherString, type SecureOptions } from '@memtls/node';
import { cleanup, collect, listen, once, testPki, track, trackServer } from './helpers.js';

/** An RSA 2048 leaf for localhost signed by the test root, for the ECDHE_RSA suites. */
let rsaLeaf: { cert: string; key: string } | undefined;
function rsaServer(): { cert: string; key: string } {
  if (rsaLeaf) return rsaLeaf;
  const { dir } = testPki();
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  run(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsa.key']);
  run(['req', '-new', '-key', 'rsa.key', '-subj', '/CN=localhost', '-out', 'rsa.csr']);
  run(['x509', '-req', '-in', 'rsa.csr', '-CA', 'memtls-node-test-root.pem', '-CAkey', 'memtls-node-test-root.key', '-CAcreateserial', '-days', '30', '-extfile', 'localhost.ext', '-out', 'rsa.pem']);
  rsaLeaf = { cert: readFileSync(join(dir, 'rsa.pem'), 'utf8'), key: readFileSync(join(dir, 'rsa.key'), 'utf8') };
  return rsaLeaf;
}

const SUITES = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-RSA-CHACHA20-POLY1305',
];
const credFor = (openssl: string) => (openssl.includes('-RSA-') ? rsaServer() : testPki().server);

/** The Node-side code of an error thrown by `fn` (or 'none'). */
function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'none';
  } catch (e) {
    return `${(e as Error).constructor.name}:${(e as { code?: string }).code}`;
  }
}

async function nodeTlsServer(opts: tls.TlsOptions): Promise<{ port: number; next: Promise<tls.TLSSocket> }> {
  let resolve!: (s: tls.TLSSocket) => void;
  const next = new Promise<tls.TLSSocket>((r) => {
    resolve = r;
  });
  const server = trackServer(
    tls.createServer(opts, (s) => {
      s.on('error', () => undefined);
      s.pipe(s);
      resolve(s);
    }),
  );
  return { port: await listen(server), next };
}

async function memtlsServer(opts: SecureOptions): Promise<{ port: number; next: Promise<MemtlsSocket> }> {
  let resolve!: (s: MemtlsSocket) => void;
  const next = new Promise<MemtlsSocket>((r) => {
    resolve = r;
  });
  const server = trackServer(
    createServer(opts, (s) => {
      s.on('error', () => undefined);
      s.pipe(s);
      resolve(s);
    }),
  );
  return { port: await listen(server), next };
}

function memtlsClient(port: number, opts: SecureOptions = {}): Promise<MemtlsSocket> {
  const s = track(connect({ host: '127.0.0.1', port, servername: 'localhost', ca: testPki().ca, ...opts }), (x) => {
    x.destroy();
  });
  s.on('error', () => undefined);
  return once(s, 'secureConnect').then(() => s);
}

function nodeClient(port: number, opts: tls.ConnectionOptions = {}): Promise<tls.TLSSocket> {
  const s = track(tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: testPki().ca, ...opts }), (x) => {
    x.destroy();
  });
  return new Promise((resolve, reject) => {
    s.once('secureConnect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Write `data`, end, and collect what the echoing peer sends back until its close. */
async function roundTrip(sock: net.Socket | tls.TLSSocket | MemtlsSocket, data: Buffer): Promise<Buffer> {
  const back = collect(sock);
  sock.end(data);
  return back;
}

describe('@memtls/node: TLS 1.2 (minVersion/maxVersion, ciphers, getProtocol, getCipher as Node)', function () {
  this.timeout(30_000);
  afterEach(cleanup);

  it('version options: Node’s names and errors (ERR_TLS_INVALID_PROTOCOL_VERSION), TLSv1/TLSv1.1 minimums mean TLS 1.2', () => {
    const ca = testPki().ca;
    assert.equal(codeOf(() => contextFromOptions('client', { ca, minVersion: 'TLSv1.4' as never })), 'TypeError:ERR_TLS_INVALID_PROTOCOL_VERSION');
    assert.equal(codeOf(() => tls.createSecureContext({ minVersion: 'TLSv1.4' as never })), 'TypeError:ERR_TLS_INVALID_PROTOCOL_VERSION');
    assert.equal(codeOf(() => contextFromOptions('client', { ca, maxVersion: 'SSLv3' as never })), 'TypeError:ERR_TLS_INVALID_PROTOCOL_VERSION');
    assert.equal(codeOf(() => contextFromOptions('client', { ca, maxVersion: 'TLSv1.1' as never })), 'TypeError:ERR_TLS_INVALID_PROTOCOL_VERSION');
    assert.equal(codeOf(() => contextFromOptions('client', { ca, minVersion: 'TLSv1' })), 'none');
    assert.equal(codeOf(() => contextFromOptions('client', { ca, maxVersion: 'TLSv1.2' })), 'none');
    assert.equal(codeOf(() => contextFromOptions('client', { ca, ciphers: 'FOO' })), 'Error:ERR_SSL_NO_CIPHER_MATCH', 'no cipher match');
    assert.equal(codeOf(() => tls.createSecureContext({ ciphers: 'FOO' })), 'Error:ERR_SSL_NO_CIPHER_MATCH', 'Node: no cipher match too');
    assert.equal(codeOf(() => contextFromOptions('client', { ca, ciphers: 'HIGH:!aNULL:!MD5' })), 'none');
  });

  it('ciphers as an OpenSSL cipher string: suites memtls does not have are skipped, keywords are evaluated (cipher-string.test.ts)', () => {
    assert.deepEqual(parseCipherString('ECDHE-RSA-AES128-GCM-SHA256:DES-CBC3-SHA:!aNULL'), { tls12: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'] });
    assert.deepEqual(parseCipherString('TLS_AES_128_GCM_SHA256:ECDHE-ECDSA-CHACHA20-POLY1305'), { tls13: ['TLS_AES_128_GCM_SHA256'], tls12: ['TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'] });
    assert.equal(parseCipherString('HIGH:!aNULL:ECDHE+AESGCM:@SECLEVEL=2').tls12?.length, 6);
    assert.deepEqual(parseCipherString('HIGH:!ECDHE-ECDSA-CHACHA20-POLY1305:!aRSA').tls12, ['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'], 'an exclusion excludes');
    const def = parseCipherString(tls.DEFAULT_CIPHERS);
    assert.deepEqual(def.tls13, ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256']);
    assert.equal(def.tls12?.length, 6, "Node's default string names four and ends in HIGH: all six");
    assert.equal(def.tls12?.[0], 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'the named ones first, in order');
    assert.deepEqual(parseCipherString('ECDHE-RSA-AES128-GCM-SHA256:!aNULL').tls12, ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'], 'an exclusion adds nothing');
    assert.throws(() => parseCipherString('DES-CBC3-SHA:RC4-MD5'), /No cipher match/);
    assert.throws(() => parseCipherString('FOO:BAR'), /No cipher match/);
  });

  it("ciphers: 'HIGH:!aNULL' connects to a TLS 1.2-only Node server as Node's own client does", async () => {
    const pki = testPki();
    const { port, next } = await nodeTlsServer({ key: pki.server.key, cert: pki.server.cert, maxVersion: 'TLSv1.2' });
    const sock = await memtlsClient(port, { ciphers: 'HIGH:!aNULL' });
    await next;
    assert.equal(sock.getProtocol(), 'TLSv1.2');
    assert.match(sock.getCipher()?.name ?? '', /^ECDHE-ECDSA-/);
  });

  for (const suite of SUITES) {
    it(`${suite}: memtls client (maxVersion TLSv1.2) ↔ Node server; getProtocol/getCipher equal Node's`, async () => {
      const cred = credFor(suite);
      const { port, next } = await nodeTlsServer({ ...cred, maxVersion: 'TLSv1.2', ciphers: suite });
      const sock = await memtlsClient(port, { maxVersion: 'TLSv1.2', ciphers: suite });
      const peer = await next;
      assert.equal(sock.getProtocol(), 'TLSv1.2');
      assert.equal(peer.getProtocol(), 'TLSv1.2');
      assert.deepEqual(sock.getCipher(), { ...peer.getCipher(), version: 'TLSv1.2' });
      assert.equal(sock.getCipher()?.name, suite);
      const data = Buffer.alloc(100_000, 7);
      assert.ok((await roundTrip(sock, data)).equals(data));
    });

    it(`${suite}: Node client (maxVersion TLSv1.2) ↔ memtls server (default versions); getProtocol/getCipher equal Node's`, async () => {
      const cred = credFor(suite);
      const { port, next } = await memtlsServer({ ...cred });
      const client = await nodeClient(port, { maxVersion: 'TLSv1.2', ciphers: suite });
      const sock = await next;
      assert.equal(sock.getProtocol(), 'TLSv1.2');
      assert.equal(client.getProtocol(), 'TLSv1.2');
      assert.deepEqual(sock.getCipher(), { ...client.getCipher(), version: 'TLSv1.2' });
      assert.equal(sock.getCipher()?.standardName, client.getCipher().standardName);
      const data = Buffer.alloc(100_000, 9);
      assert.ok((await roundTrip(client, data)).equals(data));
    });
  }

  it('exportKeyingMaterial in TLS 1.2 equals Node’s, with an absent context and with an empty one (which differ, RFC 5705)', async () => {
    const pki = testPki();
    const { port, next } = await nodeTlsServer({ key: pki.server.key, cert: pki.server.cert, maxVersion: 'TLSv1.2' });
    const sock = await memtlsClient(port, { maxVersion: 'TLSv1.2' });
    const peer = await next;
    assert.equal(sock.getProtocol(), 'TLSv1.2');
    type Ekm = (length: number, label: string, context?: Uint8Array) => Buffer;
    const nodeEkm = (peer.exportKeyingMaterial as unknown as Ekm).bind(peer);
    const absent = sock.exportKeyingMaterial(32, 'EXPERIMENTAL-memtls');
    const empty = sock.exportKeyingMaterial(32, 'EXPERIMENTAL-memtls', Buffer.alloc(0));
    assert.deepEqual(absent, nodeEkm(32, 'EXPERIMENTAL-memtls'));
    assert.deepEqual(empty, nodeEkm(32, 'EXPERIMENTAL-memtls', Buffer.alloc(0)));
    assert.notDeepEqual(absent, empty);
    assert.deepEqual(sock.exportKeyingMaterial(20, 'EXPERIMENTAL-memtls', Buffer.from('ctx')), nodeEkm(20, 'EXPERIMENTAL-memtls', Buffer.from('ctx')));
  });

  it('defaults as Node: a memtls client and server with no version options negotiate TLS 1.3; a TLS 1.2-only Node server still gets 1.2', async () => {
    const pki = testPki();
    const m = await memtlsServer({ key: pki.server.key, cert: pki.server.cert });
    const c13 = await memtlsClient(m.port);
    assert.equal(c13.getProtocol(), 'TLSv1.3');
    assert.equal(c13.getCipher()?.name, c13.getCipher()?.standardName, 'TLS 1.3 names are the same in OpenSSL');
    const n = await nodeTlsServer({ key: pki.server.key, cert: pki.server.cert, maxVersion: 'TLSv1.2' });
    const c12 = await memtlsClient(n.port);
    assert.equal(c12.getProtocol(), 'TLSv1.2');
    assert.equal(c12.getCipher()?.name, opensslSuiteName(c12.getCipher()?.standardName ?? ''));
  });

  it('minVersion TLSv1.3 against a TLS 1.2-only Node server fails the handshake (protocol version)', async () => {
    const pki = testPki();
    const n = await nodeTlsServer({ key: pki.server.key, cert: pki.server.cert, maxVersion: 'TLSv1.2' });
    const s = track(connect({ host: '127.0.0.1', port: n.port, servername: 'localhost', ca: pki.ca, minVersion: 'TLSv1.3' }), (x) => {
      x.destroy();
    });
    const err = await once<Error & { reason?: string }>(s, 'error');
    assert.match(`${err.message} ${err.reason ?? ''}`, /version/i);
  });
});
