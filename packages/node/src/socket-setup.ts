/**
 * How a `MemtlsSocket` makes its `Ssl` from Node-style options, and reads Node's `authorized` /
 * `authorizationError` from it once the handshake is done.
 *
 * Rules
 * - A client that checks the server's identity needs `servername` (connect() defaults it to host); the
 *   check happens synchronously, before anything is sent.
 * - The SNI name on the wire is lowercase, without a trailing dot, and absent for an IP literal.
 * - 'keylog' lines are secrets: they are handed on only while someone listens (the caller's `onKeylog`).
 */
export { earlyDataPlan } from './early-data.js';

import { Ssl, type SslOptions, SslSession, sniHostName } from '@memtls/core';
import { authorizationErrorName, contextFromOptions, setKeylogTarget } from './options.js';
import { setPskSocket } from './psk.js';
import type { MemtlsSocketOptions } from './socket-types.js';
import { identityAuthorizationError, setIdentityCheck } from './tls-callbacks.js';

/**
 * The `Ssl` of `socket`, for a client the SNI name it sends (null for none or an IP literal) and the session it
 * offers.
 */
export function newSocketSsl(opts: MemtlsSocketOptions, isServer: boolean, onKeylog: (line: Buffer) => void, socket: object): { ssl: Ssl; sniSent: string | null; offered: SslSession | null } {
  const ctx = contextFromOptions(isServer ? 'server' : 'client', opts);
  const sslOpts: SslOptions = {};
  let sniSent: string | null = null;
  if (!isServer) {
    if (opts.servername === undefined && (ctx.needsServerName || opts.checkServerIdentity !== undefined)) {
      throw new TypeError('MemtlsSocket: servername is required to check the server certificate (connect() defaults it to host); to verify the chain only, pass a secureContext made with verifyHostname: false');
    }
    if (opts.servername !== undefined) {
      sslOpts.serverName = opts.servername;
      // What goes on the wire: lowercase, no trailing dot, nothing for an IP literal (TypeError if invalid).
      sniSent = sniHostName(opts.servername);
    }
    if (opts.session !== undefined) sslOpts.session = SslSession.fromBytes(new Uint8Array(opts.session));
  }
  const ssl = new Ssl(ctx, sslOpts);
  if (!isServer && opts.checkServerIdentity) setIdentityCheck(ssl, opts.checkServerIdentity, opts.servername as string);
  setKeylogTarget(ssl, onKeylog);
  setPskSocket(ssl, socket);
  return { ssl, sniSent, offered: sslOpts.session ?? null };
}

/** Node's `authorized` / `authorizationError` after the handshake, or null to leave them as they are. */
export function authorizationOf(ssl: Ssl, isServer: boolean): [boolean, string | null] | null {
  // The core's verify result: X509_V_OK only for a validated path (a resumed session reports the result of
  // its full handshake), the error a lax rejectUnauthorized accepted, or X509_V_ERR_NOT_VERIFIED.
  const code = ssl.verifyResult();
  // A client whose server proved the external PSK is authorized, as in Node (no certificate was verified:
  // verifyResult() stays X509_V_ERR_NOT_VERIFIED). A server keeps Node's meaning: a verified client certificate.
  if (!isServer && ssl.pskIdentity() !== null) return [true, null];
  let result: [boolean, string | null] | null = null;
  if (!isServer || code !== 'X509_V_ERR_NOT_VERIFIED') result = code === 'X509_V_OK' ? [true, null] : [false, authorizationErrorName(code)];
  const refusedIdentity = identityAuthorizationError(ssl);
  return refusedIdentity !== null ? [false, refusedIdentity] : result;
}
