// More engine edges StrykerJS showed untested (npm run mutation, MUTATION.md):
// requests without a User-Name or User-Password, an empty State, the user check
// in the password modes, and the Reply-Message of a total-timeout reject.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../../simulators/clock/virtual-clock.ts';
import { type AppMode, Engine, type EngineAppConfig, type EngineRequest, type TimeoutResponseMode } from './engine.ts';
import { FakeOkta } from './fake-okta.test-helper.ts';

function setup(opts: { mode?: AppMode; appId?: string; responseMode?: TimeoutResponseMode } = {}) {
  const clock = new VirtualClock();
  const okta = new FakeOkta();
  okta.now = () => clock.now();
  const app: EngineAppConfig = {
    name: 'ws',
    mode: opts.mode ?? 'mfa-only',
    usernameFormat: { suffix: '@corp.example.com' },
    timeouts: { totalRequestMs: 60_000, responseModeOnTimeout: opts.responseMode ?? 'reject-when-polling-mfa' },
    ...(opts.appId ? { appId: opts.appId } : {}),
  };
  let n = 0;
  const engine = new Engine({ app, okta, clock, newState: () => Uint8Array.of(++n) });
  const auth = (req: Partial<EngineRequest>) => engine.authenticate({ protocol: 'pap', ...req } as EngineRequest);
  return { clock, okta, auth };
}

const ALICE = 'alice@corp.example.com';
const OV_TOTP = { id: 'ov-totp', factorType: 'token:software:totp', provider: 'OKTA' };
const SMS = { id: 'sms', factorType: 'sms', provider: 'OKTA', profile: { phoneNumber: '+15555551234' } };

describe('engine edges found by mutation testing', () => {
  it('no User-Name is no user; no User-Password is an answer nobody understands', async () => {
    const { auth, okta } = setup();
    okta.addUser(ALICE, [OV_TOTP]);
    assert.deepEqual(await auth({ password: '123456' }), { result: 'reject', reason: 'user-not-found', replyMessage: 'No user name was sent.' });
    assert.deepEqual(await auth({ userName: 'alice' }), {
      login: ALICE,
      result: 'reject',
      reason: 'answer-not-understood',
      replyMessage: 'Enter a code, or PUSH, SMS, CALL or EMAIL.',
    });
  });

  it('an empty State is no State: the password starts a new sign-in with the factor menu', async () => {
    const pf = setup({ mode: 'password-first' });
    pf.okta.addUser(ALICE, [OV_TOTP, SMS], { password: 'pw' });
    const d = await pf.auth({ userName: 'alice', password: 'pw', state: new Uint8Array(0) });
    assert.deepEqual([d.result, d.reason, d.login, d.state?.length], ['challenge', 'factor-choice', ALICE, 1]);
    assert.match(d.replyMessage ?? '', /^Choose a factor: 1 Okta Verify code, 2 SMS code/);
  });

  it('password,passcode: a user not assigned to the app is refused after the password', async () => {
    const pp = setup({ mode: 'password-passcode', appId: 'app-1' });
    pp.okta.addUser(ALICE, [OV_TOTP], { password: 'pw', assigned: false });
    assert.deepEqual(await pp.auth({ userName: 'alice', password: 'pw,123456' }), {
      login: ALICE,
      result: 'reject',
      reason: 'user-not-assigned',
      replyMessage: 'You are not assigned to this application in Okta. Contact your administrator.',
    });
  });

  it('a total timeout answered with a reject tells the user to try again', async () => {
    const slow = setup({ responseMode: 'always-reject' });
    slow.okta.addUser(ALICE, [OV_TOTP]);
    slow.okta.hang = true;
    const p = slow.auth({ userName: 'alice', password: '123456' });
    await slow.clock.advance(60_000);
    assert.deepEqual(await p, { result: 'reject', reason: 'request-timeout', replyMessage: 'Sign-in took too long. Try again.' });
  });
});
