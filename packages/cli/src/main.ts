#!/usr/bin/env node
/** The `memtls` executable: `memtls s_client ...` / `memtls s_server ...` (see `memtls --help`). */
import { run } from './index.js';

const code = await run(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
// Let stdout drain (it may be a pipe) before exiting: stdin or a lingering socket must not keep us alive.
process.stdout.write('', () => process.exit(code));
