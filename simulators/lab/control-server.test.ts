// The device-control API over real HTTP on loopback, against a lab served
// from the example seed; pushes are triggered through Okta's HTTP API as an
// agent would.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Lab, type LabEndpoints } from './lab.ts';

const EXAMPLE = fileURLToPath(new URL('./examples/workspaces.yaml', import.meta.url));
let lab: Lab;
let ep: LabEndpoints;

before(async () => {
  lab = await Lab.fromFile(EXAMPLE);
  ep = await lab.start();
});
after(() => lab.stop());

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${ep.control.url}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function okta(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${ep.okta.baseUrl}${path}`, {
    method,
    headers: { authorization: `SSWS ${ep.okta.apiToken}`, 'content-type': 'application/json', accept: 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return (await res.json()) as Record<string, unknown>;
}

test('GET /devices lists every phone with its apps, deviceIds and push behaviour', async () => {
  const { status, json } = await call('GET', '/devices');
  assert.equal(status, 200);
  const devices = json['devices'] as Array<{ name: string; apps: Array<{ kind: string; deviceId?: string; pushBehaviour?: string }> }>;
  const alice = devices.find((d) => d.name === 'alice-iphone')!;
  assert.deepEqual(alice.apps[0], { kind: 'okta-verify', deviceId: 'ov-alice-iphone', accounts: ['alice@corp.example.com'], pushBehaviour: 'ignore' });
  assert.equal(devices.find((d) => d.name === 'frank-iphone')!.apps[0]!.pushBehaviour, 'approve after 5s');
});

test('a push sent through Okta shows as pending, is approved through the API, and Okta reports SUCCESS', async () => {
  const alice = lab.user('alice');
  const push = alice.factors.find((f) => f.type === 'push')!;
  const verify = await okta('POST', `/api/v1/users/${alice.oktaUserId}/factors/${push.factorId}/verify`);
  assert.equal(verify['factorResult'], 'WAITING');
  const pending = await call('GET', '/users/alice/pushes');
  const pushes = pending.json['pushes'] as Array<{ transactionId: string; state: string }>;
  assert.equal(pushes.length, 1);
  assert.equal(pushes[0]!.state, 'pending');
  const answered = await call('POST', `/pushes/${pushes[0]!.transactionId}/approve`);
  assert.equal(answered.status, 200);
  assert.equal((answered.json['push'] as { state: string }).state, 'approved');
  const poll = ((verify['_links'] as Record<string, { href: string }>)['poll'] ?? { href: '' }).href;
  assert.ok(poll.startsWith(ep.okta.baseUrl), 'poll link points at the served org');
  const status = await okta('GET', new URL(poll).pathname);
  assert.equal(status['factorResult'], 'SUCCESS');
  assert.equal(((await call('GET', '/users/alice/pushes')).json['pushes'] as unknown[]).length, 0);
  assert.equal(((await call('GET', '/users/alice/pushes?all=1')).json['pushes'] as unknown[]).length, 1);
  const again = await call('POST', `/pushes/${pushes[0]!.transactionId}/deny`);
  assert.equal(again.status, 409);
  assert.equal((again.json['error'] as { code: string }).code, 'DEVICE_PUSH_NOT_PENDING');
});

test('inboxes: the SMS code Okta sent to Bob, Dave\'s call, Erin\'s email', async () => {
  const bob = lab.user('bob');
  const sms = bob.factors.find((f) => f.type === 'sms')!;
  const challenge = await okta('POST', `/api/v1/users/${bob.oktaUserId}/factors/${sms.factorId}/verify`);
  assert.equal(challenge['factorResult'], 'CHALLENGE');
  const inbox = await call('GET', '/users/bob@corp.example.com/sms');
  const messages = inbox.json['messages'] as Array<{ code: string; to: string }>;
  const latest = messages.at(-1)!;
  assert.equal(latest.to, '+15555550102');
  const verified = await okta('POST', `/api/v1/users/${bob.oktaUserId}/factors/${sms.factorId}/verify`, { passCode: latest.code });
  assert.equal(verified['factorResult'], 'SUCCESS');
  assert.equal(((await call('GET', '/users/dave/calls')).json['calls'] as unknown[]).length, 1, 'the activation call');
  assert.equal(((await call('GET', '/users/erin/emails')).json['emails'] as unknown[]).length, 1, 'the activation email');
});

test('GET /users/{login}/totp gives the code the app shows; several phones need ?phone=', async () => {
  const bob = await call('GET', '/users/bob/totp?app=google-authenticator');
  assert.equal(bob.status, 200);
  assert.equal(bob.json['code'], lab.network.phone('bob-pixel')!.googleAuthenticator!.currentCode());
  assert.equal(typeof bob.json['secondsRemaining'], 'number');
  const alice = await call('GET', '/users/alice/totp');
  assert.equal(alice.json['code'], lab.network.phone('alice-iphone')!.oktaVerify!.currentCode());
  const frank = await call('GET', '/users/frank/totp?app=okta-verify');
  assert.equal(frank.status, 409);
  assert.equal((frank.json['error'] as { code: string }).code, 'LAB_AMBIGUOUS_DEVICE');
  const ipad = await call('GET', '/users/frank/totp?app=okta-verify&phone=frank-ipad');
  assert.equal(ipad.json['phone'], 'frank-ipad');
  const duo = await call('GET', '/users/carol/totp?app=duo-mobile');
  assert.match(String(duo.json['code']), /^\d{6}$/);
  const none = await call('GET', '/users/bob/totp?app=okta-verify');
  assert.equal((none.json['error'] as { code: string }).code, 'LAB_NO_APP');
  const bad = await call('GET', '/users/bob/totp?app=authy');
  assert.equal(bad.status, 400);
});

test('clock: GET shows it, POST /clock/advance moves it and the devices\' codes with it', async () => {
  const before = (await call('GET', '/clock')).json;
  const code = (await call('GET', '/users/bob/totp?app=google-authenticator')).json['code'];
  const moved = await call('POST', '/clock/advance', { seconds: 30 });
  assert.equal(moved.status, 200);
  assert.equal(moved.json['epochMs'], (before['epochMs'] as number) + 30_000);
  assert.equal(moved.json['now'], new Date(moved.json['epochMs'] as number).toISOString());
  const later = (await call('GET', '/users/bob/totp?app=google-authenticator')).json;
  assert.notEqual(later['code'], code);
  assert.equal(later['previousCode'], code);
  for (const body of [{}, { seconds: -1 }, { seconds: 'ten' }, { seconds: 1e12 }]) {
    const r = await call('POST', '/clock/advance', body);
    assert.equal(r.status, 400);
    assert.equal((r.json['error'] as { code: string }).code, 'LAB_BAD_REQUEST');
  }
  const notJson = await fetch(`${ep.control.url}/clock/advance`, { method: 'POST', body: '{oops' });
  assert.equal(notJson.status, 400);
});

test('scripting a phone: push behaviour and offline through the API', async () => {
  const set = await call('PUT', '/devices/alice-iphone/push-behaviour', { behaviour: 'deny after 2s' });
  assert.equal(set.status, 200);
  const offline = await call('POST', '/devices/alice-iphone/offline');
  assert.equal((offline.json as { online: boolean }).online, false);
  const alice = lab.user('alice');
  const push = alice.factors.find((f) => f.type === 'push')!;
  await okta('POST', `/api/v1/users/${alice.oktaUserId}/factors/${push.factorId}/verify`);
  assert.equal(((await call('GET', '/users/alice/pushes')).json['pushes'] as unknown[]).length, 0, 'offline: nothing on screen');
  await call('POST', '/devices/alice-iphone/online');
  await call('POST', '/clock/advance', { seconds: 2 });
  const all = (await call('GET', '/users/alice/pushes?all=1')).json['pushes'] as Array<{ state: string }>;
  assert.equal(all.at(-1)!.state, 'denied');
  const bad = await call('PUT', '/devices/alice-iphone/push-behaviour', { behaviour: 'maybe' });
  assert.equal((bad.json['error'] as { code: string }).code, 'DEVICE_BAD_PUSH_BEHAVIOUR');
});

test('clear JSON errors with stable codes for unknown users, transactions, devices and routes', async () => {
  const cases: Array<[string, string, number, string]> = [
    ['GET', '/users/nobody/pushes', 404, 'LAB_UNKNOWN_USER'],
    ['GET', '/users/nobody/sms', 404, 'LAB_UNKNOWN_USER'],
    ['POST', '/pushes/v2mst.nope/approve', 404, 'DEVICE_UNKNOWN_PUSH'],
    ['POST', '/devices/no-phone/offline', 404, 'LAB_UNKNOWN_DEVICE'],
    ['GET', '/nowhere', 404, 'LAB_NO_ROUTE'],
    ['DELETE', '/clock', 405, 'LAB_METHOD_NOT_ALLOWED'],
  ];
  for (const [method, path, status, code] of cases) {
    const r = await call(method, path);
    assert.equal(r.status, status, path);
    const error = r.json['error'] as { code: string; message: string };
    assert.equal(error.code, code, path);
    assert.ok(error.message.length > 10);
  }
});
