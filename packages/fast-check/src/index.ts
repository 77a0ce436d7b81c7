/**
 * `@memtls/fast-check`: property-based TLS fuzzing on fast-check.
 *
 * - Arbitraries: byte-stream chunkings, BIO pair sizes, call interleavings on two endpoints, record-, header- and
 *   message-level mutation plans of a live flight, handshake messages injected in any state, and well-formed and
 *   almost-well-formed ClientHellos and ServerHellos for TLS 1.3 and TLS 1.2 (any order, GREASE, unknown extensions).
 * - A small wire codec that builds and takes apart any bytes, invalid ones included (records, handshake framing,
 *   hellos, records of the null provider of @memtls/crypto-null).
 * - Readable plans and hex dumps for counterexamples.
 *
 * The man-in-the-middle driver that runs these against your endpoint (over a Duplex or TCP) is in
 * `@memtls/fast-check/node`; memtls against memtls (the project's own fuzz targets) in `@memtls/fast-check/pair`.
 *
 * @packageDocumentation
 */
export {
  almostClientHello,
  almostServerHello,
  clientHello,
  type DefectiveHello,
  GREASE_VALUES,
  type HelloDefect,
  type HelloOptions,
  type HelloVersion,
  handshakeRecords,
  serverHello,
  withDefect,
} from './hellos.js';
export { applyOps, benignOp, describeFlight, headerOp, messageOp, type Op, recordOp } from './mutate.js';
export type { Dir, Role } from './pair/side.js';
export {
  applyPlan,
  formatOp,
  formatPlan,
  hexDump,
  type InjectionPlanOptions,
  injectionPlan,
  type MutationPlan,
  type MutationPlanOptions,
  mutationPlan,
  recordSummary,
  removableItems,
} from './plan.js';
export {
  applyChunking,
  type BioPairSizes,
  bioPairSizes,
  type Chunking,
  type ChunkingOptions,
  chunking,
  type InterleavingOptions,
  interleaving,
  type ScheduledCall,
} from './schedule.js';
export * from './wire.js';
