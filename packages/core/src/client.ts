/**
 * `@memtls/core/client`: the same API as `@memtls/core` with only the client handshake role registered, for
 * client-only apps (a browser bundle then holds no server handshake code). `new SslContext({ role: 'server' })`
 * made through this entry alone throws a TypeError; importing `@memtls/core` anywhere in the app adds the server
 * role back.
 *
 * @module @memtls/core/client
 */
export * from './api.js';

import { clientRole } from './handshake/client/role.js';
import { registerRole } from './handshake/create.js';

registerRole('client', clientRole);
