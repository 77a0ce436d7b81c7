/**
 * The flood counters (engine/limits.ts): one object, the limits of config.limits.
 */
import { strict as assert } from 'node:assert';
import { DEFAULT_LIMITS } from '#internal/engine/config';
import { FloodCounters, MAX_REJECTED_EARLY_DATA } from '#internal/engine/limits';
import { SslError } from '#internal/errors/ssl-error';

const isReason = (reason: string) => (e: unknown) => e instanceof SslError && e.reason === reason;

describe('FloodCounters', () => {
  it('a run of empty records is refused past maxEmptyRecords; application data ends the run', () => {
    const f = new FloodCounters({ ...DEFAULT_LIMITS, maxEmptyRecords: 3 });
    for (let i = 0; i < 3; i++) f.empty();
    f.progress();
    for (let i = 0; i < 3; i++) f.empty();
    assert.throws(() => f.empty(), isReason('TOO_MANY_EMPTY_RECORDS'));
  });

  it('KeyUpdates and tickets are counted per run, handshake bytes and skipped early data in all', () => {
    const f = new FloodCounters({ ...DEFAULT_LIMITS, maxKeyUpdates: 1, maxTickets: 2, maxHandshakeBytes: 10 });
    f.keyUpdate();
    assert.throws(() => f.keyUpdate(), isReason('TOO_MANY_KEY_UPDATES'));
    f.ticket();
    f.ticket();
    assert.throws(() => f.ticket(), isReason('TOO_MANY_TICKETS'));
    f.progress();
    f.ticket();
    f.ticket();
    f.handshake(10);
    assert.throws(() => f.handshake(1), isReason('HANDSHAKE_TOO_LARGE'));
    f.earlyData(MAX_REJECTED_EARLY_DATA);
    assert.throws(() => f.earlyData(1), isReason('TOO_MUCH_EARLY_DATA'));
  });

  it('post-handshake CertificateRequests are counted per run (maxCertRequests); application data ends the run', () => {
    const f = new FloodCounters({ ...DEFAULT_LIMITS, maxCertRequests: 2 });
    f.certRequest();
    f.certRequest();
    f.progress();
    f.certRequest();
    f.certRequest();
    assert.throws(() => f.certRequest(), isReason('TOO_MANY_CERT_REQUESTS'));
  });
});
