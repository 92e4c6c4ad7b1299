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
    assert.match(e.reason, new RegExp(`^nothing (listens|answers) at 127\\.0\\.0\\.1:${port}`));
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
      message: `nothing answers at 127.0.0.1:${silent.address().port} (no reply to Status-Server within 0.4 s)`,
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
    assert.deepEqual([...driver.profile.capabilities], ['status-server', 'proxy-state']);
    const agent = await driver.start({} as never);
    assert.deepEqual(agent.endpoint, { host: '127.0.0.1', port });
    assert.equal(agent.secret, secret);
    assert.equal(agent.onVirtualClock, false);
    const wrong = profile('wrong', `name: wrong\nhost: 127.0.0.1\nport: ${port}\nsecret: another-secret\nprobe: access-request\nprobeTimeoutMs: 300\n`);
    await assert.rejects(createTarget({ profile: wrong }), /answers, but its replies don't verify with the configured shared secret/);
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
  assert.throws(() => readExternalProfile(env, {}), /secretEnv names RMH_NOT_SET_ANYWHERE, but that environment variable is empty/);
});
