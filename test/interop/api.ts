/** The public API the interop tests drive: the real '@memtls/core', plus a helper for readable errors. */
import * as core from '@memtls/core';

export type { Bio, ContextOptions, Ssl, SslContext } from '@memtls/core';
export type CoreApi = typeof core;

/** What the socket pump needs of an Ssl (the harness tests drive it with a plaintext stand-in). */
export type PumpSsl = Pick<core.Ssl, 'doHandshake' | 'errorReason' | 'getError' | 'read' | 'setBio' | 'shutdown' | 'write'>;

export async function loadCore(): Promise<CoreApi> {
  return core;
}

export function sslErrorName(code: number): string {
  const names: Record<number, string> = {
    0: 'SSL_ERROR_NONE',
    1: 'SSL_ERROR_SSL',
    2: 'SSL_ERROR_WANT_READ',
    3: 'SSL_ERROR_WANT_WRITE',
    5: 'SSL_ERROR_SYSCALL',
    6: 'SSL_ERROR_ZERO_RETURN',
  };
  return names[code] ?? `SSL_ERROR_${code}`;
}
