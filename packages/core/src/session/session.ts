/**
 * A resumable session as the client keeps it. TLS 1.3: one NewSessionTicket plus the PSK derived from it
 * (RFC 8446 §4.6.1). TLS 1.2: the master secret with the session ID the server named (RFC 5246 §7.4.1.2) and/or
 * the ticket it issued (RFC 5077 §3.3), made with the extended master secret (RFC 7627 §5.3: sessions without it
 * are not kept). `toBytes()` / `SslSession.fromBytes()` let an application store it; the bytes hold a secret
 * (the PSK or master secret) and must be stored like a key.
 *
 * Resumability follows OpenSSL 3 (shutdown rules 19-20): a session stops being resumable when its
 * connection is freed without having set SENT, or sends or receives a fatal alert.
 *
 * A session remembers how its server was verified (as OpenSSL keeps verify_result in SSL_SESSION): the
 * verify result and the host name checked. A client never offers a session verified more weakly than its
 * current policy asks (SslContext), and a resumed connection reports the stored result.
 *
 * Serialised format 4: u8 format, u8 not-resumable, vec8 suite, vec8 server name, vec8 ALPN, vec16 ticket, vec8
 * secret, u32 age_add, u32 lifetime, u64 received (ms, as two u32), vec8 verify result, u8 hostname-checked + vec8
 * checked host name, u8 version (12 or 13), vec8 session ID, u8 extended master secret, u32 max early data, vec24
 * of vec24 chain. Format 3 (without max early data) and format 2 (TLS 1.3 only: without the version, session ID
 * and EMS fields either) are still read; format 1 lacked the verification and is refused.
 */
import { SslError } from '../errors/ssl-error.js';
import { fromUtf8, utf8 } from '../wire/bytes.js';
import { Reader } from '../wire/reader.js';
import { Writer } from '../wire/writer.js';

const FORMAT = 4;

export interface SessionFields {
  /** Absent: TLS 1.3. */
  version?: 'TLSv1.2' | 'TLSv1.3';
  cipherSuite: string;
  serverName: string | null;
  alpn: string | null;
  ticket: Uint8Array;
  /** TLS 1.3: the resumption PSK. TLS 1.2: the master secret. */
  psk: Uint8Array;
  ageAdd: number;
  /** TLS 1.2: the session ID the server named (empty: none, a ticket-only session). Absent: empty. */
  sessionId?: Uint8Array;
  /** TLS 1.2: the session was made with the extended master secret (RFC 7627). Absent: false. */
  extendedMasterSecret?: boolean;
  /** TLS 1.3: the max_early_data_size of the ticket's early_data extension (RFC 8446 §4.2.10). Absent: 0. */
  maxEarlyData?: number;
  /** Seconds, as the server announced. */
  lifetime: number;
  receivedAt: Date;
  /** The server's certificate chain from the full handshake (DER, leaf first). */
  peerCertificates: Uint8Array[];
  /** The verify result of the full handshake (X509_V_OK, X509_V_ERR_NOT_VERIFIED or an X509_V_ERR_* accepted by a callback). */
  verifyResult: string;
  /** The host name the leaf was checked against in the full handshake, or null when none was. */
  verifiedHostname: string | null;
}

/** Reads a session's PSK: set by the class's static block, for `sessionPsk` only. */
let readPsk: (s: SslSession) => Uint8Array;

/**
 * @internal The resumption PSK (TLS 1.3) or master secret (TLS 1.2) of `s`, for the handshake that offers it. It
 * lives in a #private field so that no inspection, enumeration or `JSON.stringify` reaches it; `toBytes()` is the
 * one way to serialise it.
 */
export function sessionPsk(s: SslSession): Uint8Array {
  return readPsk(s);
}

/**
 * A resumable TLS 1.3 or TLS 1.2 session (SSL_SESSION): from `Ssl.getSession()`, given back as
 * `SslOptions.session` to resume. Its bytes hold a secret: store them like a key.
 */
export class SslSession {
  /** The protocol version of the session: a resumption uses the same version. */
  readonly version: 'TLSv1.2' | 'TLSv1.3';
  /** The cipher suite (IANA name) the session was made with; a resumption must use the same hash. */
  readonly cipherSuite: string;
  /** The server name (SNI) of the connection that made it. */
  readonly serverName: string | null;
  /** The ALPN protocol agreed on the connection that made it. */
  readonly alpn: string | null;
  /** The opaque ticket the server issued (sent back in pre_shared_key, or TLS 1.2's session_ticket; may be empty in TLS 1.2). */
  readonly ticket: Uint8Array;
  /** The PSK or master secret: #private, so inspect, enumeration and JSON never see it (read it with sessionPsk). */
  readonly #psk: Uint8Array;
  /** TLS 1.2: the session ID the server named (empty in TLS 1.3 and for a ticket-only session). */
  readonly sessionId: Uint8Array;
  /** TLS 1.2: made with the extended master secret (RFC 7627); a resumption must use it too. */
  readonly extendedMasterSecret: boolean;
  /** The ticket_age_add value that obfuscates the ticket age (RFC 8446 §4.6.1). */
  readonly ageAdd: number;
  /** TLS 1.3: the early data the server allows with this ticket (RFC 8446 §4.2.10; 0: none), for a later 0-RTT. */
  readonly maxEarlyData: number;
  /** Ticket lifetime in seconds, as the server announced. */
  readonly lifetime: number;
  /** When the ticket arrived (by the context clock). */
  readonly receivedAt: Date;
  /** The server's certificate chain from the full handshake (DER, leaf first). */
  readonly peerCertificates: Uint8Array[];
  /** How the server was verified in the full handshake: what `Ssl.verifyResult()` said then. */
  readonly verifyResult: string;
  /** The host name the server's certificate was checked against (null: no host name was checked). */
  readonly verifiedHostname: string | null;
  private notResumable = false;

  static {
    readPsk = (s) => s.#psk;
  }

  constructor(f: SessionFields) {
    this.version = f.version ?? 'TLSv1.3';
    this.sessionId = f.sessionId ?? new Uint8Array(0);
    this.extendedMasterSecret = f.extendedMasterSecret ?? false;
    this.maxEarlyData = f.maxEarlyData ?? 0;
    this.cipherSuite = f.cipherSuite;
    this.serverName = f.serverName;
    this.alpn = f.alpn;
    this.ticket = f.ticket;
    this.#psk = f.psk;
    this.ageAdd = f.ageAdd;
    this.lifetime = f.lifetime;
    this.receivedAt = f.receivedAt;
    this.peerCertificates = f.peerCertificates;
    this.verifyResult = f.verifyResult;
    this.verifiedHostname = f.verifiedHostname;
  }

  /** True while the session may be offered: not invalidated (rules 19-20) and not expired at `now`. */
  isResumable(now?: Date): boolean {
    if (this.notResumable) return false;
    if (now && now.getTime() > this.receivedAt.getTime() + this.lifetime * 1000) return false;
    return true;
  }

  /** @internal SSL_CTX_remove_session: the connection ended badly. */
  invalidate(): void {
    this.notResumable = true;
  }

  /** Serialise (a versioned binary form). The result contains the PSK or master secret: store it like a secret key. */
  toBytes(): Uint8Array {
    const w = new Writer(512);
    w.u8(FORMAT).u8(this.notResumable ? 1 : 0);
    w.vec8(utf8(this.cipherSuite)).vec8(utf8(this.serverName ?? '')).vec8(utf8(this.alpn ?? ''));
    w.vec16(this.ticket).vec8(this.#psk).u32(this.ageAdd).u32(this.lifetime);
    const t = this.receivedAt.getTime();
    w.u32(Math.floor(t / 2 ** 32)).u32(t % 2 ** 32);
    w.vec8(utf8(this.verifyResult)).u8(this.verifiedHostname === null ? 0 : 1).vec8(utf8(this.verifiedHostname ?? ''));
    w.u8(this.version === 'TLSv1.2' ? 12 : 13).vec8(this.sessionId).u8(this.extendedMasterSecret ? 1 : 0).u32(this.maxEarlyData);
    w.begin(3);
    for (const c of this.peerCertificates) w.vec24(c);
    w.end();
    return w.finish();
  }

  /**
   * Restore a session saved with `toBytes()`. Throws TypeError on anything malformed, and on bytes of another
   * format version (sessions saved by a memtls before format 2 carry no verify result: do a full handshake;
   * format 2 is a TLS 1.3 session; formats 2 and 3 restore with maxEarlyData 0).
   */
  static fromBytes(bytes: Uint8Array): SslSession {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('SslSession.fromBytes: expected a Uint8Array');
    try {
      const r = new Reader(bytes);
      const format = r.u8();
      if (format !== FORMAT && format !== 3 && format !== 2) {
        throw new TypeError(`SslSession.fromBytes: unsupported format ${format} (this memtls reads formats 2 to ${FORMAT}; older sessions lack the verify result: discard them)`);
      }
      const bad = r.u8() === 1;
      const cipherSuite = fromUtf8(r.vec8());
      const serverName = fromUtf8(r.vec8()) || null;
      const alpn = fromUtf8(r.vec8()) || null;
      const ticket = r.vec16().slice();
      const psk = r.vec8().slice();
      const ageAdd = r.u32();
      const lifetime = r.u32();
      const receivedAt = new Date(r.u32() * 2 ** 32 + r.u32());
      const verifyResult = fromUtf8(r.vec8());
      // An X509_V_* name, or another verify code a callback accepted (e.g. CERT_DECODE_ERROR).
      if (!/^[A-Z][A-Z0-9_]{0,63}$/.test(verifyResult)) throw new TypeError('SslSession.fromBytes: malformed session (bad verify result)');
      const hostChecked = r.u8();
      if (hostChecked > 1) throw new TypeError('SslSession.fromBytes: malformed session (bad host name flag)');
      const checkedName = fromUtf8(r.vec8());
      const verifiedHostname = hostChecked === 1 ? checkedName : null;
      const v = format === 2 ? 13 : r.u8();
      if (v !== 12 && v !== 13) throw new TypeError('SslSession.fromBytes: malformed session (bad version)');
      const sessionId = format === 2 ? new Uint8Array(0) : r.vec8().slice();
      const ems = format === 2 ? 0 : r.u8();
      if (ems > 1 || sessionId.length > 32) throw new TypeError('SslSession.fromBytes: malformed session (bad session ID or EMS flag)');
      const maxEarlyData = format >= 4 ? r.u32() : 0;
      const certs = r.sub24();
      const peerCertificates: Uint8Array[] = [];
      while (certs.remaining) peerCertificates.push(certs.vec24().slice());
      r.expectEnd();
      const version = v === 12 ? 'TLSv1.2' : 'TLSv1.3';
      const s = new SslSession({ version, sessionId, extendedMasterSecret: ems === 1, maxEarlyData, cipherSuite, serverName, alpn, ticket, psk, ageAdd, lifetime, receivedAt, peerCertificates, verifyResult, verifiedHostname });
      if (bad) s.invalidate();
      return s;
    } catch (e) {
      if (e instanceof SslError) throw new TypeError(`SslSession.fromBytes: malformed session (${e.message})`);
      throw e;
    }
  }
}
