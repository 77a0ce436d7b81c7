/**
 * Decoders for the certificate extensions memtls enforces (RFC 5280 §4.2). Each takes the extnValue bytes
 * (the contents of the OCTET STRING) and returns a plain object, or throws DerError when the value is
 * malformed. Unknown extensions are not decoded here; certificate.ts only records their OID and criticality.
 */
import { OID } from '../der/oids.js';
import { DerError } from '../der/tlv.js';
import { bitString, boolean, ctxConstructed, ctxPrimitive, decodeDer, isTag, latin1, type Node, octets, oid, seq, smallInteger, Tag, TagClass } from './der.js';

/** keyUsage bits (RFC 5280 §4.2.1.3): bit i of the BIT STRING is `1 << i` in the mask. */
export const KeyUsage = {
  digitalSignature: 1 << 0,
  nonRepudiation: 1 << 1,
  keyEncipherment: 1 << 2,
  dataEncipherment: 1 << 3,
  keyAgreement: 1 << 4,
  keyCertSign: 1 << 5,
  cRLSign: 1 << 6,
  encipherOnly: 1 << 7,
  decipherOnly: 1 << 8,
} as const;

/** basicConstraints (RFC 5280 §4.2.1.9). `pathLen` is null when absent (no limit). */
export interface BasicConstraints {
  readonly cA: boolean;
  readonly pathLen: number | null;
}

/** The subjectAltName entries memtls uses: dNSName (lower-cased as received) and iPAddress (4 or 16 bytes). */
export interface SubjectAltName {
  readonly dns: readonly string[];
  readonly ip: readonly Uint8Array[];
  /** How many entries of other types (rfc822Name, URI, otherName, ...) were present. */
  readonly otherCount: number;
}

/** An iPAddress subtree: address and mask of equal length (4 or 16 bytes), RFC 5280 §4.2.1.10. */
export interface IpSubtree {
  readonly address: Uint8Array;
  readonly mask: Uint8Array;
}

/** The subtrees of one side (permitted or excluded) of a nameConstraints extension. */
export interface GeneralSubtrees {
  readonly dns: readonly string[];
  readonly ip: readonly IpSubtree[];
  /** Subtrees of other name types (directoryName, rfc822Name, URI, ...): recorded, not enforced. */
  readonly otherCount: number;
}

/** nameConstraints (RFC 5280 §4.2.1.10). An absent side is null. */
export interface NameConstraints {
  readonly permitted: GeneralSubtrees | null;
  readonly excluded: GeneralSubtrees | null;
}

/** GeneralName CHOICE tags (RFC 5280 §4.2.1.6). */
const GN_DNS = 2;
const GN_IP = 7;

function ia5(bytes: Uint8Array, what: string): string {
  for (const b of bytes) if (b > 0x7f) throw new DerError(`${what}: IA5String holds a non-ASCII byte`);
  return latin1(bytes);
}

/** basicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL } */
export function decodeBasicConstraints(value: Uint8Array): BasicConstraints {
  const items = seq(decodeDer(value, 'basicConstraints'), 'basicConstraints');
  let i = 0;
  let cA = false;
  if (isTag(items[i], TagClass.UNIVERSAL, Tag.BOOLEAN)) {
    cA = boolean(items[i++], 'basicConstraints.cA');
    if (!cA) throw new DerError('basicConstraints.cA: DEFAULT FALSE must be omitted in DER');
  }
  let pathLen: number | null = null;
  if (items[i] !== undefined) pathLen = smallInteger(items[i++], 'basicConstraints.pathLenConstraint');
  if (i !== items.length) throw new DerError('basicConstraints: trailing elements');
  return { cA, pathLen };
}

/** keyUsage ::= BIT STRING; returns the mask of `KeyUsage` bits. */
export function decodeKeyUsage(value: Uint8Array): number {
  const { bytes } = bitString(decodeDer(value, 'keyUsage'), 'keyUsage');
  let mask = 0;
  for (let i = 0; i < 9 && i < bytes.length * 8; i++) {
    if (((bytes[i >> 3] as number) & (0x80 >> (i & 7))) !== 0) mask |= 1 << i;
  }
  return mask;
}

/** extKeyUsage ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId */
export function decodeExtKeyUsage(value: Uint8Array): string[] {
  const items = seq(decodeDer(value, 'extKeyUsage'), 'extKeyUsage');
  if (items.length === 0) throw new DerError('extKeyUsage: empty');
  return items.map((n) => oid(n, 'extKeyUsage'));
}

/** subjectAltName ::= GeneralNames (SEQUENCE SIZE (1..MAX) OF GeneralName) */
export function decodeSubjectAltName(value: Uint8Array): SubjectAltName {
  const items = seq(decodeDer(value, 'subjectAltName'), 'subjectAltName');
  if (items.length === 0) throw new DerError('subjectAltName: empty');
  const dns: string[] = [];
  const ip: Uint8Array[] = [];
  let otherCount = 0;
  for (const n of items) {
    if (n.cls !== TagClass.CONTEXT) throw new DerError('subjectAltName: entry is not a GeneralName');
    if (n.tag === GN_DNS) {
      dns.push(ia5(ctxPrimitive(n, GN_DNS, 'subjectAltName dNSName'), 'subjectAltName dNSName'));
    } else if (n.tag === GN_IP) {
      const a = ctxPrimitive(n, GN_IP, 'subjectAltName iPAddress');
      if (a.length !== 4 && a.length !== 16) throw new DerError('subjectAltName iPAddress: length is not 4 or 16');
      ip.push(a.slice());
    } else {
      otherCount++;
    }
  }
  return { dns, ip, otherCount };
}

function decodeSubtrees(nodes: Node[], what: string): GeneralSubtrees {
  if (nodes.length === 0) throw new DerError(`${what}: empty`);
  const dns: string[] = [];
  const ip: IpSubtree[] = [];
  let otherCount = 0;
  for (const st of nodes) {
    const parts = seq(st, what);
    const base = parts[0];
    // RFC 5280 §4.2.1.10: minimum MUST be zero (so DER omits it) and maximum MUST be absent.
    if (base === undefined || parts.length !== 1) throw new DerError(`${what}: minimum/maximum are not supported`);
    if (base.cls !== TagClass.CONTEXT) throw new DerError(`${what}: base is not a GeneralName`);
    if (base.tag === GN_DNS) {
      dns.push(ia5(ctxPrimitive(base, GN_DNS, what), what));
    } else if (base.tag === GN_IP) {
      const b = ctxPrimitive(base, GN_IP, what);
      if (b.length !== 8 && b.length !== 32) throw new DerError(`${what}: iPAddress subtree length is not 8 or 32`);
      ip.push({ address: b.slice(0, b.length / 2), mask: b.slice(b.length / 2) });
    } else {
      otherCount++;
    }
  }
  return { dns, ip, otherCount };
}

/** NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees OPTIONAL, excludedSubtrees [1] ... } */
export function decodeNameConstraints(value: Uint8Array): NameConstraints {
  const items = seq(decodeDer(value, 'nameConstraints'), 'nameConstraints');
  let permitted: GeneralSubtrees | null = null;
  let excluded: GeneralSubtrees | null = null;
  let i = 0;
  const first = items[i];
  if (first && isTag(first, TagClass.CONTEXT, 0) && first.constructed) {
    permitted = decodeSubtrees(ctxConstructed(first, 0, 'nameConstraints'), 'nameConstraints.permittedSubtrees');
    i++;
  }
  const second = items[i];
  if (second && isTag(second, TagClass.CONTEXT, 1) && second.constructed) {
    excluded = decodeSubtrees(ctxConstructed(second, 1, 'nameConstraints'), 'nameConstraints.excludedSubtrees');
    i++;
  }
  if (i !== items.length) throw new DerError('nameConstraints: unexpected elements');
  // RFC 5280 §4.2.1.10: "Conforming CAs MUST NOT issue certificates where name constraints is an empty sequence."
  if (!permitted && !excluded) throw new DerError('nameConstraints: empty');
  return { permitted, excluded };
}

/** subjectKeyIdentifier ::= OCTET STRING */
export function decodeSubjectKeyIdentifier(value: Uint8Array): Uint8Array {
  return octets(decodeDer(value, 'subjectKeyIdentifier'), 'subjectKeyIdentifier').slice();
}

/** authorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] OCTET STRING OPTIONAL, ... }; returns the key id. */
export function decodeAuthorityKeyIdentifier(value: Uint8Array): Uint8Array | null {
  const items = seq(decodeDer(value, 'authorityKeyIdentifier'), 'authorityKeyIdentifier');
  const first = items[0];
  if (first && isTag(first, TagClass.CONTEXT, 0) && !first.constructed) {
    return ctxPrimitive(first, 0, 'authorityKeyIdentifier.keyIdentifier').slice();
  }
  return null;
}

/**
 * Extensions memtls understands well enough to accept when they are marked critical (RFC 5280 §4.2: "A
 * certificate-using system MUST reject the certificate if it encounters a critical extension it does not
 * recognize"). certificatePolicies and cRLDistributionPoints are recognised but not enforced, as in OpenSSL's
 * default configuration (no policy checking, no CRL fetching).
 */
export const UNDERSTOOD_EXTENSIONS: ReadonlySet<string> = new Set([
  OID.subjectKeyIdentifier,
  OID.keyUsage,
  OID.subjectAltName,
  OID.basicConstraints,
  OID.nameConstraints,
  OID.crlDistributionPoints,
  OID.certificatePolicies,
  OID.authorityKeyIdentifier,
  OID.extKeyUsage,
]);
