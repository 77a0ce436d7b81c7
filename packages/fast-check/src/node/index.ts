/**
 * `@memtls/fast-check/node`: the man-in-the-middle driver. A memtls client (or server) runs against your endpoint
 * (in memory over a Duplex your code receives, over a Duplex you open, or over TCP on the loopback: to your server,
 * `{ port }`, or from your client, `{ connectTo }`), applies a mutation plan to its own
 * flights, and classifies how your endpoint ended the run (`Verdict`), so one `fc.assert` states a property of
 * your endpoint.
 *
 * @example
 * ```ts
 * import fc from 'fast-check';
 * import { mutationPlan } from '@memtls/fast-check';
 * import { drive, formatResult } from '@memtls/fast-check/node';
 *
 * await fc.assert(fc.asyncProperty(mutationPlan({ dirs: ['c2s'] }), async (plan) => {
 *   const r = await drive({ endpoint: { port }, context: clientCtx, plan });
 *   if (r.verdict.kind === 'hang' || r.verdict.kind === 'exception') throw new Error(formatResult(r));
 * }), { seed: 42, numRuns: 100 });
 * ```
 *
 * @packageDocumentation
 */
export { type ConnectEndpoint, type DriveOptions, drive, type InMemoryEndpoint, type ListenEndpoint, type Preamble, type TcpEndpoint } from './driver.js';
export { memoryDuplexPair } from './duplex-pair.js';
export { seededProvider } from './seeded.js';
export { ALERT_NAMES, alertName, type DriveResult, formatResult, formatVerdict, plaintextAlert, type Verdict } from './verdict.js';
