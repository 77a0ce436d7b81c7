/**
 * A tiny line protocol with an in-band upgrade to TLS (STARTTLS), done safely.
 *
 *   plaintext phase:  client "PING\n"      → server "PONG\n"
 *                     client "STARTTLS\n"  → server "OK\n", then TLS starts on the same TCP connection
 *   TLS phase:        client "<line>\n"    → server "secure: <line>\n"
 *
 * The rule that matters (the CVE-2021-23222 / CVE-2011-0411 class of bug): bytes that arrived *before*
 * the TLS handshake — for instance appended to "STARTTLS\n" in the same TCP segment by a man in the middle —
 * must never be processed as if TLS protected them. Both sides here:
 *   1. parse plaintext line by line and, on the upgrade line, refuse if *any* byte follows it in their
 *      buffer (the server answers "ERR ..." and closes; the client destroys the connection);
 *   2. hand the socket to `secureUpgrade()` in the same tick, which checks again that nothing is buffered
 *      inside the stream. From then on every byte goes to the TLS engine, which rejects anything that is
 *      not a TLS record — late plaintext can only fail the handshake, never become data.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { type MemtlsSocket, secureUpgrade } from '@memtls/node';

const MAX_LINE = 1024;

export interface StartTlsServerOptions {
  cert: string;
  key: string;
}

/** Events: 'secure' (socket), 'refused' (reason: string), 'tlsError' (err), 'line' (text, secure: boolean). */
export class StartTlsServer extends EventEmitter {
  readonly server: net.Server;

  constructor(opts: StartTlsServerOptions) {
    super();
    this.server = net.createServer((sock) => this.#plaintext(sock, opts));
  }

  listen(port = 0, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve) => this.server.listen(port, host, () => resolve((this.server.address() as net.AddressInfo).port)));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  #plaintext(sock: net.Socket, opts: StartTlsServerOptions): void {
    let buf = Buffer.alloc(0);
    sock.on('error', () => undefined);
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10)) {
        const line = buf.subarray(0, nl).toString('latin1').replace(/\r$/, '');
        buf = buf.subarray(nl + 1);
        this.emit('line', line, false);
        if (line === 'PING') sock.write('PONG\n');
        else if (line === 'STARTTLS') {
          sock.off('data', onData);
          sock.pause();
          if (buf.length > 0 || sock.readableLength > 0) {
            // Refuse: these bytes were sent before TLS; they must not be taken as protected data.
            const n = buf.length + sock.readableLength;
            this.emit('refused', `${n} bytes of plaintext after STARTTLS`);
            sock.end('ERR plaintext after STARTTLS\n');
            return;
          }
          sock.write('OK\n');
          this.#secure(sock, opts);
          return;
        } else sock.write('ERR unknown command\n');
      }
      if (buf.length > MAX_LINE) sock.end('ERR line too long\n');
    };
    sock.on('data', onData);
  }

  #secure(sock: net.Socket, opts: StartTlsServerOptions): void {
    const tls = secureUpgrade(sock, { isServer: true, cert: opts.cert, key: opts.key });
    tls.on('error', (err) => this.emit('tlsError', err));
    tls.on('secure', () => this.emit('secure', tls));
    let buf = '';
    tls.setEncoding('utf8');
    tls.on('data', (text: string) => {
      buf += text;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        this.emit('line', line, true);
        tls.write(`secure: ${line}\n`);
      }
    });
  }
}

export interface StartTlsClientOptions {
  host?: string;
  port: number;
  /** Trust anchors for the server certificate (PEM). */
  ca?: string;
  servername?: string;
  /** Send a PING first (shows the plaintext phase). */
  ping?: boolean;
}

/** Read one '\n'-terminated line; resolves with it and whatever followed it in the same reads. */
function readLine(sock: net.Socket): Promise<{ line: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      const nl = buf.indexOf(10);
      if (nl < 0) {
        if (buf.length > MAX_LINE) fail(new Error('line too long'));
        return;
      }
      done();
      sock.pause();
      resolve({ line: buf.subarray(0, nl).toString('latin1'), rest: buf.subarray(nl + 1) });
    };
    const onEnd = (): void => fail(new Error('connection closed in the plaintext phase'));
    const fail = (e: Error): void => {
      done();
      reject(e);
    };
    const done = (): void => {
      sock.off('data', onData);
      sock.off('end', onEnd);
      sock.off('error', fail);
    };
    sock.on('data', onData);
    sock.once('end', onEnd);
    sock.once('error', fail);
    sock.resume();
  });
}

/**
 * Connect, optionally PING, send STARTTLS, and upgrade once the server says OK. Resolves with the
 * secured socket after its handshake. Rejects with ERR_MEMTLS_PLAINTEXT_AFTER_UPGRADE if the server's
 * "OK" came with extra bytes (an injected plaintext reply).
 */
export async function connectStartTls(opts: StartTlsClientOptions): Promise<MemtlsSocket> {
  const host = opts.host ?? '127.0.0.1';
  const sock = net.connect({ host, port: opts.port, allowHalfOpen: true });
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  try {
    if (opts.ping) {
      sock.write('PING\n');
      const { line, rest } = await readLine(sock);
      if (line !== 'PONG' || rest.length) throw new Error(`unexpected reply to PING: ${JSON.stringify(line)}`);
    }
    sock.write('STARTTLS\n');
    const { line, rest } = await readLine(sock);
    if (line !== 'OK') throw new Error(`server refused STARTTLS: ${JSON.stringify(line)}`);
    // secureUpgrade refuses (ERR_MEMTLS_PLAINTEXT_AFTER_UPGRADE) if anything followed "OK\n".
    const tls = secureUpgrade(sock, { isServer: false, buffered: rest, ...(opts.ca ? { ca: opts.ca } : {}), servername: opts.servername ?? 'localhost' });
    await new Promise<void>((resolve, reject) => {
      tls.once('secureConnect', resolve);
      tls.once('error', reject);
    });
    return tls;
  } catch (e) {
    sock.destroy();
    throw e;
  }
}
