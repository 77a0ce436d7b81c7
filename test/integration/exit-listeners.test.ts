/**
 * The test helpers of every project share one process 'exit' listener (test/util/on-exit.ts): with one each,
 * a full mocha run had ten plus mocha's own and printed MaxListenersExceededWarning.
 */
import { strict as assert } from 'node:assert';

describe('test helpers and process exit listeners', function () {
  this.timeout(60_000);
  it('loading the helpers of every project and making their PKIs adds at most one exit listener', async () => {
    const at = (p: string): string => new URL(p, import.meta.url).href;
    const before = process.listenerCount('exit');
    const node = (await import(at('../../../packages/node/test/dist/helpers.js'))) as { testPki: () => unknown };
    const util = (await import(at('../util/pki.js'))) as { testPki: () => unknown };
    await import(at('../interop/peers.js'));
    await import(at('../interop/pki.js'));
    await import(at('../trust/pki.js'));
    await import(at('../../../packages/websocket/test/dist/pki.js'));
    await import(at('../../../packages/core/test/dist/cert/pki.js'));
    node.testPki();
    util.testPki();
    assert.ok(process.listenerCount('exit') - before <= 1, `${process.listenerCount('exit') - before} exit listeners added`);
  });
});
