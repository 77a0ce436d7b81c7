/**
 * Node `tls` parity (issue 15): SNICallback, ALPNCallback, checkServerIdentity and getPeerCertificate(true).
 * Each scenario runs through Node's own `tls` and through @memtls/node on the same input (same PKI, same
 * callbacks, same peer) and the outcomes are compared. Where memtls deliberately differs (it sends the RFC's
 * alert where Node just closes the TCP connection), the test says so and checks memtls's side exactly.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { connect, createSecureContext, createServer, type PeerCertificate } from '@memtls/node';
import { cleanup, listen, track, trackServer } from './helpers.js';

interface ParityPki {
  root: string;
  /** localhost leaf + intermediate (the server sends both, never the root). */
  chain: string;
  key: string;
  /** A leaf for DNS:sni.test signed by the root directly. */
  sniCert: string;
  sniKey: string;
}

let pkiCache: ParityPki | null = null;
function parityPki(): ParityPki {
  if (pkiCache) return pkiCache;
  const dir = mkdtempSync(join(tmpdir(), 'memtls-parity-'));
  const ossl = (args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const key = (n: string): void => ossl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${n}.key`]);
  const sign = (n: string, subj: string, ca: string, ext: string): void => {
    key(n);
    ossl(['req', '-new', '-key', `${n}.key`, '-subj', subj, '-out', `${n}.csr`]);
    writeFileSync(join(dir, `${n}.ext`), ext);
    ossl(['x509', '-req', '-in', `${n}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '30', '-extfile', `${n}.ext`, '-out', `${n}.pem`]);
  };
  try {
    key('root');
    ossl(['req', '-x509', '-new', '-key', 'root.key', '-subj', '/CN=Parity Root', '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'root.pem']);
    sign('inter', '/CN=Parity Intermediate', 'root', 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
    const leafExt = (san: string): string => `subjectAltName=${san}\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`;
    sign('leaf', '/CN=localhost', 'inter', leafExt('DNS:localhost,IP:127.0.0.1'));
    sign('sni', '/CN=sni.test', 'root', leafExt('DNS:sni.test'));
    const r = (f: string): string => readFileSync(join(dir, f), 'utf8');
    pkiCache = { root: r('root.pem'), chain: r('leaf.pem') + r('inter.pem'), key: r('leaf.key'), sniCert: r('sni.pem'), sniKey: r('sni.key') };
    return pkiCache;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What one connection came to, seen from both ends. */
interface Outcome {
  /** The server's 'tlsClientError', as "code|message" (code '-' when none). */
  serverError: string | null;
  /** The client's 'error', as "code|message". */
  clientError: string | null;
  secure: boolean;
  alpn: string | false | null;
  /** The CN of the certificate the client got. */
  peerCn: string | null;
  authorized: boolean | null;
  authorizationError: string | null;
}

const describeError = (e: Error & { code?: unknown }): string => `${e.code === undefined ? '-' : String(e.code)}|${e.message}`;

type Impl = 'node' | 'memtls';
const IMPLS: Impl[] = ['node', 'memtls'];

/** One connection: `serverImpl` with `serverOpts`, `clientImpl` with `clientOpts` (both as Node's tls options). */
async function run(serverImpl: Impl, clientImpl: Impl, serverOpts: Record<string, unknown>, clientOpts: Record<string, unknown>): Promise<Outcome> {
  const pki = parityPki();
  const out: Outcome = { serverError: null, clientError: null, secure: false, alpn: null, peerCn: null, authorized: null, authorizationError: null };
  const sopts = { cert: pki.chain, key: pki.key, ...serverOpts };
  const onConn = (s: tls.TLSSocket | import('node:stream').Duplex): void => {
    // The client closes once it has this byte: the outcome never depends on how each side closes.
    s.on('error', () => undefined);
    s.write('hi');
  };
  const server = trackServer(serverImpl === 'node' ? tls.createServer(sopts as tls.TlsOptions, onConn) : createServer(sopts as never, onConn));
  server.on('tlsClientError', (e: Error) => {
    out.serverError = describeError(e);
  });
  const port = await listen(server);
  const copts = { host: '127.0.0.1', port, servername: 'localhost', ca: pki.root, ...clientOpts };
  await new Promise<void>((resolve) => {
    const c = clientImpl === 'node' ? tls.connect(copts as tls.ConnectionOptions) : connect(copts as never);
    track(c, (x) => {
      x.destroy();
    });
    c.once(clientImpl === 'node' ? 'secureConnect' : 'secureConnect', () => {
      const cs = c as unknown as { alpnProtocol: string | false; authorized: boolean; authorizationError: unknown; getPeerCertificate(): { subject?: { CN?: string } } | null };
      out.secure = true;
      out.alpn = cs.alpnProtocol;
      out.peerCn = cs.getPeerCertificate()?.subject?.CN ?? null;
      out.authorized = cs.authorized;
      out.authorizationError = cs.authorizationError === null || cs.authorizationError === undefined ? null : String(cs.authorizationError);
    });
    c.on('error', (e: Error) => {
      out.clientError = describeError(e);
    });
    c.on('data', () => c.destroy());
    c.on('close', () => resolve());
  });
  // Let the server's 'tlsClientError' land.
  await new Promise((r) => setTimeout(r, 30));
  return out;
}

/** Run the same scenario on Node's server and on memtls's server (Node's client both times). */
async function bothServers(serverOpts: () => Record<string, unknown>, clientOpts: Record<string, unknown> = {}): Promise<Record<Impl, Outcome>> {
  return { node: await run('node', 'node', serverOpts(), clientOpts), memtls: await run('memtls', 'node', serverOpts(), clientOpts) };
}

/** Run the same scenario with Node's client and with memtls's client (Node's server both times). */
async function bothClients(clientOpts: () => Record<string, unknown>, serverOpts: Record<string, unknown> = {}): Promise<Record<Impl, Outcome>> {
  return { node: await run('node', 'node', serverOpts, clientOpts()), memtls: await run('node', 'memtls', serverOpts, clientOpts()) };
}

/** Node's client sees no alert from Node's server (it destroys the TCP connection); memtls sends the RFC's alert. */
function assertClientRefused(o: Record<Impl, Outcome>, memtlsAlert: RegExp): void {
  assert.equal(o.node.secure, false);
  assert.equal(o.memtls.secure, false);
  assert.match(String(o.node.clientError), /ECONNRESET/);
  assert.match(String(o.memtls.clientError), memtlsAlert);
}

describe('Node tls parity: SNICallback, ALPNCallback, checkServerIdentity, getPeerCertificate(true)', function () {
  this.timeout(60_000);
  afterEach(cleanup);

  describe('SNICallback', () => {
    const sniServer = (impl: Impl): Record<string, unknown> => {
      const pki = parityPki();
      const ctx = impl === 'node' ? tls.createSecureContext({ cert: pki.sniCert, key: pki.sniKey }) : createSecureContext({ cert: pki.sniCert, key: pki.sniKey });
      return { SNICallback: (name: string, cb: (e: Error | null, c?: unknown) => void) => cb(null, name === 'sni.test' ? ctx : null) };
    };

    it('serves the context the callback answers with, else the default certificate', async () => {
      for (const servername of ['sni.test', 'localhost']) {
        const node = await run('node', 'node', sniServer('node'), { servername });
        const memtls = await run('memtls', 'node', sniServer('memtls'), { servername });
        assert.deepEqual(memtls, node);
        assert.equal(node.peerCn, servername);
        assert.equal(node.authorized, true);
      }
    });

    it('is called with the client\'s name, once, and not when the client sends none', async () => {
      const calls: Record<Impl, string[]> = { node: [], memtls: [] };
      for (const impl of IMPLS) {
        const SNICallback = (name: string, cb: (e: Error | null) => void): void => {
          calls[impl].push(name);
          cb(null);
        };
        await run(impl, 'node', { SNICallback }, { servername: 'sni.test' });
        await run(impl, 'node', { SNICallback }, { servername: '', checkServerIdentity: () => undefined });
      }
      assert.deepEqual(calls.memtls, calls.node);
      assert.deepEqual(calls.node, ['sni.test']);
    });

    it('an error (passed, thrown, or an invalid context) is the server\'s tlsClientError; memtls sends internal_error', async () => {
      const cases: Array<(name: string, cb: (e: Error | null, c?: unknown) => void) => void> = [
        (_n, cb) => cb(new Error('no such site')),
        () => {
          throw new Error('thrown in SNICallback');
        },
        (_n, cb) => cb(null, { not: 'a context' }),
        (_n, cb) => setTimeout(() => cb(new Error('later')), 5),
      ];
      for (const SNICallback of cases) {
        const o = await bothServers(() => ({ SNICallback }));
        assert.equal(o.memtls.serverError, o.node.serverError);
        assert.ok(o.node.serverError);
        assertClientRefused(o, /tlsv1 alert internal error/);
      }
    });

    it('misuse: a non-function is a TypeError, as in Node', () => {
      assert.throws(() => tls.createServer({ SNICallback: 5 as never }), TypeError);
      assert.throws(() => createServer({ ...parityPki(), cert: parityPki().chain, SNICallback: 5 as never }), TypeError);
    });
  });

  describe('ALPNCallback', () => {
    it('its choice is agreed; it sees { servername, protocols } as in Node (servername false without SNI)', async () => {
      for (const clientOpts of [{ ALPNProtocols: ['a', 'b'] }, { ALPNProtocols: ['x', 'b'], servername: '', checkServerIdentity: () => undefined }]) {
        const seen: Record<Impl, unknown[]> = { node: [], memtls: [] };
        const res: Partial<Record<Impl, Outcome>> = {};
        for (const impl of IMPLS) {
          const ALPNCallback = (arg: unknown): string => {
            seen[impl].push(arg);
            return 'b';
          };
          res[impl] = await run(impl, 'node', { ALPNCallback }, clientOpts);
        }
        assert.deepEqual(seen.memtls, seen.node);
        assert.deepEqual(res.memtls, res.node);
        assert.equal(res.node?.alpn, 'b');
      }
    });

    it('not called when the client offers no ALPN', async () => {
      const calls: Record<Impl, number> = { node: 0, memtls: 0 };
      for (const impl of IMPLS) {
        const o = await run(impl, 'node', { ALPNCallback: () => String(++calls[impl]) }, {});
        assert.equal(o.secure, true);
        assert.equal(o.alpn, false);
      }
      assert.deepEqual(calls, { node: 0, memtls: 0 });
    });

    it('undefined refuses with no_application_protocol on both', async () => {
      const o = await bothServers(() => ({ ALPNCallback: () => undefined }), { ALPNProtocols: ['a', 'b'] });
      assert.match(String(o.node.clientError), /ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL/);
      assert.match(String(o.memtls.clientError), /ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL/);
      assert.match(String(o.node.serverError), /no application protocol/);
      assert.match(String(o.memtls.serverError), /no application protocol/);
    });

    it('a protocol the client did not offer, or a throw, is the server\'s tlsClientError as in Node; memtls sends internal_error', async () => {
      for (const ALPNCallback of [
        () => 'zz',
        () => {
          throw new Error('thrown in ALPNCallback');
        },
      ]) {
        const o = await bothServers(() => ({ ALPNCallback }), { ALPNProtocols: ['a', 'b'] });
        assert.equal(o.memtls.serverError, o.node.serverError);
        assertClientRefused(o, /tlsv1 alert internal error/);
      }
      const o = await bothServers(() => ({ ALPNCallback: () => 'zz' }), { ALPNProtocols: ['a', 'b'] });
      assert.match(String(o.memtls.serverError), /^ERR_TLS_ALPN_CALLBACK_INVALID_RESULT\|/);
    });

    it('with ALPNProtocols: a TypeError with Node\'s code', () => {
      const opts = { cert: parityPki().chain, key: parityPki().key, ALPNProtocols: ['a'], ALPNCallback: () => 'a' };
      const codeOf = (f: () => unknown): unknown => {
        try {
          f();
        } catch (e) {
          assert.ok(e instanceof TypeError);
          return (e as { code?: unknown }).code;
        }
        return 'no error';
      };
      assert.equal(codeOf(() => createServer(opts)), codeOf(() => tls.createServer(opts)));
      assert.equal(codeOf(() => createServer(opts)), 'ERR_TLS_ALPN_CALLBACK_WITH_PROTOCOLS');
    });
  });

  describe('checkServerIdentity', () => {
    const refusal = (): Error => Object.assign(new Error('identity refused by the application'), { code: 'ERR_APP_IDENTITY' });

    it('called with the host name and the detailed certificate after the chain verified; undefined accepts', async () => {
      const seen: Record<Impl, unknown[]> = { node: [], memtls: [] };
      const res: Partial<Record<Impl, Outcome>> = {};
      for (const impl of IMPLS) {
        res[impl] = await run('node', impl, {}, {
          servername: 'not-in-the-certificate.test',
          checkServerIdentity: (host: string, cert: PeerCertificate) => {
            seen[impl].push(host, cert.subject.CN, cert.issuerCertificate?.subject.CN, cert.issuerCertificate?.issuerCertificate?.subject.CN);
            return undefined;
          },
        });
      }
      assert.deepEqual(seen.memtls, seen.node);
      assert.deepEqual(seen.node, ['not-in-the-certificate.test', 'localhost', 'Parity Intermediate', 'Parity Root']);
      assert.deepEqual(res.memtls, res.node);
      assert.equal(res.node?.authorized, true);
    });

    it('an Error refuses: the client\'s error is that Error (rejectUnauthorized)', async () => {
      const o = await bothClients(() => ({ checkServerIdentity: refusal }));
      assert.equal(o.memtls.clientError, o.node.clientError);
      assert.equal(o.node.clientError, 'ERR_APP_IDENTITY|identity refused by the application');
      assert.equal(o.memtls.secure, false);
    });

    it('without rejectUnauthorized: connected, authorized false, authorizationError = code, else message', async () => {
      for (const make of [refusal, () => new Error('message only')]) {
        const o = await bothClients(() => ({ rejectUnauthorized: false, checkServerIdentity: make }));
        assert.deepEqual(o.memtls, o.node);
        assert.equal(o.node.authorized, false);
      }
    });

    it('never turns a chain that failed validation into a verified one, and is not called for it', async () => {
      const called: Record<Impl, number> = { node: 0, memtls: 0 };
      const res: Partial<Record<Impl, Outcome>> = {};
      for (const impl of IMPLS) {
        const checkServerIdentity = (): undefined => {
          called[impl]++;
          return undefined;
        };
        res[impl] = await run('node', impl, { cert: parityPki().sniCert, key: parityPki().sniKey }, { ca: parityPki().chain, rejectUnauthorized: false, checkServerIdentity });
      }
      assert.deepEqual(called, { node: 0, memtls: 0 });
      assert.equal(res.node?.authorized, false);
      // The verify code differs (Node: UNABLE_TO_VERIFY_LEAF_SIGNATURE, memtls: UNABLE_TO_GET_ISSUER_CERT_LOCALLY).
      assert.deepEqual({ ...res.memtls, authorizationError: null }, { ...res.node, authorizationError: null });
      const strict = await bothClients(() => ({ ca: parityPki().chain, checkServerIdentity: () => undefined }), { cert: parityPki().sniCert, key: parityPki().sniKey });
      assert.equal(strict.memtls.secure, false);
      assert.match(String(strict.memtls.clientError), /unable to get local issuer certificate|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/);
    });

    it('a throwing callback refuses the server (Node: an uncaught exception)', async () => {
      const o = await run('node', 'memtls', {}, {
        checkServerIdentity: () => {
          throw new Error('thrown in checkServerIdentity');
        },
      });
      assert.equal(o.secure, false);
      assert.equal(o.clientError, '-|thrown in checkServerIdentity');
    });
  });

  describe('getPeerCertificate(true)', () => {
    /** Subjects and fingerprints up the issuerCertificate links, and where the last one points. */
    const walk = (leaf: PeerCertificate): { chain: string[]; circular: boolean } => {
      const chain: string[] = [];
      let cur: PeerCertificate = leaf;
      for (let i = 0; i < 10; i++) {
        chain.push(`${String(cur.subject.CN)} ${cur.fingerprint256}`);
        const next = cur.issuerCertificate;
        if (!next || next === cur) return { chain, circular: next === cur };
        cur = next;
      }
      throw new Error('no end');
    };

    it('links up the verified chain to the root the server did not send; the root links to itself', async () => {
      const walks: Partial<Record<Impl, ReturnType<typeof walk>>> = {};
      for (const impl of IMPLS) {
        const pki = parityPki();
        const server = trackServer(tls.createServer({ cert: pki.chain, key: pki.key }, (s) => s.end()));
        const port = await listen(server);
        const opts = { host: '127.0.0.1', port, servername: 'localhost', ca: pki.root };
        walks[impl] = await new Promise((resolve, reject) => {
          const c = impl === 'node' ? tls.connect(opts) : connect(opts);
          track(c, (x) => {
      x.destroy();
    });
          c.once('error', reject);
          c.once('secureConnect', () => {
            resolve(walk(c.getPeerCertificate(true) as unknown as PeerCertificate));
            c.destroy();
          });
        });
      }
      assert.deepEqual(walks.memtls, walks.node);
      assert.equal(walks.node?.chain.length, 3);
      assert.equal(walks.node?.circular, true);
      assert.match(String(walks.node?.chain[2]), /^Parity Root /);
    });
  });
});
