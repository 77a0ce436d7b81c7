/** Unit tests for the CLI's argument handling: OpenSSL-style single-dash flags, host:port, lists. */
import { strict as assert } from 'node:assert';
import { EXIT_OK, EXIT_USAGE, normaliseArgs, parseArgs, parseHostPort, UsageExit } from '@memtls/cli';

describe('memtls CLI arguments', () => {
  it('turns OpenSSL single-dash long flags into --flags, and nothing else', () => {
    assert.deepEqual(normaliseArgs(['s_client', '-connect', 'h:1', '-CAfile', 'ca.pem', '-sess_out', 's', '-quiet', '-x', '-bogus', '--alpn', 'h2']), [
      's_client',
      '--connect',
      'h:1',
      '--CAfile',
      'ca.pem',
      '--sess_out',
      's',
      '--quiet',
      '-x',
      '-bogus',
      '--alpn',
      'h2',
    ]);
  });

  it('parses both tools; -Verify and -verify stay distinct', () => {
    const c = parseArgs(['s_client', '-connect', '127.0.0.1:4433', '-alpn', 'h2,http/1.1', '-no_ign_eof']);
    assert.equal(c.tool, 's_client');
    assert.deepEqual(c.opts, { connect: '127.0.0.1:4433', alpn: 'h2,http/1.1', no_ign_eof: true });
    const s = parseArgs(['s_server', '-accept', '0', '-Verify', '2', '-rev']);
    assert.deepEqual(s.opts, { accept: '0', Verify: '2', rev: true });
  });

  it('usage errors carry exit code 2; help carries 0', () => {
    const code = (argv: string[]): number => {
      try {
        parseArgs(argv);
        return -1;
      } catch (e) {
        assert.ok(e instanceof UsageExit);
        return e.exitCode;
      }
    };
    const write = process.stdout.write;
    const ewrite = process.stderr.write;
    process.stdout.write = () => true;
    process.stderr.write = () => true;
    try {
      assert.equal(code(['s_client', '-nope']), EXIT_USAGE);
      assert.equal(code([]), EXIT_USAGE);
      assert.equal(code(['s_server', '--help']), EXIT_OK);
    } finally {
      process.stdout.write = write;
      process.stderr.write = ewrite;
    }
  });

  it('host:port forms', () => {
    assert.deepEqual(parseHostPort('example.com:443', 'localhost', 'x'), { host: 'example.com', port: 443 });
    assert.deepEqual(parseHostPort('[::1]:8443', 'localhost', 'x'), { host: '::1', port: 8443 });
    assert.deepEqual(parseHostPort('4433', null, 'x'), { host: null, port: 4433 });
    assert.deepEqual(parseHostPort(':4433', 'localhost', 'x'), { host: 'localhost', port: 4433 });
    assert.throws(() => parseHostPort('host', null, 'x'), UsageExit);
    assert.throws(() => parseHostPort('h:70000', null, 'x'), UsageExit);
  });
});
