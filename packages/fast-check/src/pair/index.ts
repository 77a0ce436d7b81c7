/**
 * `@memtls/fast-check/pair`: memtls against memtls in memory, with a man in the middle and the API contract's
 * invariants checked on both sides. This is the engine the project's own fuzz targets (test/fuzz) run on; use it
 * to fuzz memtls itself under your own configuration (contexts, providers, limits).
 *
 * @packageDocumentation
 */
export { cleanSuccess, describeOutcome, failureViolations, lastAlert, SILENT_REASONS } from './invariants.js';
export { type Filter, type Outcome, type PairRunOptions, Resequencer, runMemtlsPair } from './run.js';
export { CALL_TIMEOUT_MS, type Dir, type Failure, guard, internals, MAX_PLAINTEXT, type Phase, type Role, Side, Violation } from './side.js';
