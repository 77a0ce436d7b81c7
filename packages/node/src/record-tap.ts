/**
 * A passive observer of the TLS byte stream in one direction, for traces (`memtls s_client -msg`).
 *
 * Rules:
 * - It only looks at bytes that cross the transport; it never changes them and never throws on
 *   garbage (a malformed stream just stops being described, the engine is the one that judges it).
 * - What it can tell is limited to what is on the wire: every record's outer type, version and
 *   length; inside plaintext records (ClientHello, ServerHello/HelloRetryRequest, alerts before keys,
 *   the compatibility ChangeCipherSpec) the handshake message types and alert descriptions. TLS 1.3
 *   hides every later message inside encrypted records of outer type application_data; the core
 *   exposes no message callback (OpenSSL's SSL_CTX_set_msg_callback), so those are reported as
 *   encrypted records only.
 */

/** One record seen on the wire. */
export interface RecordInfo {
  /** 'in': from the peer; 'out': to the peer. */
  direction: 'in' | 'out';
  /** Outer content type (20 CCS, 21 alert, 22 handshake, 23 application data). */
  contentType: number;
  /** The content type's name, e.g. 'handshake'. */
  contentTypeName: string;
  /** Legacy record version, e.g. 0x0303. */
  version: number;
  /** Body length (after the 5-byte header). */
  length: number;
  /** True for TLS 1.3 protected records (outer type 23): the inner type is not visible. */
  encrypted: boolean;
  /** Plaintext handshake messages completed by this record. */
  handshake: {
    /** HandshakeType number (RFC 8446 §4). */
    type: number;
    /** Its name, e.g. 'ClientHello'. */
    name: string;
    /** Message body length. */
    length: number;
  }[];
  /** Plaintext alert, if this record is one. */
  alert: {
    /** 1 warning, 2 fatal. */
    level: number;
    /** AlertDescription number (RFC 8446 §6). */
    description: number;
    /** Its name, e.g. 'handshake_failure'. */
    name: string;
  } | null;
}

const CONTENT_TYPES: Record<number, string> = { 20: 'ChangeCipherSpec', 21: 'Alert', 22: 'Handshake', 23: 'ApplicationData' };

const HANDSHAKE_TYPES: Record<number, string> = {
  0: 'HelloRequest',
  1: 'ClientHello',
  2: 'ServerHello',
  4: 'NewSessionTicket',
  5: 'EndOfEarlyData',
  8: 'EncryptedExtensions',
  11: 'Certificate',
  12: 'ServerKeyExchange',
  13: 'CertificateRequest',
  14: 'ServerHelloDone',
  15: 'CertificateVerify',
  16: 'ClientKeyExchange',
  20: 'Finished',
  24: 'KeyUpdate',
  254: 'MessageHash',
};

const ALERTS: Record<number, string> = {
  0: 'close_notify',
  10: 'unexpected_message',
  20: 'bad_record_mac',
  22: 'record_overflow',
  40: 'handshake_failure',
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  44: 'certificate_revoked',
  45: 'certificate_expired',
  46: 'certificate_unknown',
  47: 'illegal_parameter',
  48: 'unknown_ca',
  49: 'access_denied',
  50: 'decode_error',
  51: 'decrypt_error',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  90: 'user_canceled',
  100: 'no_renegotiation',
  109: 'missing_extension',
  110: 'unsupported_extension',
  112: 'unrecognized_name',
  116: 'certificate_required',
  120: 'no_application_protocol',
};

/** RFC 8446 §4.1.3: a ServerHello whose random is SHA-256("HelloRetryRequest") is a HelloRetryRequest. */
const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');

/** The RFC 8446 name of an AlertDescription, e.g. 'bad_certificate' (or 'alert(N)'). */
export function alertName(description: number): string {
  return ALERTS[description] ?? `alert(${description})`;
}

/** The name of a HandshakeType (RFC 8446, and RFC 5246 for TLS 1.2's), e.g. 'ClientHello' (or 'handshake(N)'). */
export function handshakeTypeName(type: number): string {
  return HANDSHAKE_TYPES[type] ?? `handshake(${type})`;
}

/** Incremental record framer over one direction of the stream. */
export class RecordTap {
  /** The direction this tap watches. */
  readonly direction: 'in' | 'out';
  readonly #onRecord: (r: RecordInfo) => void;
  #header = Buffer.alloc(5);
  #headerHave = 0;
  #body: Buffer | null = null;
  #bodyHave = 0;
  /** Plaintext handshake bytes carried between records (a message may span records). */
  #hs: Buffer = Buffer.alloc(0);
  #broken = false;

  constructor(direction: 'in' | 'out', onRecord: (r: RecordInfo) => void) {
    this.direction = direction;
    this.#onRecord = onRecord;
  }

  /** Feed bytes that crossed the transport in this direction. */
  push(data: Uint8Array): void {
    let off = 0;
    while (!this.#broken && off < data.length) {
      if (this.#headerHave < 5) {
        const n = Math.min(5 - this.#headerHave, data.length - off);
        this.#header.set(data.subarray(off, off + n), this.#headerHave);
        this.#headerHave += n;
        off += n;
        if (this.#headerHave < 5) return;
        const len = this.#header.readUInt16BE(3);
        const type = this.#header[0] as number;
        // Not a TLS record header: stop describing (the engine reports the real error).
        if (type < 20 || type > 24 || len > 18432) {
          this.#broken = true;
          return;
        }
        this.#body = Buffer.alloc(len);
        this.#bodyHave = 0;
      }
      const body = this.#body as Buffer;
      const n = Math.min(body.length - this.#bodyHave, data.length - off);
      body.set(data.subarray(off, off + n), this.#bodyHave);
      this.#bodyHave += n;
      off += n;
      if (this.#bodyHave === body.length) {
        this.#emit(body);
        this.#headerHave = 0;
        this.#body = null;
      }
    }
  }

  #emit(body: Buffer): void {
    const type = this.#header[0] as number;
    const info: RecordInfo = {
      direction: this.direction,
      contentType: type,
      contentTypeName: CONTENT_TYPES[type] ?? `type(${type})`,
      version: this.#header.readUInt16BE(1),
      length: body.length,
      encrypted: type === 23,
      handshake: [],
      alert: null,
    };
    if (type === 22) {
      this.#hs = this.#hs.length ? Buffer.concat([this.#hs, body]) : body;
      while (this.#hs.length >= 4) {
        const t = this.#hs[0] as number;
        const len = this.#hs.readUIntBE(1, 3);
        if (this.#hs.length < 4 + len) break;
        let name = handshakeTypeName(t);
        if (t === 2 && len >= 34 && this.#hs.subarray(6, 38).equals(HRR_RANDOM)) name = 'HelloRetryRequest';
        info.handshake.push({ type: t, name, length: len });
        this.#hs = this.#hs.subarray(4 + len);
      }
    } else if (type === 21 && body.length === 2) {
      const description = body[1] as number;
      info.alert = { level: body[0] as number, description, name: alertName(description) };
    }
    this.#onRecord(info);
  }
}
