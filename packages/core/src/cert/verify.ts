/**
 * Certificate path building and validation (RFC 5280 §6, profiled for TLS 1.3 as in RFC 8446 §4.4.2).
 *
 * Theory of operation (docs/trust.md has the same list with the error table):
 * 0. Decode every certificate the peer sent (a malformed one fails the whole chain).
 * 1. If the leaf is itself an anchor (same DER), the path is just the leaf.
 * 2. Otherwise build a path from the leaf upward by depth-first search. Issuer candidates of a certificate
 *    are certificates whose subject Name DER equals its issuer Name DER, minus those whose subjectKeyIdentifier
 *    contradicts its authorityKeyIdentifier: anchors first, then the peer's other certificates in any order
 *    (unrelated extras are never used). A certificate never appears twice in a path.
 * 3. Each link is checked as it is added: the signature algorithm must have a TLS name for the issuer's key
 *    (scheme.ts), must be allowed by signature_algorithms_cert when that list is given (RFC 8446 §4.2.3),
 *    and the provider must verify the child's exact tbsCertificate bytes with the issuer's SPKI.
 *    An anchor's own signature is never checked.
 * 4. A path that reaches an anchor is validated as a whole, in this order: validity period of every
 *    certificate including the anchor (from the anchor down); unhandled critical extensions (anchor
 *    included); CA rules for every issuer (basicConstraints cA, keyUsage keyCertSign, pathLenConstraint);
 *    purpose (leaf EKU and keyUsage digitalSignature, intermediates' EKU); name constraints of every CA
 *    (anchor included) over the certificates below it.
 * 5. A failed link or path makes the search try the next candidate. The search is bounded (signature
 *    checks, explored paths, `maxChainLength` certificates per path including leaf and anchor, or `verifyDepth`
 *    intermediates as OpenSSL counts them). When no path
 *    succeeds, the reported error is the one from the most complete attempt: a whole path that failed, then a
 *    failed link or a path that grew too long, then a missing issuer; deeper first, then first found.
 * 6. Finally the host name (hostname.ts) is checked against the leaf.
 * Key limits (key-limits.ts: RSA modulus size and exponent) are checked on the leaf before the search and on
 * each issuer as a link is checked.
 *
 * Invariants: no clock is read (`now` is given); verification never throws for peer-controlled input (every
 * failure is a result); each failure carries OpenSSL's X509_V_ERR name, a ReasonCode (whose alert the engine
 * sends) and the depth (0 = leaf) of the certificate at fault.
 */
import type { CryptoProvider, SignatureSchemeName } from '../crypto/provider.js';
import { OID } from '../der/oids.js';
import { DerError } from '../der/tlv.js';
import type { ReasonCode } from '../errors/reasons.js';
import { equalBytes } from '../wire/bytes.js';
import { CertificateDecodeError, decodeCertificate, type ParsedCertificate } from './certificate.js';
import { KeyUsage } from './extensions.js';
import { checkHostname } from './hostname.js';
import { checkKeyLimits, DEFAULT_MIN_RSA_MODULUS_BITS } from './key-limits.js';
import { checkNameConstraints } from './name-constraints.js';
import { certSignatureScheme } from './scheme.js';

/** Verification error codes: OpenSSL's X509_V_ERR names, plus CERT_DECODE_ERROR for undecodable input
 * (OpenSSL fails those while decoding the Certificate message, before verification). */
export type VerifyCode =
  | 'X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY'
  | 'X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT'
  | 'X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN'
  | 'X509_V_ERR_CERT_SIGNATURE_FAILURE'
  | 'X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM'
  | 'X509_V_ERR_CERT_HAS_EXPIRED'
  | 'X509_V_ERR_CERT_NOT_YET_VALID'
  | 'X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION'
  | 'X509_V_ERR_INVALID_CA'
  | 'X509_V_ERR_PATH_LENGTH_EXCEEDED'
  | 'X509_V_ERR_INVALID_PURPOSE'
  | 'X509_V_ERR_PERMITTED_VIOLATION'
  | 'X509_V_ERR_EXCLUDED_VIOLATION'
  | 'X509_V_ERR_CERT_CHAIN_TOO_LONG'
  | 'X509_V_ERR_HOSTNAME_MISMATCH'
  | 'X509_V_ERR_IP_ADDRESS_MISMATCH'
  | 'X509_V_ERR_INVALID_EXTENSION'
  | 'X509_V_ERR_EE_KEY_TOO_SMALL'
  | 'X509_V_ERR_CA_KEY_TOO_SMALL'
  | 'X509_V_ERR_UNSUPPORTED_PUBLIC_KEY'
  | 'X509_V_ERR_INVALID_PUBLIC_KEY'
  | 'CERT_DECODE_ERROR';

/**
 * The reason code (and so the alert) for each verification code. Mostly OpenSSL's `ssl_x509err2alert`; the
 * exceptions are a bad signature (bad_certificate, per RFC 8446 §6.2, where OpenSSL sends decrypt_error) and an
 * unsupported signature algorithm (unsupported_certificate; OpenSSL: certificate_unknown).
 */
export function reasonForVerifyCode(code: VerifyCode): ReasonCode {
  switch (code) {
    case 'X509_V_ERR_CERT_HAS_EXPIRED':
      return 'CERTIFICATE_EXPIRED';
    case 'X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN':
    case 'X509_V_ERR_INVALID_CA':
    case 'X509_V_ERR_PATH_LENGTH_EXCEEDED':
    case 'X509_V_ERR_CERT_CHAIN_TOO_LONG':
      return 'UNKNOWN_CA';
    case 'X509_V_ERR_CERT_SIGNATURE_FAILURE':
    case 'X509_V_ERR_CERT_NOT_YET_VALID':
    case 'X509_V_ERR_HOSTNAME_MISMATCH':
    case 'X509_V_ERR_IP_ADDRESS_MISMATCH':
      return 'CERTIFICATE_VERIFY_FAILED';
    case 'X509_V_ERR_INVALID_PURPOSE':
    case 'X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM':
    case 'X509_V_ERR_UNSUPPORTED_PUBLIC_KEY':
      return 'UNSUPPORTED_CERTIFICATE';
    case 'X509_V_ERR_EE_KEY_TOO_SMALL':
    case 'X509_V_ERR_CA_KEY_TOO_SMALL':
    case 'X509_V_ERR_INVALID_PUBLIC_KEY':
      return 'CERTIFICATE_VERIFY_FAILED';
    case 'X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION':
    case 'X509_V_ERR_PERMITTED_VIOLATION':
    case 'X509_V_ERR_EXCLUDED_VIOLATION':
    case 'X509_V_ERR_INVALID_EXTENSION':
      return 'CERTIFICATE_UNKNOWN';
    case 'CERT_DECODE_ERROR':
      return 'BAD_CERTIFICATE';
    default:
      return code satisfies never;
  }
}

/**
 * `Ssl.verifyResult()` when no certificate path was validated: verification was off (verifyPeer: false), the
 * peer sent no certificate, or the handshake has not reached it. Not an OpenSSL code: OpenSSL reports X509_V_OK
 * there, and memtls never says X509_V_OK for a peer it did not verify (docs/trust.md).
 */
export const X509_V_ERR_NOT_VERIFIED = 'X509_V_ERR_NOT_VERIFIED';

/** OpenSSL 3.0's `X509_verify_cert_error_string` text for each code. */
export const VERIFY_ERROR_STRINGS: Readonly<Record<VerifyCode, string>> = {
  X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to get local issuer certificate',
  X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in certificate chain',
  X509_V_ERR_CERT_SIGNATURE_FAILURE: 'certificate signature failure',
  X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM: 'unsupported signature algorithm',
  X509_V_ERR_CERT_HAS_EXPIRED: 'certificate has expired',
  X509_V_ERR_CERT_NOT_YET_VALID: 'certificate is not yet valid',
  X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION: 'unhandled critical extension',
  X509_V_ERR_INVALID_CA: 'invalid CA certificate',
  X509_V_ERR_PATH_LENGTH_EXCEEDED: 'path length constraint exceeded',
  X509_V_ERR_INVALID_PURPOSE: 'unsuitable certificate purpose',
  X509_V_ERR_PERMITTED_VIOLATION: 'permitted subtree violation',
  X509_V_ERR_EXCLUDED_VIOLATION: 'excluded subtree violation',
  X509_V_ERR_CERT_CHAIN_TOO_LONG: 'certificate chain too long',
  X509_V_ERR_HOSTNAME_MISMATCH: 'hostname mismatch',
  X509_V_ERR_IP_ADDRESS_MISMATCH: 'IP address mismatch',
  X509_V_ERR_INVALID_EXTENSION: 'invalid or inconsistent certificate extension',
  X509_V_ERR_EE_KEY_TOO_SMALL: 'EE certificate key too weak',
  X509_V_ERR_CA_KEY_TOO_SMALL: 'CA certificate key too weak',
  X509_V_ERR_UNSUPPORTED_PUBLIC_KEY: 'unsupported public key',
  X509_V_ERR_INVALID_PUBLIC_KEY: 'invalid public key',
  CERT_DECODE_ERROR: 'certificate could not be decoded',
};

/** Options of `verifyCertificateChain`. */
export interface ChainVerifyOptions {
  /** Trust anchors (parsed once, e.g. from the `ca` PEM). */
  readonly anchors: readonly ParsedCertificate[];
  /** The time to validate at (memtls never reads the clock). */
  readonly now: Date;
  /** The reference identity: DNS host name (A-labels) or IP literal. Omitted: no identity check. */
  readonly hostname?: string;
  /** What the leaf must be good for: 'serverAuth' when verifying a server, 'clientAuth' for a client. */
  readonly purpose: 'serverAuth' | 'clientAuth';
  /** Most certificates in a path, leaf and anchor included (default 10). Ignored when `verifyDepth` is given. */
  readonly maxChainLength?: number;
  /**
   * OpenSSL's verify depth (X509_VERIFY_PARAM_set_depth): the most intermediate CA certificates in a path; the
   * leaf and the anchor do not count, so a path holds at most `verifyDepth + 2` certificates. A longer path is
   * X509_V_ERR_CERT_CHAIN_TOO_LONG at the depth of the first intermediate beyond the limit, as OpenSSL 3.0.
   */
  readonly verifyDepth?: number;
  /** The peer-acceptable certificate signature schemes (signature_algorithms_cert, else signature_algorithms). */
  readonly signatureSchemesCert?: readonly SignatureSchemeName[];
  /** Smallest RSA modulus accepted in any certificate of the path, in bits (default 2048; see key-limits.ts). */
  readonly minRsaModulusBits?: number;
}

declare const chainVerified: unique symbol;

/** A successful verification. The brand means only this module creates it (a proof for the handshake). */
export interface VerifiedChain {
  readonly ok: true;
  readonly leaf: ParsedCertificate;
  /** Leaf first, anchor last. */
  readonly path: readonly ParsedCertificate[];
  readonly [chainVerified]: true;
}

/** A failed verification. */
export interface ChainVerifyFailure {
  readonly ok: false;
  readonly code: VerifyCode;
  readonly reason: ReasonCode;
  /** Words for logs: OpenSSL's text for the code, then specifics. Never secrets. */
  readonly detail: string;
  /** Position of the certificate at fault: 0 = leaf. */
  readonly depth: number;
}

export type ChainVerifyResult = VerifiedChain | ChainVerifyFailure;

const MAX_SIGNATURE_CHECKS = 32;
const MAX_PATHS_EXPLORED = 128;

interface Link {
  readonly cert: ParsedCertificate;
  readonly anchor: boolean;
}

function fail(code: VerifyCode, depth: number, more?: string): ChainVerifyFailure {
  const detail = more ? `${VERIFY_ERROR_STRINGS[code]}: ${more}` : VERIFY_ERROR_STRINGS[code];
  return { ok: false, code, reason: reasonForVerifyCode(code), detail, depth };
}

/**
 * Build and validate a certification path for the peer's chain.
 * @param provider verifies the signatures
 * @param chain the peer's certificates as sent (DER), leaf first; the others may come in any order
 * @param opts anchors, time, reference identity, purpose and limits
 * @returns `{ ok: true, leaf, path }` or `{ ok: false, code, reason, detail, depth }`
 * @throws TypeError/RangeError only for API misuse (empty chain, invalid `now` or `maxChainLength`)
 * @example
 * const r = await verifyCertificateChain(provider, certs, { anchors, now: clock(), hostname: 'example.com', purpose: 'serverAuth' });
 * if (!r.ok) throw new SslError(r.reason, { detail: r.detail });
 */
export async function verifyCertificateChain(
  provider: CryptoProvider,
  chain: readonly Uint8Array[],
  opts: ChainVerifyOptions,
): Promise<ChainVerifyResult> {
  if (chain.length === 0) throw new TypeError('verifyCertificateChain: the chain is empty');
  if (!(opts.now instanceof Date) || Number.isNaN(opts.now.getTime())) throw new TypeError('verifyCertificateChain: now must be a valid Date');
  if (opts.verifyDepth !== undefined && !(Number.isSafeInteger(opts.verifyDepth) && opts.verifyDepth >= 0)) {
    throw new RangeError('verifyCertificateChain: verifyDepth must be an integer >= 0');
  }
  const maxLen = opts.verifyDepth !== undefined ? opts.verifyDepth + 2 : (opts.maxChainLength ?? 10);
  if (!Number.isInteger(maxLen) || maxLen < 1) throw new RangeError('verifyCertificateChain: maxChainLength must be an integer >= 1');

  const certs: ParsedCertificate[] = [];
  for (let i = 0; i < chain.length; i++) {
    try {
      certs.push(decodeCertificate(chain[i] as Uint8Array));
    } catch (e) {
      if (e instanceof CertificateDecodeError && e.extension) return fail('X509_V_ERR_INVALID_EXTENSION', i, e.message);
      // Anything the decoder throws is about the peer's bytes: it must become a result, never an exception.
      return fail('CERT_DECODE_ERROR', i, e instanceof DerError ? e.message : 'undecodable certificate');
    }
  }
  const leaf = certs[0] as ParsedCertificate;
  const leafKey = checkKeyLimits(leaf, opts.minRsaModulusBits ?? DEFAULT_MIN_RSA_MODULUS_BITS, false);
  if (leafKey) return fail(leafKey.code, 0, leafKey.detail);
  const search = new PathSearch(provider, opts, maxLen, certs.slice(1));
  let path: ParsedCertificate[] | null;
  if (equalsAny(leaf, opts.anchors)) {
    // step 1: the peer's certificate is itself trusted (a pinned or self-signed anchor)
    const f = search.checkPath([{ cert: leaf, anchor: true }]);
    if (f) return f;
    path = [leaf];
  } else {
    path = await search.extend([{ cert: leaf, anchor: false }]);
    if (path === null) return search.best ?? fail('X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 0);
  }
  if (opts.hostname !== undefined) {
    const h = checkHostname(leaf.subjectAltName, opts.hostname);
    if (!h.ok) return fail(h.code, 0, h.detail);
  }
  return { ok: true, leaf, path } as unknown as VerifiedChain;
}

function equalsAny(c: ParsedCertificate, list: readonly ParsedCertificate[]): boolean {
  return list.some((a) => equalBytes(a.der, c.der));
}

/** The depth-first search of step 2-5, holding the budget and the best failure seen so far. */
class PathSearch {
  best: ChainVerifyFailure | null = null;
  private bestRank = -1;
  private signatureChecks = 0;
  private pathsExplored = 0;
  private readonly linkMemo = new Map<ParsedCertificate, Map<ParsedCertificate, ChainVerifyFailure | null>>();
  private readonly provider: CryptoProvider;
  private readonly opts: ChainVerifyOptions;
  private readonly maxLen: number;
  private readonly pool: readonly ParsedCertificate[];

  constructor(provider: CryptoProvider, opts: ChainVerifyOptions, maxLen: number, pool: readonly ParsedCertificate[]) {
    this.provider = provider;
    this.opts = opts;
    this.maxLen = maxLen;
    this.pool = pool;
  }

  /** Keep the failure of the most complete attempt (rank: 3 whole path, 2 link/too long, 1 no issuer). */
  private record(f: ChainVerifyFailure, rank: number, progress: number): void {
    const score = rank * 1000 + progress;
    if (score > this.bestRank) {
      this.best = f;
      this.bestRank = score;
    }
  }

  async extend(path: Link[]): Promise<ParsedCertificate[] | null> {
    if (++this.pathsExplored > MAX_PATHS_EXPLORED) return null;
    const top = path[path.length - 1] as Link;
    if (top.anchor) {
      const f = this.checkPath(path);
      if (f === null) return path.map((l) => l.cert);
      this.record(f, 3, path.length);
      return null;
    }
    const depth = path.length - 1;
    if (path.length >= this.maxLen) {
      const limit = this.opts.verifyDepth !== undefined ? `verify depth ${this.opts.verifyDepth}: at most ${this.opts.verifyDepth} intermediate CA certificates` : `at most ${this.maxLen} certificates`;
      this.record(fail('X509_V_ERR_CERT_CHAIN_TOO_LONG', depth, `${limit}, and "${top.cert.subjectText}" is not a trust anchor`), 2, path.length);
      return null;
    }
    const candidates = this.issuersOf(top.cert, path);
    if (candidates.length === 0) {
      const code = !top.cert.selfIssued
        ? 'X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY'
        : depth === 0 ? 'X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT' : 'X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN';
      this.record(fail(code, depth, `issuer: ${top.cert.issuerText}`), 1, path.length);
      return null;
    }
    for (const cand of candidates) {
      const linkFailure = await this.checkLink(top.cert, cand.cert, depth);
      if (linkFailure) {
        this.record(linkFailure, 2, path.length);
        continue;
      }
      const found = await this.extend([...path, cand]);
      if (found) return found;
      if (this.pathsExplored > MAX_PATHS_EXPLORED || this.signatureChecks > MAX_SIGNATURE_CHECKS) return null;
    }
    return null;
  }

  /** Issuer candidates of `child` (step 2): anchors first, key-identifier matches first within each group. */
  private issuersOf(child: ParsedCertificate, path: readonly Link[]): Link[] {
    const inPath = (c: ParsedCertificate): boolean => path.some((l) => equalBytes(l.cert.der, c.der));
    const fits = (c: ParsedCertificate): boolean =>
      equalBytes(c.subject, child.issuer) &&
      !inPath(c) &&
      !(child.authorityKeyId && c.subjectKeyId && !equalBytes(child.authorityKeyId, c.subjectKeyId));
    const keyIdFirst = (a: Link, b: Link): number => Number(!this.kidMatch(child, a.cert)) - Number(!this.kidMatch(child, b.cert));
    const anchors = this.opts.anchors.filter(fits).map((cert) => ({ cert, anchor: true }));
    const others = this.pool
      .filter((c) => fits(c) && !equalsAny(c, this.opts.anchors))
      .map((cert) => ({ cert, anchor: false }));
    return [...anchors.sort(keyIdFirst), ...others.sort(keyIdFirst)];
  }

  private kidMatch(child: ParsedCertificate, issuer: ParsedCertificate): boolean {
    return !!child.authorityKeyId && !!issuer.subjectKeyId && equalBytes(child.authorityKeyId, issuer.subjectKeyId);
  }

  /** Step 3 for one (child, issuer) pair, memoised. */
  private async checkLink(child: ParsedCertificate, issuer: ParsedCertificate, depth: number): Promise<ChainVerifyFailure | null> {
    // The issuer's key limits first (cheap, no signature budget), reported at the issuer's depth.
    const keyLimit = checkKeyLimits(issuer, this.opts.minRsaModulusBits ?? DEFAULT_MIN_RSA_MODULUS_BITS, true);
    if (keyLimit) return fail(keyLimit.code, depth + 1, keyLimit.detail);
    let byIssuer = this.linkMemo.get(child);
    if (!byIssuer) {
      byIssuer = new Map();
      this.linkMemo.set(child, byIssuer);
    }
    const memo = byIssuer.get(issuer);
    if (memo !== undefined) return memo === null ? null : { ...memo, depth };
    const result = await this.checkLinkUncached(child, issuer, depth);
    byIssuer.set(issuer, result);
    return result;
  }

  private async checkLinkUncached(child: ParsedCertificate, issuer: ParsedCertificate, depth: number): Promise<ChainVerifyFailure | null> {
    const scheme = certSignatureScheme(child.signatureAlgorithm, issuer.keyType);
    if (scheme === null) {
      return fail('X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM', depth,
        `${child.signatureAlgorithm.oid} with a ${issuer.keyType} issuer key has no TLS signature scheme`);
    }
    const allowed = this.opts.signatureSchemesCert;
    if (allowed && !allowed.includes(scheme)) {
      return fail('X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM', depth, `${scheme} is not in signature_algorithms_cert`);
    }
    if (++this.signatureChecks > MAX_SIGNATURE_CHECKS) {
      return fail('X509_V_ERR_CERT_CHAIN_TOO_LONG', depth, 'too many candidate issuers (signature check budget exhausted)');
    }
    let good: boolean;
    try {
      good = await this.provider.verify(scheme, issuer.spki, child.tbs, child.signature);
    } catch {
      return fail('X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM', depth, `the crypto provider cannot verify ${scheme}`);
    }
    return good ? null : fail('X509_V_ERR_CERT_SIGNATURE_FAILURE', depth, `${scheme} signature by "${issuer.subjectText}" does not verify`);
  }

  /** Step 4 on a path that ends at an anchor: the first failure, or null. */
  checkPath(path: readonly Link[]): ChainVerifyFailure | null {
    const certs = path.map((l) => l.cert);
    const n = certs.length;
    const now = this.opts.now.getTime();
    // 4a. validity, from the anchor down (OpenSSL checks the trust anchor's dates too)
    for (let i = n - 1; i >= 0; i--) {
      const c = certs[i] as ParsedCertificate;
      if (now < c.notBefore.getTime()) return fail('X509_V_ERR_CERT_NOT_YET_VALID', i, `notBefore ${c.notBefore.toISOString()}`);
      if (now > c.notAfter.getTime()) return fail('X509_V_ERR_CERT_HAS_EXPIRED', i, `notAfter ${c.notAfter.toISOString()}`);
    }
    // 4b. critical extensions memtls does not understand (RFC 5280 §4.2)
    for (let i = 0; i < n; i++) {
      const c = certs[i] as ParsedCertificate;
      if (c.unhandledCritical.length > 0) return fail('X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION', i, c.unhandledCritical.join(', '));
    }
    // 4c. CA rules for every issuer (RFC 5280 §6.1.4 (k), (l), (m), (n))
    let intermediatesBelow = 0; // non-self-issued intermediates between the leaf and certs[i]
    for (let i = 1; i < n; i++) {
      const c = certs[i] as ParsedCertificate;
      const isAnchor = i === n - 1;
      const bc = c.basicConstraints;
      if (bc ? !bc.cA : !isAnchor) return fail('X509_V_ERR_INVALID_CA', i, bc ? 'basicConstraints cA is FALSE' : 'no basicConstraints extension');
      if (c.keyUsage !== null && (c.keyUsage & KeyUsage.keyCertSign) === 0) return fail('X509_V_ERR_INVALID_CA', i, 'keyUsage lacks keyCertSign');
      if (bc?.pathLen != null && intermediatesBelow > bc.pathLen) {
        return fail('X509_V_ERR_PATH_LENGTH_EXCEEDED', i, `pathLenConstraint ${bc.pathLen}, ${intermediatesBelow} intermediates below`);
      }
      if (!c.selfIssued) intermediatesBelow++;
    }
    // 4d. purpose (RFC 5280 §4.2.1.12; RFC 8446 §4.4.2.2: the leaf key must be allowed to sign)
    const purposeOid = this.opts.purpose === 'serverAuth' ? OID.serverAuth : OID.clientAuth;
    const ekuOk = (c: ParsedCertificate): boolean =>
      c.extKeyUsage === null || c.extKeyUsage.includes(purposeOid) || c.extKeyUsage.includes(OID.anyExtendedKeyUsage);
    const leaf = certs[0] as ParsedCertificate;
    if (!ekuOk(leaf)) return fail('X509_V_ERR_INVALID_PURPOSE', 0, `extKeyUsage lacks ${this.opts.purpose}`);
    if (leaf.keyUsage !== null && (leaf.keyUsage & KeyUsage.digitalSignature) === 0) {
      return fail('X509_V_ERR_INVALID_PURPOSE', 0, 'keyUsage lacks digitalSignature');
    }
    for (let i = 1; i < n - 1; i++) {
      if (!ekuOk(certs[i] as ParsedCertificate)) return fail('X509_V_ERR_INVALID_PURPOSE', i, `extKeyUsage lacks ${this.opts.purpose}`);
    }
    // 4e. name constraints of each CA over the certificates below it (not self-issued intermediates)
    for (let i = 1; i < n; i++) {
      const nc = (certs[i] as ParsedCertificate).nameConstraints;
      if (!nc) continue;
      for (let j = 0; j < i; j++) {
        const below = certs[j] as ParsedCertificate;
        if (j > 0 && below.selfIssued) continue;
        const v = checkNameConstraints(below.subjectAltName, nc);
        if (v) return fail(v.code, j, v.detail);
      }
    }
    return null;
  }
}
