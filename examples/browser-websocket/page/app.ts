/**
 * The page's script (bundled by main.ts with esbuild): connect through the relay with TlsWebSocket, send
 * an HTTP GET, show the response and how the connection closed.
 */
import { SSL_RECEIVED_SHUTDOWN, SSL_SENT_SHUTDOWN } from '@memtls/core/client';
import { isTlsStreamError, TlsWebSocket } from '@memtls/websocket/client';

interface PageConfig {
  relay: string;
  target: string;
  ca: string;
  serverName: string;
}

const $ = (id: string): HTMLElement => document.getElementById(id) as HTMLElement;
const logEl = $('log');
const responseEl = $('response');
const button = $('go') as HTMLButtonElement;

function log(line: string, error = false): void {
  const span = document.createElement('span');
  if (error) span.className = 'err';
  span.textContent = `${line}\n`;
  logEl.append(span);
}

async function run(cfg: PageConfig): Promise<void> {
  responseEl.textContent = '';
  const t0 = performance.now();
  const ms = () => `${(performance.now() - t0).toFixed(0)} ms`;
  log(`connecting to ${cfg.relay} (relay to ${cfg.target}), server name ${cfg.serverName}`);
  const tls = await TlsWebSocket.connect(cfg.relay, { context: { role: 'client', ca: cfg.ca }, serverName: cfg.serverName });
  log(`handshake done after ${ms()}: ${tls.ssl.version()} ${tls.ssl.cipher()}, peer chain of ${tls.ssl.peerCertificates().length} certificate(s), verify ${tls.ssl.verifyResult()}`);
  await tls.write(`GET / HTTP/1.0\r\nHost: ${cfg.serverName}\r\n\r\n`);
  const decoder = new TextDecoder();
  let bytes = 0;
  for await (const chunk of tls) {
    bytes += chunk.length;
    responseEl.textContent += decoder.decode(chunk, { stream: true });
  }
  log(`response: ${bytes} bytes, ended by the server's close_notify after ${ms()}`);
  await tls.closed;
  const flags = tls.ssl.getShutdown();
  log(`closed: shutdown flags ${flags & SSL_SENT_SHUTDOWN ? 'SENT' : ''}${flags === (SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN) ? '|' : ''}${flags & SSL_RECEIVED_SHUTDOWN ? 'RECEIVED' : ''} (close_notify both ways), WebSocket closed`);
}

const cfg = (await (await fetch('/config.json')).json()) as PageConfig;
$('target').textContent = `${cfg.target} via ${cfg.relay}`;
button.disabled = false;
button.addEventListener('click', () => {
  button.disabled = true;
  run(cfg)
    .catch((e: unknown) => {
      const code = isTlsStreamError(e) ? ` [${e.code}${e.reason ? `: ${e.reason}` : ''}]` : '';
      log(`failed: ${e instanceof Error ? e.message : String(e)}${code}`, true);
    })
    .finally(() => {
      button.disabled = false;
    });
});
if (new URLSearchParams(location.search).has('auto')) button.click();
