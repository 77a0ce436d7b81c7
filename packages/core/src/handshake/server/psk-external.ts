/**
 * The server's external PSKs (RFC 8446 §4.2.11; OpenSSL's SSL_CTX_set_psk_find_session_callback): the identity of
 * the ClientHello's pre_shared_key that the application's pskFindSession knows, the suite preference it implies
 * and the check of its binder.
 *
 * Rules:
 * - The callback is asked for the client's identities in order, once per ClientHello, until it knows one
 *   (tickets of our own session cache are tried first, by selectPsk: an identity found there never reaches it).
 * - Only with psk_dhe_ke among the client's psk_key_exchange_modes (memtls does not do psk_ke).
 * - A known PSK makes the server prefer, in the client's order, a suite of the PSK's hash (as OpenSSL prefers
 *   SHA-256 suites when it has PSKs); a PSK whose hash does not fit the chosen suite (after a HelloRetryRequest)
 *   is not used.
 * - A binder that does not verify is fatal: decrypt_error (BAD_PSK_BINDER); an unknown identity is not.
 */
import type { CipherSuite } from '../../crypto/suites.js';
import { SslError } from '../../errors/ssl-error.js';
import { concat, equalBytes } from '../../wire/bytes.js';
import { PskKeyExchangeMode, ExtensionType as X } from '../../wire/enums.js';
import { findExtension, parsePreSharedKeyClient, parsePskModes } from '../../wire/extensions.js';
import type { ClientHello } from '../../wire/handshake.js';
import type { HandshakeContext } from '../context.js';
import type { ExternalPsk } from '../psk-external.js';

/** An external PSK the client offered and the application knows: its index among the client's identities. */
export interface ExternalCandidate {
  index: number;
  psk: ExternalPsk;
}

/** The external PSK chosen for the handshake (its binder verified). */
export interface SelectedExternalPsk {
  index: number;
  external: ExternalPsk;
}

/** The first of the client's identities that the application's pskFindSession knows, or null. */
export function findExternalPsk(cx: HandshakeContext, ch: ClientHello): ExternalCandidate | null {
  const find = cx.config.pskFind;
  const pskExt = findExtension(ch.extensions, X.PRE_SHARED_KEY);
  // A pre_shared_key that is not the last extension is refused by negotiate() before anything is looked up.
  if (!find || !pskExt || ch.extensions.at(-1)?.type !== X.PRE_SHARED_KEY) return null;
  const modesExt = findExtension(ch.extensions, X.PSK_KEY_EXCHANGE_MODES);
  if (!modesExt) throw new SslError('MISSING_PSK_KEX_MODES_EXTENSION', { detail: 'pre_shared_key without psk_key_exchange_modes' });
  if (!parsePskModes(modesExt).includes(PskKeyExchangeMode.PSK_DHE_KE)) return null;
  const offered = parsePreSharedKeyClient(pskExt);
  for (let i = 0; i < offered.identities.length; i++) {
    const psk = find((offered.identities[i] as { identity: Uint8Array }).identity);
    if (psk) return { index: i, psk };
  }
  return null;
}

/**
 * Use `candidate` with `suite` if their hashes agree: its binder is checked over `prefix` (the transcript before
 * this ClientHello) and the ClientHello up to the binders. Null when the hashes differ.
 */
export async function selectExternalPsk(cx: HandshakeContext, ch: ClientHello, raw: Uint8Array, prefix: Uint8Array, suite: CipherSuite, candidate: ExternalCandidate | null): Promise<SelectedExternalPsk | null> {
  if (!candidate || candidate.psk.suite.hash !== suite.hash) return null;
  const offered = parsePreSharedKeyClient(findExtension(ch.extensions, X.PRE_SHARED_KEY) as Uint8Array);
  const p = cx.config.provider;
  const th = await p.hash(suite.hash, concat(prefix, raw.subarray(0, raw.length - offered.bindersLength)));
  const expected = await candidate.psk.binder(p, th);
  if (!equalBytes(expected, offered.binders[candidate.index] as Uint8Array)) throw new SslError('BAD_PSK_BINDER', { detail: 'external PSK binder' });
  return { index: candidate.index, external: candidate.psk };
}
