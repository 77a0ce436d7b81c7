/**
 * The man-in-the-middle driver: a memtls client (or server) talks to the endpoint under test, in memory over a
 * Duplex the endpoint's code receives, over a Duplex the caller opens, or over TCP on the loopback (the driver
 * connects to a listening endpoint, or listens for one connection from a connecting one: a TLS client under
 * test); every flight memtls writes passes through a mutation plan, is cut by a chunking and delivered in
 * separate writes; the run ends in a `Verdict`.
 *
 * The script of the memtls side: handshake; write the payload; read what comes until the endpoint closes or goes
 * quiet; shutdown (close_notify); read until the endpoint closes. When memtls waits for input and nothing comes
 * for `quietMs`, it moves on (after the payload: to its shutdown; otherwise it closes its half of the transport,
 * an EOF). After our EOF the endpoint must close or answer within `budgetMs`, or the verdict is `hang`.
 */
import type { Duplex } from 'node:stream';
import {
  MemoryBio,
  SSL_ERROR_WANT_READ,
  SSL_ERROR_WANT_WRITE,
  SSL_ERROR_ZERO_RETURN,
  Ssl,
  type SslContext,
} from '@memtls/core';
import type { Filter } from '../pair/run.js';
import type { Dir } from '../pair/side.js';
import { applyPlan, type MutationPlan } from '../plan.js';
import { applyChunking, type Chunking } from '../schedule.js';
import { concat } from '../wire.js';
import { memoryDuplexPair } from './duplex-pair.js';
import { connectTcp, LOOPBACK_HOSTS, listenOnce, type OneShotListener } from './transport.js';
import { alertName, type DriveResult, plaintextAlert, type Verdict } from './verdict.js';

/** An endpoint in this process: `serve` gets its end of an in-memory connection (a Duplex), as a server gets a socket. */
export interface InMemoryEndpoint {
  /** Called once per run with the endpoint's end of the connection. A throw (or a rejection) is an `exception` verdict. */
  serve(socket: Duplex): void | Promise<void>;
}

/** An endpoint listening on the loopback (the driver connects to it; only loopback addresses are accepted). */
export interface TcpEndpoint {
  /** The port it listens on. */
  port: number;
  /** Default '127.0.0.1'. */
  host?: '127.0.0.1' | '::1' | 'localhost';
}

/**
 * An endpoint that connects (a TLS client under test, over TCP): the driver listens on the loopback, port 0, and
 * calls `connectTo` with the port; your code starts its client there (a `tls.connect`, a spawned process). The
 * driver accepts exactly one connection (the listener closes on it, so a retry is refused) and runs the memtls
 * side on it: a server context to test a client.
 */
export interface ListenEndpoint {
  /**
   * Start your client against `host:port`. The run does not wait for it to return: it may resolve when your client
   * is done. A throw (or a rejection, at any time during the run) is an `exception` verdict.
   */
  connectTo(port: number, host: string): void | Promise<void>;
  /** Where the driver listens: default '127.0.0.1'. */
  host?: '127.0.0.1' | '::1';
  /** How long your client has to connect before the verdict is `hang` (default 5000 ms). */
  acceptMs?: number;
}

/** An endpoint reached through a transport your code opens: any Duplex (a WebSocket stream to a relay, a proxy...). */
export interface ConnectEndpoint {
  /** Open one connection to the endpoint. A throw (or a rejection) is an `exception` verdict. */
  connect(): Duplex | Promise<Duplex>;
}

/** A plaintext exchange before TLS starts on the same connection (STARTTLS and its kind). */
export interface Preamble {
  /** What the memtls side sends first, e.g. `STARTTLS\n`. */
  send: Uint8Array;
  /** The reply that starts TLS, e.g. `OK\n`. Bytes after it are handed to TLS as they are. */
  expect: Uint8Array;
}

/** What one run does. */
export interface DriveOptions {
  /** The endpoint under test. */
  endpoint: InMemoryEndpoint | TcpEndpoint | ListenEndpoint | ConnectEndpoint;
  /** A plaintext exchange before the handshake (absent: TLS from the first byte). */
  preamble?: Preamble;
  /** The memtls side's context: a client context to test a server, a server context to test a client. */
  context: SslContext;
  /** The server name the memtls client sends (default 'localhost'). */
  serverName?: string;
  /** The mutation plan, applied to the memtls side's outgoing flights (a plan for the other direction does nothing). */
  plan?: MutationPlan;
  /** Applied after the plan to each outgoing flight `n` (e.g. to replace the ClientHello with a generated one). */
  filter?: Filter;
  /** How each outgoing flight is cut into writes (default: one write a flight). */
  chunking?: Chunking;
  /** Application data the memtls side writes after the handshake (default: 'memtls-fast-check\n'). */
  payload?: Uint8Array;
  /** How long memtls waits for input before it moves on (default 100 ms in memory, 250 ms over TCP either way). */
  quietMs?: number;
  /** How long the endpoint has to close or answer after our EOF before the verdict is `hang` (default 2000 ms). */
  budgetMs?: number;
}

type Phase = 'hs' | 'write' | 'read' | 'shutdown' | 'drain' | 'end';

const DEFAULT_PAYLOAD = new TextEncoder().encode('memtls-fast-check\n');

/**
 * Exceptions thrown anywhere in this process while a run is on (an endpoint's event handlers throw outside any
 * call of ours) are captured with `process.setUncaughtExceptionCaptureCallback` and attributed to the endpoint.
 * Runs are therefore serialised in a process; another capture callback already set makes `drive` throw.
 */
let running = false;

/**
 * Run the memtls side against `o.endpoint` once; see the module comment. Never rejects for what the endpoint does.
 * @throws {TypeError} synchronously for options that are not what they say, or while another run is on.
 * @throws {RangeError} synchronously for a negative or non-finite `quietMs` / `budgetMs`.
 */
export function drive(o: DriveOptions): Promise<DriveResult> {
  if (!o || typeof o !== 'object') throw new TypeError('drive(): options must be an object');
  if (!(o.context && typeof o.context === 'object' && 'role' in o.context)) throw new TypeError('drive(): options.context must be an SslContext');
  const ep = o.endpoint as unknown;
  const kind = ep && typeof ep === 'object' ? ['serve', 'connect', 'port', 'connectTo'].filter((k) => k in ep) : [];
  if (kind.length !== 1) throw new TypeError('drive(): options.endpoint needs exactly one of serve(socket), connect(), port or connectTo(port)');
  const fn = kind[0] === 'port' ? null : (ep as Record<string, unknown>)[kind[0] as string];
  if (fn !== null && typeof fn !== 'function') throw new TypeError(`drive(): endpoint.${kind[0]} must be a function`);
  for (const k of ['quietMs', 'budgetMs'] as const) {
    const v = o[k];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new RangeError(`drive(): options.${k} must be a finite number >= 0`);
  }
  if ('port' in (ep as object)) {
    const t = ep as TcpEndpoint;
    if (!Number.isInteger(t.port) || t.port < 1 || t.port > 65535) throw new RangeError('drive(): endpoint.port must be 1 to 65535');
    if (!LOOPBACK_HOSTS.includes(t.host ?? '127.0.0.1')) throw new RangeError('drive(): a TCP endpoint must be on the loopback (127.0.0.1, ::1, localhost)');
  }
  if ('connectTo' in (ep as object)) {
    const l = ep as ListenEndpoint;
    if (!['127.0.0.1', '::1'].includes(l.host ?? '127.0.0.1')) throw new RangeError("drive(): a listening endpoint's host must be 127.0.0.1 or ::1");
    if (l.acceptMs !== undefined && !(Number.isFinite(l.acceptMs) && l.acceptMs >= 0)) throw new RangeError('drive(): endpoint.acceptMs must be a finite number >= 0');
  }
  if (o.payload !== undefined && !(o.payload instanceof Uint8Array)) throw new TypeError('drive(): options.payload must be a Uint8Array');
  if (running) throw new TypeError('drive(): another run is on; runs in one process go one at a time (uncaught exceptions are attributed to the endpoint)');
  const box: { capture: (e: unknown) => void } = { capture: () => {} };
  process.setUncaughtExceptionCaptureCallback((e) => box.capture(e));
  running = true;
  return run(o, box);
}

async function run(o: DriveOptions, box: { capture: (e: unknown) => void }): Promise<DriveResult> {
  let exception: { error: unknown } | null = null;
  const capture = (e: unknown): void => {
    exception ??= { error: e };
    wake();
  };
  box.capture = capture;
  let wake: () => void = () => {};
  const started = Date.now();
  const tcp = 'port' in o.endpoint || 'connectTo' in o.endpoint;
  const quietMs = o.quietMs ?? (tcp ? 250 : 100);
  const budgetMs = o.budgetMs ?? 2000;
  const ssl = new Ssl(o.context, o.context.role === 'client' ? { serverName: o.serverName ?? 'localhost' } : {});
  const input = new MemoryBio();
  const output = new MemoryBio();
  ssl.setBio(input, output);
  const outDir: Dir = o.context.role === 'client' ? 'c2s' : 's2c';
  const received: Uint8Array[] = [];
  const appData: Uint8Array[] = [];
  const sent: Uint8Array[] = [];
  let closed = false;
  let socket: Duplex | null = null;
  let serveRan: Promise<void> = Promise.resolve();
  let listener: OneShotListener | null = null;
  let failed = false;
  try {
    const ep = o.endpoint;
    const pair = 'serve' in ep ? memoryDuplexPair() : null;
    if (pair) socket = pair[0];
    else if ('connect' in ep) {
      try {
        socket = await ep.connect();
      } catch (e) {
        capture(e);
        return result({ kind: 'exception', error: e });
      }
    } else if ('connectTo' in ep) {
      const l = await listenOnce(ep.host ?? '127.0.0.1');
      listener = l;
      serveRan = Promise.resolve()
        .then(() => ep.connectTo(l.port, ep.host ?? '127.0.0.1'))
        .catch((e: unknown) => capture(e));
      let got: Duplex | null = null;
      void l.accepted.then((x) => {
        got = x;
        wake();
      });
      const acceptMs = ep.acceptMs ?? 5000;
      const until = Date.now() + acceptMs;
      while (!got && !exception && Date.now() < until) await waitFor(until - Date.now());
      l.close();
      if (exception) return result({ kind: 'exception', error: (exception as { error: unknown }).error });
      // Your client never connected: it hangs before its first byte.
      if (!got) return result({ kind: 'hang', afterMs: acceptMs });
      socket = got;
    } else socket = await connectTcp((ep as TcpEndpoint).host ?? '127.0.0.1', (ep as TcpEndpoint).port);
    const s = socket;
    let pre: Uint8Array | null = o.preamble ? new Uint8Array(0) : null;
    s.on('data', (b: Buffer) => {
      let bytes: Uint8Array = new Uint8Array(b);
      if (pre && o.preamble) {
        pre = concat(pre, bytes);
        const want = o.preamble.expect;
        if (pre.length < want.length) return wake();
        if (!want.every((x, i) => pre?.[i] === x)) return wake();
        bytes = pre.subarray(want.length);
        pre = null;
      }
      received.push(bytes);
      input.write(bytes);
      wake();
    });
    const onClose = (): void => {
      closed = true;
      wake();
    };
    s.on('end', onClose);
    s.on('close', onClose);
    s.on('error', onClose);
    if (pair) {
      const theirs = pair[1];
      serveRan = Promise.resolve()
        .then(() => (o.endpoint as InMemoryEndpoint).serve(theirs))
        .catch((e: unknown) => capture(e));
    }
    if (o.preamble) {
      s.write(o.preamble.send);
      const until = Date.now() + budgetMs;
      while (pre && !closed && !exception && Date.now() < until) {
        const want = o.preamble.expect;
        if (pre.length >= want.length && !want.every((x, i) => pre?.[i] === x)) break;
        await waitFor(until - Date.now());
      }
      if (exception) return result({ kind: 'exception', error: (exception as { error: unknown }).error });
      // No upgrade: the endpoint refused (closed, or answered something else) or never answered.
      if (pre) return result(closed || pre.length ? { kind: 'closed' } : { kind: 'hang', afterMs: budgetMs });
    }
    const verdict = await script();
    return result(verdict);
  } catch (e) {
    if (exception) return result({ kind: 'exception', error: (exception as { error: unknown }).error });
    throw e;
  } finally {
    socket?.destroy();
    listener?.close();
    await Promise.race([serveRan, new Promise((r) => setTimeout(r, 10))]);
    process.setUncaughtExceptionCaptureCallback(null);
    running = false;
  }

  function result(verdict: Verdict): DriveResult {
    const d = ssl.lastErrorDetail();
    return {
      verdict,
      plan: o.plan,
      sent,
      received: concat(...received),
      appData: concat(...appData),
      handshakeDone: ssl.isInitFinished(),
      driverFailure: failed && d ? { reason: ssl.errorReason() ?? d.reason, alertSent: d.alert } : null,
      elapsedMs: Date.now() - started,
    };
  }

  /** Wait until something arrives, the transport closes, or `ms` pass. True when something happened. */
  function waitFor(ms: number): Promise<boolean> {
    if (exception) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        wake = () => {};
        resolve(false);
      }, ms);
      wake = () => {
        clearTimeout(t);
        wake = () => {};
        resolve(true);
      };
    });
  }

  async function flush(): Promise<void> {
    const n = output.pending();
    if (n === 0 || !socket) return;
    const b = new Uint8Array(n);
    output.read(b);
    let f = applyPlan(o.plan ?? { dir: outDir, flight: -1, ops: [] }, outDir, sent.length, b);
    if (o.filter) f = o.filter(outDir, sent.length, f);
    sent.push(f);
    for (const chunk of o.chunking ? applyChunking(f, o.chunking) : [f]) {
      if (closed || socket.destroyed || socket.writableEnded) return;
      try {
        socket.write(chunk);
      } catch (e) {
        capture(e);
        return;
      }
      if (o.chunking) await new Promise((r) => setImmediate(r));
    }
  }

  async function script(): Promise<Verdict> {
    let phase: Phase = 'hs';
    let written = 0;
    let eofSentAt = 0;
    const payload = o.payload ?? DEFAULT_PAYLOAD;
    const buf = new Uint8Array(16384);
    while (!exception) {
      let r = 0;
      let call: 'hs' | 'write' | 'read' | 'shutdown' | null = null;
      if (phase === 'hs') {
        call = 'hs';
        r = await ssl.doHandshake();
        if (r === 1) phase = payload.length ? 'write' : 'read';
      } else if (phase === 'write') {
        call = 'write';
        r = await ssl.write(payload.subarray(written));
        if (r > 0) written += r;
        if (written >= payload.length) phase = 'read';
      } else if (phase === 'read' || phase === 'drain') {
        call = 'read';
        r = await ssl.read(buf);
        if (r > 0) appData.push(buf.slice(0, r));
        else if (ssl.getError(r) === SSL_ERROR_ZERO_RETURN) {
          if (phase === 'read') phase = 'shutdown';
          else phase = 'end';
        }
      } else if (phase === 'shutdown') {
        call = 'shutdown';
        r = await ssl.shutdown();
        if (r === 1) phase = 'end';
        else if (r === 0) {
          phase = 'drain';
          r = 1; // a 0 from the first shutdown is progress (docs/shutdown.md rule 2)
        }
      }
      await flush();
      if (exception) break;
      if (phase === 'end') return (await settle(true)) ?? { kind: 'completed' };
      if (call && r <= 0) {
        const err = ssl.getError(r);
        // Our close_notify is out and the endpoint closed the transport without its own: a clean end for most
        // servers (Node's among them answer a close_notify by closing).
        if (phase === 'drain' && closed && err !== SSL_ERROR_WANT_READ && err !== SSL_ERROR_WANT_WRITE && ssl.lastErrorDetail()?.alert == null)
          return (await settle(true)) ?? { kind: 'completed' };
        if (err !== SSL_ERROR_WANT_READ && err !== SSL_ERROR_WANT_WRITE && err !== SSL_ERROR_ZERO_RETURN) {
          failed = true;
          return (await settle(false)) ?? { kind: 'closed' };
        }
        if (err === SSL_ERROR_WANT_READ && input.pending() === 0) {
          if (closed) {
            input.setEof();
            continue;
          }
          if (await waitFor(eofSentAt ? Math.max(1, budgetMs - (Date.now() - eofSentAt)) : quietMs)) continue;
          // Quiet: after the payload, move on to our shutdown; otherwise close our half of the transport.
          if (eofSentAt) return { kind: 'hang', afterMs: Date.now() - eofSentAt };
          if (phase === 'read') phase = 'shutdown';
          else {
            socket?.end();
            eofSentAt = Date.now();
          }
        }
      }
    }
    return { kind: 'exception', error: (exception as { error: unknown } | null)?.error };
  }

  /**
   * The memtls side is done (`ok`) or failed: wait for the endpoint to close (up to the budget), then read its
   * verdict from what it sent. Undefined: no alert, the caller's default stands.
   */
  async function settle(ok: boolean): Promise<Verdict | undefined> {
    if (!closed) {
      socket?.end();
      const until = Date.now() + budgetMs;
      while (!closed && !exception && Date.now() < until) await waitFor(until - Date.now());
      if (exception) return { kind: 'exception', error: (exception as { error: unknown }).error };
      if (!closed && !ok) return { kind: 'hang', afterMs: budgetMs };
    }
    if (exception) return { kind: 'exception', error: (exception as { error: unknown }).error };
    const d = ssl.lastErrorDetail();
    if (d?.receivedAlert !== null && d?.receivedAlert !== undefined && d.receivedAlert !== 0) return alertVerdict(d.receivedAlert, 2);
    const plain = plaintextAlert(concat(...received));
    if (plain) return alertVerdict(plain.description, plain.level);
    return ok ? undefined : { kind: 'closed' };
  }
}

const alertVerdict = (description: number, level: number): Verdict => ({ kind: 'alert', description, name: alertName(description), level });
