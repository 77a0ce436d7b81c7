/**
 * The driver's TCP transports, loopback only: connecting to an endpoint that listens (`{ port }`), and listening
 * for one connection from an endpoint that connects (`{ connectTo }`: a TLS client under test).
 */
import net from 'node:net';

/** The loopback hosts a TCP endpoint may use. */
export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', '::1', 'localhost'];

/** Connect to `host:port` with Nagle off (a chunking's writes go out as separate segments). */
export function connectTcp(host: string, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port, noDelay: true }, () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** A listener for exactly one connection. */
export interface OneShotListener {
  /** The port it listens on (chosen by the system). */
  port: number;
  /** The first accepted socket; connections after it are reset. */
  accepted: Promise<net.Socket>;
  /** Stop listening (the accepted socket stays open). Idempotent. */
  close(): void;
}

/**
 * Listen on `host`, port 0. The first connection is accepted (Nagle off) and the listener closes at once, so a
 * retry of the client under test is refused; a connection that raced in before the close, or one accepted after
 * `close()` (nobody waits for it any more), is destroyed.
 */
export function listenOnce(host: '127.0.0.1' | '::1'): Promise<OneShotListener> {
  return new Promise((resolve, reject) => {
    let first = true;
    let closed = false;
    let onAccept: (s: net.Socket) => void = () => {};
    const accepted = new Promise<net.Socket>((r) => {
      onAccept = r;
    });
    const server = net.createServer((s) => {
      if (!first || closed) {
        s.destroy();
        return;
      }
      first = false;
      s.setNoDelay(true);
      close();
      onAccept(s);
    });
    const close = (): void => {
      if (closed) return;
      closed = true;
      server.close();
    };
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      server.off('error', reject);
      server.on('error', () => {});
      resolve({ port: (server.address() as net.AddressInfo).port, accepted, close });
    });
  });
}
