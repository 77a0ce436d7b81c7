/**
 * Differential check against `openssl verify` (OpenSSL 3.0 on this machine): for single-fault chains memtls
 * must report the same X509_V_ERR (by OpenSSL's own text) at the same depth. The cases where memtls is
 * deliberately stricter are asserted as differences, so a change on either side shows up here.
 */
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCertificate } from '#internal/cert/certificate';
import { VERIFY_ERROR_STRINGS, verifyCertificateChain } from '#internal/cert/verify';
import { createWebCryptoProvider } from '#internal/crypto/webcrypto';
import { NOW, type Pki, sharedPki } from './pki.js';

const provider = createWebCryptoProvider(globalThis.crypto);

interface Case {
  chain: string[];
  anchor?: string;
  host?: string;
  /** OpenSSL's -verify_depth / memtls's verifyDepth: the most intermediate CA certificates. */
  depth?: number;
}

const SAME: Record<string, Case> = {
  'good EC chain': { chain: ['leafP256', 'int'], host: 'server.test' },
  'intermediates out of order': { chain: ['leafDeep', 'deep1', 'otherRoot', 'deep2'] },
  'RSA-PSS chain': { chain: ['leafRsaPss'], anchor: 'rootRsa' },
  'RSA-PSS key chain': { chain: ['leafPssPss'], anchor: 'rootPssKey' },
  'Ed25519 chain': { chain: ['leafEdChain'], anchor: 'rootEd' },
  expired: { chain: ['leafExpired', 'int'] },
  'not yet valid': { chain: ['leafFuture', 'int'] },
  'expired anchor': { chain: ['leafUnderShort'], anchor: 'shortRoot' },
  'wrong host': { chain: ['leafP256', 'int'], host: 'other.test' },
  'unknown root': { chain: ['otherLeaf', 'otherInt'] },
  'unknown root sent': { chain: ['otherLeaf', 'otherInt', 'otherRoot'] },
  'self-signed leaf': { chain: ['selfLeaf'] },
  'CA:FALSE intermediate': { chain: ['leafUnderNotCa', 'intNotCa'] },
  'intermediate keyUsage without keyCertSign': { chain: ['leafUnderNoKu', 'intNoKu'] },
  'IPv6 address match': { chain: ['leafP256', 'int'], host: '2001:db8::1' },
  'IPv4 address mismatch': { chain: ['leafP256', 'int'], host: '127.0.0.2' },
  'pathLen exceeded': { chain: ['leafUnderPl0', 'intUnderPl0', 'intPl0'] },
  'clientAuth-only leaf': { chain: ['leafClient', 'int'] },
  'clientAuth-only intermediate': { chain: ['leafUnderClient', 'intClient'] },
  'unknown critical extension': { chain: ['leafCrit', 'int'] },
  'permitted subtree violation': { chain: ['leafNcPerm', 'intNc'] },
  'excluded subtree violation': { chain: ['leafNcExcl', 'intNc'] },
  'permitted IP violation': { chain: ['leafNcIp', 'intNc'] },
  // verify depth (OpenSSL 3.0: the leaf and the anchor do not count; too long is error 22 at depth N + 1)
  'two intermediates, verify depth 2': { chain: ['leafDeep', 'deep2', 'deep1'], depth: 2 },
  'two intermediates, verify depth 1': { chain: ['leafDeep', 'deep2', 'deep1'], depth: 1 },
  'two intermediates, verify depth 0': { chain: ['leafDeep', 'deep2', 'deep1'], depth: 0 },
  'one intermediate, verify depth 1': { chain: ['leafP256', 'int'], depth: 1 },
  'one intermediate, verify depth 0': { chain: ['leafP256', 'int'], depth: 0 },
  'leaf issued by the anchor, verify depth 0': { chain: ['leafUnderShort'], anchor: 'shortRoot', depth: 0 },
};

describe('cert/verify against `openssl verify`', () => {
  let pki: Pki;
  before(function () {
    this.timeout(120_000);
    pki = sharedPki();
  });

  /** "OK" or "<error text>@<depth>" from `openssl verify`. */
  function openssl(c: Case): string {
    const [leaf, ...rest] = c.chain;
    const untrusted = join(pki.dir, 'untrusted.pem');
    writeFileSync(untrusted, rest.map((n) => pki.pem(n)).join(''));
    const args = ['verify', '-attime', String(NOW.getTime() / 1000), '-purpose', 'sslserver', '-CAfile', `${c.anchor ?? 'root'}.crt`];
    if (rest.length) args.push('-untrusted', untrusted);
    if (c.host) args.push(/^[\d.]+$|:/.test(c.host) ? '-verify_ip' : '-verify_hostname', c.host);
    if (c.depth !== undefined) args.push('-verify_depth', String(c.depth));
    args.push(`${leaf}.crt`);
    try {
      pki.openssl(args);
      return 'OK';
    } catch (e) {
      const out = String((e as { stderr?: Buffer }).stderr ?? '') + String((e as { stdout?: Buffer }).stdout ?? '');
      const m = /error \d+ at (\d+) depth lookup: (.+)/.exec(out);
      assert.ok(m, `unexpected openssl output: ${out}`);
      return `${m[2]}@${m[1]}`;
    }
  }

  async function memtls(c: Case): Promise<string> {
    const r = await verifyCertificateChain(
      provider,
      c.chain.map((n) => pki.der(n)),
      { anchors: [parseCertificate(pki.der(c.anchor ?? 'root'))], now: NOW, purpose: 'serverAuth', ...(c.host ? { hostname: c.host } : {}), ...(c.depth !== undefined ? { verifyDepth: c.depth } : {}) },
    );
    return r.ok ? 'OK' : `${VERIFY_ERROR_STRINGS[r.code]}@${r.depth}`;
  }

  for (const [name, c] of Object.entries(SAME)) {
    it(`agrees: ${name}`, async () => {
      assert.equal(await memtls(c), openssl(c));
    });
  }

  it('differs by design: memtls backtracks to another copy of a cross-signed CA (OpenSSL keeps the first)', async () => {
    const c = { chain: ['leafCross', 'crossA', 'crossOld', 'crossB'] };
    assert.equal(openssl(c), 'unable to get local issuer certificate@1');
    assert.equal(await memtls(c), 'OK');
  });

  it('differs by design: no commonName fallback (OpenSSL 3.0 matches the CN when there is no dNSName)', async () => {
    const c = { chain: ['leafCn', 'int'], host: 'cn-only.test' };
    assert.equal(openssl(c), 'OK');
    assert.equal(await memtls(c), 'hostname mismatch@0');
  });

  it('differs by design: a TLS 1.3 leaf must allow digitalSignature (OpenSSL also accepts keyEncipherment)', async () => {
    const c = { chain: ['leafNoDs', 'int'] };
    assert.equal(openssl(c), 'OK');
    assert.equal(await memtls(c), 'unsuitable certificate purpose@0');
  });
});
