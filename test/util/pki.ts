/** Test PKI made with the openssl CLI at test time: a root CA and one leaf per key type. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onProcessExit } from './on-exit.js';

export type KeyKind = 'ec-p256' | 'ec-p384' | 'rsa' | 'ed25519';
export interface Leaf {
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
}
export interface TestPki {
  dir: string;
  caCert: string;
  caPath: string;
  leaves: Record<KeyKind, Leaf>;
  client: Leaf;
}

const KEYGEN: Record<KeyKind, string[]> = {
  'ec-p256': ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  'ec-p384': ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  rsa: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  ed25519: ['-algorithm', 'ED25519'],
};

function ossl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

let cached: TestPki | null = null;

export function testPki(): TestPki {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'memtls-pki-'));
  onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  ossl(['genpkey', ...KEYGEN['ec-p256'], '-out', 'ca.key'], dir);
  ossl(['req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=memtls test root', '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'ca.pem'], dir);
  const mk = (name: string, kind: KeyKind, san: string, eku: string): Leaf => {
    ossl(['genpkey', ...KEYGEN[kind], '-out', `${name}.key`], dir);
    ossl(['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`], dir);
    writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=${eku}\n`);
    ossl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '30', '-extfile', `${name}.ext`, '-out', `${name}.pem`], dir);
    return { cert: readFileSync(join(dir, `${name}.pem`), 'utf8'), key: readFileSync(join(dir, `${name}.key`), 'utf8'), certPath: join(dir, `${name}.pem`), keyPath: join(dir, `${name}.key`) };
  };
  const leaves = {} as Record<KeyKind, Leaf>;
  for (const k of Object.keys(KEYGEN) as KeyKind[]) leaves[k] = mk(`server-${k}`, k, 'DNS:localhost,DNS:server.test,IP:127.0.0.1', 'serverAuth');
  const client = mk('client', 'ec-p256', 'DNS:client.test', 'clientAuth');
  cached = { dir, caCert: readFileSync(join(dir, 'ca.pem'), 'utf8'), caPath: join(dir, 'ca.pem'), leaves, client };
  return cached;
}
