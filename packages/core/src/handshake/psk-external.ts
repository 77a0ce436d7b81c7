/**
 * External PSKs (RFC 8446 §4.2.11 with a key agreed out of band; OpenSSL's SSL_set_psk_use_session_callback and
 * SSL_CTX_set_psk_find_session_callback): what both roles share. The application's callbacks
 * (ContextOptions.pskUseSession / pskFindSession) are wrapped here so that whatever they do (throw, return
 * something else) ends in a PSK, null, or an SslError with a reason (CALLBACK_FAILED, a local failure: alert
 * internal_error). The key lives in a #private field: no inspection, enumeration or JSON reaches it.
 *
 * Rules:
 * - An external PSK is bound to one hash, that of its `cipher` (default TLS_AES_128_GCM_SHA256, SHA-256, as
 *   OpenSSL's s_server/s_client -psk): it is only offered or accepted with a suite of that hash.
 * - Its binder key uses the label "ext binder" (RFC 8446 §7.1); its obfuscated_ticket_age is 0 (§4.2.11).
 * - Only psk_dhe_ke is used: every PSK handshake still runs (EC)DHE, for forward secrecy.
 */
import type { CryptoProvider } from '../crypto/provider.js';
import { type CipherSuite, suiteByName } from '../crypto/suites.js';
import { SslError } from '../errors/ssl-error.js';
import { finishedVerifyData, KeySchedule } from '../keys/tls13-key-schedule.js';

/** The most key bytes accepted (OpenSSL's PSK_MAX_PSK_LEN). */
export const MAX_PSK_KEY_LENGTH = 512;
/** The most identity bytes accepted (the identity is a vector<1..2^16-1>). */
export const MAX_PSK_IDENTITY_LENGTH = 65535;
/** The suite whose hash an external PSK is bound to when the callback names none (as OpenSSL's -psk). */
export const DEFAULT_PSK_CIPHER = 'TLS_AES_128_GCM_SHA256';

/** One external PSK: its identity, the suite whose hash it is bound to, and the key (#private). */
export class ExternalPsk {
  readonly identity: Uint8Array;
  readonly suite: CipherSuite;
  readonly #key: Uint8Array;

  constructor(identity: Uint8Array, key: Uint8Array, suite: CipherSuite) {
    this.identity = identity;
    this.suite = suite;
    this.#key = key;
  }

  /** The key, for the key schedule only. */
  key(): Uint8Array {
    return this.#key;
  }

  /** The binder of RFC 8446 §4.2.11.2 over `partialHelloHash` (the transcript hash up to the binders). */
  async binder(provider: CryptoProvider, partialHelloHash: Uint8Array): Promise<Uint8Array> {
    const ks = new KeySchedule(provider, this.suite.hash);
    await ks.early(this.#key);
    return finishedVerifyData(provider, this.suite.hash, await ks.binderKey('ext binder'), partialHelloHash);
  }
}

const failed = (detail: string): SslError => new SslError('CALLBACK_FAILED', { detail, origin: 'local' });
const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;

/** What a callback returned, checked: `identity` comes from the client's callback, or is the one looked up. */
function externalPskFrom(r: unknown, who: string, identity: Uint8Array | null): ExternalPsk | null {
  if (r === null || r === undefined) return null;
  if (typeof r !== 'object') throw failed(`${who} returned neither an object nor null`);
  const o = r as { identity?: unknown; key?: unknown; cipher?: unknown };
  const id = identity ?? o.identity;
  if (!isBytes(id) || id.length === 0 || id.length > MAX_PSK_IDENTITY_LENGTH) throw failed(`${who} returned an identity that is not 1..${MAX_PSK_IDENTITY_LENGTH} bytes`);
  if (!isBytes(o.key) || o.key.length === 0 || o.key.length > MAX_PSK_KEY_LENGTH) throw failed(`${who} returned a key that is not 1..${MAX_PSK_KEY_LENGTH} bytes`);
  const cipher = o.cipher ?? DEFAULT_PSK_CIPHER;
  const suite = typeof cipher === 'string' ? suiteByName(cipher) : undefined;
  if (!suite) throw failed(`${who} named a cipher that is not a TLS 1.3 suite`);
  return new ExternalPsk(id.slice(), o.key.slice(), suite);
}

/** What a server's pskFindSession returns for an identity it knows. */
export interface ExternalPskKey {
  /** The key, 1 to 512 bytes. */
  key: Uint8Array;
  /** The IANA name of the TLS 1.3 suite whose hash the key is bound to (default TLS_AES_128_GCM_SHA256). */
  cipher?: string;
}

/** What a client's pskUseSession returns: the PSK to offer. */
export interface ExternalPskOffer extends ExternalPskKey {
  /** The identity sent to the server, 1 to 65535 bytes. */
  identity: Uint8Array;
}

/** The external-PSK options of a context (ContextOptions); `S` is the connection type, `Ssl`. */
export interface PskOptions<S> {
  /**
   * Server: the external PSK for an identity the client offers (OpenSSL's SSL_CTX_set_psk_find_session_callback;
   * Node's server `pskCallback`), or null when it is unknown (the handshake then goes on without it: it needs a
   * certificate). `cipher` is the IANA name of the TLS 1.3 suite whose hash the key is bound to (default
   * TLS_AES_128_GCM_SHA256, i.e. SHA-256, as `openssl s_server -psk`). Called synchronously with a copy of the
   * identity and the connection. With it, a server needs no certificate: a client that agrees no PSK is then
   * refused with handshake_failure. A callback that throws or returns anything else fails the handshake with
   * CALLBACK_FAILED (internal_error). TLS 1.3 only (psk_dhe_ke); TLS 1.2 PSK suites are not implemented.
   */
  pskFindSession?: (identity: Uint8Array, ssl: S) => ExternalPskKey | null;
  /**
   * Client: the external PSK to offer (OpenSSL's SSL_set_psk_use_session_callback; Node's client `pskCallback`),
   * or null for none. Called once per connection, before the first ClientHello; `cipher` as for pskFindSession.
   * The PSK is offered after a resumption ticket when there is one. When the server accepts it, it authenticates
   * the server in place of a certificate: `Ssl.pskIdentity()` names it and `verifyResult()` stays
   * X509_V_ERR_NOT_VERIFIED (no certificate was verified). With it, `verifyPeer` needs no `ca`: a verifying
   * client without trust anchors accepts no certificate, so the server must accept the PSK.
   */
  pskUseSession?: (ssl: S) => ExternalPskOffer | null;
}

/**
 * Check the PSK options of a context for `role` (TypeError on misuse) and return the engine's wrapped callbacks
 * for a connection (`owner`: the connection the callbacks are given).
 */
export function pskCallbacks<S>(opts: PskOptions<S>, role: 'client' | 'server'): (owner: S) => { pskUse: (() => ExternalPsk | null) | null; pskFind: ((identity: Uint8Array) => ExternalPsk | null) | null } {
  const { pskFindSession: find, pskUseSession: use } = opts;
  if (find !== undefined && typeof find !== 'function') throw new TypeError('SslContext: pskFindSession must be a function');
  if (use !== undefined && typeof use !== 'function') throw new TypeError('SslContext: pskUseSession must be a function');
  if (find !== undefined && role !== 'server') throw new TypeError('SslContext: pskFindSession is a server option');
  if (use !== undefined && role !== 'client') throw new TypeError('SslContext: pskUseSession is a client option');
  return (owner) => ({
    pskUse: use ? wrapPskUse(() => use(owner)) : null,
    pskFind: find ? wrapPskFind((identity) => find(identity, owner)) : null,
  });
}

/** The client's callback (ContextOptions.pskUseSession), wrapped: an ExternalPsk, null, or CALLBACK_FAILED. */
export function wrapPskUse(cb: () => unknown): () => ExternalPsk | null {
  return () => {
    let r: unknown;
    try {
      r = cb();
    } catch {
      throw failed('the pskUseSession callback threw');
    }
    return externalPskFrom(r, 'the pskUseSession callback', null);
  };
}

/** The server's callback (ContextOptions.pskFindSession), wrapped: an ExternalPsk, null, or CALLBACK_FAILED. */
export function wrapPskFind(cb: (identity: Uint8Array) => unknown): (identity: Uint8Array) => ExternalPsk | null {
  return (identity) => {
    let r: unknown;
    try {
      // A copy: the callback may keep or change what it is given.
      r = cb(identity.slice());
    } catch {
      throw failed('the pskFindSession callback threw');
    }
    return externalPskFrom(r, 'the pskFindSession callback', identity);
  };
}
