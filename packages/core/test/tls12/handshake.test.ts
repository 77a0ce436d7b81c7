/**
 * TLS 1.2 between a memtls client and a memtls server in memory: every suite with every key type it fits and
 * every group, data both ways, what the connection reports.
 */
import { strict as assert } from 'node:assert';
import { TLS12_SUITES } from '#internal/crypto/suites';
import { clientCtx, KEY_KINDS, type KeyKind, pair, serverCtx, transfer } from './helpers.js';

const fits = (auth: string | null, kind: KeyKind) => (auth === 'RSA' ? kind === 'rsa' : kind !== 'rsa');
/** The curve an ECDSA certificate needs in supported_groups (RFC 8422 §5.1). */
const CURVE: Partial<Record<KeyKind, string>> = { 'ec-p256': 'secp256r1', 'ec-p384': 'secp384r1' };
/** The client's groups: `group` first, then the certificate's curve if that is another one. */
const groupsFor = (group: string, kind: KeyKind) => [group, ...(CURVE[kind] && CURVE[kind] !== group ? [CURVE[kind]] : [])];

describe('TLS 1.2 memtls <-> memtls: every suite, key type and group', () => {
  for (const suite of TLS12_SUITES) {
    for (const kind of KEY_KINDS.filter((k) => fits(suite.auth, k))) {
      for (const group of ['x25519', 'secp256r1', 'secp384r1']) {
        it(`${suite.name} with a ${kind} certificate over ${group}`, async () => {
          const p = pair(clientCtx({ maxVersion: 'TLSv1.2', cipherSuites: [suite.name], groups: groupsFor(group, kind) }), serverCtx(kind));
          const r = await p.handshake();
          assert.equal(r.client, 1, p.client.errorReason() ?? '');
          assert.equal(r.server, 1, p.server.errorReason() ?? '');
          for (const s of [p.client, p.server]) {
            assert.equal(s.version(), 'TLSv1.2');
            assert.equal(s.cipher(), suite.name);
            assert.equal(s.group(), group);
          }
          assert.equal(p.client.verifyResult(), 'X509_V_OK');
          const up = new Uint8Array(40000).map((_, i) => i & 0xff);
          assert.deepEqual(await transfer(p, p.client, p.server, up), up);
          const down = new Uint8Array(30000).map((_, i) => (i * 7) & 0xff);
          assert.deepEqual(await transfer(p, p.server, p.client, down), down);
        });
      }
    }
  }

  it('a P-384 key signs and is checked with SHA-256 when the peer lists only ecdsa_secp256r1_sha256 (TLS 1.2 names the hash only)', async () => {
    // RFC 5246 §7.4.1.4.1, RFC 8422 §5.1.1: the server signs ServerKeyExchange with SHA-256 and the client checks it.
    const p = pair(clientCtx({ maxVersion: 'TLSv1.2', sigalgs: ['ecdsa_secp256r1_sha256'] }), serverCtx('ec-p384'));
    const r = await p.handshake();
    assert.equal(r.client, 1, p.client.errorReason() ?? '');
    assert.equal(r.server, 1, p.server.errorReason() ?? '');
    assert.equal(p.client.version(), 'TLSv1.2');
    assert.equal(p.client.verifyResult(), 'X509_V_OK');
  });

  it('TLS 1.3 keeps the curve bound to the hash: the same P-384 server has no scheme for that client', async () => {
    const p = pair(clientCtx({ minVersion: 'TLSv1.3', sigalgs: ['ecdsa_secp256r1_sha256'] }), serverCtx('ec-p384'));
    const r = await p.handshake();
    assert.equal(p.server.getError(r.server), 1);
    assert.equal(p.client.getError(r.client), 1);
  });

  it('an ECDSA certificate whose curve the client does not list is not used: handshake_failure, in words', async () => {
    const p = pair(clientCtx({ maxVersion: 'TLSv1.2', groups: ['x25519'] }), serverCtx('ec-p384'));
    const r = await p.handshake();
    assert.equal(p.server.getError(r.server), 1);
    assert.equal(p.server.lastErrorDetail()?.reason, 'NO_SHARED_CIPHER');
    assert.match(p.server.lastErrorDetail()?.detail ?? '', /curve is not in the client's supported_groups/);
    assert.equal(p.client.errorReason(), 'sslv3 alert handshake failure');
  });
});
