/**
 * `MemtlsAgent` takes TLS options where Node's `https.Agent` takes them: at the top level, per request, and (memtls's
 * grouping) in `tls`; the server name is not overwritten by the host. Each case runs the same request through
 * Node's own `https.Agent` too, so the expectation is Node's behaviour, not ours.
 */
import { strict as assert } from 'node:assert';
import https from 'node:https';
import type tls from 'node:tls';
import { MemtlsAgent } from '@memtls/node';
import { cleanup, collect, listen, testPki, track, trackServer } from './helpers.js';

interface Outcome {
  status?: number;
  body?: string;
  error?: string;
}

function get(opts: https.RequestOptions): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = https.request(opts, (res) => {
      collect(res).then(
        (b) => resolve({ status: res.statusCode ?? 0, body: b.toString() }),
        (e: Error) => resolve({ error: e.message }),
      );
    });
    req.on('error', (e) => resolve({ error: e.message }));
    req.end();
  });
}

/** A server that answers with the SNI it saw. */
async function sniServer(leaf: { key: string; cert: string }): Promise<number> {
  const server = trackServer(https.createServer({ key: leaf.key, cert: leaf.cert }, (req, res) => res.end(`sni=${(req.socket as tls.TLSSocket).servername || '-'}`)));
  return listen(server);
}

describe('MemtlsAgent option placement (as https.Agent)', function () {
  this.timeout(30_000);
  afterEach(cleanup);

  const agents = (opts: Record<string, unknown>): [string, https.Agent][] => [
    ['node', track(new https.Agent(opts as https.AgentOptions), (a) => a.destroy())],
    ['memtls', track(new MemtlsAgent(opts), (a) => a.destroy())],
  ];

  it('a top-level ca verifies the server', async () => {
    const pki = testPki();
    const port = await sniServer(pki.server);
    for (const [name, agent] of agents({ ca: pki.ca })) {
      const r = await get({ host: 'localhost', port, path: '/', agent });
      assert.deepEqual(r, { status: 200, body: 'sni=localhost' }, name);
    }
  });

  it('top-level maxVersion and ciphers reach the connection (TLS 1.2, the suite named)', async () => {
    const pki = testPki();
    const server = trackServer(
      https.createServer({ key: pki.server.key, cert: pki.server.cert }, (req, res) => {
        const s = req.socket as tls.TLSSocket;
        res.end(`${s.getProtocol()} ${s.getCipher().name}`);
      }),
    );
    const port = await listen(server);
    for (const [name, agent] of agents({ ca: pki.ca, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384' })) {
      const r = await get({ host: 'localhost', port, path: '/', agent });
      assert.deepEqual(r, { status: 200, body: 'TLSv1.2 ECDHE-ECDSA-AES256-GCM-SHA384' }, name);
    }
  });

  it('a request-level ca verifies the server', async () => {
    const pki = testPki();
    const port = await sniServer(pki.server);
    for (const [name, agent] of agents({})) {
      const r = await get({ host: 'localhost', port, path: '/', agent, ca: pki.ca });
      assert.deepEqual(r, { status: 200, body: 'sni=localhost' }, name);
    }
  });

  it('a request-level rejectUnauthorized: false lets an untrusted server through; without it, the request fails', async () => {
    const pki = testPki();
    const port = await sniServer(pki.rogueServer);
    for (const [name, agent] of agents({ ca: pki.ca })) {
      const ok = await get({ host: 'localhost', port, path: '/', agent, rejectUnauthorized: false });
      assert.equal(ok.status, 200, name);
      const refused = await get({ host: 'localhost', port, path: '/', agent });
      assert.ok(refused.error, `${name}: an untrusted server must fail the request`);
    }
  });

  it('a request-level servername is the SNI and the name checked, for an IP host', async () => {
    const pki = testPki();
    const port = await sniServer(pki.server);
    for (const [name, agent] of agents({ ca: pki.ca })) {
      const r = await get({ host: '127.0.0.1', port, path: '/', agent, servername: 'localhost' });
      assert.deepEqual(r, { status: 200, body: 'sni=localhost' }, name);
    }
  });

  it("memtls's tls.servername is not overwritten by the host", async () => {
    const pki = testPki();
    const port = await sniServer(pki.server);
    const agent = track(new MemtlsAgent({ tls: { ca: pki.ca, servername: 'localhost' } }), (a) => a.destroy());
    const r = await get({ host: '127.0.0.1', port, path: '/', agent });
    assert.deepEqual(r, { status: 200, body: 'sni=localhost' });
  });

  it('a request-level checkServerIdentity replaces the host name check, and its Error fails the request', async () => {
    const pki = testPki();
    const port = await sniServer(pki.server);
    for (const [name, agent] of agents({ ca: pki.ca })) {
      const seen: string[] = [];
      const accept = await get({ host: 'localhost', port, path: '/', agent, servername: 'other.example', checkServerIdentity: (host: string) => void seen.push(host) } as https.RequestOptions);
      assert.deepEqual(accept, { status: 200, body: 'sni=other.example' }, name);
      assert.deepEqual(seen, ['other.example'], name);
      const refuse = await get({ host: 'localhost', port, path: '/', agent, checkServerIdentity: () => new Error('pinned elsewhere') } as https.RequestOptions);
      assert.equal(refuse.error, 'pinned elsewhere', name);
    }
  });

  it('requests with different TLS options do not share a pooled connection', async () => {
    const pki = testPki();
    const port = await sniServer(pki.rogueServer);
    const agent = track(new MemtlsAgent({ keepAlive: true, maxSockets: 1 }), (a) => a.destroy());
    const lax = await get({ host: 'localhost', port, path: '/', agent, ca: pki.ca, rejectUnauthorized: false });
    assert.equal(lax.status, 200);
    // The kept-alive lax connection must not carry a strict request.
    const strict = await get({ host: 'localhost', port, path: '/', agent, ca: pki.ca });
    assert.ok(strict.error);
  });
});
