/**
 * What a TLS 1.2 server decides from a ClientHello (RFC 5246 §7.4.1.2, RFC 8422 §5.1, RFC 7627, RFC 5746): the
 * suite (ECDHE with an AEAD, the client's order, fitting our certificate), the group, the signature scheme of
 * ServerKeyExchange, ALPN, and whether the extended master secret and secure renegotiation are in use.
 */
import { isHybridGroup } from '../../crypto/hybrid.js';
import type { GroupName } from '../../crypto/provider.js';
import { type CipherSuite, EMPTY_RENEGOTIATION_INFO_SCSV, TLS12_SUITES } from '../../crypto/suites.js';
import { SslError } from '../../errors/ssl-error.js';
import { GROUP_CODES, ExtensionType as X } from '../../wire/enums.js';
import { type Extension, findExtension, parseAlpn, parseU16List } from '../../wire/extensions.js';
import type { ClientHello } from '../../wire/handshake.js';
import { parseEcPointFormats, parseRenegotiationInfo } from '../../wire/handshake12.js';
import type { Credential } from '../config.js';
import type { HandshakeContext } from '../context.js';
import { answerRecordSizeLimit } from '../record-size.js';
import { serverNameFromExtension } from '../server-name.js';
import { schemeList, tls12SchemesForKey } from '../signature.js';
import { authFits } from '../tls12-keys.js';
import { pickCredential, selectAlpn } from './hello13.js';

export interface Negotiated12 {
  suite: CipherSuite;
  credential: Credential;
  scheme: number;
  group: GroupName;
  alpn: string | null;
  sni: string | null;
  /** The client offered extended_master_secret: it is echoed and used. */
  ems: boolean;
  /** The client signalled RFC 5746 (extension or SCSV): renegotiation_info is echoed. */
  secureRenegotiation: boolean;
  /** The client sent ec_point_formats: ours goes back. */
  pointFormats: boolean;
  /** Our answer to the client's record_size_limit (RFC 8449; null: it sent none): the limits are in force. */
  recordSizeLimit: Extension | null;
}

/** The named curve of an ECDSA key (its certificate is usable only if the client lists the curve, RFC 8422 §5.1). */
const KEY_CURVE: Record<string, GroupName> = { 'ec-p256': 'secp256r1', 'ec-p384': 'secp384r1' };

export function negotiate12(cx: HandshakeContext, ch: ClientHello, credentials: readonly Credential[] | null): Negotiated12 {
  const c = cx.config;
  if (!ch.compressionMethods.includes(0)) throw new SslError('BAD_COMPRESSION', { detail: 'the client does not offer null compression' });
  const sniExt = findExtension(ch.extensions, X.SERVER_NAME);
  const sni = sniExt ? serverNameFromExtension(sniExt) : null;
  // RFC 5746 §3.6: an initial ClientHello carries an empty renegotiation_info, or the SCSV.
  const ri = findExtension(ch.extensions, X.RENEGOTIATION_INFO);
  if (ri && parseRenegotiationInfo(ri).length !== 0) throw new SslError('RENEGOTIATION_MISMATCH', { detail: 'non-empty renegotiation_info in an initial ClientHello' });
  const emsExt = findExtension(ch.extensions, X.EXTENDED_MASTER_SECRET);
  if (emsExt && emsExt.length !== 0) throw SslError.decode('extended_master_secret with a body');
  if (!emsExt && c.requireExtendedMasterSecret) {
    throw new SslError('EXTENDED_MASTER_SECRET_REQUIRED', { detail: 'the client does not offer the extended master secret (RFC 7627) and requireExtendedMasterSecret is set' });
  }
  const pf = findExtension(ch.extensions, X.EC_POINT_FORMATS);
  if (pf && !parseEcPointFormats(pf).includes(0)) throw new SslError('BAD_EXTENSION', { detail: 'ec_point_formats without uncompressed' });
  // Every extension is parsed before anything is chosen, as OpenSSL does: a malformed one is a decode_error even
  // when no suite would fit. RFC 5246 §7.4.1.4.1: without signature_algorithms the client accepts SHA-1 only,
  // which memtls does not sign with.
  const sigalgs = findExtension(ch.extensions, X.SIGNATURE_ALGORITHMS);
  const theirs = sigalgs ? parseU16List(sigalgs, 'signature_algorithms') : [];
  const alpnExt = findExtension(ch.extensions, X.ALPN);
  if (alpnExt) parseAlpn(alpnExt);
  // The group: the client's order among ours (RFC 8422 §5.1: no supported_groups means any curve).
  const groupsExt = findExtension(ch.extensions, X.SUPPORTED_GROUPS);
  const theirGroups = groupsExt ? parseU16List(groupsExt, 'supported_groups') : null;
  // The hybrid ML-KEM groups are TLS 1.3 only: ECDHE's ServerKeyExchange cannot carry a KEM.
  const ecdhe = c.groups.filter((g) => !isHybridGroup(g));
  const group = theirGroups ? theirGroups.map((code) => ecdhe.find((g) => GROUP_CODES[g] === code)).find((g) => g !== undefined) : ecdhe[0];
  if (!group) throw new SslError('NO_SUITABLE_KEY_SHARE', { detail: 'no group in common for ECDHE' });
  const credential = pickCredential(credentials ?? c.credentials, sni);
  if (!credential) throw new SslError('NO_SUITABLE_SIGNATURE_ALGORITHM', { detail: 'no certificate configured', origin: 'local' });
  // RFC 8422 §5.1 (and OpenSSL): an ECDSA certificate needs its curve in the client's supported_groups.
  const curve = KEY_CURVE[credential.keyType];
  const usable = !(theirGroups && curve && !theirGroups.includes(GROUP_CODES[curve]));
  const offered = new Set(ch.cipherSuites);
  const common = ch.cipherSuites.map((id) => c.suites12.find((s) => s.id === id)).filter((s) => s !== undefined);
  const suite = usable ? common.find((s) => authFits(s.auth, credential.keyType)) : undefined;
  if (!suite) {
    const known = TLS12_SUITES.some((s) => offered.has(s.id));
    const why = !known
      ? 'the client offers only TLS 1.2 suites memtls does not implement (CBC, RSA key transport, DHE...): memtls speaks TLS 1.2 with ECDHE and AEAD suites only'
      : !usable
        ? `our ${credential.keyType} certificate's curve is not in the client's supported_groups`
        : common.length === 0
          ? 'no TLS 1.2 suite in common'
          : `no suite in common for our ${credential.keyType} certificate`;
    throw new SslError('NO_SHARED_CIPHER', { detail: why });
  }
  const mine = tls12SchemesForKey(credential.keyType, credential.keyBits).filter((s) => c.signatureSchemes12.includes(s));
  const scheme = theirs.find((s) => mine.includes(s));
  if (scheme === undefined) {
    throw new SslError('NO_SUITABLE_SIGNATURE_ALGORITHM', { detail: `the client offers none of the schemes our ${credential.keyType} key may sign with (${schemeList(mine)})` });
  }
  return {
    suite,
    credential,
    scheme,
    group,
    alpn: selectAlpn(cx, ch, sni),
    sni,
    ems: emsExt !== undefined,
    secureRenegotiation: ri !== undefined || ch.cipherSuites.includes(EMPTY_RENEGOTIATION_INFO_SCSV),
    pointFormats: pf !== undefined,
    recordSizeLimit: answerRecordSizeLimit(cx, ch.extensions, 'TLSv1.2'),
  };
}
