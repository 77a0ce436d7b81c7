/**
 * Node `tls` parity, part 2: getFinished/getPeerFinished, exportKeyingMaterial, setServername, setMaxSendFragment and
 * enableTrace, each checked against Node's own `tls` on the same scenario (memtls on one end, Node on the other, over
 * TCP on 127.0.0.1), in both roles where the method has a meaning in both.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { createWebCryptoProvider, Ssl, SslContext } from '@memtls/core';
import { type ConnectOptions, connect, createServer, MemtlsSocket, type TraceEvent } from '@memtls/node';
import { cleanup, collect, listen, once, testPki, track, trackServer } from './helpers.js';

/** A Node tls server that hands over each accepted socket once it is secure. */
async function nodeServer(opts: tls.TlsOptions = {}): Promise<{ port: number; next: () => Promise<tls.TLSSocket> }> {
  const pki = testPki();
  const queue: tls.TLSSocket[] = [];
  const waiting: ((s: tls.TLSSocket) => void)[] = [];
  const server = trackServer(
    tls.createServer({ key: pki.server.key, cert: pki.server.cert, ...opts }, (s) => {
      s.on('error', () => undefined);
      const w = waiting.shift();
      if (w) w(s);
      else queue.push(s);
    }),
  );
  const port = await listen(server);
  const next = (): Promise<tls.TLSSocket> => {
    const q = queue.shift();
    return q ? Promise.resolve(q) : new Promise((resolve) => waiting.push(resolve));
  };
  return { port, next };
}

/** A memtls server (createServer) that hands over each socket once it is secure. */
async function memtlsServer(): Promise<{ port: number; next: () => Promise<MemtlsSocket> }> {
  const pki = testPki();
  const queue: MemtlsSocket[] = [];
  const waiting: ((s: MemtlsSocket) => void)[] = [];
  const server = trackServer(
    createServer({ key: pki.server.key, cert: pki.server.cert }, (s) => {
      s.on('error', () => undefined);
      const w = waiting.shift();
      if (w) w(s);
      else queue.push(s);
    }),
  );
  const port = await listen(server);
  const next = (): Promise<MemtlsSocket> => {
    const q = queue.shift();
    return q ? Promise.resolve(q) : new Promise((resolve) => waiting.push(resolve));
  };
  return { port, next };
}

function memtlsClient(port: number, extra: Partial<ConnectOptions> = {}): Promise<MemtlsSocket> {
  const s = track(connect({ host: 'localhost', port, ca: testPki().ca, ...extra }), (x) => {
    x.destroy();
  });
  s.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    s.once('secureConnect', () => resolve(s));
    s.once('error', reject);
  });
}

function nodeClient(port: number, extra: tls.ConnectionOptions = {}): Promise<tls.TLSSocket> {
  const s = track(tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: testPki().ca, ...extra }), (x) => {
    x.destroy();
  });
  s.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    s.once('secureConnect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Node's exportKeyingMaterial and setServername, typed as Node documents them (@types/node requires the context). */
type NodeEkm = (length: number, label: string, context?: Uint8Array) => Buffer;
const nodeEkm = (s: tls.TLSSocket): NodeEkm => (s.exportKeyingMaterial as unknown as NodeEkm).bind(s);
const nodeSetServername = (s: tls.TLSSocket, name: unknown): void => (s as unknown as { setServername: (n: unknown) => void }).setServername(name);

/** The Node-side code of an error thrown by `fn` (or 'none'). */
function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'none';
  } catch (e) {
    return `${(e as Error).constructor.name}:${(e as { code?: string }).code}`;
  }
}

describe('@memtls/node: tls.TLSSocket parity (getFinished, exportKeyingMaterial, setServername, setMaxSendFragment, enableTrace)', function () {
  this.timeout(30_000);
  afterEach(cleanup);

  describe('getFinished() / getPeerFinished()', () => {
    it('memtls client ↔ Node server: each side’s getFinished() is the other’s getPeerFinished(); undefined before', async () => {
      const { port, next } = await nodeServer();
      const sock = track(new MemtlsSocket(net.connect(port, '127.0.0.1'), { servername: 'localhost', ca: testPki().ca }), (x) => {
        x.destroy();
      });
      assert.equal(sock.getFinished(), undefined);
      assert.equal(sock.getPeerFinished(), undefined);
      await once(sock, 'secureConnect');
      const s = await next();
      const mine = sock.getFinished();
      const peer = sock.getPeerFinished();
      assert.ok(Buffer.isBuffer(mine) && Buffer.isBuffer(peer));
      assert.equal(mine.length, sock.getCipher()?.name === 'TLS_AES_256_GCM_SHA384' ? 48 : 32, 'verify_data is Hash.length bytes');
      assert.deepEqual(mine, s.getPeerFinished());
      assert.deepEqual(peer, s.getFinished());
      assert.notDeepEqual(mine, peer);
      // Copies: changing one does not change the connection's.
      mine.fill(0);
      assert.deepEqual(sock.getFinished(), s.getPeerFinished());
    });

    it('Node client ↔ memtls server: the same, in the other roles', async () => {
      const { port, next } = await memtlsServer();
      const c = await nodeClient(port);
      const s = await next();
      assert.deepEqual(s.getFinished(), c.getPeerFinished());
      assert.deepEqual(s.getPeerFinished(), c.getFinished());
      assert.equal(s.getFinished()?.length, c.getFinished()?.length);
    });
  });

  describe('exportKeyingMaterial(length, label[, context])', () => {
    const cases: [number, string, Uint8Array | undefined][] = [
      [16, 'EXPERIMENTAL-memtls', undefined],
      [16, 'EXPERIMENTAL-memtls', Buffer.alloc(0)],
      [64, 'EXPERIMENTAL-memtls', Buffer.from('context bytes')],
      [100, 'EXTRACTOR-dtls_srtp', new Uint8Array([0, 1, 2])],
    ];

    it('memtls client ↔ Node server: the same bytes on both ends; an absent context equals an empty one (RFC 8446 §7.5), as in Node', async () => {
      const { port, next } = await nodeServer();
      const c = await memtlsClient(port);
      const s = await next();
      for (const [len, label, ctx] of cases) {
        const mine = c.exportKeyingMaterial(len, label, ctx);
        assert.ok(Buffer.isBuffer(mine));
        assert.equal(mine.length, len);
        assert.deepEqual(mine, nodeEkm(s)(len, label, ctx), `${label} ${len}`);
      }
      assert.deepEqual(c.exportKeyingMaterial(32, 'x'), c.exportKeyingMaterial(32, 'x', Buffer.alloc(0)));
      assert.deepEqual(nodeEkm(s)(32, 'x'), nodeEkm(s)(32, 'x', Buffer.alloc(0)));
      assert.notDeepEqual(c.exportKeyingMaterial(32, 'x'), c.exportKeyingMaterial(32, 'y'));
    });

    it('Node client ↔ memtls server: the same bytes on both ends', async () => {
      const { port, next } = await memtlsServer();
      const c = await nodeClient(port);
      const s = await next();
      for (const [len, label, ctx] of cases) assert.deepEqual(s.exportKeyingMaterial(len, label, ctx), nodeEkm(c)(len, label, ctx));
    });

    it('argument and state errors have Node’s classes and codes', async () => {
      const { port, next } = await nodeServer();
      const raw = net.connect(port, '127.0.0.1');
      const early = track(new MemtlsSocket(raw, { servername: 'localhost', ca: testPki().ca }), (x) => {
        x.destroy();
      });
      const nodeEarly = new tls.TLSSocket(new net.Socket());
      assert.equal(codeOf(() => early.exportKeyingMaterial(16, 'x')), codeOf(() => nodeEkm(nodeEarly)(16, 'x')));
      assert.equal(codeOf(() => early.exportKeyingMaterial(16, 'x')), 'Error:ERR_TLS_INVALID_STATE');
      nodeEarly.destroy();
      await once(early, 'secureConnect');
      const s = await next();
      const bad: [unknown, unknown, unknown][] = [
        [0, 'x', undefined],
        [-1, 'x', undefined],
        [16.5, 'x', undefined],
        ['16', 'x', undefined],
        [16, 1, undefined],
        [16, 'x', 'ctx'],
      ];
      type Ekm = (l: unknown, lab: unknown, ctx?: unknown) => Buffer;
      for (const [l, lab, ctx] of bad) {
        const ours = codeOf(() => (early.exportKeyingMaterial as unknown as Ekm)(l, lab, ctx));
        assert.equal(ours, codeOf(() => (s.exportKeyingMaterial as unknown as Ekm)(l, lab, ctx)), `${String(l)}, ${String(lab)}, ${String(ctx)}`);
        assert.notEqual(ours, 'none');
      }
      // Still usable afterwards.
      assert.deepEqual(early.exportKeyingMaterial(8, 'x'), nodeEkm(s)(8, 'x'));
    });

    it('core: exportKeyingMaterialSync with an asynchronous provider throws an Error naming the async method', async () => {
      const pki = testPki();
      const sctx = new SslContext({ role: 'server', cert: pki.server.cert, key: pki.server.key, crypto: createWebCryptoProvider(globalThis.crypto) });
      const cctx = new SslContext({ role: 'client', ca: pki.ca, crypto: createWebCryptoProvider(globalThis.crypto) });
      const { MemoryBio } = await import('@memtls/core');
      const c = new Ssl(cctx, { serverName: 'localhost' });
      const s = new Ssl(sctx);
      const [a, b] = [new MemoryBio(), new MemoryBio()];
      c.setBio(a, b);
      s.setBio(b, a);
      assert.throws(() => c.exportKeyingMaterialSync('x', new Uint8Array(0), 16), TypeError, 'before the handshake');
      for (let i = 0; i < 20 && !(c.isInitFinished() && s.isInitFinished()); i++) await Promise.all([c.doHandshake(), s.doHandshake()]);
      assert.ok(c.isInitFinished() && s.isInitFinished());
      assert.throws(() => c.exportKeyingMaterialSync('x', new Uint8Array(0), 16), (e: Error) => e.constructor === Error && /asynchronous/.test(e.message) && /exportKeyingMaterial\b/.test(e.message));
      // The asynchronous path agrees with the peer.
      assert.deepEqual(await c.exportKeyingMaterial('x', new Uint8Array(0), 16), await s.exportKeyingMaterial('x', new Uint8Array(0), 16));
    });
  });

  describe('setServername(name)', () => {
    it('right after construction it sets the SNI the server receives, as with Node’s client', async () => {
      const { port, next } = await nodeServer();
      // Node: a TLSSocket built with a servername, then setServername before the handshake.
      const n = track(tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'first.test' }), (x) => {
        x.destroy();
      });
      nodeSetServername(n, 'second.test');
      n.on('error', () => undefined);
      await once(n, 'secureConnect');
      const nodeSaw = (await next()).servername;
      const m = track(new MemtlsSocket(net.connect(port, '127.0.0.1'), { servername: 'first.test', rejectUnauthorized: false }), (x) => {
        x.destroy();
      });
      m.setServername('second.test');
      await once(m, 'secureConnect');
      const memtlsSaw = (await next()).servername;
      assert.equal(nodeSaw, 'second.test');
      assert.equal(memtlsSaw, nodeSaw);
      assert.equal(m.servername, 'second.test');
      assert.equal(m.ssl.serverName(), 'second.test');
    });

    it('the new name is the one the certificate is checked against', async () => {
      const { port } = await nodeServer();
      const m = track(new MemtlsSocket(net.connect(port, '127.0.0.1'), { servername: 'localhost', ca: testPki().ca }), (x) => {
        x.destroy();
      });
      m.setServername('not-localhost.test');
      const err = (await once(m, 'error')) as Error & { verifyResult?: string | null };
      assert.equal(err.verifyResult, 'X509_V_ERR_HOSTNAME_MISMATCH');
    });

    it('refused on a server (ERR_TLS_SNI_FROM_SERVER, as Node) and once the handshake started (Node aborts; memtls throws)', async () => {
      const { port, next } = await memtlsServer();
      const c = await nodeClient(port);
      const s = await next();
      assert.equal(codeOf(() => s.setServername('x.test')), codeOf(() => nodeSetServername(new tls.TLSSocket(new net.Socket(), { isServer: true }), 'x.test')));
      assert.equal(codeOf(() => s.setServername('x.test')), 'Error:ERR_TLS_SNI_FROM_SERVER');
      const { port: p2, next: next2 } = await nodeServer();
      const m = await memtlsClient(p2);
      assert.equal(codeOf(() => m.setServername('late.test')), 'Error:ERR_TLS_INVALID_STATE');
      assert.equal(m.servername, 'localhost');
      // Wrong types as Node: ERR_INVALID_ARG_TYPE.
      assert.equal(codeOf(() => m.setServername(1 as unknown as string)), codeOf(() => nodeSetServername(c, 1)));
      // The connection is intact: data still goes through.
      const n2 = await next2();
      const got = collect(n2);
      m.end('still fine');
      assert.equal((await got).toString(), 'still fine');
    });
  });

  describe('setMaxSendFragment(size)', () => {
    it('returns what Node returns for every size, and throws the same errors', async () => {
      const { port, next } = await nodeServer();
      const m = await memtlsClient(port);
      const n = await next();
      for (const v of [511, 512, 1000, 16384, 16385, 0, -1, 1.5, '600', undefined, Number.NaN]) {
        const f = (x: unknown) => () => (x as { setMaxSendFragment: (s: unknown) => boolean }).setMaxSendFragment(v);
        const nodeR = (() => {
          try {
            return String(f(n)());
          } catch {
            return codeOf(f(n));
          }
        })();
        const ours = (() => {
          try {
            return String(f(m)());
          } catch {
            return codeOf(f(m));
          }
        })();
        assert.equal(ours, nodeR, `setMaxSendFragment(${String(v)})`);
      }
    });

    it('after setMaxSendFragment(512) every record sent holds at most 512 bytes of plaintext; Node receives the data intact', async () => {
      const { port, next } = await nodeServer();
      const records: TraceEvent[] = [];
      const m = await memtlsClient(port, { trace: (ev: TraceEvent) => {
          if (ev.type === 'record' && ev.direction === 'out') records.push(ev);
        },
      });
      const n = await next();
      assert.equal(m.setMaxSendFragment(512), true);
      records.length = 0;
      const data = randomBytes(100_000);
      const got = collect(n);
      m.end(data);
      assert.deepEqual(await got, data);
      const lengths = records.map((r) => (r.type === 'record' ? r.length : 0));
      // A record body is plaintext + 1 (inner type) + 16 (AEAD tag).
      assert.ok(lengths.length >= Math.ceil(data.length / 512), `${lengths.length} records`);
      for (const l of lengths) assert.ok(l <= 512 + 17, `a record of ${l} bytes`);
      assert.equal(lengths.filter((l) => l === 512 + 17).length, Math.floor(data.length / 512));
    });

    it('set on a memtls server before its handshake, it cuts the handshake flight too (OpenSSL applies it to every record)', async () => {
      const pki = testPki();
      const lengths: number[] = [];
      const server = trackServer(
        net.createServer((raw) => {
          const s = new MemtlsSocket(raw, {
            isServer: true,
            key: pki.server.key,
            cert: pki.server.cert,
            trace: (ev) => {
              if (ev.type === 'record' && ev.direction === 'out') lengths.push(ev.length);
            },
          });
          s.on('error', () => undefined);
          assert.equal(s.setMaxSendFragment(512), true);
          s.pipe(s);
        }),
      );
      const port = await listen(server);
      const c = await nodeClient(port);
      const data = randomBytes(5000);
      const echoed = collect(c);
      c.end(data);
      assert.deepEqual(await echoed, data);
      assert.ok(lengths.some((l) => l > 0));
      for (const l of lengths) assert.ok(l <= 512 + 17, `a record of ${l} bytes`);
    });
  });

  describe('enableTrace()', () => {
    it('prints records and decrypted handshake messages to stderr (ClientHello, ServerHello, Finished)', async () => {
      const { port, next } = await nodeServer();
      const lines: string[] = [];
      const write = process.stderr.write;
      process.stderr.write = ((chunk: string | Uint8Array) => {
        lines.push(String(chunk));
        return true;
      }) as typeof process.stderr.write;
      let text: string;
      try {
        const m = track(new MemtlsSocket(net.connect(port, '127.0.0.1'), { servername: 'localhost', ca: testPki().ca }), (x) => {
          x.destroy();
        });
        m.enableTrace();
        await once(m, 'secureConnect');
        (await next()).destroy();
        m.destroy();
        await once(m, 'close');
      } finally {
        process.stderr.write = write;
        text = lines.join('');
      }
      assert.match(text, /Sent Record\n {2}Version = TLS 1\.\d \(0x30\d\)\n {2}Content Type = Handshake \(22\)/);
      assert.match(text, /Received Record/);
      assert.match(text, /Sent Message \(decrypted\), Content Type = Handshake \(22\)\n {4}ClientHello, Length=\d+/);
      assert.match(text, /Received Message \(decrypted\), Content Type = Handshake \(22\)\n {4}ServerHello, Length=\d+/);
      assert.match(text, /Received Message[^\n]*\n {4}Finished, Length=(32|48)/);
      assert.match(text, /Sent Message[^\n]*\n {4}Finished, Length=(32|48)/);
    });
  });
});
