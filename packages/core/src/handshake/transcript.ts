/**
 * The running handshake transcript (RFC 8446 §4.4.1). Messages are kept as bytes until the hash is known
 * (a client learns it from ServerHello), then hashed on demand. After a HelloRetryRequest the first
 * ClientHello is replaced by the synthetic message_hash message.
 */
import type { CryptoProvider, HashName } from '../crypto/provider.js';
import { concat } from '../wire/bytes.js';
import { HandshakeType } from '../wire/enums.js';
import { frameHandshake } from '../wire/handshake.js';

export class Transcript {
  private readonly p: CryptoProvider;
  private parts: Uint8Array[] = [];
  private total = 0;
  hashName: HashName | null = null;

  constructor(p: CryptoProvider) {
    this.p = p;
  }

  add(raw: Uint8Array): void {
    this.parts.push(raw);
    this.total += raw.length;
  }

  get length(): number {
    return this.total;
  }

  /** The bytes so far (for PSK binders over a partial ClientHello). */
  bytes(): Uint8Array {
    if (this.parts.length !== 1) this.parts = [concat(...this.parts)];
    return this.parts[0] ?? new Uint8Array(0);
  }

  /** Hash of everything added so far. */
  hash(): Promise<Uint8Array> {
    if (!this.hashName) throw new Error('transcript hash not chosen yet');
    return this.p.hash(this.hashName, this.bytes());
  }

  /** Hash of the transcript followed by `extra` (without adding it). */
  hashWith(extra: Uint8Array): Promise<Uint8Array> {
    if (!this.hashName) throw new Error('transcript hash not chosen yet');
    return this.p.hash(this.hashName, concat(this.bytes(), extra));
  }

  /** The handshake transcript post-handshake authentication starts each exchange from (RFC 8446 §4.4.1). */
  private base: Uint8Array | null = null;

  /**
   * The handshake is over: drop the messages, or with `keepBase` (post-handshake authentication was offered) keep
   * them, hashed or not, as the start of every post-handshake exchange.
   */
  release(keepBase = false): void {
    this.base = keepBase ? this.bytes() : null;
    this.parts = this.base ? [this.base] : [];
    this.total = this.base?.length ?? 0;
  }

  /** Start a post-handshake authentication exchange: the handshake transcript kept by `release(true)`. */
  restartFromBase(): void {
    if (!this.base) throw new Error('post-handshake authentication without the handshake transcript');
    this.parts = [this.base];
    this.total = this.base.length;
  }

  /** RFC 8446 §4.4.1: replace ClientHello1 by message_hash(Hash(ClientHello1)). */
  async replaceWithMessageHash(): Promise<void> {
    const h = await this.hash();
    this.parts = [frameHandshake(HandshakeType.MESSAGE_HASH, h)];
    this.total = this.parts[0]?.length ?? 0;
  }
}
