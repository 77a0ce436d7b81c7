/**
 * Distinguished names (RFC 5280 §4.1.2.4): the shape check of a Name, its text for logs and its commonName.
 * A peer chooses these bytes: the text escapes RFC 4514 specials and control characters.
 */
import { ATTRIBUTE_NAMES, OID } from '../der/oids.js';
import { DerError } from '../der/tlv.js';
import { toHex } from '../wire/bytes.js';
import { directoryString, type Node, oid, rawOf, seq, Tag } from './der.js';

/** The DER of a Name, after checking its shape. */
export function nameDer(n: Node, what: string): Uint8Array {
  // Name ::= SEQUENCE OF RelativeDistinguishedName (SET OF AttributeTypeAndValue); shape-checked here.
  for (const rdn of seq(n, what)) {
    const atvs = seq(rdn, `${what} RDN`, Tag.SET);
    if (atvs.length === 0) throw new DerError(`${what}: empty RDN`);
    for (const atv of atvs) {
      const pair = seq(atv, `${what} attribute`);
      if (pair.length !== 2) throw new DerError(`${what}: attribute is not (type, value)`);
      oid(pair[0], `${what} attribute type`);
    }
  }
  return rawOf(n).slice();
}

function attributes(n: Node): Array<[string, Node]> {
  const out: Array<[string, Node]> = [];
  for (const rdn of seq(n, 'name')) {
    for (const atv of seq(rdn, 'rdn', Tag.SET)) {
      const [type, value] = seq(atv, 'attribute') as [Node, Node];
      out.push([oid(type, 'attribute type'), value]);
    }
  }
  return out;
}

/** A Name as text for logs, OpenSSL's one-line style (`CN=x, O=y`), safe to print. */
export function nameText(n: Node): string {
  return attributes(n)
    .map(([type, value]) => {
      const s = directoryString(value);
      const shown = s === null ? `#${toHex(rawOf(value))}` : printable(s);
      return `${ATTRIBUTE_NAMES[type] ?? type}=${shown}`;
    })
    .join(', ');
}

/** Escape RFC 4514 specials and replace control characters, so a peer's name cannot forge log lines. */
function printable(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0) as number;
    if (code < 0x20 || code === 0x7f) out += '?';
    else if ('\\,+=<>#;"'.includes(ch)) out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

/** The last commonName of a Name (what name checks fall back to), or null. */
export function lastCommonName(n: Node): string | null {
  let cn: string | null = null;
  for (const [type, value] of attributes(n)) if (type === OID.commonName) cn = directoryString(value);
  return cn;
}
