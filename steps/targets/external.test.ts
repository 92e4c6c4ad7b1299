import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { encodeResponse } from '../../agent/src/radius/codec.ts';
import { createTarget, readExternalProfile } from './external.ts';
import { TargetUnavailable } from './target.ts';

const dir = mkdtempSync(join(tmpdir(), 'rmh-external-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function profile(name: string, body: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, body);
  return file;
}

/** A UDP port on loopback with nothing behind it (bound, then released). */
async function deadPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('nothing listening: TargetUnavailable with one line, well within the probe timeout', async () => {
  const port = await deadPort();
  const file = profile('dead', `name: dead\nhost: 127.0.0.1\nport: ${port}\nsecret: s3cret-for-test\ncapabilities: [status-server]\n`);
  const t0 = performance.now();
  await assert.rejects(createTarget({ profile: file }), (e: unknown) => {
    assert.ok(e instanceof TargetUnavailable);
    assert.equal(e.reason.includes('\n'), false);
    assert.match(e.reason, new RegExp(`^EXTERNAL_(NOTHING_LISTENS|NO_REPLY): nothing (listens|answers) at 127\\.0\\.0\\.1:${port}`));
    assert.match(e.causeCode, /^EXTERNAL_(NOTHING_LISTENS|NO_REPLY)$/);
    assert.ok(e.hint);
    return true;
  });
  assert.ok(performance.now() - t0 < 3500, 'bounded by the 3 s probe timeout');
});

test('a silent server: "no reply to Status-Server within N s" after the bounded timeout', async () => {
  const silent = createSocket('udp4');
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
  try {
    const file = profile('silent', `name: silent\nhost: 127.0.0.1\nport: ${silent.address().port}\nsecret: s3cret-for-test\ncapabilities: [status-server]\nprobeTimeoutMs: 400\n`);
    const t0 = performance.now();
    await assert.rejects(createTarget({ profile: file }), {
      name: 'TargetUnavailable',
      causeCode: 'EXTERNAL_NO_REPLY',
      message: `EXTERNAL_NO_REPLY: nothing answers at 127.0.0.1:${silent.address().port} (no reply to Status-Server within 0.4 s) (probed from 127.0.0.1) — check the secret and the agent's client list (is it running, and does it accept requests from the probe's source address?)`,
    });
    const took = performance.now() - t0;
    assert.ok(took >= 350 && took < 1500, `took ${took} ms`);
  } finally {
    silent.close();
  }
});

test('a server that answers is usable; one with another secret is named as such', async () => {
  const server = createSocket('udp4');
  const secret = 'right-secret-123';
  server.on('message', (msg, rinfo) => {
    const reply = encodeResponse({ code: 2 }, { identifier: msg[1]!, authenticator: msg.subarray(4, 20) }, secret);
    server.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => server.bind(0, '127.0.0.1', () => r()));
  try {
    const port = server.address().port;
    const good = profile('good', `name: lab-agent\nhost: 127.0.0.1\nport: ${port}\nsecretEnv: RMH_TEST_SECRET\ncapabilities: [status-server, proxy-state]\n`);
    process.env.RMH_TEST_SECRET = secret;
    const driver = await createTarget({ profile: good });
    assert.equal(driver.profile.name, 'external:lab-agent');
    // The profile's, plus two-client-addresses: toward 127.0.0.1 the run sends from 127.0.0.1 and 127.0.0.2.
    assert.deepEqual([...driver.profile.capabilities], ['status-server', 'proxy-state', 'two-client-addresses']);
    const agent = await driver.start({} as never);
    assert.deepEqual(agent.endpoint, { host: '127.0.0.1', port });
    assert.equal(agent.secret, secret);
    assert.equal(agent.onVirtualClock, false);
    const wrong = profile('wrong', `name: wrong\nhost: 127.0.0.1\nport: ${port}\nsecret: another-secret\nprobe: access-request\nprobeTimeoutMs: 300\n`);
    await assert.rejects(createTarget({ profile: wrong }), (e: unknown) => {
      assert.ok(e instanceof TargetUnavailable);
      assert.equal(e.causeCode, 'EXTERNAL_WRONG_SECRET');
      assert.match(e.reason, /^EXTERNAL_WRONG_SECRET: .*answers, but its replies don't verify with the configured shared secret.* — check the secret and the agent's client list/);
      return true;
    });
  } finally {
    delete process.env.RMH_TEST_SECRET;
    server.close();
  }
});

test('profile errors name the file and the field', () => {
  const bad = profile('bad', 'name: x\nhost: 127.0.0.1\nport: 99999\nsecret: s\n');
  assert.throws(() => readExternalProfile(bad), new RegExp(`${bad.replace(/[.]/g, '\\.')}: port: `));
  const cap = profile('cap', 'name: x\nhost: 127.0.0.1\nport: 1812\nsecret: s\ncapabilities: [teleport]\n');
  assert.throws(() => readExternalProfile(cap), /capabilities\.0: /);
  const env = profile('env', 'name: x\nhost: 127.0.0.1\nport: 1812\nsecretEnv: RMH_NOT_SET_ANYWHERE\n');
  assert.throws(() => readExternalProfile(env, {}), { code: 'EXTERNAL_SECRET_MISSING', message: /secretEnv names RMH_NOT_SET_ANYWHERE, but that environment variable is empty/ });
  assert.throws(() => readExternalProfile(join(dir, 'absent.yaml')), { code: 'EXTERNAL_PROFILE_INVALID', message: /does not exist/ });
  assert.throws(() => readExternalProfile(bad), { code: 'EXTERNAL_PROFILE_INVALID' });
});

test('each way a profile is unusable is a TargetUnavailable with its own stable code, at once', async () => {
  const cases: Array<[string | undefined, string]> = [
    [undefined, 'EXTERNAL_PROFILE_MISSING'],
    [profile('yaml', 'name: [unclosed\n'), 'EXTERNAL_PROFILE_INVALID'],
    [profile('port', 'name: x\nhost: 127.0.0.1\nport: 0\nsecret: s\n'), 'EXTERNAL_PROFILE_INVALID'],
    [profile('noenv', 'name: x\nhost: 127.0.0.1\nport: 1812\nsecretEnv: RMH_NOT_SET_ANYWHERE\n'), 'EXTERNAL_SECRET_MISSING'],
    [profile('nosecret', 'name: x\nhost: 127.0.0.1\nport: 1812\n'), 'EXTERNAL_SECRET_MISSING'],
  ];
  const saved = process.env.RMH_PROFILE;
  delete process.env.RMH_PROFILE;
  try {
    for (const [file, code] of cases) {
      const t0 = performance.now();
      await assert.rejects(createTarget(file === undefined ? {} : { profile: file }), (e: unknown) => {
        assert.ok(e instanceof TargetUnavailable, String(e));
        assert.equal(e.causeCode, code, e.message);
        assert.ok(e.reason.startsWith(`${code}: `), e.reason);
        assert.equal(e.code, 'TARGET_UNAVAILABLE');
        return true;
      });
      assert.ok(performance.now() - t0 < 200, `${code} without waiting for a probe`);
    }
  } finally {
    if (saved !== undefined) process.env.RMH_PROFILE = saved;
  }
});

test('the reference agent listening on ::1 is reached over IPv6; a wrong secret there is named within seconds', async (t) => {
  const { createAgent } = await import('../../agent/src/index.ts');
  const secret = 'ipv6-secret-123';
  const agent = createAgent({
    config: {
      okta: { orgUrl: 'https://unused.okta.example', apiToken: 'unused' },
      apps: [{ name: 'v6', listen: { host: '::1', port: 0 }, clients: [{ name: 'v6-lab', address: '::1', secret }] }],
      logging: { level: 'silent' },
    },
  });
  let endpoint: { address: string; port: number } | undefined;
  try {
    endpoint = (await agent.start())[0]?.endpoint;
  } catch (e) {
    t.skip(`this machine has no IPv6 loopback: ${(e as Error).message}`);
    return;
  }
  assert.ok(endpoint, 'the agent listens');
  try {
    const good = profile('v6', `name: v6\nhost: "::1"\nport: ${endpoint.port}\nsecret: ${secret}\ncapabilities: [status-server]\nprobeTimeoutMs: 2000\n`);
    const driver = await createTarget({ profile: good });
    const running = await driver.start({} as never);
    assert.deepEqual(running.endpoint, { host: '::1', port: endpoint.port });
    const wrong = profile('v6-wrong', `name: v6\nhost: "::1"\nport: ${endpoint.port}\nsecret: not-the-secret\ncapabilities: [status-server]\nprobeTimeoutMs: 1000\n`);
    const t0 = performance.now();
    // The reference agent drops a request whose Message-Authenticator fails: silence, with the hint to check the secret.
    await assert.rejects(createTarget({ profile: wrong }), { causeCode: 'EXTERNAL_NO_REPLY', message: /check the secret and the agent's client list/ });
    assert.ok(performance.now() - t0 < 2000);
  } finally {
    await agent.stop();
  }
});
