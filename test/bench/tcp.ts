/**
 * Loopback TCP (127.0.0.1 only): memtls through @memtls/node (`createServer`/`connect`, default node:crypto
 * provider) against Node's `tls.createServer`/`tls.connect`. Same certificate, suite and group as in memory.
 * One server per contender for the whole bench; sequential connections, bounded loops, every socket closed.
 */
import { once } from 'node:events';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { connect as memtlsConnect, createServer as memtlsCreateServer } from '@memtls/node';
import { type Negotiated, now, type Profile, SERVER_NAME, StreamCheck, TLS13 } from './common.js';
import type { Pki } from './contenders.js';
import { nodeCurves } from './node-side.js';

/** What the benchmark uses of a TLS socket; `tls.TLSSocket` and `MemtlsSocket` both have it. */
interface TlsSocketLike extends Duplex {
  authorized: boolean;
  getProtocol(): string | null;
  getCipher(): { standardName: string } | null;
  getEphemeralKeyInfo(): object | null;
  setNoDelay(noDelay?: boolean): unknown;
}

interface Impl {
  createServer(): net.Server;
  connect(port: number): TlsSocketLike;
}

/** Handshakes stop after this many per run whatever the time, so a run can never exhaust ephemeral ports. */
const MAX_HANDSHAKES_PER_RUN = 5000;

export class TcpContender {
  readonly name: string;
  readonly #impl: Impl;
  #server: net.Server | null = null;
  #port = 0;
  /** Sockets (both sides) not yet closed. */
  readonly #live = new Set<TlsSocketLike>();
  /** Server-side sockets that finished their handshake and have not been claimed by a client yet. */
  readonly #ready: TlsSocketLike[] = [];
  #waiter: (() => void) | null = null;
  #failure: Error | null = null;

  constructor(name: string, impl: Impl) {
    this.name = name;
    this.#impl = impl;
  }

  async start(): Promise<void> {
    const server = this.#impl.createServer();
    // Nagle off on both ends, for both contenders: each handshake flight is then sent at once.
    server.on('connection', (raw: net.Socket) => raw.setNoDelay(true));
    server.on('secureConnection', (s: TlsSocketLike) => {
      this.#live.add(s);
      s.on('close', () => this.#live.delete(s));
      s.on('error', (e: Error) => this.#fail(e));
      this.#ready.push(s);
      this.#wake();
    });
    server.on('tlsClientError', (e: Error) => this.#fail(e));
    server.on('error', (e: Error) => this.#fail(e));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    this.#server = server;
    this.#port = (server.address() as net.AddressInfo).port;
  }

  /**
   * Close the server; resolves once it has closed. Sockets still open here (only after a failure: every
   * loop closes its own) are destroyed first, so a failed run cannot keep the process alive.
   */
  async stop(): Promise<void> {
    const leftover = this.#live.size;
    for (const s of this.#live) s.destroy();
    const server = this.#server;
    this.#server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (leftover !== 0 && !this.#failure) throw new Error(`${this.name}: ${leftover} sockets were still open at the end`);
  }

  #fail(e: Error): void {
    this.#failure ??= e;
    this.#wake();
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = null;
    w?.();
  }

  /** The next server-side socket whose handshake is done. */
  async #nextServerSocket(): Promise<TlsSocketLike> {
    for (;;) {
      if (this.#failure) throw this.#failure;
      const s = this.#ready.shift();
      if (s) return s;
      await new Promise<void>((resolve) => {
        this.#waiter = resolve;
      });
    }
  }

  /** One connection: both ends past their handshake. */
  async #connect(): Promise<{ client: TlsSocketLike; server: TlsSocketLike }> {
    const client = this.#impl.connect(this.#port);
    this.#live.add(client);
    client.on('close', () => this.#live.delete(client));
    client.setNoDelay(true);
    const [, server] = await Promise.all([once(client, 'secureConnect'), this.#nextServerSocket()]);
    return { client, server };
  }

  /** close_notify and FIN both ways (the server answers the client's end), waiting for both 'close'. */
  async #close(c: { client: TlsSocketLike; server: TlsSocketLike }): Promise<void> {
    const closed = Promise.all([once(c.client, 'close'), once(c.server, 'close')]);
    c.client.resume();
    c.server.resume();
    c.client.end();
    await closed;
    if (this.#failure) throw this.#failure;
  }

  async negotiate(): Promise<Omit<Negotiated, 'handshakeWire' | 'resumedWire'>> {
    const c = await this.#connect();
    const key = c.client.getEphemeralKeyInfo() as { name?: string } | null;
    const r = { version: c.client.getProtocol(), cipher: c.client.getCipher()?.standardName ?? null, group: key?.name?.toLowerCase() ?? null };
    if (!c.client.authorized) throw new Error(`${this.name}: server not verified`);
    // Both ends: the server socket must report the same version and suite.
    if (c.server.getProtocol() !== r.version || (c.server.getCipher()?.standardName ?? null) !== r.cipher) {
      throw new Error(`${this.name}: the ends disagree: client ${r.version} ${r.cipher}, server ${c.server.getProtocol()} ${c.server.getCipher()?.standardName}`);
    }
    await this.#close(c);
    return r;
  }

  /** Sequential handshakes for about `seconds` of wall time; only connect -> both ends secure is timed. */
  async handshakes(seconds: number): Promise<{ count: number; seconds: number }> {
    const t0 = now();
    let timed = 0;
    let count = 0;
    while (now() - t0 < seconds && count < MAX_HANDSHAKES_PER_RUN) {
      const t = now();
      const c = await this.#connect();
      timed += now() - t;
      await this.#close(c);
      count++;
    }
    return { count, seconds: timed };
  }

  /** One connection (handshake untimed), then `bytes` client -> server in `msg`-sized writes. */
  async bulk(msg: Uint8Array, bytes: number): Promise<{ bytes: number; seconds: number }> {
    const c = await this.#connect();
    const check = new StreamCheck(msg);
    let done = (): void => {};
    const all = new Promise<void>((resolve) => {
      done = resolve;
    });
    const onError = (e: Error): void => {
      this.#fail(e);
      done();
    };
    c.client.on('error', onError);
    c.server.on('error', onError);
    let sent = 0;
    let writerDone = false;
    c.server.on('data', (d: Buffer) => {
      try {
        check.feed(d, d.length);
      } catch (e) {
        onError(e as Error);
      }
      if (writerDone && check.received >= sent) done();
    });
    const t0 = now();
    while (sent < bytes && !this.#failure) {
      if (!c.client.write(msg)) await Promise.race([once(c.client, 'drain'), all]);
      sent += msg.length;
    }
    writerDone = true;
    if (check.received < sent && !this.#failure) await all;
    const seconds = now() - t0;
    if (this.#failure) throw this.#failure;
    check.expect(sent);
    await this.#close(c);
    return { bytes: sent, seconds };
  }
}

export function tcpContenders(pki: Pki, profile: Profile = TLS13): { memtls: TcpContender; node: TcpContender } {
  const v = profile.version;
  const suites = v === 'TLSv1.3' ? { ciphersuites: profile.suite } : { ciphers: profile.opensslSuite };
  const mine = { minVersion: v, maxVersion: v, ...suites, ecdhCurve: profile.groups } as const;
  const memtls = new TcpContender('memtls (@memtls/node)', {
    createServer: () => memtlsCreateServer({ cert: pki.cert, key: pki.key, ...mine }),
    connect: (port) => memtlsConnect({ host: '127.0.0.1', port, servername: SERVER_NAME, ca: pki.ca, ...mine }),
  });
  const common = { minVersion: v, maxVersion: v, ciphers: profile.opensslSuite, ecdhCurve: nodeCurves(profile) } as const;
  const node = new TcpContender('node tls', {
    createServer: () => tls.createServer({ ...common, cert: pki.cert, key: pki.key }),
    connect: (port) => tls.connect({ ...common, host: '127.0.0.1', port, servername: SERVER_NAME, ca: pki.ca }),
  });
  return { memtls, node };
}
