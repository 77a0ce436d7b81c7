/**
 * `memtls s_client`: OpenSSL's s_client on memtls. stdin goes to the server; the server's data and the
 * connection report (as `openssl s_client` prints it) go to stdout; the trace and verify errors to stderr.
 *
 * Close behaviour (each step is traced):
 * - stdin EOF → `end()`: our close_notify (SSL_shutdown → 0), FIN, then we keep reading until the
 *   server's close_notify (SSL_read → 0 ZERO_RETURN, SSL_shutdown → 1). With -quiet or -brief (unless
 *   -no_ign_eof) or -ign_eof, stdin EOF is ignored, as in OpenSSL.
 * - the server's close_notify first → we answer with ours (SSL_shutdown → 1) and exit.
 * - -reconnect: after each of the first 5 handshakes (and the session ticket; in TLS 1.2 the handshake
 *   itself makes the session), close and connect again with the session; the 6th connection is the interactive one.
 * Verification: a chain that does not verify is reported on stderr (`verify error:num=18:...`), even with
 * -quiet, and the connection goes on unless -verify_return_error.
 * Exit status: 0 for a clean close, 1 for any TLS or connection error (truncation included), 2 for usage.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import type { SslContext } from '@memtls/core';
import { connect, type MemtlsSocket } from '@memtls/node';
import { type ClientOptions, EXIT_OK, EXIT_TLS_ERROR, EXIT_USAGE, parseHostPort, UsageExit } from './args.js';
import { buildContext, depthArg, type Io, type VerifyResult, versionRange } from './common.js';
import { readSessionFile, writeSessionFile } from './session-file.js';
import { StarttlsError, type StarttlsProtocol, starttls } from './starttls.js';
import { briefSummary, clientSummary, makeMsgPrinter, makeTracer, type TraceFlags, verifyErrorLines } from './trace.js';

/** OpenSSL's s_client: 5 reconnections with -reconnect. */
const RECONNECTS = 5;
/** How long a -reconnect round waits for the server's session ticket. */
const TICKET_WAIT_MS = 3000;

interface Round {
  code: number;
  session: Buffer | undefined;
}

export async function sClient(opts: ClientOptions, io: Io): Promise<number> {
  const { host, port } = parseHostPort(opts.connect, 'localhost', '-connect');
  if (host === null || port === 0) throw new UsageExit('-connect: a host and a non-zero port are needed', EXIT_USAGE);
  const brief = opts.brief === true;
  const quiet = opts.quiet === true || brief;
  const print = (line: string): void => {
    if (!quiet) io.stderr.write(`${line}\n`);
  };
  const report = (line: string): void => {
    if (!quiet) io.stdout.write(`${line}\n`);
  };
  const always = (line: string): void => {
    io.stderr.write(`${line}\n`);
  };
  const errorDepth = opts.verify !== undefined ? depthArg(opts.verify, '-verify') : undefined;
  if (errorDepth !== undefined) always(`verify depth is ${errorDepth}`);
  const flags: TraceFlags = { quiet, msg: opts.msg === true, state: opts.state === true, trace: opts.trace === true };
  const reject = opts.verify_return_error === true;
  const verified: { last: VerifyResult | null } = { last: null };
  const ctx = buildContext(
    'client',
    opts,
    {
      verifyPeer: true,
      reject,
      ...(opts.verify_hostname !== undefined ? { hostname: opts.verify_hostname } : {}),
      ...(errorDepth !== undefined ? { errorDepth } : {}),
      onVerify: (v) => {
        verified.last = v;
        if (v.code !== 'X509_V_OK') for (const l of verifyErrorLines(v, !v.accepted)) always(l);
      },
    },
    makeMsgPrinter(flags, print, '', versionRange(opts).maxVersion === 'TLSv1.2' ? '1.2' : '1.3') ?? undefined,
  );
  let session = opts.sess_in !== undefined ? readSessionFile(opts.sess_in) : undefined;
  const earlyData = opts.early_data !== undefined ? readEarlyDataFile(opts.early_data) : undefined;
  const env: RoundEnv = { opts, io, ctx, host, port, quiet, brief, flags, print, report, always, verified, earlyData };
  const rounds = opts.reconnect ? RECONNECTS + 1 : 1;
  for (let i = 0; i < rounds - 1; i++) {
    const r = await runRound(env, session, false);
    if (r.code !== EXIT_OK) return r.code;
    session = r.session ?? session;
  }
  return (await runRound(env, session, true)).code;
}

interface RoundEnv {
  opts: ClientOptions;
  io: Io;
  ctx: SslContext;
  host: string;
  port: number;
  quiet: boolean;
  brief: boolean;
  flags: TraceFlags;
  print: (l: string) => void;
  report: (l: string) => void;
  always: (l: string) => void;
  verified: { last: VerifyResult | null };
  /** -early_data: the file's bytes, sent as 0-RTT early data with a session that allows it. */
  earlyData: Buffer | undefined;
}

/** -early_data FILE: its bytes (OpenSSL's s_client reads the whole file and writes it with SSL_write_early_data). */
function readEarlyDataFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new UsageExit(`-early_data: cannot read ${path}: ${(e as Error).message}`, EXIT_USAGE);
  }
}

/** The TCP connection, with the -starttls exchange done on it when asked. */
async function openTransport(env: RoundEnv): Promise<net.Socket> {
  const raw = net.connect({ host: env.host, port: env.port, allowHalfOpen: true });
  await new Promise<void>((resolve, reject) => {
    raw.once('connect', resolve);
    raw.once('error', reject);
  });
  env.report(`CONNECTED(${env.host}:${env.port})`);
  if (env.opts.starttls !== undefined) {
    try {
      await starttls(raw, env.opts.starttls as StarttlsProtocol, env.opts.servername ?? env.host, env.print);
    } catch (e) {
      raw.destroy();
      throw e;
    }
  }
  return raw;
}

/** One connection: handshake, report; interactive (stdin ↔ server) or, for a -reconnect round, closed after the ticket. */
async function runRound(env: RoundEnv, session: Buffer | undefined, interactive: boolean): Promise<Round> {
  const { opts, io, quiet } = env;
  let raw: net.Socket;
  try {
    raw = await openTransport(env);
  } catch (e) {
    const err = e as Error & { code?: string };
    env.always(e instanceof StarttlsError ? `memtls: ${err.message}` : `ERROR: ${err.code ? `${err.code}: ` : ''}${err.message}`);
    return { code: EXIT_TLS_ERROR, session: undefined };
  }
  let sock: MemtlsSocket;
  try {
    sock = connect({
      socket: raw,
      host: env.host,
      servername: opts.servername ?? env.host,
      secureContext: env.ctx,
      ...(session ? { session } : {}),
      ...(session && env.earlyData ? { earlyData: env.earlyData } : {}),
      trace: makeTracer(env.flags, env.print),
    });
  } catch (e) {
    raw.destroy();
    if (e instanceof TypeError || e instanceof RangeError) throw new UsageExit(e.message, EXIT_USAGE);
    throw e;
  }
  let latest: Buffer | undefined;
  const saveSession = (bytes: Buffer | undefined): void => {
    if (!bytes) return;
    latest = bytes;
    if (opts.sess_out !== undefined) writeSessionFile(opts.sess_out, bytes);
  };
  const ignEof = (opts.ign_eof === true || quiet) && opts.no_ign_eof !== true;

  return new Promise<Round>((resolve) => {
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
      env.print('DONE (stdin EOF): sending close_notify');
      sock.end();
    };
    let ticketTimer: NodeJS.Timeout | undefined;
    const dropForReconnect = (): void => {
      clearTimeout(ticketTimer);
      if (sock.writableEnded) return;
      env.report('drop connection and then reconnect');
      sock.end();
    };

    sock.once('secureConnect', () => {
      if (env.brief) for (const l of briefSummary(sock, env.verified.last)) env.always(l);
      else for (const l of clientSummary(sock, env.verified.last, { showcerts: opts.showcerts === true })) env.report(l);
      if (!interactive) {
        // TLS 1.2: the session exists once the handshake is done (a resumption brings no new one to wait for).
        if (sock.getProtocol() === 'TLSv1.2') {
          saveSession(sock.getSession());
          dropForReconnect();
        } else ticketTimer = setTimeout(dropForReconnect, TICKET_WAIT_MS);
        return;
      }
      stdin.on('data', onStdin);
      stdin.once('end', onStdinEnd);
      stdin.resume();
    });
    sock.on('session', (bytes: Buffer) => {
      saveSession(bytes);
      if (!interactive) dropForReconnect();
    });
    sock.on('data', (d: Buffer) => {
      if (!io.stdout.write(d)) {
        sock.pause();
        io.stdout.once('drain', () => sock.resume());
      }
    });
    sock.on('end', () => env.print('SHUTDOWN: read side ended by the peer’s close_notify'));
    sock.on('error', (e: Error & { code?: string; reason?: string | null }) => {
      failure ??= e;
      env.always(`ERROR: ${e.code ? `${e.code}: ` : ''}${e.message}`);
    });
    sock.on('close', () => {
      clearTimeout(ticketTimer);
      stdin.off('data', onStdin);
      stdin.off('end', onStdinEnd);
      if (interactive) stdin.pause();
      if (!failure) saveSession(sock.getSession());
      env.print(failure ? 'CLOSED after an error' : `DONE: closed cleanly [${sock.getShutdown() === 3 ? 'SENT|RECEIVED' : sock.getShutdown()}]`);
      resolve({ code: failure ? EXIT_TLS_ERROR : EXIT_OK, session: latest });
    });
  });
}
