/**
 * The TLS 1.2 NewSessionTicket (RFC 5077 §3.3): a lifetime hint and an opaque ticket. The session_ticket
 * extension (RFC 5077 §3.2) carries the ticket itself, or nothing, as its whole body. Encoding only.
 */
import { HandshakeType } from './enums.js';
import { frameHandshake } from './handshake.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

export interface NewSessionTicket12 {
  /** Seconds; 0: unspecified (RFC 5077 §3.3). */
  lifetimeHint: number;
  ticket: Uint8Array;
}

export function encodeNewSessionTicket12(m: NewSessionTicket12): Uint8Array {
  return frameHandshake(HandshakeType.NEW_SESSION_TICKET, new Writer(6 + m.ticket.length).u32(m.lifetimeHint).vec16(m.ticket).finish());
}

export function parseNewSessionTicket12(body: Uint8Array): NewSessionTicket12 {
  const r = new Reader(body);
  const lifetimeHint = r.u32('ticket_lifetime_hint');
  const ticket = r.vec16('ticket').slice();
  r.expectEnd('NewSessionTicket');
  return { lifetimeHint, ticket };
}

