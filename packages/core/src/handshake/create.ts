/**
 * The one place the engine asks for its handshake role, through a registry that the package entries fill: the
 * full entry (`@memtls/core`, index.ts) registers both roles, the client entry (`@memtls/core/client`,
 * client.ts) only the client's, so that a client-only bundle holds no server handshake code (issue 16).
 *
 * Rules:
 * - Nothing here imports a role: client/role.ts and server/role.ts are imported by the entries only.
 * - Registering is idempotent and order-free (a role is one fixed factory); an app that loads both entries has
 *   both roles.
 * - `SslContext` checks `roleAvailable` when it is made, so a missing role is a TypeError at configuration
 *   time, never a failure inside a handshake.
 */
import type { SslSession } from '../session/session.js';
import type { Handshake, HandshakeContext } from './context.js';

/** What the client role starts from (ignored by a server). */
export interface HandshakeOptions {
  /** Client: the host name to send as SNI and check the certificate against. */
  serverName: string | null;
  /** Client: a session to offer for resumption. */
  session: SslSession | null;
}

/** Makes the handshake role of one connection. */
export type RoleFactory = (cx: HandshakeContext, opts: HandshakeOptions) => Handshake;

const roles: { client?: RoleFactory; server?: RoleFactory } = {};

/** Make `role` available to every `SslContext` (called by the package entries). */
export function registerRole(role: 'client' | 'server', factory: RoleFactory): void {
  roles[role] = factory;
}

/** True when an entry registered `role`. */
export function roleAvailable(role: unknown): role is 'client' | 'server' {
  return (role === 'client' || role === 'server') && roles[role] !== undefined;
}

/** The handshake role for `cx.config.role`: a TLS 1.3 client or server. */
export function createHandshake(cx: HandshakeContext, opts: HandshakeOptions): Handshake {
  const factory = roles[cx.config.role];
  if (factory === undefined) throw new TypeError(`the ${cx.config.role} handshake role is not loaded`);
  return factory(cx, opts);
}
