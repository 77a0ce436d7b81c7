/**
 * A resumable TLS 1.3 session as the client keeps it: built from a NewSessionTicket and the connection's
 * resumption secret. Serialisable with `toBytes()` / `SslSession.fromBytes()` so applications can store it.
 */
export class SslSession {
  readonly version = 'TLSv1.3' as const;
  readonly cipherSuite: string;
  readonly serverName: string | null;
  readonly alpn: string | null;
  readonly ticket: Uint8Array;
  readonly psk: Uint8Array;
  readonly ageAdd: number;
  readonly lifetime: number;
  readonly receivedAt: Date;

  constructor(f: { cipherSuite: string; serverName: string | null; alpn: string | null; ticket: Uint8Array; psk: Uint8Array; ageAdd: number; lifetime: number; receivedAt: Date }) {
    this.cipherSuite = f.cipherSuite;
    this.serverName = f.serverName;
    this.alpn = f.alpn;
    this.ticket = f.ticket;
    this.psk = f.psk;
    this.ageAdd = f.ageAdd;
    this.lifetime = f.lifetime;
    this.receivedAt = f.receivedAt;
  }
}
