/** The one place that knows the role classes: the engine asks for its role here. */
import type { SslSession } from '../session/session.js';
import { ClientHandshake } from './client/tls13.js';
import type { Handshake, HandshakeContext } from './context.js';
import { ServerHandshake } from './server/tls13.js';

/** What the client role starts from (ignored by a server). */
export interface HandshakeOptions {
  /** Client: the host name to send as SNI and check the certificate against. */
  serverName: string | null;
  /** Client: a session to offer for resumption. */
  session: SslSession | null;
}

/** The handshake role for `cx.config.role`: a TLS 1.3 client or server. */
export function createHandshake(cx: HandshakeContext, opts: HandshakeOptions): Handshake {
  return cx.config.role === 'client' ? new ClientHandshake(cx, opts.serverName, opts.session) : new ServerHandshake(cx);
}
