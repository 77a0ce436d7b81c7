/**
 * The steps of SSL_shutdown over a `Connection`: 0, 1 or -1, exactly as OpenSSL 3 (docs/shutdown.md).
 *
 * Rules (reference/openssl3-shutdown.md numbering; each branch below cites its rule)
 * - Rules 10 and 14: in init, or after a fatal error, "shutdown while in init"; flags untouched, nothing sent.
 * - Rule 11: quiet shutdown sets both flags and moves no byte.
 * - Rules 1/18: the first call sets SENT before it writes close_notify; once the alert is all in the BIO it
 *   returns 1 if RECEIVED is already set, else 0 (it does not read: rule 4).
 * - Rule 9: a pending write blocks the alert; the next call fails with "bad write retry".
 * - Rule 3: a partly written close_notify is retried first, and only that.
 * - Later calls read until the peer's close_notify (1). Application data on the way is fatal (rule 5); an EOF
 *   is -1 "unexpected eof while reading" (rule 13; rule 17: with SSL_OP_IGNORE_UNEXPECTED_EOF it clears SENT
 *   and returns 0); rule 21 applies to post-handshake messages as in read.
 */
import { SSL_MODE_AUTO_RETRY, SSL_OP_IGNORE_UNEXPECTED_EOF, SSL_RECEIVED_SHUTDOWN, SSL_SENT_SHUTDOWN } from '../constants.js';
import { SslError } from '../errors/ssl-error.js';
import { AlertDescription } from '../wire/enums.js';
import type { Connection } from './connection.js';

/** SSL_shutdown: 0, 1 or -1; <= 0 and the reason: see getError. */
export async function shutdownSteps(c: Connection): Promise<number> {
  c.beginCall();
  const inInitError = (): number => {
    const err = new SslError('SHUTDOWN_WHILE_IN_INIT', { origin: 'local' });
    c.callError = err;
    c.lastError = err;
    return -1;
  };
  // Rule 14: after a fatal error, "shutdown while in init" and nothing is sent.
  if (c.fatal) return inInitError();
  // Rule 10: in init (before/during the handshake, KeyUpdate or ticket pending): flags untouched.
  if (!c.started || c.inInit) return inInitError();
  // Rule 11: quiet shutdown sets both flags, writes and reads nothing.
  if (c.quiet) {
    c.flags = SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN;
    return 1;
  }
  if (!(c.flags & SSL_SENT_SHUTDOWN)) {
    // Rule 1/18: SENT is set before the write is attempted; an owed KeyUpdate reply is dropped.
    c.engine.closeWrite();
    if (c.pendingWrite) {
      // Rule 9: the pending record blocks the alert; the next call fails with "bad write retry".
      c.shutdownOverPendingWrite = true;
      c.rwstate = c.io.pipeBroken ? 'nothing' : 'writing';
      return -1;
    }
    try {
      await c.engine.sendAlert(AlertDescription.CLOSE_NOTIFY, false);
    } catch (e) {
      await c.fail(e);
      return -1;
    }
    c.alertPending = true;
    if (!c.flush()) return -1;
    c.alertPending = false;
    return c.flags & SSL_RECEIVED_SHUTDOWN ? 1 : 0;
  }
  if (c.shutdownOverPendingWrite) {
    c.shutdownOverPendingWrite = false;
    c.pendingWrite = null;
    await c.fail(new SslError('BAD_WRITE_RETRY', { origin: 'local' }));
    return -1;
  }
  // Rule 3: a partly written close_notify is retried first (only the alert: a data record left half
  // written before setShutdown(SENT) is never finished; test/oracle shutdown-after-set-shutdown-...).
  if (c.alertPending) {
    if (!c.flush()) return -1;
    c.alertPending = false;
    return c.flags & SSL_RECEIVED_SHUTDOWN ? 1 : 0;
  }
  if (c.flags & SSL_RECEIVED_SHUTDOWN) return 1;
  for (;;) {
    // Rule 5: application data reaching shutdown's read is fatal, even half-consumed.
    if (c.engine.pendingPlaintext > 0) {
      c.engine.discardPlaintext();
      await c.fail(new SslError('APPLICATION_DATA_AFTER_CLOSE_NOTIFY'));
      return -1;
    }
    const ev = await c.step();
    switch (ev) {
      case 'failed':
        // A fatal alert from the peer also sets RECEIVED: with SENT set, that ends the shutdown with 1, as in
        // OpenSSL (the reason stays available through errorReason()).
        if ((c.fatal as SslError | null)?.receivedAlert != null && c.flags & SSL_RECEIVED_SHUTDOWN) return 1;
        return -1;
      case 'want':
        return -1;
      case 'eof':
        if (c.options & SSL_OP_IGNORE_UNEXPECTED_EOF) {
          // Rule 17: the option clears SENT here; the next call sends a second close_notify.
          c.flags = (c.flags & ~SSL_SENT_SHUTDOWN) | SSL_RECEIVED_SHUTDOWN;
          c.warnAlert = AlertDescription.CLOSE_NOTIFY;
          return 0;
        }
        await c.fail(new SslError('UNEXPECTED_EOF_WHILE_READING'));
        return -1;
      case 'close-notify':
        // The engine set RECEIVED.
        return 1;
      case 'post-handshake':
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
