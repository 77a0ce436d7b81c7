/**
 * The server's session cache: stateful TLS 1.3 tickets (SSL_OP_NO_TICKET, or a state too large to seal) and TLS 1.2
 * session IDs (SSL_OP_NO_TICKET, or a client without session_ticket) are random identifiers of an entry here, so
 * such a session can be withdrawn exactly as OpenSSL withdraws it (shutdown rule 19). Stateless tickets
 * (session/stateless-ticket.ts) carry the same record sealed instead, and are not here. Bounded: the oldest
 * entries go first.
 */
export interface CachedSession {
  /** The version the session was made with: a TLS 1.3 ticket never resumes TLS 1.2, nor the reverse. */
  version: 'TLSv1.2' | 'TLSv1.3';
  /** TLS 1.3: the resumption PSK. TLS 1.2: the master secret. */
  psk: Uint8Array;
  /** The hash of the suite the ticket was issued under: a PSK is only usable with that hash. */
  hash: string;
  cipherSuite: number;
  alpn: string | null;
  serverName: string | null;
  createdAt: number;
  lifetime: number;
  ageAdd: number;
  peerCertificates: Uint8Array[];
  /** How the client was verified in the full handshake (restored on resumption). */
  verifyResult: string;
  /** TLS 1.2: made with the extended master secret (RFC 7627; always true: other sessions are not cached). */
  extendedMasterSecret: boolean;
  /** TLS 1.3: the early data the ticket allows (RFC 8446 §4.2.10; 0 while memtls accepts none). */
  maxEarlyData: number;
  /** A stateless ticket's issuing context (TicketKeyStore.origin); absent in the cache. */
  origin?: Uint8Array;
}

const hexKey = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export class SessionCache {
  /** Entries hold PSKs: a #private field, so no inspection, enumeration or serialisation reaches them. */
  readonly #map = new Map<string, CachedSession>();
  readonly maxEntries: number;

  constructor(maxEntries = 20000) {
    this.maxEntries = maxEntries;
  }

  get size(): number {
    return this.#map.size;
  }

  add(id: Uint8Array, s: CachedSession): void {
    if (this.#map.size >= this.maxEntries) {
      const oldest = this.#map.keys().next();
      if (!oldest.done) this.#map.delete(oldest.value);
    }
    this.#map.set(hexKey(id), s);
  }

  /** The entry for a ticket, if present and not expired at `nowMs`. */
  get(id: Uint8Array, nowMs: number): CachedSession | undefined {
    const k = hexKey(id);
    const s = this.#map.get(k);
    if (!s) return undefined;
    if (nowMs > s.createdAt + s.lifetime * 1000) {
      this.#map.delete(k);
      return undefined;
    }
    return s;
  }

  remove(id: Uint8Array): void {
    this.#map.delete(hexKey(id));
  }
}
