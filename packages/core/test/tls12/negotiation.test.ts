/**
 * TLS 1.2 negotiation between memtls endpoints in memory: every version combination, downgrade protection both
 * ways (RFC 8446 §4.1.3), TLS_FALLBACK_SCSV (RFC 7507), the extended master secret (RFC 7627), renegotiation_info
 * (RFC 5746), suites (AEAD only, the one offered), what the facade refuses in TLS 1.2, and the exporter.
 */
import { strict as assert } from 'node:assert';
import type { ContextOptions } from '@memtls/core';
import { Engine } from '#internal/engine/engine';
import { equalBytes } from '#internal/wire/bytes';
import { ExtensionType as X } from '#internal/wire/enums';
import { DOWNGRADE_TLS11, DOWNGRADE_TLS12, encodeClientHello, encodeServerHello, parseClientHello, parseServerHello } from '#internal/wire/handshake';
import { drain, feed } from '../engine/drive.js';
import { clientCtx, editFirstRecord, hashSyncProvider, onceOn, pair, serverCtx } from './helpers.js';

type Range = Pick<ContextOptions, 'minVersion' | 'maxVersion'>;
const RANGES: Record<string, Range> = {
  '1.2 only': { maxVersion: 'TLSv1.2' },
  '1.3 only': { minVersion: 'TLSv1.3' },
  '1.2 and 1.3': {},
};

/** Rewrite the ClientHello of the first c2s flight. */
const editClientHello = (f: (ch: ReturnType<typeof parseClientHello>) => void) =>
  onceOn('c2s', (b) =>
    editFirstRecord(b, ([m, ...rest]) => {
      const ch = parseClientHello((m as Uint8Array).subarray(4));
      f(ch);
      return [encodeClientHello(ch), ...rest];
    }),
  );
/** Rewrite the ServerHello of the first s2c flight. */
const editServerHello = (f: (sh: ReturnType<typeof parseServerHello>) => void) =>
  onceOn('s2c', (b) =>
    editFirstRecord(b, ([m, ...rest]) => {
      const sh = parseServerHello((m as Uint8Array).subarray(4));
      f(sh);
      return [encodeServerHello(sh), ...rest];
    }),
  );

/** The ServerHello.random of the first s2c flight, captured. */
function captureServerRandom(): { hook: (d: 'c2s' | 's2c', b: Uint8Array) => Uint8Array; random: () => Uint8Array } {
  let random = new Uint8Array(0);
  return {
    hook: onceOn('s2c', (b) => {
      random = b.slice(11, 43);
      return b;
    }),
    random: () => random,
  };
}

function failed(ssl: { getError(r: number): number; lastErrorDetail(): { reason: string; alert: number | null; receivedAlert: number | null } | null }, r: number, reason: string, alert: number | null): void {
  assert.equal(ssl.getError(r), 1, `expected SSL_ERROR_SSL, got ${ssl.getError(r)}`);
  const d = ssl.lastErrorDetail();
  assert.equal(d?.reason, reason);
  assert.equal(d?.alert, alert);
}

describe('TLS 1.2 negotiation (memtls <-> memtls)', () => {
  describe('every combination of the two versions', () => {
    for (const [cName, c] of Object.entries(RANGES)) {
      for (const [sName, s] of Object.entries(RANGES)) {
        const both13 = !c.maxVersion && !s.maxVersion;
        const both12 = !c.minVersion && !s.minVersion;
        const expected = both13 ? 'TLSv1.3' : both12 ? 'TLSv1.2' : null;
        it(`client ${cName}, server ${sName}: ${expected ?? 'protocol_version'}`, async () => {
          const p = pair(clientCtx(c), serverCtx('ec-p256', s));
          const r = await p.handshake();
          if (expected) {
            assert.equal(r.client, 1, p.client.errorReason() ?? '');
            assert.equal(r.server, 1, p.server.errorReason() ?? '');
            assert.equal(p.client.version(), expected);
            assert.equal(p.server.version(), expected);
          } else {
            failed(p.server, r.server, 'UNSUPPORTED_PROTOCOL', 70);
            assert.equal(p.client.lastErrorDetail()?.receivedAlert, 70);
            assert.equal(p.client.errorReason(), 'tlsv1 alert protocol version');
          }
        });
      }
    }
  });

  describe('downgrade protection (RFC 8446 §4.1.3)', () => {
    it('supported_versions stripped from the ClientHello: the 1.3-capable server marks DOWNGRD01, the 1.3-capable client aborts with illegal_parameter before sending anything else', async () => {
      const sent: Uint8Array[] = [];
      const strip = editClientHello((ch) => {
        ch.extensions = ch.extensions.filter((e) => e.type !== X.SUPPORTED_VERSIONS);
      });
      const p = pair(clientCtx(), serverCtx('ec-p256'), (d, b) => {
        const out = strip(d, b);
        if (d === 'c2s') sent.push(out);
        return out;
      });
      const r = await p.handshake();
      failed(p.client, r.client, 'DOWNGRADE_DETECTED', 47);
      assert.equal(p.client.errorReason(), 'inappropriate fallback');
      // After the ClientHello, the client sent one plaintext alert record and nothing else.
      assert.deepEqual(
        sent.slice(1).map((b) => [...b]),
        [[21, 3, 3, 0, 2, 2, 47]],
      );
    });

    it('a client limited to TLS 1.2 accepts DOWNGRD01 from a 1.3-capable server (which sets it)', async () => {
      const cap = captureServerRandom();
      const p = pair(clientCtx({ maxVersion: 'TLSv1.2' }), serverCtx('ec-p256'), cap.hook);
      const r = await p.handshake();
      assert.equal(r.client, 1, p.client.errorReason() ?? '');
      assert.ok(equalBytes(cap.random().subarray(24), DOWNGRADE_TLS12), 'DOWNGRD01 in ServerHello.random');
    });

    it('a server limited to TLS 1.2 sets no sentinel', async () => {
      const cap = captureServerRandom();
      const p = pair(clientCtx(), serverCtx('ec-p256', { maxVersion: 'TLSv1.2' }), cap.hook);
      assert.equal((await p.handshake()).client, 1);
      assert.ok(!equalBytes(cap.random().subarray(24), DOWNGRADE_TLS12) && !equalBytes(cap.random().subarray(24), DOWNGRADE_TLS11));
    });

    it('a client limited to TLS 1.2 refuses DOWNGRD00 (illegal_parameter)', async () => {
      const p = pair(
        clientCtx({ maxVersion: 'TLSv1.2' }),
        serverCtx('ec-p256', { maxVersion: 'TLSv1.2' }),
        editServerHello((sh) => sh.random.set(DOWNGRADE_TLS11, 24)),
      );
      failed(p.client, (await p.handshake()).client, 'DOWNGRADE_DETECTED', 47);
    });

    it('a 1.3-capable client refuses DOWNGRD01 written into a TLS 1.2-only server hello (illegal_parameter)', async () => {
      const p = pair(clientCtx(), serverCtx('ec-p256', { maxVersion: 'TLSv1.2' }), editServerHello((sh) => sh.random.set(DOWNGRADE_TLS12, 24)));
      failed(p.client, (await p.handshake()).client, 'DOWNGRADE_DETECTED', 47);
    });

    it('TLS_FALLBACK_SCSV from a TLS 1.2 client: a 1.3-capable server answers inappropriate_fallback; a 1.2-only one accepts', async () => {
      const scsv = editClientHello((ch) => ch.cipherSuites.push(0x5600));
      const p = pair(clientCtx({ maxVersion: 'TLSv1.2' }), serverCtx('ec-p256'), scsv);
      const r = await p.handshake();
      failed(p.server, r.server, 'INAPPROPRIATE_FALLBACK', 86);
      assert.equal(p.client.errorReason(), 'tlsv1 alert inappropriate fallback');
      // The 1.2-only server takes the hello (the rewrite shows only once keys are in use: the extended master secret covers the ClientHello).
      const q = pair(clientCtx({ maxVersion: 'TLSv1.2' }), serverCtx('ec-p256', { maxVersion: 'TLSv1.2' }), editClientHello((ch) => ch.cipherSuites.push(0x5600)));
      failed(q.server, (await q.handshake()).server, 'DECRYPTION_FAILED_OR_BAD_RECORD_MAC', 20);
    });

    it('a HelloRetryRequest is TLS 1.3 only: a TLS 1.2 ServerHello after one is refused', async () => {
      // The server takes only P-384; the 1.3 client offers an x25519 share first: HelloRetryRequest, then the
      // second ServerHello is rewritten to look like TLS 1.2 (no supported_versions).
      let n = 0;
      const p = pair(clientCtx({ groups: ['x25519', 'secp384r1'] }), serverCtx('ec-p256', { groups: ['secp384r1'] }), (d, b) => {
        if (d !== 's2c' || b[0] !== 22 || n++ !== 1) return b;
        return editFirstRecord(b, ([m, ...rest]) => {
          const sh = parseServerHello((m as Uint8Array).subarray(4));
          sh.extensions = sh.extensions.filter((e) => e.type !== X.SUPPORTED_VERSIONS);
          return [encodeServerHello(sh), ...rest];
        });
      });
      const r = await p.handshake();
      failed(p.client, r.client, 'UNSUPPORTED_PROTOCOL', 70);
    });
  });

  describe('a HelloRequest before ServerHello (RFC 5246 §7.4.1.1)', () => {
    const HELLO_REQUEST = new Uint8Array([22, 3, 3, 0, 4, 0, 0, 0, 0]);
    const before = (b: Uint8Array) => new Uint8Array([...HELLO_REQUEST, ...b]);
    // OpenSSL 3.0 skips a well-formed HelloRequest in every client state but the established one; memtls does so
    // while TLS 1.2 may still be chosen. A TLS 1.3-only client has no use for it (RFC 8446 has no HelloRequest).
    for (const [name, range, server, version] of [
      ['a client pinned to TLS 1.2', { maxVersion: 'TLSv1.2' }, {}, 'TLSv1.2'],
      ['a 1.2-and-1.3 client, then TLS 1.3', {}, {}, 'TLSv1.3'],
      ['a 1.2-and-1.3 client, then TLS 1.2', {}, { maxVersion: 'TLSv1.2' }, 'TLSv1.2'],
    ] as const) {
      it(`${name}: ignored, kept out of the transcript, the handshake completes`, async () => {
        const p = pair(clientCtx(range), serverCtx('ec-p256', server), onceOn('s2c', before));
        const r = await p.handshake();
        assert.equal(r.client, 1, p.client.errorReason() ?? '');
        assert.equal(r.server, 1, p.server.errorReason() ?? '');
        assert.equal(p.client.version(), version);
      });
    }
    it('a client limited to TLS 1.3: unexpected_message', async () => {
      const p = pair(clientCtx({ minVersion: 'TLSv1.3' }), serverCtx('ec-p256'), onceOn('s2c', before));
      const r = await p.handshake();
      assert.equal(p.client.getError(r.client), 1);
      assert.equal(p.client.lastErrorDetail()?.reason, 'UNEXPECTED_MESSAGE');
    });
    it('a HelloRequest with a body: decode_error, as after ServerHello', async () => {
      const p = pair(clientCtx(), serverCtx('ec-p256'), onceOn('s2c', (b) => new Uint8Array([22, 3, 3, 0, 5, 0, 0, 0, 1, 0, ...b])));
      const r = await p.handshake();
      assert.equal(p.client.getError(r.client), 1);
      assert.equal(p.client.errorReason(), 'bad packet');
      assert.equal(p.client.lastErrorDetail()?.alert, 50, 'decode_error');
    });
  });

  describe('suites', () => {
    it('a ServerHello with a suite the client did not offer: illegal_parameter', async () => {
      const p = pair(clientCtx({ maxVersion: 'TLSv1.2', cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'] }), serverCtx('ec-p256'), editServerHello((sh) => (sh.cipherSuite = 0xc02c)));
      failed(p.client, (await p.handshake()).client, 'WRONG_CIPHER_RETURNED', 47);
    });

    it('a client that offers only CBC / RSA key transport suites: handshake_failure, saying why', async () => {
      const p = pair(clientCtx({ maxVersion: 'TLSv1.2' }), serverCtx('ec-p256'), editClientHello((ch) => (ch.cipherSuites = [0x002f, 0x0035, 0xc013, 0xc009])));
      const r = await p.handshake();
      failed(p.server, r.server, 'NO_SHARED_CIPHER', 40);
      assert.match(p.server.lastErrorDetail()?.detail ?? '', /only TLS 1\.2 suites memtls does not implement \(CBC, RSA key transport/);
      assert.equal(p.client.errorReason(), 'sslv3 alert handshake failure');
    });

    // Found by tlsfuzzer's test-sig-algs.py: the extensions are parsed before a suite is chosen, as OpenSSL does.
    for (const [what, data] of [
      ['an empty', Uint8Array.of(0, 0)],
      ['an odd-length', Uint8Array.of(0, 3, 4, 3, 5)],
      ['a truncated', Uint8Array.of(0, 4, 4, 3)],
    ] as const) {
      it(`${what} signature_algorithms with only CBC suites offered: decode_error, not handshake_failure`, async () => {
        const p = pair(
          clientCtx({ maxVersion: 'TLSv1.2' }),
          serverCtx('ec-p256'),
          editClientHello((ch) => {
            ch.cipherSuites = [0x002f, 0xc013];
            ch.extensions = ch.extensions.map((e) => (e.type === X.SIGNATURE_ALGORITHMS ? { type: e.type, data } : e));
          }),
        );
        failed(p.server, (await p.handshake()).server, 'BAD_PACKET', 50);
      });
    }

    it('a malformed ALPN with no suite in common: decode_error, not handshake_failure', async () => {
      const p = pair(
        clientCtx({ maxVersion: 'TLSv1.2', alpn: ['h2'] }),
        serverCtx('ec-p256'),
        editClientHello((ch) => {
          ch.cipherSuites = [0x002f];
          ch.extensions = ch.extensions.map((e) => (e.type === X.ALPN ? { type: e.type, data: Uint8Array.of(0, 3, 5, 0x68, 0x32) } : e));
        }),
      );
      failed(p.server, (await p.handshake()).server, 'BAD_PACKET', 50);
    });

    it('no suite in common: handshake_failure "no shared cipher"', async () => {
      const p = pair(clientCtx({ maxVersion: 'TLSv1.2', cipherSuites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'] }), serverCtx('ec-p256'));
      failed(p.server, (await p.handshake()).server, 'NO_SHARED_CIPHER', 40);
    });

    it('cipherSuites: TLS 1.3 names configure TLS 1.3 only, TLS 1.2 names TLS 1.2 only; none for any enabled version is a RangeError', async () => {
      const p = pair(clientCtx({ cipherSuites: ['TLS_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'] }), serverCtx('ec-p256', { maxVersion: 'TLSv1.2' }));
      assert.equal((await p.handshake()).client, 1);
      assert.equal(p.client.cipher(), 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
      // Only TLS 1.3 suites: TLS 1.2 is not offered at all.
      const q = pair(clientCtx({ cipherSuites: ['TLS_AES_128_GCM_SHA256'] }), serverCtx('ec-p256', { maxVersion: 'TLSv1.2' }));
      failed(q.server, (await q.handshake()).server, 'UNSUPPORTED_PROTOCOL', 70);
      assert.throws(() => clientCtx({ maxVersion: 'TLSv1.2', cipherSuites: ['TLS_AES_128_GCM_SHA256'] }), RangeError);
      assert.throws(() => clientCtx({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.2' }), RangeError);
      assert.throws(() => clientCtx({ maxVersion: 'TLSv1.1' as 'TLSv1.2' }), RangeError);
    });
  });

  describe('extended master secret (RFC 7627) and renegotiation_info (RFC 5746)', () => {
    const hasExt = (type: number) => {
      let seen = false;
      return {
        hook: onceOn('s2c', (b) => {
          editFirstRecord(b, (msgs) => {
            seen = parseServerHello((msgs[0] as Uint8Array).subarray(4)).extensions.some((e) => e.type === type);
            return msgs;
          });
          return b;
        }),
        seen: () => seen,
      };
    };

    it('offered by the client, echoed by the server; both keys logs name the same master secret', async () => {
      const lines: string[][] = [[], []];
      const ems = hasExt(X.EXTENDED_MASTER_SECRET);
      const p = pair(clientCtx({ maxVersion: 'TLSv1.2', keylog: (l) => lines[0]?.push(l) }), serverCtx('rsa', { keylog: (l) => lines[1]?.push(l) }), ems.hook);
      assert.equal((await p.handshake()).client, 1);
      assert.ok(ems.seen());
      assert.equal(lines[0]?.length, 1);
      assert.match(lines[0]?.[0] ?? '', /^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/);
      assert.deepEqual(lines[0], lines[1]);
    });

    it('a client without it still completes a full handshake: no EMS echoed, the RFC 5246 master secret on both sides', async () => {
      // Engines driven directly: the ClientHello loses extended_master_secret on the wire and in the client's own
      // transcript (memtls always offers it: this is how a peer without it looks).
      const lines: string[][] = [[], []];
      const client = new Engine(clientCtx({ maxVersion: 'TLSv1.2', keylog: (l) => lines[0]?.push(l) }).engineConfig(), { serverName: 'localhost', session: null });
      const server = new Engine(serverCtx('ec-p256', { keylog: (l) => lines[1]?.push(l) }).engineConfig());
      await client.start();
      let chMsg: Uint8Array = new Uint8Array(0);
      const hello = editFirstRecord(drain(client), ([m]) => {
        const ch = parseClientHello((m as Uint8Array).subarray(4));
        ch.extensions = ch.extensions.filter((e) => e.type !== X.EXTENDED_MASTER_SECRET);
        chMsg = encodeClientHello(ch);
        return [chMsg];
      });
      client.transcript.release();
      client.transcript.add(chMsg);
      await feed(server, hello);
      for (let i = 0; i < 5 && !(client.handshakeComplete && server.handshakeComplete); i++) {
        await feed(client, drain(server));
        await feed(server, drain(client));
      }
      assert.equal(client.error, null);
      assert.equal(server.error, null);
      assert.ok(client.handshakeComplete && server.handshakeComplete);
      assert.equal(client.extendedMasterSecret, false);
      assert.equal(server.extendedMasterSecret, false);
    });

    it('requireExtendedMasterSecret: a server refuses a client without it, a client a server without it (handshake_failure)', async () => {
      const p = pair(clientCtx({ maxVersion: 'TLSv1.2' }), serverCtx('ec-p256', { requireExtendedMasterSecret: true }), editClientHello((ch) => (ch.extensions = ch.extensions.filter((e) => e.type !== X.EXTENDED_MASTER_SECRET))));
      failed(p.server, (await p.handshake()).server, 'EXTENDED_MASTER_SECRET_REQUIRED', 40);
      const q = pair(clientCtx({ maxVersion: 'TLSv1.2', requireExtendedMasterSecret: true }), serverCtx('ec-p256'), editServerHello((sh) => (sh.extensions = sh.extensions.filter((e) => e.type !== X.EXTENDED_MASTER_SECRET))));
      failed(q.client, (await q.handshake()).client, 'EXTENDED_MASTER_SECRET_REQUIRED', 40);
      assert.match(q.client.lastErrorDetail()?.detail ?? '', /extended master secret/);
    });

    it('a non-empty renegotiation_info in an initial ClientHello: handshake_failure', async () => {
      const p = pair(
        clientCtx({ maxVersion: 'TLSv1.2' }),
        serverCtx('ec-p256'),
        editClientHello((ch) => {
          for (const e of ch.extensions) if (e.type === X.RENEGOTIATION_INFO) e.data = Uint8Array.of(12, ...new Uint8Array(12));
        }),
      );
      failed(p.server, (await p.handshake()).server, 'RENEGOTIATION_MISMATCH', 40);
    });

    it('a server without renegotiation_info is refused (OpenSSL 3 default); the SCSV alone is enough for a server', async () => {
      const p = pair(clientCtx({ maxVersion: 'TLSv1.2' }), serverCtx('ec-p256'), editServerHello((sh) => (sh.extensions = sh.extensions.filter((e) => e.type !== X.RENEGOTIATION_INFO))));
      failed(p.client, (await p.handshake()).client, 'UNSAFE_LEGACY_RENEGOTIATION_DISABLED', 40);
      const ri = hasExt(X.RENEGOTIATION_INFO);
      const scsv = editClientHello((ch) => {
        ch.extensions = ch.extensions.filter((e) => e.type !== X.RENEGOTIATION_INFO);
        ch.cipherSuites.push(0x00ff);
      });
      const q = pair(clientCtx({ maxVersion: 'TLSv1.2' }), serverCtx('ec-p256'), (d, b) => ri.hook(d, scsv(d, b)));
      // The client did send renegotiation_info itself (the rewrite removed it): the server's echo is then
      // unsolicited for it, but the server answered the SCSV with renegotiation_info, as RFC 5746 §3.6 says.
      await q.handshake();
      assert.equal(ri.seen(), true);
    });
  });

  describe('the facade in TLS 1.2', () => {
    it('version, cipher; keyUpdate refused ("wrong ssl version"), newSessionTicket 0, a TLS 1.2 session; the exporter agrees', async () => {
      const p = pair(clientCtx({ maxVersion: 'TLSv1.2' }), serverCtx('ec-p384'));
      assert.equal((await p.handshake()).client, 1);
      assert.equal(p.client.version(), 'TLSv1.2');
      assert.equal(p.client.keyUpdate(true), 0);
      assert.equal(p.client.errorReason(), 'wrong ssl version');
      assert.equal(p.client.isInitFinished(), true, 'the refusal leaves the connection intact');
      assert.equal(p.server.newSessionTicket(), 0);
      assert.equal(p.client.getSession()?.version, 'TLSv1.2');
      for (const ctx of [new Uint8Array(0), Uint8Array.of(1, 2, 3), null]) {
        const a = await p.client.exportKeyingMaterial('EXPERIMENTAL-memtls', ctx, 40);
        assert.deepEqual(a, await p.server.exportKeyingMaterial('EXPERIMENTAL-memtls', ctx, 40));
      }
      assert.notDeepEqual(await p.client.exportKeyingMaterial('L', null, 16), await p.client.exportKeyingMaterial('L', new Uint8Array(0), 16));
      // Synchronously: not with an asynchronous provider; with hashSync, the same values (HMAC built on it).
      assert.throws(() => p.client.exportKeyingMaterialSync('L', null, 16), /asynchronous/);
      for (const hash of ['SHA-256', 'SHA-384']) {
        const suite = hash === 'SHA-256' ? 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256' : 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384';
        const q = pair(clientCtx({ maxVersion: 'TLSv1.2', crypto: hashSyncProvider, cipherSuites: [suite] }), serverCtx('ec-p256'));
        assert.equal((await q.handshake()).client, 1);
        for (const ctx of [null, new Uint8Array(0), Uint8Array.of(9, 9)]) {
          const label = 'EXPERIMENTAL-sync-'.repeat(9); // a long label: several PRF blocks and an HMAC key of 48 bytes
          assert.deepEqual(q.client.exportKeyingMaterialSync(label, ctx, 200), await q.server.exportKeyingMaterial(label, ctx, 200));
        }
      }
    });

    it('a TLS 1.3 session offered to a server that picks TLS 1.2 is simply not used', async () => {
      const first = pair(clientCtx(), serverCtx('ec-p256'));
      assert.equal((await first.handshake()).client, 1);
      await first.flush();
      await first.client.read(new Uint8Array(16)); // the tickets
      const session = first.client.getSession();
      assert.ok(session, 'a TLS 1.3 session');
      const second = pair(clientCtx(), serverCtx('ec-p256', { maxVersion: 'TLSv1.2' }), undefined, 0, session);
      const r = await second.handshake();
      assert.equal(r.client, 1, second.client.errorReason() ?? '');
      assert.equal(second.client.version(), 'TLSv1.2');
      assert.equal(second.client.sessionReused(), false);
      assert.equal(second.server.sessionReused(), false);
    });

    it('the server names no session it cannot resume (empty session_id) and a TLS 1.3 session is not used for TLS 1.2', async () => {
      let sid = -1;
      const p = pair(
        clientCtx({ maxVersion: 'TLSv1.2' }),
        serverCtx('ec-p256'),
        onceOn('s2c', (b) => {
          sid = b[5 + 4 + 2 + 32] as number;
          return b;
        }),
      );
      assert.equal((await p.handshake()).client, 1);
      assert.equal(sid, 0);
      assert.equal(p.client.sessionReused(), false);
    });
  });
});
