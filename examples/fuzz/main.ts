/**
 * Fuzz Node's `tls` server with @memtls/fast-check: a memtls client talks to it in memory, one of its first
 * flights mutated (record, header and message operators) and re-cut into separate writes; every run must end in
 * a completed exchange, an alert or a close, never a hang or an exception. Prints what the server answered, and
 * the shrunk counterexample (plan in words, hex dumps) if the property fails.
 *
 *   pnpm example:fuzz [runs] [seed]
 */
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { SslContext } from '@memtls/core';
import { demoPki } from '@memtls/example-starttls/demo-pki';
import { chunking, formatPlan, mutationPlan } from '@memtls/fast-check';
import { drive, formatResult } from '@memtls/fast-check/node';
import fc from 'fast-check';

const runs = Number(process.argv[2] ?? 100);
const seed = Number(process.argv[3] ?? 42);
const pki = demoPki();
const context = new SslContext({ role: 'client', ca: pki.ca });

/** The endpoint under test: Node's tls server on the socket it is given, echoing what it reads. */
function serve(socket: Duplex): void {
  const t = new tls.TLSSocket(socket, { isServer: true, secureContext: tls.createSecureContext({ cert: pki.cert, key: pki.key }) });
  t.on('error', () => {}); // a refused handshake is an outcome, not a crash
  t.on('data', (d: Buffer) => t.write(d));
  t.on('end', () => t.end());
}

const answers = new Map<string, number>();
const result = await fc.check(
  fc.asyncProperty(mutationPlan({ dirs: ['c2s'], maxFlight: 3 }), fc.option(chunking({ max: 300 }), { nil: undefined }), async (plan, chunks) => {
    const r = await drive({ endpoint: { serve }, context, plan, ...(chunks ? { chunking: chunks } : {}), quietMs: 50 });
    const v = r.verdict.kind === 'alert' ? `alert ${r.verdict.name}` : r.verdict.kind;
    answers.set(v, (answers.get(v) ?? 0) + 1);
    if (r.verdict.kind === 'hang' || r.verdict.kind === 'exception') throw new Error(formatResult(r, 128));
  }),
  { seed, numRuns: runs },
);

console.log(`Node ${process.version} tls server, ${result.numRuns} runs (seed ${seed}):`);
for (const [v, n] of [...answers].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(5)}  ${v}`);
if (result.failed) {
  const [plan] = result.counterexample ?? [];
  console.log(`\nCOUNTEREXAMPLE (replay with seed ${seed}, path ${result.counterexamplePath}):\n${plan ? formatPlan(plan) : ''}`);
  console.log(result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance));
  process.exitCode = 1;
} else console.log('no hang, no exception: every run ended in a completed exchange, an alert or a close');
