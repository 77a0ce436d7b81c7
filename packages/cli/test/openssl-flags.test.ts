/**
 * The CLI as openssl users expect it: -starttls against small local servers of each protocol (plaintext
 * exchange, then a memtls server on the same socket), OpenSSL's numeric verify codes and texts, the
 * report on stdout, -brief, decrypted -msg / -trace, -tls1_3, -CApath, -verify_hostname, -curves,
 * -reconnect. Everything on 127.0.0.1; every process has a deadline and is killed in afterEach.
 */
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { secureUpgrade } from '@memtls/node';
import type * as Helpers from '../../node/test/helpers.js';

const { Child, cleanup, listen, opensslServer, testPki, track, trackServer }: typeof Helpers = await import(new URL('../../../node/test/dist/helpers.js', import.meta.url).href);
type Child = Helpers.Child;

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'main.js');
const memtls = (args: string[]): Child => new Child(process.execPath, [CLI, ...args], { timeoutMs: 20_000 });

type Step = { send: string | Buffer } | { expect: RegExp };

/**
 * A server that speaks `steps` in plaintext (waiting for each expected client line), then upgrades the
 * same socket with memtls (`secureUpgrade`), writes `<name> secure` and closes with close_notify.
 */
async function starttlsServer(name: string, steps: Step[]): Promise<number> {
  const pki = testPki();
  const server = trackServer(
    net.createServer((sock) => {
      let buf = '';
      let i = 0;
      const advance = (): void => {
        for (; i < steps.length; i++) {
          const s = steps[i] as Step;
          if ('send' in s) sock.write(s.send);
          else {
            const m = s.expect.exec(buf);
            if (!m) return;
            buf = buf.slice(m.index + m[0].length);
          }
        }
        sock.off('data', onData);
        const secure = secureUpgrade(sock, { isServer: true, cert: pki.server.cert, key: pki.server.key });
        secure.once('secure', () => secure.end(`${name} secure\n`));
        secure.on('error', () => undefined);
      };
      const onData = (d: Buffer): void => {
        buf += d.toString('latin1');
        advance();
      };
      sock.on('data', onData);
      sock.on('error', () => undefined);
      advance();
    }),
  );
  return listen(server);
}

const PROTOCOLS: Record<string, Step[]> = {
  smtp: [
    { send: '220 mail.test ESMTP\r\n' },
    { expect: /^EHLO \S+\r\n/ },
    { send: '250-mail.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n' },
    { expect: /^STARTTLS\r\n/ },
    { send: '220 2.0.0 Ready to start TLS\r\n' },
  ],
  imap: [
    { send: '* OK IMAP4rev1 ready\r\n' },
    { expect: /^\. CAPABILITY\r\n/ },
    { send: '* CAPABILITY IMAP4rev1 STARTTLS\r\n. OK done\r\n' },
    { expect: /^\. STARTTLS\r\n/ },
    { send: '. OK Begin TLS negotiation\r\n' },
  ],
  pop3: [{ send: '+OK POP3 ready\r\n' }, { expect: /^STLS\r\n/ }, { send: '+OK Begin TLS\r\n' }],
  ftp: [{ send: '220-Welcome\r\n220 FTP ready\r\n' }, { expect: /^AUTH TLS\r\n/ }, { send: '234 AUTH TLS ok\r\n' }],
  xmpp: [
    { expect: /<stream:stream[^>]*to='localhost'[^>]*>/ },
    {
      send: "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='1' from='localhost' version='1.0'><stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>",
    },
    { expect: /<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'\/>/ },
    { send: "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" },
  ],
  // SSLRequest (length 8, code 80877103) as latin1 text, then 'S'.
  postgres: [{ expect: new RegExp(`^${String.fromCharCode(0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f)}`) }, { send: 'S' }],
};

describe('memtls CLI: OpenSSL flags', function () {
  this.timeout(30_000);
  afterEach(cleanup);

  for (const [proto, steps] of Object.entries(PROTOCOLS)) {
    it(`-starttls ${proto}: the protocol's upgrade, then TLS with a memtls server on the same socket; exit 0`, async () => {
      const port = await starttlsServer(proto, steps);
      const c = memtls(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', testPki().caPath, '-starttls', proto, '-quiet']);
      assert.equal(await c.exited, 0, c.stderr);
      assert.equal(c.stdout, `${proto} secure\n`);
      assert.equal(c.stderr, '', '-quiet: nothing on stderr for a verified server');
    });
  }

  it('-starttls smtp: a refusal is one clear line and exit 1', async () => {
    const port = await starttlsServer('smtp', [{ send: '220 mail.test ESMTP\r\n' }, { expect: /^EHLO[^\n]*\n/ }, { send: '250 mail.test\r\n' }, { expect: /^STARTTLS\r\n/ }, { send: '454 4.7.0 TLS not available\r\n' }]);
    const c = memtls(['s_client', '-connect', `127.0.0.1:${port}`, '-starttls', 'smtp', '-quiet']);
    assert.equal(await c.exited, 1);
    assert.match(c.stderr, /-starttls smtp: the server refused STARTTLS: 454 4\.7\.0 TLS not available/);
  });

  it('-starttls: plaintext sent after the server agreed to start TLS is refused (no injection into the TLS stream)', async () => {
    const port = await starttlsServer('pop3', [{ send: '+OK POP3 ready\r\n' }, { expect: /^STLS\r\n/ }, { send: '+OK Begin TLS\r\n+OK INJECTED\r\n' }]);
    const c = memtls(['s_client', '-connect', `127.0.0.1:${port}`, '-starttls', 'pop3', '-quiet']);
    assert.equal(await c.exited, 1);
    assert.match(c.stderr, /-starttls pop3: 14 bytes of plaintext arrived after the server agreed to start TLS; refusing to go on/);
  });

  it('the report goes to stdout as openssl prints it; verify errors go to stderr with OpenSSL numbers, even with -quiet', async () => {
    const pki = testPki();
    const { port } = await opensslServer(['-cert', pki.rogueServer.certPath, '-key', pki.rogueServer.keyPath, '-www']);
    const base = ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caPath];
    const c = memtls(base);
    c.write('GET / HTTP/1.0\r\n\r\n');
    assert.equal(await c.exited, 0, c.stderr);
    assert.match(c.stdout, /^CONNECTED\(127\.0\.0\.1:\d+\)\n---\nCertificate chain\n 0 s:CN = rogue-localhost\n {3}i:CN = rogue-root\n/);
    assert.match(c.stdout, /\nSSL handshake has read \d+ bytes and written \d+ bytes\nVerification error: unable to get local issuer certificate\n/);
    assert.match(c.stdout, /\nNew, TLSv1\.3, Cipher is TLS_AES_\d+_GCM_SHA\d+\n/);
    assert.match(c.stdout, /\nVerify return code: 20 \(unable to get local issuer certificate\)\n/);
    assert.match(c.stdout, /\n {4}Protocol {2}: TLSv1\.3\n/);
    assert.match(c.stdout, /HTTP\/1\.0 200 ok/);
    assert.match(c.stderr, /depth=0 CN = rogue-localhost\nverify error:num=20:unable to get local issuer certificate\nverify return:1\n/);

    const quiet = memtls([...base, '-quiet']);
    quiet.write('GET / HTTP/1.0\r\n\r\n');
    assert.equal(await quiet.exited, 0, quiet.stderr);
    assert.equal(quiet.stderr, 'depth=0 CN = rogue-localhost\nverify error:num=20:unable to get local issuer certificate\nverify return:1\n');
    assert.match(quiet.stdout, /^HTTP\/1\.0 200 ok/, '-quiet: only the peer data on stdout');
  });

  it('a self-signed server is error 18; an expected host name that does not match is 62; -verify_return_error exits 1', async () => {
    const pki = testPki();
    const { port } = await opensslServer(['-cert', pki.caPath, '-key', join(pki.dir, 'memtls-node-test-root.key'), '-www']);
    const selfSigned = memtls(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', join(pki.dir, 'rogue-root.pem'), '-brief']);
    selfSigned.write('GET / HTTP/1.0\r\n\r\n');
    assert.equal(await selfSigned.exited, 0, selfSigned.stderr);
    assert.match(selfSigned.stderr, /verify error:num=18:self-signed certificate\n/);
    const { port: good } = await opensslServer(['-cert', pki.server.certPath, '-key', pki.server.keyPath, '-www']);
    const base = ['s_client', '-connect', `127.0.0.1:${good}`, '-servername', 'localhost', '-CAfile', pki.caPath];
    const mismatch = memtls([...base, '-verify_hostname', 'other.example']);
    mismatch.write('GET / HTTP/1.0\r\n\r\n');
    assert.equal(await mismatch.exited, 0, mismatch.stderr);
    assert.match(mismatch.stderr, /depth=0 CN = localhost\nverify error:num=62:hostname mismatch\n/);
    assert.match(mismatch.stdout, /Verify return code: 62 \(hostname mismatch\)/);
    const strict = memtls([...base, '-verify_hostname', 'other.example', '-verify_return_error']);
    assert.equal(await strict.exited, 1);
    assert.match(strict.stderr, /verify error:num=62:hostname mismatch\n/);
  });

  it('-brief: CONNECTION ESTABLISHED, protocol, suite, peer, verification on stderr; -curves picks the group; -verify N is accepted', async () => {
    const pki = testPki();
    const { port } = await opensslServer(['-cert', pki.server.certPath, '-key', pki.server.keyPath, '-www']);
    const c = memtls(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caPath, '-brief', '-curves', 'P-384', '-verify', '2', '-tls1_3', '-no_tls1_2']);
    c.write('GET / HTTP/1.0\r\n\r\n');
    assert.equal(await c.exited, 0, c.stderr);
    assert.match(
      c.stderr,
      /verify depth is 2\nCONNECTION ESTABLISHED\nProtocol version: TLSv1\.3\nCiphersuite: TLS_AES_\d+_GCM_SHA\d+\nPeer certificate: CN = localhost\nVerification: OK\nServer Temp Key: ECDH, secp384r1, 384 bits\n/,
    );
    assert.match(c.stdout, /^HTTP\/1\.0 200 ok/);
  });

  it('-keylogfile and SSLKEYLOGFILE write the lines openssl s_server -keylogfile writes for the same connection', async () => {
    const pki = testPki();
    const dir = mkdtempSync(join(tmpdir(), 'memtls-cli-keylog-'));
    try {
      const serverLog = join(dir, 'server.log');
      const { port } = await opensslServer(['-cert', pki.server.certPath, '-key', pki.server.keyPath, '-www', '-keylogfile', serverLog]);
      const base = ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caPath, '-quiet'];
      const byFlag = join(dir, 'flag.log');
      const c = memtls([...base, '-keylogfile', byFlag]);
      c.write('GET / HTTP/1.0\r\n\r\n');
      assert.equal(await c.exited, 0, c.stderr);
      const byEnv = join(dir, 'env.log');
      const saved = process.env.SSLKEYLOGFILE;
      process.env.SSLKEYLOGFILE = byEnv;
      let e: Child;
      try {
        e = memtls(base);
      } finally {
        if (saved === undefined) delete process.env.SSLKEYLOGFILE;
        else process.env.SSLKEYLOGFILE = saved;
      }
      e.write('GET / HTTP/1.0\r\n\r\n');
      assert.equal(await e.exited, 0, e.stderr);
      const lines = (f: string): string[] => readFileSync(f, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).sort();
      const flagLines = lines(byFlag);
      const envLines = lines(byEnv);
      assert.deepEqual(flagLines.map((l) => l.split(' ')[0]).sort(), ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'EXPORTER_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_TRAFFIC_SECRET_0']);
      assert.equal(envLines.length, 5);
      assert.notDeepEqual(flagLines, envLines, 'two connections, two sets of secrets');
      // openssl s_server logged both connections: each memtls line is one of its lines.
      const serverLines = new Set(lines(serverLog));
      for (const l of [...flagLines, ...envLines]) assert.ok(serverLines.has(l), `openssl did not log: ${l.slice(0, 40)}...`);
      assert.equal(statSync(byFlag).mode & 0o077, 0, 'the key log is readable by its owner only');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('-msg shows the decrypted TLS 1.3 handshake; -trace lays records out as OpenSSL', async () => {
    const pki = testPki();
    const { port } = await opensslServer(['-cert', pki.server.certPath, '-key', pki.server.keyPath, '-www']);
    const base = ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caPath];
    const msg = memtls([...base, '-msg']);
    msg.write('GET / HTTP/1.0\r\n\r\n');
    assert.equal(await msg.exited, 0, msg.stderr);
    for (const m of ['>>> TLS 1.3, Handshake \\[length [0-9a-f]{4}\\], ClientHello', '<<< TLS 1.3, Handshake \\[length 0006\\], EncryptedExtensions', '<<< TLS 1.3, Handshake \\[length [0-9a-f]{4}\\], Certificate\n', '<<< TLS 1.3, Handshake \\[length [0-9a-f]{4}\\], CertificateVerify', '<<< TLS 1.3, Handshake \\[length [0-9a-f]{4}\\], Finished', '>>> TLS 1.3, Handshake \\[length [0-9a-f]{4}\\], Finished', '<<< TLS 1.3, Alert \\[length 0002\\], warning close_notify']) {
      assert.match(msg.stderr, new RegExp(m));
    }
    assert.match(msg.stderr, /<<< TLS record, ApplicationData \[length [0-9a-f]{4}\] \(encrypted\)/);
    const trace = memtls([...base, '-trace']);
    trace.write('GET / HTTP/1.0\r\n\r\n');
    assert.equal(await trace.exited, 0, trace.stderr);
    assert.match(trace.stderr, /Sent Record\n {2}Version = TLS 1\.\d \(0x30\d\)\n {2}Content Type = Handshake \(22\)\n {2}Length = \d+\n/);
    assert.match(trace.stderr, /Received Message \(decrypted\), Content Type = Handshake \(22\)\n {4}CertificateVerify, Length=\d+\n/);
  });

  it('-CApath: a directory of hashed-name PEM files is the trust store', async () => {
    const pki = testPki();
    const dir = mkdtempSync(join(tmpdir(), 'memtls-capath-'));
    track(dir, (d) => rmSync(d, { recursive: true, force: true }));
    copyFileSync(pki.caPath, join(dir, '1a2b3c4d.0'));
    const { port } = await opensslServer(['-cert', pki.server.certPath, '-key', pki.server.keyPath, '-www']);
    const c = memtls(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CApath', dir]);
    c.write('GET / HTTP/1.0\r\n\r\n');
    assert.equal(await c.exited, 0, c.stderr);
    assert.match(c.stdout, /Verify return code: 0 \(ok\)/);
  });

  it('s_server -verify: a client certificate is asked for, and a client without one is accepted (as OpenSSL)', async () => {
    const pki = testPki();
    const server = memtls(['s_server', '-accept', '127.0.0.1:0', '-cert', pki.server.certPath, '-key', pki.server.keyPath, '-CAfile', pki.caPath, '-verify', '1', '-rev', '-naccept', '1']);
    const port = (await server.waitFor(/ACCEPT 127\.0\.0\.1:(\d+)/))[1] as string;
    const c = memtls(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caPath, '-quiet', '-no_ign_eof']);
    c.write('abc\n');
    await c.waitFor(/cba\n/);
    c.endInput();
    assert.equal(await c.exited, 0, c.stderr);
    assert.equal(await server.exited, 0, server.stderr);
    assert.match(server.stderr, /\nNo client certificate\n/);
  });

  it('-reconnect: 5 reconnections resume the session, as openssl does', async () => {
    const pki = testPki();
    const { port } = await opensslServer(['-cert', pki.server.certPath, '-key', pki.server.keyPath, '-rev']);
    const c = memtls(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caPath, '-reconnect']);
    await c.waitFor(/(Reused, TLSv1\.3[\s\S]*){5}/);
    c.write('abc\n');
    await c.waitFor(/cba\n/);
    c.endInput();
    assert.equal(await c.exited, 0, c.stderr);
    assert.equal(c.stdout.match(/drop connection and then reconnect/g)?.length, 5);
    assert.equal(c.stdout.match(/^CONNECTED\(/gm)?.length, 6);
    assert.equal(c.stdout.match(/^New, TLSv1\.3/gm)?.length, 1);
    assert.equal(c.stdout.match(/^Reused, TLSv1\.3/gm)?.length, 5);
  });

  for (const noTicket of [false, true]) {
    it(`-reconnect against a TLS 1.2 s_server${noTicket ? ' -no_ticket' : ''}: 5 resumptions, each dropped right after its handshake`, async () => {
      const pki = testPki();
      const { port } = await opensslServer(['-tls1_2', '-cert', pki.server.certPath, '-key', pki.server.keyPath, '-rev', ...(noTicket ? ['-no_ticket'] : [])]);
      const started = Date.now();
      const c = memtls(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caPath, '-reconnect']);
      await c.waitFor(/(Reused, TLSv1\.2[\s\S]*){5}/);
      // A TLS 1.2 session exists at the end of the handshake: no round waits for a ticket (3 s each).
      assert.ok(Date.now() - started < 2500, `${Date.now() - started} ms`);
      c.write('abc\n');
      await c.waitFor(/cba\n/);
      c.endInput();
      assert.equal(await c.exited, 0, c.stderr);
      assert.equal(c.stdout.match(/^New, TLSv1\.2/gm)?.length, 1);
      assert.equal(c.stdout.match(/^Reused, TLSv1\.2/gm)?.length, 5);
    });
  }
  for (const noTicket of [false, true]) {
    it(`s_server -tls1_2${noTicket ? ' -no_ticket' : ''}: openssl s_client -reconnect resumes 5 times (${noTicket ? 'by session ID' : 'by stateless ticket'})`, async () => {
      const pki = testPki();
      const server = memtls(['s_server', '-accept', '127.0.0.1:0', '-tls1_2', '-cert', pki.server.certPath, '-key', pki.server.keyPath, '-rev', '-naccept', '6', ...(noTicket ? ['-no_ticket'] : [])]);
      const port = (await server.waitFor(/ACCEPT 127\.0\.0\.1:(\d+)/))[1] as string;
      const c = new Child('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_2', '-servername', 'localhost', '-CAfile', pki.caPath, '-reconnect'], { timeoutMs: 20_000 });
      await c.waitFor(/(Reused, TLSv1\.2[\s\S]*){5}/);
      c.endInput();
      await c.exited;
      assert.equal(c.stdout.match(/^New, TLSv1\.2/gm)?.length, 1, c.stdout);
      assert.equal(c.stdout.match(/^Reused, TLSv1\.2/gm)?.length, 5, c.stdout);
      if (noTicket) assert.doesNotMatch(c.stdout, /TLS session ticket lifetime hint/);
      else assert.match(c.stdout, /TLS session ticket lifetime hint/);
    });
  }
});
