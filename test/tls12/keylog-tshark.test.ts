/**
 * Wireshark reads memtls's TLS 1.2 key log (`CLIENT_RANDOM <client_random> <master_secret>`, NSS format): tshark
 * captures a memtls client on lo talking to a Node https server limited to TLS 1.2, and decrypts the HTTP inside
 * it with the lines memtls logged, and not without them. Needs tshark and the right to capture on `lo` (root).
 */
import { strict as assert } from 'node:assert';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Ssl, SslContext } from '@memtls/core';
import { text, utf8 } from '../interop/payload.js';
import { cleanupPeers, connectTcp } from '../interop/peers.js';
import { getPki } from '../interop/pki.js';
import { handshake, readUntilZeroReturn, writeAll } from '../interop/pump.js';

const run = promisify(execFile);

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
  });
}

function stopCapture(p: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    p.once('exit', () => resolve());
    p.kill('SIGINT');
  });
}

describe('TLS 1.2: tshark decrypts a memtls connection with its CLIENT_RANDOM key log', function () {
  this.timeout(90_000);
  const dir = mkdtempSync(join(tmpdir(), 'memtls-keylog12-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(cleanupPeers);

  async function captureOnce(attempt: number, body: string): Promise<{ pcap: string; keys: string } | null> {
    const pki = await getPki();
    const cred = pki.servers.rsa2048;
    const server = https.createServer({ key: cred.keyPem, cert: cred.certPem, maxVersion: 'TLSv1.2' }, (_req, res) => res.end(body));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const pcap = join(dir, `capture-${attempt}.pcapng`);
    const keys = join(dir, `keys-${attempt}.log`);
    const capture = await startCapture(port, pcap);
    try {
      await new Promise((r) => setTimeout(r, 300 * attempt));
      const ssl = new Ssl(new SslContext({ role: 'client', ca: pki.caPem, keylog: (line) => appendFileSync(keys, `${line}\n`) }), { serverName: 'localhost' });
      const sock = await connectTcp(port);
      await handshake(ssl, sock);
      assert.equal(ssl.version(), 'TLSv1.2');
      await writeAll(ssl, sock, utf8('GET /memtls-keylog12-probe HTTP/1.0\r\nHost: localhost\r\n\r\n'));
      assert.match(text(await readUntilZeroReturn(ssl, sock)), new RegExp(body));
      sock.destroy();
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      await stopCapture(capture);
      server.close();
    }
    const hello = (await run('tshark', ['-r', pcap, '-Y', 'tls.handshake.type == 1'])).stdout.trim();
    return hello === '' ? null : { pcap, keys };
  }

  it('the decrypted TLS 1.2 stream holds the HTTP request and response', async () => {
    const body = `decrypted-tls12-${randomBytes(8).toString('hex')}`;
    let got: { pcap: string; keys: string } | null = null;
    for (let attempt = 1; attempt <= 3 && got === null; attempt++) got = await captureOnce(attempt, body);
    assert.ok(got, 'three captures on lo missed the ClientHello');
    const { pcap, keys } = got;
    assert.match(readFileSync(keys, 'utf8'), /^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}\n$/);
    const follow = ['-r', pcap, '-q', '-z', 'follow,tls,ascii,0'];
    const withKeys = (await run('tshark', ['-o', `tls.keylog_file:${keys}`, ...follow])).stdout;
    assert.match(withKeys, /GET \/memtls-keylog12-probe HTTP\/1\.0/);
    assert.match(withKeys, new RegExp(body));
    const withoutKeys = (await run('tshark', follow)).stdout;
    assert.doesNotMatch(withoutKeys, new RegExp(body));
  });
});
