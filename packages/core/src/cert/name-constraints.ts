/**
 * Name constraints (RFC 5280 §4.2.1.10) for the two name forms TLS authenticates: dNSName and iPAddress.
 *
 * Rules:
 * 1. A CA's constraints apply to every certificate below it in the path, except self-issued intermediates
 *    (RFC 5280 §6.1.3 (b)); the leaf is always checked.
 * 2. dNSName: a name satisfies constraint "example.com" when it equals it or ends with ".example.com"
 *    (labels added on the left). A constraint with a leading dot (".example.com", the form OpenSSL and Go
 *    accept) admits subdomains only. An empty constraint admits every name. Comparison is ASCII
 *    case-insensitive.
 * 3. A wildcard SAN "*.R" stands for every one-label expansion: it is permitted only when all expansions
 *    are, and excluded when any expansion is.
 * 4. iPAddress: the SAN address (4 or 16 bytes) is inside a subtree when (address AND mask) equals
 *    (base AND mask) and the lengths agree.
 * 5. When a CA has permitted subtrees of a form, each name of that form must fall inside one of them; names
 *    of a form with no permitted subtrees are unconstrained. Excluded subtrees always apply.
 * 6. Other forms (directoryName, rfc822Name, URI) are not enforced: memtls authenticates servers by
 *    dNSName/iPAddress only and never by the subject DN or its commonName.
 */
import type { GeneralSubtrees, IpSubtree, NameConstraints, SubjectAltName } from './extensions.js';

/** A name-constraints failure, with OpenSSL's code. */
export interface NameConstraintViolation {
  readonly code: 'X509_V_ERR_PERMITTED_VIOLATION' | 'X509_V_ERR_EXCLUDED_VIOLATION';
  readonly detail: string;
}

function dnsWithin(name: string, constraint: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  const c = constraint.toLowerCase();
  if (c === '') return true;
  if (c.startsWith('.')) return n.endsWith(c) && n.length > c.length;
  return n === c || n.endsWith(`.${c}`);
}

/** Whether some one-label expansion of wildcard `name` ("*.R") could fall inside `constraint`. */
function wildcardMayHit(name: string, constraint: string): boolean {
  if (dnsWithin(name, constraint)) return true; // R itself is inside: every expansion is
  const c = constraint.toLowerCase();
  if (c.startsWith('.') || c === '') return false;
  // "y.R": the expansion with label y hits it exactly
  const rest = name.toLowerCase().slice(1);
  return c.endsWith(rest) && !c.slice(0, -rest.length).includes('.') && c.length > rest.length;
}

function ipWithin(address: Uint8Array, subtree: IpSubtree): boolean {
  if (address.length !== subtree.address.length) return false;
  for (let i = 0; i < address.length; i++) {
    const m = subtree.mask[i] as number;
    if (((address[i] as number) & m) !== ((subtree.address[i] as number) & m)) return false;
  }
  return true;
}

function showIp(a: Uint8Array): string {
  if (a.length === 4) return a.join('.');
  const words: string[] = [];
  for (let i = 0; i < a.length; i += 2) words.push((((a[i] as number) << 8) | (a[i + 1] as number)).toString(16));
  return words.join(':');
}

function permittedDns(name: string, permitted: GeneralSubtrees): boolean {
  // "*.R" is permitted when every expansion is; '*' never equals a constraint label, so it stands for "any label".
  return permitted.dns.some((c) => dnsWithin(name, c));
}

/**
 * Check the names of one certificate against one CA's name constraints.
 * @param san the subjectAltName of the certificate below the CA (null: no names to check)
 * @param nc the CA's nameConstraints
 * @returns null when every dNSName and iPAddress satisfies the constraints, else the violation
 */
export function checkNameConstraints(san: SubjectAltName | null, nc: NameConstraints): NameConstraintViolation | null {
  if (san === null) return null;
  for (const name of san.dns) {
    if (nc.excluded) {
      const wild = name.startsWith('*.');
      const hit = nc.excluded.dns.find((c) => (wild ? wildcardMayHit(name, c) : dnsWithin(name, c)));
      if (hit !== undefined) return { code: 'X509_V_ERR_EXCLUDED_VIOLATION', detail: `dNSName ${name} is in excluded subtree "${hit}"` };
    }
    if (nc.permitted && nc.permitted.dns.length > 0 && !permittedDns(name, nc.permitted)) {
      return { code: 'X509_V_ERR_PERMITTED_VIOLATION', detail: `dNSName ${name} is outside the permitted subtrees` };
    }
  }
  for (const ip of san.ip) {
    if (nc.excluded?.ip.some((s) => ipWithin(ip, s))) {
      return { code: 'X509_V_ERR_EXCLUDED_VIOLATION', detail: `iPAddress ${showIp(ip)} is in an excluded subtree` };
    }
    if (nc.permitted && nc.permitted.ip.length > 0 && !nc.permitted.ip.some((s) => ipWithin(ip, s))) {
      return { code: 'X509_V_ERR_PERMITTED_VIOLATION', detail: `iPAddress ${showIp(ip)} is outside the permitted subtrees` };
    }
  }
  return null;
}
