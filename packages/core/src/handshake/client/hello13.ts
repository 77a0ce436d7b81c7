/**
 * The TLS 1.3 ClientHello (RFC 8446 §4.1.2) and the checks every answer to it passes (§4.1.3, §4.1.4): what the
 * client offered, kept for as long as a ServerHello or HelloRetryRequest may answer it.
 */
import { isHybridGroup } from '../../crypto/hybrid.js';
import type { GroupName, KeyShare } from '../../crypto/provider.js';
import type { CipherSuite } from '../../crypto/suites.js';
import { SslError } from '../../errors/ssl-error.js';
import type { SslSession } from '../../session/session.js';
import { equalBytes } from '../../wire/bytes.js';
import { emptyEarlyDataExtension } from '../../wire/early-data.js';
import { GROUP_CODES, ProtocolVersion, PskKeyExchangeMode, ExtensionType as X } from '../../wire/enums.js';
import {
  type Extension,
  encodeAlpn,
  encodeCookie,
  encodeKeyShareClient,
  encodePskModes,
  encodeServerName,
  encodeSupportedVersionsClient,
  encodeU16List,
  findExtension,
  parseSupportedVersionsServer,
} from '../../wire/extensions.js';
import { encodeClientHello, type ServerHello } from '../../wire/handshake.js';
import type { HandshakeContext } from '../context.js';
import type { ExternalPsk } from '../psk-external.js';
import { offerRecordSizeLimit } from '../record-size.js';
import { sniHostName } from '../server-name.js';
import { tls12HelloExtensions } from './hello12.js';
import { fillBinders, type OfferedPsk, preSharedKeyExtension, psksToOffer } from './psk-external.js';
import { type Offer12, offer12 } from './session12.js';

/** What the client offered: its random, key shares (#private: ECDHE private keys) and extensions. */
export class ClientOffer {
  readonly random: Uint8Array;
  /** Every extension type sent in a ClientHello of this handshake (a server may only answer those). */
  readonly sentExtensions = new Set<number>();
  /** TLS 1.2 resumption: legacy_session_id and session_ticket, fixed by the first ClientHello. memtls sends an
   * empty legacy_session_id otherwise (no middlebox-compatibility mode on the client). */
  resumption12: Offer12 | null = null;
  /** The PSKs the latest ClientHello offered, in order (the server's selected_identity indexes them). */
  psks: readonly OfferedPsk[] = [];
  #shares: KeyShare[];

  constructor(random: Uint8Array, shares: KeyShare[]) {
    this.random = random;
    this.#shares = shares;
  }

  /** The key shares sent (a method: inspection with getters must not reach the private keys). */
  shares(): readonly KeyShare[] {
    return this.#shares;
  }

  /** After a HelloRetryRequest naming a group: the one share for it replaces the first ones. */
  replaceShares(shares: KeyShare[]): void {
    this.#shares = shares;
  }
}

/**
 * The groups of the first ClientHello's key shares: the first configured group; when that is a hybrid ML-KEM group,
 * also the first ECDH group after it (as OpenSSL 3.5, Go and the browsers send X25519MLKEM768 + x25519), so that a
 * server without ML-KEM answers at once instead of with a HelloRetryRequest.
 */
export function initialShareGroups(groups: readonly GroupName[]): GroupName[] {
  const first = groups[0];
  if (first === undefined) return [];
  if (!isHybridGroup(first)) return [first];
  const classic = groups.find((g) => !isHybridGroup(g));
  return classic === undefined ? [first] : [first, classic];
}

/**
 * Build a ClientHello for `hostName`, offering `session` for resumption and/or the `external` PSK when given
 * (their binders computed over the transcript so far, RFC 8446 §4.2.11.2), with `cookie` and the suite
 * `hrrSuite` chose after a HelloRetryRequest; with `earlyData`, the early_data extension (RFC 8446 §4.2.10: only in
 * the first ClientHello, with `session` as the first PSK).
 */
export async function buildClientHello(cx: HandshakeContext, offer: ClientOffer, hostName: string | null, session: SslSession | null, cookie: Uint8Array | null, external: ExternalPsk | null = null, hrrSuite: CipherSuite | null = null, earlyData = false): Promise<Uint8Array> {
  const c = cx.config;
  const exts: Extension[] = [];
  // RFC 6066 §3: a DNS host name, lowercase, without a trailing dot; IP literals are not sent (server-name.ts).
  const sni = hostName === null ? null : sniHostName(hostName);
  if (sni !== null) exts.push({ type: X.SERVER_NAME, data: encodeServerName(sni) });
  // The hybrid ML-KEM groups only when TLS 1.3 is offered (TLS 1.2 cannot negotiate them).
  const groups = c.versions.tls13 ? c.groups : c.groups.filter((g) => !isHybridGroup(g));
  exts.push({ type: X.SUPPORTED_GROUPS, data: encodeU16List(groups.map((g) => GROUP_CODES[g])) });
  // With TLS 1.2 enabled, signature_algorithms also lists RSA PKCS#1 v1.5 (never accepted in TLS 1.3 CertificateVerify).
  exts.push({ type: X.SIGNATURE_ALGORITHMS, data: encodeU16List(c.versions.tls12 ? c.signatureSchemes12 : c.signatureSchemes) });
  if (c.versions.tls12) exts.push(...tls12HelloExtensions());
  // supported_versions, key_share and PSK modes only when TLS 1.3 is offered (a TLS 1.2-only ClientHello has none).
  if (c.versions.tls13) {
    exts.push({ type: X.SUPPORTED_VERSIONS, data: encodeSupportedVersionsClient(c.versions.tls12 ? [ProtocolVersion.TLS13, ProtocolVersion.TLS12] : [ProtocolVersion.TLS13]) });
    exts.push({ type: X.KEY_SHARE, data: encodeKeyShareClient(offer.shares().map((s) => ({ group: GROUP_CODES[s.group], keyExchange: s.publicKey }))) });
    exts.push({ type: X.PSK_KEY_EXCHANGE_MODES, data: encodePskModes([PskKeyExchangeMode.PSK_DHE_KE]) });
  }
  if (c.alpn?.length) exts.push({ type: X.ALPN, data: encodeAlpn(c.alpn) });
  if (cookie) exts.push({ type: X.COOKIE, data: encodeCookie(cookie) });
  const rsl = offerRecordSizeLimit(cx);
  if (rsl) exts.push(rsl);
  // RFC 8446 §4.2.6: post_handshake_auth (empty) when the application will answer a later CertificateRequest.
  if (c.postHandshakeAuth && c.versions.tls13) exts.push({ type: X.POST_HANDSHAKE_AUTH, data: new Uint8Array(0) });
  offer.resumption12 ??= offer12(c, session);
  if (offer.resumption12.ticket) exts.push(offer.resumption12.ticket);
  if (earlyData) exts.push(emptyEarlyDataExtension());
  // RFC 8446 §4.2.11: pre_shared_key is last; its binders cover the ClientHello up to the binders.
  offer.psks = psksToOffer(c, session, external, hrrSuite);
  if (offer.psks.length) exts.push(preSharedKeyExtension(c, offer.psks));
  for (const e of exts) offer.sentExtensions.add(e.type);
  const raw = encodeClientHello({
    legacyVersion: ProtocolVersion.TLS12,
    random: offer.random,
    sessionId: offer.resumption12.sessionId,
    cipherSuites: [...(c.versions.tls13 ? c.suites : []), ...(c.versions.tls12 ? c.suites12 : [])].map((s) => s.id),
    compressionMethods: new Uint8Array([0]),
    extensions: exts,
  });
  if (offer.psks.length) await fillBinders(cx, raw, offer.psks);
  return raw;
}

/** The checks a ServerHello and a HelloRetryRequest both pass (RFC 8446 §4.1.3, §4.1.4, §4.2.1). */
export function checkCommonHello(cx: HandshakeContext, sh: ServerHello, what: string, offer: ClientOffer): void {
  // The version first: the checks of RFC 8446 §4.1.3 apply to a TLS 1.3 ServerHello only, and a server that
  // picked another version gets protocol_version (as OpenSSL 3 answers a TLS 1.2 ServerHello).
  const sv = findExtension(sh.extensions, X.SUPPORTED_VERSIONS);
  if (!sv) throw new SslError('UNSUPPORTED_PROTOCOL', { detail: 'the server did not negotiate TLS 1.3 (TLS 1.2 is not enabled)' });
  // RFC 8446 §4.2.1: a version not offered, or one before TLS 1.3, is illegal_parameter.
  if (parseSupportedVersionsServer(sv) !== ProtocolVersion.TLS13 || !cx.config.versions.tls13) {
    throw new SslError('BAD_SELECTED_VERSION', { detail: 'supported_versions selected a version that was not offered' });
  }
  // RFC 8446 §4.1.3: legacy_version 0x0303, session id echoed, compression 0.
  if (sh.legacyVersion !== ProtocolVersion.TLS12) throw new SslError('BAD_LEGACY_VERSION', { detail: `${what} legacy_version` });
  if (!equalBytes(sh.sessionId, offer.resumption12?.sessionId ?? new Uint8Array(0))) throw new SslError('BAD_SESSION_ID', { detail: `${what} did not echo the session id` });
  if (sh.compressionMethod !== 0) throw new SslError('BAD_COMPRESSION');
  if (!cx.config.suites.some((s) => s.id === sh.cipherSuite)) {
    throw new SslError('WRONG_CIPHER_RETURNED', { detail: `${what} chose a suite that was not offered` });
  }
}
