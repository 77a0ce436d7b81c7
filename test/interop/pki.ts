/**
 * Test PKI, generated with the openssl CLI at test time (nothing checked in, nothing from the internet).
 *
 * One `getPki()` call per process creates, in a fresh mkdtemp directory removed at exit:
 * - a root CA (EC P-256, self-signed, CA:TRUE);
 * - one server leaf per key type — EC P-256, EC P-384, RSA 2048, Ed25519 — for CN=localhost with SANs
 *   DNS:localhost and IP:127.0.0.1, serverAuth, signed by the root with ECDSA-SHA256;
 * - a client leaf (EC P-256, CN=memtls-client, clientAuth);
 * - a decoy: a second, untrusted CA and a localhost leaf it signed (for SNI tests: the decoy is the
 *   server's default certificate, so a handshake that verifies proves the SNI-selected one was used).
 * Keys are PKCS#8 PEM ("BEGIN PRIVATE KEY"); each `chainPem` is the leaf followed by its CA.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { onProcessExit } from '../util/on-exit.js';

const run = promisify(execFile);

export const SERVER_KEY_TYPES = ['ec-p256', 'ec-p384', 'rsa2048', 'ed25519'] as const;
export type KeyType = (typeof SERVER_KEY_TYPES)[number];

/** One credential: paths (for openssl) and PEM text (for memtls and Node). */
export interface Credential {
  certPath: string;
  keyPath: string;
  chainPath: string;
  certPem: string;
  keyPem: string;
  chainPem: string;
}

export interface Pki {
  dir: string;
  caPath: string;
  caPem: string;
  servers: Record<KeyType, Credential>;
  client: Credential;
  /** A localhost leaf signed by an untrusted CA (`decoyCaPem`). */
  decoy: Credential;
  decoyCaPem: string;
}

const KEYGEN: Record<KeyType, string[]> = {
  'ec-p256': ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  'ec-p384': ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  rsa2048: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  ed25519: ['-algorithm', 'ED25519'],
};

const OPENSSL_TIMEOUT_MS = 20_000;

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd, timeout: OPENSSL_TIMEOUT_MS, killSignal: 'SIGKILL' });
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`openssl ${args.join(' ')} failed: ${err.stderr ?? err.message}`);
  }
}

/** Create a key (PKCS#8) and a certificate for `subject`, signed by `ca` (or self-signed when ca is null). */
async function issue(
  dir: string,
  name: string,
  keygen: string[],
  subject: string,
  extensions: string,
  ca: { certPath: string; keyPath: string; pem: string } | null,
): Promise<Credential> {
  const keyPath = join(dir, `${name}.key.pem`);
  const certPath = join(dir, `${name}.cert.pem`);
  const csrPath = join(dir, `${name}.csr.pem`);
  const extPath = join(dir, `${name}.ext.cnf`);
  // `req -config` insists on a [req] section with a distinguished_name; `-subj` supplies the name itself.
  writeFileSync(extPath, `[req]\ndistinguished_name = dn\n[dn]\n[v3]\n${extensions}\n`);
  await openssl(['genpkey', ...keygen, '-out', keyPath], dir);
  const serial = `0x${((randomBytes(1)[0] as number) & 0x7f).toString(16).padStart(2, '0')}${randomBytes(11).toString('hex')}`;
  if (ca === null) {
    await openssl(
      ['req', '-new', '-x509', '-key', keyPath, '-subj', subject, '-days', '30', '-sha256', '-set_serial', serial,
        '-config', extPath, '-extensions', 'v3', '-out', certPath],
      dir,
    );
  } else {
    await openssl(['req', '-new', '-key', keyPath, '-subj', subject, '-config', extPath, '-out', csrPath], dir);
    await openssl(
      ['x509', '-req', '-in', csrPath, '-CA', ca.certPath, '-CAkey', ca.keyPath, '-set_serial', serial,
        '-days', '30', '-sha256', '-extfile', extPath, '-extensions', 'v3', '-out', certPath],
      dir,
    );
  }
  const certPem = readFileSync(certPath, 'utf8');
  const keyPem = readFileSync(keyPath, 'utf8');
  const chainPem = ca === null ? certPem : certPem + ca.pem;
  const chainPath = join(dir, `${name}.chain.pem`);
  writeFileSync(chainPath, chainPem);
  return { certPath, keyPath, chainPath, certPem, keyPem, chainPem };
}

const CA_EXT = ['basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign', 'subjectKeyIdentifier = hash'].join('\n');
const serverExt = (keyType: KeyType | 'decoy') =>
  [
    'basicConstraints = critical, CA:FALSE',
    `keyUsage = critical, digitalSignature${keyType === 'rsa2048' ? ', keyEncipherment' : ''}`,
    'extendedKeyUsage = serverAuth',
    'subjectAltName = DNS:localhost, IP:127.0.0.1',
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
  ].join('\n');
const CLIENT_EXT = [
  'basicConstraints = critical, CA:FALSE',
  'keyUsage = critical, digitalSignature',
  'extendedKeyUsage = clientAuth',
  'subjectKeyIdentifier = hash',
  'authorityKeyIdentifier = keyid',
].join('\n');

async function generate(): Promise<Pki> {
  const dir = mkdtempSync(join(tmpdir(), 'memtls-interop-pki-'));
  onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  const ca = await issue(dir, 'ca', KEYGEN['ec-p256'], '/CN=memtls test root CA', CA_EXT, null);
  const caRef = { certPath: ca.certPath, keyPath: ca.keyPath, pem: ca.certPem };
  const entries = await Promise.all(
    SERVER_KEY_TYPES.map(
      async (t) => [t, await issue(dir, `server-${t}`, KEYGEN[t], '/CN=localhost', serverExt(t), caRef)] as const,
    ),
  );
  const client = await issue(dir, 'client', KEYGEN['ec-p256'], '/CN=memtls-client', CLIENT_EXT, caRef);
  const decoyCa = await issue(dir, 'decoy-ca', KEYGEN['ec-p256'], '/CN=memtls decoy CA', CA_EXT, null);
  const decoy = await issue(dir, 'decoy-server', KEYGEN['ec-p256'], '/CN=localhost', serverExt('decoy'), {
    certPath: decoyCa.certPath,
    keyPath: decoyCa.keyPath,
    pem: decoyCa.certPem,
  });
  return {
    dir,
    caPath: ca.certPath,
    caPem: ca.certPem,
    servers: Object.fromEntries(entries) as Record<KeyType, Credential>,
    client,
    decoy,
    decoyCaPem: decoyCa.certPem,
  };
}

let cached: Promise<Pki> | undefined;

/** The test PKI, generated on first use and shared by every suite in this mocha run. */
export function getPki(): Promise<Pki> {
  cached ??= generate();
  return cached;
}
