/**
 * Server Name Indication (RFC 6066 §3): the names a client sends and a server accepts.
 *
 * Rules
 * 1. A server name is an ASCII DNS host name: dot-separated labels of letters, digits and hyphens, each 1 to 63
 *    bytes and neither beginning nor ending with a hyphen, at most 253 bytes in all, no trailing dot ("without a
 *    trailing dot", RFC 6066 §3), and a last label that is not all digits. "_" is tolerated inside labels, as in
 *    certificate matching (cert/hostname.ts rule 2) and in rustls, for names in private zones. Everything else is
 *    refused: NUL, CR, LF, "/", spaces and other punctuation, non-ASCII bytes (internationalised names are sent
 *    as A-labels, "xn--..."), empty labels, and IP literals ("Literal IPv4 and IPv6 addresses are not permitted").
 * 2. DNS names are case-insensitive: memtls lowercases them. A client sends the lowercase name; a server's
 *    `serverName()` returns the name it received, lowercased.
 * 3. Client (`new Ssl(ctx, { serverName })`): an IP literal is legitimate (the certificate is checked against its
 *    iPAddress names) but is not sent; one trailing dot is stripped before sending, as browsers do; any other
 *    name breaking rule 1 is a TypeError at construction.
 * 4. Server: the extension must hold a server_name_list of exactly one entry, of type host_name (OpenSSL and
 *    rustls accept nothing else). Broken syntax (a truncated or empty list, an empty name, trailing bytes, two
 *    host_name entries) is decode_error. A well-formed list whose entry has another type, or whose host name
 *    breaks rule 1, is illegal_parameter with reason INVALID_SERVER_NAME ("bad extension", OpenSSL's words), as
 *    rustls does for a name that is not a valid DNS name. (OpenSSL sends unrecognized_name, but only for a NUL
 *    byte or a name over 255 bytes, and passes everything else on to the application.)
 * 5. Error details describe the fault, never the name itself: a hostile name does not reach logs.
 */
import { parseIpAddress } from '../cert/hostname.js';
import { SslError } from '../errors/ssl-error.js';
import { parseServerName } from '../wire/extensions.js';

/** The longest host name (RFC 1035 §2.3.4: 255 bytes on the wire, 253 as text without the trailing dot). */
export const MAX_HOST_NAME = 253;
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** Why a lowercase name without trailing dot is not a host name (rule 1), or null when it is one. */
function hostNameFault(name: string): string | null {
  if (name.length === 0) return 'the name is empty';
  if (name.length > MAX_HOST_NAME) return `the name is ${name.length} bytes long (at most ${MAX_HOST_NAME})`;
  if (/[^\x21-\x7e]/.test(name)) return 'the name holds a byte outside printable ASCII (give internationalised names as A-labels)';
  if (parseIpAddress(name)) return 'the name is an IP literal';
  const labels = name.split('.');
  for (const l of labels) {
    if (l.length === 0) return 'the name has an empty label';
    if (l.length > 63) return `a label is ${l.length} bytes long (at most 63)`;
    if (!LABEL.test(l)) return 'a label holds a character other than a letter, digit, hyphen or underscore, or begins or ends with a hyphen';
  }
  if (/^\d+$/.test(labels[labels.length - 1] as string)) return 'the last label is all digits';
  return null;
}

/** ASCII-only lowercasing: `toLowerCase` would map some non-ASCII letters (the Kelvin sign) to ASCII ones. */
const asciiLower = (s: string): string => s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));

/**
 * The name a client sends in server_name for the `serverName` it was given (rule 3).
 * @param serverName - a host name or an IP literal
 * @returns the host name, lowercase and without a trailing dot; null for an IP literal (not sent)
 * @throws {TypeError} if `serverName` is not a string, or neither a valid DNS host name nor an IP literal
 * @example
 * sniHostName('WWW.Example.com.') // 'www.example.com'
 * sniHostName('192.0.2.1')        // null: checked against the certificate, never sent
 */
export function sniHostName(serverName: string): string | null {
  if (typeof serverName !== 'string') throw new TypeError('serverName must be a string');
  if (parseIpAddress(serverName)) return null;
  const name = asciiLower(serverName.endsWith('.') ? serverName.slice(0, -1) : serverName);
  const fault = hostNameFault(name);
  if (fault !== null) throw new TypeError(`serverName must be a DNS host name or an IP literal: ${fault}`);
  return name;
}

/**
 * The host name a server accepts from a ClientHello's server_name extension (rule 4).
 * @param data - the extension's body
 * @returns the host name, lowercase
 * @throws {SslError} BAD_PACKET (decode_error) for broken syntax; INVALID_SERVER_NAME (illegal_parameter) for a
 *   list that is not one host_name, or a name that is not a DNS host name
 */
export function serverNameFromExtension(data: Uint8Array): string {
  const entries = parseServerName(data);
  const entry = entries[0];
  if (entries.length !== 1 || entry?.type !== 0) {
    throw new SslError('INVALID_SERVER_NAME', { detail: 'the server_name list must hold exactly one host_name entry' });
  }
  const bytes = entry.name;
  if (bytes.length > MAX_HOST_NAME + 1) throw new SslError('INVALID_SERVER_NAME', { detail: `host_name of ${bytes.length} bytes (at most ${MAX_HOST_NAME})` });
  let name = '';
  for (const b of bytes) name += String.fromCharCode(b);
  if (name.endsWith('.')) throw new SslError('INVALID_SERVER_NAME', { detail: 'host_name ends with a dot (RFC 6066 §3)' });
  name = asciiLower(name);
  const fault = hostNameFault(name);
  if (fault !== null) throw new SslError('INVALID_SERVER_NAME', { detail: `host_name is not a DNS host name: ${fault}` });
  return name;
}
