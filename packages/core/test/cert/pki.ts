/**
 * A test PKI generated at test time with the `openssl` CLI (`openssl ca`, so every certificate gets explicit
 * notBefore/notAfter dates and tests inject `now` = NOW). Nothing is committed: keys and certificates live in a
 * mkdtemp directory that `dispose()` removes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The verification time of every test: all "valid" certificates cover it. */
export const NOW = new Date('2030-01-01T00:00:00Z');

export type KeyKind = 'p256' | 'p384' | 'rsa' | 'rsa-pss' | 'ed25519';

export interface CertSpec {
  key: KeyKind;
  /** Issuer name (a previously issued certificate) or 'self'. */
  issuer: string;
  /** Section name in EXTENSIONS. */
  ext: string;
  subject?: string;
  /** openssl dates, YYMMDDHHMMSSZ. */
  start?: string;
  end?: string;
  /** `-sigopt` values, e.g. RSA-PSS padding. */
  sigopt?: string[];
  /** `-md` (omitted: the key's default; Ed25519 has none). */
  md?: string;
  /** Reuse the key of another certificate (cross-signing). */
  keyOf?: string;
}

const CA_BASE = 'subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always\n';
const LEAF_BASE = `${CA_BASE}basicConstraints = critical,CA:FALSE\n`;
const EKU_SERVER = 'extendedKeyUsage = serverAuth\n';
const KU_SIGN = 'keyUsage = critical,digitalSignature\n';

/** Extension sections, by name. */
export const EXTENSIONS: Record<string, string> = {
  root: 'subjectKeyIdentifier = hash\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\n',
  int: `${CA_BASE}basicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\n`,
  int_pl0: `${CA_BASE}basicConstraints = critical,CA:TRUE,pathlen:0\nkeyUsage = critical,keyCertSign,cRLSign\n`,
  int_notca: `${CA_BASE}basicConstraints = critical,CA:FALSE\n`,
  int_noku: `${CA_BASE}basicConstraints = critical,CA:TRUE\nkeyUsage = critical,digitalSignature\n`,
  int_client: `${CA_BASE}basicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign\nextendedKeyUsage = clientAuth\n`,
  int_nc:
    `${CA_BASE}basicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign\n` +
    'nameConstraints = critical,permitted;DNS:allowed.test,permitted;IP:10.0.0.0/255.0.0.0,excluded;DNS:bad.allowed.test\n',
  leaf_main:
    LEAF_BASE + KU_SIGN + EKU_SERVER +
    'subjectAltName = DNS:localhost,DNS:*.example.com,DNS:server.test,DNS:10.9.9.9,IP:127.0.0.1,IP:2001:db8::1\n',
  leaf_p384: `${LEAF_BASE + KU_SIGN + EKU_SERVER}subjectAltName = DNS:p384.test\n`,
  leaf_rsa: `${LEAF_BASE}keyUsage = critical,digitalSignature,keyEncipherment\n${EKU_SERVER}subjectAltName = DNS:rsa.test\n`,
  leaf_ed: `${LEAF_BASE + KU_SIGN + EKU_SERVER}subjectAltName = DNS:ed.test\n`,
  leaf_any: `${LEAF_BASE}subjectAltName = DNS:any.test\n`,
  leaf_cn: LEAF_BASE + KU_SIGN + EKU_SERVER,
  leaf_client: `${LEAF_BASE + KU_SIGN}extendedKeyUsage = clientAuth\nsubjectAltName = DNS:client.test\n`,
  leaf_nods: `${LEAF_BASE}keyUsage = critical,keyEncipherment\n${EKU_SERVER}subjectAltName = DNS:nods.test\n`,
  leaf_crit: `${LEAF_BASE + KU_SIGN + EKU_SERVER}subjectAltName = DNS:crit.test\n1.3.6.1.4.1.55555.1 = critical,DER:05:00\n`,
  leaf_partial: `${LEAF_BASE + KU_SIGN + EKU_SERVER}subjectAltName = DNS:a*.example.com,DNS:*.com,DNS:b.*.example.org\n`,
  leaf_nc_ok: `${LEAF_BASE + KU_SIGN + EKU_SERVER}subjectAltName = DNS:ok.allowed.test,IP:10.1.2.3\n`,
  leaf_nc_perm: `${LEAF_BASE + KU_SIGN + EKU_SERVER}subjectAltName = DNS:ok.allowed.test,DNS:evil.test\n`,
  leaf_nc_excl: `${LEAF_BASE + KU_SIGN + EKU_SERVER}subjectAltName = DNS:x.bad.allowed.test\n`,
  leaf_nc_ip: `${LEAF_BASE + KU_SIGN + EKU_SERVER}subjectAltName = DNS:ok.allowed.test,IP:192.168.1.1\n`,
  self_leaf: `subjectKeyIdentifier = hash\n${KU_SIGN}${EKU_SERVER}subjectAltName = DNS:self.test\n`,
};

const VALID_START = '250101000000Z';
const VALID_END = '350101000000Z';

/** The certificates of the test PKI, in issuance order (issuers first). */
export const SPECS: Record<string, CertSpec> = {
  root: { key: 'p256', issuer: 'self', ext: 'root', subject: '/O=memtls test/CN=Test Root EC' },
  int: { key: 'p256', issuer: 'root', ext: 'int', subject: '/O=memtls test/CN=Test Intermediate EC' },
  leafP256: { key: 'p256', issuer: 'int', ext: 'leaf_main', subject: '/CN=server.test' },
  leafP384: { key: 'p384', issuer: 'int', ext: 'leaf_p384' },
  leafRsa: { key: 'rsa', issuer: 'int', ext: 'leaf_rsa' },
  leafEd: { key: 'ed25519', issuer: 'int', ext: 'leaf_ed' },
  leafAny: { key: 'p256', issuer: 'int', ext: 'leaf_any' },
  leafExpired: { key: 'p256', issuer: 'int', ext: 'leaf_main', start: '250101000000Z', end: '260101000000Z' },
  leafFuture: { key: 'p256', issuer: 'int', ext: 'leaf_main', start: '310101000000Z', end: '320101000000Z' },
  leafCn: { key: 'p256', issuer: 'int', ext: 'leaf_cn', subject: '/CN=cn-only.test' },
  leafClient: { key: 'p256', issuer: 'int', ext: 'leaf_client' },
  leafNoDs: { key: 'p256', issuer: 'int', ext: 'leaf_nods' },
  leafCrit: { key: 'p256', issuer: 'int', ext: 'leaf_crit' },
  leafPartial: { key: 'p256', issuer: 'int', ext: 'leaf_partial' },
  // an unknown root and its leaf
  otherRoot: { key: 'p256', issuer: 'self', ext: 'root', subject: '/O=elsewhere/CN=Other Root' },
  otherInt: { key: 'p256', issuer: 'otherRoot', ext: 'int', subject: '/O=elsewhere/CN=Other Intermediate' },
  otherLeaf: { key: 'p256', issuer: 'otherInt', ext: 'leaf_main' },
  selfLeaf: { key: 'p256', issuer: 'self', ext: 'self_leaf', subject: '/CN=self.test' },
  // CA rules
  intNotCa: { key: 'p256', issuer: 'root', ext: 'int_notca', subject: '/CN=Not A CA' },
  leafUnderNotCa: { key: 'p256', issuer: 'intNotCa', ext: 'leaf_main' },
  intNoKu: { key: 'p256', issuer: 'root', ext: 'int_noku', subject: '/CN=No keyCertSign' },
  leafUnderNoKu: { key: 'p256', issuer: 'intNoKu', ext: 'leaf_main' },
  intPl0: { key: 'p256', issuer: 'root', ext: 'int_pl0', subject: '/CN=Pathlen 0' },
  intUnderPl0: { key: 'p256', issuer: 'intPl0', ext: 'int', subject: '/CN=Below Pathlen 0' },
  leafUnderPl0: { key: 'p256', issuer: 'intUnderPl0', ext: 'leaf_main' },
  intClient: { key: 'p256', issuer: 'root', ext: 'int_client', subject: '/CN=Client-only CA' },
  leafUnderClient: { key: 'p256', issuer: 'intClient', ext: 'leaf_main' },
  // deep chain: root -> deep1 -> deep2 -> leafDeep
  deep1: { key: 'p256', issuer: 'root', ext: 'int', subject: '/CN=Deep 1' },
  deep2: { key: 'p256', issuer: 'deep1', ext: 'int', subject: '/CN=Deep 2' },
  leafDeep: { key: 'p256', issuer: 'deep2', ext: 'leaf_main' },
  // name constraints
  intNc: { key: 'p256', issuer: 'root', ext: 'int_nc', subject: '/CN=Constrained CA' },
  leafNcOk: { key: 'p256', issuer: 'intNc', ext: 'leaf_nc_ok' },
  leafNcPerm: { key: 'p256', issuer: 'intNc', ext: 'leaf_nc_perm' },
  leafNcExcl: { key: 'p256', issuer: 'intNc', ext: 'leaf_nc_excl' },
  leafNcIp: { key: 'p256', issuer: 'intNc', ext: 'leaf_nc_ip' },
  // cross-signing: the same CA (subject and key) issued by the unknown root, by the real root, and expired
  crossA: { key: 'p256', issuer: 'otherRoot', ext: 'int', subject: '/CN=Cross CA' },
  crossB: { key: 'p256', issuer: 'root', ext: 'int', subject: '/CN=Cross CA', keyOf: 'crossA' },
  crossOld: { key: 'p256', issuer: 'root', ext: 'int', subject: '/CN=Cross CA', keyOf: 'crossA', start: '250101000000Z', end: '260101000000Z' },
  leafCross: { key: 'p256', issuer: 'crossA', ext: 'leaf_main' },
  // a root that has expired at NOW, and a leaf under it
  shortRoot: { key: 'p256', issuer: 'self', ext: 'root', subject: '/CN=Short Root', end: '290101000000Z' },
  leafUnderShort: { key: 'p256', issuer: 'shortRoot', ext: 'leaf_main' },
  // RSA: PKCS#1 v1.5 root, RSA-PSS (rsae) leaf; RSA-PSS key root, RSA-PSS (pss) leaf
  rootRsa: { key: 'rsa', issuer: 'self', ext: 'root', subject: '/CN=Test Root RSA', md: 'sha256' },
  leafRsaPss: {
    key: 'rsa', issuer: 'rootRsa', ext: 'leaf_rsa', md: 'sha256',
    sigopt: ['rsa_padding_mode:pss', 'rsa_pss_saltlen:digest', 'rsa_mgf1_md:sha256'],
  },
  rootPssKey: { key: 'rsa-pss', issuer: 'self', ext: 'root', subject: '/CN=Test Root RSA-PSS key', md: 'sha256', sigopt: ['rsa_pss_saltlen:digest'] },
  leafPssPss: { key: 'p256', issuer: 'rootPssKey', ext: 'leaf_main', md: 'sha256', sigopt: ['rsa_pss_saltlen:digest'] },
  // Ed25519 chain
  rootEd: { key: 'ed25519', issuer: 'self', ext: 'root', subject: '/CN=Test Root Ed25519' },
  leafEdChain: { key: 'ed25519', issuer: 'rootEd', ext: 'leaf_ed' },
};

export interface Pki {
  readonly dir: string;
  der(name: string): Uint8Array;
  pem(name: string): string;
  keyPem(name: string): string;
  /** Run openssl in the PKI directory and return stdout. */
  openssl(args: string[]): Buffer;
  dispose(): void;
}

const GENKEY: Record<KeyKind, string[]> = {
  p256: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  p384: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  rsa: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  'rsa-pss': ['-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048'],
  ed25519: ['-algorithm', 'ED25519'],
};

let shared: Pki | null = null;

/** The PKI shared by every cert test file: generated on first use, removed when the process exits. */
export function sharedPki(): Pki {
  if (!shared) {
    const p = createPki();
    shared = p;
    onProcessExit(() => p.dispose());
  }
  return shared;
}

/** Generate the whole PKI (a few seconds: three RSA keys). */
export function createPki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'memtls-pki-'));
  const run = (args: string[]): Buffer => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    [
      '[ca]', 'default_ca = d', '[d]', `dir = ${dir}`, `database = ${dir}/index.txt`, `new_certs_dir = ${dir}`,
      `serial = ${dir}/serial`, 'default_md = default', 'policy = p', 'unique_subject = no', 'email_in_dn = no',
      '[p]', 'commonName = optional', '[req]', 'distinguished_name = dn', 'prompt = no', '[dn]', 'CN = unused', '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'ext.cnf'), Object.entries(EXTENSIONS).map(([k, v]) => `[${k}]\n${v}`).join('\n'));
  for (const [name, spec] of Object.entries(SPECS)) {
    const keyFile = `${spec.keyOf ?? name}.key`;
    if (!spec.keyOf) run(['genpkey', ...GENKEY[spec.key], '-out', keyFile]);
    run(['req', '-new', '-config', 'ca.cnf', '-key', keyFile, '-subj', spec.subject ?? `/CN=${name}.test`, '-out', `${name}.csr`]);
    const args = [
      'ca', '-batch', '-config', 'ca.cnf', '-notext', '-preserveDN', '-rand_serial', '-in', `${name}.csr`, '-out', `${name}.crt`,
      '-startdate', spec.start ?? VALID_START, '-enddate', spec.end ?? VALID_END, '-extfile', 'ext.cnf', '-extensions', spec.ext,
    ];
    if (spec.issuer === 'self') args.push('-selfsign', '-keyfile', keyFile);
    else args.push('-cert', `${spec.issuer}.crt`, '-keyfile', `${SPECS[spec.issuer]?.keyOf ?? spec.issuer}.key`);
    if (spec.md) args.push('-md', spec.md);
    for (const o of spec.sigopt ?? []) args.push('-sigopt', o);
    run(args);
  }
  const derCache = new Map<string, Uint8Array>();
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  const pem = (name: string): string => {
    const text = read(`${name}.crt`);
    const i = text.indexOf('-----BEGIN CERTIFICATE-----');
    return text.slice(i);
  };
  return {
    dir,
    pem,
    der: (name) => {
      let d = derCache.get(name);
      if (!d) {
        d = new Uint8Array(run(['x509', '-in', `${name}.crt`, '-outform', 'DER']));
        derCache.set(name, d);
      }
      return d.slice(); // a fresh copy: tests may corrupt it
    },
    keyPem: (name) => read(`${SPECS[name]?.keyOf ?? name}.key`),
    openssl: run,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Run `fn` at process exit, behind the one 'exit' listener all test helpers share (see test/util/on-exit.ts). */
function onProcessExit(fn: () => void): void {
  const key = Symbol.for('memtls.test.onProcessExit');
  const g = globalThis as unknown as Record<symbol, Set<() => void> | undefined>;
  let fns = g[key];
  if (!fns) {
    const set = new Set<() => void>();
    fns = set;
    g[key] = set;
    process.once('exit', () => {
      for (const f of set) {
        try {
          f();
        } catch {
          // one failing clean-up must not stop the others
        }
      }
    });
  }
  fns.add(fn);
}
