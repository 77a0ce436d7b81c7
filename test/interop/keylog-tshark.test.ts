/**
 * Wireshark reads memtls's key log: tshark captures a memtls connection on the loopback interface (127.0.0.1)
 * to a Node https server, and decrypts the HTTP inside it with the lines memtls logged, and not without them.
 * Needs Debian's tshark and the right to capture on `lo` (root, as in CI); the test command installs tshark.
 */
import { strict as assert } from 'node:assert';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import https from 'node:https';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connect } from '@memtls/node';
import { getPki } from './pki.js';

const run = promisify(execFile);

/** Start tshark on lo for one TCP port, resolving once it reports that it captures. */
function startCapture(port: number, file: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const p = spawn('tshark', ['-i', 'lo', '-f', `tcp port ${port}`, '-w', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const timer = setTimeout(() => reject(new Error(`tshark did not start capturing: ${err}`)), 20_000);
    p.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (/Capturing on/.test(err)) {
        clearTimeout(timer);
        resolve(p);
      }
    });
    p.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    p.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tshark exited (${code}): ${err}`));
    });
  });
}

/** Stop a capture and wait until the file is complete. */
function stopCapture(p: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    p.removeAllListeners('exit');
    p.once('exit', () => resolve());
    p.kill('SIGINT');
  });
}

describe('interop: tshark decrypts a memtls connection with its key log', function () {
  this.timeout(90_000);
  const dir = mkdtempSync(join(tmpdir(), 'memtls-keylog-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * One capture of one connection. Returns the capture and its key log, or null when the
   * capture holds no packet of it (dumpcap starts asynchronously: on a loaded machine it may miss a short
   * connection; that says nothing about memtls, so the caller tries again).
   */
  async function captureOnce(attempt: number, body: string): Promise<{ pcap: string; keys: string } | null> {
    const pki = await getPki();
    const cred = pki.servers['ec-p256'];
    const server = https.createServer({ key: cred.keyPem, cert: cred.certPem }, (_req, res) => res.end(body));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const pcap = join(dir, `capture-${attempt}.pcapng`);
    const keys = join(dir, `keys-${attempt}.log`);
    const capture = await startCapture(port, pcap);
    try {
      await new Promise((r) => setTimeout(r, 300 * attempt));
      const sock = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.caPem });
      sock.on('keylog', (line: Buffer) => appendFileSync(keys, line));
      const chunks: Buffer[] = [];
      sock.on('data', (d: Buffer) => chunks.push(d));
      sock.write('GET /memtls-keylog-probe HTTP/1.0\r\nHost: localhost\r\n\r\n');
      await new Promise<void>((resolve, reject) => {
        sock.once('end', resolve);
        sock.once('error', reject);
      });
      sock.destroy();
      assert.match(Buffer.concat(chunks).toString(), new RegExp(body));
      // Let the last segments reach the capture before it stops.
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      await stopCapture(capture);
      server.close();
    }
    const hello = (await run('tshark', ['-r', pcap, '-Y', 'tls.handshake.type == 1'])).stdout.trim();
    return hello === '' ? null : { pcap, keys };
  }

  it('the decrypted TLS stream holds the HTTP request and response', async () => {
    const body = `decrypted-by-wireshark-${randomBytes(8).toString('hex')}`;
    let got: { pcap: string; keys: string } | null = null;
    for (let attempt = 1; attempt <= 3 && got === null; attempt++) got = await captureOnce(attempt, body);
    assert.ok(got, 'three captures on lo missed the ClientHello');
    const { pcap, keys } = got;
    assert.ok(statSync(keys).size > 0, 'no key log lines were written');
    const follow = ['-r', pcap, '-q', '-z', 'follow,tls,ascii,0'];
    const withKeys = (await run('tshark', ['-o', `tls.keylog_file:${keys}`, ...follow])).stdout;
    assert.match(withKeys, /GET \/memtls-keylog-probe HTTP\/1\.0/);
    assert.match(withKeys, new RegExp(body));
    const withoutKeys = (await run('tshark', follow)).stdout;
    assert.doesNotMatch(withoutKeys, /memtls-keylog-probe/);
    assert.doesNotMatch(withoutKeys, new RegExp(body));
  });
});
