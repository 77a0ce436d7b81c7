/**
 * The steps of SSL_read and SSL_peek over a `Connection`.
 *
 * Rules (reference/openssl3-shutdown.md numbering)
 * - Rule 7: once RECEIVED is set, 0 forever without touching the transport; checked before the fatal state.
 * - Rule 14: after a fatal error, -1 with an empty error queue.
 * - The handshake, and any scheduled KeyUpdate or ticket, runs first.
 * - Buffered plaintext is returned before another record is read; records are read one at a time.
 * - Rule 13: EOF where a record was expected returns 0 with "unexpected eof while reading" (rule 16: a clean
 *   close with SSL_OP_IGNORE_UNEXPECTED_EOF). Rule 15: the call that receives a fatal alert returns 0.
 * - Rule 21: without SSL_MODE_AUTO_RETRY each processed post-handshake message returns WANT_READ once.
 */
import { SSL_MODE_AUTO_RETRY, SSL_RECEIVED_SHUTDOWN } from '../constants.js';
import { SslError } from '../errors/ssl-error.js';
import { TICKET_MESSAGE_LENGTH } from '../handshake/server/tickets13.js';
import type { PullOutcome } from './bio-io.js';
import type { Connection } from './connection.js';
import { retryFloor } from './write.js';

/** A KeyUpdate message: 4-byte handshake header and the one-byte request_update. */
const KEY_UPDATE_MESSAGE_LENGTH = 5;

/**
 * Run by the engine before it processes each post-handshake message (Engine.beforePostHandshakeMessage).
 * Entering its state machine for the next post-handshake message, OpenSSL first writes what it owes: the
 * KeyUpdate reply owed from an earlier message (test/oracle keyupdate-reply-in-read), so each
 * KeyUpdate(update_requested) gets its own reply, else tickets requested and waiting. Behind an application
 * write that is not finished, ssl3_write_bytes refuses that handshake write: "bad length" if it is shorter than
 * the write in flight, else "bad write retry". Throws the failure.
 */
export async function writeOwedBeforeMessage(c: Connection): Promise<void> {
  const owed = c.engine.owedKeyUpdate && !c.engine.writeClosed;
  const tickets = c.engine.tickets;
  const ticketsWaiting = tickets !== null && tickets.pending > 0 && !c.engine.writeClosed;
  const pw = c.pendingWrite;
  if (pw && (owed || ticketsWaiting)) {
    const len = owed ? KEY_UPDATE_MESSAGE_LENGTH : TICKET_MESSAGE_LENGTH;
    const what = owed ? 'a KeyUpdate reply' : 'a session ticket';
    if (len < retryFloor(c.io, pw)) throw new SslError('BAD_LENGTH', { origin: 'local', detail: `${what} is owed while an application write is half-written` });
    if (c.io.outputPending) throw new SslError('BAD_WRITE_RETRY', { origin: 'local', detail: `${what} is owed while an application write is half-written` });
  }
  if (!owed) return;
  // In init until the reply is all in the BIO, as OpenSSL's state machine is while it writes it.
  c.initDone = false;
  await c.engine.flushKeyUpdate(true);
  c.flush();
  c.rwstate = 'nothing';
}

/**
 * SSL_read's synchronous path (issue 16), tried by the facade when no other call is queued: once the handshake and
 * any post-handshake work are done, with no shutdown flag and no failure, buffered plaintext is returned at once, and
 * records of application data are read and opened with no await when the read key opens synchronously
 * (Engine.processRecordSync). Returns what `readSteps` would return, or null when `readSteps` must go on from here:
 * at most it has begun the call and pulled a record the synchronous path does not handle into the engine (a
 * header error is left in `pullFailure` for `step()` to record), which is where `readSteps` would be too.
 */
export function readSync(c: Connection, buf: Uint8Array, peek: boolean): number | null {
  const engine = c.engine;
  if (c.flags !== 0 || c.fatal || !engine.handshakeComplete || c.inInit) return null;
  c.beginCall();
  for (;;) {
    if (engine.pendingPlaintext > 0) return engine.readPlaintext(buf, peek);
    // An asynchronous read key keeps its records in the BIO, where readSteps opens them ahead (speculation).
    if (!engine.opensSync) return null;
    let r: PullOutcome;
    try {
      r = c.io.pull();
    } catch (e) {
      c.pullFailure = { error: e };
      return null;
    }
    if (r === 'want') {
      c.rwstate = 'reading';
      return -1;
    }
    // EOF (rules 13, 16) and every record but application data take readSteps (EOF reads as EOF again there).
    if (r !== 'record' || engine.processRecordSync() === null) return null;
  }
}

/** SSL_read (or SSL_peek when `peek`): bytes copied into buf; <= 0: see getError. */
export async function readSteps(c: Connection, buf: Uint8Array, peek: boolean): Promise<number> {
  c.beginCall();
  // Rule 7: after RECEIVED, 0 forever without touching the transport. OpenSSL checks this first, so a
  // received fatal alert also reads as 0 (with ZERO_RETURN: test/oracle read-after-fatal-alert).
  if (c.flags & SSL_RECEIVED_SHUTDOWN) return 0;
  // Rule 14: after a fatal error, -1 with an empty error queue.
  if (c.fatal) return -1;
  // SSL_read runs the handshake, and sends a scheduled KeyUpdate or ticket, first.
  if (!c.engine.handshakeComplete || c.inInit) {
    const r = await c.handshakeSteps();
    if (r <= 0) return r;
  }
  for (;;) {
    if (c.engine.pendingPlaintext > 0) return c.engine.readPlaintext(buf, peek);
    if (c.flags & SSL_RECEIVED_SHUTDOWN) return 0;
    c.io.speculate();
    const ev = await c.step();
    switch (ev) {
      case 'failed':
        // Rule 15: the call that receives a fatal alert returns 0.
        return (c.fatal as SslError | null)?.receivedAlert != null ? 0 : -1;
      case 'want':
        return -1;
      case 'eof':
        // Rule 13: SSL_read returns 0 with "unexpected eof while reading".
        return c.eof(0);
      case 'close-notify':
        // The engine set RECEIVED.
        return 0;
      case 'post-handshake':
        // What the message made us send goes out now, as OpenSSL dispatches an alert at once (TLS 1.2: the
        // no_renegotiation warning answering a ClientHello); a full write BIO makes this read WANT_WRITE.
        if (c.engine.outputBytes > 0 && !c.flush()) return -1;
        // Rule 21: without AUTO_RETRY each processed post-handshake message returns WANT_READ once.
        if (!(c.modeBits & SSL_MODE_AUTO_RETRY)) {
          c.rwstate = 'reading';
          return -1;
        }
        break;
      default:
        break;
    }
  }
}
