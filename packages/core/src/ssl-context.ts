/**
 * `SslContext`: validated configuration shared by many `Ssl` objects (OpenSSL's SSL_CTX).
 *
 * Rules:
 * - Every option is checked here, synchronously: a bad option is a TypeError/RangeError at construction,
 *   never a handshake failure later.
 * - Defaults that touch the world (the WebCrypto object, the clock) are resolved here and nowhere else in
 *   the core. The core ships no root store: a verifying client needs `ca`.
 * - PEM parsing happens once here; private keys are imported into the provider lazily, once.
 */
import { parseCertificate, type ParsedCertificate } from './cert/certificate.js';
import { parsePrivateKey } from './cert/key.js';
import { certificatesFromPem } from './cert/pem.js';
import { verifyCertificateChain } from './cert/verify.js';
import { SSL_MODE_AUTO_RETRY, SSL_OP_IGNORE_UNEXPECTED_EOF } from './constants.js';
import type { CryptoProvider, GroupName, SigningKey } from './crypto/provider.js';
import { type CipherSuite, suiteByName, TLS13_SUITES } from './crypto/suites.js';
import { createWebCryptoProvider } from './crypto/webcrypto.js';
import { type Credential, DEFAULT_LIMITS, type EngineConfig, type Limits } from './engine/config.js';
import { SslError } from './errors/ssl-error.js';
import type { ReasonCode } from './errors/reasons.js';
import { equalBytes, fromBase64 } from './wire/bytes.js';
import { DEFAULT_CERT_SCHEMES, DEFAULT_TLS13_SCHEMES, schemeName } from './handshake/signature.js';
import { SessionCache } from './session/cache.js';

/**
 * What an `SslContext` is made from: the role, credentials, trust, protocol choices and limits shared by every
 * connection made from it.
 */
export interface ContextOptions {
  /** Which side of the handshake connections from this context take. */
  role: 'client' | 'server';
  /** The lowest protocol version accepted (memtls speaks TLS 1.3 only; TLSv1.2 is accepted as a bound). */
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** The highest protocol version offered; TLS 1.2 is not implemented, so only 'TLSv1.3' is accepted. */
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
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
  /** IANA names, e.g. 'TLS_AES_128_GCM_SHA256', in preference order. */
  cipherSuites?: string[];
  /** 'x25519', 'secp256r1', 'secp384r1', in preference order (the client sends a key share for the first). */
  groups?: string[];
  /** SSL_CTX_set_quiet_shutdown: `shutdown()` sets both flags and sends nothing. */
  quietShutdown?: boolean;
  /** Sets SSL_OP_IGNORE_UNEXPECTED_EOF: an EOF without close_notify is a clean end. */
  ignoreUnexpectedEof?: boolean;
  /** Server: keep sessions for resumption and issue tickets for them (default true). */
  sessionCache?: boolean;
  /** Server: how many session tickets to send after a handshake (OpenSSL default 2). */
  numTickets?: number;
  /** SSL_OP_* bits to set on the context (and so on each connection). */
  options?: number;
  /** SSL_MODE_* bits to set on the context (and so on each connection). */
  mode?: number;
  /** A WebCrypto object or a CryptoProvider. Default: globalThis.crypto. */
  crypto?: Crypto | CryptoProvider;
  /** Clock for certificate and ticket validity. */
  now?: () => Date;
  /** Resource limits (see docs/robustness.md). */
  limits?: Partial<Limits>;
  /**
   * Called once per handshake with the verification result; return true to accept the peer's chain, false to
   * refuse it. Overrides the result both ways (like an OpenSSL verify callback at depth 0). A callback that
   * throws refuses.
   */
  verifyCallback?: (info: VerifyInfo) => boolean;
  /**
   * Public-key pins: base64 SHA-256 digests of a SubjectPublicKeyInfo ("sha256/..." prefix allowed, as curl's
   * --pinnedpubkey). One certificate of the verified path (with verifyPeer: false, of the peer's chain)
   * must match.
   */
  pinnedPublicKeys?: string[];
}

/** What a verify callback sees. */
export interface VerifyInfo {
  /** The result of memtls's own checks (path, dates, purpose, host name, pins). */
  ok: boolean;
  /** OpenSSL's name of the result: X509_V_OK or X509_V_ERR_*. */
  code: string;
  /** Depth of the certificate at fault (0: the leaf). */
  depth: number;
  /** Words for logs. */
  detail: string;
  /** The peer's certificates as sent, DER, leaf first. */
  chain: Uint8Array[];
  /** The name the certificate was checked against (the SNI name), or null when none was checked. */
  hostname: string | null;
}

const GROUPS: readonly GroupName[] = ['x25519', 'secp256r1', 'secp384r1'];
const GROUP_ALIASES: Record<string, GroupName> = { x25519: 'x25519', secp256r1: 'secp256r1', 'p-256': 'secp256r1', prime256v1: 'secp256r1', secp384r1: 'secp384r1', 'p-384': 'secp384r1' };

/** The one place the core reads the system clock: the default for `now`. */
const systemClock = (): Date => new globalThis.Date();

function isProvider(x: unknown): x is CryptoProvider {
  return typeof x === 'object' && x !== null && typeof (x as CryptoProvider).hkdfExpand === 'function' && typeof (x as CryptoProvider).randomBytes === 'function';
}

function isWebCrypto(x: unknown): x is Crypto {
  return typeof x === 'object' && x !== null && typeof (x as Crypto).getRandomValues === 'function' && typeof (x as Crypto).subtle === 'object';
}

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
  private readonly groups: readonly GroupName[];
  private readonly alpn: readonly string[] | null;
  private readonly credentials: Credential[] = [];
  private readonly anchors: ParsedCertificate[] = [];
  private readonly verifyPeer: boolean;
  private readonly requirePeerCert: boolean;
  private readonly limits: Limits;
  private readonly verifyCallback: ((info: VerifyInfo) => boolean) | null;
  private readonly pins: Uint8Array[];
  private quiet: boolean;
  private optionBits: number;
  private modeBits: number;
  private numTickets: number;
  /** Whether a server keeps sessions and issues tickets. */
  readonly sessionCacheEnabled: boolean;
  /** Server: the session cache tickets point into (null when sessionCache is false). */
  readonly sessionCache: SessionCache | null;
  /** Server: ticket lifetime in seconds (OpenSSL's default, 7200). */
  ticketLifetime = 7200;

  constructor(opts: ContextOptions) {
    if (typeof opts !== 'object' || opts === null) throw new TypeError('SslContext: options object required');
    if (opts.role !== 'client' && opts.role !== 'server') throw new TypeError("SslContext: role must be 'client' or 'server'");
    this.role = opts.role;
    for (const v of [opts.minVersion, opts.maxVersion]) {
      if (v !== undefined && v !== 'TLSv1.2' && v !== 'TLSv1.3') throw new RangeError(`SslContext: unknown version ${String(v)}`);
    }
    if (opts.maxVersion === 'TLSv1.2') throw new RangeError('SslContext: TLS 1.2 is not implemented yet; maxVersion must be TLSv1.3');

    if (opts.crypto === undefined) {
      const g = (globalThis as { crypto?: Crypto }).crypto;
      if (!isWebCrypto(g)) throw new TypeError('SslContext: no globalThis.crypto here; pass options.crypto');
      this.provider = createWebCryptoProvider(g);
    } else if (isProvider(opts.crypto)) {
      this.provider = opts.crypto;
    } else if (isWebCrypto(opts.crypto)) {
      this.provider = createWebCryptoProvider(opts.crypto);
    } else {
      throw new TypeError('SslContext: crypto must be a WebCrypto Crypto object or a CryptoProvider');
    }
    if (opts.now !== undefined && typeof opts.now !== 'function') throw new TypeError('SslContext: now must be a function returning a Date');
    this.now = opts.now ?? systemClock;

    const suiteNames = opts.cipherSuites ?? TLS13_SUITES.map((s) => s.name);
    if (!Array.isArray(suiteNames) || suiteNames.length === 0) throw new TypeError('SslContext: cipherSuites must be a non-empty array');
    const suites: CipherSuite[] = [];
    for (const n of suiteNames) {
      const s = suiteByName(n);
      if (!s) throw new RangeError(`SslContext: unknown cipher suite ${String(n)}`);
      if (!this.provider.supportsAead(s.aead)) {
        if (opts.cipherSuites) throw new RangeError(`SslContext: ${n} is not available with this crypto provider`);
        continue;
      }
      suites.push(s);
    }
    this.suites = suites;

    const groupNames = opts.groups ?? GROUPS;
    if (!Array.isArray(groupNames) || groupNames.length === 0) throw new TypeError('SslContext: groups must be a non-empty array');
    this.groups = groupNames.map((g) => {
      const name = typeof g === 'string' ? GROUP_ALIASES[g.toLowerCase()] : undefined;
      if (!name) throw new RangeError(`SslContext: unknown group ${String(g)}`);
      if (!this.provider.supportsGroup(name)) throw new RangeError(`SslContext: group ${name} is not available with this crypto provider`);
      return name;
    });

    if (opts.alpn !== undefined) {
      if (!Array.isArray(opts.alpn) || opts.alpn.some((p) => typeof p !== 'string' || p.length === 0 || p.length > 255)) {
        throw new TypeError('SslContext: alpn must be an array of protocol names (1-255 characters)');
      }
    }
    this.alpn = opts.alpn?.length ? [...opts.alpn] : null;

    if (opts.cert !== undefined || opts.key !== undefined) {
      if (typeof opts.cert !== 'string' || typeof opts.key !== 'string') throw new TypeError('SslContext: cert and key go together, as PEM strings');
      this.addCredential(opts.cert, opts.key);
    }
    if (this.role === 'server' && this.credentials.length === 0) throw new TypeError('SslContext: a server needs cert and key');

    if (opts.ca !== undefined) {
      const list = Array.isArray(opts.ca) ? opts.ca : [opts.ca];
      if (list.some((c) => typeof c !== 'string')) throw new TypeError('SslContext: ca must be PEM text or an array of PEM texts');
      for (const der of certificatesFromPem(list)) this.anchors.push(parseCertificate(der));
      if (this.anchors.length === 0) throw new TypeError('SslContext: ca holds no certificate');
    }
    this.verifyPeer = opts.verifyPeer ?? this.role === 'client';
    if (typeof this.verifyPeer !== 'boolean') throw new TypeError('SslContext: verifyPeer must be a boolean');
    if (this.verifyPeer && this.anchors.length === 0) {
      throw new TypeError('SslContext: verifyPeer needs trust anchors in ca (the core ships no root store); pass verifyPeer: false to opt out explicitly');
    }

    if (opts.verifyCallback !== undefined && typeof opts.verifyCallback !== 'function') throw new TypeError('SslContext: verifyCallback must be a function');
    this.verifyCallback = opts.verifyCallback ?? null;
    if (opts.pinnedPublicKeys !== undefined && !Array.isArray(opts.pinnedPublicKeys)) throw new TypeError('SslContext: pinnedPublicKeys must be an array of base64 SHA-256 digests');
    this.pins = (opts.pinnedPublicKeys ?? []).map((pin) => {
      const b = typeof pin === 'string' ? fromBase64(pin.replace(/^sha256\//, '')) : null;
      if (b?.length !== 32) throw new TypeError(`SslContext: pinned key ${String(pin)} is not a base64 SHA-256 digest`);
      return b;
    });

    if (opts.requireClientCert !== undefined && typeof opts.requireClientCert !== 'boolean') throw new TypeError('SslContext: requireClientCert must be a boolean');
    this.requirePeerCert = opts.requireClientCert ?? true;

    this.quiet = !!opts.quietShutdown;
    this.optionBits = checkBits(opts.options ?? 0, 'options');
    if (opts.ignoreUnexpectedEof) this.optionBits |= SSL_OP_IGNORE_UNEXPECTED_EOF;
    this.modeBits = checkBits(opts.mode ?? SSL_MODE_AUTO_RETRY, 'mode');
    this.numTickets = checkCount(opts.numTickets ?? 2, 'numTickets');
    this.sessionCacheEnabled = opts.sessionCache ?? true;
    if (typeof this.sessionCacheEnabled !== 'boolean') throw new TypeError('SslContext: sessionCache must be a boolean');
    this.sessionCache = this.role === 'server' && this.sessionCacheEnabled ? new SessionCache() : null;
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
    const chain = certificatesFromPem(certPem);
    if (chain.length === 0) throw new TypeError('SslContext: cert holds no certificate');
    const leaf = parseCertificate(chain[0] as Uint8Array);
    const key = parsePrivateKey(keyPem);
    const leafType = leaf.keyType;
    if (leafType !== key.type) throw new TypeError(`SslContext: the key (${key.type}) does not match the certificate (${leafType})`);
    const provider = this.provider;
    let imported: Promise<SigningKey> | null = null;
    this.credentials.push({
      chain,
      keyType: key.type,
      keyBits: leaf.rsaModulusBits ?? (key.type === 'ec-p384' ? 384 : 256),
      names: leaf.subjectAltName?.dns.slice() ?? [],
      signingKey: () => {
        imported ??= provider.importSigningKey(key.type, key.pkcs8);
        return imported;
      },
    });
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

  /** The peer-verification step: path validation (verifyPeer), pins, then the application's callback. */
  private makeVerifier(): EngineConfig['verifyChain'] {
    const checkPath = this.verifyPeer && this.anchors.length > 0;
    if (!checkPath && this.pins.length === 0 && !this.verifyCallback) return null;
    const { anchors, provider, now, pins, verifyCallback } = this;
    const purpose = this.role === 'client' ? 'serverAuth' : 'clientAuth';
    const certSchemes = DEFAULT_CERT_SCHEMES.map((s) => schemeName(s)).filter((s) => s !== undefined);
    return async (chain, hostname) => {
      let code = 'X509_V_OK';
      let reason: ReasonCode = 'CERTIFICATE_VERIFY_FAILED';
      let depth = 0;
      let detail = 'ok';
      let path: Uint8Array[] = chain;
      if (checkPath) {
        const r = await verifyCertificateChain(provider, chain, { anchors, now: now(), purpose, ...(hostname !== null ? { hostname } : {}), signatureSchemesCert: certSchemes });
        if (r.ok) path = r.path.map((c) => c.der);
        else ({ code, reason, depth, detail } = r);
      }
      if (code === 'X509_V_OK' && pins.length) {
        const digests = await Promise.all(path.map((der) => provider.hash('SHA-256', parseCertificate(der).spki)));
        if (!digests.some((d) => pins.some((p) => equalBytes(p, d)))) {
          code = 'X509_V_ERR_APPLICATION_VERIFICATION';
          reason = 'BAD_CERTIFICATE';
          detail = 'no certificate matches the pinned public keys';
        }
      }
      if (verifyCallback) {
        let accept = false;
        try {
          accept = verifyCallback({ ok: code === 'X509_V_OK', code, depth, detail, chain: chain.slice(), hostname }) === true;
        } catch {
          accept = false;
        }
        if (accept) code = 'X509_V_OK';
        else if (code === 'X509_V_OK') {
          code = 'X509_V_ERR_APPLICATION_VERIFICATION';
          reason = 'CERTIFICATE_VERIFY_FAILED';
          detail = 'refused by the verify callback';
        }
      }
      if (code === 'X509_V_OK') return { code, error: null };
      return { code, error: new SslError(reason, { detail: `${code} at depth ${depth}: ${detail}` }) };
    };
  }

  /** @internal The engine configuration for one connection. */
  engineConfig(): EngineConfig {
    return {
      role: this.role,
      provider: this.provider,
      now: this.now,
      suites: this.suites,
      groups: this.groups,
      signatureSchemes: DEFAULT_TLS13_SCHEMES,
      alpn: this.alpn,
      credentials: this.credentials,
      verifyPeer: this.verifyPeer,
      requirePeerCert: this.requirePeerCert,
      limits: this.limits,
      sessionCache: this.sessionCache,
      numTickets: this.numTickets,
      ticketLifetime: this.ticketLifetime,
      leafKey: (der) => {
        const c = parseCertificate(der);
        return { spki: c.spki, keyType: c.keyType, bits: c.rsaModulusBits ?? 0 };
      },
      verifyChain: this.makeVerifier(),
    };
  }
}

function checkBits(bits: number, what: string): number {
  if (!Number.isInteger(bits) || bits < 0 || bits > 0xffffffff) throw new RangeError(`SslContext: ${what} must be a 32-bit unsigned integer`);
  return bits;
}

function checkCount(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new RangeError(`SslContext: ${what} must be an integer from 0 to 64`);
  return n;
}
