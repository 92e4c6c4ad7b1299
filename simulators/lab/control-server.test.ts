// The device-control API over real HTTP on loopback, against a lab served
// from the example seed; pushes are triggered through Okta's HTTP API as an
// agent would.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ldapBindCheck } from '../directory/bind-client.ts';
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
  const auth = { authorization: `Bearer ${ep.control.token}` };
  const res = await fetch(`${ep.control.url}${path}`, {
    method,
    ...(body === undefined ? { headers: auth } : { body: JSON.stringify(body), headers: { ...auth, 'content-type': 'application/json' } }),
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
  const notJson = await fetch(`${ep.control.url}/clock/advance`, { method: 'POST', body: '{oops', headers: { authorization: `Bearer ${ep.control.token}` } });
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

test('every call needs the bearer token: 401 LAB_UNAUTHORIZED without it or with another one', async () => {
  for (const authorization of [undefined, 'Bearer wrong-token-wrong-token', `Basic ${ep.control.token}`, `Bearer ${ep.control.token}x`]) {
    const res = await fetch(`${ep.control.url}/users/alice/totp`, authorization ? { headers: { authorization } } : {});
    assert.equal(res.status, 401, String(authorization));
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'LAB_UNAUTHORIZED');
  }
  assert.ok(ep.control.token.length >= 24);
});

test('faults: Okta 5xx, dropped connections, latency and rate limit act on the served Okta; DELETE puts all back', async () => {
  const users = '/api/v1/users/alice@corp.example.com';
  const get = () => fetch(`${ep.okta.baseUrl}${users}`, { headers: { authorization: `SSWS ${ep.okta.apiToken}` } });
  const state = await call('GET', '/faults');
  assert.deepEqual(state.json['okta'], { latencyMs: 0, errors: { pending: 0, status: 500 }, networkErrors: { pending: 0 }, rateLimit: { limit: 600, windowSeconds: 60 } });

  const set = await call('PUT', '/faults', { okta: { errors: { count: 2, status: 503 }, networkErrors: { count: 1 } } });
  assert.equal(set.status, 200);
  await assert.rejects(
    get(),
    (e: Error & { cause?: { code?: string } }) => /fetch failed/.test(e.message) && e.cause?.code === 'ECONNRESET',
    'the first call: the connection is reset, no answer',
  );
  assert.equal((await get()).status, 503);
  const second = await get();
  assert.equal(second.status, 503);
  assert.equal(((await second.json()) as { errorCode: string }).errorCode, 'E0000010');
  assert.equal((await get()).status, 200, 'then Okta answers again');

  await call('PUT', '/faults', { okta: { rateLimit: { limit: 1, windowSeconds: 3600 } } });
  assert.equal((await get()).status, 200);
  const limited = await get();
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('x-rate-limit-remaining'), '0');

  const reset = await call('DELETE', '/faults');
  assert.equal(reset.status, 200);
  assert.deepEqual((reset.json['okta'] as { rateLimit: unknown }).rateLimit, { limit: 600, windowSeconds: 60 });
  assert.equal((await get()).status, 200, 'the seed\'s rate limit is back');
});

test('faults: Okta latency runs on the lab clock', async () => {
  await call('PUT', '/faults', { okta: { latencyMs: 20_000 } });
  try {
    let answered = false;
    const pending = fetch(`${ep.okta.baseUrl}/api/v1/users/alice@corp.example.com`, { headers: { authorization: `SSWS ${ep.okta.apiToken}` } }).then((r) => {
      answered = true;
      return r.status;
    });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(answered, false, 'held for 20 s of lab time');
    await call('POST', '/clock/advance', { seconds: 20 });
    assert.equal(await pending, 200);
  } finally {
    await call('DELETE', '/faults');
  }
});

test('faults: the directory goes down (connections refused) and comes back', async () => {
  const bind = () => ldapBindCheck({ url: ep.ldap.url, username: 'bob', domain: ep.ldap.domain, password: 'Bob-Lab-Pass-2', timeoutMs: 3000 });
  assert.equal((await bind()).ok, true);
  const down = await call('PUT', '/faults', { directory: { down: true } });
  assert.deepEqual(down.json['directory'], { down: true, mode: 'refuse', served: true });
  const r = await bind();
  assert.equal(r.ok, false);
  const hang = await call('PUT', '/faults', { directory: { down: true, mode: 'hang' } });
  assert.deepEqual(hang.json['directory'], { down: true, mode: 'hang', served: true });
  const started = Date.now();
  const hung = await ldapBindCheck({ url: ep.ldap.url, username: 'bob', domain: ep.ldap.domain, password: 'Bob-Lab-Pass-2', timeoutMs: 800 });
  assert.equal(hung.ok, false);
  assert.ok(Date.now() - started >= 700, 'accepted, never answered: the client waited for its time-out');
  await call('PUT', '/faults', { directory: { down: false } });
  assert.equal((await bind()).ok, true);
});

test('faults: UDP loss at the connector is kept for a connector to read; bad knobs get 400 LAB_BAD_FAULT with the field', async () => {
  const seen: unknown[] = [];
  const off = lab.faults.onConnectorUdpLoss((l) => seen.push(l));
  const set = await call('PUT', '/faults', { connector: { udpLoss: { direction: 'outbound', count: 3 } } });
  assert.deepEqual(set.json['connector'], { udpLoss: { direction: 'outbound', count: 3 }, consumers: 1 });
  assert.deepEqual(seen, [null, { direction: 'outbound', count: 3 }]);
  await call('DELETE', '/faults');
  assert.equal(seen.at(-1), null);
  off();
  for (const body of [{ okta: { latencyMs: -1 } }, { okta: { errors: { count: 1, status: 404 } } }, { connector: { udpLoss: { direction: 'sideways' } } }, { oops: 1 }]) {
    const r = await call('PUT', '/faults', body);
    assert.equal(r.status, 400, JSON.stringify(body));
    const error = r.json['error'] as { code: string; message: string };
    assert.equal(error.code, 'LAB_BAD_FAULT');
  }
  const r = await call('PUT', '/faults', { okta: { errors: { count: 1, status: 404 } } });
  assert.match((r.json['error'] as { message: string }).message, /okta\.errors\.status/);
});
