/** OpenSSL's return-code model and option bits, same names and values as OpenSSL (API.md). */
export const SSL_ERROR_NONE = 0;
/** `getError()`: a TLS or library failure; the connection is unusable, `errorReason()` says why. */
export const SSL_ERROR_SSL = 1;
/** `getError()`: the call needs more bytes in the read BIO; feed them and call again. */
export const SSL_ERROR_WANT_READ = 2;
/** `getError()`: the write BIO is full; drain it to the transport and call again. */
export const SSL_ERROR_WANT_WRITE = 3;
/** `getError()`: a transport-level failure (as OpenSSL 3 also reports a 0 from the first `shutdown()`). */
export const SSL_ERROR_SYSCALL = 5;
/** `getError()`: the peer's close_notify was read; no more data will come. */
export const SSL_ERROR_ZERO_RETURN = 6;

/** `getShutdown()` flag: our close_notify was sent (or queued). */
export const SSL_SENT_SHUTDOWN = 1;
/** `getShutdown()` flag: the peer's close_notify was received. */
export const SSL_RECEIVED_SHUTDOWN = 2;

/** Option bit: a transport EOF without close_notify is a clean end (SSL_ERROR_ZERO_RETURN), not an error. */
export const SSL_OP_IGNORE_UNEXPECTED_EOF = 0x80;
/** Option bit: a server sends no session tickets. */
export const SSL_OP_NO_TICKET = 0x4000;

/** `write()` may return after writing part of the buffer (the count of bytes written). */
export const SSL_MODE_ENABLE_PARTIAL_WRITE = 0x1;
/** Mode bit: a retried `write()` may pass a different buffer with the same data. */
export const SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER = 0x2;
/** Mode bit: `read()` continues past post-handshake messages instead of returning WANT_READ. */
export const SSL_MODE_AUTO_RETRY = 0x4;
