/**
 * A throw-away PKI for the end-to-end trust tests, made with the `openssl` CLI (`openssl ca`, so every
 * certificate has fixed notBefore/notAfter dates) in a mkdtemp directory that is removed at process exit.
 *
 * Dates are chosen to hold both at the injected clock (NOW, 2030) and at the real time real OpenSSL peers
 * use: "valid" certificates cover 2025–2035, the expired ones ended in 2021, the future ones start in 2031.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onProcessExit } from '../util/on-exit.js';

/** The clock injected into every memtls context of these tests. */
export const NOW = new Date('2030-01-01T00:00:00Z');

type KeyKind = 'p256' | 'rsa' | 'rsa-pss' | 'ed25519';

const GENKEY: Record<KeyKind, string[]> = {
  p256: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  rsa: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  'rsa-pss': ['-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048'],
  ed25519: ['-algorithm', 'ED25519'],
};

const KEYID = 'subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always\n';
const CA = 'basicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\n';
const LEAF = `${KEYID}basicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature\n`;
const SERVER = `${LEAF}extendedKeyUsage = serverAuth\n`;
const CLIENT = `${LEAF}extendedKeyUsage = clientAuth\nsubjectAltName = DNS:client.test\n`;

/** openssl x509v3 extension sections, by name. */
const EXT: Record<string, string> = {
  root: `subjectKeyIdentifier = hash\n${CA}`,
  int: KEYID + CA,
  int_pl0: `${KEYID}basicConstraints = critical,CA:TRUE,pathlen:0\nkeyUsage = critical,keyCertSign,cRLSign\n`,
  int_notca: `${KEYID}basicConstraints = critical,CA:FALSE\nkeyUsage = critical,keyCertSign,cRLSign\n`,
  int_nc: `${KEYID + CA}nameConstraints = critical,permitted;DNS:allowed.test\n`,
  server: `${SERVER}subjectAltName = DNS:localhost,DNS:*.example.com,IP:127.0.0.1\n`,
  server_dns_only: `${SERVER}subjectAltName = DNS:localhost,DNS:127.0.0.1\n`,
  server_cn_only: SERVER,
  server_nc: `${SERVER}subjectAltName = DNS:ok.allowed.test,DNS:evil.test\n`,
  self_server: `subjectKeyIdentifier = hash\nkeyUsage = critical,digitalSignature\nextendedKeyUsage = serverAuth\nsubjectAltName = DNS:localhost\n`,
  client: CLIENT,
  client_server_only: `${SERVER}subjectAltName = DNS:client.test\n`,
};

interface Spec {
  key: KeyKind;
  issuer: string;
  ext: string;
  subject?: string;
  start?: string;
  end?: string;
  md?: string;
  sigopt?: string[];
}

const VALID = { start: '250101000000Z', end: '350101000000Z' };
const EXPIRED = { start: '200101000000Z', end: '210101000000Z' };
const FUTURE = { start: '310101000000Z', end: '320101000000Z' };
const PSS = ['rsa_padding_mode:pss', 'rsa_pss_saltlen:digest', 'rsa_mgf1_md:sha256'];

/** Issuers come before what they issue. */
const SPECS: Record<string, Spec> = {
  root: { key: 'p256', issuer: 'self', ext: 'root', subject: '/O=memtls trust/CN=Trust Root' },
  int: { key: 'p256', issuer: 'root', ext: 'int', subject: '/O=memtls trust/CN=Trust Intermediate' },
  server: { key: 'p256', issuer: 'int', ext: 'server', subject: '/CN=localhost' },
  serverExpired: { key: 'p256', issuer: 'int', ext: 'server', ...EXPIRED },
  serverFuture: { key: 'p256', issuer: 'int', ext: 'server', ...FUTURE },
  serverDnsOnly: { key: 'p256', issuer: 'int', ext: 'server_dns_only' },
  serverCnOnly: { key: 'p256', issuer: 'int', ext: 'server_cn_only', subject: '/CN=localhost' },
  serverClientOnly: { key: 'p256', issuer: 'int', ext: 'client' },
  // two intermediates, for an out-of-order chain
  deep1: { key: 'p256', issuer: 'root', ext: 'int', subject: '/CN=Deep 1' },
  deep2: { key: 'p256', issuer: 'deep1', ext: 'int', subject: '/CN=Deep 2' },
  serverDeep: { key: 'p256', issuer: 'deep2', ext: 'server' },
  // a CA nobody trusts
  otherRoot: { key: 'p256', issuer: 'self', ext: 'root', subject: '/O=elsewhere/CN=Other Root' },
  otherInt: { key: 'p256', issuer: 'otherRoot', ext: 'int', subject: '/O=elsewhere/CN=Other Intermediate' },
  serverOther: { key: 'p256', issuer: 'otherInt', ext: 'server' },
  clientOther: { key: 'p256', issuer: 'otherInt', ext: 'client' },
  serverSelf: { key: 'p256', issuer: 'self', ext: 'self_server', subject: '/CN=localhost' },
  // CA rules
  intNotCa: { key: 'p256', issuer: 'root', ext: 'int_notca', subject: '/CN=Not A CA' },
  serverUnderNotCa: { key: 'p256', issuer: 'intNotCa', ext: 'server' },
  intPl0: { key: 'p256', issuer: 'root', ext: 'int_pl0', subject: '/CN=Pathlen 0' },
  intUnderPl0: { key: 'p256', issuer: 'intPl0', ext: 'int', subject: '/CN=Below Pathlen 0' },
  serverUnderPl0: { key: 'p256', issuer: 'intUnderPl0', ext: 'server' },
  intNc: { key: 'p256', issuer: 'root', ext: 'int_nc', subject: '/CN=Constrained to allowed.test' },
  serverNc: { key: 'p256', issuer: 'intNc', ext: 'server_nc' },
  // RSA-PSS: an RSA root and leaf signed with RSASSA-PSS (rsa_pss_rsae_sha256), and an RSA-PSS-key root
  // (id-RSASSA-PSS, rsa_pss_pss_sha256) over an RSA leaf
  rootRsa: { key: 'rsa', issuer: 'self', ext: 'root', subject: '/CN=Trust Root RSA', md: 'sha256', sigopt: PSS },
  serverRsaPss: { key: 'rsa', issuer: 'rootRsa', ext: 'server', md: 'sha256', sigopt: PSS },
  rootPssKey: { key: 'rsa-pss', issuer: 'self', ext: 'root', subject: '/CN=Trust Root RSA-PSS key', md: 'sha256', sigopt: ['rsa_pss_saltlen:digest'] },
  serverUnderPssKey: { key: 'rsa', issuer: 'rootPssKey', ext: 'server', md: 'sha256', sigopt: ['rsa_pss_saltlen:digest'] },
  // Ed25519 all the way
  rootEd: { key: 'ed25519', issuer: 'self', ext: 'root', subject: '/CN=Trust Root Ed25519' },
  serverEd: { key: 'ed25519', issuer: 'rootEd', ext: 'server' },
  // client certificates
  client: { key: 'p256', issuer: 'int', ext: 'client', subject: '/CN=client.test' },
  clientExpired: { key: 'p256', issuer: 'int', ext: 'client', ...EXPIRED },
  clientServerOnly: { key: 'p256', issuer: 'int', ext: 'client_server_only' },
};

export type CertName = keyof typeof SPECS;

export interface TrustPki {
  readonly dir: string;
  /** The certificate, PEM. */
  pem(name: CertName): string;
  /** Its private key, PEM (PKCS#8). */
  key(name: CertName): string;
  certPath(name: CertName): string;
  keyPath(name: CertName): string;
  /** Several certificates, concatenated PEM, in the order given (a chain to serve). */
  chain(...names: CertName[]): string;
  /** Write `text` to a file in the PKI directory and return its path. */
  file(name: string, text: string): string;
}

let shared: TrustPki | null = null;

/** The PKI of every trust test in this process: generated on first use (~2 s), removed at exit. */
export function trustPki(): TrustPki {
  if (shared) return shared;
  const dir = mkdtempSync(join(tmpdir(), 'memtls-trust-'));
  onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    [
      '[ca]', 'default_ca = d', '[d]', `database = ${join(dir, 'index.txt')}`, `new_certs_dir = ${dir}`,
      `serial = ${join(dir, 'serial')}`,
      'default_md = default', 'policy = p', 'unique_subject = no', 'email_in_dn = no',
      '[p]', 'commonName = optional', '[req]', 'distinguished_name = dn', 'prompt = no', '[dn]', 'CN = unused', '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'ext.cnf'), Object.entries(EXT).map(([k, v]) => `[${k}]\n${v}`).join('\n'));
  for (const [name, s] of Object.entries(SPECS)) {
    run(['genpkey', ...GENKEY[s.key], '-out', `${name}.key`]);
    run(['req', '-new', '-config', 'ca.cnf', '-key', `${name}.key`, '-subj', s.subject ?? `/CN=${name}.test`, '-out', `${name}.csr`]);
    const args = ['ca', '-batch', '-config', 'ca.cnf', '-notext', '-preserveDN', '-rand_serial', '-in', `${name}.csr`, '-out', `${name}.crt`];
    args.push('-startdate', s.start ?? VALID.start, '-enddate', s.end ?? VALID.end, '-extfile', 'ext.cnf', '-extensions', s.ext);
    if (s.issuer === 'self') args.push('-selfsign', '-keyfile', `${name}.key`);
    else args.push('-cert', `${s.issuer}.crt`, '-keyfile', `${s.issuer}.key`);
    if (s.md) args.push('-md', s.md);
    for (const o of s.sigopt ?? []) args.push('-sigopt', o);
    run(args);
  }
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  const pem = (n: CertName) => read(`${n}.crt`);
  shared = {
    dir,
    pem,
    key: (n) => read(`${n}.key`),
    certPath: (n) => join(dir, `${n}.crt`),
    keyPath: (n) => join(dir, `${n}.key`),
    chain: (...names) => names.map(pem).join(''),
    file: (name, text) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    },
  };
  return shared;
}

/** The same PEM certificate with one byte of its signature value flipped (the last byte of the DER). */
export function breakSignature(pemText: string): string {
  const b64 = pemText.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const der = Buffer.from(b64, 'base64');
  // The signature BIT STRING is the certificate's last element, so the last byte is signature value.
  der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 0x01;
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
