/**
 * The steps of SSL_write over a `Connection`, and the bookkeeping of a write that returned before all its
 * bytes were in the write BIO.
 *
 * Rules
 * - Rule 8: writing after SENT always fails, a retry of a pending write included; checked before the fatal
 *   state. Rule 14: after a fatal error, -1.
 * - A pending write must be retried with at least what was written plus the record in flight ("bad length"
 *   otherwise, checked before the fatal state), and from the same buffer unless
 *   SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER ("bad write retry"). A longer retry is a longer write. A fatal alert
 *   the BIO has not taken counts as a pending 2-byte write for that length check.
 * - Post-handshake records (a KeyUpdate, tickets) go out before an application write starts.
 * - RFC 8446 §5.5: when the write key reaches its usage limit (limits.keyUpdateAfterRecords), memtls sends a
 *   KeyUpdate by itself: before the write starts if it is due then (as a scheduled one), else between two
 *   batches of records, once everything before is in the BIO and before the next record is sealed, so that a
 *   half-written KeyUpdate never sits between the records of a pending write.
 * - Records are sealed in order, up to the pipeline depth at once (one with SSL_MODE_ENABLE_PARTIAL_WRITE),
 *   and sit at the tail of the output queue.
 * - The call returns the whole length once everything is in the BIO, or with partial writes once a record
 *   sealed by this call is (OpenSSL 3.0 ssl3_write_bytes): a retry that completes the record left pending
 *   counts it and goes on to a new record, and is -1/WANT_WRITE if that one blocks; the call that ends the
 *   write reports all of it. A retry that completes the last record returns the whole length.
 */
import { SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER, SSL_MODE_ENABLE_PARTIAL_WRITE, SSL_SENT_SHUTDOWN } from '../constants.js';
import { SslError } from '../errors/ssl-error.js';
import type { BioIo } from './bio-io.js';
import type { Connection, PendingWrite } from './connection.js';

/** An alert's body: level and description. */
const ALERT_RECORD_PLAINTEXT = 2;

/**
 * The shortest retry OpenSSL would accept for a pending write: the bytes of its records already completely in
 * the BIO plus the first record not yet there. Records are sealed in order and sit at the tail of the output
 * queue, each `plaintext + 22` bytes long (header, inner type, 16-byte tag).
 */
export function retryFloor(io: BioIo, pw: PendingWrite): number {
  let unwritten = io.unwrittenBytes();
  let floor = pw.done;
  for (let i = pw.recs.length - 1; i >= 0 && unwritten > 0; i--) {
    const n = pw.recs[i] as number;
    unwritten -= n + 22;
    floor -= n;
    // The earliest record not completely written is the one in flight: a retry must still cover it.
    if (unwritten <= 0 || i === 0) {
      floor += n;
      break;
    }
  }
  return floor;
}

/**
 * SSL_write's synchronous path (issue 16), tried by the facade when no other call is queued: with the handshake and
 * any post-handshake work done, no shutdown flag, failure, pending write or unwritten output, no KeyUpdate due, and
 * `data` within one record sealed synchronously (Engine.sealAppDataSync), the record is sealed and written to the
 * BIO with no await. Returns what `writeSteps` would return, or null having changed nothing (`writeSteps` runs).
 */
export function writeSync(c: Connection, data: Uint8Array): number | null {
  const engine = c.engine;
  if (c.flags !== 0 || c.pendingWrite || c.fatal || data.length === 0 || !engine.handshakeComplete || c.inInit) return null;
  if (engine.owedKeyUpdate || c.io.outputPending || (engine.tickets?.pending ?? 0) > 0 || engine.recordsBeforeKeyUpdate < 1) return null;
  try {
    if (!engine.sealAppDataSync(data)) return null;
  } catch {
    return null;
  }
  c.beginCall();
  if (c.flush()) return data.length;
  // The BIO took part of the record: a write pending as writeSteps leaves it (its retry rules apply).
  c.pendingWrite = { done: data.length, total: data.length, data, recs: [data.length] };
  return c.writeFailed();
}

/** SSL_write: bytes accepted (all of them unless partial writes are enabled); <= 0: see getError. */
export async function writeSteps(c: Connection, data: Uint8Array): Promise<number> {
  c.beginCall();
  // Rule 8: writing after SENT always fails, including a retry of a pending write; OpenSSL checks this
  // before the fatal state (test/oracle write-after-fatal-with-sent).
  if (c.flags & SSL_SENT_SHUTDOWN) {
    const err = new SslError('PROTOCOL_IS_SHUTDOWN', { origin: 'local' });
    c.callError = err;
    c.lastError = err;
    return -1;
  }
  let pw = c.pendingWrite;
  // OpenSSL checks a retry's length before the error state: "bad length" every time (test/oracle). A retry
  // must cover what was written plus the one record in flight, however many are sealed ahead (test/robustness).
  if (pw && data.length < retryFloor(c.io, pw)) {
    await c.fail(new SslError('BAD_LENGTH', { origin: 'local', detail: 'a retried write is shorter than what was already taken' }));
    return -1;
  }
  // The same check against a fatal alert the write BIO has not taken: to OpenSSL it is a pending 2-byte write
  // (ssl3_write_bytes: len < wnum + wpend_tot with wb->left != 0), so write(0) and write(1) are "bad length".
  if (!pw && c.fatal && c.fatalAlertQueued && c.io.outputPending && data.length < ALERT_RECORD_PLAINTEXT) {
    await c.fail(new SslError('BAD_LENGTH', { origin: 'local', detail: 'shorter than the unwritten fatal alert' }));
    return -1;
  }
  if (c.fatal) return -1; // rule 14
  // A write that finds the write buffer empty lets waiting tickets go out first (OpenSSL 3.0 ssl3_write_bytes).
  const tickets = c.engine.tickets;
  if (!pw && !c.io.holdsOutput && tickets && tickets.pending > 0) tickets.armed = true;
  if (!c.engine.handshakeComplete) {
    const r = await c.handshakeSteps();
    if (r <= 0) return r;
  }
  // Scheduled post-handshake work keeps the connection "in init" until its records are in the BIO.
  if (c.engine.inInit) c.initDone = false;
  try {
    await c.engine.flushPostHandshake();
  } catch (e) {
    await c.fail(e);
    return -1;
  }
  // An owed KeyUpdate reply as well: with its write buffer empty OpenSSL's ssl3_write_bytes enters init for it and
  // writes it in its handshake step, so until it is all in the BIO the connection is in init (shutdown() says
  // "shutdown while in init").
  if (!pw && !c.io.outputPending && c.engine.owedKeyUpdate && !c.engine.writeClosed) {
    c.initDone = false;
    try {
      await c.engine.flushKeyUpdate(true);
    } catch (e) {
      await c.fail(e);
      return -1;
    }
  }
  // The write key is worn out (RFC 8446 §5.5): its KeyUpdate goes first, like a scheduled one (in init until it
  // is all in the BIO).
  if (!pw && data.length > 0 && c.engine.recordsBeforeKeyUpdate === 0) {
    c.initDone = false;
    try {
      await c.engine.autoKeyUpdate();
    } catch (e) {
      await c.fail(e);
      return -1;
    }
  }
  // Post-handshake records (a KeyUpdate, tickets) are written before an application write starts: OpenSSL
  // writes them in its handshake step, so a call that cannot finish them returns before any application
  // write exists, and the next call is not a retry of one.
  if (!pw && c.io.outputPending && !c.flush()) return c.writeFailed();
  if (pw) {
    const moved = data.buffer !== pw.data.buffer || data.byteOffset !== pw.data.byteOffset;
    if (moved && !(c.modeBits & SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER)) {
      // The pending write stays: OpenSSL keeps wnum and the record in flight, so a later shorter write is
      // still "bad length" (test/robustness/openssl-parity.test.ts).
      await c.fail(new SslError('BAD_WRITE_RETRY', { origin: 'local' }));
      return -1;
    }
    // A longer retry is a longer write: OpenSSL finishes the record in flight, then writes the rest too.
    if (data.length > pw.total) pw.total = data.length;
  } else {
    // SSL_write of 0 bytes writes what post-handshake work queued (a KeyUpdate, a ticket), then returns 0.
    if (data.length === 0) {
      try {
        if (c.engine.owedKeyUpdate) await c.engine.flushKeyUpdate(true);
      } catch (e) {
        await c.fail(e);
        return -1;
      }
      return c.flush() ? 0 : c.writeFailed();
    }
    pw = { done: 0, total: data.length, data, recs: [] };
    c.pendingWrite = pw;
  }
  // With SSL_MODE_ENABLE_PARTIAL_WRITE the call returns once a record it sealed itself is completely in the
  // BIO, reporting the bytes of all the records written; otherwise once everything is. Records left pending by
  // an earlier call do not end it: OpenSSL's ssl3_write_bytes flushes them, counts them, then writes a new
  // record (test/oracle partial-write-record-larger-than-bio, partial-write-retry-writes-next-record).
  const partial = (c.modeBits & SSL_MODE_ENABLE_PARTIAL_WRITE) !== 0;
  const sealedBefore = pw.done;
  for (;;) {
    if (!c.flush()) return c.writeFailed();
    if (pw.done >= pw.total || (partial && pw.done > sealedBefore)) {
      c.pendingWrite = null;
      return pw.done;
    }
    // The key reached its usage limit part-way: everything so far is in the BIO; the KeyUpdate goes next, and is
    // flushed (loop top) before any further record is sealed.
    if (c.engine.recordsBeforeKeyUpdate === 0) {
      try {
        await c.engine.autoKeyUpdate();
      } catch (e) {
        c.pendingWrite = null;
        await c.fail(e);
        return -1;
      }
      continue;
    }
    // Up to the pipeline depth of records sealed at once (one in partial-write mode), within the key's budget.
    const depth = Math.min(partial ? 1 : c.engine.pipelineDepth, c.engine.recordsBeforeKeyUpdate);
    // Records carry at most the send fragment (SSL_set_max_send_fragment; 2^14 by default).
    const chunks = c.engine.appFragments(data, pw.done, pw.total, depth);
    try {
      await c.engine.sendAppDataBatch(chunks);
    } catch (e) {
      c.pendingWrite = null;
      await c.fail(e);
      return -1;
    }
    for (const chunk of chunks) {
      pw.done += chunk.length;
      pw.recs.push(chunk.length);
    }
  }
}
