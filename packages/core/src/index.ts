/**
 * The sans-IO TLS 1.3 engine with OpenSSL's memory-BIO model: `SslContext`, `Ssl`, `MemoryBio`, sessions, errors
 * and the `SSL_*` constants. No `node:` imports: it runs in browsers, workers and Node.
 *
 * This entry registers both handshake roles. A client-only app can import `@memtls/core/client` instead: the same
 * API with the client role only, so that its bundle holds no server handshake code.
 *
 * @module @memtls/core
 */
export * from './api.js';

import { clientRole } from './handshake/client/role.js';
import { registerRole } from './handshake/create.js';
import { serverRole } from './handshake/server/role.js';

registerRole('client', clientRole);
registerRole('server', serverRole);
