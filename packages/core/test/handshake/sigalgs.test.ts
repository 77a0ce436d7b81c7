/**
 * The signature algorithm list of a context (handshake/signature.ts, OpenSSL's SSL_CTX_set1_sigalgs_list):
 * OpenSSL names (`ECDSA+SHA256`, `RSA-PSS+SHA512`, `PSS+SHA384`) and IANA names, in the order given. The
 * RangeErrors of bad lists are checked end to end in test/trust/depth-sigalgs.test.ts.
 */
import { strict as assert } from 'node:assert';
import { parseSigalgs } from '#internal/handshake/signature';

describe('sigalgs: parseSigalgs', () => {
  it('OpenSSL and IANA names, in order', () => {
    assert.deepEqual(parseSigalgs('ECDSA+SHA256:rsa_pss_rsae_sha256:ed25519:SHA384+ECDSA:RSA-PSS+SHA512:PSS+SHA384'), [0x0403, 0x0804, 0x0807, 0x0503, 0x0806, 0x0805]);
    assert.deepEqual(parseSigalgs(['RSA+SHA256', 'ecdsa_secp256r1_sha256']), [0x0401, 0x0403]);
  });
});
