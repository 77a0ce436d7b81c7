/**
 * `getPeerCertificate()` in the shape Node's `tls.TLSSocket` returns, built from the DER the core hands
 * out (`Ssl.peerCertificates()`), decoded with `node:crypto.X509Certificate` (this package is Node-only;
 * the core stays free of `node:` imports).
 */
import { X509Certificate } from 'node:crypto';

/** A distinguished name as Node shows it: attribute → value (an array when an attribute repeats). */
export type DistinguishedName = Record<string, string | string[]>;

/** The peer's certificate in the shape of Node's `tls.TLSSocket.getPeerCertificate()`. */
export interface PeerCertificate {
  /** The certificate as DER. */
  raw: Buffer;
  /** The subject name. */
  subject: DistinguishedName;
  /** The issuer name. */
  issuer: DistinguishedName;
  /** e.g. `DNS:localhost, IP Address:127.0.0.1` (Node's format). */
  subjectaltname?: string;
  /** e.g. `Nov 24 20:09:00 2025 GMT`. */
  valid_from: string;
  /** End of the validity period, in the same format. */
  valid_to: string;
  /** Upper-case hex. */
  serialNumber: string;
  /** `AB:CD:...` (SHA-1, SHA-256, SHA-512 of the DER). */
  fingerprint: string;
  /** SHA-256 fingerprint, `AB:CD:...`. */
  fingerprint256: string;
  /** SHA-512 fingerprint, `AB:CD:...`. */
  fingerprint512: string;
  /** The public key as SPKI DER. */
  pubkey: Buffer;
  /** True when basicConstraints says this is a CA. */
  ca: boolean;
  /** With `getPeerCertificate(true)`: the issuer's certificate up the verified chain (itself for a root). */
  issuerCertificate?: PeerCertificate;
}

/** Parse `CN=a\nO=b` (X509Certificate's multi-line form) into an object. */
export function parseDistinguishedName(text: string): DistinguishedName {
  const out: DistinguishedName = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const k = line.slice(0, eq);
    const v = line.slice(eq + 1);
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else out[k] = Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** Decode one DER certificate. */
export function describeCertificate(der: Uint8Array): PeerCertificate {
  const raw = Buffer.from(der);
  const x = new X509Certificate(raw);
  const cert: PeerCertificate = {
    raw,
    subject: parseDistinguishedName(x.subject),
    issuer: parseDistinguishedName(x.issuer),
    valid_from: x.validFrom,
    valid_to: x.validTo,
    serialNumber: x.serialNumber.toUpperCase(),
    fingerprint: x.fingerprint,
    fingerprint256: x.fingerprint256,
    fingerprint512: x.fingerprint512,
    pubkey: x.publicKey.export({ type: 'spki', format: 'der' }),
    ca: x.ca,
  };
  if (x.subjectAltName !== undefined) cert.subjectaltname = x.subjectAltName;
  return cert;
}

/**
 * Node's `getPeerCertificate(detailed)`, except that it returns `null` (Node: `{}`) when the peer sent no
 * certificate. With `detailed`, `issuerCertificate` links the verified path (`verified`, leaf first, from
 * `Ssl.verifiedChain()`) up to the trust anchor, also when the peer did not send it; without a verified path,
 * the chain as the peer sent it. The last certificate links to itself when it issued itself (a root), as in Node.
 */
export function peerCertificateFromChain(chain: readonly Uint8Array[], detailed: boolean, verified: readonly Uint8Array[] = []): PeerCertificate | null {
  const leaf = chain[0];
  if (leaf === undefined) return null;
  if (!detailed) return describeCertificate(leaf);
  const path = verified.length > 0 ? verified : chain;
  const certs = path.map((der) => describeCertificate(der));
  for (let i = 0; i + 1 < certs.length; i++) (certs[i] as PeerCertificate).issuerCertificate = certs[i + 1] as PeerCertificate;
  const last = certs[certs.length - 1] as PeerCertificate;
  const x = new X509Certificate(last.raw);
  if (x.checkIssued(x)) last.issuerCertificate = last;
  return certs[0] as PeerCertificate;
}
