/**
 * The pieces both roles share, once: the peer's Certificate, CertificateVerify and Finished (RFC 8446 §4.4), our
 * own Certificate, CertificateVerify and Finished, and the refusal of a message in the wrong state.
 *
 * Proof values: `ChainVerified`, `SignatureVerified` and `FinishedVerified` are only made here, by the function
 * that does the check; the states that come after a check take the proof in their constructor, so a state
 * machine that skips a check does not compile.
 */
import type { CipherSuite } from '../crypto/suites.js';
import { SslError } from '../errors/ssl-error.js';
import { finishedVerifyData12 } from '../keys/tls12-key-schedule.js';
import { finishedVerifyData, KeySchedule } from '../keys/tls13-key-schedule.js';
import { equalBytes } from '../wire/bytes.js';
import { type CertificateMsg, encodeCertificate, encodeCertificateVerify, encodeFinished, type HandshakeMessage, parseCertificate, parseCertificateVerify } from '../wire/handshake.js';
import type { Credential } from './config.js';
import type { HandshakeContext } from './context.js';
import { certificateVerifyContent, checkCertificateVerify, type PeerKey, schemeList, schemeName, schemeName12, tls12SchemesForKey } from './signature.js';

declare const proof: unique symbol;

/** The peer's certificate chain passed the configured verification; carries the leaf's public key. */
export interface ChainVerified {
  readonly [proof]: 'chain';
  readonly key: PeerKey;
}

/** The peer's CertificateVerify signature checked out over the transcript with the verified leaf's key. */
export interface SignatureVerified {
  readonly [proof]: 'signature';
}

/** The peer's Finished matched the transcript under its handshake traffic secret. */
export interface FinishedVerified {
  readonly [proof]: 'finished';
}

/** A handshake message that has no place in `state`: unexpected_message, naming the state. */
export function unexpected(msg: HandshakeMessage, state: string): never {
  throw new SslError('UNEXPECTED_MESSAGE', { detail: `handshake message ${msg.type} in state ${state}` });
}

/** Parse the peer's Certificate; its certificate_request_context must be empty (RFC 8446 §4.4.2, main handshake). */
export function parsePeerCertificate(msg: HandshakeMessage, contextDetail: string): CertificateMsg {
  const cert = parseCertificate(msg.body);
  if (cert.context.length !== 0) throw new SslError('INVALID_CONTEXT', { detail: contextDetail });
  return cert;
}

/**
 * Verify the peer's non-empty certificate list: no CertificateEntry extension (none is requested), then the
 * configured chain verification (so that a refused chain is reported with its X509_V_ERR_* code), then the
 * leaf's key. Records what the facade reports (peer certificates, verify result, verified path).
 */
export async function verifyPeerChain(cx: HandshakeContext, cert: CertificateMsg, hostname: string | null): Promise<ChainVerified> {
  for (const e of cert.entries) {
    if (e.extensions.length) throw new SslError('UNSOLICITED_EXTENSION', { detail: 'CertificateEntry extension that was not requested' });
  }
  cx.peerCertificates = cert.entries.map((e) => e.certData);
  const verify = cx.config.verifyChain;
  if (verify) {
    const r = await verify(cx.peerCertificates, hostname);
    cx.verifyCode = r.code;
    cx.verifiedHostname = r.hostname;
    if (r.error) throw r.error;
    cx.verifiedChain = r.path;
  }
  const key = cx.config.leafKey(cx.peerCertificates[0] as Uint8Array);
  return { key } as ChainVerified;
}

/** Check the peer's CertificateVerify (RFC 8446 §4.4.3) with the verified leaf's key, then add it to the transcript. */
export async function verifyCertificateVerify(cx: HandshakeContext, chain: ChainVerified, msg: HandshakeMessage, fromServer: boolean): Promise<SignatureVerified> {
  const cv = parseCertificateVerify(msg.body);
  await checkCertificateVerify(cx.config.provider, cx.config.signatureSchemes, chain.key, cv, await cx.transcript.hash(), fromServer);
  cx.transcript.add(msg.raw);
  return {} as SignatureVerified;
}

/**
 * Check the peer's Finished (RFC 8446 §4.4.4) against the verify_data under `baseKey` (its handshake traffic
 * secret): its length first (decode_error), then its value (decrypt_error). Then add it to the transcript.
 */
export async function verifyFinished(cx: HandshakeContext, suite: CipherSuite, baseKey: Uint8Array, msg: HandshakeMessage, who: 'client' | 'server'): Promise<FinishedVerified> {
  const expected = await finishedVerifyData(cx.config.provider, suite.hash, baseKey, await cx.transcript.hash());
  if (msg.body.length !== expected.length) throw new SslError('BAD_DIGEST_LENGTH', { detail: `${who} Finished of ${msg.body.length} bytes` });
  if (!equalBytes(expected, msg.body)) throw new SslError('DIGEST_CHECK_FAILED', { detail: `${who} Finished` });
  cx.setPeerFinishedData(msg.body.slice());
  cx.transcript.add(msg.raw);
  return {} as FinishedVerified;
}

/**
 * TLS 1.2: check a signature of the peer's verified leaf key (ServerKeyExchange over the randoms and the ECDH
 * parameters, RFC 8422 §5.4; CertificateVerify over the handshake messages, RFC 5246 §7.4.8). The scheme must be one
 * we offered (signatureSchemes12) that fits the key (tls12SchemesForKey: ECDSA with any hash, RSA-PSS rsae,
 * RSA PKCS#1 v1.5 with SHA-256/384/512, Ed25519); as strict as the TLS 1.3 check otherwise.
 */
export async function verifySignature12(cx: HandshakeContext, chain: ChainVerified, scheme: number, signed: Uint8Array, signature: Uint8Array, what: string): Promise<SignatureVerified> {
  const name = schemeName12(scheme);
  const fits = tls12SchemesForKey(chain.key.keyType, chain.key.bits);
  if (!name || !cx.config.signatureSchemes12.includes(scheme) || !fits.includes(scheme)) {
    throw new SslError('WRONG_SIGNATURE_TYPE', { detail: `${what} scheme 0x${scheme.toString(16)}; the peer's ${chain.key.keyType} key may use ${schemeList(fits)}` });
  }
  if (!(await cx.config.provider.verify(name, chain.key.spki, signed, signature))) throw new SslError('BAD_SIGNATURE', { detail: what });
  return {} as SignatureVerified;
}

/**
 * TLS 1.2: check the peer's Finished (RFC 5246 §7.4.9): 12 bytes of PRF(master_secret, "<who> finished",
 * Hash(handshake_messages)); its length first (decode_error), then its value (decrypt_error). Then add it to the
 * transcript.
 */
export async function verifyFinished12(cx: HandshakeContext, master: Uint8Array, msg: HandshakeMessage, who: 'client' | 'server'): Promise<FinishedVerified> {
  const suite = cx.suite as CipherSuite;
  const expected = await finishedVerifyData12(cx.config.provider, suite.hash, master, who, await cx.transcript.hash());
  if (msg.body.length !== expected.length) throw new SslError('BAD_DIGEST_LENGTH', { detail: `${who} Finished of ${msg.body.length} bytes` });
  if (!equalBytes(expected, msg.body)) throw new SslError('DIGEST_CHECK_FAILED', { detail: `${who} Finished` });
  cx.setPeerFinishedData(msg.body.slice());
  cx.transcript.add(msg.raw);
  return {} as FinishedVerified;
}

/** Queue our Certificate: the credential's chain, or an empty list (RFC 8446 §4.4.2). */
export function queueCertificate(cx: HandshakeContext, context: Uint8Array, chain: readonly Uint8Array[]): void {
  cx.queueHandshake(encodeCertificate({ context, entries: chain.map((certData) => ({ certData, extensions: [] })) }));
}

/** Sign the transcript with our credential's key and queue the CertificateVerify (RFC 8446 §4.4.3). */
export async function queueCertificateVerify(cx: HandshakeContext, credential: Credential, scheme: number, server: boolean): Promise<void> {
  const key = await credential.signingKey();
  const signature = await key.sign(schemeName(scheme) as NonNullable<ReturnType<typeof schemeName>>, certificateVerifyContent(server, await cx.transcript.hash()));
  cx.queueHandshake(encodeCertificateVerify({ scheme, signature }));
}

/** Queue our Finished (RFC 8446 §4.4.4): the verify_data under our handshake traffic secret. */
export async function queueFinished(cx: HandshakeContext, suite: CipherSuite, baseKey: Uint8Array): Promise<void> {
  cx.queueHandshake(encodeFinished(await finishedVerifyData(cx.config.provider, suite.hash, baseKey, await cx.transcript.hash())));
}

/** The key schedule of one handshake once (EC)DHE is done, with both handshake traffic secrets (#private). */
export class HandshakeKeys {
  readonly suite: CipherSuite;
  readonly schedule: KeySchedule;
  readonly #client: Uint8Array;
  readonly #server: Uint8Array;

  private constructor(suite: CipherSuite, schedule: KeySchedule, secrets: { client: Uint8Array; server: Uint8Array }) {
    this.suite = suite;
    this.schedule = schedule;
    this.#client = secrets.client;
    this.#server = secrets.server;
  }

  /**
   * Early Secret from the PSK (or zeros), Handshake Secret from the shared secret, both handshake traffic secrets
   * over the transcript up to ServerHello (RFC 8446 §7.1), logged for the application's key log.
   */
  static async derive(cx: HandshakeContext, suite: CipherSuite, psk: Uint8Array | null, shared: Uint8Array): Promise<HandshakeKeys> {
    const ks = new KeySchedule(cx.config.provider, suite.hash);
    await ks.early(psk);
    const secrets = await ks.handshake(shared, await cx.transcript.hash());
    cx.logSecret('CLIENT_HANDSHAKE_TRAFFIC_SECRET', secrets.client);
    cx.logSecret('SERVER_HANDSHAKE_TRAFFIC_SECRET', secrets.server);
    return new HandshakeKeys(suite, ks, secrets);
  }

  /** client_handshake_traffic_secret (a method, not a getter: inspection with getters must not reach it). */
  client(): Uint8Array {
    return this.#client;
  }

  /** server_handshake_traffic_secret. */
  server(): Uint8Array {
    return this.#server;
  }

  /**
   * The application traffic secrets and the exporter master secret over the transcript up to the server's
   * Finished (RFC 8446 §7.1); the exporter secret goes to the engine, all three to the key log.
   */
  async application(cx: HandshakeContext): Promise<{ client: Uint8Array; server: Uint8Array }> {
    const app = await this.schedule.master(await cx.transcript.hash());
    cx.setExporterSecret(app.exporter);
    cx.logSecret('CLIENT_TRAFFIC_SECRET_0', app.client);
    cx.logSecret('SERVER_TRAFFIC_SECRET_0', app.server);
    cx.logSecret('EXPORTER_SECRET', app.exporter);
    return { client: app.client, server: app.server };
  }
}
