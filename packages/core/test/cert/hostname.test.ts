import { strict as assert } from 'node:assert';
import type { SubjectAltName } from '#internal/cert/extensions';
import { checkHostname, matchDnsName, parseIpAddress } from '#internal/cert/hostname';
import { checkNameConstraints } from '#internal/cert/name-constraints';

const hex = (b: Uint8Array | null): string | null => (b ? Buffer.from(b).toString('hex') : null);
const san = (dns: string[], ip: number[][] = []): SubjectAltName => ({ dns, ip: ip.map((a) => new Uint8Array(a)), otherCount: 0 });

describe('cert/hostname (RFC 9525)', () => {
  it('wildcards: only a complete left-most label, exactly one label, never on two-label names', () => {
    const table: Array<[string, string, boolean]> = [
      ['*.example.com', 'a.example.com', true],
      ['*.EXAMPLE.com', 'xn--bcher-kva.example.com', true],
      ['*.example.com', 'a.b.example.com', false],
      ['*.example.com', 'example.com', false],
      ['*.example.com', '.example.com', false],
      ['a*.example.com', 'ab.example.com', false],
      ['*a.example.com', 'ba.example.com', false],
      ['a.*.example.com', 'a.b.example.com', false],
      ['*.com', 'example.com', false],
      ['*', 'localhost', false],
      ['**.example.com', 'a.example.com', false],
      ['example.com.', 'example.com', true],
      ['Example.COM', 'example.com', true],
      ['exa mple.com', 'exa mple.com', false],
    ];
    for (const [presented, reference, expected] of table) {
      assert.equal(matchDnsName(presented, reference), expected, `${presented} vs ${reference}`);
    }
  });

  it('parses IPv4 and IPv6 literals strictly', () => {
    assert.equal(hex(parseIpAddress('192.0.2.1')), 'c0000201');
    assert.equal(hex(parseIpAddress('::1')), '00000000000000000000000000000001');
    assert.equal(hex(parseIpAddress('[2001:db8::]')), '20010db8000000000000000000000000');
    assert.equal(hex(parseIpAddress('::ffff:192.0.2.1')), '00000000000000000000ffffc0000201');
    assert.equal(hex(parseIpAddress('1:2:3:4:5:6:7:8')), '00010002000300040005000600070008');
    for (const bad of ['192.0.2', '192.0.2.256', '192.0.2.01', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', 'fe80::1%eth0', '12345::', 'example.com', '']) {
      assert.equal(parseIpAddress(bad), null, bad);
    }
  });

  it('IP references match iPAddress entries only; DNS references never match iPAddress entries', () => {
    assert.deepEqual(checkHostname(san(['192.0.2.1'], [[192, 0, 2, 1]]), '192.0.2.1'), { ok: true });
    const r = checkHostname(san(['192.0.2.1']), '192.0.2.1');
    assert.equal(r.ok ? null : r.code, 'X509_V_ERR_IP_ADDRESS_MISMATCH');
    assert.equal(checkHostname(san([], [[127, 0, 0, 1]]), 'localhost').ok, false);
  });

  it('never falls back to the commonName, and rejects non-ASCII and malformed references', () => {
    const none = checkHostname(null, 'example.com');
    assert.ok(!none.ok && /commonName/.test(none.detail));
    for (const ref of ['bücher.example', 'a..b', '-a.example', 'a.example-', '1.2.3.04', `${'a'.repeat(64)}.example`]) {
      const r = checkHostname(san(['*.example', ref]), ref);
      assert.ok(!r.ok && r.code === 'X509_V_ERR_HOSTNAME_MISMATCH', ref);
    }
    assert.ok(checkHostname(san(['xn--bcher-kva.example']), 'XN--BCHER-KVA.example').ok);
  });
});

describe('cert/name-constraints', () => {
  const nc = {
    permitted: { dns: ['example.com', '.sub.test'], ip: [{ address: new Uint8Array([10, 0, 0, 0]), mask: new Uint8Array([255, 0, 0, 0]) }], otherCount: 0 },
    excluded: { dns: ['bad.example.com'], ip: [], otherCount: 0 },
  };
  const code = (s: SubjectAltName): string | undefined => checkNameConstraints(s, nc)?.code;

  it('dNSName subtrees add labels on the left; a leading dot means subdomains only', () => {
    assert.equal(code(san(['example.com', 'www.example.com', 'a.sub.test'])), undefined);
    assert.equal(code(san(['badexample.com'])), 'X509_V_ERR_PERMITTED_VIOLATION');
    assert.equal(code(san(['sub.test'])), 'X509_V_ERR_PERMITTED_VIOLATION');
    assert.equal(code(san(['x.bad.example.com'])), 'X509_V_ERR_EXCLUDED_VIOLATION');
  });

  it('wildcard SANs: excluded when any expansion is, permitted only when every expansion is', () => {
    assert.equal(code(san(['*.example.com'])), 'X509_V_ERR_EXCLUDED_VIOLATION'); // could be bad.example.com
    assert.equal(code(san(['*.sub.test'])), undefined);
    assert.equal(checkNameConstraints(san(['*.example.org']), { permitted: { dns: ['a.example.org'], ip: [], otherCount: 0 }, excluded: null })?.code, 'X509_V_ERR_PERMITTED_VIOLATION');
  });

  it('iPAddress subtrees compare under the mask and never across address families', () => {
    assert.equal(code(san(['example.com'], [[10, 200, 1, 1]])), undefined);
    assert.equal(code(san(['example.com'], [[11, 0, 0, 1]])), 'X509_V_ERR_PERMITTED_VIOLATION');
    assert.equal(code(san(['example.com'], [new Array(16).fill(0)])), 'X509_V_ERR_PERMITTED_VIOLATION');
  });
});
