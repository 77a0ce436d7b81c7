/**
 * Server Name Indication names (handshake/server-name.ts): what a client may send and a server accepts.
 */
import { strict as assert } from 'node:assert';
import { SslError } from '#internal/errors/ssl-error';
import { serverNameFromExtension, sniHostName } from '#internal/handshake/server-name';

const enc = (s: string): Uint8Array => new Uint8Array([...s].map((c) => c.charCodeAt(0)));
/** A server_name extension body with the given (type, name) entries. */
function ext(...entries: [number, Uint8Array][]): Uint8Array {
  const list: number[] = [];
  for (const [t, n] of entries) list.push(t, n.length >> 8, n.length & 0xff, ...n);
  return new Uint8Array([list.length >> 8, list.length & 0xff, ...list]);
}
const label63 = 'a'.repeat(63);
const name253 = `${label63}.${label63}.${label63}.${'b'.repeat(61)}`;

/** Names no client may send and no server accepts. */
const INVALID: [string, string][] = [
  ['NUL', 'a\0b.example'],
  ['CR LF', 'a.example\r\nHost: evil'],
  ['slash', 'a/b.example'],
  ['space', 'a b.example'],
  ['colon and port', 'example.com:443'],
  ['at sign', 'ab@cd.com'],
  ['percent', 'a%2f.example'],
  ['backslash', 'a\\b.example'],
  ['non-ASCII (U-label)', 'bücher.example'],
  ['Kelvin sign (lowercases to k)', 'ex\u212Aample.com'],
  ['empty label', 'a..example'],
  ['leading dot', '.example.com'],
  ['two trailing dots', 'example.com..'],
  ['leading hyphen', '-a.example'],
  ['trailing hyphen', 'a-.example'],
  ['label of 64', `${'a'.repeat(64)}.example`],
  ['name of 254', `${name253}c`],
  ['all-numeric last label', '1.2.3.04'],
  ['empty', ''],
  ['a lone dot', '.'],
];

describe('handshake server-name (RFC 6066 §3)', () => {
  describe('client: sniHostName(serverName)', () => {
    it('valid host names are sent lowercase, without a trailing dot; underscores are tolerated', () => {
      assert.equal(sniHostName('localhost'), 'localhost');
      assert.equal(sniHostName('WWW.Example.COM'), 'www.example.com');
      assert.equal(sniHostName('www.example.com.'), 'www.example.com');
      assert.equal(sniHostName('xn--bcher-kva.example'), 'xn--bcher-kva.example');
      assert.equal(sniHostName('a-b.c_d.example'), 'a-b.c_d.example');
      assert.equal(sniHostName(`${label63}.example`), `${label63}.example`);
      assert.equal(sniHostName(name253), name253);
      assert.equal(sniHostName(`${name253}.`), name253);
    });

    it('IP literals are legitimate (certificate checks) but never sent: null', () => {
      for (const ip of ['127.0.0.1', '192.0.2.1', '::1', '2001:db8::1', '[2001:db8::1]', '::ffff:192.0.2.1']) assert.equal(sniHostName(ip), null, ip);
    });

    for (const [what, name] of INVALID) {
      it(`refuses ${what} with a TypeError`, () => {
        assert.throws(() => sniHostName(name), TypeError);
      });
    }

    it('the TypeError names the fault, not the name', () => {
      assert.throws(() => sniHostName('evil\r\nname.example'), (e: unknown) => e instanceof TypeError && !e.message.includes('evil') && /printable ASCII/.test(e.message));
    });
  });

  describe('server: serverNameFromExtension(data)', () => {
    const refused = (data: Uint8Array, reason: string, alert: number): void => {
      assert.throws(
        () => serverNameFromExtension(data),
        (e: unknown) => e instanceof SslError && e.reason === reason && e.alert === alert,
      );
    };

    it('one host_name entry: accepted, lowercased', () => {
      assert.equal(serverNameFromExtension(ext([0, enc('Example.COM')])), 'example.com');
      assert.equal(serverNameFromExtension(ext([0, enc(name253)])), name253);
    });

    for (const [what, name] of INVALID.filter(([, n]) => n !== '')) {
      it(`refuses a host_name with ${what}: illegal_parameter`, () => refused(ext([0, enc(name)]), 'INVALID_SERVER_NAME', 47));
    }
    it('refuses a trailing dot (RFC 6066 §3: "without a trailing dot"): illegal_parameter', () => refused(ext([0, enc('example.com.')]), 'INVALID_SERVER_NAME', 47));
    it('refuses an IPv4 literal: illegal_parameter', () => refused(ext([0, enc('192.0.2.1')]), 'INVALID_SERVER_NAME', 47));
    it('refuses an IPv6 literal: illegal_parameter', () => refused(ext([0, enc('2001:db8::1')]), 'INVALID_SERVER_NAME', 47));
    it('refuses raw UTF-8 bytes: illegal_parameter', () => refused(ext([0, new TextEncoder().encode('bücher.example')]), 'INVALID_SERVER_NAME', 47));
    it('refuses an entry of another name_type: illegal_parameter', () => refused(ext([1, enc('example.com')]), 'INVALID_SERVER_NAME', 47));
    it('refuses a host_name plus an entry of another type: illegal_parameter', () => refused(ext([0, enc('example.com')], [7, enc('x')]), 'INVALID_SERVER_NAME', 47));
    it('refuses two host_name entries: decode_error', () => refused(ext([0, enc('a.example')], [0, enc('b.example')]), 'BAD_PACKET', 50));
    it('refuses an empty list, an empty name, a truncated name and trailing bytes: decode_error', () => {
      refused(new Uint8Array([0, 0]), 'BAD_PACKET', 50);
      refused(ext([0, new Uint8Array(0)]), 'BAD_PACKET', 50);
      refused(new Uint8Array([0, 6, 0, 0, 5, 0x61, 0x62, 0x63]), 'BAD_PACKET', 50);
      refused(new Uint8Array([...ext([0, enc('a.example')]), 0]), 'BAD_PACKET', 50);
    });
    it('details never carry the name', () => {
      assert.throws(
        () => serverNameFromExtension(ext([0, enc('evil\r\nname')])),
        (e: unknown) => e instanceof SslError && !(e.detail ?? '').includes('evil') && !e.message.includes('evil'),
      );
    });
  });
});
