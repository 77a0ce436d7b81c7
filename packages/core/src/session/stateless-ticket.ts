/**
 * Stateless session tickets (RFC 5077 §4, RFC 8446 §4.6.1): the server's session state sealed under a ticket key
 * (session/ticket-keys.ts), so the server keeps nothing per session and servers sharing keys resume each other's
 * sessions.
 *
 *   ticket = key_name (16) || nonce (12) || AES-256-GCM(state) || tag (16), with key_name as associated data
 *
 * The state has a fixed layout behind a format byte (STATE_FORMAT): u8 format, u8 version (12 or 13), u16 suite,
 * u8 hash (1: SHA-256, 2: SHA-384, 3: SHA-512), vec8 PSK (TLS 1.3) or master secret (TLS 1.2), u8 EMS, vec8 ALPN
 * (empty: none), u8 has-SNI + vec8 SNI, u32 x2 created (ms), u32 lifetime (s), u32 age_add, vec8 verify result,
 * u32 max early data, vec8 origin (the issuing context, TicketKeyStore.origin), vec24 of vec24 the peer's chain
 * (client certificates). At most MAX_STATE bytes: a larger
 * state (a long client chain) is not sealed, and the caller falls back to a stateful ticket.
 *
 * Opening never fails loudly: an unknown key name, a bad tag, a malformed or other-format state, or an expired one
 * gives null, and the server does a full handshake (never an alert). One decryption per ticket.
 */
import type { HashName } from '../crypto/provider.js';
import { fromUtf8, utf8 } from '../wire/bytes.js';
import { Reader } from '../wire/reader.js';
import { Writer } from '../wire/writer.js';
import type { CachedSession } from './cache.js';
import { TICKET_KEY_NAME_LENGTH, type TicketKeyStore } from './ticket-keys.js';

const STATE_FORMAT = 1;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
/** The largest sealed state (bytes): beyond it the session gets a stateful ticket instead. */
export const MAX_STATE = 8192;
/** Bytes a stateless ticket adds to its state. */
const OVERHEAD = TICKET_KEY_NAME_LENGTH + NONCE_LENGTH + TAG_LENGTH;
/** The largest ticket worth opening. Anything at or below STATEFUL_ID_LENGTH is a cache id, never a stateless ticket. */
export const MAX_STATELESS_TICKET = MAX_STATE + OVERHEAD;
/** Length of a stateful ticket or session ID (a cache id). A stateless ticket is always longer. */
export const STATEFUL_ID_LENGTH = 32;

const HASH_CODES: Record<HashName, number> = { 'SHA-256': 1, 'SHA-384': 2, 'SHA-512': 3 };
const HASH_NAMES: readonly (HashName | undefined)[] = [undefined, 'SHA-256', 'SHA-384', 'SHA-512'];

/** True when `ticket` has the shape of a stateless ticket (otherwise it may be a cache id). */
export function looksStateless(ticket: Uint8Array): boolean {
  return ticket.length > STATEFUL_ID_LENGTH && ticket.length >= OVERHEAD + 1 && ticket.length <= MAX_STATELESS_TICKET;
}

/** The fixed-layout serialisation of a session's state (see the file comment). */
export function encodeState(s: CachedSession): Uint8Array {
  const w = new Writer(256);
  w.u8(STATE_FORMAT).u8(s.version === 'TLSv1.2' ? 12 : 13).u16(s.cipherSuite).u8(HASH_CODES[s.hash as HashName] ?? 0);
  w.vec8(s.psk).u8(s.extendedMasterSecret ? 1 : 0).vec8(utf8(s.alpn ?? ''));
  w.u8(s.serverName === null ? 0 : 1).vec8(utf8(s.serverName ?? ''));
  w.u32(Math.floor(s.createdAt / 2 ** 32)).u32(s.createdAt % 2 ** 32).u32(s.lifetime).u32(s.ageAdd >>> 0);
  w.vec8(utf8(s.verifyResult)).u32(s.maxEarlyData).vec8(s.origin ?? new Uint8Array(0));
  w.begin(3);
  for (const c of s.peerCertificates) w.vec24(c);
  w.end();
  return w.finish();
}

/** The state `encodeState` wrote, or null for anything else (another format, a bad field, trailing bytes). */
export function decodeState(state: Uint8Array): CachedSession | null {
  try {
    const r = new Reader(state);
    if (r.u8() !== STATE_FORMAT) return null;
    const v = r.u8();
    if (v !== 12 && v !== 13) return null;
    const cipherSuite = r.u16();
    const hash = HASH_NAMES[r.u8()];
    if (!hash) return null;
    const psk = r.vec8().slice();
    const ems = r.u8();
    const alpn = fromUtf8(r.vec8()) || null;
    const hasSni = r.u8();
    const sni = fromUtf8(r.vec8());
    if (ems > 1 || hasSni > 1 || psk.length === 0) return null;
    const createdAt = r.u32() * 2 ** 32 + r.u32();
    const lifetime = r.u32();
    const ageAdd = r.u32();
    const verifyResult = fromUtf8(r.vec8());
    if (!/^[A-Z][A-Z0-9_]{0,63}$/.test(verifyResult)) return null;
    const maxEarlyData = r.u32();
    const origin = r.vec8().slice();
    const certs = r.sub24();
    const peerCertificates: Uint8Array[] = [];
    while (certs.remaining) peerCertificates.push(certs.vec24().slice());
    r.expectEnd();
    return {
      version: v === 12 ? 'TLSv1.2' : 'TLSv1.3',
      psk,
      hash,
      cipherSuite,
      alpn,
      serverName: hasSni ? sni : null,
      createdAt,
      lifetime,
      ageAdd,
      peerCertificates,
      verifyResult,
      extendedMasterSecret: ems === 1,
      maxEarlyData,
      origin,
    };
  } catch {
    return null;
  }
}

/**
 * Seal `s` into a stateless ticket under the current ticket key. Null: no ticket can be sealed (the state is over
 * MAX_STATE, or the key callback declined); the caller then issues a stateful one or none.
 */
export async function sealTicket(keys: TicketKeyStore, nonce: Uint8Array, s: CachedSession): Promise<Uint8Array | null> {
  const state = encodeState({ ...s, origin: keys.origin });
  if (state.length > MAX_STATE) return null;
  const sealer = await keys.sealer();
  if (!sealer) return null;
  const sealed = await sealer.aead.seal(nonce, sealer.name, state);
  const out = new Uint8Array(TICKET_KEY_NAME_LENGTH + NONCE_LENGTH + sealed.length);
  out.set(sealer.name, 0);
  out.set(nonce, TICKET_KEY_NAME_LENGTH);
  out.set(sealed, TICKET_KEY_NAME_LENGTH + NONCE_LENGTH);
  return out;
}

/** Bytes of the nonce `sealTicket` needs (from the provider's randomness). */
export const TICKET_NONCE_LENGTH = NONCE_LENGTH;

/**
 * Open a stateless ticket: the session, unexpired at `nowMs`, and whether to renew it (its key is being retired);
 * null for anything that is not a good, current ticket of ours. Never throws for what a peer sends.
 */
export async function openTicket(keys: TicketKeyStore, ticket: Uint8Array, nowMs: number): Promise<{ session: CachedSession; renew: boolean } | null> {
  if (!looksStateless(ticket)) return null;
  const name = ticket.slice(0, TICKET_KEY_NAME_LENGTH);
  const opener = await keys.opener(name);
  if (!opener) return null;
  const nonce = ticket.subarray(TICKET_KEY_NAME_LENGTH, TICKET_KEY_NAME_LENGTH + NONCE_LENGTH);
  let state: Uint8Array | null;
  try {
    state = await opener.aead.open(nonce, name, ticket.subarray(TICKET_KEY_NAME_LENGTH + NONCE_LENGTH));
  } catch {
    return null;
  }
  const session = state ? decodeState(state) : null;
  if (!session) return null;
  // Expired (or from the future by more than a lifetime: a clock moved back): a full handshake.
  const end = session.createdAt + session.lifetime * 1000;
  if (nowMs > end || session.createdAt > nowMs + session.lifetime * 1000) return null;
  return { session, renew: opener.renew };
}
