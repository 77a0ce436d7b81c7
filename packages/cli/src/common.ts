/** What both tools share: file loading for -CAfile/-cert/-key and the Node-style TLS options. */
import { readFileSync } from 'node:fs';
import type { SecureOptions } from '@memtls/node';
import { type CommonOptions, EXIT_USAGE, splitList, UsageExit } from './args.js';

/** stdin/stdout/stderr, injectable for embedding. */
export interface Io {
  /** Data to send to the peer (s_client) or client (s_server). */
  stdin: NodeJS.ReadableStream;
  /** Where the peer's data goes. */
  stdout: NodeJS.WritableStream;
  /** Where the trace, state and error messages go. */
  stderr: NodeJS.WritableStream;
}

export function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageExit(`${what}: cannot read ${path}: ${(e as Error).message}`, EXIT_USAGE);
  }
}

/** -CAfile, -cert, -key (default: the -cert file, as OpenSSL), -alpn, -groups, -ciphersuites → SecureOptions. */
export function secureOptionsFrom(opts: CommonOptions): SecureOptions {
  const out: SecureOptions = {};
  if (opts.CAfile !== undefined) out.ca = readPem(opts.CAfile, '-CAfile');
  if (opts.cert !== undefined) {
    out.cert = readPem(opts.cert, '-cert');
    out.key = readPem(opts.key ?? opts.cert, '-key');
  } else if (opts.key !== undefined) throw new UsageExit('-key needs -cert', EXIT_USAGE);
  const alpn = splitList(opts.alpn, /,/);
  if (alpn !== undefined) out.ALPNProtocols = alpn;
  const groups = splitList(opts.groups);
  if (groups !== undefined) out.ecdhCurve = groups;
  const suites = splitList(opts.ciphersuites);
  if (suites !== undefined) out.ciphersuites = suites;
  return out;
}

/** PEM text of a DER certificate. */
export function derToPem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----`;
}
