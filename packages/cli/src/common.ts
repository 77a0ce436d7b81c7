/**
 * What both tools share: file loading for -CAfile/-CApath/-cert/-key, and the memtls `SslContext` built from
 * the flags. The tools build their context themselves (rather than through Node-style options) for two hooks
 * Node's `tls` options have no names for: the message callback (-msg/-trace see the decrypted handshake) and
 * a verify callback that keeps OpenSSL's verification result (code and depth) for the summary and the
 * `verify error:num=N:...` lines.
 */
import { X509Certificate } from 'node:crypto';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import tls from 'node:tls';
import { type ContextOptions, type MsgInfo, SSL_OP_NO_TICKET, SslContext } from '@memtls/core';
import { type CipherStringSuites, createNodeCryptoProvider, groupsFromList, parseCipherString, suitesFromLists, TLS12_OPENSSL_NAMES } from '@memtls/node';
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

/** What the verify callback saw for one peer chain (OpenSSL's X509_V_* name, the depth at fault). */
export interface VerifyResult {
  code: string;
  depth: number;
  /** The subject of the certificate at `depth`, OpenSSL style (`CN = localhost`). */
  subject: string;
  /** The peer's leaf as the core hands it out (the object `Ssl.peerCertificates()[0]` returns later). */
  leaf?: Uint8Array;
  /** Whether the verify callback let the handshake go on (OpenSSL's `verify return:1`). */
  accepted: boolean;
}

type VerifyInfo = Parameters<NonNullable<ContextOptions['verifyCallback']>>[0];

export function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageExit(`${what}: cannot read ${path}: ${(e as Error).message}`, EXIT_USAGE);
  }
}

/** -CApath: every PEM file of the directory with a hashed name (`1a2b3c4d.0`, as c_rehash makes) or *.pem / *.crt. */
export function readCaPath(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (e) {
    throw new UsageExit(`-CApath: cannot read ${dir}: ${(e as Error).message}`, EXIT_USAGE);
  }
  const pems = names
    .filter((n) => /^[0-9a-f]{8}\.\d+$/i.test(n) || /\.(pem|crt)$/i.test(n))
    .map((n) => readPem(join(dir, n), '-CApath'))
    .filter((text) => text.includes('-----BEGIN CERTIFICATE-----'));
  if (pems.length === 0) throw new UsageExit(`-CApath: ${dir} holds no PEM certificate (hashed names or *.pem / *.crt)`, EXIT_USAGE);
  return pems;
}

/** OpenSSL's one-line subject: `C = US, O = Example, CN = localhost`. */
export function opensslName(der: Uint8Array | undefined, which: 'subject' | 'issuer' = 'subject'): string {
  if (!der) return '';
  try {
    const x = new X509Certificate(der);
    return x[which]
      .split('\n')
      .map((l) => l.replace('=', ' = '))
      .join(', ');
  } catch {
    return '(unparsable certificate)';
  }
}

/** How the peer's chain is checked: the context's verify callback implements it. */
export interface VerifyPolicy {
  /** Check the peer's chain at all (a client always does; a server with -verify/-Verify). */
  verifyPeer: boolean;
  /** Server: refuse a client that sends no certificate (-Verify). */
  requireClientCert?: boolean;
  /** Refuse a chain that does not verify (-verify_return_error, -Verify). Otherwise report and go on. */
  reject: boolean;
  /** -verify_hostname: the leaf must also match this name. */
  hostname?: string;
  /**
   * The depth of `-verify n` / `-Verify n`: as OpenSSL's apps verify callback, an error at a greater depth is
   * never let through (without `reject` too). It does not limit a chain that verifies: -verify_depth does.
   */
  errorDepth?: number;
  /** Told of each verification, whatever its result. */
  onVerify: (r: VerifyResult) => void;
}

/**
 * The SslContext for the flags: trust anchors (-CAfile, -CApath; Node's root store when neither is given),
 * our certificate, ALPN, groups (-groups/-curves), suites, versions, and the two hooks.
 */
export function buildContext(role: 'client' | 'server', opts: CommonOptions, policy: VerifyPolicy, msgCallback?: (m: MsgInfo) => void): SslContext {
  const co: ContextOptions = { role, verifyPeer: policy.verifyPeer, crypto: createNodeCryptoProvider() };
  Object.assign(co, versionRange(opts));
  const ca: string[] = [];
  if (opts.CAfile !== undefined) ca.push(readPem(opts.CAfile, '-CAfile'));
  if (opts.CApath !== undefined) ca.push(...readCaPath(opts.CApath));
  if (ca.length) co.ca = ca;
  else if (policy.verifyPeer) co.ca = [...tls.rootCertificates];
  Object.assign(co, pskOption(role, opts));
  if ((opts as { nocert?: boolean }).nocert) {
    if (!opts.psk) throw new UsageExit('-nocert needs -psk (a server without certificate serves PSK clients only)', EXIT_USAGE);
  } else if (opts.cert !== undefined) {
    co.cert = readPem(opts.cert, '-cert');
    co.key = readPem(opts.key ?? opts.cert, '-key');
  } else if (opts.key !== undefined) throw new UsageExit('-key needs -cert', EXIT_USAGE);
  const alpn = splitList(opts.alpn, /,/);
  if (alpn !== undefined) co.alpn = alpn;
  if (opts.groups !== undefined && opts.curves !== undefined) throw new UsageExit('-groups and -curves are the same option: give one', EXIT_USAGE);
  const groups = groupsFromList(opts.groups ?? opts.curves);
  if (groups !== undefined) co.groups = groups;
  const suites = cipherSuites(opts, co);
  if (suites !== undefined) co.cipherSuites = suites;
  if (policy.requireClientCert !== undefined) co.requireClientCert = policy.requireClientCert;
  // -sigalgs: OpenSSL's list (SSL_CTX_set1_sigalgs_list); the core checks the names (RangeError: usage).
  if (opts.sigalgs !== undefined) co.sigalgs = opts.sigalgs;
  // -verify_depth: OpenSSL's verify depth (X509_VERIFY_PARAM_set_depth): the most intermediate CAs.
  if (opts.verify_depth !== undefined) co.verifyDepth = depthArg(opts.verify_depth, '-verify_depth');
  if (opts.no_ticket === true) co.options = SSL_OP_NO_TICKET;
  // -record_size_limit (RFC 8449; the core checks the range: RangeError is a usage error) and -enable_pha.
  if (opts.record_size_limit !== undefined) co.recordSizeLimit = /^\d+$/.test(opts.record_size_limit) ? Number(opts.record_size_limit) : Number.NaN;
  if (opts.enable_pha) co.postHandshakeAuth = true;
  if (msgCallback) co.msgCallback = msgCallback;
  // -keylogfile, else SSLKEYLOGFILE (as OpenSSL's s_client and Node do): append, owner-only, one line per secret.
  const keylogFile = opts.keylogfile ?? (process.env.SSLKEYLOGFILE || undefined);
  if (keylogFile !== undefined) co.keylog = (line) => appendFileSync(keylogFile, `${line}\n`, { mode: 0o600 });
  if (policy.verifyPeer) {
    co.verifyCallback = (info: VerifyInfo) => {
      let { code, depth } = info;
      const leaf = info.chain[0];
      if (info.ok && policy.hostname !== undefined && leaf && new X509Certificate(leaf).checkHost(policy.hostname) === undefined) {
        code = 'X509_V_ERR_HOSTNAME_MISMATCH';
        depth = 0;
      }
      const accepted = code === 'X509_V_OK' || (!policy.reject && !(policy.errorDepth !== undefined && depth > policy.errorDepth));
      policy.onVerify({ code, depth, subject: opensslName(info.chain[depth] ?? leaf), ...(leaf ? { leaf } : {}), accepted });
      return accepted;
    };
  }
  try {
    return new SslContext(co);
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) throw new UsageExit(e.message, EXIT_USAGE);
    throw e;
  }
}

/** The default PSK identity of OpenSSL's s_client and s_server. */
export const DEFAULT_PSK_IDENTITY = 'Client_identity';

/**
 * -psk / -psk_identity as OpenSSL's apps: one TLS 1.3 external PSK bound to SHA-256 (TLS_AES_128_GCM_SHA256). The
 * client offers it; the server accepts it for that identity only (another identity goes on without a PSK).
 */
export function pskOption(role: 'client' | 'server', opts: CommonOptions): Pick<ContextOptions, 'pskUseSession' | 'pskFindSession'> {
  if (opts.psk === undefined) {
    if (opts.psk_identity !== undefined) throw new UsageExit('-psk_identity needs -psk', EXIT_USAGE);
    return {};
  }
  if (!/^(?:[0-9a-fA-F]{2}){1,512}$/.test(opts.psk)) throw new UsageExit('-psk: the key in hex (an even number of hex digits, 1 to 512 bytes)', EXIT_USAGE);
  const key = new Uint8Array(Buffer.from(opts.psk, 'hex'));
  const identity = new TextEncoder().encode(opts.psk_identity ?? DEFAULT_PSK_IDENTITY);
  if (identity.length === 0) throw new UsageExit('-psk_identity: an identity of at least one byte', EXIT_USAGE);
  if (role === 'client') return { pskUseSession: () => ({ identity, key }) };
  return { pskFindSession: (id) => (Buffer.from(id).equals(identity) ? { key } : null) };
}

/**
 * The version flags as OpenSSL's apps: -tls1_2 / -tls1_3 pin one version, -no_tls1_3 / -no_tls1_2 drop one.
 * Flags that leave no version (or pin two) are a usage error (commander does not keep their order, so "the
 * last one wins" cannot be reproduced).
 */
export function versionRange(opts: CommonOptions): Pick<ContextOptions, 'minVersion' | 'maxVersion'> {
  const allow12 = !opts.tls1_3 && !opts.no_tls1_2;
  const allow13 = !opts.tls1_2 && !opts.no_tls1_3;
  if (!allow12 && !allow13) throw new UsageExit('the version flags leave no protocol version (-tls1_2, -tls1_3, -no_tls1_2, -no_tls1_3)', EXIT_USAGE);
  if (!allow12) return { minVersion: 'TLSv1.3' };
  if (!allow13) return { maxVersion: 'TLSv1.2' };
  return {};
}

/**
 * -ciphersuites (TLS 1.3) and -cipher (TLS 1.2, OpenSSL's names mapped to IANA), each configuring only its own
 * version as in OpenSSL; the other version keeps all its suites. Undefined when neither flag is given.
 */
function cipherSuites(opts: CommonOptions, co: ContextOptions): string[] | undefined {
  const t13 = splitList(opts.ciphersuites);
  let t12: string[] | undefined;
  if (opts.cipher !== undefined) {
    let named: CipherStringSuites;
    try {
      named = parseCipherString(opts.cipher);
    } catch (e) {
      throw new UsageExit(`-cipher: ${(e as Error).message} (memtls has ${Object.keys(TLS12_OPENSSL_NAMES).join(', ')})`, EXIT_USAGE);
    }
    // As OpenSSL's SSL_CTX_set_cipher_list: TLS 1.3 suites are not part of the TLS 1.2 list.
    if (named.tls13) throw new UsageExit(`-cipher: ${named.tls13.join(', ')} is a TLS 1.3 suite: give it to -ciphersuites`, EXIT_USAGE);
    t12 = named.tls12;
  }
  try {
    return suitesFromLists(t13, t12, {
      ...(co.minVersion ? { minVersion: co.minVersion } : {}),
      ...(co.maxVersion ? { maxVersion: co.maxVersion } : {}),
    });
  } catch (e) {
    if (e instanceof RangeError) throw new UsageExit(`${t12?.some((n) => e.message.startsWith(n)) ? '-cipher' : '-ciphersuites'}: ${e.message}`, EXIT_USAGE);
    throw e;
  }
}

/** A depth argument (`-verify n`, `-verify_depth n`): a non-negative integer, else a usage error. */
export function depthArg(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) throw new UsageExit(`${flag}: a depth (a non-negative integer)`, EXIT_USAGE);
  return Number(text);
}

/** A byte count option (-max_early_data): a non-negative integer below 2^32. */
export function countArg(text: string, flag: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 0xffffffff) throw new UsageExit(`${flag}: a byte count (a non-negative integer below 2^32)`, EXIT_USAGE);
  return Number(text);
}

/** PEM text of a DER certificate. */
export function derToPem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----`;
}
