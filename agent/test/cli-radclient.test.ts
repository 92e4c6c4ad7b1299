/**
 * The agent as a user runs it: its CLI in a child process, the lab's mock Okta
 * org as a real HTTP server, and FreeRADIUS's radclient as the RADIUS client.
 * Everything on loopback; every wait bounded.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../src/clock.ts';
import { buildAccessRequest, TestRadiusSocket } from '../src/test-support/radius-test-client.ts';
import { RecordingDelivery } from '../../simulators/okta/delivery.ts';
import { OktaOrg } from '../../simulators/okta/org.ts';
import { type RunningOktaServer, startOktaServer } from '../../simulators/okta/serve.ts';
import { totpAt } from '../../simulators/okta/totp.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SECRET = 'radclient-shared-secret';
const hasRadclient = spawnSync('radclient', ['-v'], { stdio: 'ignore' }).error === undefined;
const skip = hasRadclient ? false : 'radclient (freeradius-utils) is not installed';
if (!hasRadclient && process.env.CI === 'true') {
  throw new Error('radclient (freeradius-utils) is required in CI: apt-get install freeradius-utils');
}

interface RadclientResult {
  code: string | null;
  replyMessage: string;
}

/** One request through radclient; stdin carries the attributes. Output is parsed, never printed (it shows the password). */
function radclient(port: number, secret: string, attrs: Record<string, string>, opts: { messageAuthenticator?: boolean; timeoutS?: number } = {}) {
  const lines = Object.entries(attrs).map(([k, v]) => `${k} = "${v}"`);
  if (opts.messageAuthenticator !== false) lines.push('Message-Authenticator = 0x00');
  const timeoutS = opts.timeoutS ?? 3;
  return new Promise<RadclientResult>((resolve, reject) => {
    const child = spawn('radclient', ['-x', '-r', '1', '-t', String(timeoutS), `127.0.0.1:${port}`, 'auth', secret], { stdio: 'pipe' });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), (timeoutS + 5) * 1000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(killer);
      const code = /Received (Access-\w+)/.exec(out)?.[1] ?? null;
      const replyMessage = [...out.matchAll(/Reply-Message = "([^"]*)"/g)].map((m) => m[1]).join('');
      resolve({ code, replyMessage });
    });
    child.stdin.end(`${lines.join('\n')}\n`);
  });
}

/** Resolves when `cond` holds, polling on wall time (bounded). */
async function until<T>(get: () => T | undefined, what: string, ms = 5_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function runCheck(configPath: string, env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, ['bin/radius-mfa-agent.js', '--config', configPath, '--check'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('radius-mfa-agent CLI with radclient and the mock Okta over HTTP', { skip }, () => {
  const delivery = new RecordingDelivery();
  // The org and the agent process share wall-clock time here (the agent is a real process).
  const org = new OktaOrg({ clock: systemClock, delivery, seed: 11 });
  let okta: RunningOktaServer;
  let child: ChildProcess;
  let dir: string;
  let configPath: string;
  let token: string;
  const ports: Record<string, number> = {};
  const secrets: Record<string, string> = {};
  let stdout = '';

  before(async () => {
    okta = await startOktaServer(org, { host: '127.0.0.1', port: 0 });
    token = org.createApiToken();
    const app = org.createApp({ label: 'WorkSpaces RADIUS' });
    const mk = (login: string) => {
      const u = org.createUser({ profile: { login, email: login, mobilePhone: '+15555550123' }, password: 'pw' });
      org.assignUserToApp(app.id, u.id);
      return u;
    };
    const alice = mk('alice@corp.example.com');
    secrets.push = org.enrollFactor(alice.id, { factorType: 'push', provider: 'OKTA', activate: true }).activation!.sharedSecret;
    org.enrollFactor(alice.id, { factorType: 'sms', phoneNumber: '+15555551234', activate: true });
    const gina = mk('gina@corp.example.com');
    secrets.ga = org.enrollFactor(gina.id, { factorType: 'token:software:totp', provider: 'GOOGLE', activate: true }).activation!.sharedSecret;
    const olga = mk('olga@corp.example.com');
    secrets.ov = org.enrollFactor(olga.id, { factorType: 'token:software:totp', provider: 'OKTA', activate: true }).activation!.sharedSecret;
    const dan = mk('dan@corp.example.com');
    org.enrollFactor(dan.id, { factorType: 'web', provider: 'DUO', duoPasscodeChecker: (p) => p === '7654321' });

    dir = mkdtempSync(join(tmpdir(), 'radius-mfa-agent-'));
    configPath = join(dir, 'config.yaml');
    const client = `
    clients:
      - name: radclient
        address: 127.0.0.1
        secret: \${RADIUS_SECRET}`;
    writeFileSync(
      configPath,
      `okta:
  orgUrl: ${okta.url}
  apiToken: \${OKTA_API_TOKEN}
  pushPollIntervalMs: 100
  maxRetries: 0
apps:
  - name: main
    appId: ${app.id}
    listen: { host: 127.0.0.1, port: 0 }
    usernameFormat: { suffix: '@corp.example.com' }${client}
    timeouts: { totalRequestMs: 20000, pushMs: 10000 }
  - name: shortpush
    listen: { host: 127.0.0.1, port: 0 }
    usernameFormat: { suffix: '@corp.example.com' }${client}
    timeouts: { totalRequestMs: 2500, pushMs: 1000 }
logging: { level: info }
`,
    );
    child = spawn(process.execPath, ['bin/radius-mfa-agent.js', '--config', configPath], {
      cwd: ROOT,
      env: { ...process.env, OKTA_API_TOKEN: token, RADIUS_SECRET: SECRET },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    await until(
      () => {
        for (const line of stdout.split('\n')) {
          if (!line.startsWith('{')) continue;
          const l = JSON.parse(line) as { msg?: string; app?: string; port?: number };
          if (l.msg === 'listening' && l.app && l.port) ports[l.app] = l.port;
        }
        return ports.main && ports.shortpush ? true : undefined;
      },
      'the agent to log one listening line per app',
      15_000,
    );
  });

  after(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await until(() => (child.exitCode === null ? undefined : true), 'the agent to exit', 10_000).catch(() => child.kill('SIGKILL'));
    }
    await okta?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('--check validates: 0 for a valid file, 2 with the key path for an invalid one', () => {
    const good = runCheck(configPath, { OKTA_API_TOKEN: 't', RADIUS_SECRET: 'a-long-enough-shared-secret' });
    assert.equal(good.status, 0, good.stderr);
    assert.match(good.stdout, /configuration OK: main/);
    const missing = runCheck(configPath, { OKTA_API_TOKEN: 't', RADIUS_SECRET: '' });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /CONFIG_INVALID: .*apps\[0\]\.clients\[0\]\.secret: the shared secret must not be empty/s);
  });

  it('Okta Verify TOTP: accept, then a wrong code is rejected', async () => {
    const ok = await radclient(ports.main!, SECRET, { 'User-Name': 'olga', 'User-Password': totpAt(secrets.ov!, Date.now()) });
    assert.equal(ok.code, 'Access-Accept');
    const bad = await radclient(ports.main!, SECRET, { 'User-Name': 'olga', 'User-Password': '000000' });
    assert.equal(bad.code, 'Access-Reject');
    assert.match(bad.replyMessage, /code is not valid/);
  });

  it('Google Authenticator: accept', async () => {
    const r = await radclient(ports.main!, SECRET, { 'User-Name': 'gina', 'User-Password': totpAt(secrets.ga!, Date.now()) });
    assert.equal(r.code, 'Access-Accept');
  });

  it('SMS two-step: SMS is rejected with where the code went, the code then signs in', async () => {
    const before = delivery.codes.length;
    const first = await radclient(ports.main!, SECRET, { 'User-Name': 'alice', 'User-Password': 'sms' });
    assert.equal(first.code, 'Access-Reject');
    assert.match(first.replyMessage, /A code was sent by SMS to \+1 XXX-XXX-1234/);
    const sms = await until(() => delivery.codes[before], 'the SMS');
    const second = await radclient(ports.main!, SECRET, { 'User-Name': 'alice', 'User-Password': sms.code });
    assert.equal(second.code, 'Access-Accept');
  });

  it('push approved on the phone: accept', async () => {
    const before = delivery.pushes.length;
    const pending = radclient(ports.main!, SECRET, { 'User-Name': 'alice', 'User-Password': 'PUSH' });
    const push = await until(() => delivery.pushes[before], 'the push');
    org.answerPush(push.transactionId, 'APPROVE');
    assert.equal((await pending).code, 'Access-Accept');
  });

  it('push denied on the phone: reject saying so', async () => {
    const before = delivery.pushes.length;
    const pending = radclient(ports.main!, SECRET, { 'User-Name': 'alice', 'User-Password': 'push' });
    const push = await until(() => delivery.pushes[before], 'the push');
    org.answerPush(push.transactionId, 'REJECT');
    const r = await pending;
    assert.equal(r.code, 'Access-Reject');
    assert.match(r.replyMessage, /denied/);
  });

  it('push ignored: reject after the (short) push timeout', async () => {
    const r = await radclient(ports.shortpush!, SECRET, { 'User-Name': 'alice', 'User-Password': 'push' });
    assert.equal(r.code, 'Access-Reject');
    assert.match(r.replyMessage, /not answered in time/);
  });

  it('Duo passcode: accept; a keyword is refused with a reason', async () => {
    assert.equal((await radclient(ports.main!, SECRET, { 'User-Name': 'dan', 'User-Password': '7654321' })).code, 'Access-Accept');
    const kw = await radclient(ports.main!, SECRET, { 'User-Name': 'dan', 'User-Password': 'push' });
    assert.equal(kw.code, 'Access-Reject');
    assert.match(kw.replyMessage, /Duo passcode/);
  });

  it('a wrong shared secret gets no answer', async () => {
    const r = await radclient(ports.main!, 'not-the-secret', { 'User-Name': 'olga', 'User-Password': '123456' }, { timeoutS: 1 });
    assert.equal(r.code, null);
  });

  it('a request without Message-Authenticator is dropped', async () => {
    const r = await radclient(ports.main!, SECRET, { 'User-Name': 'olga', 'User-Password': '123456' }, { messageAuthenticator: false, timeoutS: 1 });
    assert.equal(r.code, null);
  });

  it('a duplicate (same bytes twice) gets the same reply bytes and makes one Okta verify call', async () => {
    const sock = new TestRadiusSocket({ address: '127.0.0.1', port: ports.main! });
    try {
      // A step ahead of the code used above, so it is not a replay.
      const code = totpAt(secrets.ov!, Date.now() + 30_000);
      const bytes = buildAccessRequest({ userName: 'olga', password: code, secret: SECRET, identifier: 77 });
      const verifies = () => org.events.ofType('user.authentication.auth_via_mfa').length;
      const before = verifies();
      await sock.send(bytes);
      const first = await sock.nextRaw();
      await sock.send(bytes);
      const second = await sock.nextRaw();
      assert.ok(first && second, 'both transmissions answered');
      assert.equal(first[0], 2, 'Access-Accept');
      assert.deepEqual(second, first);
      assert.equal(verifies() - before, 1);
    } finally {
      sock.close();
    }
  });

  it('SIGTERM stops the agent cleanly', async () => {
    child.kill('SIGTERM');
    const code = await until(() => (child.exitCode === null ? undefined : child.exitCode), 'the agent to exit', 10_000);
    assert.equal(code, 0);
    assert.match(stdout, /"msg":"stopped"/);
    for (const s of [SECRET, token]) assert.ok(!stdout.includes(s), 'no secret or token in the agent output');
  });
});
