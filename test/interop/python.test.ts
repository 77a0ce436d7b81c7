/**
 * memtls ↔ Python `ssl` (SSLObject over MemoryBIO, pumped over TCP on 127.0.0.1 by `python_peer.py`), TLS 1.3 and
 * TLS 1.2 (Python's minimum_version = maximum_version = the version; memtls at its
 * defaults), both roles: data both ways, close_notify in both orders (unwrap()), unidirectional close, and
 * truncation detected on both sides (memtls: `read` → 0 / SSL_ERROR_SSL "unexpected eof while reading"; Python: ssl.SSLEOFError).
 */
import { strict as assert } from 'node:assert';
import { type ChildProcess, spawn } from 'node:child_process';
import type net from 'node:net';
import { fileURLToPath } from 'node:url';
import { onProcessExit } from '../util/on-exit.js';
import { type CoreApi, loadCore, type Ssl } from './api.js';
import { text, utf8 } from './payload.js';
import { acceptOne, cleanupPeers, connectTcp } from './peers.js';
import { getPki, type Pki } from './pki.js';
import { endTransport, handshake, pumpFor, readExactly, readUntilZeroReturn, shutdownLoop, writeAll } from './pump.js';

// Compiled to test/dist/interop/; the script stays in test/interop/.
const SCRIPT = fileURLToPath(new URL('../../interop/python_peer.py', import.meta.url));
const PY_MSG = 'hello from python\n';
const MEMTLS_MSG = 'hello from memtls\n';
const PROCESS_TIMEOUT_MS = 20_000;
const SENT = 1;
const RECEIVED = 2;

type Version = 'TLSv1.2' | 'TLSv1.3';
type Scenario = 'python-closes' | 'memtls-closes' | 'python-unidir' | 'memtls-unidir' | 'truncate' | 'expect-eof' | 'pha-answer' | 'pha-request';

interface PyResult {
  role: string;
  scenario: string;
  outcome: string;
  version?: string;
  got?: string;
  extra?: string;
  unwrap?: string;
  peer_before?: boolean;
  peer_subject?: Record<string, string> | null;
  type?: string;
  error?: string;
}

/** One `python3 python_peer.py …` run, with its output captured and a hard deadline. */
class PythonPeer {
  readonly proc: ChildProcess;
  #stdout = '';
  #stderr = '';
  #exit: Promise<number | null>;
  #listeners = new Set<() => void>();

  constructor(args: string[], version: Version) {
    const env = { ...process.env, MEMTLS_PY_TLS: version === 'TLSv1.2' ? 'TLSv1_2' : 'TLSv1_3' };
    this.proc = spawn('python3', [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    this.proc.stdout?.on('data', (d: Buffer) => {
      this.#stdout += d.toString('latin1');
      for (const l of this.#listeners) l();
    });
    this.proc.stderr?.on('data', (d: Buffer) => {
      this.#stderr += d.toString('latin1');
    });
    const deadline = setTimeout(() => this.proc.kill('SIGKILL'), PROCESS_TIMEOUT_MS);
    deadline.unref();
    this.#exit = new Promise((resolve) => {
      this.proc.once('exit', (code) => {
        clearTimeout(deadline);
        for (const l of this.#listeners) l();
        resolve(code);
      });
      this.proc.once('error', () => resolve(null));
    });
    live.add(this);
  }

  describe(): string {
    return `--- python3 python_peer.py\n--- stdout:\n${this.#stdout}\n--- stderr:\n${this.#stderr}`;
  }

  /** Python's stdout so far. */
  stdout(): string {
    return this.#stdout;
  }

  /** The port printed by a server ("LISTENING <port>"). */
  listening(): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`python peer did not listen within 10 s\n${this.describe()}`)), 10_000);
      const check = () => {
        const m = /^LISTENING (\d+)$/m.exec(this.#stdout);
        if (m) done(null, Number(m[1]));
        else if (this.proc.exitCode !== null || this.proc.signalCode !== null) done(new Error(`python peer exited\n${this.describe()}`));
      };
      const done = (e: Error | null, port?: number) => {
        clearTimeout(timer);
        this.#listeners.delete(check);
        if (e) reject(e);
        else resolve(port as number);
      };
      this.#listeners.add(check);
      check();
    });
  }

  /** Wait for exit and parse the RESULT line. */
  async result(): Promise<PyResult> {
    const code = await this.#exit;
    const m = /^RESULT (.*)$/m.exec(this.#stdout);
    if (!m?.[1]) throw new Error(`python peer exited (${code}) without a RESULT line\n${this.describe()}`);
    return JSON.parse(m[1]) as PyResult;
  }

  async kill(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGKILL');
    await this.#exit;
  }
}

const live = new Set<PythonPeer>();
onProcessExit(() => {
  for (const p of live) p.proc.kill('SIGKILL');
});

for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
describe(`interop: memtls ↔ Python ssl (SSLObject + MemoryBIO), ${version}`, function () {
  this.timeout(30_000);
  let core: CoreApi;
  let pki: Pki;
  before(async () => {
    core = await loadCore();
    pki = await getPki();
  });
  afterEach(async () => {
    await Promise.allSettled([...live].map((p) => p.kill()));
    live.clear();
    await cleanupPeers();
  });

  /** memtls in `role` against the Python peer in the other role, handshake done and one message each way. */
  async function start(role: 'client' | 'server', scenario: Scenario, ignoreUnexpectedEof = false) {
    const cred = pki.servers['ec-p256'];
    let py: PythonPeer;
    let sock: net.Socket;
    let ssl: Ssl;
    if (role === 'client') {
      py = new PythonPeer(['server', '0', scenario, pki.caPath, cred.certPath, cred.keyPath], version);
      sock = await connectTcp(await py.listening());
      // memtls keeps its default range (TLS 1.2 to 1.3): Python's maximum_version decides.
      ssl = new core.Ssl(new core.SslContext({ role: 'client', ca: pki.caPem, ignoreUnexpectedEof }), { serverName: 'localhost' });
    } else {
      const { port, accepted } = await acceptOne();
      py = new PythonPeer(['client', String(port), scenario, pki.caPath], version);
      sock = await accepted;
      ssl = new core.Ssl(new core.SslContext({ role: 'server', cert: cred.certPem, key: cred.keyPem, ignoreUnexpectedEof }));
    }
    try {
      await handshake(ssl, sock);
      await writeAll(ssl, sock, utf8(MEMTLS_MSG));
      assert.equal(text(await readExactly(ssl, sock, PY_MSG.length)), PY_MSG);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${py.describe()}`);
    }
    assert.equal(ssl.version(), version);
    return { py, sock, ssl };
  }

  /** The Python side's report, checked for the common part (TLS 1.3, our message received). */
  async function pyResult(py: PythonPeer, outcome: string): Promise<PyResult> {
    const r = await py.result();
    assert.equal(r.outcome, outcome, py.describe());
    assert.equal(r.version, version);
    assert.equal(r.got, MEMTLS_MSG);
    return r;
  }

  /** One read, expected to fail on a transport EOF without close_notify. */
  async function readAtEof(ssl: Ssl, sock: net.Socket) {
    const { ret, err } = await pumpFor(ssl, sock).drive('read at truncation', () => ssl.read(new Uint8Array(64)));
    return { ret, err, reason: ssl.errorReason() };
  }

  for (const role of ['client', 'server'] as const) {
    const other = role === 'client' ? 'server' : 'client';
    describe(`memtls ${role} ↔ Python ${other}`, () => {
      it('data both ways; Python closes first: memtls read → ZERO_RETURN, then shutdown → 1; unwrap() completes', async () => {
        const { py, sock, ssl } = await start(role, 'python-closes');
        assert.equal((await readUntilZeroReturn(ssl, sock)).length, 0);
        assert.equal(ssl.getShutdown(), RECEIVED);
        assert.equal(await ssl.shutdown(), 1, 'close_notify already received: the first shutdown returns 1');
        pumpFor(ssl, sock).flush();
        assert.equal(ssl.getShutdown(), SENT | RECEIVED);
        await pyResult(py, 'closed');
        await endTransport(ssl, sock);
      });

      it('memtls closes first: shutdown → 0 then 1; Python read() returns b\'\' (close_notify) and unwrap() answers', async () => {
        const { py, sock, ssl } = await start(role, 'memtls-closes');
        const first = await pumpFor(ssl, sock).drive('shutdown', () => ssl.shutdown());
        assert.equal(first.ret, 0);
        assert.equal(ssl.getShutdown(), SENT);
        const second = await pumpFor(ssl, sock).drive('shutdown (2nd)', () => ssl.shutdown());
        assert.equal(second.ret, 1, pumpFor(ssl, sock).failure('shutdown (2nd)', second.ret, second.err).message);
        assert.equal(ssl.getShutdown(), SENT | RECEIVED);
        const r = await pyResult(py, 'closed');
        assert.equal(r.extra, '');
        await endTransport(ssl, sock);
      });

      it('unidirectional: Python sends close_notify and closes the socket; memtls read → ZERO_RETURN', async () => {
        const { py, sock, ssl } = await start(role, 'python-unidir');
        const r = await pyResult(py, 'sent-close-notify');
        assert.equal(r.unwrap, 'want-read', 'unwrap() sent close_notify and wanted the peer’s');
        assert.equal((await readUntilZeroReturn(ssl, sock)).length, 0);
        assert.equal(ssl.getShutdown(), RECEIVED);
        await endTransport(ssl, sock);
      });

      it('unidirectional: memtls shutdown → 0 and closes the transport; Python sees a clean close', async () => {
        const { py, sock, ssl } = await start(role, 'memtls-unidir');
        assert.equal(await shutdownLoop(ssl, sock, { bidirectional: false }), 0);
        assert.equal(ssl.getShutdown(), SENT);
        await endTransport(ssl, sock);
        const r = await pyResult(py, 'received-close-notify');
        assert.equal(r.extra, '');
      });

      it('truncation: Python closes TCP without close_notify → memtls read 0 / SSL_ERROR_SSL "unexpected eof while reading"', async () => {
        const { py, sock, ssl } = await start(role, 'truncate');
        await pyResult(py, 'truncated');
        const { ret, err, reason } = await readAtEof(ssl, sock);
        assert.deepEqual({ ret, err, reason }, { ret: 0, err: core.SSL_ERROR_SSL, reason: 'unexpected eof while reading' });
        assert.equal(ssl.getShutdown(), 0, 'flags unchanged');
      });

      it('truncation with ignoreUnexpectedEof: memtls read → 0 / SSL_ERROR_ZERO_RETURN', async () => {
        const { py, sock, ssl } = await start(role, 'truncate', true);
        await pyResult(py, 'truncated');
        const { ret, err } = await readAtEof(ssl, sock);
        assert.deepEqual({ ret, err }, { ret: 0, err: core.SSL_ERROR_ZERO_RETURN });
        assert.equal(ssl.getShutdown(), RECEIVED);
      });

      it('truncation: memtls closes the transport without close_notify → Python raises ssl.SSLEOFError', async () => {
        const { py, sock, ssl } = await start(role, 'expect-eof');
        await endTransport(ssl, sock);
        // Python 3.11.7 raises SSLEOFError; Debian's 3.11.2 (the python3 CI's PATH finds) raises SSLError with
        // OpenSSL's UNEXPECTED_EOF_WHILE_READING. Both are the truncation; neither is a clean close.
        const r = await py.result();
        assert.equal(r.version, version);
        assert.equal(r.got, MEMTLS_MSG);
        const eof = r.outcome === 'SSLEOFError' ? /EOF occurred in violation of protocol/ : /UNEXPECTED_EOF_WHILE_READING/;
        assert.ok(r.outcome === 'SSLEOFError' || (r.outcome === 'exception' && r.type === 'SSLError'), py.describe());
        assert.match(r.error ?? '', eof);
        assert.equal(ssl.getShutdown(), 0);
      });
    });
  }
});
}

describe('interop: post-handshake client authentication with Python ssl (TLS 1.3)', function () {
  this.timeout(30_000);
  let core: CoreApi;
  let pki: Pki;
  before(async () => {
    core = await loadCore();
    pki = await getPki();
  });
  afterEach(async () => {
    await Promise.allSettled([...live].map((p) => p.kill()));
    live.clear();
    await cleanupPeers();
  });

  it('Python client (post_handshake_auth = True) → memtls server verifyClientPostHandshake(): verified', async () => {
    const cred = pki.servers['ec-p256'];
    const { port, accepted } = await acceptOne();
    const py = new PythonPeer(['client', String(port), 'pha-answer', pki.caPath, pki.client.certPath, pki.client.keyPath], 'TLSv1.3');
    const sock = await accepted;
    const ssl = new core.Ssl(new core.SslContext({ role: 'server', cert: cred.certPem, key: cred.keyPem, ca: pki.caPem, verifyPeer: true, postHandshakeAuth: true }));
    await handshake(ssl, sock);
    assert.equal(ssl.peerCertificates().length, 0);
    assert.equal(ssl.verifyClientPostHandshake(), 1);
    await writeAll(ssl, sock, utf8(MEMTLS_MSG));
    assert.equal(text(await readExactly(ssl, sock, PY_MSG.length)), PY_MSG);
    // The second message comes after the read in which Python answered the request.
    assert.equal(text(await readExactly(ssl, sock, PY_MSG.length)), PY_MSG);
    assert.equal(ssl.verifyResult(), 'X509_V_OK', py.describe());
    assert.ok(ssl.peerCertificates().length >= 1);
    assert.equal((await readUntilZeroReturn(ssl, sock)).length, 0);
    assert.equal(await ssl.shutdown(), 1);
    pumpFor(ssl, sock).flush();
    const r = await py.result();
    assert.equal(r.outcome, 'closed', py.describe());
    await endTransport(ssl, sock);
  });

  it('memtls client (postHandshakeAuth) → Python server verify_client_post_handshake(): Python sees our certificate', async () => {
    const cred = pki.servers['ec-p256'];
    const py = new PythonPeer(['server', '0', 'pha-request', pki.caPath, cred.certPath, cred.keyPath], 'TLSv1.3');
    const sock = await connectTcp(await py.listening());
    const ssl = new core.Ssl(new core.SslContext({ role: 'client', ca: pki.caPem, cert: pki.client.certPem, key: pki.client.keyPem, postHandshakeAuth: true }), { serverName: 'localhost' });
    await handshake(ssl, sock);
    // Python's request comes before its data: answered in this read.
    assert.equal(text(await readExactly(ssl, sock, PY_MSG.length)), PY_MSG);
    await writeAll(ssl, sock, utf8(MEMTLS_MSG));
    assert.equal((await readUntilZeroReturn(ssl, sock)).length, 0);
    assert.equal(await ssl.shutdown(), 1);
    pumpFor(ssl, sock).flush();
    const r = await py.result();
    assert.equal(r.outcome, 'closed', py.describe());
    assert.equal(r.peer_before, false, 'nothing was asked in the handshake (SSL_VERIFY_POST_HANDSHAKE)');
    assert.equal(r.peer_subject?.commonName, 'memtls-client', py.describe());
    await endTransport(ssl, sock);
  });
});
