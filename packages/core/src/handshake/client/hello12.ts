/**
 * The client's side of TLS 1.2 in the hellos: the ClientHello extensions TLS 1.2 needs (RFC 7627, RFC 5746,
 * RFC 8422) and the checks of a TLS 1.2 ServerHello (RFC 5246 §7.4.1.3), downgrade protection included
 * (RFC 8446 §4.1.3).
 */
import type { CipherSuite } from '../../crypto/suites.js';
import { SslError } from '../../errors/ssl-error.js';
import { equalBytes } from '../../wire/bytes.js';
import { ProtocolVersion, ExtensionType as X } from '../../wire/enums.js';
import { type Extension, findExtension, parseAlpn } from '../../wire/extensions.js';
import { DOWNGRADE_TLS11, DOWNGRADE_TLS12, type HandshakeMessage, type ServerHello } from '../../wire/handshake.js';
import { encodeEcPointFormats, encodeRenegotiationInfo, parseEcPointFormats, parseRenegotiationInfo } from '../../wire/handshake12.js';
import type { HandshakeContext } from '../context.js';
import { acceptRecordSizeLimit } from '../record-size.js';
import { resumeSession12 } from './resume12.js';
import { type ClientSessions, clientPlan12, type Offered12 } from './session12.js';
import { type ClientState12, ExpectCertificate12 } from './tls12.js';

/** The extensions a ClientHello carries when TLS 1.2 is enabled: extended_master_secret, an empty
 * renegotiation_info, ec_point_formats (uncompressed only). */
export function tls12HelloExtensions(): Extension[] {
  return [
    { type: X.EXTENDED_MASTER_SECRET, data: new Uint8Array(0) },
    { type: X.RENEGOTIATION_INFO, data: encodeRenegotiationInfo(new Uint8Array(0)) },
    { type: X.EC_POINT_FORMATS, data: encodeEcPointFormats() },
  ];
}

/** The extensions a TLS 1.2 ServerHello may carry (the client sent them all): RFC 5246 §7.4.1.4. */
const ALLOWED_12 = new Set<number>([X.SERVER_NAME, X.EC_POINT_FORMATS, X.ALPN, X.EXTENDED_MASTER_SECRET, X.RENEGOTIATION_INFO, X.SESSION_TICKET, X.RECORD_SIZE_LIMIT]);

/**
 * A ServerHello without supported_versions: the server chose TLS 1.2 or older. Checked before anything else is
 * sent: the version, the downgrade sentinel, the suite (one we offered), compression, the extensions (only those
 * we offered and that TLS 1.2 allows), renegotiation_info (required and empty), extended_master_secret. Then a
 * resumption (our session's ID echoed: client/resume12.ts) or a full handshake.
 */
export async function serverHello12(cx: HandshakeContext, msg: HandshakeMessage, sh: ServerHello, offer: Offered12, role: ClientSessions): Promise<ClientState12> {
  const c = cx.config;
  const sent = offer.sentExtensions;
  if (sh.legacyVersion !== ProtocolVersion.TLS12) {
    throw new SslError('UNSUPPORTED_PROTOCOL', { detail: `the server chose version 0x${sh.legacyVersion.toString(16).padStart(4, '0')}; memtls speaks TLS 1.2 and 1.3` });
  }
  // RFC 8446 §4.1.3: a client that offered TLS 1.3 refuses both sentinels; one limited to TLS 1.2 refuses only
  // DOWNGRD00 (a TLS 1.3-capable server sets DOWNGRD01 for any TLS 1.2 client, e.g. openssl s_server).
  const tail = sh.random.subarray(24);
  if (equalBytes(tail, DOWNGRADE_TLS11) || (c.versions.tls13 && equalBytes(tail, DOWNGRADE_TLS12))) {
    throw new SslError('DOWNGRADE_DETECTED', { detail: 'ServerHello.random carries the downgrade sentinel of a server that speaks a higher version' });
  }
  const suite: CipherSuite | undefined = c.suites12.find((s) => s.id === sh.cipherSuite);
  if (!suite) throw new SslError('WRONG_CIPHER_RETURNED', { detail: `ServerHello chose suite 0x${sh.cipherSuite.toString(16)}, which was not offered` });
  if (sh.compressionMethod !== 0) throw new SslError('BAD_COMPRESSION');
  for (const e of sh.extensions) {
    if (!sent.has(e.type)) throw new SslError('UNSOLICITED_EXTENSION', { detail: `extension ${e.type} in ServerHello` });
    if (!ALLOWED_12.has(e.type)) throw new SslError('BAD_EXTENSION', { detail: `extension ${e.type} is not allowed in a TLS 1.2 ServerHello` });
  }
  // RFC 5746 §3.4: renegotiation_info must come back empty; OpenSSL 3 refuses a server without it.
  const ri = findExtension(sh.extensions, X.RENEGOTIATION_INFO);
  if (!ri) throw new SslError('UNSAFE_LEGACY_RENEGOTIATION_DISABLED', { detail: 'the server does not support secure renegotiation (RFC 5746)' });
  if (parseRenegotiationInfo(ri).length !== 0) throw new SslError('RENEGOTIATION_MISMATCH', { detail: 'non-empty renegotiation_info in the initial handshake' });
  const ems = findExtension(sh.extensions, X.EXTENDED_MASTER_SECRET);
  if (ems && ems.length !== 0) throw SslError.decode('extended_master_secret with a body');
  if (!ems && c.requireExtendedMasterSecret) {
    throw new SslError('EXTENDED_MASTER_SECRET_REQUIRED', { detail: 'the server did not negotiate the extended master secret (RFC 7627) and requireExtendedMasterSecret is set' });
  }
  const ticket = findExtension(sh.extensions, X.SESSION_TICKET);
  if (ticket && ticket.length !== 0) throw SslError.decode('session_ticket with a body in ServerHello');
  const pf = findExtension(sh.extensions, X.EC_POINT_FORMATS);
  if (pf && !parseEcPointFormats(pf).includes(0)) throw new SslError('BAD_EXTENSION', { detail: 'ec_point_formats without uncompressed' });
  const sni = findExtension(sh.extensions, X.SERVER_NAME);
  if (sni && sni.length !== 0) throw SslError.decode('non-empty server_name in ServerHello');
  const alpn = findExtension(sh.extensions, X.ALPN);
  if (alpn) {
    const list = parseAlpn(alpn);
    const chosen = list[0];
    if (list.length !== 1 || chosen === undefined || !c.alpn?.includes(chosen)) throw new SslError('BAD_ALPN', { detail: 'the server selected a protocol that was not offered' });
    cx.alpnProtocol = chosen;
  }
  acceptRecordSizeLimit(cx, sh.extensions, 'TLSv1.2');
  cx.version = 'TLSv1.2';
  cx.suite = suite;
  cx.extendedMasterSecret = ems !== undefined;
  cx.transcript.hashName = suite.hash;
  cx.transcript.add(msg.raw);
  const hello = { suite, clientRandom: offer.random, serverRandom: sh.random, ems: ems !== undefined };
  // RFC 5246 §7.4.1.3, RFC 5077 §3.4: the session ID we sent for our session, echoed, is a resumption.
  const sentId = offer.resumption12?.sessionId;
  if (role.offered?.version === 'TLSv1.2' && sentId?.length && equalBytes(sh.sessionId, sentId)) return resumeSession12(cx, sh, hello, role.offered, role);
  return new ExpectCertificate12({ ...hello, session: clientPlan12(role, sh.sessionId.slice(), ticket !== undefined, hello.ems) }, role.hostName);
}
