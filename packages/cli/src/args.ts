/**
 * Command-line parsing for `memtls s_client` / `memtls s_server`, with commander.
 *
 * OpenSSL spells long options with one dash (`-connect`, `-CAfile`, `-sess_out`). commander (like every
 * POSIX-style parser) reads `-connect` as the short flags `-c -o -n ...`, so argv goes through one
 * documented normalisation step first: a token that is exactly `-name` for a known long option `name`
 * becomes `--name`. Everything else is left alone (so `--connect` works too, and an unknown `-foo` is
 * reported by commander as an unknown option: exit 2).
 */
import { Command, CommanderError, Option } from 'commander';

/** Exit status: the connection closed cleanly (or --help / --version). */
export const EXIT_OK = 0;
/** Exit status: a TLS or connection error. */
export const EXIT_TLS_ERROR = 1;
/** Exit status: bad usage (unknown flag, missing file, bad value). */
export const EXIT_USAGE = 2;

export interface CommonOptions {
  alpn?: string;
  CAfile?: string;
  CApath?: string;
  cert?: string;
  key?: string;
  groups?: string;
  curves?: string;
  ciphersuites?: string;
  cipher?: string;
  quiet?: boolean;
  msg?: boolean;
  trace?: boolean;
  state?: boolean;
  tls1_3?: boolean;
  no_tls1_2?: boolean;
  tls1_2?: boolean;
  no_tls1_3?: boolean;
  keylogfile?: string;
  sigalgs?: string;
  verify_depth?: string;
  no_ticket?: boolean;
  psk?: string;
  psk_identity?: string;
  /** RFC 8449 record_size_limit to advertise (64..16385). */
  record_size_limit?: string;
  /** s_client only: offer post-handshake authentication (OpenSSL's -enable_pha). */
  enable_pha?: boolean;
}

export interface ClientOptions extends CommonOptions {
  connect: string;
  servername?: string;
  sess_out?: string;
  sess_in?: string;
  early_data?: string;
  verify_return_error?: boolean;
  ign_eof?: boolean;
  no_ign_eof?: boolean;
  showcerts?: boolean;
  brief?: boolean;
  starttls?: string;
  verify?: string;
  verify_hostname?: string;
  reconnect?: boolean;
}

export interface ServerOptions extends CommonOptions {
  accept: string;
  www?: boolean;
  rev?: boolean;
  naccept?: string;
  verify?: string;
  Verify?: string;
  nocert?: boolean;
  early_data?: boolean;
  max_early_data?: string;
}

/** What -starttls speaks before the handshake. */
export const STARTTLS_PROTOCOLS = ['smtp', 'imap', 'pop3', 'ftp', 'xmpp', 'postgres'] as const;

/** The parsed command: which tool, and its options. */
export type Parsed = { tool: 's_client'; opts: ClientOptions } | { tool: 's_server'; opts: ServerOptions };

/** Thrown for bad usage; `exitCode` is 0 for --help/--version, 2 otherwise. */
export class UsageExit extends Error {
  /** The exit status to end with. */
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}

function addCommon(cmd: Command): Command {
  return cmd
    .option('--alpn <list>', 'ALPN protocols to offer/accept, comma-separated (e.g. h2,http/1.1)')
    .option('--CAfile <file>', 'PEM trust anchors (default: Node’s root store)')
    .option('--cert <file>', 'PEM certificate chain, leaf first')
    .option('--key <file>', 'PEM private key (default: the -cert file)')
    .option('--CApath <dir>', 'a directory of PEM trust anchors (hashed names such as 1a2b3c4d.0, or *.pem / *.crt)')
    .option('--groups <list>', 'key exchange groups, colon- or comma-separated (x25519:P-256:P-384; X25519MLKEM768 and SecP256r1MLKEM768, TLS 1.3)')
    .option('--curves <list>', 'the same as -groups')
    .option('--ciphersuites <list>', 'TLS 1.3 suites, colon-separated (TLS_AES_128_GCM_SHA256:...)')
    .option('--cipher <list>', 'TLS 1.2 suites, colon-separated, OpenSSL names (ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305:...) or IANA names')
    .option('--quiet', 'no trace: only the peer’s data on stdout')
    .option('--msg', 'print every record (>>> sent, <<< received) and every handshake message and alert, decrypted')
    .option('--trace', 'the same as -msg, laid out as OpenSSL’s -trace (Sent Record / Received Record blocks)')
    .option('--state', 'print every SSL call: return value, SSL_get_error name, shutdown flags')
    .option('--tls1_3', 'TLS 1.3 only')
    .option('--tls1_2', 'TLS 1.2 only')
    .option('--no_tls1_3', 'no TLS 1.3 (TLS 1.2 only)')
    .option('--no_tls1_2', 'no TLS 1.2 (TLS 1.3 only)')
    .option('--keylogfile <file>', 'append the NSS key log lines (for Wireshark) to this file; SSLKEYLOGFILE does the same')
    .option('--sigalgs <list>', 'signature algorithms for CertificateVerify, colon-separated, as OpenSSL (ECDSA+SHA256:RSA-PSS+SHA256:ed25519 or IANA names)')
    .option('--verify_depth <n>', 'the most intermediate CA certificates in the peer chain (verify error 22 beyond it)')
    .option('--no_ticket', 'SSL_OP_NO_TICKET: server: stateful TLS 1.3 tickets, TLS 1.2 session IDs; client: no TLS 1.2 session_ticket')
    .option('--psk <hex>', 'a TLS 1.3 external PSK, in hex, bound to SHA-256 as OpenSSL\u2019s (client: offered; server: accepted for -psk_identity)')
    .option('--psk_identity <id>', 'the PSK identity (default Client_identity, as OpenSSL)')
    .option(
      '--record_size_limit <n>',
      'advertise RFC 8449 record_size_limit n (64..16385: the most plaintext per protected record we accept); OpenSSL 3.0 has no flag for it, and its -maxfraglen (RFC 6066) is not implemented',
    );
}

function buildProgram(onParsed: (p: Parsed) => void): Command {
  const program = new Command('memtls')
    .description('OpenSSL-style TLS 1.2 and 1.3 tools on the memtls engine. Long options take one dash or two (-connect or --connect).')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');

  const client = addCommon(new Command('s_client').description('TLS client: stdin to the peer, the peer to stdout, a trace on stderr'))
    .addOption(new Option('--connect <host:port>', 'where to connect').default('localhost:4433'))
    .option('--servername <name>', 'SNI and certificate name (default: the -connect host)')
    .option('--sess_out <file>', 'save the session for resumption (memtls format, not OpenSSL’s)')
    .option('--sess_in <file>', 'resume a session saved with -sess_out')
    .option('--early_data <file>', 'send the file as TLS 1.3 0-RTT early data with the -sess_in session (when it allows early data)')
    .option('--verify_return_error', 'fail the handshake when the server certificate does not verify (default: report and continue, as OpenSSL)')
    .option('--ign_eof', 'keep running at stdin EOF (implied by -quiet)')
    .option('--no_ign_eof', 'close (close_notify) at stdin EOF even with -quiet')
    .option('--showcerts', 'print the server’s certificate chain as PEM')
    .option('--brief', 'only the connection summary (protocol, suite, peer, verification) on stderr; implies -quiet')
    .addOption(new Option('--starttls <protocol>', 'speak the protocol’s plaintext upgrade first').choices([...STARTTLS_PROTOCOLS]))
    .option('--verify <depth>', 'as OpenSSL: verify the server chain and go on when it fails, unless the error is deeper than <depth> (to limit the chain: -verify_depth)')
    .option('--verify_hostname <name>', 'check the server certificate against this host name too (verify error 62 when it does not match)')
    .option('--enable_pha', 'offer post-handshake client authentication (TLS 1.3): a server may ask for -cert after the handshake')
    .option('--reconnect', 'drop the connection and reconnect 5 times with the session (resumption), then go on with the last one')
    .exitOverride()
    .action((opts: ClientOptions) => onParsed({ tool: 's_client', opts }));

  const server = addCommon(new Command('s_server').description('TLS server: the client’s data to stdout, stdin to the client (or -www / -rev)'))
    .addOption(new Option('--accept <[host:]port>', 'where to listen').default('4433'))
    .option('--www', 'answer each HTTP request with a status page, then close')
    .option('--rev', 'echo each line reversed; a CLOSE line closes the connection')
    .option('--naccept <n>', 'exit after n connections have closed')
    .option('--verify <depth>', 'request a client certificate (the core then requires one; its chain may fail verification, at a depth up to <depth>)')
    .option('--Verify <depth>', 'require a client certificate that verifies against -CAfile')
    .option('--nocert', 'no certificate: only clients with the -psk key can connect')
    .option('--early_data', 'accept TLS 1.3 0-RTT early data (max 16384 bytes unless -max_early_data): stateful single-use tickets')
    .option('--max_early_data <n>', 'the early data accepted with the tickets issued (SSL_CTX_set_max_early_data)')
    .exitOverride()
    .action((opts: ServerOptions) => onParsed({ tool: 's_server', opts }));

  program.addCommand(client).addCommand(server);
  return program;
}

/** Every long option name the tools know, for the single-dash normalisation. */
function longOptionNames(program: Command): Set<string> {
  const names = new Set<string>(['help', 'version']);
  for (const cmd of [program, ...program.commands]) {
    for (const o of cmd.options) if (o.long) names.add(o.long.replace(/^--/, ''));
  }
  return names;
}

/**
 * OpenSSL's single-dash long options → commander's double-dash form (`-CAfile` → `--CAfile`).
 * @example normaliseArgs(['s_client', '-connect', 'h:1', '-alpn', 'h2']) // ['s_client', '--connect', 'h:1', '--alpn', 'h2']
 */
export function normaliseArgs(argv: readonly string[], names = longOptionNames(buildProgram(() => undefined))): string[] {
  return argv.map((a) => (/^-[A-Za-z][A-Za-z0-9_]+$/.test(a) && names.has(a.slice(1)) ? `-${a}` : a));
}

/**
 * Parse argv (without node and script). Throws UsageExit (exit 0 after help/version, 2 on bad usage).
 * Commander prints its own help and error text to stdout/stderr.
 */
export function parseArgs(argv: readonly string[]): Parsed {
  let parsed: Parsed | null = null;
  const program = buildProgram((p) => {
    parsed = p;
  });
  try {
    program.parse(normaliseArgs(argv, longOptionNames(program)), { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // 'commander.help' is help shown because no command was given: a usage error, unlike an explicit --help.
      const ok = e.code === 'commander.helpDisplayed' || e.code === 'commander.version';
      throw new UsageExit(e.message, ok ? EXIT_OK : EXIT_USAGE);
    }
    throw e;
  }
  if (parsed === null) {
    program.outputHelp({ error: true });
    throw new UsageExit('a command is required: s_client or s_server', EXIT_USAGE);
  }
  return parsed;
}

/** `host:port`, `[v6]:port`, or `port` alone (host = `defaultHost`). Throws UsageExit. */
export function parseHostPort(
  text: string,
  defaultHost: string | null,
  what: string,
): {
  /** The host, or `defaultHost` when only a port was given. */
  host: string | null;
  /** The port (1-65535). */
  port: number;
} {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text) ?? (/^(\d+)$/.test(text) ? [text, undefined, defaultHost ?? undefined, text] : null);
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535) throw new UsageExit(`${what}: expected [host:]port, got ${JSON.stringify(text)}`, EXIT_USAGE);
  const host = m[1] ?? (m[2] || defaultHost);
  return { host, port };
}

/** `a,b` (or `a:b` where OpenSSL uses colons) → list. */
export function splitList(text: string | undefined, seps = /[,:]/): string[] | undefined {
  if (text === undefined) return undefined;
  return text
    .split(seps)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
