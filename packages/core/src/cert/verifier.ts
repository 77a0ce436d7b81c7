/**
 * The peer-verification policy of a context, behind rustls-like interfaces: a client verifies the server's
 * certificate with a `ServerCertVerifier`, a server verifies a client's with a `ClientCertVerifier`.
 * `SslContext` builds one `PolicyVerifier` per connection from its options; the engine calls it.
 *
 * Rules:
 * - Order: pins first (they bind the leaf in every mode, also without path validation, and a mismatch is
 *   fatal: the callback cannot accept it), then path validation (only with verifyPeer and anchors), then the
 *   application's callback, which overrides the result both ways. A callback that throws refuses.
 * - The result code is X509_V_OK only when the path was validated; a callback that accepts an error lets the
 *   handshake go on but the code stays the error (as OpenSSL's verify result does).
 * - A session is offered again only if its verification was at least as strong as this policy's: never an
 *   upgrade of trust (see `acceptsSession`).
 * - The key limits hold for the key that signs CertificateVerify even when the chain is not verified.
 */
import type { CryptoProvider, SignatureSchemeName } from '../crypto/provider.js';
import type { ReasonCode } from '../errors/reasons.js';
import { SslError } from '../errors/ssl-error.js';
import { equalBytes, fromBase64 } from '../wire/bytes.js';
import { decodeCertificate, type ParsedCertificate, parseCertificate } from './certificate.js';
import { checkKeyLimits } from './key-limits.js';
import { certificatesFromPem } from './pem.js';
import { reasonForVerifyCode, verifyCertificateChain, X509_V_ERR_NOT_VERIFIED } from './verify.js';

/** What a verify callback sees. */
export interface VerifyInfo {
  /** The result of memtls's own checks (path, dates, purpose, host name, key limits). */
  ok: boolean;
  /** OpenSSL's name of the result: X509_V_OK or X509_V_ERR_*; X509_V_ERR_NOT_VERIFIED with verifyPeer: false. */
  code: string;
  /** Depth of the certificate at fault (0: the leaf). */
  depth: number;
  /** Words for logs. */
  detail: string;
  /** The peer's certificates as sent, DER, leaf first. */
  chain: Uint8Array[];
  /** The validated certification path, DER, leaf first and trust anchor last (also when the peer did not send
   * the anchor); empty unless `ok`. */
  verifiedChain: Uint8Array[];
  /** The name the certificate was checked against (the SNI name), or null when none was checked. */
  hostname: string | null;
}

/** The outcome of verifying a peer's chain. */
export interface VerifyOutcome {
  /** OpenSSL's X509_V_* name (X509_V_ERR_NOT_VERIFIED when no path was validated). */
  code: string;
  /** The name the leaf was checked against, or null. */
  hostname: string | null;
  /** Set when the chain is refused. */
  error: SslError | null;
  /** The validated path, DER, leaf first, anchor last; empty unless validated. */
  path: Uint8Array[];
}

/** The public key of a peer's leaf, for its CertificateVerify. */
export interface LeafKey {
  spki: Uint8Array;
  keyType: string;
  bits: number;
}

/** How a stored session's peer was verified (what `SslSession` keeps). */
export interface VerifiedSession {
  readonly verifyResult: string;
  readonly verifiedHostname: string | null;
  readonly peerCertificates: readonly Uint8Array[];
}

/** A client's policy for the server's certificate (rustls's ServerCertVerifier). */
export interface ServerCertVerifier {
  /** Verify the server's chain (DER, leaf first) for `serverName`. */
  verifyServerCert(chain: Uint8Array[], serverName: string | null): Promise<VerifyOutcome>;
  /** May a session verified earlier be offered to `serverName` under this policy? */
  acceptsSession(session: VerifiedSession, serverName: string | null): Promise<boolean>;
  /** The key of the server's leaf; throws SslError when it breaks the key limits or does not parse. */
  leafKey(der: Uint8Array): LeafKey;
}

/** A server's policy for a client's certificate (rustls's ClientCertVerifier). */
export interface ClientCertVerifier {
  /** Verify the client's chain (DER, leaf first); `serverName` is the connection's, for the callback. */
  verifyClientCert(chain: Uint8Array[], serverName: string | null): Promise<VerifyOutcome>;
  /** The key of the client's leaf; throws SslError when it breaks the key limits or does not parse. */
  leafKey(der: Uint8Array): LeafKey;
}

/** The options a context turns into a verifier. */
export interface VerifierPolicy {
  readonly role: 'client' | 'server';
  readonly provider: CryptoProvider;
  readonly now: () => Date;
  readonly anchors: readonly ParsedCertificate[];
  /** Validate the path (ContextOptions.verifyPeer); only done when there are anchors. */
  readonly verifyPeer: boolean;
  /** Client: check the leaf against the server name (ContextOptions.verifyHostname). */
  readonly verifyHostname: boolean;
  /** SHA-256 digests of the pinned SubjectPublicKeyInfos (empty: no pins). */
  readonly pins: readonly Uint8Array[];
  readonly minRsaModulusBits: number;
  readonly verifyDepth: number | undefined;
  /** The certificate signature schemes accepted in a path. */
  readonly certSchemes: readonly SignatureSchemeName[];
  /** The application's verify callback, bound to its connection, or null. */
  readonly callback: ((info: VerifyInfo) => boolean) | null;
}

/** The verifier an `SslContext` builds: pins, path validation, then the application's callback. */
export class PolicyVerifier implements ServerCertVerifier, ClientCertVerifier {
  readonly #p: VerifierPolicy;
  readonly #checkPath: boolean;

  constructor(policy: VerifierPolicy) {
    this.#p = policy;
    // Verifying without anchors (a client relying on its external PSK) accepts no certificate at all.
    this.#checkPath = policy.verifyPeer;
  }

  verifyServerCert(chain: Uint8Array[], serverName: string | null): Promise<VerifyOutcome> {
    return this.#verify(chain, serverName);
  }

  verifyClientCert(chain: Uint8Array[], serverName: string | null): Promise<VerifyOutcome> {
    return this.#verify(chain, serverName);
  }

  leafKey(der: Uint8Array): LeafKey {
    const c = parseCertificate(der);
    const bad = checkKeyLimits(c, this.#p.minRsaModulusBits, false);
    if (bad) throw new SslError(reasonForVerifyCode(bad.code), { detail: `${bad.code} at depth 0: ${bad.detail}` });
    return { spki: c.spki, keyType: c.keyType, bits: c.rsaModulusBits ?? 0 };
  }

  /**
   * Never when the session's verification was weaker than this policy's: with verifyPeer, its result must be
   * X509_V_OK (or the verify callback must accept the stored error again) and, with verifyHostname, it must
   * have been verified for this host name; with pins, its stored leaf must match.
   */
  async acceptsSession(session: VerifiedSession, hostname: string | null): Promise<boolean> {
    const { provider, pins, callback, verifyHostname } = this.#p;
    if (this.#checkPath) {
      if (verifyHostname && session.verifiedHostname !== hostname) return false;
      if (session.verifyResult !== 'X509_V_OK') {
        if (session.verifyResult === X509_V_ERR_NOT_VERIFIED || !callback) return false;
        const info: VerifyInfo = { ok: false, code: session.verifyResult, depth: 0, detail: 'stored in the session offered for resumption', chain: session.peerCertificates.slice(), verifiedChain: [], hostname };
        try {
          if (callback(info) !== true) return false;
        } catch {
          return false;
        }
      }
    }
    return pins.length === 0 || pinMatches(provider, pins, session.peerCertificates[0]);
  }

  async #verify(chain: Uint8Array[], hostname: string | null): Promise<VerifyOutcome> {
    const { role, provider, now, anchors, pins, callback, minRsaModulusBits, verifyDepth, certSchemes } = this.#p;
    const checkPath = this.#checkPath;
    const checkedName = checkPath && role === 'client' && this.#p.verifyHostname ? hostname : null;
    const refuse = (code: string, reason: ReasonCode, depth: number, detail: string): VerifyOutcome => ({
      code,
      hostname: checkedName,
      error: new SslError(reason, { detail: `${code} at depth ${depth}: ${detail}` }),
      path: [],
    });
    if (pins.length && !(await pinMatches(provider, pins, chain[0]))) {
      return refuse('X509_V_ERR_APPLICATION_VERIFICATION', 'PINNED_PUBLIC_KEY_MISMATCH', 0, "the leaf's public key matches no pinned key");
    }
    let code = X509_V_ERR_NOT_VERIFIED;
    let reason: ReasonCode = 'CERTIFICATE_VERIFY_FAILED';
    let depth = 0;
    let detail = 'the chain was not verified (verifyPeer: false)';
    let path: Uint8Array[] = [];
    if (checkPath) {
      const r = await verifyCertificateChain(provider, chain, {
        anchors,
        now: now(),
        purpose: role === 'client' ? 'serverAuth' : 'clientAuth',
        ...(checkedName !== null ? { hostname: checkedName } : {}),
        signatureSchemesCert: certSchemes,
        minRsaModulusBits,
        ...(verifyDepth !== undefined ? { verifyDepth } : {}),
      });
      if (r.ok) {
        code = 'X509_V_OK';
        path = r.path.map((c) => c.der.slice());
      } else ({ code, reason, depth, detail } = r);
    }
    if (callback) {
      let accept = false;
      try {
        const info = { ok: code === 'X509_V_OK', code, depth, detail, chain: chain.slice(), verifiedChain: path.map((d) => d.slice()), hostname };
        accept = callback(info) === true;
      } catch {
        accept = false;
      }
      if (!accept) {
        if (code === 'X509_V_OK' || code === X509_V_ERR_NOT_VERIFIED) return refuse('X509_V_ERR_APPLICATION_VERIFICATION', 'CERTIFICATE_VERIFY_FAILED', 0, 'refused by the verify callback');
        return refuse(code, reason, depth, detail);
      }
      return { code, hostname: checkedName, error: null, path };
    }
    if (code === 'X509_V_OK' || code === X509_V_ERR_NOT_VERIFIED) return { code, hostname: checkedName, error: null, path };
    return refuse(code, reason, depth, detail);
  }
}

/** The trust anchors of `ContextOptions.ca` (PEM text or texts), parsed once. */
export function anchorsFrom(ca: unknown): ParsedCertificate[] {
  const list: unknown[] = Array.isArray(ca) ? ca : [ca];
  if (list.some((c) => typeof c !== 'string')) throw new TypeError('SslContext: ca must be PEM text or an array of PEM texts');
  const anchors = certificatesFromPem(list as string[]).map((der) => parseCertificate(der));
  if (anchors.length === 0) throw new TypeError('SslContext: ca holds no certificate');
  return anchors;
}

/** The digests of `ContextOptions.pinnedPublicKeys`: base64 SHA-256, "sha256/" prefix allowed (curl's form). */
export function pinsFrom(pins: unknown): Uint8Array[] {
  if (pins !== undefined && !Array.isArray(pins)) throw new TypeError('SslContext: pinnedPublicKeys must be an array of base64 SHA-256 digests');
  return ((pins ?? []) as unknown[]).map((pin) => {
    const b = typeof pin === 'string' ? fromBase64(pin.replace(/^sha256\//, '')) : null;
    if (b?.length !== 32) throw new TypeError(`SslContext: pinned key ${String(pin)} is not a base64 SHA-256 digest`);
    return b;
  });
}

/** Does the SPKI of certificate `der` hash (SHA-256) to one of `pins`? False for a missing or undecodable one. */
async function pinMatches(provider: CryptoProvider, pins: readonly Uint8Array[], der: Uint8Array | undefined): Promise<boolean> {
  let spki: Uint8Array;
  try {
    if (!der) return false;
    spki = decodeCertificate(der).spki;
  } catch {
    return false;
  }
  const digest = await provider.hash('SHA-256', spki);
  return pins.some((p) => equalBytes(p, digest));
}
