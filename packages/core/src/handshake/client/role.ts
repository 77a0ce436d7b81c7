/** The client role's factory, registered by the package entries (handshake/create.ts). */
import type { RoleFactory } from '../create.js';
import { ClientHandshake } from './tls13.js';

/** A client handshake (TLS 1.3, falling back to 1.2 as the ServerHello says). */
export const clientRole: RoleFactory = (cx, opts) => new ClientHandshake(cx, opts.serverName, opts.session);
