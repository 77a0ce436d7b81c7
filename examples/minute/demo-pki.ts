/**
 * A throwaway CA and a `localhost` / 127.0.0.1 server certificate, made with the openssl CLI (demo only).
 * The directory holds the CA's private key: it is removed however the process ends (normal exit, an
 * uncaught error, Ctrl-C or SIGTERM).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DemoPki {
  dir: string;
  ca: string;
  caPath: string;
  cert: string;
  key: string;
}

export function demoPki(): DemoPki {
  const dir = mkdtempSync(join(tmpdir(), 'memtls-demo-'));
  removeOnExit(dir);
  const run = (args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const ec = ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  run([...ec, '-out', 'ca.key']);
  run(['req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=memtls demo CA', '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign', '-out', 'ca.pem']);
  run([...ec, '-out', 'server.key']);
  run(['req', '-new', '-key', 'server.key', '-subj', '/CN=localhost', '-out', 'server.csr']);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n');
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'server.ext', '-out', 'server.pem']);
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  return { dir, ca: read('ca.pem'), caPath: join(dir, 'ca.pem'), cert: read('server.pem'), key: read('server.key') };
}

/** Remove `dir` at exit, and on SIGINT/SIGTERM (which end a Node process without its 'exit' handlers otherwise). */
function removeOnExit(dir: string): void {
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('exit', remove);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      remove();
      process.exit(code);
    });
  }
}
