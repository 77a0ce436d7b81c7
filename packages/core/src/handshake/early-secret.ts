/**
 * client_early_traffic_secret (RFC 8446 §7.1), the key of 0-RTT early data, for both roles (handshake/early-data.ts).
 */
import type { CipherSuite } from '../crypto/suites.js';
import { KeySchedule } from '../keys/tls13-key-schedule.js';
import type { HandshakeContext } from './context.js';

/** client_early_traffic_secret of `psk` over the transcript so far (the first ClientHello), logged for the key log. */
export async function clientEarlyTrafficSecret(cx: HandshakeContext, suite: CipherSuite, psk: Uint8Array): Promise<Uint8Array> {
  const ks = new KeySchedule(cx.config.provider, suite.hash);
  await ks.early(psk);
  // The client has not chosen the transcript hash yet: the ClientHello is hashed with the PSK's.
  const secret = await ks.clientEarlyTraffic(await cx.config.provider.hash(suite.hash, cx.transcript.bytes()));
  cx.logSecret('CLIENT_EARLY_TRAFFIC_SECRET', secret);
  return secret;
}
