/**
 * Endpoints for the @memtls/fast-check tests: Node's `tls` server over any Duplex (in memory) or on a loopback
 * port, and the planted-defect servers: a Node `tls` server behind a small Duplex wrapper of the test's own that
 * (1) hangs when a handshake record shorter than a handshake header arrives, (2) throws on a ClientHello that
 * carries a GREASE extension, (3) hands the application plaintext decrypted without checking the GCM tag; and
 * TLS clients for the driver's listening mode (`{ connectTo }`): Node's `tls.connect`, and the same behind the
 * wrapper with defect (1) on the client side.
 */
import { createDecipheriv, createHmac } from 'node:crypto';
import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { CT, GREASE_VALUES, HT, parseHello, parseRecords, splitMessages } from '@memtls/fast-check';
import { testPki } from '../util/pki.js';

/** Node's tls server options on the test PKI's P-256 leaf. */
export function nodeServerOptions(extra: tls.TlsOptions = {}): tls.TlsOptions {
  const leaf = testPki().leaves['ec-p256'];
  return { cert: leaf.cert, key: leaf.key, ...extra };
}

/** An echo server on Node's tls over `socket` (errors are outcomes, not failures of the test). */
export function nodeTlsEcho(socket: Duplex, extra: tls.TlsOptions = {}, onData?: (b: Buffer) => void): tls.TLSSocket {
  const t = new tls.TLSSocket(socket, { isServer: true, secureContext: tls.createSecureContext(nodeServerOptions(extra)), ...extra });
  t.on('error', () => {});
  t.on('data', (d: Buffer) => {
    onData?.(d);
    t.write(d);
  });
  t.on('end', () => t.end());
  return t;
}

/** Node's tls echo server on 127.0.0.1 (an ephemeral port). */
export async function nodeTlsEchoServer(extra: tls.TlsOptions = {}): Promise<{ port: number; close(): Promise<void> }> {
  const server = tls.createServer(nodeServerOptions(extra), (t) => {
    t.on('error', () => {});
    t.on('data', (d: Buffer) => t.write(d));
    t.on('end', () => t.end());
  });
  server.on('tlsClientError', () => {});
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/**
 * A Duplex between the raw connection and Node's TLSSocket: every byte from the peer goes through `inspect`
 * before Node sees it; `inspect` returning false swallows the rest of the connection (EOF included).
 */
class Wrapper extends Duplex {
  readonly raw: Duplex;
  constructor(raw: Duplex, inspect: (chunk: Buffer) => boolean) {
    super();
    this.raw = raw;
    let frozen = false;
    raw.on('data', (b: Buffer) => {
      if (frozen) return;
      if (!inspect(b)) {
        frozen = true;
        return;
      }
      this.push(b);
    });
    raw.on('end', () => {
      if (!frozen) this.push(null);
    });
    raw.on('close', () => {
      if (!frozen) this.destroy();
    });
  }
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.raw.write(chunk, cb);
  }
  override _final(cb: (e?: Error | null) => void): void {
    this.raw.end(cb);
  }
  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.raw.destroy();
    cb(err);
  }
}

/** Records of the connection so far (a stream parser across chunks). */
class RecordTap {
  private buf = Buffer.alloc(0);
  /** The complete records that `chunk` finished. */
  feed(chunk: Buffer): { type: number; version: number; body: Uint8Array }[] {
    this.buf = Buffer.concat([this.buf, chunk]);
    const { records, rest } = parseRecords(new Uint8Array(this.buf));
    this.buf = Buffer.from(rest);
    return records;
  }
}

/** Defect 1: a handshake record with fewer than 4 bytes (a cut inside a handshake header) freezes the wrapper for good. */
export function hangsOnShortHandshakeRecord(socket: Duplex): void {
  const tap = new RecordTap();
  nodeTlsEcho(new Wrapper(socket, (b) => !tap.feed(b).some((r) => r.type === CT.HANDSHAKE && r.body.length < 4)));
}

/** Defect 2: the wrapper's ClientHello parser throws on a GREASE extension type (RFC 8701 says to ignore them). */
export function crashesOnGreaseExtension(socket: Duplex): void {
  const tap = new RecordTap();
  let hs = new Uint8Array(0);
  nodeTlsEcho(
    new Wrapper(socket, (b) => {
      for (const r of tap.feed(b)) {
        if (r.type !== CT.HANDSHAKE) continue;
        hs = Buffer.concat([hs, r.body]);
        for (const m of splitMessages(hs).msgs) {
          if (m.type !== HT.CLIENT_HELLO) continue;
          const h = parseHello(m.body, true);
          for (const e of h.extensions) if (GREASE_VALUES.includes(e.type)) throw new Error(`wrapper: unknown extension type 0x${e.type.toString(16).padStart(4, '0')}`);
        }
      }
      return true;
    }),
  );
}

function expandLabel(secret: Buffer, label: string, length: number): Buffer {
  const l = Buffer.from(`tls13 ${label}`);
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, l.length]), l, Buffer.from([0])]);
  return createHmac('sha256', secret).update(Buffer.concat([info, Buffer.from([1])])).digest().subarray(0, length);
}

/**
 * Defect 3: a TLS 1.3 "inspecting tap" (TLS_AES_128_GCM_SHA256 only) that decrypts the client's application
 * records with the secret from Node's 'keylog' event and hands each record's plaintext to `app` as soon as the
 * cipher yields it: before `final()` checks the tag. Node's own TLS rejects the bad record; the app already has it.
 */
export function leaksPlaintextBeforeTagCheck(socket: Duplex, app: (plain: Buffer) => void): void {
  const tap = new RecordTap();
  let key: Buffer | null = null;
  let iv: Buffer | null = null;
  let seen23 = 0;
  let seq = 0n;
  const wrapper = new Wrapper(socket, (b) => {
    for (const r of tap.feed(b)) {
      if (r.type !== CT.APP) continue;
      if (seen23++ === 0 || !key || !iv) continue; // the first one is the client's Finished (handshake keys)
      const nonce = Buffer.from(iv);
      for (let i = 0; i < 8; i++) nonce[11 - i] = (nonce[11 - i] as number) ^ Number((seq >> BigInt(8 * i)) & 0xffn);
      seq++;
      const d = createDecipheriv('aes-128-gcm', key, nonce);
      d.setAAD(Buffer.from([r.type, r.version >> 8, r.version & 0xff, r.body.length >> 8, r.body.length & 0xff]));
      const ct = Buffer.from(r.body.subarray(0, Math.max(0, r.body.length - 16)));
      const inner = d.update(ct);
      // The bug: the plaintext (the inner content without its type byte and padding) goes out before
      // d.final() would have checked the tag.
      let end = inner.length;
      while (end > 0 && inner[end - 1] === 0) end--;
      if (end > 1) app(inner.subarray(0, end - 1));
    }
    return true;
  });
  const t = nodeTlsEcho(wrapper, { ciphers: 'TLS_AES_128_GCM_SHA256', minVersion: 'TLSv1.3' });
  t.on('keylog', (line: Buffer) => {
    const [label, , secret] = line.toString('latin1').trim().split(' ');
    if (label !== 'CLIENT_TRAFFIC_SECRET_0' || !secret) return;
    const s = Buffer.from(secret, 'hex');
    key = expandLabel(s, 'key', 16);
    iv = expandLabel(s, 'iv', 12);
  });
}

/** The raw sockets of the test clients below, destroyed by `destroyClients()` after each run. */
const clientSockets = new Set<net.Socket>();

/** Destroy every test client's connection (the driver closes its end; a frozen client would keep its own open). */
export function destroyClients(): void {
  for (const s of clientSockets) s.destroy();
  clientSockets.clear();
}

/** A raw loopback connection for a test client, half-open capable (our FIN does not end its writable side). */
function rawConnection(port: number, host: string): net.Socket {
  const raw = net.connect({ port, host, allowHalfOpen: true, noDelay: true });
  raw.on('error', () => {});
  clientSockets.add(raw);
  return raw;
}

/** Node's TLS client over `socket`: verifies localhost against the test CA, closes on the first data or the server's close. */
function nodeTlsClientOver(socket: Duplex, onData?: (b: Buffer) => void): tls.TLSSocket {
  const t = tls.connect({ socket, ca: testPki().caCert, servername: 'localhost' });
  t.on('error', () => {});
  t.on('data', (b: Buffer) => {
    onData?.(b);
    t.end();
  });
  t.on('end', () => t.end());
  return t;
}

/** Node's `tls.connect` client to `host:port` (errors are outcomes, not failures of the test); `onData` sees what it reads. */
export function nodeTlsClient(port: number, host: string, onData?: (b: Buffer) => void): void {
  nodeTlsClientOver(rawConnection(port, host), onData);
}

/** Defect 1 on the client side: Node's tls client behind the wrapper that freezes on a handshake record shorter than 4 bytes. */
export function clientHangsOnShortHandshakeRecord(port: number, host: string): void {
  const tap = new RecordTap();
  nodeTlsClientOver(new Wrapper(rawConnection(port, host), (b) => !tap.feed(b).some((r) => r.type === CT.HANDSHAKE && r.body.length < 4)));
}
