/**
 * PEM (RFC 7468) text to DER blocks. Text outside the blocks (OpenSSL's "subject=..." lines, comments,
 * blank lines) is ignored, as RFC 7468 §2 allows. Every input here is local configuration, so problems are
 * TypeErrors (API misuse), never SslErrors.
 */
import { fromBase64 } from '../wire/bytes.js';

/** One PEM block: its label ("CERTIFICATE", "PRIVATE KEY", ...) and its decoded contents. */
export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

const BLOCK = /-----BEGIN ([A-Z0-9][A-Z0-9 ]*)-----\r?\n([\s\S]*?)-----END ([A-Z0-9][A-Z0-9 ]*)-----/g;

/**
 * Every PEM block in `text`, in order.
 * @param text PEM text, possibly with several blocks and arbitrary text between them
 * @throws TypeError for an unterminated block, mismatched BEGIN/END labels, bad base64, or RFC 1421
 *   encapsulated headers (legacy encrypted keys)
 * @example parsePem(fs.readFileSync('chain.pem', 'utf8')).map((b) => b.label) // ['CERTIFICATE', 'CERTIFICATE']
 */
export function parsePem(text: string): PemBlock[] {
  if (typeof text !== 'string') throw new TypeError('PEM input must be a string');
  const blocks: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const [, label, body, endLabel] = m as unknown as [string, string, string, string];
    if (label !== endLabel) throw new TypeError(`PEM block "BEGIN ${label}" ends with "END ${endLabel}"`);
    if (/^[A-Za-z-]+:/m.test(body)) {
      throw new TypeError(
        `PEM block "${label}" has encapsulated headers (a legacy encrypted key?); ` +
          'decrypt it first, e.g. `openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem`',
      );
    }
    let der: Uint8Array;
    try {
      der = fromBase64(body);
    } catch {
      throw new TypeError(`PEM block "${label}" is not valid base64`);
    }
    if (der.length === 0) throw new TypeError(`PEM block "${label}" is empty`);
    blocks.push({ label, der });
  }
  const begins = text.match(/-----BEGIN /g)?.length ?? 0;
  if (begins !== blocks.length) throw new TypeError('PEM text has an unterminated or malformed block');
  return blocks;
}

/**
 * The DER of every "CERTIFICATE" block in `pem` (a string or several), in order; other blocks are skipped.
 * @throws TypeError when there is no certificate at all, or the PEM is malformed
 */
export function certificatesFromPem(pem: string | readonly string[]): Uint8Array[] {
  const texts = typeof pem === 'string' ? [pem] : pem;
  const out: Uint8Array[] = [];
  for (const t of texts) for (const b of parsePem(t)) if (b.label === 'CERTIFICATE') out.push(b.der);
  if (out.length === 0) throw new TypeError('no "BEGIN CERTIFICATE" block found in the PEM input');
  return out;
}
