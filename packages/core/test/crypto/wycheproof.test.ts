/**
 * Wycheproof known-answer tests through the WebCrypto provider, for every algorithm the engine uses, against
 * both WebCrypto objects. One `it` per (file x provider): it checks every selected vector, asserts the exact
 * number checked, and lists failures by tcId.
 *
 * Selection rules (stated, not by tcId):
 * - AES-GCM: 128/256-bit keys, 96-bit IVs, 128-bit tags (TLS 1.3 uses nothing else; the provider rejects the rest).
 * - ChaCha20-Poly1305: all vectors; those with a nonce other than 96 bits (RFC 8439 §2.8) must be refused with a
 *   RangeError by seal and open alike (a programmer error: TLS record nonces are 12 bytes).
 * - HMAC: full-length tags only (TLS never truncates HMAC).
 * - Everything else: all vectors of the file.
 * Outcomes: valid -> the expected value / true; invalid -> null / false / rejection; acceptable -> either the
 * expected value or the failure outcome (never a different value). RFC 8446 adds two rules over Wycheproof:
 * an all-zero X25519 shared secret must give null (§7.4.2), and a NIST key_share that is not an uncompressed
 * point must give null (§4.2.8.2); Wycheproof marks those cases "acceptable" or "invalid", so both fit.
 */
import { strict as assert } from 'node:assert';
import { createECDH } from 'node:crypto';
import type { GroupName, HashName, KeyShare, SignatureSchemeName } from '#internal/crypto/provider';
import { importKeyShare } from '#internal/crypto/webcrypto';
import { concat, equalBytes, fromHex, toHex } from '#internal/wire/bytes';
import { loadWycheproof, type NamedProvider, num, PROVIDERS, str, Tally, type WycheproofTest } from './helpers.js';

/** Checks one vector: whether the provider's outcome is allowed, plus a detail for the failure report. */
type Check = (group: Readonly<Record<string, unknown>>, t: WycheproofTest) => Promise<readonly [boolean, string?]>;
type GroupFilter = (group: Readonly<Record<string, unknown>>) => boolean;
/** A runner gets the provider and returns the vector filter and check (the check may cache per run). */
type Runner = (np: NamedProvider) => { keep?: GroupFilter; check: Check };

/** Run every selected vector of `file`, concurrently (native WebCrypto works on the libuv thread pool). */
async function runFile(file: string, np: NamedProvider, runner: Runner, tally: Tally): Promise<void> {
  const { keep = () => true, check } = runner(np);
  const work: Promise<void>[] = [];
  for (const group of loadWycheproof(file).testGroups) {
    if (!keep(group)) continue;
    for (const t of group.tests) {
      work.push(check(group, t).then(([ok, detail]) => tally.check(t, ok, detail)));
    }
  }
  await Promise.all(work);
}

/** Acceptable outcomes: `ok` when the result matched, `failed` when the provider refused. */
function outcome(t: WycheproofTest, ok: boolean, failed: boolean): boolean {
  if (t.result === 'valid') return ok;
  if (t.result === 'invalid') return failed;
  return ok || failed;
}

const show = (b: Uint8Array | null): string => (b === null ? 'null' : toHex(b));

const aesGcm: Runner = ({ provider }) => ({
  keep: (g) => num(g, 'ivSize') === 96 && num(g, 'tagSize') === 128 && (num(g, 'keySize') === 128 || num(g, 'keySize') === 256),
  async check(group, t) {
    const key = await provider.importAeadKey(num(group, 'keySize') === 128 ? 'AES-128-GCM' : 'AES-256-GCM', fromHex(str(t, 'key')));
    const [iv, aad, msg] = [fromHex(str(t, 'iv')), fromHex(str(t, 'aad')), fromHex(str(t, 'msg'))];
    const sealed = concat(fromHex(str(t, 'ct')), fromHex(str(t, 'tag')));
    const opened = await key.open(iv, aad, sealed);
    if (t.result === 'invalid') return [opened === null, 'open accepted a bad ciphertext'];
    const ours = await key.seal(iv, aad, msg);
    return [opened !== null && equalBytes(opened, msg) && equalBytes(ours, sealed), `opened ${show(opened)}, sealed ${show(ours)}`];
  },
});

const chacha20Poly1305: Runner = ({ provider }) => ({
  async check(_group, t) {
    const key = await provider.importAeadKey('CHACHA20-POLY1305', fromHex(str(t, 'key')));
    const [iv, aad, msg] = [fromHex(str(t, 'iv')), fromHex(str(t, 'aad')), fromHex(str(t, 'msg'))];
    const sealed = concat(fromHex(str(t, 'ct')), fromHex(str(t, 'tag')));
    if (iv.length !== 12) {
      const refused = (p: Promise<unknown>) => p.then(() => false, (e: unknown) => e instanceof RangeError);
      return [(await refused(key.open(iv, aad, sealed))) && (await refused(key.seal(iv, aad, msg))), `a ${iv.length}-byte nonce was not refused`];
    }
    const opened = await key.open(iv, aad, sealed);
    if (t.result === 'invalid') return [opened === null, 'open accepted a bad ciphertext'];
    const ours = await key.seal(iv, aad, msg);
    return [opened !== null && equalBytes(opened, msg) && equalBytes(ours, sealed), `opened ${show(opened)}, sealed ${show(ours)}`];
  },
});

const x25519: Runner = ({ crypto }) => ({
  async check(_group, t) {
    const share = await importKeyShare(crypto, 'x25519', fromHex(str(t, 'private')));
    const secret = await share.deriveSecret(fromHex(str(t, 'public')));
    const expected = str(t, 'shared');
    // RFC 8446 §7.4.2: an all-zero shared secret must be refused, whatever Wycheproof allows.
    if (/^0+$/.test(expected)) return [secret === null, `all-zero secret not refused: ${show(secret)}`];
    return [outcome(t, secret !== null && toHex(secret) === expected, secret === null), show(secret)];
  },
});

/** Wycheproof ECDH private keys are big-endian integers of any width: fit them to the field size. */
function scalar(hex: string, size: number): Uint8Array {
  const b = fromHex(hex);
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  assert.ok(b.length - i <= size, 'private key wider than the field');
  const out = new Uint8Array(size);
  out.set(b.subarray(i), size - (b.length - i));
  return out;
}

function ecdh(group: GroupName, nodeCurve: string, size: number): Runner {
  return ({ crypto }) => {
    // Few distinct private keys serve many vectors: import each once (P-384 imports are slow).
    const shares = new Map<string, Promise<KeyShare>>();
    const shareFor = (priv: Uint8Array): Promise<KeyShare> => {
      const id = toHex(priv);
      let share = shares.get(id);
      if (share === undefined) {
        // Our own public key plays no part in ECDH; @peculiar/webcrypto cannot derive it, so node:crypto does.
        const ecdhNode = createECDH(nodeCurve);
        ecdhNode.setPrivateKey(priv);
        share = importKeyShare(crypto, group, priv, new Uint8Array(ecdhNode.getPublicKey()));
        shares.set(id, share);
      }
      return share;
    };
    return {
      async check(_group, t) {
        const share = await shareFor(scalar(str(t, 'private'), size));
        const secret = await share.deriveSecret(fromHex(str(t, 'public')));
        return [outcome(t, secret !== null && toHex(secret) === str(t, 'shared'), secret === null), show(secret)];
      },
    };
  };
}

function signatures(scheme: SignatureSchemeName, keep: GroupFilter): Runner {
  return ({ provider }) => ({
    keep,
    async check(group, t) {
      const spki = fromHex(str(group, 'publicKeyDer'));
      const ok = await provider.verify(scheme, spki, fromHex(str(t, 'msg')), fromHex(str(t, 'sig')));
      return [outcome(t, ok, !ok), `verify returned ${ok}`];
    },
  });
}

function hkdf(hash: HashName): Runner {
  return ({ provider }) => ({
    async check(_group, t) {
      const run = async () => {
        const prk = await provider.hkdfExtract(hash, fromHex(str(t, 'salt')), fromHex(str(t, 'ikm')));
        return provider.hkdfExpand(hash, prk, fromHex(str(t, 'info')), num(t, 'size'));
      };
      if (t.result === 'invalid') return [await run().then(() => false, (e: unknown) => e instanceof RangeError), 'no RangeError'];
      const okm = await run();
      return [toHex(okm) === str(t, 'okm'), toHex(okm)];
    },
  });
}

function hmac(hash: HashName, tagBits: number): Runner {
  return ({ provider }) => ({
    keep: (g) => num(g, 'tagSize') === tagBits,
    async check(_group, t) {
      const match = toHex(await provider.hmac(hash, fromHex(str(t, 'key')), fromHex(str(t, 'msg')))) === str(t, 'tag');
      return [outcome(t, match, !match)];
    },
  });
}

const sha = (hash: HashName) => (g: Readonly<Record<string, unknown>>) => str(g, 'sha') === hash;

/** [file, runner, exact number of vectors the selection rules keep]. */
const FILES: readonly (readonly [string, Runner, number])[] = [
  ['aes_gcm_test.json', aesGcm, 133],
  ['chacha20_poly1305_test.json', chacha20Poly1305, 325],
  ['x25519_test.json', x25519, 518],
  ['ecdh_secp256r1_ecpoint_test.json', ecdh('secp256r1', 'prime256v1', 32), 355],
  ['ecdh_secp384r1_ecpoint_test.json', ecdh('secp384r1', 'secp384r1', 48), 790],
  ['ecdsa_secp256r1_sha256_test.json', signatures('ecdsa_secp256r1_sha256', sha('SHA-256')), 484],
  ['ecdsa_secp384r1_sha384_test.json', signatures('ecdsa_secp384r1_sha384', sha('SHA-384')), 504],
  ['ed25519_test.json', signatures('ed25519', () => true), 151],
  ['hkdf_sha256_test.json', hkdf('SHA-256'), 86],
  ['hkdf_sha384_test.json', hkdf('SHA-384'), 83],
  ['hmac_sha256_test.json', hmac('SHA-256', 256), 87],
  ['hmac_sha384_test.json', hmac('SHA-384', 384), 87],
  [
    'rsa_pss_2048_sha256_mgf1_32_test.json',
    signatures('rsa_pss_rsae_sha256', (g) => sha('SHA-256')(g) && str(g, 'mgfSha') === 'SHA-256' && num(g, 'sLen') === 32),
    108,
  ],
  ['rsa_signature_2048_sha256_test.json', signatures('rsa_pkcs1_sha256', sha('SHA-256')), 259],
];

describe('WebCrypto provider: Wycheproof vectors', () => {
  for (const [file, run, expected] of FILES) {
    for (const np of PROVIDERS) {
      it(`${file} x ${np.name}: ${expected} vectors`, async () => {
        const tally = new Tally();
        await runFile(file, np, run, tally);
        tally.assert(`${file} x ${np.name}`, expected);
      });
    }
  }
});
