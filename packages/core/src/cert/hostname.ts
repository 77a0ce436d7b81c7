/**
 * Server identity check (RFC 9525, which obsoletes RFC 6125) of a reference identifier against the leaf's
 * subjectAltName.
 *
 * Rules:
 * 1. An IP literal reference (IPv4 dotted quad, or IPv6 text, optionally in brackets) matches iPAddress SAN
 *    entries only, byte for byte; it never matches a dNSName (RFC 9525 §6.4 / §7.1).
 * 2. Any other reference must be an ASCII DNS name (LDH labels; "_" tolerated). Internationalised names must
 *    be given as A-labels ("xn--..."): a non-ASCII reference never matches (RFC 9525 §6.3). Comparison is
 *    ASCII case-insensitive; one trailing dot is ignored on both sides.
 * 3. A wildcard is honoured only as the complete left-most label ("*.example.com"), matches exactly one
 *    non-empty label, and never when the rest has fewer than two labels ("*.com", "*.local"). Partial
 *    wildcards ("a*.example.com", "*a.example.com") and wildcards elsewhere ("a.*.example.com") never match.
 *    There is no public suffix list: "*.co.uk" is honoured (the CA is trusted not to issue it).
 * 4. No fallback to the subject commonName, ever (RFC 9525 §6.2 forbids it): a certificate without a
 *    subjectAltName matches no reference identifier.
 */
import type { SubjectAltName } from './extensions.js';

/** The outcome of a host name check, with OpenSSL's verification error code on failure. */
export type HostnameCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: 'X509_V_ERR_HOSTNAME_MISMATCH' | 'X509_V_ERR_IP_ADDRESS_MISMATCH'; readonly detail: string };

/**
 * Parse an IP literal: IPv4 "a.b.c.d" (decimal, no leading zeros) or IPv6 (RFC 4291 §2.2 text forms,
 * including "::" and a trailing dotted quad, optionally in brackets; zone identifiers are refused).
 * @returns 4 or 16 bytes, or null when `s` is not an IP literal
 */
export function parseIpAddress(s: string): Uint8Array | null {
  const v4 = parseIpv4(s);
  if (v4) return v4;
  const inner = s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s;
  return parseIpv6(inner);
}

function parseIpv4(s: string): Uint8Array | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = m[i + 1] as string;
    if (part.length > 1 && part.startsWith('0')) return null; // ambiguous (octal in inet_aton)
    const v = Number(part);
    if (v > 255) return null;
    out[i] = v;
  }
  return out;
}

function parseIpv6(s: string): Uint8Array | null {
  if (!s.includes(':') || !/^[0-9A-Fa-f:.]+$/.test(s)) return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const parseGroups = (part: string, allowV4Tail: boolean): number[] | null => {
    if (part === '') return [];
    const groups = part.split(':');
    const out: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i] as string;
      if (allowV4Tail && i === groups.length - 1 && g.includes('.')) {
        const v4 = parseIpv4(g);
        if (!v4) return null;
        out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
      } else {
        if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return null;
        out.push(Number.parseInt(g, 16));
      }
    }
    return out;
  };
  const head = parseGroups(halves[0] as string, halves.length === 1);
  const tail = halves.length === 2 ? parseGroups(halves[1] as string, true) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const words = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/** Normalise a reference DNS name (rule 2), or null when it is not an ASCII DNS name. */
function normaliseReference(name: string): string | null {
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  if (n.length === 0 || n.length > 253) return null;
  const labels = n.split('.');
  for (const l of labels) if (!/^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/.test(l)) return null;
  // RFC 3696 §2: a top-level label is never all-numeric, so "1.2.3.04" is neither an IP literal nor a host name.
  if (/^\d+$/.test(labels[labels.length - 1] as string)) return null;
  return n.toLowerCase();
}

/**
 * Match one presented dNSName against a normalised reference name (rule 3).
 * @param presented a dNSName from the certificate
 * @param reference a lower-case ASCII DNS name without trailing dot
 */
export function matchDnsName(presented: string, reference: string): boolean {
  let p = presented.toLowerCase();
  if (p.endsWith('.')) p = p.slice(0, -1);
  if (p.length === 0 || !/^[a-z0-9_.*-]+$/.test(p) || p.split('.').some((l) => l.length === 0)) return false;
  if (!p.includes('*')) return p === reference;
  if (!p.startsWith('*.')) return false;
  const rest = p.slice(2);
  if (rest.includes('*') || !rest.includes('.')) return false;
  const dot = reference.indexOf('.');
  if (dot <= 0) return false;
  return reference.slice(dot + 1) === rest;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const noSan = 'the certificate has no subjectAltName (memtls never falls back to the subject commonName: RFC 9525 §6.2)';

/**
 * Check `reference` (a host name or IP literal) against a certificate's subjectAltName.
 * @param san the leaf's subjectAltName, or null when it has none
 * @param reference what the application connected to (SNI host name or IP literal)
 * @returns `{ ok: true }`, or the OpenSSL error code and a detail in words
 * @example checkHostname(leaf.subjectAltName, 'a.example.com') // { ok: true } for "*.example.com"
 */
export function checkHostname(san: SubjectAltName | null, reference: string): HostnameCheck {
  const ip = parseIpAddress(reference);
  if (ip) {
    if (san?.ip.some((a) => sameBytes(a, ip))) return { ok: true };
    return {
      ok: false,
      code: 'X509_V_ERR_IP_ADDRESS_MISMATCH',
      detail: san ? `IP address ${reference} is not among the certificate's iPAddress names` : noSan,
    };
  }
  const ref = normaliseReference(reference);
  if (ref === null) {
    return {
      ok: false,
      code: 'X509_V_ERR_HOSTNAME_MISMATCH',
      detail: 'the reference host name is not an ASCII DNS name (give internationalised names as A-labels)',
    };
  }
  if (san?.dns.some((d) => matchDnsName(d, ref))) return { ok: true };
  return {
    ok: false,
    code: 'X509_V_ERR_HOSTNAME_MISMATCH',
    detail: san ? `host name ${ref} matches none of the certificate's dNSName entries` : noSan,
  };
}
