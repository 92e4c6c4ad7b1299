// okta-cleanup as a person runs it after a crashed run: against the mock served over HTTPS
// with its CA, the token from an environment variable; only harness users go.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { VirtualClock } from '../simulators/clock/virtual-clock.ts';
import { HttpOktaAdmin } from '../simulators/okta/admin-http.ts';
import { OktaOrg } from '../simulators/okta/org.ts';
import { startOktaServer } from '../simulators/okta/serve.ts';
import { createCa, issueServerCert } from '../simulators/okta/tls.ts';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const bin = join(repo, 'bin', 'radius-mfa-harness.js');

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [bin, 'okta-cleanup', ...args], { cwd: repo, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      done({ code, stdout, stderr });
    });
  });
}

test('okta-cleanup removes what a crashed run left, only that; bad options exit 2', async () => {
  const org = new OktaOrg({ clock: new VirtualClock(), seed: 5 });
  const token = org.createApiToken();
  const ca = createCa();
  const server = await startOktaServer(org, { tls: issueServerCert(ca, ['127.0.0.1']) });
  const dir = mkdtempSync(join(tmpdir(), 'rmh-cleanup-'));
  try {
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, ca.certPem);
    const crashed = new HttpOktaAdmin({ orgUrl: server.url, apiToken: token, ca: ca.certPem });
    await crashed.createUser({ login: 'a@corp.example.com', password: 'pw-1' });
    await crashed.createUser({ login: 'b@corp.example.com', password: 'pw-1' });
    await crashed.close();
    org.createUser({ profile: { login: 'real.person@corp.example.com' }, password: 'pw' });

    const r = await run(['--org-url', server.url, '--ca', caFile], { MY_TOKEN: token, OKTA_API_TOKEN: '' });
    assert.equal(r.code, 2, 'no token in OKTA_API_TOKEN');
    assert.match(r.stderr, /OKTA_ADMIN_NO_TOKEN: Set OKTA_API_TOKEN/);

    const ok = await run(['--org-url', server.url, '--ca', caFile, '--token-env', 'MY_TOKEN'], { MY_TOKEN: token });
    assert.equal(ok.code, 0, ok.stderr);
    const report = JSON.parse(ok.stdout) as { deleted: string[]; failed: unknown[] };
    assert.deepEqual(report.deleted.sort(), [crashed.loginFor('a@corp.example.com'), crashed.loginFor('b@corp.example.com')]);
    assert.deepEqual(
      org.listUsers().map((u) => u.profile.login),
      ['real.person@corp.example.com'],
    );
    assert.ok(!ok.stdout.includes(token) && !ok.stderr.includes(token), 'the token is never printed');

    const bad = await run(['--org-url', server.url, '--ca', caFile, '--prefix', 'real'], { OKTA_API_TOKEN: token });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /OKTA_ADMIN_BAD_PREFIX/);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
