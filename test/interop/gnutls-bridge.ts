/**
 * Runs inside gnutls-serv's private network namespace (see gnutls-peers.ts): listens on a Unix-domain
 * socket (a file, so reachable from the test process outside the namespace) and relays each connection,
 * byte for byte and with half-close, to 127.0.0.1:<port> inside the namespace, where gnutls-serv listens.
 *
 * Usage: node gnutls-bridge.js <socket path> <port>. Prints `BRIDGE READY` once listening.
 */
import net from 'node:net';

const [sockPath, portArg] = process.argv.slice(2);
const port = Number(portArg);
if (sockPath === undefined || !Number.isInteger(port)) {
  process.stderr.write('usage: gnutls-bridge <socket path> <port>\n');
  process.exit(2);
}

const server = net.createServer({ allowHalfOpen: true }, (outer) => {
  const inner = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  // pipe() ends the destination when the source ends: a FIN crosses the bridge as a FIN.
  outer.pipe(inner);
  inner.pipe(outer);
  const abort = () => {
    outer.destroy();
    inner.destroy();
  };
  outer.on('error', abort);
  inner.on('error', abort);
});
server.listen(sockPath, () => process.stdout.write('BRIDGE READY\n'));
