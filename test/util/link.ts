/**
 * Two Ssl objects joined by four MemoryBios with manual delivery: bytes a side writes stay in its outbox
 * until the test delivers them (all, or n bytes), so partial records, buffered records and EOF are exact.
 * Every byte each side ever wrote is counted (wire sizes, "nothing was sent").
 */
import { MemoryBio, SSL_ERROR_SSL, SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE, Ssl, type SslContext, type SslOptions } from '@memtls/core';

class CountingBio extends MemoryBio {
  total = 0;
  override write(data: Uint8Array): number {
    const n = super.write(data);
    if (n > 0) this.total += n;
    return n;
  }
}

export class Link {
  readonly client: Ssl;
  readonly server: Ssl;
  readonly clientOut = new CountingBio();
  readonly serverOut = new CountingBio();
  readonly clientIn = new MemoryBio();
  readonly serverIn = new MemoryBio();

  constructor(cctx: SslContext, sctx: SslContext, opts: SslOptions = { serverName: 'localhost' }) {
    this.client = new Ssl(cctx, opts);
    this.server = new Ssl(sctx);
    this.client.setBio(this.clientIn, this.clientOut);
    this.server.setBio(this.serverIn, this.serverOut);
  }

  /** Bytes the client (server) has written so far in all. */
  get clientWrote(): number {
    return this.clientOut.total;
  }
  get serverWrote(): number {
    return this.serverOut.total;
  }

  private static move(from: MemoryBio, to: MemoryBio, n: number): number {
    const len = Math.min(n, from.pending());
    if (len <= 0) return 0;
    const buf = new Uint8Array(len);
    from.read(buf);
    to.write(buf);
    return len;
  }
  toServer(n = Number.MAX_SAFE_INTEGER): number {
    return Link.move(this.clientOut, this.serverIn, n);
  }
  toClient(n = Number.MAX_SAFE_INTEGER): number {
    return Link.move(this.serverOut, this.clientIn, n);
  }
  /** Bytes written by a side and not delivered yet. */
  get clientUndelivered(): number {
    return this.clientOut.pending();
  }
  get serverUndelivered(): number {
    return this.serverOut.pending();
  }

  async handshake(): Promise<void> {
    let rc = -1;
    let rs = -1;
    for (let i = 0; i < 50 && (rc !== 1 || rs !== 1); i++) {
      if (rc !== 1) rc = await this.client.doHandshake();
      this.toServer();
      if (rs !== 1) rs = await this.server.doHandshake();
      this.toClient();
      for (const [ssl, r] of [[this.client, rc], [this.server, rs]] as const) {
        if (r !== 1 && ![SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE].includes(ssl.getError(r))) throw new Error(`handshake: ${ssl.errorReason()}`);
      }
    }
    if (rc !== 1 || rs !== 1) throw new Error('handshake did not finish');
  }
}

/** Drive a handshake that must fail, then let the other side read the alert. Throws if it does not fail. */
export async function failedHandshake(l: Link): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const rc = await l.client.doHandshake();
    l.toServer();
    const rs = await l.server.doHandshake();
    l.toClient();
    if (l.client.getError(rc) === SSL_ERROR_SSL || l.server.getError(rs) === SSL_ERROR_SSL) {
      await l.client.doHandshake();
      l.toServer();
      await l.server.doHandshake();
      return;
    }
  }
  throw new Error('the handshake did not fail');
}
