import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { RecordingDelivery } from './delivery.ts';
import { OktaApiError } from './okta-errors.ts';
import { OktaOrg, PUSH_LIFETIME_MS } from './org.ts';
import { totpAt } from './totp.ts';

function newOrg() {
  const clock = new VirtualClock();
  const delivery = new RecordingDelivery();
  const org = new OktaOrg({ clock, delivery });
  const alice = org.createUser({ profile: { login: 'alice@example.com', mobilePhone: '+15551230001' }, password: 'Corr3ct-horse' });
  return { clock, delivery, org, alice };
}

function oktaCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof OktaApiError, `expected OktaApiError, got ${String(e)}`);
    return `${e.status} ${e.errorCode}`;
  }
  assert.fail('expected an Okta error');
}

describe('users', () => {
  it('creates users with Okta-like ids and finds them by id or login, case-insensitively', () => {
    const { org, alice } = newOrg();
    assert.match(alice.id, /^00u[A-Za-z0-9]{17}$/);
    assert.equal(alice.status, 'ACTIVE');
    assert.equal(org.getUser('ALICE@example.com')?.id, alice.id);
    assert.equal(org.getUser(alice.id)?.profile.login, 'alice@example.com');
    assert.equal(oktaCode(() => org.requireUser('nobody')), '404 E0000007');
    assert.equal(oktaCode(() => org.createUser({ profile: { login: 'Alice@example.com' } })), '400 E0000001');
  });

  it('moves through the lifecycle an admin drives', () => {
    const { org, alice } = newOrg();
    const staged = org.createUser({ profile: { login: 'bob@example.com' }, activate: false });
    assert.equal(staged.status, 'STAGED');
    assert.equal(org.createUser({ profile: { login: 'carol@example.com' } }).status, 'PROVISIONED');
    org.setPassword(staged.id, 'pw-1234567');
    assert.equal(org.activateUser(staged.id).status, 'ACTIVE');
    assert.equal(org.suspendUser(alice.id).status, 'SUSPENDED');
    assert.equal(oktaCode(() => org.suspendUser(alice.id)), '400 E0000001');
    assert.equal(org.unsuspendUser(alice.id).status, 'ACTIVE');
    assert.equal(org.lockUser(alice.id).status, 'LOCKED_OUT');
    assert.equal(org.unlockUser(alice.id).status, 'ACTIVE');
    assert.equal(org.expirePassword(alice.id).status, 'PASSWORD_EXPIRED');
    assert.equal(org.setPassword(alice.id, 'n3w-Password').status, 'ACTIVE');
    assert.equal(org.deprovision(alice.id).status, 'DEPROVISIONED');
    assert.deepEqual(
      org.events.ofType('user.lifecycle.').map((e) => e.eventType).slice(-3),
      ['user.lifecycle.suspend', 'user.lifecycle.unsuspend', 'user.lifecycle.deactivate'],
    );
  });

  it('checks passwords without ever storing them in the clear', () => {
    const { org, alice } = newOrg();
    assert.equal(org.checkPassword(alice.id, 'Corr3ct-horse'), true);
    assert.equal(org.checkPassword(alice.id, 'wrong'), false);
    assert.ok(!JSON.stringify(org.events.all()).includes('Corr3ct-horse'));
  });

  it('groups and app assignments', () => {
    const { org, alice } = newOrg();
    const g = org.createGroup({ name: 'WorkSpaces Users' });
    org.addToGroup(g.id, alice.id);
    assert.deepEqual(org.groupsOf(alice.id).map((x) => x.name), ['WorkSpaces Users']);
    const app = org.createApp({ label: 'Amazon WorkSpaces' });
    assert.match(app.id, /^0oa[A-Za-z0-9]{17}$/);
    assert.equal(org.isAssigned(app.id, alice.id), false);
    org.assignUserToApp(app.id, alice.id);
    assert.equal(org.isAssigned(app.id, 'alice@example.com'), true);
    assert.equal(org.getApp('Amazon WorkSpaces')?.id, app.id);
  });
});

describe('TOTP factors', () => {
  it('enrols with a base32 secret and otpauth URI, activates with the first code', () => {
    const { org, alice, clock } = newOrg();
    const { factor, activation } = org.enrollFactor(alice.id, { factorType: 'token:software:totp', provider: 'GOOGLE' });
    assert.equal(factor.status, 'PENDING_ACTIVATION');
    assert.match(factor.id, /^ost/);
    assert.ok(activation);
    assert.match(activation.sharedSecret, /^[A-Z2-7]{32}$/);
    assert.match(activation.otpauthUri, /^otpauth:\/\/totp\/.*secret=[A-Z2-7]+/);
    assert.equal(oktaCode(() => org.activateFactor(alice.id, factor.id, '000000')), '403 E0000068');
    org.activateFactor(alice.id, factor.id, totpAt(activation.sharedSecret, clock.now()));
    assert.equal(factor.status, 'ACTIVE');
    // The activation code is spent: the same step can't be replayed on verify.
    assert.deepEqual(org.verifyFactor(alice.id, factor.id, { passCode: totpAt(activation.sharedSecret, clock.now()) }), { result: 'REPLAYED' });
  });

  it('accepts the adjacent steps, refuses two steps away, and refuses a replay', async () => {
    const { org, alice, clock } = newOrg();
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const { factor } = org.enrollFactor(alice.id, { factorType: 'token:software:totp', sharedSecret: secret, activate: true });
    const t = clock.now();
    assert.deepEqual(org.verifyFactor(alice.id, factor.id, { passCode: totpAt(secret, t - 30_000) }), { result: 'SUCCESS' });
    assert.deepEqual(org.verifyFactor(alice.id, factor.id, { passCode: totpAt(secret, t + 30_000) }), { result: 'SUCCESS' });
    assert.deepEqual(org.verifyFactor(alice.id, factor.id, { passCode: totpAt(secret, t + 90_000) }), { result: 'INVALID' });
    assert.deepEqual(org.verifyFactor(alice.id, factor.id, { passCode: totpAt(secret, t) }), { result: 'SUCCESS' });
    assert.deepEqual(org.verifyFactor(alice.id, factor.id, { passCode: totpAt(secret, t) }), { result: 'REPLAYED' });
    await clock.advance(30_000);
    assert.deepEqual(org.verifyFactor(alice.id, factor.id, { passCode: totpAt(secret, clock.now() + 30_000) }), { result: 'SUCCESS' });
    const failures = org.events.ofType('user.authentication.auth_via_mfa').filter((e) => e.outcome.result === 'FAILURE');
    assert.deepEqual(failures.map((e) => e.outcome.reason), ['INVALID_CREDENTIALS', 'PASSCODE_REPLAYED']);
  });

  it('refuses verification for locked and suspended users', () => {
    const { org, alice, clock } = newOrg();
    const secret = 'JBSWY3DPEHPK3PXP';
    const { factor } = org.enrollFactor(alice.id, { factorType: 'token:software:totp', sharedSecret: secret, activate: true });
    org.lockUser(alice.id);
    assert.equal(oktaCode(() => org.verifyFactor(alice.id, factor.id, { passCode: totpAt(secret, clock.now()) })), '403 E0000069');
    org.unlockUser(alice.id);
    org.suspendUser(alice.id);
    assert.equal(oktaCode(() => org.verifyFactor(alice.id, factor.id, { passCode: totpAt(secret, clock.now()) })), '403 E0000038');
  });
});

describe('Okta Verify push', () => {
  function withPush() {
    const env = newOrg();
    const phone1 = env.org.enrollFactor(env.alice.id, { factorType: 'push', deviceId: 'alice-iphone', activate: true });
    const phone2 = env.org.enrollFactor(env.alice.id, { factorType: 'push', deviceId: 'alice-ipad', activate: true });
    return { ...env, phone1, phone2 };
  }

  it('lets one user hold several Okta Verify enrolments, each with its TOTP companion', () => {
    const { org, alice, phone1, phone2 } = withPush();
    const factors = org.listFactors(alice.id);
    assert.equal(factors.filter((f) => f.factorType === 'push').length, 2);
    const totps = factors.filter((f) => f.factorType === 'token:software:totp');
    assert.deepEqual(totps.map((f) => f.deviceId).sort(), ['alice-ipad', 'alice-iphone']);
    assert.notEqual(phone1.activation?.sharedSecret, phone2.activation?.sharedSecret);
  });

  it('sends a push to the right device and succeeds when approved', () => {
    const { org, alice, delivery, phone2 } = withPush();
    const out = org.verifyFactor(alice.id, phone2.factor.id);
    assert.equal(out.result, 'WAITING');
    assert.ok(out.result === 'WAITING');
    assert.equal(delivery.pushes.length, 1);
    assert.equal(delivery.pushes[0]?.deviceId, 'alice-ipad');
    assert.equal(delivery.pushes[0]?.expiresAt, out.transaction.createdAt + PUSH_LIFETIME_MS);
    assert.equal(org.answerPush(out.transaction.id, 'APPROVE'), 'SUCCESS');
    assert.equal(org.getPushTransaction(alice.id, phone2.factor.id, out.transaction.id).status, 'SUCCESS');
    // A second answer changes nothing.
    assert.equal(org.answerPush(out.transaction.id, 'REJECT'), 'SUCCESS');
  });

  it('is REJECTED when denied and TIMEOUT after five minutes on the clock', async () => {
    const { org, alice, clock, phone1 } = withPush();
    const a = org.verifyFactor(alice.id, phone1.factor.id);
    const b = org.verifyFactor(alice.id, phone1.factor.id);
    assert.ok(a.result === 'WAITING' && b.result === 'WAITING');
    assert.equal(org.answerPush(a.transaction.id, 'REJECT'), 'REJECTED');
    await clock.advance(PUSH_LIFETIME_MS - 1);
    assert.equal(org.getPushTransaction(alice.id, phone1.factor.id, b.transaction.id).status, 'WAITING');
    await clock.advance(1);
    assert.equal(org.getPushTransaction(alice.id, phone1.factor.id, b.transaction.id).status, 'TIMEOUT');
    assert.equal(org.answerPush(b.transaction.id, 'APPROVE'), 'TIMEOUT');
    assert.equal(org.events.ofType('user.mfa.okta_verify.deny_push').length, 1);
    assert.equal(org.events.ofType('user.mfa.okta_verify.push_timeout').length, 1);
  });
});

describe('SMS, voice and email codes', () => {
  it('sends a code on challenge, accepts it once, and refuses it after five minutes', async () => {
    const { org, alice, clock, delivery } = newOrg();
    const { factor } = org.enrollFactor(alice.id, { factorType: 'sms', activate: true });
    assert.equal(factor.phoneNumber, '+15551230001');
    const ch = org.verifyFactor(alice.id, factor.id);
    assert.equal(ch.result, 'CHALLENGE');
    const msg = delivery.codes.at(-1);
    assert.ok(msg);
    assert.equal(msg.channel, 'sms');
    assert.equal(msg.to, '+15551230001');
    assert.match(msg.code, /^\d{6}$/);
    assert.ok(msg.text.includes(msg.code));
    assert.deepEqual(org.verifyFactor(alice.id, factor.id, { passCode: '999999' === msg.code ? '888888' : '999999' }), { result: 'INVALID' });
    assert.deepEqual(org.verifyFactor(alice.id, factor.id, { passCode: msg.code }), { result: 'SUCCESS' });
    assert.deepEqual(org.verifyFactor(alice.id, factor.id, { passCode: msg.code }), { result: 'INVALID' });
    // Okta: one SMS per phone every 30 s.
    await clock.advance(10_000);
    assert.equal(oktaCode(() => org.verifyFactor(alice.id, factor.id)), '429 E0000109');
    await clock.advance(20_000);
    org.verifyFactor(alice.id, factor.id);
    const second = delivery.codes.at(-1)!;
    await clock.advance(5 * 60_000);
    assert.deepEqual(org.verifyFactor(alice.id, factor.id, { passCode: second.code }), { result: 'EXPIRED' });
  });

  it('activates a pending call / email factor with the code sent on enrolment', () => {
    const { org, alice, delivery } = newOrg();
    const call = org.enrollFactor(alice.id, { factorType: 'call', phoneNumber: '+1 (555) 123-0002' }).factor;
    assert.equal(call.status, 'PENDING_ACTIVATION');
    const sent = delivery.codes.at(-1)!;
    assert.equal(sent.channel, 'call');
    assert.equal(sent.to, '+15551230002');
    org.activateFactor(alice.id, call.id, sent.code);
    assert.equal(call.status, 'ACTIVE');
    const email = org.enrollFactor(alice.id, { factorType: 'email' }).factor;
    const mail = delivery.codes.at(-1)!;
    assert.equal(mail.to, 'alice@example.com');
    assert.equal(oktaCode(() => org.activateFactor(alice.id, email.id, '12')), '403 E0000068');
    org.activateFactor(alice.id, email.id, mail.code);
    assert.equal(email.status, 'ACTIVE');
  });
});

describe('Duo', () => {
  it('checks passcodes with the hook the Duo Mobile app supplies', () => {
    const { org, alice } = newOrg();
    const { factor } = org.enrollFactor(alice.id, { factorType: 'web', provider: 'DUO' });
    assert.equal(factor.status, 'ACTIVE');
    assert.deepEqual(org.verifyFactor(alice.id, factor.id, { passCode: '123456' }), { result: 'INVALID' });
    org.setDuoPasscodeChecker(alice.id, factor.id, (code) => code === '123456');
    assert.deepEqual(org.verifyFactor(alice.id, factor.id, { passCode: '123456' }), { result: 'SUCCESS' });
    assert.equal(oktaCode(() => org.enrollFactor(alice.id, { factorType: 'web', provider: 'DUO' })), '400 E0000001');
    assert.equal(oktaCode(() => org.enrollFactor(alice.id, { factorType: 'web', provider: 'OKTA' })), '400 E0000001');
  });
});

describe('API tokens and the event log', () => {
  it('issues SSWS tokens and revokes them', () => {
    const { org } = newOrg();
    const token = org.createApiToken();
    assert.equal(org.isAuthorized(`SSWS ${token}`), true);
    assert.equal(org.isAuthorized(`Bearer ${token}`), false);
    assert.equal(org.isAuthorized('SSWS nope'), false);
    org.revokeApiToken(token);
    assert.equal(org.isAuthorized(`SSWS ${token}`), false);
  });

  it('never records secrets, codes, passwords or tokens', () => {
    const { org, alice, clock, delivery } = newOrg();
    const token = org.createApiToken();
    const totp = org.enrollFactor(alice.id, { factorType: 'token:software:totp', activate: true });
    const code = totpAt(totp.activation!.sharedSecret, clock.now());
    org.verifyFactor(alice.id, totp.factor.id, { passCode: code });
    const sms = org.enrollFactor(alice.id, { factorType: 'sms', activate: true });
    org.verifyFactor(alice.id, sms.factor.id);
    const log = JSON.stringify(org.events.all());
    for (const secret of [token, totp.activation!.sharedSecret, code, delivery.codes.at(-1)!.code, 'Corr3ct-horse']) {
      assert.ok(!log.includes(secret), 'event log leaks a secret');
    }
  });
});
