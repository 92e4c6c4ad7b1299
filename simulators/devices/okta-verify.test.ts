import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtualClock } from '../clock/virtual-clock.ts';
import type { PushAnswer, PushNotification } from '../okta/delivery.ts';
import { Phone } from './phone.ts';
import { parsePushBehaviour } from './push-behaviour.ts';

function setup() {
  const clock = new VirtualClock();
  const phone = new Phone({ owner: 'alice', number: '+15555550101', name: 'alice-iphone', clock });
  const ov = phone.installOktaVerify({ deviceId: 'dev-alice-1' });
  const answers: Array<{ tx: string; answer: PushAnswer; at: number }> = [];
  let refuse: string | undefined;
  const channel = (tx: string, answer: PushAnswer): void => {
    if (refuse) throw Object.assign(new Error('no'), { code: refuse });
    answers.push({ tx, answer, at: clock.now() });
  };
  let n = 0;
  const send = (lifetimeS = 60): PushNotification => {
    const now = clock.now();
    const notification: PushNotification = {
      transactionId: `tx${++n}`,
      userId: '00u1',
      login: 'alice',
      factorId: 'opf1',
      deviceId: 'dev-alice-1',
      sentAt: now,
      expiresAt: now + lifetimeS * 1000,
      message: 'Amazon WorkSpaces sign-in request',
    };
    ov.deliver(notification, channel);
    return notification;
  };
  return {
    clock,
    phone,
    ov,
    answers,
    send,
    refuseWith: (c: string) => {
      refuse = c;
    },
  };
}

test('approve at once answers APPROVE to the org without moving the clock', async () => {
  const { ov, answers, send, clock } = setup();
  const t0 = clock.now();
  ov.setPushBehaviour({ action: 'approve' });
  send();
  await ov.idle();
  assert.deepEqual(answers, [{ tx: 'tx1', answer: 'APPROVE', at: t0 }]);
  assert.equal(ov.pushes()[0]!.state, 'approved');
});

test('deny at once answers REJECT', async () => {
  const { ov, answers, send } = setup();
  ov.setPushBehaviour(parsePushBehaviour('deny'));
  send();
  await ov.idle();
  assert.equal(answers[0]!.answer, 'REJECT');
  assert.equal(ov.pushes()[0]!.state, 'denied');
});

test('ignore leaves the push pending until it expires', async () => {
  const { ov, answers, send, clock } = setup();
  send(60);
  await clock.advance(59_000);
  assert.equal(ov.pendingPushes().length, 1);
  await clock.advance(1_000);
  assert.equal(ov.pendingPushes().length, 0);
  assert.equal(ov.pushes()[0]!.state, 'expired');
  assert.deepEqual(answers, []);
});

test('approve after 10 s answers at exactly +10 s of virtual time, not before', async () => {
  const { ov, answers, send, clock } = setup();
  ov.setPushBehaviour(parsePushBehaviour('approve after 10s'));
  const t0 = clock.now();
  send();
  await clock.advance(9_999);
  assert.deepEqual(answers, []);
  assert.equal(ov.pendingPushes().length, 1);
  await clock.advance(1);
  assert.deepEqual(answers, [{ tx: 'tx1', answer: 'APPROVE', at: t0 + 10_000 }]);
});

test('deny after N seconds; an answer after expiry is recorded as expired', async () => {
  const { ov, answers, send, clock, refuseWith } = setup();
  ov.setPushBehaviour(parsePushBehaviour('deny after 5 seconds'));
  send();
  await clock.advance(5_000);
  assert.equal(answers[0]!.answer, 'REJECT');
  ov.setPushBehaviour({ action: 'approve', afterSeconds: 90 });
  send(60);
  refuseWith('E0000007');
  await clock.advance(90_000);
  const late = ov.pushes()[1]!;
  assert.equal(late.state, 'expired');
  assert.equal(late.error, 'E0000007');
});

test('queued behaviours apply to the next pushes in order, then the standing one', async () => {
  const { ov, answers, send } = setup();
  ov.setPushBehaviour({ action: 'approve' });
  ov.queuePushBehaviours({ action: 'deny' }, { action: 'ignore' });
  send();
  send();
  send();
  await ov.idle();
  assert.deepEqual(
    answers.map((a) => [a.tx, a.answer]),
    [
      ['tx1', 'REJECT'],
      ['tx3', 'APPROVE'],
    ],
  );
  assert.deepEqual(
    ov.pushes().map((p) => p.state),
    ['denied', 'pending', 'approved'],
  );
});

test('offline phone receives nothing; back online the push appears and its script starts then', async () => {
  const { ov, phone, answers, send, clock } = setup();
  ov.setPushBehaviour({ action: 'approve', afterSeconds: 3 });
  phone.goOffline();
  send(60);
  await clock.advance(20_000);
  assert.deepEqual(answers, []);
  assert.equal(ov.pushes()[0]!.state, 'queued');
  assert.equal(ov.pendingPushes().length, 0);
  phone.goOnline();
  assert.equal(ov.pendingPushes().length, 1);
  assert.equal(ov.pushes()[0]!.receivedAt, clock.now());
  await clock.advance(3_000);
  assert.equal(answers.length, 1);
  assert.equal(ov.pushes()[0]!.state, 'approved');
});

test('a push that expired while offline never shows', async () => {
  const { ov, phone, send, clock, answers } = setup();
  ov.setPushBehaviour({ action: 'approve' });
  phone.goOffline();
  send(30);
  await clock.advance(31_000);
  phone.goOnline();
  await ov.idle();
  assert.equal(ov.pushes()[0]!.state, 'expired');
  assert.equal(ov.pushes()[0]!.receivedAt, undefined);
  assert.deepEqual(answers, []);
});

test('a scripted answer due while the phone is offline is lost', async () => {
  const { ov, phone, send, clock, answers } = setup();
  ov.setPushBehaviour({ action: 'approve', afterSeconds: 5 });
  send(60);
  phone.goOffline();
  await clock.advance(5_000);
  assert.deepEqual(answers, []);
});

test('answering by hand: approve / deny once; unknown or answered pushes are refused with codes', async () => {
  const { ov, phone, send, answers } = setup();
  send();
  const r = await ov.approve('tx1');
  assert.equal(r.state, 'approved');
  assert.equal(answers[0]!.answer, 'APPROVE');
  await assert.rejects(ov.deny('tx1'), { code: 'DEVICE_PUSH_NOT_PENDING' });
  await assert.rejects(ov.approve('nope'), { code: 'DEVICE_UNKNOWN_PUSH' });
  send();
  phone.goOffline();
  await assert.rejects(ov.deny('tx2'), { code: 'DEVICE_OFFLINE' });
});

test('push behaviour text is parsed and bad text refused', () => {
  assert.deepEqual(parsePushBehaviour('Approve after 2.5 s'), { action: 'approve', afterSeconds: 2.5 });
  assert.deepEqual(parsePushBehaviour('ignore'), { action: 'ignore' });
  assert.throws(() => parsePushBehaviour('maybe'), { code: 'DEVICE_BAD_PUSH_BEHAVIOUR' });
  assert.throws(() => parsePushBehaviour('ignore after 3s'), { code: 'DEVICE_BAD_PUSH_BEHAVIOUR' });
});

test('one Okta Verify per phone; the phone lists its apps', () => {
  const { phone } = setup();
  assert.throws(() => phone.installOktaVerify(), { code: 'DEVICE_APP_ALREADY_INSTALLED' });
  phone.installGoogleAuthenticator();
  assert.deepEqual(
    phone.view().apps.map((a) => a.kind),
    ['okta-verify', 'google-authenticator'],
  );
});
