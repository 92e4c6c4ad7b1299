import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createCa, issueServerCert, loadOrCreateCa, serverNames } from './tls.ts';

describe('the lab CA', () => {
  const ca = createCa();
  const server = issueServerCert(ca, ['localhost', '127.0.0.1', '::1']);

  it('is a CA that signs server certificates for the names and addresses asked for', () => {
    const caX = new X509Certificate(ca.certPem);
    const srvX = new X509Certificate(server.certPem);
    assert.ok(caX.ca);
    assert.ok(!srvX.ca);
    assert.ok(srvX.verify(caX.publicKey), 'signed by the CA');
    assert.ok(srvX.checkIssued(caX));
    assert.equal(srvX.checkHost('localhost'), 'localhost');
    assert.equal(srvX.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(srvX.checkIP('::1'), '::1');
    assert.equal(srvX.checkIP('10.9.9.9'), undefined, 'and for nothing else');
    assert.equal(srvX.checkHost('example.com'), undefined);
    assert.ok(Date.parse(srvX.validFrom) < Date.now() && Date.parse(srvX.validTo) > Date.now() + 300 * 86_400_000);
  });

  it('needs at least one host', () => {
    assert.throws(() => issueServerCert(ca, []), { code: 'TLS_NO_HOSTS' });
  });

  it('is kept in a folder: created once (key 0600), read back after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rmh-tls-'));
    try {
      const first = await loadOrCreateCa(join(dir, 'ca'));
      assert.equal(first.created, true);
      assert.equal(statSync(join(dir, 'ca', 'ca-key.pem')).mode & 0o777, 0o600);
      const again = await loadOrCreateCa(join(dir, 'ca'));
      assert.equal(again.created, false);
      assert.equal(again.certPem, first.certPem);
      assert.equal(again.caFile, join(dir, 'ca', 'ca.pem'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('serverNames', () => {
  it('loopback and the bind address; for a wildcard bind every local address', () => {
    assert.deepEqual(serverNames('10.200.1.1', ['okta.lab.example']), ['localhost', '127.0.0.1', '::1', 'okta.lab.example', '10.200.1.1']);
    const all = serverNames('0.0.0.0');
    assert.ok(all.includes('127.0.0.1') && !all.includes('0.0.0.0'));
  });
});
