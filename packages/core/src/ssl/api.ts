/**
 * The public types of `Ssl` (re-exported by ssl.ts) and the facade's argument checks: API misuse throws
 * TypeError/RangeError before anything changes.
 */
import { type Bio, isBytes } from '../bio/bio.js';
import { sniHostName } from '../handshake/server-name.js';
import { SslSession } from '../session/session.js';
import type { SslContext } from '../ssl-context.js';

/**
 * The outcome of one call, captured when the call ends: `ret` as the OpenSSL-style call returns it, `error`
 * what `getError(ret)` said at that moment, and `reason` the error reason of this call (null when none).
 * Use the `*Result` methods when calls overlap (a read loop and a write loop): `getError()` describes the
 * last call to end, which may be another one by the time an awaiting caller looks.
 */
export interface SslResult {
  /** What the call returned (OpenSSL style: > 0 success, 0 or -1 see `error`). */
  ret: number;
  /** What `getError(ret)` said when the call ended (an SSL_ERROR_* value). */
  error: number;
  /** The call's error reason (OpenSSL's words), or null. */
  reason: string | null;
}

/** Per-connection options of `Ssl`. */
export interface SslOptions {
  /** Client: the server's host name or IP address: sent as SNI (not an IP address) and checked against the
   * certificate. Required on a verifying client unless the context says verifyHostname: false. */
  serverName?: string;
  /** Client: a session to offer for resumption (offered only if it fits this connection and its policy). */
  session?: SslSession;
}

/** SSL_set_options / SSL_set_mode bits: a 32-bit unsigned integer, else RangeError. */
export function checkBits(bits: number): number {
  if (!Number.isInteger(bits) || bits < 0 || bits > 0xffffffff) throw new RangeError('option/mode bits must be a 32-bit unsigned integer');
  return bits;
}

/** The arguments of `new Ssl(ctx, opts)`. */
export function checkSslArgs(ctx: SslContext, opts: SslOptions): void {
  if (!ctx || typeof (ctx as { engineConfig?: unknown }).engineConfig !== 'function') throw new TypeError('Ssl: ctx must be an SslContext');
  // A DNS host name (sent as SNI) or an IP literal (checked against the certificate only): TypeError otherwise.
  if (opts.serverName !== undefined) sniHostName(opts.serverName);
  if (opts.session !== undefined && !(opts.session instanceof SslSession)) throw new TypeError('Ssl: session must be an SslSession (SslSession.fromBytes restores a saved one)');
  // A verifying client without a name would accept any certificate of its CAs for any host (rustls refuses
  // this too). An IP literal is a name: it is checked against iPAddress SANs and not sent as SNI.
  if (ctx.needsServerName && opts.serverName === undefined) {
    throw new TypeError('Ssl: a verifying client needs serverName (the host name or IP address the certificate must match); pass verifyHostname: false to the SslContext to opt out explicitly');
  }
}

/** The arguments of the TLS-Exporter calls (`what` names the call in the message), made once the handshake completed. */
export function checkExporterArgs(what: string, label: unknown, context: unknown, length: number, max: number, handshakeComplete: boolean): void {
  if (typeof label !== 'string') throw new TypeError(`${what}: label must be a string`);
  if (context !== null && !isBytes(context)) throw new TypeError(`${what}: context must be a Uint8Array or null`);
  if (!Number.isInteger(length) || length < 1 || length > max) throw new RangeError(`${what}: length must be an integer from 1 to ${max}`);
  if (!handshakeComplete) throw new TypeError(`${what}: the handshake has not completed`);
}

/** setServerName (SSL_set_tlsext_host_name): a client's call, before the handshake, with a valid name. */
export function checkServerNameCall(isServer: boolean, started: boolean, name: unknown): void {
  if (isServer) throw new TypeError('setServerName: only a client sends a server name');
  if (typeof name !== 'string') throw new TypeError('setServerName: name must be a string');
  if (started) throw new TypeError('setServerName: the handshake has already started (the ClientHello is built)');
  sniHostName(name);
}

/** The two BIOs of `setBio`. */
export function checkBios(...bios: unknown[]): void {
  for (const b of bios as Partial<Bio>[]) {
    if (!b || typeof b.read !== 'function' || typeof b.write !== 'function' || typeof b.shouldRetry !== 'function') {
      throw new TypeError('setBio: expected two BIOs (MemoryBio or newBioPair ends)');
    }
  }
}

/** writeEarlyData (client) / readEarlyData (server): the role, a non-empty Uint8Array. */
export function checkEarlyDataArgs(isServer: boolean, role: 'client' | 'server', what: string, data: unknown): void {
  if (isServer !== (role === 'server')) throw new TypeError(`${what}: only a ${role} ${role === 'client' ? 'writes' : 'reads'} early data`);
  if (!isBytes(data)) throw new TypeError(`${what}: expected a Uint8Array`);
  if (data.length === 0) throw new RangeError(`${what}: must not be empty`);
}

const RESOLVED = Promise.resolve();

/** The op queue: calls run one at a time, in call order, whatever the previous one did. */
export class OpQueue {
  private tail: Promise<unknown> = Promise.resolve();
  /** Calls queued or running. */
  private active = 0;

  /** True when no call is queued or running: a call may then be served synchronously, still in call order. */
  get idle(): boolean {
    return this.active === 0;
  }

  /**
   * A call was just served synchronously: its result, resolved. The next call waits one microtask, as a queued call
   * would, so that the caller's continuation of this one (its getError) runs before that call changes the state.
   */
  served<T>(result: T): Promise<T> {
    this.active++;
    void RESOLVED.then(this.release);
    return Promise.resolve(result);
  }

  private readonly release = (): void => {
    this.active--;
  };

  run<T>(op: () => Promise<T>): Promise<T> {
    this.active++;
    const run = this.tail.then(op, op);
    // The tail keeps no result: an exported key (or any other value) is not held where inspect would see it.
    const done = (): undefined => {
      this.active--;
      return undefined;
    };
    this.tail = run.then(done, done);
    return run;
  }
}
