/**
 * Node-style TLS options (`tls.connect` / `tls.createServer` names) → a memtls `SslContext`.
 *
 * Rules:
 * - PEM comes as strings or Buffers, as in Node. `rejectUnauthorized` (default true) and `requestCert`
 *   map onto the core's `verifyPeer`; when the peer's chain is checked and no `ca` is given, Node's root
 *   store (`tls.rootCertificates`) is the trust anchor set (the core ships none).
 * - `authorized` / `authorizationError` come from `Ssl.verifyResult()`, which keeps the error a lax
 *   `rejectUnauthorized: false` accepted (the context's verify callback accepts or refuses according to
 *   it). Pins (`pinnedPublicKeys`) are not subject to `rejectUnauthorized`: a mismatch always fails.
 * - Contexts are cached by their PEM/option material: parsing Node's ~140 roots costs 100–250 ms, and a
 *   client context is stateless for our purposes (sessions travel in `SslSession`s). Options holding
 *   objects (a `crypto` provider, a clock, pins) are never cached; contexts with a `pskCallback` are cached per
 *   callback (the context calls it).
 */
import { createHash } from 'node:crypto';
import tls from 'node:tls';
import { type ContextOptions, type CryptoProvider, type Ssl, SslContext } from '@memtls/core';
import { type SuiteDefaults, suitesFromLists } from './cipher-names.js';
import { parseCipherString } from './cipher-string.js';
import { createNodeCryptoProvider } from './node-crypto-provider.js';
import { type ClientPskCallback, pskOptions, type ServerPskCallback } from './psk.js';
import { sessionEventHooks } from './session-events.js';
import type { MemtlsSocket } from './socket.js';
import { type ALPNCallback, type CheckServerIdentity, clientVerifyCallback, type SNICallback, serverCallbacks } from './tls-callbacks.js';

type Pem = string | Buffer;

/** The TLS options shared by clients, servers and `MemtlsSocket`. Names follow Node's `tls` module. */
export interface SecureOptions {
  /** Trust anchors (PEM). Default when a chain is checked: Node's `tls.rootCertificates`. */
  ca?: Pem | Pem[];
  /** Our certificate chain (PEM, leaf first). */
  cert?: Pem;
  /** Our private key (PEM: PKCS#8, SEC1 or PKCS#1). */
  key?: Pem;
  /** ALPN protocols in preference order. */
  ALPNProtocols?: string[];
  /** Client: fail the handshake on a bad server chain (default true). Server: the same for client chains when `requestCert`. */
  rejectUnauthorized?: boolean;
  /** Server: ask for a client certificate. The core can only ask *and require* one (see the README). */
  requestCert?: boolean;
  /**
   * The lowest protocol version negotiated, as in `tls` (default 'TLSv1.2', Node's `tls.DEFAULT_MIN_VERSION`).
   * memtls speaks TLS 1.2 and 1.3, so Node's 'TLSv1' and 'TLSv1.1' allow the same as 'TLSv1.2'. Another value is
   * a TypeError with Node's code ERR_TLS_INVALID_PROTOCOL_VERSION.
   */
  minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  /** The highest protocol version negotiated, as in `tls` (default 'TLSv1.3'): 'TLSv1.2' or 'TLSv1.3'. */
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** TLS 1.3 suites, OpenSSL/IANA names, colon-separated as in Node (or an array). */
  ciphersuites?: string | string[];
  /**
   * As Node's `ciphers`: a colon-separated list of OpenSSL suite names (`ECDHE-RSA-AES128-GCM-SHA256`; IANA names
   * work too). TLS 1.2 names set the TLS 1.2 suites; TLS 1.3 names (`TLS_AES_128_GCM_SHA256`) in it set the
   * TLS 1.3 suites unless `ciphersuites` is given. The TLS 1.2 part is evaluated as OpenSSL 3.0 evaluates a cipher
   * string (keywords such as `HIGH`, `ECDHE+AESGCM`, `!aRSA`, `-AES256`, `@STRENGTH`; see `parseCipherString`); names of
   * suites memtls does not implement are skipped. Selecting no suite memtls implements is an Error ('No cipher
   * match', code ERR_SSL_NO_CIPHER_MATCH), as Node.
   */
  ciphers?: string;
  /** Key exchange groups, colon-separated as in Node (`X25519:P-256`), or an array. */
  ecdhCurve?: string | string[];
  /** Pin the server's leaf public key: base64 SHA-256 of the SPKI (curl's `--pinnedpubkey` form). A mismatch
   * always fails the connection, even with `rejectUnauthorized: false`. */
  pinnedPublicKeys?: string[];
  /** Signature algorithms for handshake signatures, colon-separated as in Node (`'ECDSA+SHA256:RSA-PSS+SHA256'`), or IANA
   * names; the core's `sigalgs`. */
  sigalgs?: string;
  /** Treat a transport EOF without close_notify as a clean close (SSL_OP_IGNORE_UNEXPECTED_EOF). Default false. */
  ignoreUnexpectedEof?: boolean;
  /** A WebCrypto object or memtls CryptoProvider. Default: the node:crypto provider (the fastest correct one
   * here: docs/performance.md). */
  crypto?: Crypto | CryptoProvider;
  /** A ready-made context (then the PEM and policy options above are ignored; the three callbacks below
   * cannot be combined with it: give the SslContext selectContext, alpnSelect or verifyCallback instead). */
  secureContext?: SslContext;
  /** Server: choose the certificate by the client's SNI name, as Node's `SNICallback` (only called when the
   * client sends one); answer with a context from `createSecureContext`. */
  SNICallback?: SNICallback;
  /** Server: choose the ALPN protocol, as Node's `ALPNCallback`; cannot be combined with `ALPNProtocols`. */
  ALPNCallback?: ALPNCallback;
  /** Client: replaces the host name check once the chain verified, as Node's `checkServerIdentity` (it gets the
   * `getPeerCertificate(true)` object). */
  checkServerIdentity?: CheckServerIdentity;
  /**
   * Server: the 48-byte key of stateless session tickets, as Node's `tls.createServer` `ticketKeys` (default: random
   * per server). memtls's layout is a 16-byte key name and a 32-byte AES-256-GCM key; 48 random bytes suit Node and
   * memtls alike. Servers given the same bytes resume each other's sessions. Ignored by clients, as in Node.
   */
  ticketKeys?: Buffer | Uint8Array;
  /**
   * Server (memtls's opt-in; Node's `tls` has no 0-RTT): accept up to this many bytes of TLS 1.3 early data
   * (RFC 8446 §4.2.10) with the tickets this server issues (SSL_CTX_set_max_early_data; default 0: none). The
   * tickets then are stateful and single-use (replay protection). Accepted early data is pushed to the socket's
   * readable side before anything else, and each chunk is also told by the socket's `'earlyData'` event (the
   * application may treat those bytes as replayable, RFC 8446 §8). Ignored by clients.
   */
  maxEarlyData?: number;
  /**
   * TLS-PSK as Node's `pskCallback` (TLS 1.3 external PSKs, psk_dhe_ke; the key is bound to SHA-256).
   * Client: `pskCallback(hint)` returns `{ psk, identity }` to offer (or null); `hint` is always null (TLS 1.3
   * has none). When the server accepts the PSK it authenticates the server: no certificate is sent or checked,
   * `authorized` is true (as in Node) and `ssl.pskIdentity()` names the key. Server: `pskCallback(socket,
   * identity)` returns the key of `identity`, or null when it is unknown; with it the server needs no `cert`.
   */
  pskCallback?: ClientPskCallback | ServerPskCallback<MemtlsSocket>;
  /** Server: Node's `pskIdentityHint`. Checked and kept only: TLS 1.3 sends no hint (TLS 1.2 PSK suites are not
   * implemented). */
  pskIdentityHint?: string;
}

/** What the verify callback saw for one peer chain. */
export interface VerifyRecord {
  /** Whether the chain was accepted. */
  ok: boolean;
  /** OpenSSL's name, e.g. `X509_V_OK`, `X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY`. */
  code: string;
  /** The result in words, e.g. 'unable to get local issuer certificate'. */
  detail: string;
}

/** Where each connection's key log lines go: its socket emits them as Node's `'keylog'` event. */
const keylogTargets = new WeakMap<Ssl, (line: Buffer) => void>();

/** Route the key log lines of `ssl` to `emit` (one NSS key log line with its newline, as Node's `tls`). */
export function setKeylogTarget(ssl: Ssl, emit: (line: Buffer) => void): void {
  keylogTargets.set(ssl, emit);
}

/** The context-level key log callback of every context made here: hands each line to its connection's socket. */
function dispatchKeylog(line: string, ssl: Ssl): void {
  keylogTargets.get(ssl)?.(Buffer.from(`${line}\n`, 'latin1'));
}

/** Node's `authorizationError` strings are OpenSSL's X509_V_ERR_* names without the prefix. */
export function authorizationErrorName(code: string): string {
  return code.replace(/^X509_V_ERR_/, '');
}

const pemText = (p: Pem): string => (typeof p === 'string' ? p : p.toString('utf8'));

function splitList(v: string | string[] | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const list = Array.isArray(v) ? v : v.split(/[:,]/);
  return list.map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Node's version names → the core's: memtls has nothing below TLS 1.2, so a lower minimum means TLS 1.2. */
function protocolVersion(v: unknown, which: 'minimum' | 'maximum'): 'TLSv1.2' | 'TLSv1.3' {
  if (v === 'TLSv1.2' || v === 'TLSv1.3') return v;
  if (which === 'minimum' && (v === 'TLSv1' || v === 'TLSv1.1')) return 'TLSv1.2';
  const known = v === 'TLSv1' || v === 'TLSv1.1';
  const e = new TypeError(
    known ? `"${v}" is not a supported maximum TLS protocol version (memtls speaks TLS 1.2 and 1.3)` : `${JSON.stringify(v)} is not a valid ${which} TLS protocol version`,
  );
  throw Object.assign(e, { code: 'ERR_TLS_INVALID_PROTOCOL_VERSION' });
}

/** `ciphersuites` (TLS 1.3) and Node's `ciphers` (OpenSSL names, either version) → the core's `cipherSuites`. */
function cipherSuitesFrom(opts: SecureOptions, defaults: SuiteDefaults): string[] | undefined {
  const t13 = splitList(opts.ciphersuites);
  if (opts.ciphers === undefined) return t13 === undefined ? undefined : suitesFromLists(t13, undefined, defaults);
  if (typeof opts.ciphers !== 'string') throw new TypeError('The "options.ciphers" property must be of type string');
  const named = parseCipherString(opts.ciphers);
  return suitesFromLists(t13 ?? named.tls13, named.tls12, defaults);
}

const GROUP_NAMES: Record<string, string> = { x25519: 'x25519', 'p-256': 'secp256r1', prime256v1: 'secp256r1', secp256r1: 'secp256r1', 'p-384': 'secp384r1', secp384r1: 'secp384r1' };

/** `X25519:P-256` → core group names. Unknown names go through unchanged so the core reports them. */
export function groupsFromList(v: string | string[] | undefined): string[] | undefined {
  return splitList(v)?.map((g) => GROUP_NAMES[g.toLowerCase()] ?? g);
}

const contextCache = new Map<string, SslContext>();
/** Client contexts with a pskCallback, cached per callback (a context calls its own callback). */
const pskContextCaches = new WeakMap<object, Map<string, SslContext>>();
const CACHE_LIMIT = 32;

/**
 * Build (or reuse) the SslContext for Node-style options.
 * @param role - 'client' or 'server'.
 * @throws {TypeError|RangeError} on invalid options (from the core's validation).
 */
export function contextFromOptions(role: 'client' | 'server', opts: SecureOptions): SslContext {
  const callbacks = role === 'server' ? ['SNICallback', 'ALPNCallback', 'pskCallback'] as const : ['checkServerIdentity', 'pskCallback'] as const;
  if (role === 'client' && opts.checkServerIdentity !== undefined && typeof opts.checkServerIdentity !== 'function') {
    throw new TypeError('The "options.checkServerIdentity" property must be of type function');
  }
  if (opts.secureContext !== undefined) {
    const given = callbacks.find((k) => opts[k] !== undefined);
    if (given) throw new TypeError(`${given} cannot be combined with secureContext (give the SslContext its own callbacks)`);
    if (!(opts.secureContext instanceof SslContext)) throw new TypeError('secureContext must be an SslContext');
    if (opts.secureContext.role !== role) throw new TypeError(`secureContext is a ${opts.secureContext.role} context, a ${role} one is needed`);
    return opts.secureContext;
  }
  const reject = opts.rejectUnauthorized ?? true;
  if (typeof reject !== 'boolean') throw new TypeError('rejectUnauthorized must be a boolean');
  const verifyPeer = role === 'client' ? true : opts.requestCert === true;
  const co: ContextOptions = { role, verifyPeer };
  if (opts.cert !== undefined) co.cert = pemText(opts.cert);
  if (opts.key !== undefined) co.key = pemText(opts.key);
  if (opts.ca !== undefined) co.ca = (Array.isArray(opts.ca) ? opts.ca : [opts.ca]).map(pemText);
  else if (verifyPeer) co.ca = [...tls.rootCertificates];
  if (opts.ALPNProtocols !== undefined) co.alpn = [...opts.ALPNProtocols];
  // Servers: SNICallback/ALPNCallback, and the 'newSession'/'resumeSession' events of the server that accepts.
  if (role === 'server') Object.assign(co, serverCallbacks(opts), sessionEventHooks());
  // checkServerIdentity replaces the core's host name check (the chain is still validated).
  else if (opts.checkServerIdentity !== undefined) co.verifyHostname = false;
  Object.assign(co, pskOptions(role, opts));
  if (opts.minVersion !== undefined) co.minVersion = protocolVersion(opts.minVersion, 'minimum');
  if (opts.maxVersion !== undefined) co.maxVersion = protocolVersion(opts.maxVersion, 'maximum');
  const defaults: SuiteDefaults = { ...(co.minVersion ? { minVersion: co.minVersion } : {}), ...(co.maxVersion ? { maxVersion: co.maxVersion } : {}) };
  const provider = opts.crypto === undefined ? nodeCrypto() : 'supportsAead' in opts.crypto ? opts.crypto : undefined;
  if (provider) defaults.provider = provider;
  const suites = cipherSuitesFrom(opts, defaults);
  if (suites !== undefined) co.cipherSuites = suites;
  const groups = groupsFromList(opts.ecdhCurve);
  if (groups !== undefined) co.groups = groups;
  if (opts.ignoreUnexpectedEof !== undefined) co.ignoreUnexpectedEof = opts.ignoreUnexpectedEof;
  if (opts.pinnedPublicKeys !== undefined) co.pinnedPublicKeys = [...opts.pinnedPublicKeys];
  if (opts.sigalgs !== undefined) co.sigalgs = opts.sigalgs;
  if (role === 'server' && opts.maxEarlyData !== undefined) co.maxEarlyData = opts.maxEarlyData;
  if (role === 'server' && opts.ticketKeys !== undefined) {
    if (!(opts.ticketKeys instanceof Uint8Array)) throw new TypeError('The "options.ticketKeys" property must be a Buffer or Uint8Array of 48 bytes');
    co.ticketKeys = new Uint8Array(opts.ticketKeys);
  }
  co.crypto = opts.crypto ?? nodeCrypto();
  co.keylog = dispatchKeylog;
  if (verifyPeer) {
    co.verifyCallback = role === 'client' ? clientVerifyCallback(reject) : (info) => info.ok || !reject;
  }
  // Servers own a session cache: one context per server, never shared through the cache.
  const cacheable = role === 'client' && opts.crypto === undefined && opts.pinnedPublicKeys === undefined;
  if (!cacheable) return new SslContext(co);
  let cache = contextCache;
  if (opts.pskCallback !== undefined) {
    cache = pskContextCaches.get(opts.pskCallback) ?? new Map();
    pskContextCaches.set(opts.pskCallback, cache);
  }
  const key = createHash('sha256')
    .update(JSON.stringify({ ...co, verifyCallback: undefined, reject }))
    .digest('hex');
  const hit = cache.get(key);
  if (hit) return hit;
  const ctx = new SslContext(co);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, ctx);
  return ctx;
}

/**
 * Node's `tls.createSecureContext` for memtls: a server `SslContext` from `cert` and `key` (and the other
 * options), parsed once, for answering an `SNICallback`. Make it once per certificate, not per connection.
 * @throws {TypeError|RangeError} on invalid options.
 */
export function createSecureContext(options: SecureOptions): SslContext {
  if (typeof options !== 'object' || options === null) throw new TypeError('createSecureContext: options with cert and key are required');
  const { secureContext: _ignored, ...rest } = options;
  return contextFromOptions('server', rest);
}

let sharedProvider: CryptoProvider | null = null;
/** One node:crypto provider for all contexts of this process (it holds only a bounded key cache). */
function nodeCrypto(): CryptoProvider {
  sharedProvider ??= createNodeCryptoProvider();
  return sharedProvider;
}
