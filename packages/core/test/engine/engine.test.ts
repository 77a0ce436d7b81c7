/**
 * The engine driven without any BIO (engine/record-layer.ts): bytes in, records out, plaintext in and out, and a
 * status() derived from its buffers and state.
 */
import { strict as assert } from 'node:assert';
import { SslError } from '#internal/errors/ssl-error';
import { AlertDescription, ContentType } from '#internal/wire/enums';
import { drain, engines, feed, handshake } from './drive.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('Engine without BIOs', () => {
  it('two engines reach application data and close_notify by exchanging take()n records through receive()', async () => {
    const { client, server } = engines();
    await handshake(client, server);
    assert.equal(client.status().error, null);
    assert.equal(server.status().error, null);

    await client.sendAppDataBatch([enc('hello'), enc(' world')]);
    assert.equal(client.status().wantsWrite, true);
    const events = await feed(server, drain(client));
    assert.deepEqual(events, ['app-data', 'app-data']);
    assert.equal(client.status().wantsWrite, false);
    assert.equal(server.status().appDataReady, 11);
    const buf = new Uint8Array(64);
    const n = server.readPlaintext(buf, false);
    assert.equal(dec(buf.subarray(0, n)), 'hello world');
    assert.equal(server.status().appDataReady, 0);

    client.closeWrite();
    await client.sendAlert(AlertDescription.CLOSE_NOTIFY, false);
    assert.equal(client.status().closeSent, true);
    assert.deepEqual(await feed(server, drain(client)), ['close-notify']);
    const st = server.status();
    assert.equal(st.closeReceived, true);
    assert.equal(st.closeSent, false);
    assert.equal(st.wantsRead, false, 'nothing more is read after close_notify');
    assert.equal(st.error, null);
  });

  it('the same exchange fed one byte at a time', async () => {
    const { client, server } = engines();
    await handshake(client, server, 1);
    await server.sendAppDataBatch([enc('x'.repeat(3000))]);
    const wire = drain(server);
    // One byte at a time: no event until the last byte of the record.
    const events = await feed(client, wire.subarray(0, wire.length - 1), 1);
    assert.deepEqual(events, []);
    assert.equal(client.status().appDataReady, 0);
    assert.deepEqual(await feed(client, wire.subarray(wire.length - 1), 1), ['app-data']);
    assert.equal(client.status().appDataReady, 3000);
  });

  it('receive() takes bytes up to the end of the current record only (never ahead)', async () => {
    const { client, server } = engines();
    await handshake(client, server);
    await client.sendAppDataBatch([enc('one'), enc('two')]);
    const wire = drain(client);
    const first = server.receive(wire);
    assert.ok(first < wire.length, 'the second record is left to the caller');
    assert.equal(server.recordReady, true);
    assert.equal(server.receive(wire.subarray(first)), 0, 'nothing is taken while a whole record waits');
    assert.equal(await server.processRecord(), 'app-data');
    assert.equal(server.receive(wire.subarray(first)), wire.length - first);
    assert.equal(await server.processRecord(), 'app-data');
  });

  it('status(): wants-read before anything, wants-write once the ClientHello is queued', async () => {
    const { client, server } = engines();
    assert.deepEqual(client.status(), { wantsRead: true, wantsWrite: false, appDataReady: 0, closeSent: false, closeReceived: false, error: null });
    await client.start();
    assert.equal(client.status().wantsWrite, true);
    const hello = drain(client);
    assert.equal(hello[0], ContentType.HANDSHAKE);
    assert.equal(client.status().wantsWrite, false);
    assert.equal(server.status().wantsRead, true);
  });

  it('a bad record length is rejected when its header arrives, before any body byte is buffered', async () => {
    const { server } = engines();
    const header = new Uint8Array([ContentType.HANDSHAKE, 3, 3, 0x40, 0x01]); // 2^14 + 1 before keys
    for (let i = 0; i < 4; i++) assert.equal(server.receive(header.subarray(i, i + 1)), 1);
    assert.throws(
      () => server.receive(header.subarray(4, 5)),
      (e: unknown) => e instanceof SslError && e.reason === 'PACKET_LENGTH_TOO_LONG',
    );
  });

  it('fail() is the catch boundary: a non-SslError becomes internal_error, the first failure is sticky, its alert is queued once', async () => {
    const { client } = engines();
    const first = await client.fail(new Error('a bug'), true);
    assert.equal(first.error.reason, 'INTERNAL_ERROR');
    assert.equal(first.alertQueued, true);
    const alert = drain(client);
    assert.deepEqual([...alert], [ContentType.ALERT, 3, 3, 0, 2, 2, AlertDescription.INTERNAL_ERROR]);
    const second = await client.fail(new SslError('BAD_LENGTH'), true);
    assert.equal(second.error.reason, 'BAD_LENGTH');
    assert.equal(second.alertQueued, false);
    assert.equal(client.status().error, first.error);
    assert.equal(client.status().wantsRead, false);
    assert.equal(client.outputBytes, 0);
  });

  it('a received fatal alert sets RECEIVED and is the sticky error', async () => {
    const { client, server } = engines();
    await handshake(client, server);
    await client.sendAlert(AlertDescription.HANDSHAKE_FAILURE, true);
    let thrown: unknown = null;
    await feed(server, drain(client)).catch((e: unknown) => {
      thrown = e;
    });
    assert.ok(thrown instanceof SslError && thrown.receivedAlert === AlertDescription.HANDSHAKE_FAILURE);
    // The facade (or the application) hands what was thrown to the catch boundary.
    await server.fail(thrown, true);
    assert.equal(server.status().closeReceived, true);
    assert.equal(server.status().error?.receivedAlert, AlertDescription.HANDSHAKE_FAILURE);
    assert.equal(server.outputBytes, 0, 'no alert answers a received fatal alert');
  });
});
