import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
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

/** radclient, asynchronously: FreeRADIUS asks this process (the labPassword answerer) while radclient waits. */
function radclient(kind: 'auth' | 'status', input: string): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('radclient', ['-x', '-r', '1', '-t', '2', `127.0.0.1:${agent.endpoint.port}`, kind, SECRET], { timeout: 10_000 });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.on('close', (status) => resolve({ status, out }));
    child.stdin.end(input);
  });
}

test('the profile offers RADIUS hygiene and the lab codes (through labPassword), nothing that needs Okta', { skip }, () => {
  assert.deepEqual([...driver.profile.capabilities].sort(), [
    'client-allow-list',
    'duplicate-cache',
    'lab-codes',
    'message-authenticator',
    'proxy-state',
    'requires-message-authenticator',
    'status-server',
    'two-client-addresses',
  ]);
  assert.ok(agent.endpoint.port > 1024);
  assert.equal(agent.onVirtualClock, false);
});

test('it answers Status-Server and PAP requests from radclient, copying Proxy-State in order', { skip }, async () => {
  const status = await radclient('status', 'Message-Authenticator = 0x00\n');
  assert.match(status.out, /Received Access-Accept/);
  const alice = FREERADIUS_USERS[0]!;
  const ok = await radclient('auth', `User-Name = ${alice.user}\nUser-Password = ${alice.password}\nProxy-State = 0x01\nProxy-State = 0x02\n`);
  assert.match(ok.out, /Received Access-Accept[^\n]*\n\tProxy-State = 0x01\n\tProxy-State = 0x02/);
  const wrong = await radclient('auth', `User-Name = ${alice.user}\nUser-Password = 000000\n`);
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

test("users whose passwords the lab sends: FreeRADIUS asks labPassword per request, accepts, caches and copies Proxy-State on the Accept", { skip }, async () => {
  let code = '314159';
  const asked: string[] = [];
  const lab = {
    ...spec,
    labPassword: (userName: string) => {
      asked.push(userName);
      return userName === 'CORP\\carol' || userName === 'carol' ? code : undefined;
    },
  } as AgentSpec;
  const running = await driver.start(lab);
  const accept = await radclient('auth', `User-Name = carol\nUser-Password = ${code}\nProxy-State = 0x0a\nProxy-State = 0x0b\n`);
  assert.match(accept.out, /Received Access-Accept[^\n]*\n\tProxy-State = 0x0a\n\tProxy-State = 0x0b/);
  assert.ok(asked.includes('carol'), 'FreeRADIUS asked the lab for carol');
  // The lab's code moves on (30 s of lab time): the old code is refused, the new one accepted — asked at request time.
  const old = code;
  code = '271828';
  assert.match((await radclient('auth', `User-Name = carol\nUser-Password = ${old}\n`)).out, /Received Access-Reject/);
  assert.match((await radclient('auth', `User-Name = carol\nUser-Password = ${code}\n`)).out, /Received Access-Accept/);
  // A down-level name reaches the lab as sent (FreeRADIUS's xlat quotes it into the URL; the answerer decodes it).
  assert.match((await radclient('auth', `User-Name = "CORP\\\\carol"\nUser-Password = ${code}\n`)).out, /Received Access-Accept/);
  assert.match((await radclient('auth', `User-Name = nobody\nUser-Password = ${code}\n`)).out, /Received Access-Reject/);

  // A retransmission of an accepted request (same source port, identifier, authenticator) gets the cached, identical Accept.
  const { createSocket } = await import('node:dgram');
  const { encodeRequest } = await import('../../agent/src/radius/codec.ts');
  const { attr } = await import('../../agent/src/radius/packet.ts');
  const request = encodeRequest(
    { code: 1, identifier: 99, attributes: [attr.text('User-Name', 'carol'), attr.octets('Proxy-State', 'p1')], userPassword: code, messageAuthenticator: 'first' },
    SECRET,
  );
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.2', () => r()));
  try {
    const replies: Buffer[] = [];
    socket.on('message', (m) => replies.push(m));
    const askedBefore = asked.length;
    for (let i = 0; i < 2; i++) {
      socket.send(request, running.endpoint.port, '127.0.0.1');
      const until = Date.now() + 2000;
      while (replies.length <= i && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(replies.length, 2, 'both copies answered');
    assert.equal(replies[0]![0], 2, 'Access-Accept');
    assert.ok(replies[1]!.equals(replies[0]!), 'the retransmission got the byte-identical cached reply');
    assert.equal(asked.length - askedBefore, 1, 'the lab was asked once: the second copy came from the duplicate cache');
  } finally {
    socket.close();
  }
});
