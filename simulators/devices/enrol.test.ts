// Enrolment against the real mock org: scan what it hands out, activate with
// the first code, then the org accepts the device's codes and pushes reach it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { oktaAdminError } from '../okta/admin-api.ts';
import { LocalOktaAdmin } from '../okta/admin-local.ts';
import { OktaOrg } from '../okta/org.ts';
import { enrolDuo, enrolEmail, enrolGoogleAuthenticator, enrolOktaVerify, enrolPhoneNumber, enrolTotpThroughApi } from './enrol.ts';
import { DeviceNetwork } from './network.ts';
import { Phone } from './phone.ts';

function world() {
  const clock = new VirtualClock();
  const net = new DeviceNetwork({ clock });
  const org = new OktaOrg({ clock, delivery: net });
  net.connect(org);
  const user = org.createUser({ profile: { login: 'alice@corp.example' }, password: 'pw' });
  const phone = net.addPhone(new Phone({ owner: 'alice@corp.example', number: '+15555550101', name: 'alice-iphone', clock }));
  return { clock, net, org, user, phone };
}

test('Okta Verify: scan the QR code, activate with the first code; push and TOTP then work', async () => {
  const { clock, net, org, user, phone } = world();
  const ov = phone.installOktaVerify({ deviceId: 'dev-1' });
  const { factorId } = enrolOktaVerify(org, user.id, ov);
  const push = org.getFactor(user.id, factorId)!;
  assert.equal(push.status, 'ACTIVE');
  assert.equal(push.deviceId, 'dev-1');
  const totp = org.listFactors(user.id).find((f) => f.factorType === 'token:software:totp')!;
  await clock.advance(60_000);
  assert.deepEqual(org.verifyFactor(user.id, totp.id, { passCode: ov.currentCode() }), { result: 'SUCCESS' });

  ov.setPushBehaviour({ action: 'approve', afterSeconds: 2 });
  const w = org.verifyFactor(user.id, factorId);
  assert.equal(w.result, 'WAITING');
  const txId = w.result === 'WAITING' ? w.transaction.id : '';
  assert.equal(net.pendingPushesFor('alice@corp.example').length, 1);
  assert.equal(org.getPushTransaction(user.id, factorId, txId).status, 'WAITING');
  await clock.advance(2_000);
  assert.equal(org.getPushTransaction(user.id, factorId, txId).status, 'SUCCESS');
});

test('a second phone gives the user a second Okta Verify enrolment with its own deviceId', () => {
  const { clock, net, org, user, phone } = world();
  enrolOktaVerify(org, user.id, phone.installOktaVerify({ deviceId: 'dev-1' }));
  const ipad = net.addPhone(new Phone({ owner: 'alice@corp.example', number: '+15555550102', name: 'alice-ipad', clock }));
  enrolOktaVerify(org, user.id, ipad.installOktaVerify({ deviceId: 'dev-2' }));
  const pushes = org.listFactors(user.id).filter((f) => f.factorType === 'push');
  assert.deepEqual(pushes.map((f) => f.deviceId).sort(), ['dev-1', 'dev-2']);
});

test('Google Authenticator with a given secret; pending when the user never types the code', () => {
  const { org, user, phone } = world();
  const ga = phone.installGoogleAuthenticator();
  const { factorId, account } = enrolGoogleAuthenticator(org, user.id, ga, { secret: 'JBSWY3DPEHPK3PXP', activate: false });
  assert.equal(org.getFactor(user.id, factorId)!.status, 'PENDING_ACTIVATION');
  assert.equal(account.label, 'alice@corp.example');
  assert.equal(ga.accounts().length, 1);
});

test('SMS, voice and email: the activation code arrives on the device and activates the factor', () => {
  const { net, org, user, phone } = world();
  const sms = enrolPhoneNumber(org, user.id, phone, 'sms');
  const call = enrolPhoneNumber(org, user.id, phone, 'call');
  const mail = enrolEmail(org, user.id, net.emailInbox('alice@corp.example', 'alice@corp.example'));
  for (const { factorId } of [sms, call, mail]) assert.equal(org.getFactor(user.id, factorId)!.status, 'ACTIVE');
  assert.equal(phone.sms.size, 1);
  assert.equal(phone.voice.size, 1);
  assert.equal(net.emailsFor('alice@corp.example').length, 1);
});

test('an offline phone gets no activation code: enrolment says so', () => {
  const { org, user, phone } = world();
  phone.goOffline();
  assert.throws(() => enrolPhoneNumber(org, user.id, phone, 'sms'), { code: 'DEVICE_NO_ACTIVATION_CODE' });
});

test('Duo: the org checks Duo Mobile passcodes through the verifier, once each', () => {
  const { org, user, phone } = world();
  const duo = phone.installDuoMobile();
  const { factorId } = enrolDuo(org, user.id, duo, { secret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ' });
  const code = duo.currentPasscode();
  assert.deepEqual(org.verifyFactor(user.id, factorId, { passCode: code }), { result: 'SUCCESS' });
  assert.deepEqual(org.verifyFactor(user.id, factorId, { passCode: code }), { result: 'INVALID' });
  assert.deepEqual(org.verifyFactor(user.id, factorId, { passCode: duo.nextPasscode() }), { result: 'SUCCESS' });
});

test('TOTP through the Management API: the app takes the shared secret; typing the previous step leaves the current code for the first sign-in', async () => {
  const { org, user, phone } = world();
  const admin = new LocalOktaAdmin(org);
  const ga = phone.installGoogleAuthenticator();
  const step = Math.floor(org.now() / 30_000);
  const r = await enrolTotpThroughApi(admin, user.id, ga, { provider: 'GOOGLE', label: 'alice', typedStep: -1, now: () => org.now() });
  assert.equal(r.activatedStep, step - 1);
  assert.equal(org.getFactor(user.id, r.factorId)?.status, 'ACTIVE');
  assert.deepEqual(org.verifyFactor(user.id, r.factorId, { passCode: ga.currentCode() }), { result: 'SUCCESS' }, 'no time had to pass');
  assert.equal(org.verifyFactor(user.id, r.factorId, { passCode: ga.code(undefined, -1) }).result, 'REPLAYED', 'the typed step is spent');

  const pending = await enrolTotpThroughApi(admin, user.id, phone.installOktaVerify(), { provider: 'OKTA', label: 'alice', activate: false, now: () => org.now() });
  assert.equal(pending.activatedStep, undefined);
  assert.equal(org.getFactor(user.id, pending.factorId)?.status, 'PENDING_ACTIVATION');
});

test('TOTP through the Management API: an org that takes no drift at activation gets the current code instead; other refusals are thrown', async () => {
  const { org, user, phone } = world();
  const local = new LocalOktaAdmin(org);
  const typed: string[] = [];
  const strict = {
    enrollTotp: (id: string, p: 'OKTA' | 'GOOGLE') => local.enrollTotp(id, p),
    async activateFactor(id: string, factorId: string, passCode: string) {
      typed.push(passCode);
      if (passCode !== ga.currentCode()) throw oktaAdminError('activateFactor', 403, { errorCode: 'E0000068', errorSummary: 'Invalid Passcode/Answer' });
      return local.activateFactor(id, factorId, passCode);
    },
  };
  const ga = phone.installGoogleAuthenticator();
  const r = await enrolTotpThroughApi(strict, user.id, ga, { provider: 'GOOGLE', label: 'alice', typedStep: -1, now: () => org.now() });
  assert.equal(typed.length, 2);
  assert.equal(r.activatedStep, Math.floor(org.now() / 30_000), 'the current step is the spent one now');
  const broken = { ...strict, activateFactor: async () => Promise.reject(oktaAdminError('activateFactor', 429, { errorCode: 'E0000047' })) };
  await assert.rejects(enrolTotpThroughApi(broken, user.id, phone.installOktaVerify(), { provider: 'OKTA', label: 'alice', typedStep: -1, now: () => org.now() }), /E0000047/);
});
