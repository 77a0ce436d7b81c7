/**
 * STARTTLS demo: one process runs the line-protocol server and two clients on 127.0.0.1.
 *   1. a well-behaved client: PING → PONG, STARTTLS → OK, TLS 1.3 handshake, a line over TLS;
 *   2. an attacker's client that sends "STARTTLS\nINJECTED" in one write: the server refuses the upgrade.
 * Exit code 0 when both behave as described.
 */
import net from 'node:net';
import { demoPki } from './demo-pki.js';
import { connectStartTls, StartTlsServer } from './protocol.js';

const pki = demoPki();
const server = new StartTlsServer({ cert: pki.cert, key: pki.key });
server.on('line', (line: string, secure: boolean) => console.log(`server <- ${secure ? '[tls]' : '[plain]'} ${line}`));
server.on('refused', (why: string) => console.log(`server: refused the upgrade (${why})`));
const port = await server.listen();
console.log(`server: listening on 127.0.0.1:${port}`);

// 1. the normal upgrade
const tls = await connectStartTls({ port, ca: pki.ca, ping: true });
console.log(`client: upgraded, ${tls.getProtocol()} ${tls.getCipher()?.name}, server certificate ${tls.authorized ? 'verified' : 'NOT verified'}`);
const reply = new Promise<string>((resolve) => tls.once('data', (d: Buffer) => resolve(d.toString())));
tls.write('hello over TLS\n');
console.log(`client -> [tls] ${(await reply).trim()}`);
tls.end();

// 2. the injection attempt
const refused = new Promise<string>((resolve) => server.once('refused', resolve));
const evil = net.connect(port, '127.0.0.1', () => evil.write('STARTTLS\nINJECTED'));
let answer = '';
evil.on('data', (d: Buffer) => {
  answer += d.toString();
});
await new Promise((r) => evil.once('close', r));
await refused;
console.log(`attacker got: ${JSON.stringify(answer)}`);
await server.close();
const ok = tls.authorized && answer === 'ERR plaintext after STARTTLS\n';
console.log(ok ? 'OK: upgrade worked and the injection was refused' : 'FAILED');
process.exit(ok ? 0 : 1);
