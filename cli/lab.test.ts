// The lab command as a person runs it: a child process, one JSON line of
// endpoints on stdout, the servers answering, SIGTERM/SIGINT → clean exit 0;
// a bad seed → one line on stderr and exit 2.
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const bin = join(repo, 'bin', 'radius-mfa-harness.js');
const example = join(repo, 'simulators', 'lab', 'examples', 'workspaces.yaml');

interface Endpoints {
  okta: { baseUrl: string; httpsUrl?: string; caFile?: string; apiToken: string; appId: string };
  ldap: { url: string; baseDn: string; domain: string };
  control: { url: string; token: string };
  clock: { kind: string; now: string };
  bind: string;
  agentConfig?: string;
}

function startLab(seed: string, ...extra: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [bin, 'lab', '--seed', seed, '--host', '127.0.0.1', ...extra], { cwd: repo });
}

/** The first stdout line, parsed; fails after 30 s rather than hanging. */
function firstLine(child: ChildProcessWithoutNullStreams): Promise<Endpoints> {
  return new Promise((resolveLine, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no endpoints line within 30 s; stderr: ${err}`)), 30_000);
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolveLine(JSON.parse(out.slice(0, nl)) as Endpoints);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before printing endpoints; stderr: ${err}`));
    });
  });
}

function exitOf(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; stderr: string; stdout: string }> {
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  return new Promise((r) => child.once('exit', (code) => r({ code, stderr, stdout })));
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`lab --seed --clock virtual prints its endpoints as one JSON line, serves them, and stops cleanly on ${signal}`, async () => {
    const child = startLab(example, '--clock', 'virtual');
    try {
      const ep = await firstLine(child);
      const exited = exitOf(child);
      assert.deepEqual(Object.keys(ep).sort(), ['bind', 'clock', 'control', 'ldap', 'okta']);
      assert.equal(ep.bind, '127.0.0.1');
      assert.match(ep.okta.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(ep.okta.httpsUrl ?? '', /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.match(readFileSync(ep.okta.caFile!, 'utf8'), /^-----BEGIN CERTIFICATE-----/);
      assert.match(ep.okta.appId, /^0oa/);
      assert.match(ep.ldap.url, /^ldap:\/\/127\.0\.0\.1:\d+$/);
      assert.deepEqual([ep.ldap.domain, ep.ldap.baseDn], ['CORP', 'DC=corp,DC=example,DC=com']);
      assert.equal(ep.clock.kind, 'virtual');
      assert.equal(ep.clock.now, '2026-01-05T09:01:00.000Z');

      const user = await fetch(`${ep.okta.baseUrl}/api/v1/users/bob@corp.example.com`, { headers: { authorization: `SSWS ${ep.okta.apiToken}` } });
      assert.equal(user.status, 200);
      const noToken = await fetch(`${ep.okta.baseUrl}/api/v1/users/bob@corp.example.com`);
      assert.equal(noToken.status, 401);
      const auth = { authorization: `Bearer ${ep.control.token}` };
      assert.equal((await fetch(`${ep.control.url}/users/bob/totp?app=google-authenticator`)).status, 401, 'the control API needs its token');
      const totp = (await (await fetch(`${ep.control.url}/users/bob/totp?app=google-authenticator`, { headers: auth })).json()) as { code: string };
      assert.match(totp.code, /^\d{6}$/);
      const moved = (await (await fetch(`${ep.control.url}/clock/advance`, { method: 'POST', body: '{"seconds":30}', headers: auth })).json()) as { now: string };
      assert.equal(moved.now, '2026-01-05T09:01:30.000Z');

      child.kill(signal);
      const { code, stderr, stdout } = await exited;
      assert.equal(code, 0, stderr);
      assert.equal(stdout, '', 'nothing after the endpoints line');
      assert.ok(!stderr.includes(ep.okta.apiToken), 'the token is printed once, on stdout, never logged');
      assert.ok(!stderr.includes(ep.control.token));
      await assert.rejects(fetch(`${ep.control.url}/clock`), 'servers are gone');
      assert.equal(existsSync(ep.okta.caFile!), false, 'the temporary CA folder is removed');
    } finally {
      child.kill('SIGKILL');
    }
  });
}

test('a bad seed: one line on stderr naming the file, the path and the problem; exit 2; nothing started', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rmh-lab-'));
  try {
    const seed = join(dir, 'bad.yaml');
    writeFileSync(
      seed,
      ['org: { name: x }', 'users:', '  - login: a@x.example', '    password: pw', '    phones: [{ name: a, number: "+15555550101" }]', '    factors:', '      - type: fax', ''].join('\n'),
    );
    const r = spawnSync(process.execPath, [bin, 'lab', '--seed', seed], { cwd: repo, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.ok(lines[0]!.includes(`${seed}:7`), lines[0]);
    assert.match(lines[0]!, /LAB_SEED_INVALID: .*users\[0\]\.factors\[0\]\.type: .*push/);

    const missing = spawnSync(process.execPath, [bin, 'lab', '--seed', join(dir, 'nope.yaml')], { cwd: repo, encoding: 'utf8', timeout: 30_000 });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /LAB_SEED_UNREADABLE: .*nope\.yaml.*no such file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('by default the served lab runs on real time, with a token stable for the seed; bad options exit 2', async () => {
  const tokens: string[] = [];
  for (let i = 0; i < 2; i++) {
    const child = startLab(example, '--no-https');
    try {
      const ep = await firstLine(child);
      assert.equal(ep.clock.kind, 'real-time');
      assert.ok(Math.abs(Date.parse(ep.clock.now) - Date.now()) < 5_000, `${ep.clock.now} is wall time`);
      assert.equal(ep.okta.httpsUrl, undefined, '--no-https');
      tokens.push(ep.okta.apiToken);
      const exited = exitOf(child);
      child.kill('SIGTERM');
      assert.equal((await exited).code, 0);
    } finally {
      child.kill('SIGKILL');
    }
  }
  assert.equal(tokens[0], tokens[1], 'the API token is the same on every start of the same seed');
  const bad = spawnSync(process.execPath, [bin, 'lab', '--seed', example, '--clock', 'sundial'], { cwd: repo, encoding: 'utf8', timeout: 30_000 });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /LAB_BAD_OPTION: --clock must be virtual or real-time, not "sundial"/);
  const badPort = spawnSync(process.execPath, [bin, 'lab', '--seed', example, '--port-base', '80'], { cwd: repo, encoding: 'utf8', timeout: 30_000 });
  assert.equal(badPort.status, 2);
  assert.match(badPort.stderr, /LAB_BAD_OPTION: --port-base must be a port from 1024 to 65532/);
});
