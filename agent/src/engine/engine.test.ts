import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../../simulators/clock/virtual-clock.ts';
import { OktaUnavailableError } from '../okta/client.ts';
import { type AppMode, Engine, type EngineAppConfig, type EngineRequest, type TimeoutResponseMode } from './engine.ts';
import { FakeOkta } from './fake-okta.test-helper.ts';

function setup(
  opts: {
    mode?: AppMode;
    appId?: string;
    suffix?: string;
    stripDomain?: boolean;
    pushMs?: number;
    responseMode?: TimeoutResponseMode;
    maxOpenChallenges?: number;
    factorMenu?: 'when-several' | 'always';
    oktaApp?: 'amazon-workspaces' | 'radius';
    challengeMs?: number;
    groups?: string[];
  } = {},
) {
  const clock = new VirtualClock();
  const okta = new FakeOkta();
  okta.now = () => clock.now();
  let pending = 0;
  const app: EngineAppConfig = {
    name: 'ws',
    mode: opts.mode ?? 'mfa-only',
    usernameFormat: { ...(opts.suffix ? { suffix: opts.suffix } : {}), ...(opts.stripDomain === undefined ? {} : { stripDomain: opts.stripDomain }) },
    timeouts: {
      totalRequestMs: 60_000,
      responseModeOnTimeout: opts.responseMode ?? 'reject-when-polling-mfa',
      ...(opts.pushMs ? { pushMs: opts.pushMs } : {}),
      ...(opts.challengeMs ? { challengeMs: opts.challengeMs } : {}),
    },
    ...(opts.appId ? { appId: opts.appId } : {}),
    ...(opts.factorMenu ? { factorMenu: opts.factorMenu } : {}),
    ...(opts.oktaApp ? { oktaApp: opts.oktaApp } : {}),
    ...(opts.groups ? { groups: { include: opts.groups } } : {}),
  };
  let n = 0;
  const engine = new Engine({
    app,
    okta,
    clock,
    newState: () => Uint8Array.of(++n),
    ...(opts.maxOpenChallenges ? { maxOpenChallenges: opts.maxOpenChallenges } : {}),
    onPushPending: (d) => {
      pending += d;
    },
  });
  const pap = (userName: string, password: string, extra: Partial<EngineRequest> = {}) =>
    engine.authenticate({ userName, password, protocol: 'pap', ...extra });
  return { clock, okta, engine, pap, pending: () => pending };
}

const OV_TOTP = { id: 'ov-totp', factorType: 'token:software:totp', provider: 'OKTA' };
const OV_PUSH = { id: 'ov-push', factorType: 'push', provider: 'OKTA' };
const GA = { id: 'ga', factorType: 'token:software:totp', provider: 'GOOGLE' };
const SMS = { id: 'sms', factorType: 'sms', provider: 'OKTA', profile: { phoneNumber: '+15555551234' } };
const CALL = { id: 'call', factorType: 'call', provider: 'OKTA', profile: { phoneNumber: '+442071234567' } };
const EMAIL = { id: 'email', factorType: 'email', provider: 'OKTA', profile: { email: 'alice@example.com' } };
const DUO = { id: 'duo', factorType: 'web', provider: 'DUO' };

describe('engine: users', () => {
  it('rejects an unknown user with user-not-found', async () => {
    const { pap } = setup();
    const d = await pap('nobody', '123456');
    assert.equal(d.result, 'reject');
    assert.equal(d.reason, 'user-not-found');
    assert.match(d.replyMessage ?? '', /No Okta user/);
  });

  for (const mode of ['mfa-only', 'password-passcode', 'password-first'] as const) {
    it(`${mode}: alice, alice@corp.example.com and CORP\\alice all resolve to alice@corp.example.com`, async () => {
      const { pap, okta } = setup({ mode, suffix: '@corp.example.com' });
      okta.addUser('alice@corp.example.com', [OV_TOTP], { password: 'pw' });
      okta.validCodes.set('ov-totp', '123456');
      for (const userName of ['alice', 'alice@corp.example.com', 'CORP\\alice']) {
        let d = await pap(userName, mode === 'password-passcode' ? 'pw,123456' : mode === 'password-first' ? 'pw' : '123456');
        if (mode === 'password-first') {
          assert.equal(d.result, 'challenge', userName);
          d = await pap(userName, '123456', { state: d.state });
        }
        assert.deepEqual([d.reason, d.login], ['passcode-accepted', 'alice@corp.example.com'], userName);
      }
    });
  }

  it('stripDomain false: CORP\\alice is looked up as sent', async () => {
    const { pap, okta } = setup({ suffix: '@corp.example.com', stripDomain: false });
    okta.addUser('alice@corp.example.com', [OV_TOTP]);
    const d = await pap('CORP\\alice', '123456');
    assert.deepEqual([d.reason, d.login], ['user-not-found', 'CORP\\alice']);
  });

  it('no user name at all is user-not-found without calling Okta', async () => {
    const { pap, okta } = setup({ suffix: '@corp.example.com' });
    assert.equal((await pap('CORP\\', '123456')).reason, 'user-not-found');
    assert.equal(okta.calls.length, 0);
  });

  it('rejects a user who is not ACTIVE', async () => {
    const { pap, okta } = setup();
    okta.addUser('bob', [OV_TOTP]).user.status = 'SUSPENDED';
    const d = await pap('bob', '123456');
    assert.equal(d.reason, 'user-not-active');
    assert.match(d.replyMessage ?? '', /not active/);
  });

  it('rejects a user not assigned to the app (only when appId is configured)', async () => {
    const { pap, okta } = setup({ appId: '0oa1' });
    okta.addUser('carol', [OV_TOTP], { assigned: false });
    const d = await pap('carol', '123456');
    assert.equal(d.reason, 'user-not-assigned');
    const noApp = setup();
    noApp.okta.addUser('carol', [OV_TOTP], { assigned: false });
    noApp.okta.validCodes.set('ov-totp', '123456');
    assert.equal((await noApp.pap('carol', '123456')).reason, 'passcode-accepted');
  });

  it('rejects a user without a usable factor (none, or only inactive / unsupported ones)', async () => {
    const { pap, okta } = setup();
    okta.addUser('dave', [
      { ...OV_TOTP, status: 'PENDING_ACTIVATION' },
      { id: 'q', factorType: 'question' },
    ]);
    const d = await pap('dave', '123456');
    assert.equal(d.reason, 'no-usable-factor');
  });
});

describe('engine: passcodes', () => {
  it('accepts an Okta Verify code and a Google Authenticator code', async () => {
    const { pap, okta } = setup();
    okta.addUser('alice', [OV_TOTP, GA]);
    okta.validCodes.set('ov-totp', '111111');
    okta.validCodes.set('ga', '222222');
    const a = await pap('alice', '111111');
    assert.deepEqual([a.result, a.reason, a.factor], ['accept', 'passcode-accepted', 'okta-verify-totp']);
    const b = await pap('alice', '222222');
    assert.deepEqual([b.result, b.factor], ['accept', 'google-authenticator']);
  });

  it('tries every active passcode factor in order and rejects when none accepts', async () => {
    const { pap, okta } = setup();
    okta.addUser('alice', [GA, OV_TOTP, OV_PUSH]);
    const d = await pap('alice', '999999');
    assert.equal(d.reason, 'passcode-invalid');
    const tried = okta.calls.filter((c) => c.op === 'verifyPasscode').map((c) => c.factorId);
    assert.deepEqual(tried, ['ov-totp', 'ga'], 'Okta Verify before Google Authenticator; push is not a passcode factor');
  });

  it('tries a code against each Okta Verify device, newest first', async () => {
    const { pap, okta } = setup();
    okta.addUser('multi', [
      { ...OV_TOTP, id: 'old', created: '2024-01-01T00:00:00.000Z' },
      { ...OV_TOTP, id: 'new', created: '2025-06-01T00:00:00.000Z' },
    ]);
    okta.validCodes.set('old', '333333');
    const d = await pap('multi', '333333');
    assert.equal(d.reason, 'passcode-accepted');
    assert.deepEqual(
      okta.calls.filter((c) => c.op === 'verifyPasscode').map((c) => c.factorId),
      ['new', 'old'],
    );
  });

  it('rejects text that is neither a code nor a keyword without calling verify', async () => {
    const { pap, okta } = setup();
    okta.addUser('alice', [OV_TOTP]);
    const d = await pap('alice', 'hunter2');
    assert.equal(d.reason, 'answer-not-understood');
    assert.ok(!okta.ops().includes('verifyPasscode'));
  });
});

describe('engine: keywords', () => {
  it('SMS: first request is rejected with otp-sent and a masked number; the code then signs in (pending factor first)', async () => {
    const { pap, okta } = setup();
    okta.addUser('alice', [OV_TOTP, SMS]);
    const first = await pap('alice', 'sms');
    assert.equal(first.result, 'reject');
    assert.equal(first.reason, 'otp-sent');
    assert.equal(first.replyMessage, 'A code was sent by SMS to +1 XXX-XXX-1234. Sign in again with the code.');
    assert.ok(!first.replyMessage?.includes('5555551234'));
    okta.validCodes.set('sms', '424242');
    okta.calls.length = 0;
    const second = await pap('alice', '424242');
    assert.deepEqual([second.result, second.factor], ['accept', 'sms']);
    assert.equal(okta.calls.find((c) => c.op === 'verifyPasscode')?.factorId, 'sms', 'the pending SMS factor is tried first');
  });

  it('SMS asked for again too soon: rejected with otp-recently-sent, and the code already sent still signs in', async () => {
    const { pap, okta } = setup();
    okta.addUser('alice', [OV_TOTP, SMS]);
    okta.throttled.add('sms');
    const d = await pap('alice', 'SMS');
    assert.deepEqual([d.result, d.reason], ['reject', 'otp-recently-sent']);
    assert.match(d.replyMessage ?? '', /less than 30 seconds ago/);
    okta.validCodes.set('sms', '515151');
    const second = await pap('alice', '515151');
    assert.deepEqual([second.result, second.factor], ['accept', 'sms']);
  });

  it('CALL and EMAIL send codes with their own Reply-Message', async () => {
    const { pap, okta } = setup();
    okta.addUser('alice', [CALL, EMAIL]);
    assert.match((await pap('alice', 'CALL')).replyMessage ?? '', /voice call to number ending 4567/);
    assert.match((await pap('alice', 'Email')).replyMessage ?? '', /by email to a\*\*\*@example\.com/);
  });

  it("Okta's clock behind the agent's (expiresAt already past on ours): the code sent still signs in", async () => {
    // The process / container targets: the lab's Okta runs on a virtual clock months behind the agent's real one.
    const { pap, okta, clock } = setup();
    okta.addUser('alice', [SMS]);
    okta.challengeExpiresAt = clock.now() - 200 * 86_400_000;
    assert.equal((await pap('alice', 'sms')).reason, 'otp-sent');
    await clock.advance(20_000);
    okta.validCodes.set('sms', '424242');
    const second = await pap('alice', '424242');
    assert.deepEqual([second.result, second.factor], ['accept', 'sms']);
  });

  it("a pending code lives Okta's expiresAt when that is sooner than otpMs, else otpMs", async () => {
    const { pap, okta, clock } = setup();
    okta.addUser('alice', [SMS]);
    okta.validCodes.set('sms', '424242');
    okta.challengeExpiresAt = clock.now() + 60_000;
    await pap('alice', 'sms');
    await clock.advance(60_000);
    assert.equal((await pap('alice', '424242')).reason, 'factor-not-enrolled', 'gone with Okta\'s expiry');
    okta.challengeExpiresAt = clock.now() + 3_600_000;
    await pap('alice', 'sms');
    await clock.advance(300_001);
    assert.equal((await pap('alice', '424242')).reason, 'factor-not-enrolled', 'gone after otpMs (5 min) at most');
  });

  it('a pending code expires with the clock', async () => {
    const { pap, okta, clock } = setup();
    okta.addUser('alice', [SMS]);
    await pap('alice', 'SMS');
    await clock.advance(300_001);
    okta.validCodes.set('sms', '424242');
    const d = await pap('alice', '424242');
    assert.equal(d.reason, 'factor-not-enrolled', 'no pending SMS and no passcode factor');
  });

  it('PUSH approved / denied / not answered', async () => {
    const { pap, okta } = setup();
    okta.addUser('alice', [OV_PUSH]);
    okta.pushes.set('ov-push', 'SUCCESS');
    assert.deepEqual([(await pap('alice', 'push')).result, (await pap('alice', 'PUSH')).reason], ['accept', 'push-approved']);
    okta.pushes.set('ov-push', 'REJECTED');
    assert.equal((await pap('alice', 'Push')).reason, 'push-rejected');
    okta.pushes.set('ov-push', 'TIMEOUT');
    const t = await pap('alice', 'push');
    assert.equal(t.reason, 'push-timeout');
    assert.match(t.replyMessage ?? '', /not answered in time/);
  });

  it('push waits half the total request timeout by default, or the configured pushMs', async () => {
    const a = setup();
    a.okta.addUser('alice', [OV_PUSH]);
    await a.pap('alice', 'push');
    assert.equal(a.okta.calls.find((c) => c.op === 'verifyPush')?.timeoutMs, 30_000);
    const b = setup({ pushMs: 5_000 });
    b.okta.addUser('alice', [OV_PUSH]);
    await b.pap('alice', 'push');
    assert.equal(b.okta.calls.find((c) => c.op === 'verifyPush')?.timeoutMs, 5_000);
  });

  it('several Okta Verify devices: the push goes to the most recently enrolled ACTIVE one only', async () => {
    const { pap, okta } = setup();
    okta.addUser('multi', [
      { ...OV_PUSH, id: 'phone-2023', created: '2023-01-01T00:00:00.000Z' },
      { ...OV_PUSH, id: 'phone-2025', created: '2025-01-01T00:00:00.000Z' },
      { ...OV_PUSH, id: 'phone-2026-inactive', created: '2026-01-01T00:00:00.000Z', status: 'PENDING_ACTIVATION' },
    ]);
    okta.pushes.set('phone-2025', 'SUCCESS');
    const d = await pap('multi', 'push');
    assert.equal(d.reason, 'push-approved');
    assert.deepEqual(
      okta.calls.filter((c) => c.op === 'verifyPush').map((c) => c.factorId),
      ['phone-2025'],
    );
  });

  it('counts pending pushes while waiting', async () => {
    const { pap, okta, clock, pending } = setup();
    okta.addUser('alice', [OV_PUSH]);
    okta.pushes.set('ov-push', 'HANG');
    const p = pap('alice', 'push');
    await clock.advance(0);
    assert.equal(pending(), 1);
    await clock.advance(60_000);
    await p;
    assert.equal(pending(), 0);
  });

  it('a keyword for a factor the user lacks is factor-not-enrolled', async () => {
    const { pap, okta } = setup();
    okta.addUser('alice', [OV_TOTP]);
    const d = await pap('alice', 'sms');
    assert.equal(d.reason, 'factor-not-enrolled');
    assert.match(d.replyMessage ?? '', /no SMS factor/);
  });
});

describe('engine: Duo', () => {
  it('a Duo-enrolled user signs in with a Duo passcode only', async () => {
    const { pap, okta } = setup();
    okta.addUser('dana', [DUO, OV_TOTP, OV_PUSH]);
    okta.validCodes.set('duo', '7654321');
    okta.validCodes.set('ov-totp', '123456');
    const ok = await pap('dana', '7654321');
    assert.deepEqual([ok.result, ok.factor], ['accept', 'duo']);
    const otherFactor = await pap('dana', '123456');
    assert.equal(otherFactor.reason, 'passcode-invalid', 'Okta Verify codes are not tried for Duo users');
    for (const k of ['push', 'SMS', 'call', 'email']) {
      const d = await pap('dana', k);
      assert.equal(d.reason, 'duo-keyword-refused');
      assert.match(d.replyMessage ?? '', /Duo passcode/);
    }
    assert.ok(!okta.ops().includes('verifyPush'));
  });
});

describe('engine: protocol', () => {
  for (const protocol of ['chap', 'mschapv1', 'mschapv2'] as const) {
    it(`rejects ${protocol} with a Reply-Message asking for PAP`, async () => {
      const { engine, okta } = setup();
      const d = await engine.authenticate({ userName: 'alice', password: undefined, protocol });
      assert.equal(d.reason, 'protocol-not-supported');
      assert.match(d.replyMessage ?? '', /PAP/);
      assert.equal(okta.calls.length, 0);
    });
  }
});

describe('engine: password,passcode (Authn transaction)', () => {
  const mode = 'password-passcode' as const;

  it('checks the password with Okta, then verifies the code inside the same transaction (never the Factors API)', async () => {
    const { pap, okta } = setup({ mode });
    okta.addUser('alice', [OV_TOTP], { password: 'pa,ss' });
    okta.validCodes.set('ov-totp', '123456');
    const d = await pap('alice', 'pa,ss,123456');
    assert.deepEqual([d.result, d.reason, d.factor], ['accept', 'passcode-accepted', 'okta-verify-totp']);
    assert.deepEqual(okta.ops(), ['primaryAuth', 'listFactors', 'authnVerifyPasscode']);
    const verify = okta.calls.find((c) => c.op === 'authnVerifyPasscode');
    assert.equal(verify?.stateToken, '00st-1', 'the stateToken primary auth returned');
  });

  it('wrong password, no comma, wrong code', async () => {
    const { pap, okta } = setup({ mode });
    okta.addUser('alice', [OV_TOTP], { password: 'pa,ss' });
    okta.validCodes.set('ov-totp', '123456');
    assert.equal((await pap('alice', 'wrong,123456')).reason, 'password-invalid');
    assert.equal((await pap('alice', '123456')).reason, 'password-missing');
    assert.equal((await pap('alice', ',123456')).reason, 'password-missing');
    assert.equal((await pap('alice', 'pa,ss,000000')).reason, 'passcode-invalid');
    assert.ok(!okta.ops().includes('verifyPasscode'));
  });

  it('PUSH: a push in the transaction, polled with the stateToken within the push timeout', async () => {
    const { pap, okta } = setup({ mode, pushMs: 20_000 });
    okta.addUser('alice', [OV_PUSH], { password: 'pw' });
    okta.pushes.set('ov-push', 'SUCCESS');
    assert.equal((await pap('alice', 'pw,push')).reason, 'push-approved');
    const push = okta.calls.find((c) => c.op === 'authnVerifyPush');
    assert.deepEqual([push?.stateToken, push?.timeoutMs], ['00st-1', 20_000]);
    okta.pushes.set('ov-push', 'REJECTED');
    assert.equal((await pap('alice', 'pw,PUSH')).reason, 'push-rejected');
    okta.pushes.set('ov-push', 'TIMEOUT');
    assert.equal((await pap('alice', 'pw,Push')).reason, 'push-timeout');
    assert.ok(!okta.ops().includes('verifyPush'));
  });

  it('SMS: the code is sent in the transaction (reject otp-sent), then "password,code" verifies it in a new one', async () => {
    const { pap, okta } = setup({ mode });
    okta.addUser('alice', [OV_TOTP, SMS], { password: 'pw' });
    const first = await pap('alice', 'pw,sms');
    assert.deepEqual([first.result, first.reason], ['reject', 'otp-sent']);
    assert.match(first.replyMessage ?? '', /by SMS to \+1 XXX-XXX-1234/);
    assert.deepEqual(
      okta.calls.filter((c) => c.op === 'authnChallenge').map((c) => [c.factorId, c.stateToken]),
      [['sms', '00st-1']],
    );
    okta.validCodes.set('sms', '424242');
    const second = await pap('alice', 'pw,424242');
    assert.deepEqual([second.result, second.factor], ['accept', 'sms']);
    const tried = okta.calls.filter((c) => c.op === 'authnVerifyPasscode');
    assert.deepEqual(
      tried.map((c) => [c.factorId, c.stateToken]),
      [['sms', '00st-2']],
      'the SMS factor first, in the new transaction',
    );
  });

  it('only the factors the transaction offers (Okta sign-on policy) are used', async () => {
    const { pap, okta } = setup({ mode });
    okta.addUser('alice', [OV_TOTP, GA, OV_PUSH], { password: 'pw', offered: ['ga'] });
    okta.validCodes.set('ov-totp', '111111');
    okta.validCodes.set('ga', '222222');
    assert.equal((await pap('alice', 'pw,111111')).reason, 'passcode-invalid');
    assert.equal((await pap('alice', 'pw,push')).reason, 'factor-not-enrolled');
    assert.equal((await pap('alice', 'pw,222222')).factor, 'google-authenticator');
    assert.deepEqual(
      okta.calls.filter((c) => c.op === 'authnVerifyPasscode').map((c) => c.factorId),
      ['ga', 'ga'],
    );
  });

  it('no second factor required by Okta (Authn SUCCESS) is an accept; MFA_ENROLL is a reject', async () => {
    const { pap, okta } = setup({ mode, appId: '0oa1' });
    okta.addUser('alice', [OV_TOTP], { password: 'pw', offered: [] });
    const d = await pap('alice', 'pw,push');
    assert.deepEqual([d.result, d.reason], ['accept', 'password-accepted']);
    assert.ok(okta.ops().includes('isAssignedToApp'));
    okta.addUser('bob', [OV_TOTP], { password: 'pw', offered: [], assigned: false });
    assert.equal((await pap('bob', 'pw,123456')).reason, 'user-not-assigned');
    okta.addUser('carol', [], { password: 'pw', authnStatus: 'MFA_ENROLL' });
    assert.equal((await pap('carol', 'pw,123456')).reason, 'no-usable-factor');
  });

  it('a transaction Okta no longer knows is challenge-expired (fail closed)', async () => {
    const { pap, okta } = setup({ mode });
    okta.addUser('alice', [OV_TOTP], { password: 'pw' });
    okta.validCodes.set('ov-totp', '123456');
    okta.transactionMs = 0;
    const d = await pap('alice', 'pw,123456');
    assert.deepEqual([d.result, d.reason], ['reject', 'challenge-expired']);
  });
});

describe('engine: password-first (Access-Challenge, Authn transaction)', () => {
  const mode = 'password-first' as const;

  it('challenges with a numbered menu of the offered factors; the State is random, not the stateToken', async () => {
    const { pap, okta } = setup({ mode });
    okta.addUser('alice', [OV_PUSH, OV_TOTP, SMS, EMAIL], { password: 'pw' });
    const c = await pap('alice', 'pw');
    assert.deepEqual([c.result, c.reason], ['challenge', 'factor-choice']);
    assert.equal(
      c.replyMessage,
      'Choose a factor: 1 Okta Verify push, 2 Okta Verify code, 3 SMS code (+1 XXX-XXX-1234), 4 email code (a***@example.com). Reply with its number, or enter a code.',
    );
    assert.deepEqual([...(c.state ?? [])], [1], 'the State from newState()');
    const wire = Buffer.from(c.state ?? []).toString('latin1') + (c.replyMessage ?? '');
    assert.ok(!wire.includes('00st-'), 'the stateToken is not in the State or the Reply-Message');
  });

  it('pick push by number: polled in the transaction; a State answers once', async () => {
    const { pap, okta } = setup({ mode, pushMs: 10_000 });
    okta.addUser('alice', [OV_PUSH, OV_TOTP, SMS], { password: 'pw' });
    okta.pushes.set('ov-push', 'SUCCESS');
    const c = await pap('alice', 'pw');
    const d = await pap('alice', '1', { state: c.state });
    assert.equal(d.reason, 'push-approved');
    const push = okta.calls.find((c) => c.op === 'authnVerifyPush');
    assert.deepEqual([push?.factorId, push?.stateToken, push?.timeoutMs], ['ov-push', '00st-1', 10_000]);
    const replay = await pap('alice', '1', { state: c.state });
    assert.equal(replay.reason, 'challenge-expired', 'a State answers once');
    assert.ok(!okta.ops().includes('verifyPush'));
  });

  it('push denied or not answered', async () => {
    const { pap, okta } = setup({ mode, factorMenu: 'always' });
    okta.addUser('alice', [OV_PUSH], { password: 'pw' });
    okta.pushes.set('ov-push', 'REJECTED');
    assert.equal((await pap('alice', 'push', { state: (await pap('alice', 'pw')).state })).reason, 'push-rejected');
    okta.pushes.set('ov-push', 'TIMEOUT');
    assert.equal((await pap('alice', '1', { state: (await pap('alice', 'pw')).state })).reason, 'push-timeout');
  });

  it('pick SMS: the code is sent in the transaction, a second challenge, the code verified in the same transaction', async () => {
    const { pap, okta } = setup({ mode });
    okta.addUser('alice', [OV_PUSH, SMS], { password: 'pw' });
    okta.validCodes.set('sms', '555111');
    const c1 = await pap('alice', 'pw');
    const c2 = await pap('alice', '2', { state: c1.state });
    assert.deepEqual([c2.result, c2.reason], ['challenge', 'code-requested']);
    assert.equal(c2.replyMessage, 'A code was sent by SMS to +1 XXX-XXX-1234. Enter it.');
    assert.notDeepEqual(c2.state, c1.state);
    const d = await pap('alice', '555111', { state: c2.state });
    assert.deepEqual([d.reason, d.factor], ['passcode-accepted', 'sms']);
    assert.deepEqual(
      okta.calls.filter((c) => c.op.startsWith('authn')).map((c) => [c.op, c.factorId, c.stateToken]),
      [
        ['authnChallenge', 'sms', '00st-1'],
        ['authnVerifyPasscode', 'sms', '00st-1'],
      ],
    );
    assert.ok(!okta.ops().includes('challenge') && !okta.ops().includes('verifyPasscode'));
  });

  it('CALL and EMAIL by keyword go through the same endpoint', async () => {
    const { pap, okta } = setup({ mode });
    okta.addUser('alice', [CALL, EMAIL], { password: 'pw' });
    const a = await pap('alice', 'call', { state: (await pap('alice', 'pw')).state });
    assert.match(a.replyMessage ?? '', /voice call to number ending 4567/);
    const b = await pap('alice', 'EMAIL', { state: (await pap('alice', 'pw')).state });
    assert.match(b.replyMessage ?? '', /email to a\*\*\*@example\.com/);
    assert.deepEqual(
      okta.calls.filter((c) => c.op === 'authnChallenge').map((c) => c.factorId),
      ['call', 'email'],
    );
  });

  it('pick a code factor by number, then the code; a code typed at the menu is tried too', async () => {
    const { pap, okta } = setup({ mode });
    okta.addUser('alice', [OV_TOTP, GA], { password: 'pw' });
    okta.validCodes.set('ga', '222222');
    const c1 = await pap('alice', 'pw');
    assert.match(c1.replyMessage ?? '', /1 Okta Verify code, 2 Google Authenticator code/);
    const c2 = await pap('alice', '2', { state: c1.state });
    assert.equal(c2.replyMessage, 'Enter your Google Authenticator code.');
    assert.equal((await pap('alice', '222222', { state: c2.state })).factor, 'google-authenticator');
    okta.validCodes.set('ov-totp', '111111');
    const c3 = await pap('alice', 'pw');
    assert.equal((await pap('alice', '111111', { state: c3.state })).factor, 'okta-verify-totp');
  });

  it('wrong password, wrong code, unknown answer, another user name with the State', async () => {
    const { pap, okta } = setup({ mode, factorMenu: 'always' });
    okta.addUser('alice', [OV_TOTP], { password: 'pw' });
    assert.equal((await pap('alice', 'nope')).reason, 'password-invalid');
    assert.equal((await pap('alice', '')).reason, 'password-missing');
    assert.equal((await pap('alice', '000000', { state: (await pap('alice', 'pw')).state })).reason, 'passcode-invalid');
    assert.equal((await pap('alice', 'what', { state: (await pap('alice', 'pw')).state })).reason, 'answer-not-understood');
    assert.equal((await pap('mallory', '1', { state: (await pap('alice', 'pw')).state })).reason, 'challenge-expired');
  });

  it('the State expires after challengeMs, or with the Okta transaction if that is sooner', async () => {
    const { pap, okta, clock, engine } = setup({ mode });
    okta.addUser('alice', [OV_TOTP], { password: 'pw' });
    okta.validCodes.set('ov-totp', '123456');
    const late = await pap('alice', 'pw');
    await clock.advance(300_001);
    assert.equal((await pap('alice', '123456', { state: late.state })).reason, 'challenge-expired');
    assert.equal(engine.openChallenges, 0, 'the expired session is gone');

    okta.transactionMs = 60_000; // Okta's transaction ends before challengeMs
    const c = await pap('alice', 'pw');
    await clock.advance(60_000);
    const d = await pap('alice', '123456', { state: c.state });
    assert.equal(d.reason, 'challenge-expired');
    assert.ok(!okta.ops().includes('authnVerifyPasscode'), 'expired on our side, before asking Okta');
  });

  it("Okta's clock behind the agent's (transaction expiresAt already past on ours): the State still works", async () => {
    const { pap, okta } = setup({ mode });
    okta.addUser('alice', [OV_TOTP], { password: 'pw' });
    okta.validCodes.set('ov-totp', '123456');
    okta.now = () => -200 * 86_400_000; // Okta's transactions live on a clock far behind ours
    const c = await pap('alice', 'pw');
    assert.equal(c.result, 'challenge');
    assert.equal((await pap('alice', '123456', { state: c.state })).factor, 'okta-verify-totp');
  });

  it('Okta forgetting the transaction before the State expires is challenge-expired', async () => {
    const { pap, okta } = setup({ mode });
    okta.addUser('alice', [OV_PUSH, SMS], { password: 'pw' });
    const c = await pap('alice', 'pw');
    okta.transactions.clear();
    assert.equal((await pap('alice', '1', { state: c.state })).reason, 'challenge-expired');
    const c2 = await pap('alice', 'pw');
    okta.transactions.clear();
    assert.equal((await pap('alice', '2', { state: c2.state })).reason, 'challenge-expired');
  });

  it('a Duo user sees Duo only and keywords are refused', async () => {
    const { pap, okta } = setup({ mode, factorMenu: 'always' });
    okta.addUser('dana', [DUO, OV_PUSH], { password: 'pw' });
    okta.validCodes.set('duo', '7654321');
    const c = await pap('dana', 'pw');
    assert.match(c.replyMessage ?? '', /^Choose a factor: 1 Duo passcode\./);
    assert.equal((await pap('dana', 'push', { state: c.state })).reason, 'duo-keyword-refused');
    assert.equal((await pap('dana', '7654321', { state: (await pap('dana', 'pw')).state })).factor, 'duo');
  });

  // citrix-netscaler-radius-user-exp.htm: one MFA option → prompted for it directly; the menu only with several.
  it('one factor: prompted for it directly — a code factor asks for its code, SMS sends it, a push goes at once', async () => {
    const { pap, okta } = setup({ mode });
    okta.addUser('alice', [GA], { password: 'pw' });
    okta.validCodes.set('ga', '222222');
    const c = await pap('alice', 'pw');
    assert.deepEqual([c.result, c.reason, c.replyMessage], ['challenge', 'code-requested', 'Enter your Google Authenticator code.']);
    assert.equal((await pap('alice', '222222', { state: c.state })).reason, 'passcode-accepted');

    okta.addUser('sam', [SMS], { password: 'pw' });
    const s1 = await pap('sam', 'pw');
    assert.deepEqual([s1.reason, s1.replyMessage], ['code-requested', 'A code was sent by SMS to +1 XXX-XXX-1234. Enter it.']);

    okta.addUser('pat', [OV_PUSH], { password: 'pw' });
    okta.pushes.set('ov-push', 'SUCCESS');
    const p = await pap('pat', 'pw');
    assert.deepEqual([p.result, p.reason], ['accept', 'push-approved']);

    okta.addUser('dana', [DUO], { password: 'pw' });
    assert.equal((await pap('dana', 'pw')).replyMessage, 'Enter your Duo passcode.');
  });

  it("factorMenu 'always': the menu even for one factor; two factors always get the menu", async () => {
    const { pap, okta } = setup({ mode, factorMenu: 'always' });
    okta.addUser('alice', [GA], { password: 'pw' });
    assert.equal((await pap('alice', 'pw')).replyMessage, 'Choose a factor: 1 Google Authenticator code. Reply with its number, or enter a code.');
    const both = setup({ mode });
    both.okta.addUser('bob', [OV_TOTP, GA], { password: 'pw' });
    assert.equal((await both.pap('bob', 'pw')).reason, 'factor-choice');
  });

  // ragent.mfa.timeout.seconds = 60 (Agent_install_linux-conf-properties.htm).
  it('a State lives 60 seconds by default (ragent.mfa.timeout.seconds)', async () => {
    const { pap, okta, clock } = setup({ mode });
    okta.addUser('alice', [OV_TOTP, GA], { password: 'pw' });
    okta.validCodes.set('ov-totp', '123456');
    const early = await pap('alice', 'pw');
    await clock.advance(59_000);
    assert.equal((await pap('alice', '123456', { state: early.state })).reason, 'passcode-accepted');
    const late = await pap('alice', 'pw');
    await clock.advance(60_001);
    assert.equal((await pap('alice', '123456', { state: late.state })).reason, 'challenge-expired');
  });

  it('the session map is bounded (oldest States go first)', async () => {
    const { pap, okta, engine } = setup({ mode, maxOpenChallenges: 2, factorMenu: 'always' });
    okta.addUser('alice', [OV_TOTP], { password: 'pw' });
    okta.validCodes.set('ov-totp', '123456');
    const states = [];
    for (let i = 0; i < 3; i++) states.push((await pap('alice', 'pw')).state);
    assert.equal(engine.openChallenges, 2);
    assert.equal((await pap('alice', '123456', { state: states[0] })).reason, 'challenge-expired', 'the oldest was dropped');
    assert.equal((await pap('alice', '123456', { state: states[2] })).reason, 'passcode-accepted');
  });
});

// Okta_Radius_App.htm ("Supported factors"): Duo (Push, SMS, and Passcode) over PAP for RADIUS apps;
// aws-radius-intg-config-mfa.htm: "DUO MFA with Push/SMS/Call is not supported for Amazon Workspaces".
describe('engine: Duo rules per Okta app', () => {
  it("amazon-workspaces (default): a Duo user's keyword is refused, the passcode works", async () => {
    const { pap, okta } = setup();
    okta.addUser('dana', [DUO]);
    okta.validCodes.set('duo', '7654321');
    assert.equal((await pap('dana', 'PUSH')).reason, 'duo-keyword-refused');
    assert.equal((await pap('dana', '7654321')).factor, 'duo');
  });

  it('radius (the generic RADIUS app): PUSH goes to Duo, SMS asks Duo to send a passcode, CALL is not a Duo method', async () => {
    const { pap, okta } = setup({ oktaApp: 'radius' });
    okta.addUser('dana', [DUO]);
    okta.pushes.set('duo', 'SUCCESS');
    const push = await pap('dana', 'push');
    assert.deepEqual([push.reason, push.factor], ['push-approved', 'duo']);
    const sms = await pap('dana', 'SMS');
    assert.deepEqual([sms.reason, sms.replyMessage], ['otp-sent', 'A Duo passcode was sent by SMS. Sign in again with the passcode.']);
    assert.deepEqual(
      okta.calls.filter((c) => c.op === 'verifyPush' || c.op === 'challenge').map((c) => [c.op, c.factorId]),
      [
        ['verifyPush', 'duo'],
        ['challenge', 'duo'],
      ],
    );
    assert.equal((await pap('dana', 'CALL')).reason, 'factor-not-enrolled');
  });
});

// Okta_Radius_App-gen-group-auth.htm: only the listed groups, only if the user belongs to them.
describe('engine: groups in the Access-Accept', () => {
  it('an accept carries the listed groups the user is in, nothing else; a reject asks Okta for none', async () => {
    const { pap, okta } = setup({ groups: ['VPN-Admins', 'WorkSpaces-Users', 'Finance'] });
    okta.addUser('alice', [OV_TOTP]);
    okta.validCodes.set('ov-totp', '123456');
    okta.groups.set('u-alice', ['Everyone', 'WorkSpaces-Users', 'VPN-Admins', 'Sales']);
    const d = await pap('alice', '123456');
    assert.equal(d.result, 'accept');
    assert.deepEqual(d.groups, ['WorkSpaces-Users', 'VPN-Admins']);
    const before = okta.calls.filter((c) => c.op === 'listUserGroups').length;
    assert.equal((await pap('alice', '000000')).result, 'reject');
    assert.equal(okta.calls.filter((c) => c.op === 'listUserGroups').length, before);
  });

  it('a user in none of the listed groups gets an accept with no groups; without the setting Okta is not asked', async () => {
    const { pap, okta } = setup({ groups: ['VPN-Admins'] });
    okta.addUser('bob', [OV_TOTP]);
    okta.validCodes.set('ov-totp', '123456');
    okta.groups.set('u-bob', ['Everyone']);
    assert.deepEqual((await pap('bob', '123456')).groups, []);
    const plain = setup();
    plain.okta.addUser('bob', [OV_TOTP]);
    plain.okta.validCodes.set('ov-totp', '123456');
    assert.equal((await plain.pap('bob', '123456')).groups, undefined);
    assert.ok(!plain.okta.calls.some((c) => c.op === 'listUserGroups'));
  });

  it('Okta failing the group lookup fails closed (reject, never an accept without the groups)', async () => {
    const { pap, okta } = setup({ groups: ['VPN-Admins'] });
    okta.addUser('alice', [OV_TOTP]);
    okta.validCodes.set('ov-totp', '123456');
    const real = okta.listUserGroups.bind(okta);
    okta.listUserGroups = async () => {
      throw new OktaUnavailableError('down');
    };
    assert.equal((await pap('alice', '123456')).reason, 'okta-unavailable');
    okta.listUserGroups = real;
  });
});

// Okta_Radius_App-gen-client-ip.htm: the reported client IP goes to Okta with the password (Authn).
describe('engine: Report Client IP', () => {
  it('password modes pass the client IP to primaryAuth; none when the request has none', async () => {
    for (const mode of ['password-passcode', 'password-first'] as const) {
      const { engine, okta } = setup({ mode });
      okta.addUser('alice', [OV_TOTP], { password: 'pw' });
      okta.validCodes.set('ov-totp', '123456');
      const answer = mode === 'password-passcode' ? 'pw,123456' : 'pw';
      await engine.authenticate({ userName: 'alice', password: answer, protocol: 'pap', clientIp: '203.0.113.7' });
      await engine.authenticate({ userName: 'alice', password: answer, protocol: 'pap' });
      assert.deepEqual(okta.clientIps, ['203.0.113.7', undefined], mode);
    }
  });
});

describe('engine: failures and timeouts', () => {
  it('fails closed when Okta is unavailable', async () => {
    const { pap, okta } = setup();
    okta.failWith = new OktaUnavailableError('down');
    const d = await pap('alice', '123456');
    assert.deepEqual([d.result, d.reason], ['reject', 'okta-unavailable']);
  });

  it('an unexpected error is an internal-error reject, never an accept', async () => {
    const { pap, okta } = setup();
    okta.failWith = new TypeError('boom');
    assert.deepEqual([(await pap('alice', '1')).result, (await pap('alice', '1')).reason], ['reject', 'internal-error']);
  });

  const cases: Array<[TimeoutResponseMode, 'lookup' | 'push', string]> = [
    ['reject-when-polling-mfa', 'lookup', 'no-response'],
    ['reject-when-polling-mfa', 'push', 'reject'],
    ['always-reject', 'lookup', 'reject'],
    ['always-reject', 'push', 'reject'],
    ['no-response', 'lookup', 'no-response'],
    ['no-response', 'push', 'no-response'],
  ];
  for (const [mode, where, expected] of cases) {
    it(`total request timeout, mode ${mode}, while ${where === 'push' ? 'polling MFA' : 'looking up the user'}: ${expected}`, async () => {
      // pushMs above the total so the total timeout fires first while the push waits.
      const { pap, okta, clock } = setup({ responseMode: mode, pushMs: 59_999 });
      okta.addUser('alice', [OV_PUSH]);
      if (where === 'lookup') okta.hang = true;
      else okta.pushes.set('ov-push', 'HANG');
      const p = pap('alice', 'push');
      await clock.advance(59_999 - 1);
      await clock.advance(2);
      const d = await p;
      assert.equal(d.result, expected);
      assert.equal(d.reason, 'request-timeout');
    });
  }

  it('stopSignal (the agent stopping) and the request signal each reject in-flight requests; no listener outlives a request', async () => {
    const { engine, okta, clock } = setup();
    okta.addUser('alice', [OV_PUSH, OV_TOTP]);
    okta.validCodes.set('ov-totp', '123456');
    okta.pushes.set('ov-push', 'HANG');
    const stopping = new AbortController();
    const own = new AbortController();
    // Finished requests leave nothing on the long-lived stop signal.
    for (let i = 0; i < 3; i++) {
      const d = await engine.authenticate({ userName: 'alice', password: '123456', protocol: 'pap', signal: own.signal, stopSignal: stopping.signal });
      assert.equal(d.reason, 'passcode-accepted');
    }
    assert.equal(getEventListeners(stopping.signal, 'abort').length, 0);
    assert.equal(getEventListeners(own.signal, 'abort').length, 0);

    const p1 = engine.authenticate({ userName: 'alice', password: 'push', protocol: 'pap', signal: own.signal, stopSignal: stopping.signal });
    const p2 = engine.authenticate({ userName: 'alice', password: 'push', protocol: 'pap', signal: new AbortController().signal, stopSignal: stopping.signal });
    await clock.advance(0);
    assert.equal(getEventListeners(stopping.signal, 'abort').length, 2, 'one listener per in-flight request');
    stopping.abort();
    assert.deepEqual(
      (await Promise.all([p1, p2])).map((d) => [d.result, d.reason]),
      [
        ['reject', 'agent-stopping'],
        ['reject', 'agent-stopping'],
      ],
    );
    assert.equal(getEventListeners(own.signal, 'abort').length, 0);

    const closing = new AbortController();
    const p3 = engine.authenticate({ userName: 'alice', password: 'push', protocol: 'pap', signal: closing.signal, stopSignal: new AbortController().signal });
    await clock.advance(0);
    closing.abort();
    assert.equal((await p3).reason, 'agent-stopping');
    const already = await engine.authenticate({ userName: 'alice', password: 'push', protocol: 'pap', stopSignal: stopping.signal });
    assert.equal(already.reason, 'agent-stopping', 'a request arriving after stop is rejected at once');
  });

  it('decideWithoutOkta: the requests rejected before any Okta call, decided at once and as authenticate decides them; none else', async () => {
    for (const mode of ['mfa-only', 'password-passcode', 'password-first'] as const) {
      const { engine, okta, clock } = setup({ mode });
      const cases: Array<Pick<EngineRequest, 'userName' | 'password' | 'protocol'>> = [
        { userName: 'alice', password: undefined, protocol: 'none' },
        { userName: 'alice', password: undefined, protocol: 'chap' },
        { userName: 'alice', password: undefined, protocol: 'mschapv2' },
        { userName: 'alice', password: undefined, protocol: 'eap' },
        { userName: undefined, password: '123456', protocol: 'pap' },
        { userName: '', password: '123456', protocol: 'pap' },
      ];
      if (mode === 'password-passcode') cases.push({ userName: 'alice', password: 'no-comma', protocol: 'pap' });
      for (const req of cases) {
        const now = engine.decideWithoutOkta(req);
        assert.ok(now, `${mode} ${JSON.stringify(req)}: decided without Okta`);
        assert.deepEqual(await engine.authenticate(req), now, `${mode} ${JSON.stringify(req)}: the same as authenticate`);
      }
      assert.equal(okta.calls.length, 0, `${mode}: no Okta call`);
      assert.equal(clock.pendingTimers, 0, `${mode}: no timer left`);
      assert.equal(engine.decideWithoutOkta({ userName: 'alice', password: 'pw,123456', protocol: 'pap' }), undefined, `${mode}: a sign-in needs Okta`);
    }
    const { engine } = setup();
    assert.deepEqual(engine.decideWithoutOkta({ userName: 'alice', password: undefined, protocol: 'chap' }), {
      result: 'reject',
      reason: 'protocol-not-supported',
      replyMessage: 'CHAP is not supported. Set the RADIUS client to PAP.',
    });
    assert.deepEqual(engine.decideWithoutOkta({ userName: 'alice', password: undefined, protocol: 'none' })?.replyMessage, 'The request has no password. Set the RADIUS client to PAP.');
  });

  it('a request decided without Okta while the agent stops (or its own signal is aborted) is answered agent-stopping, as any other', async () => {
    const { engine } = setup();
    const stopping = new AbortController();
    stopping.abort();
    const none = { userName: 'alice', password: undefined, protocol: 'none' } as const;
    assert.equal((await engine.authenticate({ ...none, stopSignal: stopping.signal })).reason, 'agent-stopping');
    assert.equal((await engine.authenticate({ ...none, signal: stopping.signal })).reason, 'agent-stopping');
    assert.equal((await engine.authenticate({ ...none, signal: new AbortController().signal, stopSignal: new AbortController().signal })).reason, 'protocol-not-supported');
  });

  it('stopping the agent rejects in-flight requests with agent-stopping', async () => {
    const { engine, okta, clock } = setup();
    okta.addUser('alice', [OV_PUSH]);
    okta.pushes.set('ov-push', 'HANG');
    const stop = new AbortController();
    const p = engine.authenticate({ userName: 'alice', password: 'push', protocol: 'pap', signal: stop.signal });
    await clock.advance(0);
    stop.abort();
    const d = await p;
    assert.deepEqual([d.result, d.reason], ['reject', 'agent-stopping']);
  });
});
