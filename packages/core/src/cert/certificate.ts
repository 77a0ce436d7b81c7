/**
 * Parse one DER X.509 certificate (RFC 5280 §4.1) into a plain, immutable object.
 *
 * Rules:
 * - The input must be strict DER (der/reader.ts `readDer`), exactly one Certificate, with no trailing bytes.
 * - `tbs` is the exact slice of the received bytes that the issuer signed; nothing is ever re-encoded.
 * - The inner `signature` AlgorithmIdentifier must equal the outer `signatureAlgorithm` byte for byte
 *   (RFC 5280 §4.1.1.2).
 * - An extension OID may appear only once (RFC 5280 §4.2). Extensions memtls enforces are decoded strictly; a
 *   malformed one makes the whole certificate unparsable. Other extensions are kept as (oid, critical) only.
 * - Parsing decides nothing about trust: verify.ts does.
 */
import type { HashName } from '../crypto/provider.js';
import { OID } from '../der/oids.js';
import { DerError } from '../der/tlv.js';
import { SslError } from '../errors/ssl-error.js';
import { toHex } from '../wire/bytes.js';
import {
  bitStringBytes, boolean, ctxConstructed, decodeDer, integerBytes, isTag, type Node, 
  octets, oid,rawOf, seq, smallInteger, Tag, TagClass, time,
} from './der.js';
import {
  type BasicConstraints, decodeAuthorityKeyIdentifier, decodeBasicConstraints, decodeExtKeyUsage, decodeKeyUsage,
  decodeNameConstraints, decodeSubjectAltName, decodeSubjectKeyIdentifier, type NameConstraints, type SubjectAltName,
  UNDERSTOOD_EXTENSIONS,
} from './extensions.js';
import { lastCommonName, nameDer, nameText } from './name.js';

/** The public key algorithm of a certificate. */
export type CertKeyType = 'ec-p256' | 'ec-p384' | 'ec-p521' | 'rsa' | 'rsa-pss' | 'ed25519' | 'unknown';

/** The family of a certificate signature algorithm; the TLS scheme also depends on the issuer key (scheme.ts). */
export type SignatureFamily = 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa' | 'ed25519' | 'unknown';

/** A certificate's signatureAlgorithm, decoded. */
export interface CertSignatureAlgorithm {
  readonly oid: string;
  readonly family: SignatureFamily;
  /** The digest; null for Ed25519, unknown algorithms, and RSASSA-PSS parameters outside the TLS profile
   * (MGF1 with the same hash, salt length equal to the hash length, trailer field 1: RFC 8446 §4.2.3). */
  readonly hash: HashName | null;
}

/** One extension as found in the certificate. */
export interface CertExtension {
  readonly oid: string;
  readonly critical: boolean;
  /** True when memtls knows the extension (see UNDERSTOOD_EXTENSIONS in extensions.ts). */
  readonly understood: boolean;
}

/** A parsed X.509 certificate. All byte fields are copies owned by this object. */
export interface ParsedCertificate {
  /** The complete certificate DER, as received. */
  readonly der: Uint8Array;
  /** The exact tbsCertificate bytes the signature covers. */
  readonly tbs: Uint8Array;
  /** 1, 2 or 3. */
  readonly version: number;
  /** The serial number's INTEGER content bytes, and the same in lower-case hex. */
  readonly serial: Uint8Array;
  readonly serialHex: string;
  readonly signatureAlgorithm: CertSignatureAlgorithm;
  /** The signatureValue bits (DER for ECDSA, as TLS carries it). */
  readonly signature: Uint8Array;
  /** The issuer and subject Name DER (compared byte for byte when chaining), and a printable form. */
  readonly issuer: Uint8Array;
  readonly issuerText: string;
  readonly subject: Uint8Array;
  readonly subjectText: string;
  /** The most specific (last) commonName of the subject, or null. Never used for host name checks. */
  readonly commonName: string | null;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The SubjectPublicKeyInfo DER (what `CryptoProvider.verify` takes, and what SPKI pins hash). */
  readonly spki: Uint8Array;
  readonly keyType: CertKeyType;
  /** The RSA modulus size in bits for 'rsa' and 'rsa-pss' keys, else null. */
  readonly rsaModulusBits: number | null;
  /** The RSA public exponent for 'rsa' and 'rsa-pss' keys (-1 when negative; exact up to 2^53), else null. */
  readonly rsaExponent: number | null;
  /** The subjectPublicKey BIT STRING contents (an EC point, an Ed25519 key, or the RSAPublicKey DER). */
  readonly publicKey: Uint8Array;
  readonly basicConstraints: BasicConstraints | null;
  /** A mask of extensions.ts `KeyUsage` bits, or null when the extension is absent. */
  readonly keyUsage: number | null;
  /** extKeyUsage purpose OIDs, or null when the extension is absent. */
  readonly extKeyUsage: readonly string[] | null;
  readonly subjectAltName: SubjectAltName | null;
  readonly nameConstraints: NameConstraints | null;
  readonly subjectKeyId: Uint8Array | null;
  readonly authorityKeyId: Uint8Array | null;
  readonly extensions: readonly CertExtension[];
  /** OIDs of critical extensions memtls does not understand (such a certificate must be rejected). */
  readonly unhandledCritical: readonly string[];
  /** True when subject and issuer names are byte-identical (self-issued, RFC 5280 §3.3). */
  readonly selfIssued: boolean;
}

/** A malformed certificate; `extension` names the offending extension when the fault is inside one. */
export class CertificateDecodeError extends DerError {
  readonly extension: string | null;
  constructor(message: string, extension: string | null = null) {
    super(message);
    this.name = 'CertificateDecodeError';
    this.extension = extension;
  }
}

/**
 * Parse a DER certificate.
 * @param der one certificate, exactly (no trailing bytes)
 * @returns the parsed certificate
 * @throws SslError BAD_CERTIFICATE when the bytes are not a well-formed X.509 certificate
 * @example
 * const cert = parseCertificate(certificatesFromPem(pemText)[0]!);
 * cert.subjectText; // 'CN=example.com'
 */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  try {
    return decodeCertificate(der);
  } catch (e) {
    throw new SslError('BAD_CERTIFICATE', { detail: e instanceof DerError ? e.message : 'undecodable certificate' });
  }
}

/**
 * As `parseCertificate`, throwing the underlying `CertificateDecodeError`/`DerError` (verify.ts maps those
 * to verification codes).
 */
export function decodeCertificate(input: Uint8Array): ParsedCertificate {
  // Memoized: a client meets the same server certificate on every connection, and ParsedCertificate is
  // immutable. Only successful parses are kept; the key is the exact DER.
  const key = toHex(input);
  const hit = PARSED.get(key);
  if (hit) {
    PARSED.delete(key);
    PARSED.set(key, hit);
    return hit;
  }
  const parsed = decodeCertificateUncached(input);
  PARSED.set(key, parsed);
  if (PARSED.size > PARSED_MAX) {
    const oldest = PARSED.keys().next();
    if (!oldest.done) PARSED.delete(oldest.value);
  }
  return parsed;
}

const PARSED = new Map<string, ParsedCertificate>();
const PARSED_MAX = 64;

function decodeCertificateUncached(input: Uint8Array): ParsedCertificate {
  const der = input.slice();
  const top = seq(decodeDer(der, 'certificate'), 'certificate');
  if (top.length !== 3) throw new DerError('certificate: expected tbsCertificate, signatureAlgorithm, signatureValue');
  const [tbsNode, sigAlgNode, sigNode] = top as [Node, Node, Node];
  const tbs = rawOf(tbsNode).slice();
  const t = seq(tbsNode, 'tbsCertificate');
  let i = 0;
  let version = 1;
  if (isTag(t[0], TagClass.CONTEXT, 0)) {
    const v = ctxConstructed(t[i++], 0, 'version');
    if (v.length !== 1) throw new DerError('version: expected one INTEGER');
    version = smallInteger(v[0], 'version') + 1;
    // DER: DEFAULT v1 must be omitted; v4+ does not exist.
    if (version < 2 || version > 3) throw new DerError('version: must be v2 or v3 when present');
  }
  const serial = integerBytes(t[i++], 'serialNumber').slice();
  const innerSigAlg = t[i++];
  if (!innerSigAlg || !equal(rawOf(innerSigAlg), rawOf(sigAlgNode))) {
    throw new DerError('tbsCertificate.signature differs from signatureAlgorithm (RFC 5280 §4.1.1.2)');
  }
  const issuerNode = t[i++];
  const validity = seq(t[i++], 'validity');
  if (validity.length !== 2) throw new DerError('validity: expected notBefore and notAfter');
  const notBefore = time(validity[0], 'notBefore');
  const notAfter = time(validity[1], 'notAfter');
  const subjectNode = t[i++];
  const spkiNode = t[i++];
  if (!issuerNode || !subjectNode || !spkiNode) throw new DerError('tbsCertificate: truncated');
  const issuer = nameDer(issuerNode, 'issuer');
  const subject = nameDer(subjectNode, 'subject');
  const spki = rawOf(spkiNode).slice();
  const key = decodeSpki(spkiNode);
  // issuerUniqueID [1] and subjectUniqueID [2] are skipped (RFC 5280 §4.1.2.8: not to be used by v3 CAs).
  if (isTag(t[i], TagClass.CONTEXT, 1)) i++;
  if (isTag(t[i], TagClass.CONTEXT, 2)) i++;
  let extNodes: Node[] = [];
  if (isTag(t[i], TagClass.CONTEXT, 3)) {
    if (version !== 3) throw new DerError('extensions present in a certificate that is not v3');
    const wrapped = ctxConstructed(t[i++], 3, 'extensions');
    if (wrapped.length !== 1) throw new DerError('extensions: expected one SEQUENCE');
    extNodes = seq(wrapped[0], 'extensions');
    if (extNodes.length === 0) throw new DerError('extensions: empty SEQUENCE');
  }
  if (i !== t.length) throw new DerError('tbsCertificate: unexpected trailing elements');

  const ext = decodeExtensions(extNodes);
  const signatureAlgorithm = decodeSignatureAlgorithm(sigAlgNode);
  const signature = bitStringBytes(sigNode, 'signatureValue').slice();
  return {
    der,
    tbs,
    version,
    serial,
    // As OpenSSL prints it: without the 00 byte DER puts before a positive INTEGER whose high bit is set.
    serialHex: toHex(serial.length > 1 && serial[0] === 0 ? serial.subarray(1) : serial),
    signatureAlgorithm,
    signature,
    issuer,
    issuerText: nameText(issuerNode),
    subject,
    subjectText: nameText(subjectNode),
    commonName: lastCommonName(subjectNode),
    notBefore,
    notAfter,
    spki,
    keyType: key.type,
    rsaModulusBits: key.rsaBits,
    rsaExponent: key.rsaExponent,
    publicKey: key.publicKey,
    ...ext,
    selfIssued: equal(issuer, subject),
  };
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

function algorithmIdentifier(n: Node | undefined, what: string): { oid: string; params: Node | undefined } {
  const parts = seq(n, what);
  if (parts.length < 1 || parts.length > 2) throw new DerError(`${what}: bad AlgorithmIdentifier`);
  return { oid: oid(parts[0], `${what}.algorithm`), params: parts[1] };
}

function isNull(n: Node | undefined): boolean {
  return n !== undefined && isTag(n, TagClass.UNIVERSAL, Tag.NULL) && rawOf(n).length === 2;
}

interface SpkiInfo {
  type: CertKeyType;
  rsaBits: number | null;
  rsaExponent: number | null;
  publicKey: Uint8Array;
}

function decodeSpki(n: Node): SpkiInfo {
  const parts = seq(n, 'subjectPublicKeyInfo');
  if (parts.length !== 2) throw new DerError('subjectPublicKeyInfo: expected algorithm and key');
  const alg = algorithmIdentifier(parts[0], 'subjectPublicKeyInfo.algorithm');
  const key = bitStringBytes(parts[1], 'subjectPublicKey');
  switch (alg.oid) {
    case OID.ecPublicKey: {
      const curve = alg.params && isTag(alg.params, TagClass.UNIVERSAL, Tag.OID) ? oid(alg.params, 'namedCurve') : null;
      const type: CertKeyType =
        curve === OID.prime256v1 ? 'ec-p256' : curve === OID.secp384r1 ? 'ec-p384' : curve === OID.secp521r1 ? 'ec-p521' : 'unknown';
      return { type, rsaBits: null, rsaExponent: null, publicKey: key.slice() };
    }
    case OID.rsaEncryption:
    case OID.rsassaPss: {
      const rsa = seq(decodeDer(key, 'RSAPublicKey'), 'RSAPublicKey');
      if (rsa.length !== 2) throw new DerError('RSAPublicKey: expected modulus and exponent');
      const mod = integerBytes(rsa[0], 'RSAPublicKey.modulus');
      const exp = integerBytes(rsa[1], 'RSAPublicKey.publicExponent');
      const type = alg.oid === OID.rsaEncryption ? 'rsa' : 'rsa-pss';
      return { type, rsaBits: bitLength(mod), rsaExponent: integerValue(exp), publicKey: key.slice() };
    }
    case OID.ed25519:
      if (alg.params !== undefined || key.length !== 32) throw new DerError('Ed25519 key: bad parameters or length');
      return { type: 'ed25519', rsaBits: null, rsaExponent: null, publicKey: key.slice() };
    default:
      return { type: 'unknown', rsaBits: null, rsaExponent: null, publicKey: key.slice() };
  }
}

/** A two's-complement INTEGER as a number: -1 when negative, exact up to 2^53 (larger values are approximate). */
function integerValue(v: Uint8Array): number {
  if (((v[0] as number) & 0x80) !== 0) return -1;
  let x = 0;
  for (const b of v) x = x * 256 + b;
  return x;
}

function bitLength(v: Uint8Array): number {
  let k = 0;
  while (k < v.length && v[k] === 0) k++;
  if (k === v.length) return 0;
  return (v.length - k - 1) * 8 + (32 - Math.clz32(v[k] as number));
}

const HASH_BY_OID: Readonly<Record<string, HashName>> = {
  [OID.sha256]: 'SHA-256',
  [OID.sha384]: 'SHA-384',
  [OID.sha512]: 'SHA-512',
};

function decodeSignatureAlgorithm(n: Node): CertSignatureAlgorithm {
  const { oid: algOid, params } = algorithmIdentifier(n, 'signatureAlgorithm');
  const simple = (family: SignatureFamily, hash: HashName | null, paramsOk: boolean): CertSignatureAlgorithm =>
    paramsOk ? { oid: algOid, family, hash } : { oid: algOid, family: 'unknown', hash: null };
  switch (algOid) {
    // RFC 4055 §5: the parameters MUST be NULL (absent is tolerated, as every verifier does).
    case OID.sha256WithRSAEncryption:
      return simple('rsa-pkcs1', 'SHA-256', params === undefined || isNull(params));
    case OID.sha384WithRSAEncryption:
      return simple('rsa-pkcs1', 'SHA-384', params === undefined || isNull(params));
    case OID.sha512WithRSAEncryption:
      return simple('rsa-pkcs1', 'SHA-512', params === undefined || isNull(params));
    // RFC 5758 §3.2 and RFC 8410 §3: the parameters MUST be absent.
    case OID.ecdsaWithSha256:
      return simple('ecdsa', 'SHA-256', params === undefined);
    case OID.ecdsaWithSha384:
      return simple('ecdsa', 'SHA-384', params === undefined);
    case OID.ecdsaWithSha512:
      return simple('ecdsa', 'SHA-512', params === undefined);
    case OID.ed25519:
      return simple('ed25519', null, params === undefined);
    case OID.rsassaPss:
      return { oid: algOid, family: 'rsa-pss', hash: pssHash(params) };
    default:
      return { oid: algOid, family: 'unknown', hash: null };
  }
}

/**
 * RSASSA-PSS-params (RFC 4055 §3.1) restricted to what TLS can name (RFC 8446 §4.2.3): hash SHA-256/384/512,
 * MGF1 with the same hash, salt length equal to the hash length, trailer field 1. Anything else: null.
 */
function pssHash(params: Node | undefined): HashName | null {
  if (params === undefined) return null; // the defaults are SHA-1
  const fields = seq(params, 'RSASSA-PSS-params');
  let hash: HashName | null = null;
  let mgfHash: HashName | null = null;
  let salt = 20;
  for (const f of fields) {
    if (f.cls !== TagClass.CONTEXT) throw new DerError('RSASSA-PSS-params: unexpected element');
    const inner = ctxConstructed(f, f.tag, 'RSASSA-PSS-params');
    if (inner.length !== 1) throw new DerError('RSASSA-PSS-params: each field holds one element');
    switch (f.tag) {
      case 0: {
        const h = algorithmIdentifier(inner[0], 'RSASSA-PSS hashAlgorithm');
        if (h.params !== undefined && !isNull(h.params)) return null;
        hash = HASH_BY_OID[h.oid] ?? null;
        break;
      }
      case 1: {
        const m = algorithmIdentifier(inner[0], 'RSASSA-PSS maskGenAlgorithm');
        if (m.oid !== OID.mgf1 || m.params === undefined) return null;
        const h = algorithmIdentifier(m.params, 'MGF1 hash');
        if (h.params !== undefined && !isNull(h.params)) return null;
        mgfHash = HASH_BY_OID[h.oid] ?? null;
        break;
      }
      case 2:
        salt = smallInteger(inner[0], 'RSASSA-PSS saltLength');
        break;
      case 3:
        if (smallInteger(inner[0], 'RSASSA-PSS trailerField') !== 1) return null;
        break;
      default:
        throw new DerError('RSASSA-PSS-params: unknown field');
    }
  }
  if (hash === null || mgfHash !== hash) return null;
  const len = hash === 'SHA-256' ? 32 : hash === 'SHA-384' ? 48 : 64;
  return salt === len ? hash : null;
}

type ExtensionFields = Pick<
  ParsedCertificate,
  | 'basicConstraints' | 'keyUsage' | 'extKeyUsage' | 'subjectAltName' | 'nameConstraints' | 'subjectKeyId'
  | 'authorityKeyId' | 'extensions' | 'unhandledCritical'
>;

function decodeExtensions(nodes: Node[]): ExtensionFields {
  const out: {
    -readonly [K in keyof ExtensionFields]: ExtensionFields[K];
  } = {
    basicConstraints: null, keyUsage: null, extKeyUsage: null, subjectAltName: null, nameConstraints: null,
    subjectKeyId: null, authorityKeyId: null, extensions: [], unhandledCritical: [],
  };
  const seen = new Set<string>();
  const list: CertExtension[] = [];
  const unhandled: string[] = [];
  for (const n of nodes) {
    const parts = seq(n, 'extension');
    const extOid = oid(parts[0], 'extension.extnID');
    let critical = false;
    let k = 1;
    if (isTag(parts[k], TagClass.UNIVERSAL, Tag.BOOLEAN)) {
      critical = boolean(parts[k++], 'extension.critical');
      if (!critical) throw new DerError('extension.critical: DEFAULT FALSE must be omitted in DER');
    }
    const value = octets(parts[k++], 'extension.extnValue');
    if (k !== parts.length) throw new DerError('extension: trailing elements');
    if (seen.has(extOid)) throw new CertificateDecodeError(`extension ${extOid} appears twice (RFC 5280 §4.2)`, extOid);
    seen.add(extOid);
    const understood = UNDERSTOOD_EXTENSIONS.has(extOid);
    list.push({ oid: extOid, critical, understood });
    if (critical && !understood) unhandled.push(extOid);
    try {
      switch (extOid) {
        case OID.basicConstraints: out.basicConstraints = decodeBasicConstraints(value); break;
        case OID.keyUsage: out.keyUsage = decodeKeyUsage(value); break;
        case OID.extKeyUsage: out.extKeyUsage = decodeExtKeyUsage(value); break;
        case OID.subjectAltName: out.subjectAltName = decodeSubjectAltName(value); break;
        case OID.nameConstraints: out.nameConstraints = decodeNameConstraints(value); break;
        case OID.subjectKeyIdentifier: out.subjectKeyId = decodeSubjectKeyIdentifier(value); break;
        case OID.authorityKeyIdentifier: out.authorityKeyId = decodeAuthorityKeyIdentifier(value); break;
        default: break;
      }
    } catch (e) {
      if (e instanceof DerError) throw new CertificateDecodeError(e.message, extOid);
      throw e;
    }
  }
  out.extensions = list;
  out.unhandledCritical = unhandled;
  return out;
}
