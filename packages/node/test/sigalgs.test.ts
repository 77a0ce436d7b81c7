/**
 * The `sigalgs` option as Node's `tls` takes it (OpenSSL's colon-separated names): the same client settings give the
 * same outcome through Node's own `tls.connect` and through memtls, against one Node server with an ECDSA P-256 key.
 */
import { strict as assert } from 'node:assert';
import tls from 'node:tls';
import { connect } from '@memtls/node';
import { cleanup, listen, testPki, track, trackServer } from './helpers.js';

type Outcome = 'connected' | 'failed';

function outcome(sock: tls.TLSSocket | ReturnType<typeof connect>): Promise<Outcome> {
  return new Promise((resolve) => {
    sock.once('secureConnect', () => resolve('connected'));
    sock.once('error', () => resolve('failed'));
  });
}

describe('@memtls/node sigalgs (as tls)', function () {
  this.timeout(30_000);
  afterEach(cleanup);

  for (const [sigalgs, expected] of [
    ['ECDSA+SHA256', 'connected'],
    ['RSA-PSS+SHA256:ECDSA+SHA384', 'failed'],
    ['RSA-PSS+SHA256:ECDSA+SHA256', 'connected'],
  ] as const) {
    it(`sigalgs '${sigalgs}' against an ECDSA P-256 server: ${expected}, as Node's tls`, async () => {
      const pki = testPki();
      const server = trackServer(tls.createServer({ key: pki.server.key, cert: pki.server.cert }, (s) => s.end()));
      server.on('tlsClientError', () => undefined);
      const port = await listen(server);
      const node = track(tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca, sigalgs, maxVersion: 'TLSv1.3', minVersion: 'TLSv1.3' }), (s) => {
        s.destroy();
      });
      assert.equal(await outcome(node), expected, 'Node tls');
      const memtls = track(connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca, sigalgs }), (s) => {
        s.destroy();
      });
      assert.equal(await outcome(memtls), expected, 'memtls');
    });
  }
});
