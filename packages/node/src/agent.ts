/**
 * `MemtlsAgent`: an `https.Agent` whose connections are memtls clients, so `https.request`/`https.get`
 * (and anything built on them) run over memtls with Node's connection pooling and keep-alive.
 *
 * The agent keeps the newest session per host:port (from each socket's `'session'` event) and offers it
 * on the next connection, as Node's https.Agent does with its session cache.
 */
import type http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { connect } from './connect.js';
import type { SecureOptions } from './options.js';
import type { MemtlsSocket } from './socket.js';

/** Options of `MemtlsAgent`: those of `http.Agent` plus the TLS options. */
export interface MemtlsAgentOptions extends http.AgentOptions {
  /** TLS options for every connection (PEM `ca`, `cert`, `key`, `ALPNProtocols`, `rejectUnauthorized`...). */
  tls?: SecureOptions;
  /** Reuse sessions across connections (default true). */
  resumeSessions?: boolean;
}

/**
 * An https.Agent whose connections are memtls sockets, for `https.request` / `fetch`-style clients; it resumes
 * sessions per host and port.
 */
export class MemtlsAgent extends https.Agent {
  readonly #tls: SecureOptions;
  readonly #resume: boolean;
  readonly #sessions = new Map<string, Buffer>();

  constructor(options: MemtlsAgentOptions = {}) {
    const { tls, resumeSessions, ...agentOpts } = options;
    super(agentOpts);
    this.#tls = { ...(tls ?? {}) };
    this.#resume = resumeSessions ?? true;
  }

  /** Open a memtls connection for one request (called by Node's http machinery). */
  override createConnection(options: https.RequestOptions, _callback?: (err: Error | null, stream: Duplex) => void): Duplex {
    const host = options.host ?? options.hostname ?? 'localhost';
    const port = Number(options.port ?? 443);
    const servername = options.servername ?? host;
    const key = `${servername}:${host}:${port}`;
    const session = this.#resume ? this.#sessions.get(key) : undefined;
    const sock: MemtlsSocket = connect({ ...this.#tls, host, port, servername, ...(session ? { session } : {}) });
    if (this.#resume) sock.on('session', (s: Buffer) => this.#sessions.set(key, s));
    // http.Agent uses the returned socket at once (its callback is for asynchronous creation only);
    // errors, including handshake failures, reach the request through the socket's 'error'.
    return sock;
  }
}
