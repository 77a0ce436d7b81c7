/**
 * The client's PSKs in a TLS 1.3 ClientHello (RFC 8446 §4.2.11): a resumption ticket, an external PSK
 * (ContextOptions.pskUseSession), or both, in that order (as OpenSSL offers them), and what the server's choice
 * of one of them means.
 *
 * Rules:
 * - The external PSK is asked for once per connection (at the first ClientHello). It is offered only when an
 *   enabled TLS 1.3 suite has its hash, and after a HelloRetryRequest only when the chosen suite does.
 * - Its obfuscated_ticket_age is 0 and its binder key uses "ext binder" (RFC 8446 §4.2.11, §7.1).
 * - An accepted external PSK authenticates the server in place of a certificate: no Certificate or
 *   CertificateVerify is expected; the verify result stays X509_V_ERR_NOT_VERIFIED (no certificate was
 *   verified) and `pskIdentity` names the key that authenticated the server.
 */
import { type CipherSuite, suiteById, suiteByName } from '../../crypto/suites.js';
import { SslError } from '../../errors/ssl-error.js';
import { finishedVerifyData, KeySchedule } from '../../keys/tls13-key-schedule.js';
import { type SslSession, sessionPsk } from '../../session/session.js';
import { concat } from '../../wire/bytes.js';
import { ExtensionType as X } from '../../wire/enums.js';
import { type Extension, encodePreSharedKeyClient, parsePreSharedKeyServer } from '../../wire/extensions.js';
import type { EngineConfig } from '../config.js';
import type { HandshakeContext } from '../context.js';
import type { ExternalPsk } from '../psk-external.js';

/** One PSK a ClientHello offers. */
export type OfferedPsk = { readonly kind: 'resumption'; readonly session: SslSession; readonly suite: CipherSuite } | { readonly kind: 'external'; readonly psk: ExternalPsk };

/** Proof that the server accepted an offered PSK: it authenticates in place of a certificate (RFC 8446 §2.2). */
export interface PskAccepted {
  readonly psk: true;
}

const hashLenOf = (p: OfferedPsk): number => (p.kind === 'resumption' ? p.suite.hashLen : p.psk.suite.hashLen);

/** The PSKs to offer now, resumption first; `hrrSuite`: the suite a HelloRetryRequest chose (null: none came). */
export function psksToOffer(c: EngineConfig, session: SslSession | null, external: ExternalPsk | null, hrrSuite: CipherSuite | null): OfferedPsk[] {
  const out: OfferedPsk[] = [];
  if (!c.versions.tls13) return out;
  const suite = session?.version === 'TLSv1.3' ? suiteByName(session.cipherSuite) : undefined;
  if (session && suite) out.push({ kind: 'resumption', session, suite });
  const hash = external?.suite.hash;
  if (external && (hrrSuite ? hrrSuite.hash === hash : c.suites.some((s) => s.hash === hash))) out.push({ kind: 'external', psk: external });
  return out;
}

/** The pre_shared_key extension with zeroed binders (`fillBinders` writes them once the ClientHello is encoded). */
export function preSharedKeyExtension(c: EngineConfig, psks: readonly OfferedPsk[]): Extension {
  const identities = psks.map((p) => {
    if (p.kind === 'external') return { identity: p.psk.identity, obfuscatedTicketAge: 0 };
    const s = p.session;
    const age = (Math.max(0, c.now().getTime() - s.receivedAt.getTime()) + s.ageAdd) % 2 ** 32;
    return { identity: s.ticket, obfuscatedTicketAge: age };
  });
  return { type: X.PRE_SHARED_KEY, data: encodePreSharedKeyClient(identities, psks.map((p) => new Uint8Array(hashLenOf(p)))) };
}

/** Write each binder (RFC 8446 §4.2.11.2) into `raw`, the encoded ClientHello ending with the binders list. */
export async function fillBinders(cx: HandshakeContext, raw: Uint8Array, psks: readonly OfferedPsk[]): Promise<void> {
  const p = cx.config.provider;
  const bindersLen = 2 + psks.reduce((n, x) => n + 1 + hashLenOf(x), 0);
  const partial = concat(cx.transcript.bytes(), raw.subarray(0, raw.length - bindersLen));
  let at = raw.length - bindersLen + 2;
  for (const x of psks) {
    let binder: Uint8Array;
    if (x.kind === 'external') binder = await x.psk.binder(p, await p.hash(x.psk.suite.hash, partial));
    else {
      const ks = new KeySchedule(p, x.suite.hash);
      await ks.early(sessionPsk(x.session));
      binder = await finishedVerifyData(p, x.suite.hash, await ks.binderKey(), await p.hash(x.suite.hash, partial));
    }
    raw.set(binder, at + 1);
    at += 1 + binder.length;
  }
}

/**
 * The server's pre_shared_key (RFC 8446 §4.2.11): which offered PSK it chose, checked (index in range, the suite's
 * hash the PSK's). Records what the connection reports; returns the PSK for the key schedule.
 */
export function acceptPsk(cx: HandshakeContext, data: Uint8Array, offered: readonly OfferedPsk[], cipherSuite: number): { secret: Uint8Array; chosen: OfferedPsk; accepted: PskAccepted } {
  const chosen = offered[parsePreSharedKeyServer(data)];
  if (!chosen) throw new SslError('BAD_PSK', { detail: 'selected_identity out of range' });
  const hash = chosen.kind === 'resumption' ? chosen.suite.hash : chosen.psk.suite.hash;
  if (hash !== suiteById(cipherSuite)?.hash) throw new SslError('BAD_PSK', { detail: 'suite hash differs from the PSK hash' });
  cx.sessionReused = true;
  if (chosen.kind === 'external') {
    // Authenticated by the PSK: no certificate, nothing verified (the verify result stays X509_V_ERR_NOT_VERIFIED).
    cx.pskIdentity = chosen.psk.identity.slice();
    return { secret: chosen.psk.key(), chosen, accepted: { psk: true } };
  }
  const s = chosen.session;
  cx.peerCertificates = s.peerCertificates.slice();
  // A resumed connection reports how the session's server was verified, never more.
  cx.verifyCode = s.verifyResult;
  cx.verifiedHostname = s.verifiedHostname;
  return { secret: sessionPsk(s), chosen, accepted: { psk: true } };
}
