/**
 * A small seeded org for the okta tests, and a tour of every endpoint the
 * handlers serve (used to exercise each serving path and feed the contract test).
 */
import assert from 'node:assert/strict';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { RecordingDelivery } from './delivery.ts';
import { OktaOrg } from './org.ts';
import { totpAt } from './totp.ts';

export const ALICE_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
export const DUO_PASSCODE = '246810';

export function seededOrg(orgUrl = 'https://acme.okta.example') {
  const clock = new VirtualClock();
  const delivery = new RecordingDelivery();
  const org = new OktaOrg({ clock, delivery, orgUrl });
  const token = org.createApiToken();
  const app = org.createApp({ label: 'Amazon WorkSpaces' });
  const alice = org.createUser({ profile: { login: 'alice@example.com', firstName: 'Alice', lastName: 'Ng', mobilePhone: '+15551230001' }, password: 'Alice-pw-1' });
  const totp = org.enrollFactor(alice.id, { factorType: 'token:software:totp', provider: 'GOOGLE', sharedSecret: ALICE_SECRET, activate: true }).factor;
  const push = org.enrollFactor(alice.id, { factorType: 'push', deviceId: 'alice-iphone', activate: true }).factor;
  const sms = org.enrollFactor(alice.id, { factorType: 'sms', activate: true }).factor;
  org.assignUserToApp(app.id, alice.id);
  const bob = org.createUser({ profile: { login: 'bob@example.com' }, password: 'Bob-pw-1' });
  const duo = org.enrollFactor(bob.id, { factorType: 'web', provider: 'DUO', phoneNumber: '+15551230002', duoPasscodeChecker: (c) => c === DUO_PASSCODE }).factor;
  return { clock, delivery, org, token, app, alice, bob, factors: { totp, push, sms, duo } };
}

export type Seeded = ReturnType<typeof seededOrg>;
type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Calls every route once or more and checks the answers a client relies on. */
export async function tourEveryEndpoint(fetchFn: Fetch, base: string, s: Seeded): Promise<void> {
  const auth = { authorization: `SSWS ${s.token}`, accept: 'application/json', 'content-type': 'application/json' };
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = auth) => {
    const res = await fetchFn(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };
  const { alice, bob, app, factors } = s;
  const u = `/api/v1/users/${alice.id}`;

  assert.equal((await call('GET', `/api/v1/users/${encodeURIComponent('alice@example.com')}`)).body?.id, alice.id);
  assert.equal((await call('GET', '/api/v1/users/nobody@example.com')).status, 404);
  assert.equal((await call('GET', u, undefined, { accept: 'application/json' })).status, 401);
  const list = await call('GET', `${u}/factors`);
  assert.equal(list.status, 200);
  assert.equal((list.body as unknown as unknown[]).length, 4);

  // TOTP: right, wrong, replayed.
  const code = totpAt(ALICE_SECRET, s.clock.now());
  assert.equal((await call('POST', `${u}/factors/${factors.totp.id}/verify`, { passCode: code })).body?.factorResult, 'SUCCESS');
  assert.equal((await call('POST', `${u}/factors/${factors.totp.id}/verify`, { passCode: code })).body?.errorCode, 'E0000082');
  assert.equal((await call('POST', `${u}/factors/${factors.totp.id}/verify`, { passCode: '000000' === code ? '111111' : '000000' })).body?.errorCode, 'E0000068');
  assert.equal((await call('POST', `${u}/factors/${factors.totp.id}/verify`, {})).status, 400);

  // Push: 201 WAITING, poll, approve; a second one rejected; a third times out.
  for (const answer of ['APPROVE', 'REJECT', 'TIMEOUT'] as const) {
    const w = await call('POST', `${u}/factors/${factors.push.id}/verify`);
    assert.equal(w.status, 201);
    assert.equal(w.body?.factorResult, 'WAITING');
    const poll = (w.body?._links as { poll: { href: string } } | undefined)?.poll.href ?? '';
    assert.ok(poll.startsWith(base), `poll link ${poll} should point at ${base}`);
    const pollPath = poll.slice(base.length);
    assert.equal((await call('GET', pollPath)).body?.factorResult, 'WAITING');
    const tx = pollPath.split('/').at(-1)!;
    if (answer === 'TIMEOUT') await s.clock.advance(5 * 60_000);
    else s.org.answerPush(tx, answer);
    const expected = answer === 'APPROVE' ? 'SUCCESS' : answer === 'REJECT' ? 'REJECTED' : 'TIMEOUT';
    assert.equal((await call('GET', pollPath)).body?.factorResult, expected);
  }
  assert.equal((await call('GET', `${u}/factors/${factors.push.id}/transactions/v2mst.nope`)).status, 404);

  // SMS: challenge, then the code.
  const ch = await call('POST', `${u}/factors/${factors.sms.id}/verify`);
  assert.equal(ch.status, 200);
  assert.equal(ch.body?.factorResult, 'CHALLENGE');
  const smsCode = s.delivery.codes.at(-1)!.code;
  assert.equal((await call('POST', `${u}/factors/${factors.sms.id}/verify`, { passCode: smsCode })).body?.factorResult, 'SUCCESS');

  // Duo passcode (extension).
  const bu = `/api/v1/users/${bob.id}`;
  assert.equal((await call('POST', `${bu}/factors/${factors.duo.id}/verify`, { passCode: DUO_PASSCODE })).body?.factorResult, 'SUCCESS');
  assert.equal((await call('POST', `${bu}/factors/${factors.duo.id}/verify`, { passCode: '000000' })).status, 403);
  // Duo push and Duo SMS passcode (extensions: the generic RADIUS app, Okta_Radius_App.htm).
  const dp = await call('POST', `${bu}/factors/${factors.duo.id}/verify`);
  assert.equal(dp.body?.factorResult, 'WAITING');
  assert.equal(s.delivery.pushes.at(-1)?.app, 'duo-mobile');
  const duoPoll = ((dp.body?._links as { poll: { href: string } } | undefined)?.poll.href ?? '').slice(base.length);
  s.org.answerPush(s.delivery.pushes.at(-1)!.transactionId, 'APPROVE');
  assert.equal((await call('GET', duoPoll)).body?.factorResult, 'SUCCESS');
  assert.equal((await call('POST', `${bu}/factors/${factors.duo.id}/verify`, { passCode: 'sms' })).body?.factorResult, 'CHALLENGE');
  const duoSms = s.delivery.codes.at(-1)!;
  assert.equal(duoSms.to, '+15551230002');
  assert.equal((await call('POST', `${bu}/factors/${factors.duo.id}/verify`, { passCode: duoSms.code })).body?.factorResult, 'SUCCESS');
  assert.equal((await call('POST', `${bu}/factors/${factors.duo.id}/verify`, { passCode: duoSms.code })).status, 403, 'a Duo SMS passcode works once');

  // App assignment look-up.
  assert.equal((await call('GET', `/api/v1/apps/${app.id}/users/${alice.id}`)).status, 200);
  const notAssigned = await call('GET', `/api/v1/apps/${app.id}/users/${bob.id}`);
  assert.equal(notAssigned.status, 404);
  assert.equal(notAssigned.body?.errorCode, 'E0000007');

  // Authn API: password, MFA_REQUIRED, TOTP; push poll.
  assert.equal((await call('POST', '/api/v1/authn', { username: 'alice@example.com', password: 'wrong' }, {})).status, 401);
  const mfa = await call('POST', '/api/v1/authn', { username: 'alice@example.com', password: 'Alice-pw-1' }, {});
  assert.equal(mfa.body?.status, 'MFA_REQUIRED');
  const stateToken = mfa.body?.stateToken;
  await s.clock.advance(30_000);
  const totpNow = totpAt(ALICE_SECRET, s.clock.now());
  assert.equal((await call('POST', `/api/v1/authn/factors/${factors.totp.id}/verify`, { stateToken, passCode: '000000' === totpNow ? '111111' : '000000' }, {})).status, 403);
  const done = await call('POST', `/api/v1/authn/factors/${factors.totp.id}/verify`, { stateToken, passCode: totpNow }, {});
  assert.equal(done.body?.status, 'SUCCESS');
  assert.equal(typeof done.body?.sessionToken, 'string');
  const mfa2 = await call('POST', '/api/v1/authn', { username: 'alice@example.com', password: 'Alice-pw-1' }, {});
  const st2 = mfa2.body?.stateToken;
  const p1 = await call('POST', `/api/v1/authn/factors/${factors.push.id}/verify`, { stateToken: st2 }, {});
  assert.equal(p1.body?.factorResult, 'WAITING');
  s.org.answerPush(s.delivery.pushes.at(-1)!.transactionId, 'APPROVE');
  assert.equal((await call('POST', `/api/v1/authn/factors/${factors.push.id}/verify`, { stateToken: st2 }, {})).body?.status, 'SUCCESS');
  assert.equal((await call('POST', `/api/v1/authn/factors/${factors.push.id}/verify`, { stateToken: 'expired' }, {})).status, 401);

  // Authn API inline enrolment (Okta_Radius_App-gen-config-app.htm): MFA_ENROLL → enrol SMS → activate.
  const frank = s.org.createUser({ profile: { login: 'frank@example.com' }, password: 'Frank-pw-1' });
  s.org.authn.requireMfa = true;
  try {
    const enrol = await call('POST', '/api/v1/authn', { username: 'frank@example.com', password: 'Frank-pw-1' }, {});
    assert.equal(enrol.body?.status, 'MFA_ENROLL');
    const st3 = enrol.body?.stateToken;
    const smsBody = { stateToken: st3, factorType: 'sms', provider: 'OKTA', profile: { phoneNumber: '+15551230006' } };
    assert.equal((await call('POST', '/api/v1/authn/factors', smsBody, {})).status, 403, 'refused while inline enrolment is not permitted');
    s.org.authn.inlineEnrollment = true;
    const enrolled = await call('POST', '/api/v1/authn/factors', smsBody, {});
    assert.equal(enrolled.body?.status, 'MFA_ENROLL_ACTIVATE');
    const next = ((enrolled.body?._links as { next?: { href: string } } | undefined)?.next?.href ?? '').slice(base.length);
    const code = s.delivery.codes.at(-1)!.code;
    assert.equal((await call('POST', next, { stateToken: st3, passCode: code === '000000' ? '111111' : '000000' }, {})).status, 403);
    assert.equal((await call('POST', next, { stateToken: st3, passCode: code }, {})).body?.status, 'SUCCESS');
    assert.deepEqual(s.org.listFactors(frank.id).map((f) => `${f.factorType}/${f.status}`), ['sms/ACTIVE']);
  } finally {
    s.org.authn.requireMfa = false;
    s.org.authn.inlineEnrollment = false;
  }

  // Admin calls that build an org.
  const created = await call('POST', '/api/v1/users?activate=true', {
    profile: { login: 'dave@example.com', email: 'dave@example.com', firstName: 'Dave', lastName: 'Lee', mobilePhone: '+15551230004' },
    credentials: { password: { value: 'Dave-pw-1' } },
  });
  assert.equal(created.status, 200);
  assert.equal(created.body?.status, 'ACTIVE');
  const dave = String(created.body?.id);
  const staged = await call('POST', '/api/v1/users?activate=false', { profile: { login: 'erin@example.com' } });
  assert.equal(staged.body?.status, 'STAGED');
  assert.equal((await call('POST', `/api/v1/users/${staged.body?.id}/lifecycle/activate?sendEmail=false`)).status, 200);
  const du = `/api/v1/users/${dave}`;
  assert.equal((await call('POST', `${du}/lifecycle/suspend`)).status, 200);
  assert.equal((await call('POST', `${du}/lifecycle/unsuspend`)).status, 200);
  s.org.lockUser(dave);
  assert.equal((await call('POST', `${du}/lifecycle/unlock`)).status, 200);
  const enrolled = await call('POST', `${du}/factors`, { factorType: 'token:software:totp', provider: 'OKTA' });
  assert.equal(enrolled.body?.status, 'PENDING_ACTIVATION');
  const embedded = enrolled.body?._embedded as { activation: { sharedSecret: string; _links: { qrcode: { href: string } } } } | undefined;
  assert.ok(embedded, 'TOTP enrolment returns the activation');
  const activation = embedded.activation;
  assert.match(activation._links.qrcode.href, /^otpauth:\/\/totp\//);
  const activated = await call('POST', `${du}/factors/${enrolled.body?.id}/lifecycle/activate`, { passCode: totpAt(activation.sharedSecret, s.clock.now()) });
  assert.equal(activated.body?.status, 'ACTIVE');
  const smsEnrol = await call('POST', `${du}/factors?activate=true`, { factorType: 'sms', provider: 'OKTA', profile: { phoneNumber: '+15551230004' } });
  assert.equal(smsEnrol.body?.status, 'ACTIVE');
  assert.equal((await call('POST', `/api/v1/apps/${app.id}/users`, { id: dave, scope: 'USER', credentials: { userName: 'dave@example.com' } })).status, 200);
  assert.equal((await call('PUT', `/api/v1/apps/${app.id}/users/${staged.body?.id}`, {})).status, 200);
  assert.equal((await call('POST', `${du}/lifecycle/deactivate`)).status, 200);
}
