/**
 * The slice of the API.md contract the interop tests drive, typed structurally and loaded at run time.
 *
 * Why not `import { Ssl } from '@memtls/core'`: the engine is still being written, and a static import of a
 * missing export fails both `tsc -b` and ESM linking, which would take the whole test run down. These
 * types copy API.md verbatim (nothing beyond it), so once the engine lands, `loadCore()` simply returns
 * the real module; switching the tests to static imports later is a mechanical change.
 */
import type { Bio } from '@memtls/core/internal/bio/bio';

export type { Bio };

/** API.md `ContextOptions` (the `crypto` and `now` options are not used by the interop tests). */
export interface ContextOptions {
  role: 'client' | 'server';
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  cert?: string;
  key?: string;
  ca?: string | string[];
  verifyPeer?: boolean;
  alpn?: string[];
  cipherSuites?: string[];
  groups?: string[];
  quietShutdown?: boolean;
  ignoreUnexpectedEof?: boolean;
  sessionCache?: boolean;
  numTickets?: number;
  options?: number;
  mode?: number;
}

export interface SslContext {
  setQuietShutdown(on: boolean): void;
  getQuietShutdown(): boolean;
  setOptions(bits: number): number;
  clearOptions(bits: number): number;
  getOptions(): number;
  setNumTickets(n: number): void;
}

export interface Ssl {
  setBio(rbio: Bio, wbio: Bio): void;
  doHandshake(): Promise<number>;
  read(buf: Uint8Array): Promise<number>;
  peek(buf: Uint8Array): Promise<number>;
  write(data: Uint8Array): Promise<number>;
  shutdown(): Promise<number>;
  getError(ret: number): number;
  getShutdown(): number;
  pending(): number;
  isInitFinished(): boolean;
  version(): string | null;
  cipher(): string | null;
  alpnSelected(): string | null;
  keyUpdate(requestPeer: boolean): number;
  errorReason(): string | null;
  free(): void;
}

export interface CoreApi {
  SslContext: new (opts: ContextOptions) => SslContext;
  Ssl: new (ctx: SslContext, opts?: { serverName?: string }) => Ssl;
  SSL_ERROR_NONE: number;
  SSL_ERROR_SSL: number;
  SSL_ERROR_WANT_READ: number;
  SSL_ERROR_WANT_WRITE: number;
  SSL_ERROR_SYSCALL: number;
  SSL_ERROR_ZERO_RETURN: number;
  SSL_SENT_SHUTDOWN: number;
  SSL_RECEIVED_SHUTDOWN: number;
}

/** True once '@memtls/core' exports the engine (`SslContext`). Used by the one-line guard in each suite. */
export async function engineExported(): Promise<boolean> {
  const mod: object = await import('@memtls/core');
  return 'SslContext' in mod && 'Ssl' in mod;
}

/** The engine's public API, or a clear error if it is not exported yet. */
export async function loadCore(): Promise<CoreApi> {
  const mod = (await import('@memtls/core')) as unknown as Partial<CoreApi>;
  if (typeof mod.SslContext !== 'function' || typeof mod.Ssl !== 'function') {
    throw new Error("'@memtls/core' does not export Ssl/SslContext yet");
  }
  return mod as CoreApi;
}

/** SSL_ERROR_* value → name, for failure messages (values as in OpenSSL and API.md). */
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
