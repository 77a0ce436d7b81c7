/** The server role's factory, registered by the full package entry only (handshake/create.ts). */
import type { RoleFactory } from '../create.js';
import { ServerHandshake } from './tls13.js';

/** A server handshake (TLS 1.3 or 1.2, as the ClientHello and the configuration decide). */
export const serverRole: RoleFactory = (cx) => new ServerHandshake(cx);
