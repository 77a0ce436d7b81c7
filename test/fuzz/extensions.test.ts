/** The record_size_limit and post-handshake authentication fuzz targets (extensions.ts) on the CI budget. */
import { assertTarget, RUNS } from './budget.js';

describe('fuzz: record_size_limit and post-handshake client authentication', function () {
  this.timeout(600000);
  // Each case is a real handshake with the WebCrypto provider: a fifth of the usual budget.
  const runs = Math.max(10, Math.floor(RUNS / 5));
  it(`record-size-limit: ${runs} random limits, versions, fragment sizes and data sizes`, () => assertTarget('record-size-limit', runs));
  it(`record-size-limit-value: ${runs} peer values over the u16 range`, () => assertTarget('record-size-limit-value', runs));
  it(`post-handshake-auth: ${runs} random sequences of exchanges`, () => assertTarget('post-handshake-auth', runs));
});
