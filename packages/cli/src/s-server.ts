/**
 * `memtls s_server`: OpenSSL's s_server on memtls.
 *
 * Modes:
 * - default: one connection at a time; the client's data to stdout, stdin to the client. stdin EOF
 *   ends the connection (close_notify) and the server, as OpenSSL's "DONE".
 * - `-rev`: each line comes back reversed; a `CLOSE` line sends close_notify.
 * - `-www`: each HTTP request gets an HTTP/1.0 status page, then close_notify.
 * `ACCEPT host:port` is printed on stdout once listening (the port is real even for `-accept 0`).
 * Exit status (with -naccept, or after stdin EOF in the default mode): 0 when every connection closed
 * cleanly, 1 when any had a TLS error, 2 for usage.
 */
import type net from 'node:net';
import { createServer, type MemtlsServer, type MemtlsSocket, type TraceEvent } from '@memtls/node';
import { EXIT_OK, EXIT_TLS_ERROR, EXIT_USAGE, parseHostPort, type ServerOptions, UsageExit } from './args.js';
import { buildContext, countArg, depthArg, type Io, type VerifyResult, versionRange } from './common.js';
import { makeMsgPrinter, makeTracer, serverSummary, verifyErrorLines } from './trace.js';

const MAX_REQUEST = 16 * 1024;

export async function sServer(opts: ServerOptions, io: Io): Promise<number> {
  const { host, port } = parseHostPort(opts.accept, null, '-accept');
  if (opts.cert === undefined && !opts.nocert) throw new UsageExit('s_server needs -cert (and -key unless the -cert file holds the key), or -nocert with -psk', EXIT_USAGE);
  if (opts.www && opts.rev) throw new UsageExit('-www and -rev cannot be combined', EXIT_USAGE);
  let naccept = Number.POSITIVE_INFINITY;
  if (opts.naccept !== undefined) {
    naccept = Number(opts.naccept);
    if (!Number.isInteger(naccept) || naccept < 1) throw new UsageExit('-naccept: a positive integer', EXIT_USAGE);
  }
  const quiet = opts.quiet === true;
  const print = (line: string): void => {
    if (!quiet) io.stderr.write(`${line}\n`);
  };
  const flags = { quiet, msg: opts.msg === true, state: opts.state === true, trace: opts.trace === true };
  // -Verify: a client certificate is required and must verify. -verify: one is asked for; none, or one that
  // does not verify, is reported and accepted, as in OpenSSL.
  const strict = opts.Verify !== undefined;
  const depthText = opts.Verify ?? opts.verify;
  const errorDepth = depthText !== undefined ? depthArg(depthText, strict ? '-Verify' : '-verify') : undefined;
  // Each connection's result, keyed by its leaf: handshakes of concurrent connections may interleave.
  const verifyResults = new WeakMap<Uint8Array, VerifyResult>();
  const ctx = buildContext(
    'server',
    opts,
    {
      verifyPeer: strict || opts.verify !== undefined,
      requireClientCert: strict,
      reject: strict,
      ...(errorDepth !== undefined ? { errorDepth } : {}),
      onVerify: (v) => {
        if (v.leaf) verifyResults.set(v.leaf, v);
        if (v.code !== 'X509_V_OK') for (const l of verifyErrorLines(v, !v.accepted)) io.stderr.write(`${l}\n`);
      },
    },
    makeMsgPrinter(flags, print, '', versionRange(opts).maxVersion === 'TLSv1.2' ? '1.2' : '1.3') ?? undefined,
  );
  // -early_data / -max_early_data: OpenSSL's s_server accepts up to 16384 bytes with -early_data alone.
  const maxEarlyData = opts.max_early_data !== undefined ? countArg(opts.max_early_data, '-max_early_data') : opts.early_data ? 16384 : 0;
  if (maxEarlyData > 0) ctx.setMaxEarlyData(maxEarlyData);
  /** Early data bytes each connection received (stdio mode prints them as OpenSSL does, then skips them on 'data'). */
  const earlySeen = new WeakMap<MemtlsSocket, number>();
  const tracers = new WeakMap<MemtlsSocket, (ev: TraceEvent) => void>();
  let server: MemtlsServer;
  try {
    server = createServer({
      secureContext: ctx,
      trace: (sock, ev) => {
        let t = tracers.get(sock);
        if (!t) {
          t = makeTracer(flags, print);
          tracers.set(sock, t);
        }
        t(ev);
      },
    });
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) throw new UsageExit(e.message, EXIT_USAGE);
    throw e;
  }
  const mode = opts.www ? 'www' : opts.rev ? 'rev' : 'stdio';
  if (mode === 'stdio') server.maxConnections = 1;

  return new Promise<number>((resolve, reject) => {
    let accepted = 0;
    let finished = 0;
    let errors = 0;
    let stopping = false;
    let active: MemtlsSocket | null = null;

    const maybeDone = (): void => {
      if (stopping && finished >= accepted) {
        server.close();
        resolve(errors ? EXIT_TLS_ERROR : EXIT_OK);
      }
    };
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      server.close();
      maybeDone();
    };

    server.on('connection', (raw: net.Socket) => {
      accepted++;
      print(`ACCEPTED connection from ${raw.remoteAddress}:${raw.remotePort}`);
      raw.once('close', () => {
        finished++;
        print('CONNECTION CLOSED');
        maybeDone();
      });
      if (accepted >= naccept) stop();
    });
    server.on('tlsClientError', (err: Error & { code?: string }) => {
      errors++;
      io.stderr.write(`ERROR: ${err.code ? `${err.code}: ` : ''}${err.message}\n`);
    });
    server.on('earlyData', (chunk: Buffer, sock: MemtlsSocket) => {
      if (mode !== 'stdio') return;
      // OpenSSL's s_server: "Early data received:", the data, then "End of early data" (stdout).
      if (!earlySeen.has(sock)) io.stdout.write('Early data received:\n');
      earlySeen.set(sock, (earlySeen.get(sock) ?? 0) + chunk.length);
      io.stdout.write(chunk);
    });
    server.on('secureConnection', (sock: MemtlsSocket) => {
      let skip = earlySeen.get(sock) ?? 0;
      if (maxEarlyData > 0 && mode === 'stdio') {
        const status = sock.ssl.getEarlyDataStatus();
        io.stdout.write(skip > 0 ? '\nEnd of early data\n' : status === 'not_sent' ? 'No early data received\n' : 'Early data was rejected\n');
        if (status === 'accepted') print('Early data was accepted');
      }
      const leaf = sock.ssl.peerCertificates()[0];
      for (const l of serverSummary(sock, leaf ? (verifyResults.get(leaf) ?? null) : null)) print(l);
      sock.on('error', (err: Error & { code?: string }) => {
        errors++;
        io.stderr.write(`ERROR: ${err.code ? `${err.code}: ` : ''}${err.message}\n`);
      });
      sock.on('end', () => print('SHUTDOWN: read side ended by the client’s close_notify'));
      if (mode === 'www') serveWww(sock);
      else if (mode === 'rev') serveRev(sock, print);
      else {
        active = sock;
        sock.on('data', (d: Buffer) => {
          // The early data is on the readable side first: it was printed already.
          const n = Math.min(skip, d.length);
          skip -= n;
          if (n < d.length) io.stdout.write(d.subarray(n));
        });
        sock.once('close', () => {
          if (active === sock) active = null;
        });
      }
    });

    if (mode === 'stdio') {
      io.stdin.on('data', (d: Buffer) => active?.write(d));
      io.stdin.once('end', () => {
        print('DONE (stdin EOF)');
        active?.end();
        stop();
      });
    }

    server.once('error', (e) => reject(e));
    server.listen(port, host ?? undefined, () => {
      const a = server.address() as net.AddressInfo;
      const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      io.stdout.write(`ACCEPT ${shown}:${a.port}\n`);
    });
  });
}

/** -rev: reverse each line; `CLOSE` ends the connection with close_notify. */
function serveRev(sock: MemtlsSocket, print: (l: string) => void): void {
  let buf = '';
  sock.setEncoding('latin1');
  sock.on('data', (text: string) => {
    buf += text;
    for (let nl = buf.indexOf('\n'); nl >= 0 && sock.writable; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl).replace(/\r$/, '');
      buf = buf.slice(nl + 1);
      if (line === 'CLOSE') {
        print('CLOSE requested: sending close_notify');
        sock.end();
        return;
      }
      sock.write(`${[...line].reverse().join('')}\n`);
    }
    if (buf.length > MAX_REQUEST) sock.end();
  });
}

/** -www: answer the first HTTP request with a status page, then close (HTTP/1.0). */
function serveWww(sock: MemtlsSocket): void {
  let req = '';
  sock.setEncoding('latin1');
  const onData = (text: string): void => {
    req += text;
    const end = req.search(/\r?\n\r?\n/);
    if (end < 0 && req.length < MAX_REQUEST) return;
    sock.off('data', onData);
    sock.resume();
    const first = req.split(/\r?\n/, 1)[0] ?? '';
    const page = [
      'memtls s_server -www',
      '',
      `${sock.isSessionReused() ? 'Reused' : 'New'}, ${sock.getProtocol()}, Cipher is ${sock.getCipher()?.name}`,
      `Protocol: ${sock.getProtocol()}`,
      `Server name (SNI): ${sock.servername || 'none'}`,
      `ALPN protocol: ${sock.alpnProtocol || 'none'}`,
      `Negotiated group: ${sock.getEphemeralKeyInfo()?.name ?? '?'}`,
      `Client certificate: ${sock.getPeerCertificate()?.subject.CN ?? 'none'}`,
      '',
      `Request: ${first}`,
    ]
      .join('\n')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;');
    sock.end(`HTTP/1.0 200 ok\r\nContent-type: text/html\r\n\r\n<HTML><BODY BGCOLOR="#ffffff">\n<pre>\n${page}\n</pre></BODY></HTML>\r\n\r\n`);
  };
  sock.on('data', onData);
}
