/**
 * The `tls.TLSSocket` methods that map onto one `Ssl` call each, with Node's argument checks and errors:
 * `getFinished`, `getPeerFinished`, `exportKeyingMaterial`, `setServername`, `setMaxSendFragment`, the stderr
 * printer of `enableTrace`, and the shapes `getCipher`, `getEphemeralKeyInfo` and `getPeerX509Certificate`
 * return. `MemtlsSocket` delegates to these (socket.ts stays about the stream machinery).
 *
 * Rules
 * - Argument errors are thrown synchronously with Node's codes (`ERR_INVALID_ARG_TYPE` TypeError,
 *   `ERR_OUT_OF_RANGE` RangeError) and change nothing.
 * - Returned bytes are fresh Buffers over fresh memory (never Node's shared pool).
 */
import { X509Certificate } from 'node:crypto';
import { isHybridGroup, type MsgInfo, type Ssl, type SslSession, sniHostName } from '@memtls/core';
import { opensslSuiteName } from './cipher-names.js';
import type { RecordInfo } from './record-tap.js';
import type { CipherInfo, KeyExchangeInfo } from './socket-types.js';
import { formatTraceMessage, formatTraceRecord } from './trace-format.js';

/** An Error carrying a Node-style `code`. */
function coded<E extends Error>(err: E, code: string): E & { code: string } {
  return Object.assign(err, { code });
}

function argType(name: string, what: string, value: unknown): TypeError {
  return coded(new TypeError(`The "${name}" argument must be ${what}. Received ${value === undefined ? 'undefined' : `type ${typeof value}`}`), 'ERR_INVALID_ARG_TYPE');
}

const asBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.length);

/** `getCipher()`: the negotiated suite in `tls.TLSSocket.getCipher()`'s shape, or null before the handshake. */
export function cipherInfo(ssl: Ssl): CipherInfo | null {
  const name = ssl.cipher();
  return name ? { name: opensslSuiteName(name), standardName: name, version: ssl.version() ?? 'TLSv1.3' } : null;
}

/** `getEphemeralKeyInfo()`: the key exchange group in Node's shape, or null. */
export function keyExchangeInfo(ssl: Ssl): KeyExchangeInfo | null {
  const g = ssl.group();
  if (!g) return null;
  // Node 26 (OpenSSL 3.5) names a KEM group's type 'TLSGroup' (it has no single peer key to describe).
  return { type: isHybridGroup(g) ? 'TLSGroup' : 'ECDH', name: g };
}

/** `getPeerX509Certificate()`: the peer's leaf as a `node:crypto` X509Certificate, undefined when none. */
export function peerX509(ssl: Ssl): X509Certificate | undefined {
  const leaf = ssl.peerCertificates()[0];
  return leaf ? new X509Certificate(leaf) : undefined;
}

/** `getSession()`: the session serialised, wrapped, not copied (Buffer.from(bytes) would put the PSK into Node's shared pool). */
export function sessionBuffer(s: SslSession | null): Buffer | undefined {
  const b = s?.toBytes();
  return b ? asBuffer(b) : undefined;
}

/** `getFinished()` / `getPeerFinished()`: the verify_data as a Buffer, undefined before there is one. */
export function finishedBuffer(ssl: Ssl, sent: boolean): Buffer | undefined {
  const f = sent ? ssl.getFinished() : ssl.getPeerFinished();
  return f ? asBuffer(f) : undefined;
}

/** `exportKeyingMaterial(length, label[, context])` with Node's checks; synchronous (the provider must be). */
export function exportKeyingMaterial(ssl: Ssl, secure: boolean, length: unknown, label: unknown, context?: unknown): Buffer {
  if (typeof length !== 'number') throw argType('length', 'of type number', length);
  if (!Number.isInteger(length)) throw coded(new RangeError(`The value of "length" is out of range. It must be an integer. Received ${length}`), 'ERR_OUT_OF_RANGE');
  if (length < 1 || length > 0xffffffff) throw coded(new RangeError(`The value of "length" is out of range. It must be >= 1 && <= 4294967295. Received ${length}`), 'ERR_OUT_OF_RANGE');
  if (typeof label !== 'string') throw argType('label', 'of type string', label);
  let ctx: Uint8Array | null = null;
  if (context !== undefined) {
    if (!ArrayBuffer.isView(context)) throw argType('context', 'an instance of Buffer, TypedArray, or DataView', context);
    ctx = new Uint8Array(context.buffer, context.byteOffset, context.byteLength);
  }
  if (!secure) throw coded(new Error('TLS socket connection must be securely established'), 'ERR_TLS_INVALID_STATE');
  // An absent context stays absent (null): in TLS 1.2 it differs from an empty one (RFC 5705 §4); in TLS 1.3 the
  // core treats both alike (RFC 8446 §7.5). OpenSSL, and so Node, agree.
  return asBuffer(ssl.exportKeyingMaterialSync(label, ctx, length));
}

/** `setServername(name)`: client only, before the ClientHello is built. Returns what goes on the wire (null: an IP literal). */
export function setServername(ssl: Ssl, isServer: boolean, name: unknown): string | null {
  if (typeof name !== 'string') throw argType('name', 'of type string', name);
  if (isServer) throw coded(new Error('Cannot issue SNI from a TLS server-side socket'), 'ERR_TLS_SNI_FROM_SERVER');
  let sni: string | null;
  try {
    sni = sniHostName(name);
  } catch (e) {
    throw coded(e as TypeError, 'ERR_INVALID_ARG_VALUE');
  }
  try {
    ssl.setServerName(name);
  } catch {
    // The only refusal left: the ClientHello is built. Node aborts the process here (a failed assertion in its
    // TLSWrap); memtls throws instead and the connection goes on with the name it had.
    throw coded(new Error('setServername: the handshake has already started'), 'ERR_TLS_INVALID_STATE');
  }
  return sni;
}

/** `setMaxSendFragment(size)`: true when 512 <= size <= 16384 (then records carry at most `size` bytes). */
export function setMaxSendFragment(ssl: Ssl, size: unknown): boolean {
  if (typeof size !== 'number') throw argType('size', 'of type number', size);
  if (!Number.isInteger(size)) throw coded(new RangeError(`The value of "size" is out of range. It must be an integer. Received ${size}`), 'ERR_OUT_OF_RANGE');
  return ssl.setMaxSendFragment(size) === 1;
}

/** Write lines to stderr, as OpenSSL's SSL_trace does for Node's `enableTrace()`. */
function toStderr(lines: string[]): void {
  process.stderr.write(`${lines.join('\n')}\n`);
}

/** `enableTrace()`: the record printer (for the socket's record taps); installs the message printer on `ssl`. */
export function startTrace(ssl: Ssl): (r: RecordInfo) => void {
  const prev = ssl.getMsgCallback();
  ssl.setMsgCallback((m: MsgInfo) => {
    prev?.(m);
    toStderr(formatTraceMessage(m));
  });
  return (r) => toStderr(formatTraceRecord(r));
}
