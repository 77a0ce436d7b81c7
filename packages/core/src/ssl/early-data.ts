/**
 * The steps of SSL_write_early_data (client) and SSL_read_early_data (server) over a `Connection` (RFC 8446 §4.2.10;
 * docs/early-data.md). The handshake states decide acceptance (handshake/client/early-data.ts,
 * handshake/server/early-data.ts); these steps drive the handshake as far as early data needs and move the bytes.
 *
 * Rules
 * - writeEarlyData (client): the first call starts the handshake (ClientHello with early_data, then records under
 *   the early key); later calls add early data until the handshake moves on. Without a session that allows early
 *   data, or once the handshake has gone on (doHandshake, read, write), it returns 0 with SSL_ERROR_SSL
 *   ("called a function you should not call"), as OpenSSL. More than the ticket's max_early_data_size in all is refused the
 *   same way, without writing anything ("too much early data"; OpenSSL makes this fatal, memtls lets the
 *   application send the data after the handshake instead). A write the BIO cannot take all of returns -1
 *   (WANT_WRITE) and its retry reports the bytes once they are in the BIO.
 * - readEarlyData (server): valid only as the connection's first calls. It runs the handshake up to the server's
 *   flight, then returns early data (> 0) as it arrives, -1 with WANT_READ while more may come, and 0 (FINISH)
 *   once no more will: EndOfEarlyData came, or early data was rejected or not sent. After FINISH the application
 *   calls doHandshake; another readEarlyData is -1 with SSL_ERROR_SSL ("called a function you should not call"), as OpenSSL.
 */
import { SslError } from '../errors/ssl-error.js';
import type { Connection } from './connection.js';

type Refusal = 'SHOULD_NOT_HAVE_BEEN_CALLED' | 'TOO_MUCH_EARLY_DATA';

/** A non-fatal error of this call (OpenSSL's error queue), returned as `ret`. */
function refuse(c: Connection, reason: Refusal, detail: string, ret: number): number {
  const err = new SslError(reason, { origin: 'local', detail });
  c.callError = err;
  c.lastError = err;
  return ret;
}

/** SSL_write_early_data: bytes written, or <= 0 (see getError). */
export async function writeEarlyDataSteps(c: Connection, data: Uint8Array): Promise<number> {
  c.beginCall();
  const e = c.engine.early;
  if (c.fatal) return -1;
  if (!c.started) {
    if (c.engine.earlyAllowance === 0) return refuse(c, 'SHOULD_NOT_HAVE_BEEN_CALLED', 'no session that allows early data is offered', 0);
    e.wanted = true;
    c.started = true;
    try {
      await c.engine.start();
    } catch (err) {
      await c.fail(err);
      return -1;
    }
  }
  // A retry of a write the BIO could not take all of: its bytes are sealed already.
  if (c.pendingEarly > 0) {
    if (!c.flush()) return c.writeFailed();
    const n = c.pendingEarly;
    c.pendingEarly = 0;
    return n;
  }
  if (!e.writing) return refuse(c, 'SHOULD_NOT_HAVE_BEEN_CALLED', 'early data can no longer be written (the handshake went on)', 0);
  if (e.sent + data.length > e.allowance) return refuse(c, 'TOO_MUCH_EARLY_DATA', `the session allows ${e.allowance} bytes of early data, ${e.sent} were written`, 0);
  // The ClientHello first (a full BIO: retry with the same data, nothing of it was taken).
  if (!c.flush()) return c.writeFailed();
  try {
    for (let done = 0; done < data.length; ) {
      const chunks = c.engine.appFragments(data, done, data.length, c.engine.pipelineDepth);
      await c.engine.sendAppDataBatch(chunks);
      for (const chunk of chunks) done += chunk.length;
    }
  } catch (err) {
    await c.fail(err);
    return -1;
  }
  e.sent += data.length;
  if (!c.flush()) {
    c.pendingEarly = data.length;
    return c.writeFailed();
  }
  return data.length;
}

/** SSL_read_early_data: bytes of early data (> 0), 0 (FINISH: no more early data), or < 0 (see getError). */
export async function readEarlyDataSteps(c: Connection, buf: Uint8Array): Promise<number> {
  c.beginCall();
  const e = c.engine.early;
  if (e.finished || (c.started && !e.wanted)) return refuse(c, 'SHOULD_NOT_HAVE_BEEN_CALLED', 'readEarlyData is only for the first calls of a server connection, until it returns 0', -1);
  if (c.fatal) return -1;
  if (!c.started) {
    e.wanted = true;
    c.started = true;
  }
  for (;;) {
    if (!c.flush()) return c.writeFailed();
    if (c.engine.pendingPlaintext > 0) return c.engine.readPlaintext(buf, false);
    // The server's flight is out (the version is settled with it) and no early data is being read: FINISH.
    if (c.engine.version !== null && !e.reading) {
      e.finished = true;
      return 0;
    }
    const ev = await c.step();
    if (ev === 'failed' || ev === 'want' || ev === 'close-notify') return -1;
    if (ev === 'eof') return c.eof(-1);
  }
}
