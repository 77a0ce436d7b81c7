/** The engine's resolved configuration lives with the handshake, which reads most of it (handshake/config.ts). */
export { type Credential, DEFAULT_LIMITS, type EngineConfig, type Limits, type MsgInfo } from '../handshake/config.js';
