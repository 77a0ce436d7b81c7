/**
 * The error model (errors/): the alert is a function of the reason, and every alert is a named one.
 */
import { strict as assert } from 'node:assert';
import { AlertDescription } from '#internal/errors/alerts';
import { alertFor, type ReasonCode, Reasons } from '#internal/errors/reasons';
import { SslError } from '#internal/errors/ssl-error';

const named = new Set<number>(Object.values(AlertDescription));

describe('errors/reasons: reason -> alert', () => {
  it('maps every reason to a named alert or to none', () => {
    for (const [code, info] of Object.entries(Reasons)) {
      assert.ok(info.alert === null || named.has(info.alert), `${code} maps to alert ${info.alert}`);
      assert.equal(alertFor(code as ReasonCode), info.alert);
      assert.equal(new SslError(code as ReasonCode).alert, info.alert, code);
      assert.ok(info.text.length > 0, `${code} has OpenSSL's words`);
    }
  });

  it('keeps the alerts and words of the former per-site overrides', () => {
    const cases: [ReasonCode, number, string][] = [
      ['INVALID_CONTEXT', AlertDescription.ILLEGAL_PARAMETER, 'bad packet'],
      ['BAD_KEY_UPDATE', AlertDescription.ILLEGAL_PARAMETER, 'bad packet'],
      ['BAD_TICKET_LIFETIME', AlertDescription.ILLEGAL_PARAMETER, 'bad packet'],
      ['BAD_SELECTED_VERSION', AlertDescription.ILLEGAL_PARAMETER, 'unsupported protocol'],
      ['MISSING_PSK_KEX_MODES_EXTENSION', AlertDescription.MISSING_EXTENSION, 'bad psk'],
    ];
    for (const [code, alert, text] of cases) {
      const e = new SslError(code, { detail: 'x' });
      assert.equal(e.alert, alert, code);
      assert.equal(e.reasonText, text, code);
      assert.equal(e.message, `${text}: x`, code);
    }
  });

  it('sends no alert for a received one, and names the received alert', () => {
    const e = new SslError('PEER_ALERT', { receivedAlert: 40 });
    assert.equal(e.alert, null);
    assert.equal(e.receivedAlert, AlertDescription.HANDSHAKE_FAILURE);
    assert.equal(e.reasonText, 'sslv3 alert handshake failure');
  });
});
