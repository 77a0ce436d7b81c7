/**
 * What a TLS 1.3 server decides from a ClientHello (RFC 8446 §4.1.2, §4.2): version, suite, certificate and
 * signature scheme, ALPN, and the PSK to resume with. Negotiation follows the client's preference order for
 * suites (as OpenSSL does by default) and the server's order for ALPN.
 */
import type { HashName } from '../../crypto/provider.js';
import type { CipherSuite } from '../../crypto/suites.js';
import { SslError } from '../../errors/ssl-error.js';
import { finishedVerifyData, KeySchedule } from '../../keys/tls13-key-schedule.js';
import type { CachedSession } from '../../session/cache.js';
import { concat, equalBytes } from '../../wire/bytes.js';
import { PskKeyExchangeMode, ExtensionType as X } from '../../wire/enums.js';
import { findExtension, parseAlpn, parsePreSharedKeyClient, parsePskModes, parseU16List } from '../../wire/extensions.js';
import type { ClientHello } from '../../wire/handshake.js';
import type { Credential } from '../config.js';
import type { HandshakeContext } from '../context.js';
import { serverNameFromExtension } from '../server-name.js';
import { schemeList, tls13SchemesForKey } from '../signature.js';
import { findTicket } from './ticket-store.js';

/** The certificate and signature scheme the server authenticates with. */
export interface CertificateAuth {
  credential: Credential;
  scheme: number;
}

/** What the server chose for this ClientHello. */
export interface Negotiated {
  suite: CipherSuite;
  /** The certificate, or why none can be used: thrown unless a PSK authenticates the handshake instead. */
  auth: CertificateAuth | SslError;
  alpn: string | null;
  sni: string | null;
}

/** The PSK the server resumes with: the identity's index, the session and its cache id (null: a stateless ticket). */
export interface SelectedPsk {
  index: number;
  entry: CachedSession;
  id: Uint8Array | null;
}

/**
 * Choose version, suite (`hrrSuite` after a HelloRetryRequest; else the client's first, or its first of hash
 * `pskHash` when an external PSK was found), certificate (from `credentials` when the application chose them,
 * else the context's), signature scheme and ALPN. Throws the refusal; a certificate refusal is only kept in
 * `auth` when the client offers a PSK that may authenticate the handshake instead.
 */
export function negotiate(cx: HandshakeContext, ch: ClientHello, credentials: readonly Credential[] | null, hrrSuite: CipherSuite | null, pskHash: HashName | null = null): Negotiated {
  const c = cx.config;
  // The version was chosen before (server/hello.ts). RFC 8446 §4.1.2: exactly one compression method, null.
  if (ch.compressionMethods.length !== 1 || ch.compressionMethods[0] !== 0) throw new SslError('BAD_COMPRESSION');
  // RFC 8446 §4.2.11: pre_shared_key must be the last extension.
  const pskIdx = ch.extensions.findIndex((e) => e.type === X.PRE_SHARED_KEY);
  if (pskIdx >= 0 && pskIdx !== ch.extensions.length - 1) throw new SslError('BAD_EXTENSION', { detail: 'pre_shared_key is not the last extension' });
  // The client's order decides; a Set keeps a list of 32767 suites linear to search.
  const offeredSuites = new Set(ch.cipherSuites);
  let suite: CipherSuite | undefined;
  for (const id of hrrSuite ? [hrrSuite.id] : ch.cipherSuites) {
    const s = offeredSuites.has(id) ? c.suites.find((x) => x.id === id) : undefined;
    if (s && (!pskHash || s.hash === pskHash)) {
      suite = s;
      break;
    }
    suite ??= s;
  }
  if (!suite) throw new SslError('NO_SHARED_CIPHER');
  const sni = findExtension(ch.extensions, X.SERVER_NAME);
  const serverName = sni ? serverNameFromExtension(sni) : null;
  let auth: CertificateAuth | SslError;
  try {
    auth = certificateAuth(cx, ch, credentials, serverName);
  } catch (e) {
    // RFC 8446 §4.2.3: signature_algorithms and a certificate are needed when a certificate authenticates.
    if (!(e instanceof SslError) || !findExtension(ch.extensions, X.PRE_SHARED_KEY)) throw e;
    auth = e;
  }
  return { suite, auth, alpn: selectAlpn(cx, ch, serverName), sni: serverName };
}

/** The certificate for `serverName` and the scheme our key signs with. Throws the refusal. */
function certificateAuth(cx: HandshakeContext, ch: ClientHello, credentials: readonly Credential[] | null, serverName: string | null): CertificateAuth {
  const c = cx.config;
  const sigalgs = findExtension(ch.extensions, X.SIGNATURE_ALGORITHMS);
  if (!sigalgs) throw new SslError('MISSING_SIGALGS_EXTENSION');
  const offered = parseU16List(sigalgs, 'signature_algorithms');
  const credential = pickCredential(credentials ?? c.credentials, serverName);
  if (!credential) throw new SslError('NO_SUITABLE_SIGNATURE_ALGORITHM', { detail: 'no certificate configured and no PSK agreed', origin: 'local' });
  // Our key signs with a scheme the client offered, that the key can make and that our sigalgs allow.
  const mine = tls13SchemesForKey(credential.keyType, credential.keyBits).filter((s) => c.signatureSchemes.includes(s));
  const scheme = offered.find((s) => mine.includes(s));
  if (scheme === undefined) {
    throw new SslError('NO_SUITABLE_SIGNATURE_ALGORITHM', { detail: `the client offers none of the schemes our ${credential.keyType} key may sign with (${schemeList(mine)})` });
  }
  return { credential, scheme };
}

/** The ALPN protocol (RFC 7301 §3.2): the application's choice, else our first that the client offers. */
export function selectAlpn(cx: HandshakeContext, ch: ClientHello, serverName: string | null): string | null {
  const c = cx.config;
  const alpnExt = findExtension(ch.extensions, X.ALPN);
  if (!alpnExt) return null;
  const theirs = parseAlpn(alpnExt);
  if (c.alpnSelect) return c.alpnSelect(serverName, theirs);
  if (!c.alpn?.length) return null;
  const alpn = c.alpn.find((p) => theirs.includes(p)) ?? null;
  if (alpn === null) throw new SslError('NO_APPLICATION_PROTOCOL');
  return alpn;
}

/**
 * Choose a PSK from the ClientHello (RFC 8446 §4.2.11): the first identity that is a ticket of ours, unexpired
 * and of the suite's hash, with its binder verified over `prefix` (the transcript before this ClientHello) and
 * the ClientHello up to the binders. A bad binder is fatal; an unknown ticket is ignored.
 */
export async function selectPsk(cx: HandshakeContext, ch: ClientHello, raw: Uint8Array, prefix: Uint8Array, suite: CipherSuite): Promise<SelectedPsk | null> {
  const pskExt = findExtension(ch.extensions, X.PRE_SHARED_KEY);
  if (!pskExt) return null;
  const modesExt = findExtension(ch.extensions, X.PSK_KEY_EXCHANGE_MODES);
  if (!modesExt) throw new SslError('MISSING_PSK_KEX_MODES_EXTENSION', { detail: 'pre_shared_key without psk_key_exchange_modes' });
  const offered = parsePreSharedKeyClient(pskExt);
  const p = cx.config.provider;
  if (!cx.config.sessionCache || !parsePskModes(modesExt).includes(PskKeyExchangeMode.PSK_DHE_KE)) return null;
  const budget = { opens: 0 };
  for (let i = 0; i < offered.identities.length; i++) {
    const id = (offered.identities[i] as { identity: Uint8Array }).identity;
    // A stateless ticket (opened: at most MAX_TICKET_OPENS per ClientHello) or a cache id (server/ticket-store.ts).
    const found = await findTicket(cx, id, budget);
    const entry = found?.entry;
    if (entry?.version !== 'TLSv1.3' || entry.hash !== suite.hash) continue;
    const ks = new KeySchedule(p, suite.hash);
    await ks.early(entry.psk);
    const th = await p.hash(suite.hash, concat(prefix, raw.subarray(0, raw.length - offered.bindersLength)));
    const expected = await finishedVerifyData(p, suite.hash, await ks.binderKey(), th);
    if (!equalBytes(expected, offered.binders[i] as Uint8Array)) throw new SslError('BAD_PSK_BINDER');
    return { index: i, entry, id: found?.cacheId ?? null };
  }
  return null;
}

/** Pick the certificate for an SNI name: exact or single-label wildcard match, else the first one. */
export function pickCredential(creds: readonly Credential[], sni: string | null): Credential | undefined {
  if (sni) {
    const name = sni.toLowerCase();
    for (const c of creds) {
      for (const n of c.names) {
        const pat = n.toLowerCase();
        if (pat === name) return c;
        if (pat.startsWith('*.') && name.endsWith(pat.slice(1)) && !name.slice(0, name.length - pat.length + 1).includes('.')) return c;
      }
    }
  }
  return creds[0];
}
