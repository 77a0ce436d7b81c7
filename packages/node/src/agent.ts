/**
 * `MemtlsAgent`: an `https.Agent` whose connections are memtls clients, so `https.request`/`https.get`
 * (and anything built on them) run over memtls with Node's connection pooling and keep-alive.
 *
 * Options are placed as with Node's `https.Agent`: TLS options may be given at the top level
 * (`new MemtlsAgent({ ca })`), in `tls` (memtls's grouping), or per request (`https.request({ agent, ca,
 * rejectUnauthorized, servername })`). As in Node, the agent's own options win over a request's (Node's
 * `Agent#createSocket` merges them that way) and take part in the pool key, so requests with other TLS options
 * never share a connection. The server name is the agent's `servername`, else the request's, else the one Node
 * derives from the Host header, else the host.
 *
 * The agent keeps the newest session per connection key (from each socket's `'session'` event) and offers it
 * on the next connection, as Node's https.Agent does with its session cache.
 */
import type http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { type ConnectOptions, connect } from './connect.js';
import type { SecureOptions } from './options.js';
import type { MemtlsSocket } from './socket.js';

/** Options of `MemtlsAgent`: those of `http.Agent`, plus the TLS options at the top level or in `tls`. */
export interface MemtlsAgentOptions extends http.AgentOptions, SecureOptions {
  /** TLS options for every connection (PEM `ca`, `cert`, `key`, `ALPNProtocols`, `rejectUnauthorized`...), as an
   * alternative to giving them at the top level. The top level wins where both name an option. */
  tls?: SecureOptions & {
    /** The server name (SNI and certificate check) for every connection, as the top-level `servername`. */
    servername?: string;
  };
  /** The server name (SNI and certificate check) for every connection of this agent. */
  servername?: string;
  /** Reuse sessions across connections (default true). */
  resumeSessions?: boolean;
}

/** The option names a connection takes from the merged request/agent options (Node's `tls.connect` names). */
const TLS_OPTION_NAMES = [
  'ca',
  'cert',
  'key',
  'ALPNProtocols',
  'rejectUnauthorized',
  'minVersion',
  'maxVersion',
  'ciphersuites',
  'ciphers',
  'ecdhCurve',
  'pinnedPublicKeys',
  'ignoreUnexpectedEof',
  'crypto',
  'secureContext',
  'servername',
  'checkServerIdentity',
  'sigalgs',
] as const;

type TlsOptionName = (typeof TLS_OPTION_NAMES)[number];

function pickTls(from: Record<string, unknown>): Partial<Record<TlsOptionName, unknown>> {
  const out: Partial<Record<TlsOptionName, unknown>> = {};
  for (const k of TLS_OPTION_NAMES) if (from[k] !== undefined) out[k] = from[k];
  return out;
}

/**
 * An https.Agent whose connections are memtls sockets, for `https.request` / `fetch`-style clients; it resumes
 * sessions per host and port.
 */
export class MemtlsAgent extends https.Agent {
  readonly #resume: boolean;
  readonly #sessions = new Map<string, Buffer>();

  constructor(options: MemtlsAgentOptions = {}) {
    const { tls, resumeSessions, ...rest } = options;
    // The `tls` group joins the top-level options, so Node's Agent merges and pools by them like its own.
    super({ ...(tls ?? {}), ...rest } as unknown as https.AgentOptions);
    this.#resume = resumeSessions ?? true;
  }

  /** Open a memtls connection for one request (called by Node's http machinery). */
  override createConnection(options: https.RequestOptions, _callback?: (err: Error | null, stream: Duplex) => void): Duplex {
    // `options` is Node's merge of the request's options and the agent's (the agent's win).
    const host = options.host ?? options.hostname ?? 'localhost';
    const port = Number(options.port ?? 443);
    const tlsOpts = pickTls(options as Record<string, unknown>) as ConnectOptions;
    // Node sets servername '' for an IP host: memtls then checks the IP against the certificate and sends no SNI.
    const servername = tlsOpts.servername ? tlsOpts.servername : host;
    const key = `${this.getName(options as https.AgentOptions)}:${servername}`;
    const session = this.#resume ? this.#sessions.get(key) : undefined;
    const sock: MemtlsSocket = connect({ ...tlsOpts, host, port, servername, ...(session ? { session } : {}) });
    if (this.#resume) sock.on('session', (s: Buffer) => this.#sessions.set(key, s));
    // http.Agent uses the returned socket at once (its callback is for asynchronous creation only);
    // errors, including handshake failures, reach the request through the socket's 'error'.
    return sock;
  }
}
