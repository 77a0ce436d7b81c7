/**
 * Test PKI made with the openssl CLI once per run: a root CA and an ECDSA P-256 server leaf for
 * localhost / 127.0.0.1 / server.test. Files live in a temporary directory removed at exit.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pki {
  dir: string;
  caCert: string;
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
  /** A root that signed nothing here: trusting only it must fail verification. */
  otherCaCert: string;
}

let cached: Pki | null = null;

function ossl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

export function testPki(): Pki {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'memtls-ws-pki-'));
  onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  const ec = ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  ossl(['genpkey', ...ec, '-out', 'ca.key'], dir);
  ossl(['req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=memtls websocket test root', '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign', '-out', 'ca.pem'], dir);
  ossl(['genpkey', ...ec, '-out', 'server.key'], dir);
  ossl(['req', '-new', '-key', 'server.key', '-subj', '/CN=localhost', '-out', 'server.csr'], dir);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,DNS:server.test,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n');
  ossl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'server.ext', '-out', 'server.pem'], dir);
  ossl(['genpkey', ...ec, '-out', 'other.key'], dir);
  ossl(['req', '-x509', '-new', '-key', 'other.key', '-subj', '/CN=memtls unrelated root', '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE', '-out', 'other.pem'], dir);
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  cached = { dir, caCert: read('ca.pem'), cert: read('server.pem'), key: read('server.key'), certPath: join(dir, 'server.pem'), keyPath: join(dir, 'server.key'), otherCaCert: read('other.pem') };
  return cached;
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
