/**
 * Node's `tls` callbacks on top of the core's hooks: `SNICallback` and `ALPNCallback` (server options, through
 * `ContextOptions.selectContext` / `alpnSelect`) and `checkServerIdentity` (client option, through the context's
 * verify callback).
 *
 * Rules:
 * - The core turns any failure of a callback into a reason and an alert (CERT_CB_ERROR / CALLBACK_FAILED:
 *   internal_error; NO_APPLICATION_PROTOCOL). The application's own Error is kept per connection here and is
 *   what the socket is destroyed with (so `'tlsClientError'` / `'error'` carry it, as in Node).
 * - `checkServerIdentity` replaces the core's host name check, never the path validation: it runs only for a
 *   chain that verified, and gets Node's detailed certificate (linked up the verified path to the root).
 *   Its Error refuses the connection with `rejectUnauthorized`; without, the connection goes on with
 *   `authorized` false and `authorizationError` = the Error's `code`, else its `message` (Node 20).
 * - Contexts stay shareable: per-connection state is looked up by the connection (`Ssl`).
 */
import { type ContextOptions, type Ssl, SslContext, type VerifyInfo } from '@memtls/core';
import { type PeerCertificate, peerCertificateFromChain } from './peer-certificate.js';

/** Node's `checkServerIdentity(hostname, cert)`: an Error to refuse the server, undefined to accept it. */
export type CheckServerIdentity = (hostname: string, cert: PeerCertificate) => Error | undefined;
/** Node's `SNICallback(servername, cb)`; `cb(null, ctx)` with a server `SslContext` (see `createSecureContext`),
 * `cb(null)` for the server's own certificate, `cb(err)` to refuse the connection. */
export type SNICallback = (servername: string, cb: (err: Error | null, ctx?: SslContext | null) => void) => void;
/** Node's `ALPNCallback({ servername, protocols })`: one of `protocols`, or undefined to refuse with
 * no_application_protocol. `servername` is false when the client sent no SNI (as in Node 20). */
export type ALPNCallback = (arg: { servername: string | false; protocols: string[] }) => string | undefined;

const appErrors = new WeakMap<Ssl, Error>();
const identityChecks = new WeakMap<Ssl, { check: CheckServerIdentity; hostname: string }>();
const identityErrors = new WeakMap<Ssl, Error>();

const toError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

/** Keep `e`, thrown by an application callback for `ssl`, as the Error its socket is destroyed with. */
export function recordAppError(ssl: Ssl, e: unknown): void {
  appErrors.set(ssl, toError(e));
}

/** The application's Error that failed the handshake of `ssl` (from a callback), if any; forgotten once read. */
export function takeAppError(ssl: Ssl): Error | undefined {
  const e = appErrors.get(ssl);
  appErrors.delete(ssl);
  return e;
}

/** Run `check` for the connection `ssl` when its server's chain verified. */
export function setIdentityCheck(ssl: Ssl, check: CheckServerIdentity, hostname: string): void {
  identityChecks.set(ssl, { check, hostname });
}

/** Node's `authorizationError` for the Error `checkServerIdentity` returned for `ssl` (the connection went on:
 * rejectUnauthorized false): its `code`, else its `message`; null when it returned none. */
export function identityAuthorizationError(ssl: Ssl): string | null {
  const e = identityErrors.get(ssl);
  if (!e) return null;
  const code = (e as { code?: unknown }).code;
  return code ? String(code) : e.message;
}

/** The client's verify callback: the core's result, then the connection's `checkServerIdentity`, if any. */
export function clientVerifyCallback(reject: boolean): (info: VerifyInfo, ssl: Ssl) => boolean {
  return (info, ssl) => {
    const entry = identityChecks.get(ssl);
    // A chain that failed validation stays refused (or lax-accepted) whatever the callback would say.
    if (!info.ok || !entry) return info.ok || !reject;
    let err: Error | undefined;
    try {
      const r: unknown = entry.check(entry.hostname, peerCertificateFromChain(info.chain, true, info.verifiedChain) as PeerCertificate);
      err = r === undefined || r === null ? undefined : toError(r);
    } catch (e) {
      // Node lets this escape as an uncaught exception; here it refuses the server like a returned Error.
      err = toError(e);
    }
    if (!err) return true;
    identityErrors.set(ssl, err);
    if (reject) appErrors.set(ssl, err);
    return !reject;
  };
}

/** The core hooks for Node's server callbacks in `opts` (TypeError on misuse, as Node). */
export function serverCallbacks(opts: { SNICallback?: SNICallback; ALPNCallback?: ALPNCallback; ALPNProtocols?: string[] }): Pick<ContextOptions, 'selectContext' | 'alpnSelect'> {
  const out: Pick<ContextOptions, 'selectContext' | 'alpnSelect'> = {};
  const { SNICallback: sni, ALPNCallback: alpn } = opts;
  if (sni !== undefined) {
    if (typeof sni !== 'function') throw new TypeError('The "options.SNICallback" property must be of type function');
    out.selectContext = (name, ssl) => (name === null ? null : askSni(sni, name, ssl));
  }
  if (alpn !== undefined) {
    if (typeof alpn !== 'function') throw new TypeError('The "options.ALPNCallback" property must be of type function');
    if (opts.ALPNProtocols !== undefined) {
      throw Object.assign(new TypeError('The ALPNCallback and ALPNProtocols TLS options are mutually exclusive'), { code: 'ERR_TLS_ALPN_CALLBACK_WITH_PROTOCOLS' });
    }
    out.alpnSelect = ({ serverName, protocols }, ssl) => {
      let chosen: string | undefined;
      try {
        chosen = alpn({ servername: serverName ?? false, protocols });
      } catch (e) {
        appErrors.set(ssl, toError(e));
        throw e;
      }
      if (chosen !== undefined && !protocols.includes(chosen)) {
        const msg = `ALPN callback returned a value (${String(chosen)}) that did not match any of the client's offered protocols (${protocols.join(', ')})`;
        appErrors.set(ssl, Object.assign(new Error(msg), { code: 'ERR_TLS_ALPN_CALLBACK_INVALID_RESULT' }));
      }
      return chosen;
    };
  }
  return out;
}

/** One SNICallback call as a promise; its first answer counts. */
function askSni(sni: SNICallback, name: string, ssl: Ssl): Promise<SslContext | null> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const refuse = (e: unknown): void => {
      appErrors.set(ssl, toError(e));
      reject(e);
    };
    try {
      sni(name, (err, ctx) => {
        if (answered) return;
        answered = true;
        if (err) refuse(err);
        else if (ctx === null || ctx === undefined) resolve(null);
        else if (!(ctx instanceof SslContext) || ctx.role !== 'server') refuse(new Error('Invalid SNI context'));
        else resolve(ctx);
      });
    } catch (e) {
      if (!answered) {
        answered = true;
        refuse(e);
      }
    }
  });
}
