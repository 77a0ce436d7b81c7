/**
 * The transport driver: one `Ssl` over an abstract async byte transport, used by every adapter.
 */
export { Driver } from './driver.js';
export { type CallOutcome, type DriverCall, DriverError, DriverErrorCode, type DriverErrorDetails, type DriverPhase, type EngineFailure, errorFromOutcome } from './errors.js';
export type { DriverEarlyData, DriverOptions, DriverTransport } from './transport.js';
