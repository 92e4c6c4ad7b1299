import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateSync } from 'otplib';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { ldapBindCheck } from '../directory/bind-client.ts';
import { ENROLMENT_SETTLE_MS, Lab } from './lab.ts';
import { loadSeedFile, type SeedInput } from './seed.ts';

const EXAMPLE = fileURLToPath(new URL('./examples/workspaces.yaml', import.meta.url));
const BOB_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

function hasOathtool(): boolean {
  try {
    execFileSync('oathtool', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('the example seed builds one world: org, app, users, statuses, factors enrolled for real', async () => {
  const lab = await Lab.fromFile(EXAMPLE);
  assert.equal(lab.clock.now(), Date.parse('2026-01-05T09:00:00Z') + ENROLMENT_SETTLE_MS);
  assert.equal(lab.app.label, 'Amazon WorkSpaces');
  assert.ok(lab.org.isAuthorized(`SSWS ${lab.apiToken}`));
  const status = (login: string) => lab.org.getUser(login)?.status;
  assert.equal(status('alice@corp.example.com'), 'ACTIVE');
  assert.equal(status('grace@corp.example.com'), 'SUSPENDED');
  assert.equal(status('olivia@corp.example.com'), undefined, 'AD-only user');
  assert.equal(lab.org.isAssigned(lab.app.id, lab.org.getUser('alice@corp.example.com')!.id), true);
  assert.equal(lab.org.isAssigned(lab.app.id, lab.org.getUser('mallory@corp.example.com')!.id), false);

  const factorsOf = (login: string) => lab.org.listFactors(lab.org.getUser(login)!.id).map((f) => `${f.factorType}/${f.provider}/${f.status}`).sort();
  assert.deepEqual(factorsOf('alice@corp.example.com'), ['push/OKTA/ACTIVE', 'token:software:totp/OKTA/ACTIVE']);
  assert.deepEqual(factorsOf('bob@corp.example.com'), ['sms/OKTA/ACTIVE', 'token:software:totp/GOOGLE/ACTIVE']);
  assert.deepEqual(factorsOf('carol@corp.example.com'), ['web/DUO/ACTIVE']);
  assert.deepEqual(factorsOf('peggy@corp.example.com'), ['push/OKTA/PENDING_ACTIVATION']);
  assert.equal(lab.org.getGroup('WorkSpaces Users')!.members.size, 6);

  const frank = lab.user('frank');
  assert.deepEqual(frank.factors.map((f) => f.deviceId), ['ov-frank-iphone', 'ov-frank-ipad']);
  assert.equal(lab.network.phone('peggy-phone')!.online, false);
  assert.deepEqual(lab.user('BOB').phones, ['bob-pixel']);
  assert.throws(() => lab.user('zed'), { code: 'LAB_UNKNOWN_USER' });
});

test('codes from the virtual devices are accepted by the org (TOTP, Okta Verify TOTP, Duo)', async () => {
  const lab = await Lab.fromFile(EXAMPLE);
  const verify = (login: string, type: string, provider: string, passCode: string) => {
    const u = lab.org.getUser(login)!;
    const f = lab.org.listFactors(u.id).find((x) => x.factorType === type && x.provider === provider)!;
    return lab.org.verifyFactor(u.id, f.id, { passCode }).result;
  };
  const bobPhone = lab.network.phone('bob-pixel')!;
  assert.equal(bobPhone.googleAuthenticator!.currentCode(), generateSync({ secret: BOB_SECRET, epoch: lab.clock.now() / 1000 }));
  // The previous step is usable too: enrolment's step is two steps back by now.
  assert.equal(verify('bob@corp.example.com', 'token:software:totp', 'GOOGLE', bobPhone.googleAuthenticator!.previousCode()), 'SUCCESS');
  await lab.clock.advance(30_000);
  assert.equal(verify('bob@corp.example.com', 'token:software:totp', 'GOOGLE', '000000'), 'INVALID');
  const alice = lab.network.phone('alice-iphone')!.oktaVerify!;
  assert.equal(verify('alice@corp.example.com', 'token:software:totp', 'OKTA', alice.currentCode()), 'SUCCESS');
  assert.equal(verify('carol@corp.example.com', 'web', 'DUO', lab.network.phone('carol-phone')!.duoMobile!.currentPasscode()), 'SUCCESS');
});

test('an independent tool (oathtool) computes the seeded user\'s code', { skip: !hasOathtool() && 'oathtool not installed' }, async () => {
  const lab = await Lab.fromFile(EXAMPLE);
  const at = new Date(lab.clock.now()).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  const code = execFileSync('oathtool', ['--totp', '-b', `--now=${at}`, BOB_SECRET], { encoding: 'utf8' }).trim();
  assert.equal(lab.network.phone('bob-pixel')!.googleAuthenticator!.currentCode(), code);
});

test('pushes, SMS, calls and email flow from the org to the seeded devices', async () => {
  const lab = await Lab.fromFile(EXAMPLE);
  const org = lab.org;
  const frank = org.getUser('frank@corp.example.com')!;
  const [iphone, ipad] = lab.user('frank').factors;
  const w1 = org.verifyFactor(frank.id, iphone!.factorId);
  const w2 = org.verifyFactor(frank.id, ipad!.factorId);
  assert.ok(w1.result === 'WAITING' && w2.result === 'WAITING');
  await lab.network.idle();
  assert.equal(org.getPushTransaction(frank.id, ipad!.factorId, w2.transaction.id).status, 'REJECTED', 'the iPad denies at once');
  assert.equal(org.getPushTransaction(frank.id, iphone!.factorId, w1.transaction.id).status, 'WAITING');
  await lab.clock.advance(5_000);
  assert.equal(org.getPushTransaction(frank.id, iphone!.factorId, w1.transaction.id).status, 'SUCCESS', 'the iPhone approves after 5 s');

  const bob = org.getUser('bob@corp.example.com')!;
  const sms = lab.user('bob').factors.find((f) => f.type === 'sms')!;
  assert.equal(org.verifyFactor(bob.id, sms.factorId).result, 'CHALLENGE');
  const code = lab.network.latestCode('bob@corp.example.com', 'sms')!;
  assert.equal(org.verifyFactor(bob.id, sms.factorId, { passCode: code }).result, 'SUCCESS');

  const dave = org.getUser('dave@corp.example.com')!;
  org.verifyFactor(dave.id, lab.user('dave').factors[0]!.factorId);
  assert.match(lab.network.callsFor('dave@corp.example.com').at(-1)!.text, /verification code/);

  const erin = org.getUser('erin@corp.example.com')!;
  org.verifyFactor(erin.id, lab.user('erin').factors[0]!.factorId);
  assert.equal(lab.network.emailsFor('erin@corp.example.com').length, 2, 'activation email, then the challenge');
});

test('the directory holds the AD accounts in their states', async () => {
  const lab = await Lab.fromFile(EXAMPLE);
  const bind = (name: string, pw: string) => {
    const r = lab.directory.bind(name, pw);
    return r.kind === 'invalid' ? r.adData : r.kind;
  };
  assert.equal(bind('CORP\\alice', 'Alice-Lab-Pass-1'), 'ok');
  assert.equal(bind('alice@corp.example.com', 'Alice-Lab-Pass-1'), 'ok');
  assert.equal(bind('CORP\\alice', 'wrong'), '52e');
  assert.equal(bind('CORP\\henry', 'Henry-Lab-Pass-8'), '775');
  assert.equal(bind('CORP\\ivan', 'Ivan-Lab-Pass-9'), '533');
  assert.equal(bind('CORP\\judy', 'Judy-Lab-Pass-10'), '773');
  assert.equal(bind('CORP\\olivia', 'Olivia-Lab-Pass-13'), 'ok');
  assert.equal(bind('CORP\\peggy', 'Peggy-Lab-Pass-12'), 'ok');
  const search = lab.directory.list().find((e) => e.sAMAccountName === 'alice');
  assert.equal(search?.dn, 'CN=Alice Archer,CN=Users,DC=corp,DC=example,DC=com');
});

test('same seed, same world: ids and secrets are derived, not random', async () => {
  const a = await Lab.fromFile(EXAMPLE);
  const b = await Lab.fromFile(EXAMPLE);
  assert.deepEqual(a.users(), b.users());
  assert.equal(a.network.phone('alice-iphone')!.oktaVerify!.currentCode(), b.network.phone('alice-iphone')!.oktaVerify!.currentCode());
  const seed = await loadSeedFile(EXAMPLE);
  const c = await Lab.fromSeed({ ...seed, seed: 'another-world' });
  assert.notEqual(
    [0, 1, 2].map((n) => a.network.phone('alice-iphone')!.oktaVerify!.code(undefined, n)).join(),
    [0, 1, 2].map((n) => c.network.phone('alice-iphone')!.oktaVerify!.code(undefined, n)).join(),
  );
});

test('a lab can share a clock it is given', async () => {
  const clock = new VirtualClock(Date.UTC(2030, 0, 1));
  const seed: SeedInput = {
    org: { name: 'Tiny' },
    users: [{ login: 'x@t.example', password: 'p', phones: [{ name: 'x', number: '+15555550100', pushBehaviour: 'approve' }], factors: [{ type: 'push' }] }],
  };
  const lab = await Lab.fromSeed(seed, { clock });
  assert.equal(lab.clock, clock);
  assert.equal(clock.now(), Date.UTC(2030, 0, 1) + ENROLMENT_SETTLE_MS);
});

test('start serves Okta, LDAP and the control API; stop closes them all', async () => {
  const lab = await Lab.fromFile(EXAMPLE);
  const ep = await lab.start();
  try {
    assert.match(ep.okta.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${ep.okta.baseUrl}/api/v1/users/alice@corp.example.com`, { headers: { authorization: `SSWS ${ep.okta.apiToken}` } });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { status: string }).status, 'ACTIVE');
    const r = await ldapBindCheck({ url: ep.ldap.url, username: 'ivan', domain: ep.ldap.domain, password: 'Ivan-Lab-Pass-9', timeoutMs: 5000 });
    assert.equal(r.ok ? 'ok' : r.adData, '533');
    const clock = await (await fetch(`${ep.control.url}/clock`, { headers: { authorization: `Bearer ${ep.control.token}` } })).json();
    assert.deepEqual(clock, { kind: 'virtual', now: ep.clock.now, epochMs: lab.clock.now() });
    assert.equal((await fetch(`${ep.control.url}/clock`)).status, 401, 'the control API needs its token');
    await assert.rejects(lab.start(), { code: 'LAB_ALREADY_STARTED' });
  } finally {
    await lab.stop();
  }
  await assert.rejects(fetch(`${ep.okta.baseUrl}/api/v1/users/x`));
  await assert.rejects(fetch(`${ep.control.url}/clock`));
  assert.equal(lab.endpoints, undefined);
  await lab.stop();
});

test('account changes made before start() are what LDAP clients see; a fixed API token is kept', async () => {
  const seed = await loadSeedFile(EXAMPLE);
  seed.org.apiToken = { name: 'fixed', value: '00fixed-token-for-a-real-agent-0001' };
  const lab = await Lab.fromSeed(seed);
  lab.directory.disable('alice');
  const ep = await lab.start();
  try {
    assert.equal(ep.okta.apiToken, '00fixed-token-for-a-real-agent-0001');
    const r = await ldapBindCheck({ url: ep.ldap.url, username: 'alice', domain: ep.ldap.domain, password: 'Alice-Lab-Pass-1', timeoutMs: 5000 });
    assert.equal(r.ok ? 'ok' : r.adData, '533');
  } finally {
    await lab.stop();
  }
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('if one server cannot start, the ones already started are stopped: nothing half-started', async () => {
  const lab = await Lab.fromFile(EXAMPLE);
  const blocker: Server = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const busy = (blocker.address() as { port: number }).port;
  const okta = await freePort();
  const ldap = await freePort();
  try {
    await assert.rejects(lab.start({ ports: { okta, ldap, control: busy } }), { code: 'LAB_START_FAILED', message: /nothing was left running/ });
    assert.equal(lab.endpoints, undefined);
    await assert.rejects(fetch(`http://127.0.0.1:${okta}/api/v1/users/x`));
    // The same ports are free again: a second attempt with a free control port starts.
    const ep = await lab.start({ ports: { okta, ldap } });
    assert.equal(ep.okta.baseUrl, `http://127.0.0.1:${okta}`);
    assert.equal(ep.ldap.url, `ldap://127.0.0.1:${ldap}`);
  } finally {
    await lab.stop();
    await new Promise<void>((r) => blocker.close(() => r()));
  }
});

test('a real-time lab reads the wall clock after enrolment; its codes are the wall-time codes and its rate-limit windows reset', async () => {
  const lab = await Lab.fromFile(EXAMPLE, { clockKind: 'real-time' });
  assert.equal(lab.clock.kind, 'real-time');
  assert.ok(Math.abs(lab.clock.now() - Date.now()) < 1_000, 'the settle period was spent before now, not ahead of it');
  const bob = lab.network.phone('bob-pixel')!;
  assert.equal(bob.googleAuthenticator!.currentCode(), generateSync({ secret: BOB_SECRET, epoch: Math.floor(Date.now() / 1000) }));

  // The rate limiter's windows run on the lab clock: with real time they reset as time passes.
  lab.org.setRateLimit({ limit: 2, windowMs: 300 });
  const take = () => lab.org.rateLimiter.take(lab.org.now()).exceeded;
  // Start at the beginning of a window so the three calls below fall into one.
  await new Promise((r) => setTimeout(r, 300 - (lab.clock.now() % 300) + 5));
  assert.deepEqual([take(), take(), take()], [false, false, true]);
  await new Promise((r) => setTimeout(r, 320));
  assert.equal(take(), false, 'a new window: no stale 429');
  assert.equal(take(), false);
  assert.equal(take(), true);
  await lab.clock.advance(300);
  assert.equal(take(), false, 'advancing the clock opens a new window too');
});

test('a served real-time lab: the control API says so and still moves the clock forward (ahead of the wall clock)', async () => {
  const lab = await Lab.fromFile(EXAMPLE, { clockKind: 'real-time' });
  const ep = await lab.start({ tls: false });
  try {
    assert.deepEqual(ep.clock.kind, 'real-time');
    assert.equal(ep.okta.httpsUrl, undefined);
    const auth = { authorization: `Bearer ${ep.control.token}` };
    const before = (await (await fetch(`${ep.control.url}/clock`, { headers: auth })).json()) as { kind: string; aheadOfWallMs: number };
    assert.deepEqual([before.kind, before.aheadOfWallMs], ['real-time', 0]);
    const moved = (await (await fetch(`${ep.control.url}/clock/advance`, { method: 'POST', headers: auth, body: '{"seconds":30}' })).json()) as {
      epochMs: number;
      aheadOfWallMs: number;
    };
    assert.equal(moved.aheadOfWallMs, 30_000);
    assert.ok(Math.abs(moved.epochMs - (Date.now() + 30_000)) < 1_000);
    const code = (await (await fetch(`${ep.control.url}/users/bob/totp?app=google-authenticator`, { headers: auth })).json()) as { code: string };
    assert.equal(code.code, generateSync({ secret: BOB_SECRET, epoch: Math.floor((Date.now() + 30_000) / 1000) }), 'codes follow the moved clock');
  } finally {
    await lab.stop();
  }
});

test('on a real-time lab, push expiry and one-time-code lifetimes run on the lab clock too', async () => {
  const lab = await Lab.fromFile(EXAMPLE, { clockKind: 'real-time' });
  const alice = lab.user('alice');
  const push = alice.factors.find((f) => f.type === 'push')!;
  const waiting = lab.org.verifyFactor(alice.oktaUserId!, push.factorId);
  assert.equal(waiting.result, 'WAITING');
  const tx = (waiting as { transaction: { id: string } }).transaction.id;
  await lab.clock.advance(4 * 60_000);
  assert.equal(lab.org.getPushTransaction(alice.oktaUserId!, push.factorId, tx).status, 'WAITING');
  await lab.clock.advance(60_000);
  assert.equal(lab.org.getPushTransaction(alice.oktaUserId!, push.factorId, tx).status, 'TIMEOUT', 'expired after 5 min of lab time');

  const bob = lab.user('bob');
  const sms = bob.factors.find((f) => f.type === 'sms')!;
  assert.equal(lab.org.verifyFactor(bob.oktaUserId!, sms.factorId).result, 'CHALLENGE');
  const code = lab.network.latestCode(bob.login, 'sms')!;
  await lab.clock.advance(5 * 60_000);
  assert.equal(lab.org.verifyFactor(bob.oktaUserId!, sms.factorId, { passCode: code }).result, 'EXPIRED');
});
