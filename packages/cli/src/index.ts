/**
 * @memtls/cli: `memtls s_client` / `memtls s_server`, also callable in-process through `run()`.
 *
 * @module @memtls/cli
 */
import { EXIT_TLS_ERROR, EXIT_USAGE, parseArgs, UsageExit } from './args.js';
import type { Io } from './common.js';
import { sClient } from './s-client.js';
import { sServer } from './s-server.js';

export { EXIT_OK, EXIT_TLS_ERROR, EXIT_USAGE, normaliseArgs, parseArgs, parseHostPort, UsageExit } from './args.js';
export type { Io } from './common.js';
export { formatCall, formatRecord, makeTracer } from './trace.js';

/**
 * Run the tool with `argv` (without `node` and the script). Resolves with the exit status:
 * 0 clean close, 1 TLS or connection error, 2 usage.
 */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  try {
    const parsed = parseArgs(argv);
    return parsed.tool === 's_client' ? await sClient(parsed.opts, io) : await sServer(parsed.opts, io);
  } catch (e) {
    if (e instanceof UsageExit) {
      // commander has already printed its own messages; ours (files, -connect...) are printed here.
      if (e.exitCode !== 0 && !e.message.startsWith('error:') && !e.message.startsWith('(')) io.stderr.write(`memtls: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof TypeError || e instanceof RangeError) {
      io.stderr.write(`memtls: ${e.message}\n`);
      return EXIT_USAGE;
    }
    io.stderr.write(`memtls: ${(e as Error).message}\n`);
    return EXIT_TLS_ERROR;
  }
}
