/**
 * Object identifiers, shared by cert/ (X.509, PKCS#8) and crypto/ (SubjectPublicKeyInfo checks): the dotted
 * form with the RFC that defines each, and their DER content encoding (X.690 §8.19).
 */

export const OID = {
  // key algorithms (RFC 3279, RFC 4055, RFC 5480, RFC 8410)
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  ecPublicKey: '1.2.840.10045.2.1',
  ed25519: '1.3.101.112',
  // named curves (RFC 5480 §2.1.1.1)
  prime256v1: '1.2.840.10045.3.1.7',
  secp384r1: '1.3.132.0.34',
  secp521r1: '1.3.132.0.35',
  // signature algorithms (RFC 4055 §5, RFC 5758 §3.2)
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  // hashes and MGF1 (RFC 4055 §2.1, §2.2)
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  mgf1: '1.2.840.113549.1.1.8',
  // certificate extensions (RFC 5280 §4.2)
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  nameConstraints: '2.5.29.30',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  // extended key usages (RFC 5280 §4.2.1.12)
  anyExtendedKeyUsage: '2.5.29.37.0',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  // attribute types (RFC 4519)
  commonName: '2.5.4.3',
} as const;

/** Short names of the attribute types printed in distinguished names (OpenSSL's spelling). */
export const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.42': 'GN',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

/**
 * The DER content bytes of a dotted object identifier (X.690 §8.19: the first two arcs as 40 * a + b, then
 * each arc in base 128, high bit set on all bytes but the last).
 * @throws RangeError for a malformed identifier (a programmer error: callers pass the constants above)
 */
export function oidContent(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  const [a, b] = arcs;
  if (arcs.length < 2 || arcs.some((x) => !Number.isSafeInteger(x) || x < 0) || a === undefined || b === undefined || a > 2 || (a < 2 && b > 39)) {
    throw new RangeError(`bad object identifier ${dotted}`);
  }
  const out: number[] = [];
  for (const arc of [40 * a + b, ...arcs.slice(2)]) {
    const bytes = [arc % 128];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) bytes.unshift((v % 128) | 0x80);
    out.push(...bytes);
  }
  return Uint8Array.from(out);
}
