/** OpenSSL's return-code model and option bits, same names and values as OpenSSL (API.md). */
export const SSL_ERROR_NONE = 0;
export const SSL_ERROR_SSL = 1;
export const SSL_ERROR_WANT_READ = 2;
export const SSL_ERROR_WANT_WRITE = 3;
export const SSL_ERROR_SYSCALL = 5;
export const SSL_ERROR_ZERO_RETURN = 6;

export const SSL_SENT_SHUTDOWN = 1;
export const SSL_RECEIVED_SHUTDOWN = 2;

export const SSL_OP_IGNORE_UNEXPECTED_EOF = 0x80;
export const SSL_OP_NO_TICKET = 0x4000;

export const SSL_MODE_ENABLE_PARTIAL_WRITE = 0x1;
export const SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER = 0x2;
export const SSL_MODE_AUTO_RETRY = 0x4;
