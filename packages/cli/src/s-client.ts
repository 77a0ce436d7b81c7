/**
 * `memtls s_client`: OpenSSL's s_client on memtls. stdin goes to the server, the server's data to
 * stdout, the trace to stderr.
 *
 * Close behaviour (each step is traced):
 * - stdin EOF → `end()`: our close_notify (SSL_shutdown → 0), FIN, then we keep reading until the
 *   server's close_notify (SSL_read → 0 ZERO_RETURN, SSL_shutdown → 1). With -quiet (unless -no_ign_eof)
 *   or -ign_eof, stdin EOF is ignored, as in OpenSSL.
 * - the server's close_notify first → we answer with ours (SSL_shutdown → 1) and exit.
 * Exit status: 0 for a clean close, 1 for any TLS or connection error (truncation included), 2 for usage.
 */
import { connect, type MemtlsSocket } from '@memtls/node';
import { type ClientOptions, EXIT_OK, EXIT_TLS_ERROR, EXIT_USAGE, parseHostPort, UsageExit } from './args.js';
import { derToPem, type Io, secureOptionsFrom } from './common.js';
import { readSessionFile, writeSessionFile } from './session-file.js';
import { makeTracer, summary } from './trace.js';

export async function sClient(opts: ClientOptions, io: Io): Promise<number> {
  const { host, port } = parseHostPort(opts.connect, 'localhost', '-connect');
  if (host === null || port === 0) throw new UsageExit('-connect: a host and a non-zero port are needed', EXIT_USAGE);
  const quiet = opts.quiet === true;
  const ignEof = (opts.ign_eof === true || quiet) && opts.no_ign_eof !== true;
  const print = (line: string): void => {
    if (!quiet) io.stderr.write(`${line}\n`);
  };
  const tlsOpts = secureOptionsFrom(opts);
  const session = opts.sess_in !== undefined ? readSessionFile(opts.sess_in) : undefined;

  let sock: MemtlsSocket;
  try {
    sock = connect({
      ...tlsOpts,
      host,
      port,
      servername: opts.servername ?? host,
      // OpenSSL's s_client reports a bad chain and goes on, unless -verify_return_error.
      rejectUnauthorized: opts.verify_return_error === true,
      ...(session ? { session } : {}),
      trace: makeTracer({ quiet, msg: opts.msg === true, state: opts.state === true }, print),
    });
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) throw new UsageExit(e.message, EXIT_USAGE);
    throw e;
  }
  sock.transport.once('connect', () => print(`CONNECTED(${host}:${port})`));

  const saveSession = (bytes: Buffer | undefined): void => {
    if (opts.sess_out === undefined || !bytes) return;
    writeSessionFile(opts.sess_out, bytes);
  };

  return new Promise<number>((resolve) => {
    let failure: Error | null = null;
    const stdin = io.stdin;
    const onStdin = (d: Buffer): void => {
      if (!sock.write(d)) {
        stdin.pause();
        sock.once('drain', () => stdin.resume());
      }
    };
    const onStdinEnd = (): void => {
      if (ignEof) return;
      print('DONE (stdin EOF): sending close_notify');
      sock.end();
    };

    sock.once('secureConnect', () => {
      for (const l of summary(sock, 'client')) print(l);
      if (opts.showcerts && !quiet) for (const der of sock.ssl.peerCertificates()) print(derToPem(der));
      stdin.on('data', onStdin);
      stdin.once('end', onStdinEnd);
      stdin.resume();
    });
    sock.on('session', (bytes: Buffer) => saveSession(bytes));
    sock.on('data', (d: Buffer) => {
      if (!io.stdout.write(d)) {
        sock.pause();
        io.stdout.once('drain', () => sock.resume());
      }
    });
    sock.on('end', () => print('SHUTDOWN: read side ended by the peer’s close_notify'));
    sock.on('error', (e: Error & { code?: string; reason?: string | null }) => {
      failure ??= e;
      io.stderr.write(`ERROR: ${e.code ? `${e.code}: ` : ''}${e.message}\n`);
    });
    sock.on('close', () => {
      stdin.off('data', onStdin);
      stdin.off('end', onStdinEnd);
      stdin.pause();
      if (!failure) saveSession(sock.getSession());
      print(failure ? 'CLOSED after an error' : `DONE: closed cleanly [${sock.getShutdown() === 3 ? 'SENT|RECEIVED' : sock.getShutdown()}]`);
      resolve(failure ? EXIT_TLS_ERROR : EXIT_OK);
    });
  });
}
