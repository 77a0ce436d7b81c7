/**
 * Node's TLS-PSK options on top of the core's external PSKs (ContextOptions.pskUseSession / pskFindSession):
 * `pskCallback` (client: `pskCallback(hint)` returns `{ psk, identity }`; server: `pskCallback(socket, identity)`
 * returns the key) and `pskIdentityHint`.
 *
 * Rules:
 * - TLS 1.3 only (psk_dhe_ke), as Node 20 with OpenSSL 3 does it without PSK `ciphers`: the key is bound to
 *   SHA-256 (OpenSSL's TLS_AES_128_GCM_SHA256 for a key given through Node's callbacks). TLS 1.2 PSK suites are
 *   not implemented, so `pskIdentityHint` (a TLS 1.2 ServerKeyExchange field; TLS 1.3 has no hint) is checked
 *   and kept but never sent, and the client's `hint` is always null (what Node passes in TLS 1.3).
 * - Identities are UTF-8 strings, as in Node. A callback that throws or returns something else fails the
 *   handshake (the core's CALLBACK_FAILED, alert internal_error); the application's Error is what the socket
 *   is destroyed with, as for the other callbacks (tls-callbacks.ts).
 * - The server's callback gets the `MemtlsSocket` of the connection: sockets register their `Ssl` here.
 */
import type { ContextOptions, Ssl } from '@memtls/core';
import { recordAppError } from './tls-callbacks.js';

/** What Node's client `pskCallback` returns: the key and the identity to send. */
export interface PskNegotiation {
  /** The key (a Buffer, TypedArray or DataView). */
  psk: NodeJS.ArrayBufferView;
  /** The identity, sent as UTF-8. */
  identity: string;
}

/** Node's client `pskCallback(hint)`: the PSK to offer, or null for none. `hint` is null in TLS 1.3. */
export type ClientPskCallback = (hint: string | null) => PskNegotiation | null | undefined;
/** Node's server `pskCallback(socket, identity)`: the key of `identity`, or null/undefined when it is unknown. */
export type ServerPskCallback<S = unknown> = (socket: S, identity: string) => NodeJS.ArrayBufferView | null | undefined;

const sockets = new WeakMap<Ssl, object>();

/** Register the socket of `ssl`: the server's pskCallback is given it. */
export function setPskSocket(ssl: Ssl, socket: object): void {
  sockets.set(ssl, socket);
}

const bytesOf = (v: unknown): Uint8Array | null => (ArrayBuffer.isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice() : null);

/** The core's PSK options for Node's `pskCallback` / `pskIdentityHint` in `opts` (TypeError on misuse, as Node). */
export function pskOptions(role: 'client' | 'server', opts: { pskCallback?: unknown; pskIdentityHint?: unknown }): Pick<ContextOptions, 'pskUseSession' | 'pskFindSession'> {
  if (opts.pskIdentityHint !== undefined && typeof opts.pskIdentityHint !== 'string') throw new TypeError('The "options.pskIdentityHint" property must be of type string');
  const cb = opts.pskCallback;
  if (cb === undefined) return {};
  if (typeof cb !== 'function') throw new TypeError('The "options.pskCallback" property must be of type function');
  if (role === 'client') {
    const use = cb as ClientPskCallback;
    return {
      pskUseSession: (ssl) => {
        const r = guard(ssl, () => use(null));
        if (r === null || r === undefined) return null;
        const key = bytesOf(r.psk);
        if (typeof r.identity !== 'string' || key === null) {
          throw fail(ssl, new TypeError('The pskCallback must return { psk: Buffer | TypedArray | DataView, identity: string }'));
        }
        return { identity: new TextEncoder().encode(r.identity), key };
      },
    };
  }
  const find = cb as ServerPskCallback;
  return {
    pskFindSession: (identity, ssl) => {
      const r = guard(ssl, () => find(sockets.get(ssl) ?? null, new TextDecoder().decode(identity)));
      if (r === null || r === undefined) return null;
      const key = bytesOf(r);
      if (key === null) throw fail(ssl, new TypeError('The pskCallback must return a Buffer, TypedArray or DataView (or null)'));
      return { key };
    },
  };
}

/** Keep the application's Error for the socket (what it is destroyed with), and give it back to throw. */
function fail(ssl: Ssl, e: unknown): unknown {
  recordAppError(ssl, e);
  return e;
}

function guard<T>(ssl: Ssl, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw fail(ssl, e);
  }
}
