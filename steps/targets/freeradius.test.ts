import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { FREERADIUS_USERS, createTarget } from './freeradius.ts';
import { probeRadius } from './radius-probe.ts';
import type { AgentSpec, AgentUnderTest, TargetDriver } from './target.ts';

const installed = spawnSync('freeradius', ['-v'], { stdio: 'ignore' }).status === 0 && spawnSync('radclient', ['-h'], { stdio: 'ignore' }).error === undefined;
const skip = installed ? false : process.env.CI === 'true' ? false : 'freeradius / radclient not installed (apt-get install freeradius freeradius-utils); CI runs this';

const SECRET = 'fr-test-secret-42';
const spec = {
  clients: [
    { name: 'connector', address: '127.0.0.2', secret: SECRET, requireMessageAuthenticator: true },
    // radclient 3.2.1 can't choose its source address: it sends from 127.0.0.1.
    { name: 'radclient', address: '127.0.0.1', secret: SECRET, requireMessageAuthenticator: false },
  ],
} as unknown as AgentSpec;

let driver: TargetDriver;
let agent: AgentUnderTest;
before(async () => {
  if (skip) return;
  driver = await createTarget();
  agent = await driver.start(spec);
});
after(async () => {
  await driver?.close();
});

function radclient(kind: 'auth' | 'status', input: string): { status: number | null; out: string } {
  const r = spawnSync('radclient', ['-x', '-r', '1', '-t', '2', `127.0.0.1:${agent.endpoint.port}`, kind, SECRET], {
    input,
    encoding: 'utf8',
    timeout: 10_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

test('the profile offers RADIUS hygiene only', { skip }, () => {
  assert.deepEqual([...driver.profile.capabilities].sort(), ['duplicate-cache', 'message-authenticator', 'proxy-state', 'status-server']);
  assert.ok(agent.endpoint.port > 1024);
  assert.equal(agent.onVirtualClock, false);
});

test('it answers Status-Server and PAP requests from radclient, copying Proxy-State in order', { skip }, () => {
  const status = radclient('status', 'Message-Authenticator = 0x00\n');
  assert.match(status.out, /Received Access-Accept/);
  const alice = FREERADIUS_USERS[0]!;
  const ok = radclient('auth', `User-Name = ${alice.user}\nUser-Password = ${alice.password}\nProxy-State = 0x01\nProxy-State = 0x02\n`);
  assert.match(ok.out, /Received Access-Accept[^\n]*\n\tProxy-State = 0x01\n\tProxy-State = 0x02/);
  const wrong = radclient('auth', `User-Name = ${alice.user}\nUser-Password = 000000\n`);
  assert.match(wrong.out, /Received Access-Reject/);
});

test('it drops requests from a client that must send Message-Authenticator and did not', { skip }, async () => {
  const withMa = await probeRadius({ host: '127.0.0.1', port: agent.endpoint.port, secret: SECRET, kind: 'status-server', sourceAddress: '127.0.0.2', timeoutMs: 1000 });
  assert.equal(withMa.ok, true);
  const signed = await probeRadius({ host: '127.0.0.1', port: agent.endpoint.port, secret: SECRET, kind: 'access-request', sourceAddress: '127.0.0.2', timeoutMs: 1000 });
  assert.equal(signed.ok && signed.codeName, 'Access-Reject');
  const unsigned = await probeRadius({
    host: '127.0.0.1',
    port: agent.endpoint.port,
    secret: SECRET,
    kind: 'access-request',
    sourceAddress: '127.0.0.2',
    timeoutMs: 600,
    messageAuthenticator: false,
  });
  assert.equal(unsigned.ok, false);
  assert.match(unsigned.ok ? '' : unsigned.reason, /no reply to Access-Request/);
});

test('a second scenario with the same clients reuses the running server', { skip }, async () => {
  const again = await driver.start(spec);
  assert.equal(again.endpoint.port, agent.endpoint.port);
});
