/**
 * The published packages as a user gets them: every public package is packed with `pnpm pack`, the tarballs
 * are checked (LICENSE, engines, exports with types, no build info, source maps whose sources are in the
 * tarball, no `workspace:` ranges left), then installed with plain `npm install <tarballs>` into a project
 * under os.tmpdir() (removed afterwards). An ESM consumer (`import`), a CommonJS consumer (`require`, which
 * Node >= 20.19 serves from the ESM build: require(esm)) and a TypeScript consumer (`tsc --noEmit`, ESM and
 * CJS files) then use them; the two runtime consumers do a memtls handshake with a Node `tls` echo server on
 * 127.0.0.1 and echo data. npm uses its cache first (--prefer-offline); the registry is only asked for the
 * third-party dependencies it does not have (@noble/hashes, @noble/ciphers, @noble/post-quantum, commander
 * and theirs).
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { testPki } from '../util/pki.js';

const run = promisify(execFile);
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The packages a user installs (crypto-null is insecure and test-only: published for @memtls/fast-check). */
const PACKAGES = ['core', 'node', 'web-streams', 'websocket', 'cli', 'root-store', 'crypto-null', 'fast-check'] as const;

interface Manifest {
  name: string;
  version: string;
  license?: string;
  engines?: { node?: string };
  exports?: Record<string, { types?: string; default?: string }>;
  dependencies?: Record<string, string>;
  bin?: Record<string, string>;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

const ESM_CONSUMER = `
import { readFileSync } from 'node:fs';
import * as core from '@memtls/core';
import { connect } from '@memtls/node';
import { TlsStreams, memoryTransportPair } from '@memtls/web-streams';
import { TlsWebSocket, webSocketTransport } from '@memtls/websocket';
import { rootCertificates } from '@memtls/root-store';
import { run } from '@memtls/cli';

const [port, caPath] = process.argv.slice(2);
for (const [what, v] of Object.entries({ Ssl: core.Ssl, SslContext: core.SslContext, MemoryBio: core.MemoryBio, SslError: core.SslError, TlsStreams, memoryTransportPair, TlsWebSocket, webSocketTransport, run })) {
  if (typeof v !== 'function') throw new Error(what + ' is not exported');
}
if (rootCertificates.length < 100) throw new Error('root store too small');
const s = connect({ host: '127.0.0.1', servername: 'localhost', port: Number(port), ca: readFileSync(caPath, 'utf8') });
s.once('secureConnect', () => s.end('hello from esm'));
const got = [];
s.on('data', (d) => got.push(d));
s.on('error', (e) => { console.error(e); process.exit(1); });
s.on('close', () => console.log(JSON.stringify({ protocol: s.getProtocol(), echo: Buffer.concat(got).toString() })));
`;

const CJS_CONSUMER = `
const { readFileSync } = require('node:fs');
const core = require('@memtls/core');
const { connect } = require('@memtls/node');
const { TlsStreams } = require('@memtls/web-streams');
const { TlsWebSocket } = require('@memtls/websocket');
const { rootCertificates } = require('@memtls/root-store');
const { run } = require('@memtls/cli');

const [port, caPath] = process.argv.slice(2);
for (const [what, v] of Object.entries({ Ssl: core.Ssl, SslContext: core.SslContext, TlsStreams, TlsWebSocket, run })) {
  if (typeof v !== 'function') throw new Error(what + ' is not exported');
}
if (rootCertificates.length < 100) throw new Error('root store too small');
const s = connect({ host: '127.0.0.1', servername: 'localhost', port: Number(port), ca: readFileSync(caPath, 'utf8') });
s.once('secureConnect', () => s.end('hello from cjs'));
const got = [];
s.on('data', (d) => got.push(d));
s.on('error', (e) => { console.error(e); process.exit(1); });
s.on('close', () => console.log(JSON.stringify({ protocol: s.getProtocol(), echo: Buffer.concat(got).toString() })));
`;

/** Every public type by name, from an ESM and a CommonJS TypeScript file. */
const TS_TYPES = `
  SslResult, VerifyInfo, ContextOptions, SslOptions, CryptoProvider, ReasonCode, Bio,
`;
const TS_ESM = `
import { Ssl, SslContext, type ${TS_TYPES.trim()} } from '@memtls/core';
import { connect, type ConnectOptions, type PeerCertificate, type MemtlsSocket } from '@memtls/node';
import { TlsStreams, type TlsInfo, type ByteTransport } from '@memtls/web-streams';
import { TlsWebSocket, type WebSocketLike, type TlsWebSocketOptions } from '@memtls/websocket';
import { rootCertificates } from '@memtls/root-store';
import { run, type Io } from '@memtls/cli';

const ctx: SslContext = new SslContext({ role: 'client', ca: [...rootCertificates] } satisfies ContextOptions);
const ssl = new Ssl(ctx, { serverName: 'example.com' } satisfies SslOptions);
const result: Promise<SslResult> = ssl.doHandshakeResult();
const check = (info: VerifyInfo): boolean => info.ok;
export type All = [CryptoProvider, ReasonCode, Bio, ConnectOptions, PeerCertificate, MemtlsSocket, TlsInfo, ByteTransport, WebSocketLike, TlsWebSocketOptions, Io];
export { check, connect, result, run, TlsStreams, TlsWebSocket };
`;
const TS_CJS = `
import core = require('@memtls/core');
import node = require('@memtls/node');
const r: core.SslResult = { ret: 1, error: core.SSL_ERROR_NONE, reason: null };
const info: core.VerifyInfo | null = null;
export = { r, info, connect: node.connect };
`;

describe('packaging: pnpm pack, npm install of the tarballs, ESM / CommonJS / TypeScript consumers', function () {
  this.timeout(300_000);
  let work = '';
  let consumer = '';
  const manifests = new Map<string, Manifest>();
  const unpacked = new Map<string, string>();

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'memtls-pack-'));
    const tarballs = join(work, 'tarballs');
    mkdirSync(tarballs);
    for (const pkg of PACKAGES) {
      await run('pnpm', ['pack', '--pack-destination', tarballs], { cwd: join(repo, 'packages', pkg) });
    }
    for (const file of readdirSync(tarballs)) {
      const dir = join(work, 'unpacked', file.replace(/\.tgz$/, ''));
      mkdirSync(dir, { recursive: true });
      await run('tar', ['xzf', join(tarballs, file), '-C', dir]);
      const manifest = JSON.parse(readFileSync(join(dir, 'package', 'package.json'), 'utf8')) as Manifest;
      manifests.set(manifest.name, manifest);
      unpacked.set(manifest.name, join(dir, 'package'));
    }
    consumer = join(work, 'consumer');
    mkdirSync(consumer);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'memtls-consumer', version: '1.0.0', private: true }));
    const files = readdirSync(tarballs).map((f) => join(tarballs, f));
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...files], { cwd: consumer, timeout: 240_000 });
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('packs every public package', () => {
    assert.deepEqual([...manifests.keys()].sort(), PACKAGES.map((p) => `@memtls/${p}`).sort());
  });

  it('each tarball: LICENSE, README, license and engines fields, no build info, no workspace: ranges', () => {
    for (const [name, m] of manifests) {
      const dir = unpacked.get(name) as string;
      assert.ok(existsSync(join(dir, 'LICENSE')), `${name}: no LICENSE`);
      assert.match(readFileSync(join(dir, 'LICENSE'), 'utf8'), /MIT License/, `${name}: LICENSE is not MIT`);
      assert.ok(existsSync(join(dir, 'README.md')), `${name}: no README.md`);
      assert.match(m.license ?? '', /\bMIT\b/, `${name}: license field`);
      assert.equal(m.engines?.node, '>=20.19', `${name}: engines.node`);
      const files = walk(dir).map((f) => relative(dir, f));
      assert.deepEqual(
        files.filter((f) => f.endsWith('.tsbuildinfo')),
        [],
        `${name}: build info shipped`,
      );
      for (const range of Object.values(m.dependencies ?? {})) assert.ok(!range.startsWith('workspace:'), `${name}: ${range}`);
    }
  });

  it('each export has types and code that exist in the tarball (the bin too)', () => {
    for (const [name, m] of manifests) {
      const dir = unpacked.get(name) as string;
      const main = m.exports?.['.'];
      assert.ok(main?.types && main.default, `${name}: exports["."] needs types and default`);
      assert.ok(existsSync(join(dir, main.types)), `${name}: ${main.types} missing`);
      assert.ok(existsSync(join(dir, main.default)), `${name}: ${main.default} missing`);
      for (const bin of Object.values(m.bin ?? {})) {
        assert.ok(existsSync(join(dir, bin)), `${name}: bin ${bin} missing`);
        assert.ok(readFileSync(join(dir, bin), 'utf8').startsWith('#!/usr/bin/env node'), `${name}: bin without a shebang`);
      }
    }
  });

  it("every source map's sources are in the tarball (.js.map and .d.ts.map)", () => {
    let maps = 0;
    for (const [name, dir] of unpacked) {
      for (const file of walk(dir).filter((f) => f.endsWith('.map'))) {
        maps++;
        const map = JSON.parse(readFileSync(file, 'utf8')) as { sources: string[]; sourceRoot?: string };
        for (const src of map.sources) {
          const path = resolve(dirname(file), map.sourceRoot ?? '', src);
          assert.ok(path.startsWith(dir) && existsSync(path), `${name}: ${relative(dir, file)} points at ${src}, not in the tarball`);
        }
      }
    }
    assert.ok(maps > 50, `only ${maps} source maps`);
  });

  describe('consumers against a Node tls echo server on 127.0.0.1', () => {
    let server: tls.Server;
    let port = 0;
    before(async () => {
      const leaf = testPki().leaves['ec-p256'];
      server = tls.createServer({ cert: leaf.cert, key: leaf.key, minVersion: 'TLSv1.3' }, (s) => {
        s.on('error', () => undefined);
        s.pipe(s);
      });
      await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
      port = (server.address() as AddressInfo).port;
    });
    after(() => new Promise<void>((res) => server.close(() => res())));

    for (const kind of ['esm', 'cjs'] as const) {
      it(`${kind === 'esm' ? 'ESM (import)' : 'CommonJS (require)'}: handshake with Node tls, echo, clean close`, async () => {
        const file = join(consumer, kind === 'esm' ? 'consumer.mjs' : 'consumer.cjs');
        writeFileSync(file, kind === 'esm' ? ESM_CONSUMER : CJS_CONSUMER);
        const { stdout, stderr } = await run(process.execPath, [file, String(port), testPki().caPath], { cwd: consumer, timeout: 60_000 });
        assert.doesNotMatch(stderr, /Warning/, `the consumer printed a warning: ${stderr}`);
        assert.deepEqual(JSON.parse(stdout.trim()), { protocol: 'TLSv1.3', echo: `hello from ${kind}` });
      });
    }

    it('@memtls/fast-check as installed (with its peer fast-check): a mutation plan and a clean run against Node tls', async () => {
      const file = join(consumer, 'fuzz.mjs');
      writeFileSync(
        file,
        `import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { SslContext } from '@memtls/core';
import { mutationPlan, formatPlan } from '@memtls/fast-check';
import { drive } from '@memtls/fast-check/node';
const [port, caPath] = process.argv.slice(2);
const plan = fc.sample(mutationPlan({ dirs: ['c2s'] }), { seed: 1, numRuns: 1 })[0];
if (!formatPlan(plan).startsWith('flight ')) throw new Error('formatPlan');
const r = await drive({ endpoint: { port: Number(port) }, context: new SslContext({ role: 'client', ca: readFileSync(caPath, 'utf8') }) });
console.log(JSON.stringify({ verdict: r.verdict.kind, echo: new TextDecoder().decode(r.appData) }));
`,
      );
      const { stdout } = await run(process.execPath, [file, String(port), testPki().caPath], { cwd: consumer, timeout: 60_000 });
      assert.deepEqual(JSON.parse(stdout.trim()), { verdict: 'completed', echo: 'memtls-fast-check\n' });
    });

    it('the installed memtls command runs', async () => {
      const { stdout } = await run(join(consumer, 'node_modules', '.bin', 'memtls'), ['--help'], { cwd: consumer, timeout: 60_000 });
      assert.match(stdout, /s_client/);
    });
  });

  it('TypeScript (module nodenext): every public type resolves from an ESM and a CommonJS file', async () => {
    writeFileSync(join(consumer, 'types.mts'), TS_ESM);
    writeFileSync(join(consumer, 'types.cts'), TS_CJS);
    const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--lib', 'es2022,dom'];
    args.push('--typeRoots', join(repo, 'node_modules', '@types'), '--types', 'node', 'types.mts', 'types.cts');
    const r = await run(process.execPath, [tsc, ...args], { cwd: consumer, timeout: 120_000 }).catch((e: { stdout?: string; stderr?: string }) => e);
    assert.equal(r.stderr ?? '', '');
    assert.equal(r.stdout ?? '', '', 'tsc reported errors');
  });
});
