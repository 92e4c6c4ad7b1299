/**
 * Duo push and Duo SMS passcodes for the generic RADIUS app (Okta_Radius_App.htm: "Duo (Push,
 * SMS, and Passcode only)"): the mock org sends them, the device network routes them to the
 * user's Duo Mobile / phone, the app's answer goes back to the org.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { OktaOrg } from '../okta/org.ts';
import { DuoMobile } from './duo-mobile.ts';
import { enrolDuo } from './enrol.ts';
import { DeviceNetwork } from './network.ts';
import { Phone } from './phone.ts';

function lab() {
  const clock = new VirtualClock();
  const network = new DeviceNetwork({ clock });
  const org = new OktaOrg({ clock, delivery: network, seed: 3 });
  network.connect(org);
  const erin = org.createUser({ profile: { login: 'erin@example.com', mobilePhone: '+15550050001' }, password: 'pw-Erin-1' });
  const phone = network.addPhone(new Phone({ owner: 'erin@example.com', number: '+15550050001', name: 'erin-phone', clock }));
  const duo = phone.installDuoMobile();
  const { factorId } = enrolDuo(org, erin.id, duo, { secret: 'JBSWY3DPEHPK3PXP', label: 'erin@example.com' });
  return { clock, network, org, erin, phone, duo, factorId };
}

test("a Duo push reaches the user's Duo Mobile; its scripted answer reaches the org", async () => {
  for (const action of ['approve', 'deny'] as const) {
    const { org, network, erin, duo, factorId } = lab();
    duo.setPushBehaviour({ action });
    const started = org.verifyFactor(erin.id, factorId);
    assert.equal(started.result, 'WAITING');
    const tx = started.result === 'WAITING' ? started.transaction.id : '';
    await network.idle();
    assert.equal(org.getPushTransaction(erin.id, factorId, tx).status, action === 'approve' ? 'SUCCESS' : 'REJECTED');
    assert.deepEqual(
      network.duoPushesFor('erin@example.com').map((p) => p.state),
      [action === 'approve' ? 'approved' : 'denied'],
    );
    assert.deepEqual(network.pushesFor('erin@example.com'), [], 'not an Okta Verify push');
  }
});

test('a Duo push answered by hand; offline it waits, and a Duo push never carries a number challenge', async () => {
  const { org, network, erin, phone, factorId } = lab();
  org.setNumberChallenge({ oktaVerify: true });
  phone.goOffline();
  const started = org.verifyFactor(erin.id, factorId);
  const tx = started.result === 'WAITING' ? started.transaction : undefined;
  assert.ok(tx);
  assert.equal(tx.correctAnswer, undefined);
  assert.equal(network.duoPushesFor('erin@example.com')[0]?.state, 'queued');
  phone.goOnline();
  await network.answerPush(tx.id, 'approve');
  assert.equal(org.getPushTransaction(erin.id, factorId, tx.id).status, 'SUCCESS');
});

test('a Duo push to a user without an activated Duo Mobile is kept as undelivered, not lost', () => {
  const { org, network } = lab();
  // Another user's Duo factor, no phone with Duo Mobile for them.
  const frank = org.createUser({ profile: { login: 'frank@example.com' }, password: 'pw-Frank-1' });
  const f = org.enrollFactor(frank.id, { factorType: 'web', provider: 'DUO', activate: true }).factor;
  org.verifyFactor(frank.id, f.id);
  assert.match(network.undelivered.at(-1)?.reason ?? '', /no activated Duo Mobile .*frank@example\.com/);
});

test('"sms" sends a Duo passcode to the phone by SMS; it works once', () => {
  const { org, network, erin, factorId } = lab();
  assert.equal(org.verifyFactor(erin.id, factorId, { passCode: 'SMS' }).result, 'CHALLENGE');
  const sms = network.smsFor('erin@example.com').at(-1);
  assert.match(sms?.text ?? '', /^Duo passcode: \d{6}$/);
  assert.equal(org.verifyFactor(erin.id, factorId, { passCode: sms!.code }).result, 'SUCCESS');
  assert.equal(org.verifyFactor(erin.id, factorId, { passCode: sms!.code }).result, 'INVALID');
  assert.throws(() => org.verifyFactor(erin.id, factorId, { passCode: 'sms' }), { errorCode: 'E0000109' }, 'one SMS per 30 s');
});

test('a Duo Mobile outside a phone cannot take pushes, and says how to get one', () => {
  assert.throws(() => new DuoMobile().setPushBehaviour({ action: 'approve' }), { code: 'DEVICE_NO_PUSH' });
  assert.deepEqual(new DuoMobile().pushes(), []);
});
