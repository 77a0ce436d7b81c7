/**
 * memtls in its Node stream adapter (`MemtlsSocket` from @memtls/node, default node:crypto provider) over the
 * same in-memory Duplex pair as Node's TLSSocket: used for the memory row only, because Node's numbers
 * include its stream layer while the core `Ssl` rows do not.
 */
import { once } from 'node:events';
import { contextFromOptions, MemtlsSocket } from '@memtls/node';
import { GROUP, type IdleOpener, type IdleSet, pool, SERVER_NAME, SUITE } from './common.js';
import { memPair } from './node-side.js';

export function memtlsSocketIdle(name: string, pki: { cert: string; key: string; ca: string }): IdleOpener {
  const common = { minVersion: 'TLSv1.3' as const, ciphersuites: SUITE, ecdhCurve: GROUP };
  // One context per side, as a server (and the client context cache) would share them.
  const serverCtx = contextFromOptions('server', { ...common, cert: pki.cert, key: pki.key });
  const clientCtx = contextFromOptions('client', { ...common, ca: pki.ca });

  interface Pair {
    client: MemtlsSocket;
    server: MemtlsSocket;
  }

  async function connect(): Promise<Pair> {
    const [ce, se] = memPair();
    const server = new MemtlsSocket(se, { isServer: true, secureContext: serverCtx });
    const client = new MemtlsSocket(ce, { secureContext: clientCtx, servername: SERVER_NAME });
    await Promise.all([once(server, 'secure'), once(client, 'secureConnect'), once(client, 'session')]);
    if (!client.authorized) throw new Error(`memtls socket: server not verified: ${String(client.authorizationError)}`);
    if (client.getEphemeralKeyInfo()?.name?.toLowerCase() !== GROUP || client.getCipher()?.standardName !== SUITE) throw new Error('memtls socket: unexpected parameters');
    return { client, server };
  }

  /** close_notify both ways: the server answers the client's at once (allowHalfOpen false). */
  async function closeCleanly(p: Pair): Promise<void> {
    const closed = Promise.all([once(p.client, 'close'), once(p.server, 'close')]);
    p.client.resume();
    p.server.resume();
    p.client.end();
    await closed;
    if (p.client.getShutdown() !== 3 || p.server.getShutdown() !== 3) throw new Error(`memtls socket: unclean close (${p.client.getShutdown()}, ${p.server.getShutdown()})`);
  }

  return {
    name,
    async openIdle(n: number, concurrency: number): Promise<IdleSet> {
      let pairs = await pool(n, concurrency, connect);
      return {
        count: pairs.length,
        async close(): Promise<void> {
          const all = pairs;
          pairs = [];
          await pool(all.length, concurrency, (i) => closeCleanly(all[i] as Pair));
        },
      };
    },
  };
}
