/**
 * The server's choice of protocol version from a ClientHello, before anything version-specific (RFC 8446 §4.2.1,
 * §D.2; RFC 5246 §E.1; RFC 7507 for TLS_FALLBACK_SCSV): TLS 1.3 when both sides can, else TLS 1.2, else
 * protocol_version.
 */
import { FALLBACK_SCSV } from '../../crypto/suites.js';
import { SslError } from '../../errors/ssl-error.js';
import { ProtocolVersion, ExtensionType as X } from '../../wire/enums.js';
import { findExtension, parseSupportedVersionsClient } from '../../wire/extensions.js';
import type { ClientHello } from '../../wire/handshake.js';
import type { HandshakeContext } from '../context.js';

export function chooseVersion(cx: HandshakeContext, ch: ClientHello): 'TLSv1.2' | 'TLSv1.3' {
  const v = cx.config.versions;
  // RFC 8446 §D.5: legacy_version 0x0300 (SSL 3.0) or lower is protocol_version, whatever else is offered.
  if (ch.legacyVersion <= 0x0300) throw new SslError('BAD_LEGACY_VERSION', { detail: `ClientHello legacy_version 0x${ch.legacyVersion.toString(16).padStart(4, '0')}` });
  if (ch.legacyVersion >> 8 !== 3) throw new SslError('UNSUPPORTED_PROTOCOL', { detail: 'ClientHello legacy_version is not TLS' });
  // supported_versions decides when present; without it, legacy_version is the client's highest version.
  const sv = findExtension(ch.extensions, X.SUPPORTED_VERSIONS);
  const listed = sv ? parseSupportedVersionsClient(sv) : null;
  const has13 = listed?.includes(ProtocolVersion.TLS13) === true;
  const has12 = listed ? listed.includes(ProtocolVersion.TLS12) : ch.legacyVersion >= ProtocolVersion.TLS12;
  if (v.tls13 && has13) return 'TLSv1.3';
  if (!v.tls12 || !has12) {
    throw new SslError('UNSUPPORTED_PROTOCOL', {
      detail: !v.tls12 ? 'the client does not offer TLS 1.3 (TLS 1.2 is not enabled)' : v.tls13 ? 'the client offers neither TLS 1.3 nor TLS 1.2' : 'the client does not offer TLS 1.2 (TLS 1.3 is not enabled)',
    });
  }
  // RFC 7507 §3: a fallback connection from a client whose highest version is below ours is refused.
  if (v.tls13 && ch.cipherSuites.includes(FALLBACK_SCSV)) throw new SslError('INAPPROPRIATE_FALLBACK', { detail: 'TLS_FALLBACK_SCSV from a TLS 1.2 client; this server speaks TLS 1.3' });
  return 'TLSv1.2';
}
