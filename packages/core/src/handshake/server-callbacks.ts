/**
 * The application's server callbacks (ContextOptions.selectContext and alpnSelect), wrapped for the engine so
 * that whatever they do (throw, reject, return something else) ends in a result or an SslError with a reason:
 * CERT_CB_ERROR / CALLBACK_FAILED (alert internal_error, a local failure), or NO_APPLICATION_PROTOCOL.
 * Nothing the application's error says goes into the SslError (it may hold anything).
 */

import type { ReasonCode } from '../errors/reasons.js';
import { SslError } from '../errors/ssl-error.js';
import type { Credential, EngineConfig } from './config.js';

const failed = (reason: ReasonCode, detail: string): SslError => new SslError(reason, { detail, origin: 'local' });

/**
 * The engine's `selectCredentials` and `alpnSelect` for one connection (`owner` is the facade's Ssl, passed to the
 * callbacks as it is: the handshake layer does not know its type).
 * @param credentialsOf the certificates of a server SslContext, null for anything else
 */
export function wrapServerCallbacks<Owner>(
  selectContext: ((serverName: string | null, owner: Owner) => unknown) | null | undefined,
  alpnSelect: ((info: { serverName: string | null; protocols: string[] }, owner: Owner) => unknown) | null | undefined,
  owner: Owner,
  credentialsOf: (chosen: unknown) => readonly Credential[] | null,
): Pick<EngineConfig, 'selectCredentials' | 'alpnSelect'> {
  return {
    selectCredentials: selectContext
      ? async (serverName) => {
          let chosen: unknown;
          try {
            chosen = await selectContext(serverName, owner);
          } catch {
            throw failed('CERT_CB_ERROR', 'the certificate selection callback failed');
          }
          if (chosen === null || chosen === undefined) return null;
          const creds = credentialsOf(chosen);
          if (!creds) throw failed('CERT_CB_ERROR', 'the certificate selection callback returned no server SslContext');
          return creds;
        }
      : null,
    alpnSelect: alpnSelect
      ? (serverName, protocols) => {
          let chosen: unknown;
          try {
            chosen = alpnSelect({ serverName, protocols: protocols.slice() }, owner);
          } catch {
            throw failed('CALLBACK_FAILED', 'the ALPN selection callback threw');
          }
          if (chosen === undefined || chosen === null) throw new SslError('NO_APPLICATION_PROTOCOL', { detail: 'the ALPN selection callback chose none of the offered protocols' });
          if (typeof chosen !== 'string' || !protocols.includes(chosen)) throw failed('CALLBACK_FAILED', 'the ALPN selection callback returned a protocol the client did not offer');
          return chosen;
        }
      : null,
  };
}
