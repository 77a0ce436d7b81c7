/**
 * -sess_out / -sess_in files: a memtls session (`SslSession.toBytes()`) in a PEM-style envelope.
 * This is not OpenSSL's "SSL SESSION PARAMETERS" format (memtls sessions are TLS 1.3 tickets plus the
 * PSK, versioned by memtls), so the two tools' session files are not interchangeable. The file holds a
 * secret (the resumption PSK): it is written with mode 0600.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { EXIT_USAGE, UsageExit } from './args.js';

const LABEL = 'MEMTLS SESSION';

export function writeSessionFile(path: string, session: Uint8Array): void {
  const b64 = Buffer.from(session).toString('base64').replace(/.{1,64}/g, '$&\n');
  writeFileSync(path, `-----BEGIN ${LABEL}-----\n${b64}-----END ${LABEL}-----\n`, { mode: 0o600 });
}

export function readSessionFile(path: string): Buffer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageExit(`-sess_in: cannot read ${path}: ${(e as Error).message}`, EXIT_USAGE);
  }
  const m = new RegExp(`-----BEGIN ${LABEL}-----([\\s\\S]*?)-----END ${LABEL}-----`).exec(text);
  if (!m) {
    const hint = text.includes('SSL SESSION PARAMETERS') ? ' (an OpenSSL session file: memtls cannot resume OpenSSL sessions)' : '';
    throw new UsageExit(`-sess_in: ${path} is not a memtls session file${hint}`, EXIT_USAGE);
  }
  return Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64');
}
