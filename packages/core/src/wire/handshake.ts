/**
 * Handshake message codecs (RFC 8446 §4). Encoding only: no protocol decisions. Each `parse*` takes the
 * message body (after the 4-byte handshake header) and consumes it entirely or throws decode_error.
 */
import { SslError } from '../errors/ssl-error.js';
import { HandshakeType } from './enums.js';
import { type Extension, readExtensions, writeExtensions } from './extensions.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

/** The SHA-256 of "HelloRetryRequest": ServerHello.random of a HelloRetryRequest (RFC 8446 §4.1.3). */
export const HRR_RANDOM = new Uint8Array([
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07,
  0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
]);

/** Downgrade sentinels (RFC 8446 §4.1.3): last 8 bytes of ServerHello.random. */
export const DOWNGRADE_TLS12 = new Uint8Array([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01]);
export const DOWNGRADE_TLS11 = new Uint8Array([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00]);

export interface HandshakeMessage {
  type: number;
  body: Uint8Array;
  /** Header + body: what goes into the transcript. */
  raw: Uint8Array;
}

export function frameHandshake(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  out[0] = type;
  out[1] = (body.length >>> 16) & 0xff;
  out[2] = (body.length >>> 8) & 0xff;
  out[3] = body.length & 0xff;
  out.set(body, 4);
  return out;
}

export interface ClientHello {
  legacyVersion: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  cipherSuites: number[];
  compressionMethods: Uint8Array;
  extensions: Extension[];
}

export function encodeClientHello(ch: ClientHello): Uint8Array {
  const w = new Writer(512);
  w.u16(ch.legacyVersion).bytes(ch.random).vec8(ch.sessionId);
  w.begin(2);
  for (const s of ch.cipherSuites) w.u16(s);
  w.end();
  w.vec8(ch.compressionMethods);
  writeExtensions(w, ch.extensions);
  return frameHandshake(HandshakeType.CLIENT_HELLO, w.finish());
}

export function parseClientHello(body: Uint8Array): ClientHello {
  const r = new Reader(body);
  const legacyVersion = r.u16('legacy_version');
  const random = r.bytes(32, 'random');
  const sessionId = r.vec8('legacy_session_id', 0, 32);
  const suites = r.sub16('cipher_suites', 2);
  if (suites.remaining % 2) throw SslError.decode('odd cipher_suites length');
  const cipherSuites: number[] = [];
  while (suites.remaining) cipherSuites.push(suites.u16());
  const compressionMethods = r.vec8('legacy_compression_methods', 1);
  // A ClientHello without extensions is valid TLS 1.2 syntax; it simply cannot negotiate TLS 1.3.
  const extensions = r.remaining === 0 ? [] : readExtensions(r, 'ClientHello');
  r.expectEnd('ClientHello');
  return { legacyVersion, random, sessionId, cipherSuites, compressionMethods, extensions };
}

export interface ServerHello {
  legacyVersion: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  cipherSuite: number;
  compressionMethod: number;
  extensions: Extension[];
}

export function encodeServerHello(sh: ServerHello): Uint8Array {
  const w = new Writer(128);
  w.u16(sh.legacyVersion).bytes(sh.random).vec8(sh.sessionId).u16(sh.cipherSuite).u8(sh.compressionMethod);
  writeExtensions(w, sh.extensions);
  return frameHandshake(HandshakeType.SERVER_HELLO, w.finish());
}

export function parseServerHello(body: Uint8Array): ServerHello {
  const r = new Reader(body);
  const legacyVersion = r.u16('legacy_version');
  const random = r.bytes(32, 'random');
  const sessionId = r.vec8('legacy_session_id_echo', 0, 32);
  const cipherSuite = r.u16('cipher_suite');
  const compressionMethod = r.u8('legacy_compression_method');
  const extensions = r.remaining === 0 ? [] : readExtensions(r, 'ServerHello');
  r.expectEnd('ServerHello');
  return { legacyVersion, random, sessionId, cipherSuite, compressionMethod, extensions };
}

export function encodeEncryptedExtensions(exts: readonly Extension[]): Uint8Array {
  const w = new Writer(64);
  writeExtensions(w, exts);
  return frameHandshake(HandshakeType.ENCRYPTED_EXTENSIONS, w.finish());
}

export function parseEncryptedExtensions(body: Uint8Array): Extension[] {
  const r = new Reader(body);
  const e = readExtensions(r, 'EncryptedExtensions');
  r.expectEnd('EncryptedExtensions');
  return e;
}

export interface CertificateEntry {
  certData: Uint8Array;
  extensions: Extension[];
}

export interface CertificateMsg {
  context: Uint8Array;
  entries: CertificateEntry[];
}

export function encodeCertificate(msg: CertificateMsg): Uint8Array {
  const w = new Writer(2048);
  w.vec8(msg.context);
  w.begin(3);
  for (const e of msg.entries) {
    w.vec24(e.certData);
    writeExtensions(w, e.extensions);
  }
  w.end();
  return frameHandshake(HandshakeType.CERTIFICATE, w.finish());
}

export function parseCertificate(body: Uint8Array): CertificateMsg {
  const r = new Reader(body);
  const context = r.vec8('certificate_request_context');
  const list = r.sub24('certificate_list');
  const entries: CertificateEntry[] = [];
  while (list.remaining) {
    const certData = list.vec24('cert_data', 1);
    const extensions = readExtensions(list, 'CertificateEntry');
    entries.push({ certData, extensions });
  }
  r.expectEnd('Certificate');
  return { context, entries };
}

export interface CertificateVerifyMsg {
  scheme: number;
  signature: Uint8Array;
}

export function encodeCertificateVerify(m: CertificateVerifyMsg): Uint8Array {
  const w = new Writer(300);
  w.u16(m.scheme).vec16(m.signature);
  return frameHandshake(HandshakeType.CERTIFICATE_VERIFY, w.finish());
}

export function parseCertificateVerify(body: Uint8Array): CertificateVerifyMsg {
  const r = new Reader(body);
  const scheme = r.u16('algorithm');
  const signature = r.vec16('signature', 1);
  r.expectEnd('CertificateVerify');
  return { scheme, signature };
}

export interface CertificateRequestMsg {
  context: Uint8Array;
  extensions: Extension[];
}

export function encodeCertificateRequest(m: CertificateRequestMsg): Uint8Array {
  const w = new Writer(64);
  w.vec8(m.context);
  writeExtensions(w, m.extensions);
  return frameHandshake(HandshakeType.CERTIFICATE_REQUEST, w.finish());
}

export function parseCertificateRequest(body: Uint8Array): CertificateRequestMsg {
  const r = new Reader(body);
  const context = r.vec8('certificate_request_context');
  const extensions = readExtensions(r, 'CertificateRequest');
  r.expectEnd('CertificateRequest');
  return { context, extensions };
}

export function encodeFinished(verifyData: Uint8Array): Uint8Array {
  return frameHandshake(HandshakeType.FINISHED, verifyData);
}

export interface NewSessionTicketMsg {
  lifetime: number;
  ageAdd: number;
  nonce: Uint8Array;
  ticket: Uint8Array;
  extensions: Extension[];
}

export function encodeNewSessionTicket(m: NewSessionTicketMsg): Uint8Array {
  const w = new Writer(256);
  w.u32(m.lifetime).u32(m.ageAdd).vec8(m.nonce).vec16(m.ticket);
  writeExtensions(w, m.extensions);
  return frameHandshake(HandshakeType.NEW_SESSION_TICKET, w.finish());
}

export function parseNewSessionTicket(body: Uint8Array): NewSessionTicketMsg {
  const r = new Reader(body);
  const lifetime = r.u32('ticket_lifetime');
  const ageAdd = r.u32('ticket_age_add');
  const nonce = r.vec8('ticket_nonce');
  const ticket = r.vec16('ticket', 1);
  const extensions = readExtensions(r, 'NewSessionTicket');
  r.expectEnd('NewSessionTicket');
  return { lifetime, ageAdd, nonce, ticket, extensions };
}

export function encodeKeyUpdate(requestUpdate: boolean): Uint8Array {
  return frameHandshake(HandshakeType.KEY_UPDATE, new Uint8Array([requestUpdate ? 1 : 0]));
}

export function parseKeyUpdate(body: Uint8Array): boolean {
  const r = new Reader(body);
  const v = r.u8('request_update');
  r.expectEnd('KeyUpdate');
  // RFC 8446 §4.6.3: any other value is illegal_parameter.
  if (v > 1) throw new SslError('BAD_KEY_UPDATE', { detail: 'KeyUpdate request_update out of range' });
  return v === 1;
}

/**
 * Reassembles handshake messages from the payloads of handshake records. Messages may be split across
 * records and several may share one record. The size of one message is bounded when its header arrives.
 *
 * Cost is linear in the bytes pushed, however they are split (a 100 KiB message in 1-byte records included):
 * a fragment is copied once when pushed, and once more into the message it belongs to, whose buffer grows by
 * doubling up to the size the header announced (so a 4-byte header alone never reserves the whole message).
 * A message that lies whole inside one fragment is returned as a view of it, without a second copy.
 */
export class HandshakeReassembler {
  readonly maxMessageSize: number;
  /** Pushed bytes not yet taken into a message (own copies), oldest first from `#head`; `#off` of the head is taken. */
  #frags: Uint8Array[] = [];
  #head = 0;
  #off = 0;
  #queued = 0;
  /** The message being assembled: its header so far, then a buffer holding `#msgHave` bytes of it (header included). */
  #hdr = new Uint8Array(4);
  #hdrHave = 0;
  #msg: Uint8Array | null = null;
  #msgHave = 0;
  #msgLen = 0;

  constructor(maxMessageSize: number) {
    this.maxMessageSize = maxMessageSize;
  }

  /** Bytes held: pushed and not yet returned as part of a message. */
  get buffered(): number {
    return this.#queued + (this.#msg ? this.#msgHave : this.#hdrHave);
  }

  push(fragment: Uint8Array): void {
    if (fragment.length === 0) return;
    // A copy: the caller may reuse the record buffer once the messages complete in it are handled.
    this.#frags.push(fragment.slice());
    this.#queued += fragment.length;
  }

  /** The next complete message, or null. Throws when a header announces an oversized message. */
  next(): HandshakeMessage | null {
    if (this.#msg === null) {
      const head = this.#frags[this.#head];
      if (this.#hdrHave === 0 && head && head.length - this.#off >= 4) {
        // The common case: the whole message lies in one fragment; return a view of it.
        const o = this.#off;
        const len = this.#announced(((head[o + 1] as number) << 16) | ((head[o + 2] as number) << 8) | (head[o + 3] as number));
        if (head.length - o >= 4 + len) {
          const raw = head.subarray(o, o + 4 + len);
          this.#take(4 + len);
          return { type: raw[0] as number, body: raw.subarray(4), raw };
        }
      }
      this.#hdrHave += this.#copyOut(this.#hdr, this.#hdrHave, 4 - this.#hdrHave);
      if (this.#hdrHave < 4) return null;
      const h = this.#hdr;
      this.#msgLen = 4 + this.#announced(((h[1] as number) << 16) | ((h[2] as number) << 8) | (h[3] as number));
      this.#msg = new Uint8Array(Math.min(this.#msgLen, Math.max(4096, 4 + this.#queued)));
      this.#msg.set(h);
      this.#msgHave = 4;
      this.#hdrHave = 0;
    }
    let msg: Uint8Array = this.#msg;
    for (;;) {
      this.#msgHave += this.#copyOut(msg, this.#msgHave, msg.length - this.#msgHave);
      if (this.#msgHave === this.#msgLen) break;
      if (this.#queued === 0) return null;
      // Grow by doubling (or to what is queued), up to the announced size: amortised O(1) per byte.
      const grown = new Uint8Array(Math.min(this.#msgLen, Math.max(msg.length * 2, this.#msgHave + this.#queued)));
      grown.set(msg.subarray(0, this.#msgHave));
      msg = grown;
      this.#msg = grown;
    }
    this.#msg = null;
    this.#msgHave = 0;
    return { type: msg[0] as number, body: msg.subarray(4), raw: msg };
  }

  /** The announced body length, checked against the limit. */
  #announced(len: number): number {
    if (len > this.maxMessageSize) throw new SslError('EXCESSIVE_MESSAGE_SIZE', { detail: `handshake message of ${len} bytes` });
    return len;
  }

  /** Copy up to `max` queued bytes into `dst` at `at` and take them; returns the count. */
  #copyOut(dst: Uint8Array, at: number, max: number): number {
    let n = 0;
    while (n < max && this.#head < this.#frags.length) {
      const f = this.#frags[this.#head] as Uint8Array;
      const k = Math.min(max - n, f.length - this.#off);
      dst.set(k === f.length ? f : f.subarray(this.#off, this.#off + k), at + n);
      n += k;
      this.#take(k);
    }
    return n;
  }

  /** Take `n` bytes from the head of the queue (at most what the head fragment holds). */
  #take(n: number): void {
    this.#queued -= n;
    this.#off += n;
    const f = this.#frags[this.#head] as Uint8Array;
    if (this.#off < f.length) return;
    this.#off = 0;
    this.#head++;
    if (this.#head === this.#frags.length) {
      this.#frags = [];
      this.#head = 0;
    } else if (this.#head >= 64 && this.#head * 2 >= this.#frags.length) {
      this.#frags.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
