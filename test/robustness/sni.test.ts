/**
 * Server Name Indication from a hostile peer (RFC 6066 §3; rules in packages/core/src/handshake/server-name.ts):
 * a server refuses a server_name that is not one DNS host name with an alert, and such a name never reaches
 * serverName(); a client refuses to be given one (TypeError) and sends host names lowercase, without a trailing
 * dot, and never an IP literal.
 */
process.env.MEMTLS_INSECURE_TEST_CRYPTO = '1';

import { strict as assert } from 'node:assert';
import { MemoryBio, SSL_ERROR_WANT_READ, Ssl } from '@memtls/core';
import { AL, ascii, CT, concat, EXT, encodeHello, findExt, type Hello, HT, parseHello, parseRecords, record, splitMessages, vec16 } from '@memtls/fast-check';
import { makeContexts } from '../fuzz/kit.js';
import { Link } from '../util/link.js';
import { assertFailed, drain } from './helpers.js';

/** The ClientHello a client sends first, parsed. */
async function helloOf(ssl: Ssl, out: { read(b: Uint8Array): number; pending(): number }): Promise<Hello> {
  assert.equal(ssl.getError(await ssl.doHandshake()), SSL_ERROR_WANT_READ);
  const bytes = new Uint8Array(out.pending());
  out.read(bytes);
  const msg = splitMessages(parseRecords(bytes).records[0]?.body ?? new Uint8Array(0)).msgs[0];
  assert.equal(msg?.type, HT.CLIENT_HELLO);
  return parseHello(msg?.body ?? new Uint8Array(0), true);
}

/** server_name extension data with one entry of `type`. */
const sniExt = (name: Uint8Array, type = 0): Uint8Array => vec16(concat(new Uint8Array([type]), vec16(name)));

describe('robustness: server_name (SNI)', function () {
  this.timeout(60000);

  const hostile: [string, Uint8Array, number?][] = [
    ['a NUL byte', ascii('a\0b.example')],
    ['CR LF (header injection)', ascii('a.example\r\nX-Evil: 1')],
    ['a slash (path injection)', ascii('../../etc/passwd')],
    ['an IPv4 literal', ascii('127.0.0.1')],
    ['a trailing dot', ascii('localhost.')],
    ['a label of 64 bytes', ascii(`${'a'.repeat(64)}.example`)],
    ['a name of 254 bytes', ascii(`${'a.'.repeat(126)}bc`)],
    ['raw UTF-8', new TextEncoder().encode('bücher.example')],
    ['a name_type other than host_name', ascii('localhost'), 1],
  ];
  for (const [what, name, type] of hostile) {
    it(`server: a host_name with ${what} is illegal_parameter ("bad extension"), and serverName() stays null`, async () => {
      const { cctx, sctx } = makeContexts({ crypto: 'real' });
      const link = new Link(cctx, sctx);
      const hello = await helloOf(link.client, link.clientOut);
      hello.extensions = hello.extensions.map((e) => (e.type === EXT.SERVER_NAME ? { type: e.type, data: sniExt(name, type) } : e));
      link.serverIn.write(record(CT.HANDSHAKE, encodeHello(hello, true), 0x0301));
      const r = await link.server.doHandshake();
      assertFailed(link.server, r, { reason: 'bad extension', alert: AL.ILLEGAL_PARAMETER, code: 'INVALID_SERVER_NAME', wrote: drain(link.serverOut) });
      assert.equal(link.server.serverName(), null);
    });
  }

  it('server: two host_name entries are decode_error', async () => {
    const { cctx, sctx } = makeContexts({ crypto: 'real' });
    const link = new Link(cctx, sctx);
    const hello = await helloOf(link.client, link.clientOut);
    const two = vec16(concat(new Uint8Array([0]), vec16(ascii('a.example')), new Uint8Array([0]), vec16(ascii('b.example'))));
    hello.extensions = hello.extensions.map((e) => (e.type === EXT.SERVER_NAME ? { type: e.type, data: two } : e));
    link.serverIn.write(record(CT.HANDSHAKE, encodeHello(hello, true), 0x0301));
    const r = await link.server.doHandshake();
    assertFailed(link.server, r, { reason: 'bad packet', alert: AL.DECODE_ERROR, wrote: drain(link.serverOut) });
  });

  it('server: an upper-case host name is accepted and folded to lower case', async () => {
    const { cctx, sctx } = makeContexts({ crypto: 'real' });
    const link = new Link(cctx, sctx);
    const hello = await helloOf(link.client, link.clientOut);
    hello.extensions = hello.extensions.map((e) => (e.type === EXT.SERVER_NAME ? { type: e.type, data: sniExt(ascii('LocalHost')) } : e));
    link.serverIn.write(record(CT.HANDSHAKE, encodeHello(hello, true), 0x0301));
    assert.equal(link.server.getError(await link.server.doHandshake()), SSL_ERROR_WANT_READ, `${link.server.errorReason()}`);
    assert.equal(link.server.serverName(), 'localhost');
  });

  it('client: a serverName that is neither a host name nor an IP literal is a TypeError at new Ssl()', () => {
    const { cctx } = makeContexts({ crypto: 'real' });
    for (const bad of ['a\0b', 'evil\r\nname', 'a/b', 'a b', '', '.', 'a..b', 'bücher.example', 'example.com:443', `${'a'.repeat(64)}.x`]) {
      assert.throws(() => new Ssl(cctx, { serverName: bad }), TypeError, JSON.stringify(bad));
    }
    // The context is untouched: a valid name still works.
    assert.ok(new Ssl(cctx, { serverName: 'localhost' }));
  });

  it('client: sends the name lowercase without a trailing dot, and no server_name for an IP literal', async () => {
    const { cctx } = makeContexts({ crypto: 'real', client: { verifyPeer: false } });
    const sent = async (serverName: string): Promise<string | null> => {
      const out = new MemoryBio();
      const ssl = new Ssl(cctx, { serverName });
      ssl.setBio(new MemoryBio(), out);
      const ext = findExt(await helloOf(ssl, out), EXT.SERVER_NAME);
      return ext ? new TextDecoder().decode(ext.data.subarray(5)) : null;
    };
    assert.equal(await sent('WWW.Example.COM.'), 'www.example.com');
    assert.equal(await sent('localhost'), 'localhost');
    assert.equal(await sent('127.0.0.1'), null);
    assert.equal(await sent('::1'), null);
    assert.equal(await sent('[2001:db8::1]'), null);
  });
});
