/**
 * `SslContext`: validated configuration shared by many `Ssl` objects (OpenSSL's SSL_CTX).
 *
 * Rules:
 * - Every option is checked here, synchronously: a bad option is a TypeError/RangeError at construction,
 *   never a handshake failure later.
 * - Defaults that touch the world (the crypto provider, `#default-crypto`: node:crypto under Node, else
 *   globalThis.crypto; the clock) are resolved here and nowhere else. The core ships no root store.
 * - PEM parsing happens once here; private keys are imported into the provider lazily, once.
 */
import { defaultCryptoProvider } from '#default-crypto';
import type { ParsedCertificate } from './cert/certificate.js';
import { DEFAULT_MIN_RSA_MODULUS_BITS, RSA_MAX_MODULUS_BITS } from './cert/key-limits.js';
import { anchorsFrom, PolicyVerifier, pinsFrom, type VerifyInfo } from './cert/verifier.js';
import { SSL_MODE_AUTO_RETRY, SSL_OP_IGNORE_UNEXPECTED_EOF, SSL_OP_NO_TICKET } from './constants.js';
import { checkBits, checkCount, checkMaxEarlyData, groupsFrom, providerFrom, suitesFrom, versionsFrom } from './crypto/choices.js';
import type { CryptoProvider, GroupName, SignatureSchemeName } from './crypto/provider.js';
import type { CipherSuite } from './crypto/suites.js';
import { type Credential, DEFAULT_LIMITS, type EngineConfig, type Limits, type MsgInfo } from './engine/config.js';
import { roleAvailable } from './handshake/create.js';
import { credentialFromPem } from './handshake/credential.js';
import { type ExtensionOptions, extensionOptions } from './handshake/extension-options.js';
import { type PskOptions, pskCallbacks } from './handshake/psk-external.js';
import { wrapServerCallbacks } from './handshake/server-callbacks.js';
import { type SessionCacheOptions, sessionCacheHooks } from './handshake/session-hooks.js';
import { DEFAULT_CERT_SCHEMES, DEFAULT_TLS12_SCHEMES, DEFAULT_TLS13_SCHEMES, parseSigalgs, schemeName } from './handshake/signature.js';
import { SessionCache } from './session/cache.js';
import { checkTicketKeys, type TicketKeyStore, type TicketOptions, ticketKeysFrom } from './session/ticket-keys.js';
import type { Ssl } from './ssl.js';
export type { VerifyInfo } from './cert/verifier.js';

/**
 * What an `SslContext` is made from: the role, credentials, trust, protocol choices and limits shared by every
 * connection made from it.
 */
export interface ContextOptions extends TicketOptions, PskOptions<Ssl>, SessionCacheOptions<Ssl>, ExtensionOptions {
  /** Which side of the handshake connections from this context take. */
  role: 'client' | 'server';
  /** The lowest protocol version negotiated (default 'TLSv1.2'). */
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** The highest protocol version negotiated (default 'TLSv1.3'). */
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  /**
   * TLS 1.2: refuse a peer that does not negotiate the extended master secret (RFC 7627) with handshake_failure.
   * memtls always offers and uses it; by default (false) a peer without it still completes a full handshake.
   */
  requireExtendedMasterSecret?: boolean;
  /** PEM: leaf first, then intermediates. */
  cert?: string;
  /** PEM private key: PKCS#8 (EC P-256/P-384, RSA, Ed25519); SEC1 and PKCS#1 are converted. */
  key?: string;
  /** PEM trust anchors. */
  ca?: string | string[];
  /** Client: verify the server (default true). Server: request and require a client certificate (default false). */
  verifyPeer?: boolean;
  /** Server with verifyPeer: false accepts a client that sends no certificate (OpenSSL's SSL_VERIFY_PEER
   * without SSL_VERIFY_FAIL_IF_NO_PEER_CERT); a certificate that is sent is still verified. Default true. */
  requireClientCert?: boolean;
  /**
   * ALPN protocol names in preference order (client: offered; server: the first one the client also offers is
   * chosen).
   */
  alpn?: string[];
  /**
   * IANA names in preference order: TLS 1.3 suites ('TLS_AES_128_GCM_SHA256', ...) configure TLS 1.3 only, TLS 1.2
   * suites ('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', ...) TLS 1.2 only, as OpenSSL's `-ciphersuites` and `-cipher`.
   * A version left without a suite is not negotiated; a list that leaves every enabled version without one is a
   * RangeError. Default: every suite the provider supports, TLS 1.2 ones in OpenSSL's default order.
   */
  cipherSuites?: string[];
  /** 'x25519', 'secp256r1', 'secp384r1', 'X25519MLKEM768', 'SecP256r1MLKEM768' (hybrid, TLS 1.3 only) by preference;
   * default x25519, secp256r1, secp384r1, and a server adds X25519MLKEM768 last (docs/key-exchange.md). */
  groups?: string[];
  /** SSL_CTX_set_quiet_shutdown: `shutdown()` sets both flags and sends nothing. */
  quietShutdown?: boolean;
  /** Sets SSL_OP_IGNORE_UNEXPECTED_EOF: an EOF without close_notify is a clean end. */
  ignoreUnexpectedEof?: boolean;
  /** Server: keep sessions for resumption and issue tickets for them (default true). */
  sessionCache?: boolean;
  /** Server: how many session tickets to send after a handshake (OpenSSL default 2). */
  numTickets?: number;
  /**
   * Server, TLS 1.3: SSL_CTX_set_max_early_data: the 0-RTT early data (RFC 8446 §4.2.10) accepted with the tickets
   * this context issues, in bytes (default 0: none; at most 2^32 - 1). Above 0 the tickets carry early_data and
   * are stateful and single-use (replay protection, as OpenSSL by default); early data is accepted only when the
   * application reads it with `Ssl.readEarlyData()`. See docs/early-data.md.
   */
  maxEarlyData?: number;
  /** SSL_OP_* bits to set on the context (and so on each connection). */
  options?: number;
  /** SSL_MODE_* bits to set on the context (and so on each connection). */
  mode?: number;
  /** A WebCrypto object or a CryptoProvider. Default: node:crypto under Node, globalThis.crypto elsewhere. */
  crypto?: Crypto | CryptoProvider;
  /** Clock for certificate and ticket validity. */
  now?: () => Date;
  /** Resource limits (see docs/robustness.md). */
  limits?: Partial<Limits>;
  /**
   * Called once per handshake with the verification result; return true to accept the peer's chain, false to
   * refuse it. Overrides the result both ways (like an OpenSSL verify callback at depth 0). A callback that
   * throws refuses. The second argument is the connection being verified.
   */
  verifyCallback?: (info: VerifyInfo, ssl: Ssl) => boolean;
  /**
   * Server: choose the certificate for a connection (OpenSSL's SSL_CTX_set_cert_cb; what Node's SNICallback
   * needs). Called once per handshake, with the client's server_name (null when it sent none), before the
   * certificate is picked; the handshake waits for a returned promise. Return a server `SslContext` to pick
   * among its certificates (by SNI, as `addCredential` does; only its certificates and keys are used, parsed
   * once when that context was made), or null/undefined for this context's own. A callback that throws or
   * rejects, or returns anything else, fails the handshake with CERT_CB_ERROR (alert internal_error).
   */
  selectContext?: (serverName: string | null, ssl: Ssl) => SslContext | null | undefined | Promise<SslContext | null | undefined>;
  /**
   * Server: choose the ALPN protocol (OpenSSL's SSL_CTX_set_alpn_select_cb; Node's ALPNCallback), instead of
   * `alpn`, with which it cannot be combined. Called when the client offers ALPN, with its protocols in its
   * order; return one of them, or undefined to refuse the handshake with no_application_protocol. A callback
   * that throws, or returns a protocol the client did not offer, fails it with CALLBACK_FAILED (internal_error).
   */
  alpnSelect?: (info: { serverName: string | null; protocols: string[] }, ssl: Ssl) => string | undefined;
  /**
   * Public-key pins: base64 SHA-256 digests of a SubjectPublicKeyInfo ("sha256/..." prefix allowed, as curl's
   * --pinnedpubkey). The peer's leaf key (the key that signs CertificateVerify) must match one of them, in
   * every mode (also with verifyPeer: false). A mismatch is fatal: the verify callback cannot accept it.
   * A resumed session is offered only if its stored leaf matches.
   */
  pinnedPublicKeys?: string[];
  /**
   * Key logging for debugging (OpenSSL's SSL_CTX_set_keylog_callback): called with one line per secret in the
   * NSS key log format that Wireshark reads (`CLIENT_HANDSHAKE_TRAFFIC_SECRET <client random> <secret>`, hex, no
   * newline), and the connection it belongs to. Whoever has these lines can decrypt the connection: set it only
   * to debug. The core never reads SSLKEYLOGFILE itself (the CLI and the examples do). Exceptions thrown by the
   * callback are ignored.
   */
  keylog?: (line: string, ssl: Ssl) => void;
  /**
   * OpenSSL's SSL_CTX_set_msg_callback: called with every handshake message and alert this context's
   * connections send or receive, decrypted (TLS 1.3 encrypts most of them on the wire). For traces such as
   * `memtls s_client -msg`; it only observes, and what it throws is ignored.
   */
  msgCallback?: (info: MsgInfo) => void;
  /**
   * Client: check the server's certificate against the `serverName` given to `Ssl` (default true). While it
   * is true, a verifying client (verifyPeer) refuses to create an `Ssl` without a `serverName`: any
   * certificate from the trusted CAs would otherwise be accepted for any host. Set it to false only when
   * something else binds the certificate to the peer (e.g. a pin, or a private CA that issues one certificate).
   */
  verifyHostname?: boolean;
  /**
   * Smallest RSA modulus accepted in the peer's certificates and for its CertificateVerify, in bits
   * (default 2048, OpenSSL's security level 2; from 1024 to 8192). Larger than 8192 bits, and public
   * exponents that are even, below 3 or over 2^33 - 1, are always refused.
   */
  minRsaModulusBits?: number;
  /**
   * OpenSSL's verify depth (SSL_CTX_set_verify_depth, `s_client -verify N`): the most intermediate CA
   * certificates in the peer's path; the leaf and the trust anchor do not count. A longer path fails with
   * X509_V_ERR_CERT_CHAIN_TOO_LONG (unknown_ca alert). Default: no depth, paths of up to 10 certificates.
   */
  verifyDepth?: number;
  /**
   * The signature algorithms for handshake signatures (CertificateVerify), in preference order, as OpenSSL's
   * SSL_CTX_set1_sigalgs_list: a colon-separated string or an array of IANA names (`ecdsa_secp256r1_sha256`,
   * `rsa_pss_rsae_sha256`, `ed25519`) or OpenSSL names (`ECDSA+SHA256`, `RSA-PSS+SHA256`). The list is sent in
   * signature_algorithms (client: ClientHello; server: CertificateRequest), the peer's CertificateVerify must
   * use one of them, and our own key signs only with one of them that the peer also offered (none:
   * handshake_failure, "no suitable signature algorithm"). Certificate signatures are not restricted by it.
   * Unknown or repeated names are a RangeError. Default: ECDSA P-256/P-384, Ed25519, RSA-PSS (rsae) SHA-256/384/512.
   */
  sigalgs?: string | string[];
}

/** The certificate signature schemes a verifying context accepts in a path. */
const CERT_SCHEMES: readonly SignatureSchemeName[] = DEFAULT_CERT_SCHEMES.map((s) => schemeName(s)).filter((s) => s !== undefined);

/** The one place the core reads the system clock: the default for `now`. */
const systemClock = (): Date => new globalThis.Date();

/**
 * SSL_CTX: configuration shared by connections (role, certificates, trust anchors, suites, groups, ALPN, options,
 * session cache). Make one, then any number of `Ssl` from it.
 */
export class SslContext {
  /** The role of connections made from this context. */
  readonly role: 'client' | 'server';
  /** The crypto provider every connection of this context uses. */
  readonly provider: CryptoProvider;
  private readonly now: () => Date;
  private readonly suites: readonly CipherSuite[];
  private readonly suites12: readonly CipherSuite[];
  private readonly versions: { readonly tls12: boolean; readonly tls13: boolean };
  private readonly requireEms: boolean;
  private readonly groups: readonly GroupName[];
  private readonly alpn: readonly string[] | null;
  private readonly credentials: Credential[] = [];
  private readonly anchors: readonly ParsedCertificate[];
  private readonly verifyPeer: boolean;
  private readonly requirePeerCert: boolean;
  private readonly limits: Limits;
  private readonly verifyCallback: ((info: VerifyInfo, ssl: Ssl) => boolean) | null;
  private readonly selectContext: ContextOptions['selectContext'] | null;
  private readonly alpnSelect: ContextOptions['alpnSelect'] | null;
  private readonly pins: readonly Uint8Array[];
  private readonly keylog: ((line: string, ssl: Ssl) => void) | null;
  private readonly msgCallback: ((info: MsgInfo) => void) | null;
  private readonly verifyHostname: boolean;
  private readonly minRsaBits: number;
  private readonly verifyDepth: number | undefined;
  private readonly sigalgs: readonly number[];
  private readonly sigalgs12: readonly number[];
  private readonly psk: ReturnType<typeof pskCallbacks<Ssl>>;
  private readonly sessionHooks: ReturnType<typeof sessionCacheHooks<Ssl>>;
  private readonly extensions: ReturnType<typeof extensionOptions>;
  private quiet: boolean;
  private optionBits: number;
  private modeBits: number;
  private numTickets: number;
  private maxEarlyData: number;
  /** Whether a server keeps sessions and issues tickets. */
  readonly sessionCacheEnabled: boolean;
  /** Server: the session cache tickets point into (null when sessionCache is false). */
  readonly sessionCache: SessionCache | null;
  /** Server: ticket lifetime in seconds (OpenSSL's default, 7200). */
  ticketLifetime = 7200;
  /** Server: the keys sealing stateless tickets (#private bytes; null for a client). */
  readonly #ticketKeys: TicketKeyStore | null;

  constructor(opts: ContextOptions) {
    if (typeof opts !== 'object' || opts === null) throw new TypeError('SslContext: options object required');
    if (!roleAvailable(opts.role)) throw new TypeError(opts.role === 'client' || opts.role === 'server' ? `SslContext: the ${opts.role} role is not loaded (the app imports only the client entry points, e.g. @memtls/core/client; import @memtls/core to make a ${opts.role})` : "SslContext: role must be 'client' or 'server'");
    this.role = opts.role;
    if (opts.requireExtendedMasterSecret !== undefined && typeof opts.requireExtendedMasterSecret !== 'boolean') throw new TypeError('SslContext: requireExtendedMasterSecret must be a boolean');
    this.requireEms = opts.requireExtendedMasterSecret ?? false;
    this.extensions = extensionOptions(opts);
    this.provider = providerFrom(opts.crypto, defaultCryptoProvider);
    if (opts.now !== undefined && typeof opts.now !== 'function') throw new TypeError('SslContext: now must be a function returning a Date');
    this.now = opts.now ?? systemClock;

    const suites = suitesFrom(opts.cipherSuites, this.provider);
    this.suites = suites.tls13;
    this.suites12 = suites.tls12;
    this.versions = versionsFrom(opts.minVersion, opts.maxVersion, suites);
    this.groups = groupsFrom(opts.groups, this.provider, this.role);

    if (opts.alpn !== undefined) {
      if (!Array.isArray(opts.alpn) || opts.alpn.some((p) => typeof p !== 'string' || p.length === 0 || p.length > 255)) {
        throw new TypeError('SslContext: alpn must be an array of protocol names (1-255 characters)');
      }
    }
    this.alpn = opts.alpn?.length ? [...opts.alpn] : null;
    for (const k of ['selectContext', 'alpnSelect'] as const) {
      if (opts[k] === undefined) continue;
      if (typeof opts[k] !== 'function') throw new TypeError(`SslContext: ${k} must be a function`);
      if (this.role !== 'server') throw new TypeError(`SslContext: ${k} is a server option`);
    }
    if (opts.alpnSelect !== undefined && opts.alpn !== undefined) throw new TypeError('SslContext: alpn and alpnSelect are mutually exclusive');
    this.selectContext = opts.selectContext ?? null;
    this.alpnSelect = opts.alpnSelect ?? null;

    if (opts.cert !== undefined || opts.key !== undefined) {
      if (typeof opts.cert !== 'string' || typeof opts.key !== 'string') throw new TypeError('SslContext: cert and key go together, as PEM strings');
      this.addCredential(opts.cert, opts.key);
    }
    this.psk = pskCallbacks(opts, this.role);
    this.sessionHooks = sessionCacheHooks(opts, this.role);
    if (this.role === 'server' && this.credentials.length === 0 && !opts.pskFindSession) throw new TypeError('SslContext: a server needs cert and key (or pskFindSession)');

    this.anchors = opts.ca === undefined ? [] : anchorsFrom(opts.ca);
    this.verifyPeer = opts.verifyPeer ?? this.role === 'client';
    if (typeof this.verifyPeer !== 'boolean') throw new TypeError('SslContext: verifyPeer must be a boolean');
    // A client with external PSKs may verify without anchors: a server that does not accept its PSK then fails.
    if (this.verifyPeer && this.anchors.length === 0 && !opts.pskUseSession) {
      throw new TypeError('SslContext: verifyPeer needs trust anchors in ca (the core ships no root store); pass verifyPeer: false to opt out explicitly');
    }

    if (opts.verifyCallback !== undefined && typeof opts.verifyCallback !== 'function') throw new TypeError('SslContext: verifyCallback must be a function');
    this.verifyCallback = opts.verifyCallback ?? null;
    if (opts.msgCallback !== undefined && typeof opts.msgCallback !== 'function') throw new TypeError('SslContext: msgCallback must be a function');
    this.msgCallback = opts.msgCallback ?? null;
    this.pins = pinsFrom(opts.pinnedPublicKeys);

    if (opts.keylog !== undefined && typeof opts.keylog !== 'function') throw new TypeError('SslContext: keylog must be a function');
    this.keylog = opts.keylog ?? null;

    if (opts.requireClientCert !== undefined && typeof opts.requireClientCert !== 'boolean') throw new TypeError('SslContext: requireClientCert must be a boolean');
    this.requirePeerCert = opts.requireClientCert ?? true;
    this.verifyHostname = opts.verifyHostname ?? true;
    if (typeof this.verifyHostname !== 'boolean') throw new TypeError('SslContext: verifyHostname must be a boolean');
    this.minRsaBits = opts.minRsaModulusBits ?? DEFAULT_MIN_RSA_MODULUS_BITS;
    if (!Number.isInteger(this.minRsaBits) || this.minRsaBits < 1024 || this.minRsaBits > RSA_MAX_MODULUS_BITS) {
      throw new RangeError(`SslContext: minRsaModulusBits must be an integer from 1024 to ${RSA_MAX_MODULUS_BITS}`);
    }
    if (opts.verifyDepth !== undefined && !(Number.isSafeInteger(opts.verifyDepth) && opts.verifyDepth >= 0)) {
      throw new RangeError('SslContext: verifyDepth must be a non-negative integer');
    }
    this.verifyDepth = opts.verifyDepth;
    this.sigalgs = opts.sigalgs === undefined ? DEFAULT_TLS13_SCHEMES : parseSigalgs(opts.sigalgs);
    this.sigalgs12 = opts.sigalgs === undefined ? DEFAULT_TLS12_SCHEMES : this.sigalgs;

    this.quiet = !!opts.quietShutdown;
    this.optionBits = checkBits(opts.options ?? 0, 'options');
    if (opts.ignoreUnexpectedEof) this.optionBits |= SSL_OP_IGNORE_UNEXPECTED_EOF;
    this.modeBits = checkBits(opts.mode ?? SSL_MODE_AUTO_RETRY, 'mode');
    this.numTickets = checkCount(opts.numTickets ?? 2, 'numTickets');
    this.maxEarlyData = checkMaxEarlyData(opts.maxEarlyData ?? 0);
    this.sessionCacheEnabled = opts.sessionCache ?? true;
    if (typeof this.sessionCacheEnabled !== 'boolean') throw new TypeError('SslContext: sessionCache must be a boolean');
    this.sessionCache = this.role === 'server' && this.sessionCacheEnabled ? new SessionCache() : null;
    this.#ticketKeys = ticketKeysFrom(opts, this.provider, () => this.now().getTime(), () => this.ticketLifetime);
    this.limits = { ...DEFAULT_LIMITS };
    if (opts.limits) {
      for (const [k, v] of Object.entries(opts.limits)) {
        if (!(k in DEFAULT_LIMITS)) throw new RangeError(`SslContext: unknown limit ${k}`);
        if (!Number.isInteger(v) || (v as number) < 1) throw new RangeError(`SslContext: limit ${k} must be a positive integer`);
        (this.limits as unknown as Record<string, number>)[k] = v as number;
      }
    }
  }

  /** Add a certificate chain and key (servers pick among several by SNI; the first is the default). */
  addCredential(certPem: string, keyPem: string): void {
    this.credentials.push(credentialFromPem(this.provider, certPem, keyPem));
  }

  /**
   * True for a client context that verifies the server's certificate and host name: every `Ssl` made from
   * it needs a `serverName` (adapters check it before opening a transport). A client with `pskUseSession` and no
   * `ca` needs none: it accepts no certificate at all, only its PSK.
   */
  get needsServerName(): boolean {
    return this.role === 'client' && this.verifyPeer && this.verifyHostname && this.anchors.length > 0;
  }

  /** SSL_CTX_set_quiet_shutdown for connections made after this call. */
  setQuietShutdown(on: boolean): void {
    this.quiet = !!on;
  }
  /** SSL_CTX_get_quiet_shutdown. */
  getQuietShutdown(): boolean {
    return this.quiet;
  }
  /** SSL_CTX_set_options: adds SSL_OP_* bits; returns the new bit set. */
  setOptions(bits: number): number {
    this.optionBits |= checkBits(bits, 'options');
    return this.optionBits;
  }
  /** SSL_CTX_clear_options: removes SSL_OP_* bits; returns the new bit set. */
  clearOptions(bits: number): number {
    this.optionBits &= ~checkBits(bits, 'options');
    return this.optionBits;
  }
  /** SSL_CTX_get_options: the SSL_OP_* bits. */
  getOptions(): number {
    return this.optionBits;
  }
  /** SSL_CTX_get_mode: the SSL_MODE_* bits. */
  getMode(): number {
    return this.modeBits;
  }
  /** SSL_CTX_set_mode: adds SSL_MODE_* bits; returns the new bit set. */
  setMode(bits: number): number {
    this.modeBits |= checkBits(bits, 'mode');
    return this.modeBits;
  }
  /** SSL_CTX_set_num_tickets: how many tickets a server sends after each handshake. */
  setNumTickets(n: number): void {
    this.numTickets = checkCount(n, 'numTickets');
  }
  /** SSL_CTX_get_num_tickets. */
  getNumTickets(): number {
    return this.numTickets;
  }
  /** SSL_CTX_set_max_early_data (server): the early data accepted with tickets issued from now on (0: none). */
  setMaxEarlyData(n: number): void {
    this.maxEarlyData = checkMaxEarlyData(n);
  }
  /** SSL_CTX_get_max_early_data. */
  getMaxEarlyData(): number {
    return this.maxEarlyData;
  }

  /** A copy of the current ticket key (48 bytes: 16-byte name, 32-byte AES-256-GCM key), as Node's tls.Server. */
  getTicketKeys(): Uint8Array {
    if (!this.#ticketKeys) throw new TypeError('SslContext.getTicketKeys: ticket keys belong to a server context');
    return this.#ticketKeys.get();
  }
  /** Seal new tickets with `keys` (48 bytes); the replaced key still opens tickets for one ticket lifetime. */
  setTicketKeys(keys: Uint8Array): void {
    if (!this.#ticketKeys) throw new TypeError('SslContext.setTicketKeys: ticket keys belong to a server context');
    this.#ticketKeys.set(checkTicketKeys(keys, 'SslContext.setTicketKeys'));
  }

  /** The verifier of one connection: this context's policy, the verify callback bound to `owner`. */
  private verifier(owner: Ssl): PolicyVerifier {
    const cb = this.verifyCallback;
    return new PolicyVerifier({
      role: this.role,
      provider: this.provider,
      now: this.now,
      anchors: this.anchors,
      verifyPeer: this.verifyPeer,
      verifyHostname: this.verifyHostname,
      pins: this.pins,
      minRsaModulusBits: this.minRsaBits,
      verifyDepth: this.verifyDepth,
      certSchemes: CERT_SCHEMES,
      callback: cb ? (info) => cb(info, owner) : null,
    });
  }

  /** @internal The engine configuration for one connection (`owner`: the connection, for the key log and callbacks). */
  engineConfig(owner?: Ssl): EngineConfig {
    const keylog = this.keylog;
    const self = owner as Ssl;
    const verifier = this.verifier(self);
    return {
      role: this.role,
      provider: this.provider,
      now: this.now,
      suites: this.suites,
      suites12: this.suites12,
      versions: this.versions,
      requireExtendedMasterSecret: this.requireEms,
      ...this.extensions,
      signatureSchemes12: this.sigalgs12,
      groups: this.groups,
      signatureSchemes: this.sigalgs,
      alpn: this.alpn,
      credentials: this.credentials,
      verifyPeer: this.verifyPeer,
      requirePeerCert: this.requirePeerCert,
      limits: this.limits,
      sessionCache: this.sessionCache,
      ticketKeys: this.#ticketKeys,
      numTickets: this.numTickets,
      maxEarlyData: this.role === 'server' ? this.maxEarlyData : 0,
      ticketLifetime: this.ticketLifetime,
      noTicket: (this.optionBits & SSL_OP_NO_TICKET) !== 0,
      leafKey: (der) => verifier.leafKey(der),
      verifyChain: this.role === 'client' ? (chain, hostname) => verifier.verifyServerCert(chain, hostname) : (chain, hostname) => verifier.verifyClientCert(chain, hostname),
      ...wrapServerCallbacks(this.selectContext, this.alpnSelect, self, (c) => (c instanceof SslContext && c.role === 'server' ? c.credentials : null)),
      keylog: keylog && owner ? (line) => keylog(line, owner) : null,
      msgCallback: this.msgCallback,
      verifyHostname: this.verifyHostname,
      sessionAcceptable: (session, hostname) => verifier.acceptsSession(session, hostname),
      ...this.psk(self),
      externalSessions: this.sessionHooks(self),
    };
  }
}
