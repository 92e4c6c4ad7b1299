import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtualClock } from '../clock/virtual-clock.ts';
import type { OneTimeCodeMessage, PushAnswer, PushNotification } from '../okta/delivery.ts';
import { DeviceNetwork } from './network.ts';
import { Phone } from './phone.ts';

function world() {
  const clock = new VirtualClock();
  const answered: Array<[string, PushAnswer]> = [];
  const net = new DeviceNetwork({ clock });
  net.connect({ answerPush: (tx, a) => void answered.push([tx, a]) });
  const alice1 = net.addPhone(new Phone({ owner: 'alice@corp.example', number: '+15555550101', name: 'alice-iphone', clock }));
  const alice2 = net.addPhone(new Phone({ owner: 'alice@corp.example', number: '+15555550102', name: 'alice-ipad', clock }));
  const bob = net.addPhone(new Phone({ owner: 'bob@corp.example', number: '+1 555 555 0201', name: 'bob-pixel', clock }));
  alice1.installOktaVerify({ deviceId: 'ov-a1' }).setPushBehaviour({ action: 'deny' });
  alice2.installOktaVerify({ deviceId: 'ov-a2' }).setPushBehaviour({ action: 'approve', afterSeconds: 4 });
  net.emailInbox('erin@corp.example', 'erin@corp.example');
  return { clock, net, answered, alice1, alice2, bob };
}

function push(clock: VirtualClock, tx: string, deviceId: string): PushNotification {
  return {
    transactionId: tx,
    userId: '00u1',
    login: 'alice@corp.example',
    factorId: 'opf',
    deviceId,
    sentAt: clock.now(),
    expiresAt: clock.now() + 60_000,
    message: 'Sign-in request',
  };
}

function code(clock: VirtualClock, channel: OneTimeCodeMessage['channel'], login: string, to: string, c: string): OneTimeCodeMessage {
  return { userId: '00u', login, factorId: 'f', channel, to, code: c, sentAt: clock.now(), expiresAt: clock.now() + 300_000, text: `Your code is ${c}` };
}

test('pushes go to the device with that deviceId and answers go back to the org', async () => {
  const { clock, net, answered, alice1, alice2 } = world();
  net.push(push(clock, 't1', 'ov-a1'));
  net.push(push(clock, 't2', 'ov-a2'));
  await net.idle();
  assert.deepEqual(answered, [['t1', 'REJECT']]);
  assert.equal(alice1.oktaVerify!.pushes().length, 1);
  assert.deepEqual(net.pendingPushesFor('alice@corp.example').map((p) => p.transactionId), ['t2']);
  await clock.advance(4_000);
  assert.deepEqual(answered, [['t1', 'REJECT'], ['t2', 'APPROVE']]);
  assert.equal(alice2.oktaVerify!.pushes()[0]!.state, 'approved');
});

test('a push for an unknown device is kept as undelivered', () => {
  const { clock, net } = world();
  net.push(push(clock, 't9', 'ov-nobody'));
  assert.equal(net.undelivered.length, 1);
  assert.equal(net.undelivered[0]!.kind, 'push');
});

test('a person answers a pending push by transaction id; unknown ids are refused', async () => {
  const { clock, net, answered, alice1 } = world();
  alice1.oktaVerify!.setPushBehaviour({ action: 'ignore' });
  net.push(push(clock, 't1', 'ov-a1'));
  const r = await net.answerPush('t1', 'approve');
  assert.equal(r.state, 'approved');
  assert.deepEqual(answered, [['t1', 'APPROVE']]);
  await assert.rejects(net.answerPush('zzz', 'deny'), { code: 'DEVICE_UNKNOWN_PUSH' });
});

test('SMS and calls route by number (formatting ignored), email by address; queries by login', async () => {
  const { clock, net, bob } = world();
  net.oneTimeCode(code(clock, 'sms', 'bob@corp.example', '+15555550201', '111111'));
  await clock.advance(1000);
  net.oneTimeCode(code(clock, 'sms', 'bob@corp.example', '+15555550201', '222222'));
  net.oneTimeCode(code(clock, 'call', 'bob@corp.example', '+15555550201', '333333'));
  net.oneTimeCode(code(clock, 'email', 'erin@corp.example', 'Erin@Corp.example', '444444'));
  assert.equal(bob.sms.size, 2);
  assert.equal(net.latestCode('bob@corp.example', 'sms'), '222222');
  assert.equal(net.latestCode('bob@corp.example', 'call'), '333333');
  assert.equal(net.latestCode('erin@corp.example', 'email'), '444444');
  assert.deepEqual(net.smsFor('bob@corp.example').map((m) => m.code), ['111111', '222222']);
  assert.equal(net.emailsFor('erin@corp.example')[0]!.text, 'Your code is 444444');
  assert.equal(net.latestCode('alice@corp.example', 'sms'), undefined);
  net.oneTimeCode(code(clock, 'sms', 'x', '+19999999999', '555555'));
  assert.equal(net.undelivered.length, 1);
});

test('offline: SMS is held until the phone is back, a call is missed', async () => {
  const { clock, net, bob } = world();
  bob.goOffline();
  net.oneTimeCode(code(clock, 'sms', 'bob@corp.example', '+15555550201', '111111'));
  net.oneTimeCode(code(clock, 'call', 'bob@corp.example', '+15555550201', '222222'));
  assert.equal(net.latestCode('bob@corp.example', 'sms'), undefined);
  assert.equal(net.latestCode('bob@corp.example', 'call'), undefined);
  assert.equal(net.callsFor('bob@corp.example')[0]!.answered, false);
  await clock.advance(10_000);
  bob.goOnline();
  const sms = net.smsFor('bob@corp.example');
  assert.equal(sms[0]!.code, '111111');
  assert.equal(sms[0]!.receivedAt - sms[0]!.sentAt, 10_000);
});

test('a voice line that does not answer misses the call', () => {
  const { clock, net, bob } = world();
  bob.voice.answering = false;
  net.oneTimeCode(code(clock, 'call', 'bob@corp.example', '+15555550201', '222222'));
  assert.equal(net.latestCode('bob@corp.example', 'call'), undefined);
});

test('duplicate phone names, numbers and deviceIds are refused', () => {
  const { clock, net } = world();
  assert.throws(() => net.addPhone(new Phone({ owner: 'x', number: '+1000', name: 'alice-iphone', clock })), {
    code: 'DEVICE_DUPLICATE_PHONE',
  });
  const p = new Phone({ owner: 'x', number: '+1000', name: 'x', clock });
  p.installOktaVerify({ deviceId: 'ov-a1' });
  assert.throws(() => net.addPhone(p), { code: 'DEVICE_DUPLICATE_DEVICE_ID' });
});

test('without an org to answer to, a scripted answer is recorded as refused', async () => {
  const clock = new VirtualClock();
  const net = new DeviceNetwork({ clock });
  const p = net.addPhone(new Phone({ owner: 'a', number: '+1', name: 'p', clock }));
  p.installOktaVerify({ deviceId: 'd' }).setPushBehaviour({ action: 'approve' });
  net.push(push(clock, 't1', 'd'));
  await net.idle();
  assert.equal(p.oktaVerify!.pushes()[0]!.error, 'DEVICE_NETWORK_NOT_CONNECTED');
});
