/**
 * @memtls/root-store: Mozilla's roots (copied from Node's tls.rootCertificates) for memtls where there is no
 * system store. The store parses, is the running Node's store when generated from this Node version, is a
 * set of CA certificates memtls accepts as anchors, and trusts nothing but them: a server signed by the test
 * CA is refused with "unable to get local issuer certificate" until that CA is given as well.
 */
import { strict as assert } from 'node:assert';
import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { SSL_ERROR_SSL, SslContext, type VerifyInfo } from '@memtls/core';
import { rootCertificates, rootStoreSource } from '@memtls/root-store';
import { contexts, drive, pair } from '../util/pair.js';
import { testPki } from '../util/pki.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

describe('root store (@memtls/root-store)', () => {
  it('has more than 100 roots, each one PEM certificate that memtls parses as a CA, no duplicates', () => {
    assert.ok(rootCertificates.length > 100, `only ${rootCertificates.length} roots`);
    assert.equal(rootStoreSource.count, rootCertificates.length);
    assert.ok(Object.isFrozen(rootCertificates));
    const seen = new Set<string>();
    for (const pem of rootCertificates) {
      assert.equal(pem.match(/-----BEGIN CERTIFICATE-----/g)?.length, 1, 'one certificate per entry');
      // memtls parses it as a trust anchor (an SslContext parses every ca certificate and throws on one it cannot).
      assert.equal(new SslContext({ role: 'client', ca: pem }).role, 'client');
      const cert = new X509Certificate(pem);
      assert.ok(cert.checkIssued(cert), `${cert.subject}: a root is self-issued`);
      assert.ok(cert.ca, `${cert.subject}: not a CA`);
      assert.ok(!seen.has(pem), `duplicate root ${cert.subject}`);
      seen.add(pem);
    }
  });

  it("is the running Node's tls.rootCertificates when this Node generated it, and close to it on another Node", () => {
    const running = tls.rootCertificates.map((p) => p.trim());
    if (process.version === rootStoreSource.nodeVersion) {
      assert.deepEqual([...rootCertificates], running);
      return;
    }
    // Another Node release may have added or removed a few roots (refresh with scripts/generate.mjs).
    const kept = rootCertificates.filter((p) => running.includes(p)).length;
    assert.ok(kept >= rootCertificates.length * 0.8, `only ${kept} of ${rootCertificates.length} roots are in Node ${process.version}'s store`);
  });

  it('an SslContext takes the whole store as trust anchors', () => {
    const ctx = new SslContext({ role: 'client', ca: [...rootCertificates] });
    assert.equal(ctx.role, 'client');
  });

  it('trusts only real roots: a server signed by the test CA fails with "unable to get local issuer certificate"; adding the CA works', async () => {
    const seen: VerifyInfo[] = [];
    const verifyCallback = (info: VerifyInfo): boolean => {
      seen.push(info);
      return info.ok;
    };
    const refused = contexts({ ca: [...rootCertificates], verifyCallback });
    const p1 = pair(refused.cctx, refused.sctx);
    const [rc] = await drive(() => p1.client.doHandshake(), p1.client, () => p1.server.doHandshake(), p1.server);
    assert.notEqual(rc, 1);
    assert.equal(p1.client.getError(rc), SSL_ERROR_SSL);
    assert.equal(p1.client.errorReason(), 'certificate verify failed');
    assert.equal(p1.client.verifyResult(), 'X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.ok, false);
    assert.match(seen[0]?.detail ?? '', /unable to get local issuer certificate/);

    const trusted = contexts({ ca: [...rootCertificates, testPki().caCert] });
    const p2 = pair(trusted.cctx, trusted.sctx);
    const [rc2, rs2] = await drive(() => p2.client.doHandshake(), p2.client, () => p2.server.doHandshake(), p2.server);
    assert.equal(rc2, 1, p2.client.errorReason() ?? '');
    assert.equal(rs2, 1);
    assert.equal(p2.client.verifyResult(), 'X509_V_OK');
  });

  it('is loaded only when imported: no other package refers to it', () => {
    const hits: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.endsWith('.js') && readFileSync(path, 'utf8').includes('root-store')) hits.push(path);
      }
    };
    for (const pkg of ['core', 'node', 'web-streams', 'websocket', 'cli']) walk(join(repo, 'packages', pkg, 'dist'));
    assert.deepEqual(hits, []);
    for (const pkg of ['core', 'node', 'web-streams', 'websocket', 'cli']) {
      const manifest = JSON.parse(readFileSync(join(repo, 'packages', pkg, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
      assert.equal(manifest.dependencies?.['@memtls/root-store'], undefined, `${pkg} depends on the root store`);
    }
  });
});
