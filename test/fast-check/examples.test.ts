/**
 * The README's examples, run: @memtls/fast-check against the STARTTLS example server (examples/starttls: a
 * plaintext preamble, then memtls's server on the same TCP connection) and against a WebSocket-to-TCP relay
 * (examples/browser-websocket/relay.ts, in front of Node's tls server), through `ws`'s Duplex stream.
 */
import assert from 'node:assert/strict';
import { SslContext } from '@memtls/core';
import { startRelay } from '@memtls/example-browser-websocket/relay';
import { StartTlsServer } from '@memtls/example-starttls';
import { ascii, mutationPlan } from '@memtls/fast-check';
import { drive, formatResult } from '@memtls/fast-check/node';
import fc from 'fast-check';
import { createWebSocketStream, WebSocket } from 'ws';
import { testPki } from '../util/pki.js';
import { nodeTlsEchoServer } from './endpoints.js';

const SEED = Number(process.env.MEMTLS_FUZZ_SEED ?? 20261206);
const client = (): SslContext => new SslContext({ role: 'client', ca: testPki().caCert });

describe('@memtls/fast-check: the examples (STARTTLS server, WebSocket relay)', function () {
  this.timeout(180000);

  it('STARTTLS: 15 mutated handshakes after the upgrade; each classified, no secure line the client did not send', async () => {
    const leaf = testPki().leaves['ec-p256'];
    const server = new StartTlsServer({ cert: leaf.cert, key: leaf.key });
    const secureLines: string[] = [];
    server.on('line', (text: string, secure: boolean) => {
      if (secure) secureLines.push(text);
    });
    server.on('tlsError', () => {});
    const port = await server.listen();
    const preamble = { send: ascii('STARTTLS\n'), expect: ascii('OK\n') };
    try {
      const clean = await drive({ endpoint: { port }, context: client(), preamble, quietMs: 150 });
      assert.equal(clean.verdict.kind, 'completed', formatResult(clean));
      assert.equal(new TextDecoder().decode(clean.appData), 'secure: memtls-fast-check\n');
      await fc.assert(
        fc.asyncProperty(mutationPlan({ dirs: ['c2s'], maxFlight: 2 }), async (plan) => {
          secureLines.length = 0;
          const r = await drive({ endpoint: { port }, context: client(), preamble, plan, quietMs: 100, budgetMs: 3000 });
          assert.ok(['completed', 'alert', 'closed'].includes(r.verdict.kind), formatResult(r, 96));
          assert.ok(secureLines.every((l) => l === 'memtls-fast-check'), `secure lines: ${JSON.stringify(secureLines)}\n${formatResult(r, 96)}`);
        }),
        { seed: SEED, numRuns: 15 },
      );
      // The injection the example exists to refuse: plaintext behind STARTTLS in the same write.
      secureLines.length = 0;
      const injected = await drive({ endpoint: { port }, context: client(), preamble: { send: ascii('STARTTLS\nINJECTED\n'), expect: ascii('OK\n') }, quietMs: 100 });
      assert.equal(injected.verdict.kind, 'closed', formatResult(injected));
      assert.equal(secureLines.length, 0);
    } finally {
      await server.close();
    }
  });

  it("a WebSocket relay in front of Node's tls server: 15 mutated connections through ws, each classified", async () => {
    const tlsServer = await nodeTlsEchoServer();
    const relay = await startRelay({ target: { host: '127.0.0.1', port: tlsServer.port } });
    const endpoint = {
      connect: () =>
        new Promise<ReturnType<typeof createWebSocketStream>>((resolve, reject) => {
          const ws = new WebSocket(relay.url);
          ws.once('open', () => resolve(createWebSocketStream(ws)));
          ws.once('error', reject);
        }),
    };
    try {
      const clean = await drive({ endpoint, context: client(), quietMs: 150 });
      assert.equal(clean.verdict.kind, 'completed', formatResult(clean));
      assert.equal(new TextDecoder().decode(clean.appData), 'memtls-fast-check\n');
      await fc.assert(
        fc.asyncProperty(mutationPlan({ dirs: ['c2s'], maxFlight: 3 }), async (plan) => {
          const r = await drive({ endpoint, context: client(), plan, quietMs: 100, budgetMs: 3000 });
          assert.ok(['completed', 'alert', 'closed'].includes(r.verdict.kind), formatResult(r, 96));
        }),
        { seed: SEED, numRuns: 15 },
      );
    } finally {
      await relay.close();
      await tlsServer.close();
    }
  });
});
