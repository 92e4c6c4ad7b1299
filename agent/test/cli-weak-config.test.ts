/**
 * Weak configuration through the agent's real CLI (a child process): --check
 * lists every weakness and refuses the dangerous ones; a run logs one pino line
 * per weakness before it listens, or refuses to start (exit 2, CONFIG_INSECURE)
 * unless --allow-insecure / allowInsecure says otherwise. The secret and the
 * token never appear in any output. Everything on loopback; every wait bounded.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TOKEN = '00weak-config-test-token-9f3b';
/** 12 octets: warned, not refused. */
const MEDIUM_SECRET = 'Mq4-zT8!kLp2';
/** 5 octets: refused. */
const SHORT_SECRET = 'Zx9!q';

interface LogLine {
  level: number;
  msg: string;
  event?: string;
  check?: string;
  refused?: boolean;
  allowedBy?: string;
  code?: string;
}

function yaml(o: { orgUrl: string; address?: string; requireMA?: boolean; httpHost?: string; allowInsecure?: string[]; level?: string }): string {
  return `okta:
  orgUrl: ${o.orgUrl}
  apiToken: \${OKTA_API_TOKEN}
apps:
  - name: main
    listen: { host: 127.0.0.1, port: 0 }
    clients:
      - name: nas
        address: ${o.address ?? '127.0.0.1'}
        secret: \${RADIUS_SECRET}
        requireMessageAuthenticator: ${o.requireMA ?? true}
${o.httpHost ? `http: { host: '${o.httpHost}', port: 0 }\n` : ''}${o.allowInsecure ? `allowInsecure: [${o.allowInsecure.join(', ')}]\n` : ''}${o.level ? `logging: { level: ${o.level} }\n` : ''}`;
}

const parseLines = (out: string): LogLine[] =>
  out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);

describe('radius-mfa-agent CLI: weak configuration is never silent', () => {
  let dir: string;
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const env = (secret: string) => ({ ...process.env, OKTA_API_TOKEN: TOKEN, RADIUS_SECRET: secret });
  const cli = (args: string[], secret: string) =>
    spawnSync(process.execPath, ['bin/radius-mfa-agent.js', ...args], { cwd: ROOT, env: env(secret), encoding: 'utf8', timeout: 20_000 });
  const noSecrets = (out: string, secret: string) => {
    assert.ok(!out.includes(secret), 'the shared secret is not in the output');
    assert.ok(!out.includes(TOKEN), 'the API token is not in the output');
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'rmh-weak-config-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--check lists each weakness on one line and refuses the dangerous ones (exit 2, CONFIG_INSECURE)', () => {
    const p = file('all.yaml', yaml({ orgUrl: 'http://okta.example.com', address: '0.0.0.0/0', requireMA: false, httpHost: '0.0.0.0' }));
    const r = cli(['--config', p, '--check'], SHORT_SECRET);
    assert.equal(r.status, 2, r.stderr);
    const lines = r.stderr.split('\n');
    for (const expected of [
      /^refused \[http-okta\] okta\.orgUrl is http:\/\/ to okta\.example\.com.*Use https:\/\/\..*--allow-insecure http-okta/,
      /^refused \[short-secret\] apps\[0\]\.clients\[0\]\.secret .* is 5 octets.*openssl rand/,
      /^warning \[message-authenticator-off\] .*set it to true/,
      /^warning \[any-client\] apps\[0\]\.clients\[0\]\.address is 0\.0\.0\.0\/0/,
      /^warning \[metrics-exposed\] http\.host is 0\.0\.0\.0.*bind it to 127\.0\.0\.1/,
    ]) {
      assert.ok(lines.some((l) => expected.test(l)), `a line matching ${expected} in:\n${r.stderr}`);
    }
    assert.match(r.stderr, /CONFIG_INSECURE: The agent refuses to start/);
    assert.equal(r.stdout, '');
    noSecrets(r.stdout + r.stderr, SHORT_SECRET);
  });

  it('--check passes with --allow-insecure and still prints every warning', () => {
    const p = file('allowed.yaml', yaml({ orgUrl: 'http://okta.example.com', address: '::/0', requireMA: false, httpHost: '0.0.0.0' }));
    const r = cli(['--config', p, '--check', '--allow-insecure', 'http-okta,short-secret'], SHORT_SECRET);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /configuration OK: main .*\(5 warning\(s\) above\)/);
    assert.equal(r.stderr.trim().split('\n').length, 5);
    assert.match(r.stderr, /warning \[short-secret\].*started anyway: allowInsecure includes 'short-secret'/);
    noSecrets(r.stdout + r.stderr, SHORT_SECRET);
  });

  it('an unknown --allow-insecure value is a usage error naming the allowed values', () => {
    const p = file('ok.yaml', yaml({ orgUrl: 'https://example.okta.com' }));
    const r = cli(['--config', p, '--check', '--allow-insecure', 'everything'], 'a-long-enough-shared-secret');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /CONFIG_INVALID: --allow-insecure 'everything'.*http-okta, short-secret/);
  });

  it('the example config has no weakness (its /metrics is on loopback)', () => {
    const r = cli(['--config', 'agent/examples/config.yaml', '--check'], 'Vb3nQ9-long-random-shared-secret');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^configuration OK: workspaces/);
  });

  it('a run refuses to start on a dangerous setting: pino lines, exit 2, nothing listening', () => {
    const p = file('refused.yaml', yaml({ orgUrl: 'https://example.okta.com' }));
    const r = cli(['--config', p], SHORT_SECRET);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    const logs = parseLines(r.stdout);
    const refused = logs.find((l) => l.event === 'weak-config' && l.check === 'short-secret');
    assert.equal(refused?.level, 50, 'a refused weakness is an error line');
    assert.equal(refused?.refused, true);
    assert.ok(logs.some((l) => l.level === 60 && l.msg === 'start refused: insecure configuration' && l.code === 'CONFIG_INSECURE'));
    assert.ok(!logs.some((l) => l.msg === 'listening'));
    assert.match(r.stderr, /^CONFIG_INSECURE: /);
    noSecrets(r.stdout + r.stderr, SHORT_SECRET);
  });

  it('a log level above warn does not silence a weakness: it goes to stderr', () => {
    const p = file('quiet.yaml', yaml({ orgUrl: 'https://example.okta.com', address: '0.0.0.0/0', level: 'silent' }));
    const r = cli(['--config', p], SHORT_SECRET);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '', 'pino is silent');
    assert.match(r.stderr, /^refused \[short-secret\] .*is 5 octets/m);
    assert.match(r.stderr, /^warning \[any-client\] apps\[0\]\.clients\[0\]\.address is 0\.0\.0\.0\/0/m);
    assert.match(r.stderr, /^CONFIG_INSECURE: /m);
    noSecrets(r.stdout + r.stderr, SHORT_SECRET);
  });

  it('a run with weak but accepted settings logs one warn line each before listening, then serves', async () => {
    // Okta on loopback over http (a warning, not a refusal); nothing calls it in this test.
    const p = file('warned.yaml', yaml({ orgUrl: 'http://127.0.0.1:9', address: '0.0.0.0/0', requireMA: false }));
    const child = spawn(process.execPath, ['bin/radius-mfa-agent.js', '--config', p], { cwd: ROOT, env: env(MEDIUM_SECRET), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const end = Date.now() + 15_000;
      while (!parseLines(out).some((l) => l.msg === 'listening')) {
        if (Date.now() > end || child.exitCode !== null) assert.fail(`the agent did not listen:\n${out}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    } finally {
      child.kill('SIGTERM');
    }
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 10_000))]);
    if (code === 'hung') child.kill('SIGKILL');
    assert.equal(code, 0);
    const logs = parseLines(out);
    const listeningAt = logs.findIndex((l) => l.msg === 'listening');
    const warns = logs.filter((l) => l.event === 'weak-config');
    assert.deepEqual(warns.map((l) => l.check).sort(), ['any-client', 'http-okta', 'message-authenticator-off', 'short-secret']);
    for (const w of warns) {
      assert.equal(w.level, 40, `${w.check} is a warn line`);
      assert.ok(logs.indexOf(w) < listeningAt, `${w.check} is logged before the agent listens`);
    }
    assert.match(warns.find((w) => w.check === 'short-secret')?.msg ?? '', /is 12 octets, under the 16 RFC 2865 §3 prefers/);
    noSecrets(out, MEDIUM_SECRET);
  });
});
