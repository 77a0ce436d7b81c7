/**
 * The CLI's external-PSK flags, as OpenSSL's: `-psk HEX` and `-psk_identity ID` on s_client and s_server, `-nocert`
 * on s_server. memtls s_client → `openssl s_server -nocert -psk`, `openssl s_client -psk` → memtls s_server -nocert,
 * and memtls against itself; usage errors exit 2. Everything on 127.0.0.1; every process is killed in afterEach.
 */
import { strict as assert } from 'node:assert';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Helpers from '../../node/test/helpers.js';

const { Child, cleanup, opensslServer }: typeof Helpers = await import(new URL('../../../node/test/dist/helpers.js', import.meta.url).href);
type Child = Helpers.Child;

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'main.js');
const memtls = (args: string[]): Child => new Child(process.execPath, [CLI, ...args], { timeoutMs: 20_000 });
const KEY = 'a0b1c2d3e4f5061728394a5b6c7d8e9f';

async function memtlsServer(args: string[]): Promise<{ child: Child; port: number }> {
  const child = memtls(['s_server', '-accept', '127.0.0.1:0', ...args]);
  const m = await child.waitFor(/ACCEPT 127\.0\.0\.1:(\d+)/);
  return { child, port: Number(m[1]) };
}

describe('memtls CLI: -psk, -psk_identity, -nocert', function () {
  this.timeout(30_000);
  afterEach(cleanup);

  it('usage: -nocert without -psk, -psk_identity without -psk, a -psk that is not hex: exit 2', async () => {
    for (const args of [['s_server', '-accept', '127.0.0.1:0', '-nocert'], ['s_client', '-connect', '127.0.0.1:9', '-psk_identity', 'x'], ['s_client', '-connect', '127.0.0.1:9', '-psk', 'xyz'], ['s_client', '-connect', '127.0.0.1:9', '-psk', 'abc']]) {
      const c = memtls(args);
      assert.equal(await c.exited, 2, `${args.join(' ')}: ${c.stderr}`);
    }
    const help = memtls(['s_server', '-help']);
    assert.equal(await help.exited, 0);
    assert.match(help.stdout, /--nocert/);
    assert.match(help.stdout, /--psk_identity <id>/);
  });

  it('s_client -psk -psk_identity → openssl s_server -nocert -psk -rev: Reused, no certificate, the identity reported', async () => {
    const { port } = await opensslServer(['-tls1_3', '-nocert', '-psk', KEY, '-psk_identity', 'node-a', '-rev']);
    const c = memtls(['s_client', '-connect', `127.0.0.1:${port}`, '-psk', KEY, '-psk_identity', 'node-a']);
    c.write('hello psk\n');
    await c.waitFor(/ksp olleh\n/);
    c.endInput();
    assert.equal(await c.exited, 0, c.stderr);
    assert.match(c.stdout, /no peer certificate available/);
    assert.match(c.stdout, /Reused, TLSv1\.3, Cipher is TLS_AES_128_GCM_SHA256\n/);
    assert.match(c.stdout, /PSK identity: node-a\n/);
    // Nothing was verified: memtls says so (OpenSSL prints "Verify return code: 0 (ok)").
    assert.doesNotMatch(c.stdout, /Verify return code: 0 \(ok\)/);
  });

  it('openssl s_client -psk → s_server -nocert -psk (default identity Client_identity): data both ways, Reused', async () => {
    const { child: server, port } = await memtlsServer(['-nocert', '-psk', KEY, '-rev', '-naccept', '1']);
    const client = new Child('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-psk', KEY, '-no_ign_eof']);
    client.write('over the psk\n');
    await client.waitFor(/ksp eht revo\n/);
    client.endInput();
    await client.exited;
    assert.equal(await server.exited, 0, server.stderr);
    assert.match(client.stdout, /Reused, TLSv1\.3/);
    assert.match(server.stderr, /Reused, TLSv1\.3, Cipher is TLS_CHACHA20_POLY1305_SHA256\n/);
    assert.match(server.stderr, /PSK identity: Client_identity\n/);
  });

  it('memtls s_client → memtls s_server -nocert: a wrong key is refused (decrypt_error), the right one works', async () => {
    const { child: server, port } = await memtlsServer(['-nocert', '-psk', KEY, '-psk_identity', 'dev', '-rev', '-naccept', '2']);
    const bad = memtls(['s_client', '-connect', `127.0.0.1:${port}`, '-psk', `ff${KEY.slice(2)}`, '-psk_identity', 'dev']);
    assert.equal(await bad.exited, 1, bad.stderr);
    assert.match(bad.stderr, /decrypt error/);
    const good = memtls(['s_client', '-connect', `127.0.0.1:${port}`, '-psk', KEY, '-psk_identity', 'dev']);
    good.write('ok\n');
    await good.waitFor(/ko\n/);
    good.endInput();
    assert.equal(await good.exited, 0, good.stderr);
    await server.exited;
    assert.match(server.stderr, /psk binder verification failed/);
  });
});
