/**
 * The server's session-ticket keys (RFC 5077 §4's recommended construction, with an AEAD): what seals a stateless
 * ticket and what opens one. The memtls layout of a key, 48 bytes, is a 16-byte key name (sent in clear at the
 * start of each ticket, to find the key again) followed by a 32-byte AES-256-GCM key. It is not OpenSSL's layout
 * (16-byte name, 16-byte HMAC-SHA256 key, 16-byte AES-128-CBC key), but Node's `tls.Server` takes 48 opaque bytes
 * too, so an application passes 48 random bytes to either.
 *
 * Rotation: `set()` makes the new key the encryption key; each key it replaces stays decryption-only for one ticket
 * lifetime (measured by the context clock), then is dropped. A ticket opened by a decryption-only key asks for
 * renewal: the server issues a fresh ticket under the current key.
 *
 * A callback (`ticketKeyCallback`, as OpenSSL's SSL_CTX_set_tlsext_ticket_key_evp_cb) replaces the stored keys for
 * operators who keep them in a secret store: asked with null for the key to seal with, and with a key name for the
 * key to open a ticket with. Key bytes live in #private fields: inspection, enumeration and JSON never reach them.
 */
import type { AeadKey, CryptoProvider } from '../crypto/provider.js';
import { equalBytes } from '../wire/bytes.js';

/** Bytes of one ticket key: a 16-byte name and a 32-byte AES-256-GCM key. */
export const TICKET_KEY_LENGTH = 48;
/** Bytes of a ticket key's name, the first bytes of every stateless ticket. */
export const TICKET_KEY_NAME_LENGTH = 16;
/** Decryption-only keys kept at most (the oldest goes first), whatever their remaining time. */
const MAX_OLD_KEYS = 8;

/** What a ticket-key callback answers: a 48-byte key (name || AES-256-GCM key), and whether to renew the ticket. */
export interface TicketKeyAnswer {
  /** 48 bytes: the 16-byte key name, then the 32-byte AES-256-GCM key. */
  key: Uint8Array;
  /** Decryption only: the ticket is good, but the server should issue a fresh one (the key is being retired). */
  renew?: boolean;
}

/**
 * A ticket-key callback (ContextOptions.ticketKeyCallback). `keyName` null: the key to seal a new ticket with
 * (null/undefined: issue no stateless ticket). `keyName` set: the key with that name to open a ticket with
 * (null/undefined: unknown, the ticket is ignored and a full handshake follows). It may return a promise. A
 * callback that throws, rejects or answers anything malformed counts as "no key".
 */
export type TicketKeyCallback = (keyName: Uint8Array | null) => TicketKeyAnswer | null | undefined | Promise<TicketKeyAnswer | null | undefined>;

/** A key found for a ticket: the AEAD key, and whether the ticket should be renewed. */
export interface TicketOpener {
  aead: AeadKey;
  renew: boolean;
}

/** A key to seal with: its name (the AEAD's associated data and the ticket's first bytes) and the AEAD key. */
export interface TicketSealer {
  name: Uint8Array;
  aead: AeadKey;
}

/** Throws TypeError unless `keys` is a 48-byte Uint8Array (the documented layout). */
export function checkTicketKeys(keys: unknown, what: string): Uint8Array {
  if (!(keys instanceof Uint8Array) || keys.length !== TICKET_KEY_LENGTH) {
    throw new TypeError(`${what}: ticket keys must be a Uint8Array of ${TICKET_KEY_LENGTH} bytes (a 16-byte key name, then a 32-byte AES-256-GCM key)`);
  }
  return keys;
}

class TicketKey {
  readonly name: Uint8Array;
  readonly #raw: Uint8Array;
  #aead: Promise<AeadKey> | null = null;
  /** When this key stops opening tickets (ms by the context clock); Infinity while it seals. */
  retireAt = Number.POSITIVE_INFINITY;

  constructor(raw: Uint8Array) {
    this.#raw = raw.slice();
    this.name = this.#raw.slice(0, TICKET_KEY_NAME_LENGTH);
  }

  raw(): Uint8Array {
    return this.#raw.slice();
  }

  aead(p: CryptoProvider): Promise<AeadKey> {
    this.#aead ??= p.importAeadKey('AES-256-GCM', this.#raw.subarray(TICKET_KEY_NAME_LENGTH));
    return this.#aead;
  }
}

/** The ticket keys of one server context. */
export class TicketKeyStore {
  readonly #provider: CryptoProvider;
  readonly #nowMs: () => number;
  readonly #lifetimeMs: () => number;
  readonly #callback: TicketKeyCallback | null;
  #current: TicketKey;
  #old: TicketKey[] = [];
  /**
   * 16 random bytes naming this context, sealed into each ticket (not secret): a ticket from another context that
   * shares the keys is resumed only as this context's own verification policy allows (server/ticket-store.ts).
   */
  readonly origin: Uint8Array;

  /**
   * `keys`: the operator's 48 bytes, else random ones from the provider. `lifetimeSeconds`: the ticket lifetime,
   * read at each rotation (how long a replaced key keeps opening tickets).
   */
  constructor(provider: CryptoProvider, nowMs: () => number, lifetimeSeconds: () => number, keys: Uint8Array | undefined, callback: TicketKeyCallback | null) {
    this.#provider = provider;
    this.#nowMs = nowMs;
    this.#lifetimeMs = () => lifetimeSeconds() * 1000;
    this.#callback = callback;
    this.#current = new TicketKey(keys ?? provider.randomBytes(TICKET_KEY_LENGTH));
    this.origin = provider.randomBytes(16);
  }

  /** A copy of the current (encryption) key, 48 bytes. */
  get(): Uint8Array {
    return this.#current.raw();
  }

  /** Make `keys` the encryption key; the one it replaces opens tickets for one more ticket lifetime. */
  set(keys: Uint8Array): void {
    const next = new TicketKey(keys);
    const now = this.#nowMs();
    const prev = this.#current;
    this.#old = this.#old.filter((k) => k.retireAt > now && !equalBytes(k.name, next.name));
    if (!equalBytes(prev.name, next.name)) {
      prev.retireAt = now + this.#lifetimeMs();
      this.#old.push(prev);
    }
    while (this.#old.length > MAX_OLD_KEYS) this.#old.shift();
    this.#current = next;
  }

  /** The key to seal a new ticket with, or null (the callback declined: issue no stateless ticket). */
  async sealer(): Promise<TicketSealer | null> {
    if (!this.#callback) return { name: this.#current.name, aead: await this.#current.aead(this.#provider) };
    const answer = await this.#ask(null);
    if (!answer) return null;
    return { name: answer.key.slice(0, TICKET_KEY_NAME_LENGTH), aead: await this.#provider.importAeadKey('AES-256-GCM', answer.key.slice(TICKET_KEY_NAME_LENGTH)) };
  }

  /** The key named `name`, to open a ticket with, or null (unknown or retired: the ticket is ignored). */
  async opener(name: Uint8Array): Promise<TicketOpener | null> {
    if (this.#callback) {
      const answer = await this.#ask(name);
      if (!answer || !equalBytes(answer.key.subarray(0, TICKET_KEY_NAME_LENGTH), name)) return null;
      return { aead: await this.#provider.importAeadKey('AES-256-GCM', answer.key.slice(TICKET_KEY_NAME_LENGTH)), renew: answer.renew === true };
    }
    if (equalBytes(this.#current.name, name)) return { aead: await this.#current.aead(this.#provider), renew: false };
    const now = this.#nowMs();
    this.#old = this.#old.filter((k) => k.retireAt > now);
    const old = this.#old.find((k) => equalBytes(k.name, name));
    return old ? { aead: await old.aead(this.#provider), renew: true } : null;
  }

  /** The callback's answer, checked; anything thrown or malformed is "no key". */
  async #ask(name: Uint8Array | null): Promise<TicketKeyAnswer | null> {
    try {
      const answer = await (this.#callback as TicketKeyCallback)(name ? name.slice() : null);
      if (!answer || !(answer.key instanceof Uint8Array) || answer.key.length !== TICKET_KEY_LENGTH) return null;
      return { key: answer.key.slice(), renew: answer.renew === true };
    } catch {
      return null;
    }
  }

  /** Never shows key bytes (Node's util.inspect). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `TicketKeyStore { decryptionOnlyKeys: ${this.#old.length}, callback: ${this.#callback !== null} }`;
  }

  toJSON(): Record<string, never> {
    return {};
  }
}

/** The ticket options of a server context (part of ContextOptions). */
export interface TicketOptions {
  /**
   * Server: the key that seals and opens stateless session tickets, as Node's `tls.Server` `ticketKeys`: 48 bytes,
   * in memtls's layout a 16-byte key name then a 32-byte AES-256-GCM key (not OpenSSL's HMAC + AES-CBC layout; 48
   * random bytes suit both). Default: 48 random bytes from the provider, so tickets open only on this context.
   * Servers given the same key resume each other's sessions. Rotate with `SslContext.setTicketKeys`.
   */
  ticketKeys?: Uint8Array;
  /**
   * Server: supply ticket keys from a secret store instead of `ticketKeys` (OpenSSL's
   * SSL_CTX_set_tlsext_ticket_key_evp_cb). Asked with null for the key to seal a new ticket with, and with a
   * ticket's 16-byte key name for the key to open it with; see `TicketKeyCallback`. It may return a promise.
   */
  ticketKeyCallback?: TicketKeyCallback;
}

/**
 * The ticket keys of a context: null for a client (which must not pass ticket options), else a store with the
 * operator's key or a random one. Throws TypeError on a malformed option.
 */
export function ticketKeysFrom(opts: TicketOptions & { role: string }, provider: CryptoProvider, nowMs: () => number, lifetimeSeconds: () => number): TicketKeyStore | null {
  if (opts.ticketKeys !== undefined) checkTicketKeys(opts.ticketKeys, 'SslContext');
  if (opts.ticketKeyCallback !== undefined && typeof opts.ticketKeyCallback !== 'function') throw new TypeError('SslContext: ticketKeyCallback must be a function');
  if (opts.role !== 'server') {
    if (opts.ticketKeys !== undefined || opts.ticketKeyCallback !== undefined) throw new TypeError('SslContext: ticketKeys and ticketKeyCallback are server options');
    return null;
  }
  return new TicketKeyStore(provider, nowMs, lifetimeSeconds, opts.ticketKeys, opts.ticketKeyCallback ?? null);
}
