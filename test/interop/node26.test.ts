/**
 * memtls ↔ Node 26 (OpenSSL 3.5) with the hybrid post-quantum groups of draft-ietf-tls-ecdhe-mlkem, over TCP on
 * 127.0.0.1, both roles, each checked on both ends: memtls's `group()`, a Node client's `getEphemeralKeyInfo()`,
 * and the ServerHello's key_share on the wire (a Node server reports no group). HelloRetryRequest both ways: Node
 * asking memtls for the hybrid share, and memtls asking Node (ecdhCurve 'X25519:X25519MLKEM768' sends x25519 only).
 */
import { strict as assert } from 'node:assert';
import type net from 'node:net';
import { type ContextOptions, type CoreApi, loadCore } from './api.js';
import { Node26Peer, serverHellos } from './node26.js';
import { acceptOne, cleanupPeers, connectTcp } from './peers.js';
import { getPki, type Pki } from './pki.js';
import { echoUntilZeroReturn, endTransport, handshake, readExactly, shutdownLoop, writeAll } from './pump.js';

const CODE = { X25519MLKEM768: 0x11ec, SecP256r1MLKEM768: 0x11eb, x25519: 0x1d } as const;
/** Server share lengths: ciphertext (1088) and the ECDH public key. */
const SERVER_SHARE = { X25519MLKEM768: 1088 + 32, SecP256r1MLKEM768: 65 + 1088 } as const;

/** Everything a socket receives (for a memtls client: the server's records). */
function recordIncoming(sock: net.Socket): Buffer[] {
  const got: Buffer[] = [];
  sock.on('data', (d: Buffer) => got.push(d));
  return got;
}

/** Everything written to a socket (for a memtls server: its own records). */
function recordOutgoing(sock: net.Socket): Buffer[] {
  const sent: Buffer[] = [];
  const write = sock.write.bind(sock) as (chunk: Uint8Array, cb?: (err?: Error | null) => void) => boolean;
  sock.write = ((chunk: Uint8Array, cb?: (err?: Error | null) => void) => {
    sent.push(Buffer.from(chunk));
    return write(chunk, cb);
  }) as typeof sock.write;
  return sent;
}

describe('interop: hybrid ML-KEM with Node 26 (OpenSSL 3.5)', function () {
  this.timeout(90_000);
  let core: CoreApi;
  let pki: Pki;
  const peers: Node26Peer[] = [];
  before(async () => {
    core = await loadCore();
    pki = await getPki();
  });
  afterEach(async () => {
    for (const p of peers.splice(0)) p.kill();
    await cleanupPeers();
  });

  const cred = () => pki.servers['ec-p256'];

  describe('memtls client → Node 26 tls.createServer', () => {
    async function run(clientOpts: Omit<ContextOptions, 'role'>, ecdhCurve: string | null) {
      const node = new Node26Peer({ role: 'server', key: cred().keyPath, cert: cred().certPath, ecdhCurve });
      peers.push(node);
      const { port, openssl } = (await node.line('port')) as { port: number; openssl: string };
      assert.match(openssl, /^3\.[5-9]/);
      const ssl = new core.Ssl(new core.SslContext({ role: 'client', ca: pki.caPem, ...clientOpts }), { serverName: 'localhost' });
      const sock = await connectTcp(port);
      const incoming = recordIncoming(sock);
      await handshake(ssl, sock);
      const msg = new TextEncoder().encode('hello from memtls over a post-quantum key');
      await writeAll(ssl, sock, msg);
      assert.deepEqual(await readExactly(ssl, sock, msg.length), msg);
      assert.equal(await shutdownLoop(ssl, sock), 1);
      await endTransport(ssl, sock);
      const accepted = await node.line('accepted');
      assert.equal(accepted.protocol, 'TLSv1.3');
      assert.equal(accepted.cipher, ssl.cipher());
      return { ssl, wire: serverHellos(Buffer.concat(incoming)) };
    }

    for (const group of ['X25519MLKEM768', 'SecP256r1MLKEM768'] as const) {
      it(`${group} only, both ends: memtls group(), the ServerHello key_share`, async () => {
        const { ssl, wire } = await run({ groups: [group] }, group);
        assert.equal(ssl.group(), group);
        assert.equal(ssl.helloRetried(), false);
        assert.deepEqual(wire, [{ hrr: false, group: CODE[group], shareLength: SERVER_SHARE[group] }]);
      });
    }

    it('memtls offers x25519 first: the hybrid-only Node server asks for X25519MLKEM768 by HelloRetryRequest', async () => {
      const { ssl, wire } = await run({ groups: ['x25519', 'X25519MLKEM768'] }, 'X25519MLKEM768');
      assert.equal(ssl.helloRetried(), true);
      assert.equal(ssl.group(), 'X25519MLKEM768');
      assert.deepEqual(wire, [
        { hrr: true, group: CODE.X25519MLKEM768, shareLength: 0 },
        { hrr: false, group: CODE.X25519MLKEM768, shareLength: SERVER_SHARE.X25519MLKEM768 },
      ]);
    });

    it("memtls leads with X25519MLKEM768 (+ an x25519 share): Node 26's default groups pick the hybrid, no HRR", async () => {
      const { ssl, wire } = await run({ groups: ['X25519MLKEM768', 'x25519', 'secp256r1'] }, null);
      assert.equal(ssl.helloRetried(), false);
      assert.equal(ssl.group(), 'X25519MLKEM768');
      assert.deepEqual(wire, [{ hrr: false, group: CODE.X25519MLKEM768, shareLength: SERVER_SHARE.X25519MLKEM768 }]);
    });

    it('a Node server limited to x25519 takes the second share of a client leading with the hybrid', async () => {
      const { ssl, wire } = await run({ groups: ['X25519MLKEM768', 'x25519'] }, 'X25519');
      assert.equal(ssl.helloRetried(), false);
      assert.equal(ssl.group(), 'x25519');
      assert.deepEqual(wire, [{ hrr: false, group: CODE.x25519, shareLength: 32 }]);
    });
  });

  describe('Node 26 tls.connect → memtls server', () => {
    async function run(serverOpts: Omit<ContextOptions, 'role'>, ecdhCurve: string | null) {
      const ssl = new core.Ssl(new core.SslContext({ role: 'server', cert: cred().certPem, key: cred().keyPem, ...serverOpts }));
      const { port, accepted } = await acceptOne();
      const message = 'hello from Node 26';
      const node = new Node26Peer({ role: 'client', port, ca: pki.caPath, ecdhCurve, message });
      peers.push(node);
      const sock = await accepted;
      const outgoing = recordOutgoing(sock);
      await handshake(ssl, sock);
      assert.equal(await echoUntilZeroReturn(ssl, sock), message.length);
      assert.equal(await shutdownLoop(ssl, sock), 1);
      await endTransport(ssl, sock);
      const connected = (await node.line('connected')) as { authorized: boolean; group: { name: string }; protocol: string; cipher: string };
      assert.equal(connected.authorized, true);
      assert.equal(connected.protocol, 'TLSv1.3');
      assert.equal(connected.cipher, ssl.cipher());
      assert.equal((await node.line('echo')).echo, message);
      return { ssl, nodeGroup: connected.group.name, wire: serverHellos(Buffer.concat(outgoing)) };
    }

    for (const group of ['X25519MLKEM768', 'SecP256r1MLKEM768'] as const) {
      it(`${group}: Node's getEphemeralKeyInfo(), memtls group(), the ServerHello memtls sent`, async () => {
        const { ssl, nodeGroup, wire } = await run({ groups: [group] }, group);
        assert.equal(nodeGroup, group);
        assert.equal(ssl.group(), group);
        assert.equal(ssl.helloRetried(), false);
        assert.deepEqual(wire, [{ hrr: false, group: CODE[group], shareLength: SERVER_SHARE[group] }]);
      });
    }

    it("Node sends only x25519 ('X25519:X25519MLKEM768'): memtls preferring the hybrid answers with a HelloRetryRequest", async () => {
      const { ssl, nodeGroup, wire } = await run({ groups: ['X25519MLKEM768', 'x25519'] }, 'X25519:X25519MLKEM768');
      assert.equal(ssl.helloRetried(), true);
      assert.equal(nodeGroup, 'X25519MLKEM768');
      assert.equal(ssl.group(), 'X25519MLKEM768');
      assert.deepEqual(wire, [
        { hrr: true, group: CODE.X25519MLKEM768, shareLength: 0 },
        { hrr: false, group: CODE.X25519MLKEM768, shareLength: SERVER_SHARE.X25519MLKEM768 },
      ]);
    });

    it("Node 26's default client (X25519MLKEM768 + x25519 shares) gets the hybrid from a memtls server's default groups", async () => {
      const { ssl, nodeGroup } = await run({}, null);
      assert.equal(ssl.helloRetried(), false);
      assert.equal(nodeGroup, 'X25519MLKEM768');
      assert.equal(ssl.group(), 'X25519MLKEM768');
    });
  });
});
