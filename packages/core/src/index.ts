/** @memtls/core public surface (../shared/API.md names). No logic lives here. */
export * from './constants.js';
