/**
 * Two Ssl joined by memory BIOs with manual delivery, where every record crossing is parsed (outer type, length)
 * before it is delivered: record sizes on the wire (record_size_limit) and tampering with delivered bytes.
 */
import { strict as assert } from 'node:assert';
import { MemoryBio, SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE, Ssl, type SslContext } from '@memtls/core';

export interface Rec {
  type: number;
  length: number;
}

/** Two Ssl joined by memory BIOs; every record crossing is parsed (type, length) before delivery. */
export class Wire {
  readonly client: Ssl;
  readonly server: Ssl;
  readonly cOut = new MemoryBio();
  readonly sOut = new MemoryBio();
  readonly cIn = new MemoryBio();
  readonly sIn = new MemoryBio();
  readonly fromClient: Rec[] = [];
  readonly fromServer: Rec[] = [];
  /** Applied to the bytes of each delivery (tampering tests). */
  tamperServer: ((b: Uint8Array) => void) | null = null;
  private rest = { c: new Uint8Array(0), s: new Uint8Array(0) };

  constructor(cctx: SslContext, sctx: SslContext) {
    this.client = new Ssl(cctx, { serverName: 'localhost' });
    this.server = new Ssl(sctx);
    this.client.setBio(this.cIn, this.cOut);
    this.server.setBio(this.sIn, this.sOut);
  }

  private move(from: MemoryBio, to: MemoryBio, log: Rec[], side: 'c' | 's'): void {
    const n = from.pending();
    if (n <= 0) return;
    const buf = new Uint8Array(n);
    from.read(buf);
    if (side === 's') this.tamperServer?.(buf);
    const all = new Uint8Array(this.rest[side].length + n);
    all.set(this.rest[side]);
    all.set(buf, this.rest[side].length);
    let o = 0;
    while (all.length - o >= 5) {
      const len = ((all[o + 3] as number) << 8) | (all[o + 4] as number);
      if (all.length - o < 5 + len) break;
      log.push({ type: all[o] as number, length: len });
      o += 5 + len;
    }
    this.rest[side] = all.slice(o);
    to.write(buf);
  }
  toServer(): void {
    this.move(this.cOut, this.sIn, this.fromClient, 'c');
  }
  toClient(): void {
    this.move(this.sOut, this.cIn, this.fromServer, 's');
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

  /** Write `data` on `from`, deliver, and read it all on the other side. */
  async send(from: 'client' | 'server', data: Uint8Array): Promise<Uint8Array> {
    const [a, b] = from === 'client' ? [this.client, this.server] : [this.server, this.client];
    assert.equal(await a.write(data), data.length);
    if (from === 'client') this.toServer();
    else this.toClient();
    const got = new Uint8Array(data.length);
    let have = 0;
    const buf = new Uint8Array(20000);
    for (let i = 0; i < 10000 && have < data.length; i++) {
      const r = await b.read(buf);
      if (r <= 0) throw new Error(`read: ${b.getError(r)} ${b.errorReason()}`);
      got.set(buf.subarray(0, r), have);
      have += r;
    }
    return got;
  }
}

