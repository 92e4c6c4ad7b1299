// Tests that kill mutants StrykerJS found alive in engine.ts's inline enrolment
// and password-first menu (npm run mutation -- engine, MUTATION.md): the whole
// decision (login and factor logged with it, the exact Reply-Message), the menu
// answers a number is read from, an Okta client that cannot enrol, and the
// "less than 30 seconds ago" code. Against the mock org, as the main
// inline-enrolment tests (engine.inline-enrolment.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../../simulators/clock/virtual-clock.ts';
import { RecordingDelivery } from '../../../simulators/okta/delivery.ts';
import { OktaOrg } from '../../../simulators/okta/org.ts';
import { oktaFetch } from '../../../simulators/okta/serve.ts';
import { totpAt } from '../../../simulators/okta/totp.ts';
import type { OktaApi } from '../okta/types.ts';
import { OktaClient } from '../okta/client.ts';
import { type AppMode, Engine, type EngineAppConfig, inlineEnrollable } from './engine.ts';
import type { Decision } from './reasons.ts';

const LOGIN = 'frank@example.com';
const PASSWORD = 'Frank-pw-1';
const PHONE = '+15550100006';

function lab(
  opts: { mode?: AppMode; factorMenu?: EngineAppConfig['factorMenu']; without?: 'authnEnroll' | 'authnActivate'; enrolled?: boolean; appId?: string; oktaApp?: 'radius' } = {},
) {
  const clock = new VirtualClock();
  const delivery = new RecordingDelivery();
  const org = new OktaOrg({ clock, delivery, seed: 12 });
  const token = org.createApiToken();
  const frank = org.createUser({ profile: { login: LOGIN }, password: PASSWORD });
  org.authn.requireMfa = true;
  org.authn.inlineEnrollment = true;
  if (opts.enrolled) {
    org.enrollFactor(frank.id, { factorType: 'sms', provider: 'OKTA', phoneNumber: PHONE, activate: true });
    org.enrollFactor(frank.id, { factorType: 'call', provider: 'OKTA', phoneNumber: '+15550100007', activate: true });
  }
  const client = new OktaClient({ orgUrl: org.orgUrl, apiToken: token, clock, fetch: oktaFetch(org), retryBackoffMs: 100, pushPollIntervalMs: 1_000 });
  // An Okta client without one of the enrolment calls (another OktaApi implementation).
  const okta: OktaApi = opts.without
    ? new Proxy(client, {
        get(target, key) {
          if (key === opts.without) return undefined;
          const v = Reflect.get(target, key, target) as unknown;
          return typeof v === 'function' ? v.bind(target) : v;
        },
      })
    : client;
  const app: EngineAppConfig = {
    name: 'vpn',
    mode: opts.mode ?? 'password-first',
    usernameFormat: {},
    timeouts: { totalRequestMs: 60_000, responseModeOnTimeout: 'reject-when-polling-mfa' },
    inlineEnrollment: true,
    ...(opts.appId ? { appId: opts.appId } : {}),
    ...(opts.oktaApp ? { oktaApp: opts.oktaApp } : {}),
    ...(opts.factorMenu ? { factorMenu: opts.factorMenu } : {}),
  };
  const engine = new Engine({ app, okta, clock });
  const send = (password: string, state?: Uint8Array): Promise<Decision> =>
    engine.authenticate({ userName: LOGIN, password, protocol: 'pap', ...(state ? { state } : {}) });
  return { clock, delivery, org, frank, send };
}

function stateOf(d: Decision, reason: string): Uint8Array {
  assert.equal(d.result, 'challenge', `expected a challenge, got ${d.result} ${d.reason} "${d.replyMessage}"`);
  assert.equal(d.reason, reason);
  assert.ok(d.state);
  return d.state;
}

/** The fields a decision is logged and answered with (no State: it is random). */
const whole = (d: Decision) => ({ result: d.result, reason: d.reason, replyMessage: d.replyMessage, login: d.login, factor: d.factor });

describe('inline enrolment: whole decisions found by mutation testing', () => {
  it('each way an enrolment is refused names the user (and the factor once one is chosen)', async () => {
    {
      const { send, org } = lab();
      org.authn.enrollableFactors = [{ factorType: 'email', provider: 'OKTA' }];
      assert.deepEqual(whole(await send(PASSWORD)), {
        result: 'reject',
        reason: 'no-usable-factor',
        replyMessage: 'Okta requires an MFA factor that cannot be enrolled over RADIUS. Sign in to Okta to enroll one.',
        login: LOGIN,
        factor: undefined,
      });
    }
    {
      const { send } = lab();
      const s1 = stateOf(await send(PASSWORD), 'enrol-choice');
      assert.deepEqual(whole(await send('3', s1)), {
        result: 'reject',
        reason: 'answer-not-understood',
        replyMessage: 'Reply with the number of a factor to enroll. Start again.',
        login: LOGIN,
        factor: undefined,
      });
    }
    {
      const { send, org } = lab();
      const s1 = stateOf(await send(PASSWORD), 'enrol-choice');
      const s2 = stateOf(await send('1', s1), 'phone-requested');
      org.authn.inlineEnrollment = false;
      assert.deepEqual(whole(await send(PHONE, s2)), {
        result: 'reject',
        reason: 'enrol-refused',
        replyMessage: 'Okta does not permit enrolling a factor here. Sign in to Okta to enroll one.',
        login: LOGIN,
        factor: undefined,
      });
    }
    for (const code of ['abc', 'wrong']) {
      const { send, delivery } = lab();
      const s1 = stateOf(await send(PASSWORD), 'enrol-choice');
      const s2 = stateOf(await send('2', s1), 'phone-requested');
      const s3 = stateOf(await send(PHONE, s2), 'code-requested');
      const answer = code === 'abc' ? 'abc' : delivery.codes.at(-1)!.code === '000000' ? '111111' : '000000';
      assert.deepEqual(whole(await send(answer, s3)), {
        result: 'reject',
        reason: 'passcode-invalid',
        replyMessage: 'The code is not valid. Start again.',
        login: LOGIN,
        factor: 'call',
      });
    }
  });

  it('the enrolment menu is read as a number of one or two digits, nothing around it', async () => {
    for (const [answer, expected] of [
      ['01', 'phone-requested'],
      [' 2 ', 'phone-requested'],
      ['1x', 'answer-not-understood'],
      ['x1', 'answer-not-understood'],
      ['001', 'answer-not-understood'],
    ] as const) {
      const { send } = lab();
      const s1 = stateOf(await send(PASSWORD), 'enrol-choice');
      assert.equal((await send(answer, s1)).reason, expected, `answer "${answer}"`);
    }
  });

  it('factorMenu "always": the enrolment menu is shown even for one factor', async () => {
    const { send, org } = lab({ factorMenu: 'always' });
    org.authn.enrollableFactors = [{ factorType: 'sms', provider: 'OKTA' }];
    const d = await send(PASSWORD);
    stateOf(d, 'enrol-choice');
    assert.equal(d.replyMessage, 'You have no MFA factor. Enroll one: 1 SMS. Reply with its number.');
  });

  for (const without of ['authnEnroll', 'authnActivate'] as const) {
    it(`an Okta client without ${without} cannot enrol: refused at once as Okta failing (fail closed), no challenge`, async () => {
      const { send } = lab({ without });
      const d = await send(PASSWORD);
      assert.deepEqual([d.result, d.reason, d.replyMessage, d.state], ['reject', 'okta-unavailable', 'Okta could not be reached to check your sign-in. Try again later.', undefined]);
    });
  }

  it('with an app id, a user not assigned to the app is refused before any enrolment', async () => {
    const { send, org, frank } = lab({ appId: '0oaVpn' });
    org.createApp({ id: '0oaVpn', label: 'VPN' });
    assert.deepEqual(whole(await send(PASSWORD)), {
      result: 'reject',
      reason: 'user-not-assigned',
      replyMessage: 'You are not assigned to this application in Okta. Contact your administrator.',
      login: LOGIN,
      factor: undefined,
    });
    org.assignUserToApp('0oaVpn', frank.id);
    stateOf(await send(PASSWORD), 'enrol-choice');
  });

  it('only Okta-provided SMS and voice call can be enrolled', () => {
    assert.deepEqual(
      inlineEnrollable([
        { factorType: 'sms', provider: 'TWILIO' },
        { factorType: 'call', provider: 'okta' },
        { factorType: 'question', provider: 'OKTA' },
      ]),
      [{ factorType: 'call', provider: 'okta' }],
    );
  });
});

describe('password-first factor menu: edges found by mutation testing', () => {
  it('the menu names each phone factor with its masked number', async () => {
    const { send } = lab({ enrolled: true });
    const d = await send(PASSWORD);
    stateOf(d, 'factor-choice');
    assert.equal(d.replyMessage, 'Choose a factor: 1 SMS code (+1 XXX-XXX-0006), 2 voice call code (+1 XXX-XXX-0007). Reply with its number, or enter a code.');
  });

  it('a menu number is one or two digits, nothing around it', async () => {
    for (const [answer, expected] of [
      ['01', 'code-requested'],
      ['1x', 'answer-not-understood'],
      ['x1', 'answer-not-understood'],
      ['001', 'answer-not-understood'],
    ] as const) {
      const { send } = lab({ enrolled: true });
      const s1 = stateOf(await send(PASSWORD), 'factor-choice');
      assert.equal((await send(answer, s1)).reason, expected, `answer "${answer}"`);
    }
  });

  it('a code asked for again within 30 s: the challenge says the one sent less than 30 seconds ago still works', async () => {
    const { send } = lab({ enrolled: true });
    const first = await send('1', stateOf(await send(PASSWORD), 'factor-choice'));
    assert.equal(first.replyMessage, 'A code was sent by SMS to +1 XXX-XXX-0006. Enter it.');
    const again = await send('1', stateOf(await send(PASSWORD), 'factor-choice'));
    stateOf(again, 'code-requested');
    assert.equal(again.replyMessage, 'A code was sent by SMS to +1 XXX-XXX-0006 less than 30 seconds ago. Enter it.');
  });
});

describe('Duo SMS asked for again within 30 s (generic RADIUS app): edges found by mutation testing', () => {
  it('the refusal says a passcode was sent less than 30 seconds ago, for the user and Duo', async () => {
    const { send, org, frank } = lab({ mode: 'mfa-only', oktaApp: 'radius' });
    org.authn.requireMfa = false;
    org.enrollFactor(frank.id, { factorType: 'web', provider: 'DUO', phoneNumber: PHONE, duoPasscodeChecker: () => false });
    assert.equal((await send('SMS')).reason, 'otp-sent');
    assert.deepEqual(whole(await send('sms')), {
      result: 'reject',
      reason: 'otp-recently-sent',
      replyMessage: 'A Duo passcode was sent by SMS less than 30 seconds ago. Sign in with it, or wait 30 seconds for a new one.',
      login: LOGIN,
      factor: 'duo',
    });
  });
});

describe('password-first on the generic RADIUS app: Duo keywords only where Duo is asked, edges found by mutation testing', () => {
  function duoFirst() {
    const l = lab({ oktaApp: 'radius' });
    l.org.enrollFactor(l.frank.id, { factorType: 'web', provider: 'DUO', phoneNumber: PHONE, duoPasscodeChecker: () => false });
    return l;
  }

  it('CALL at the Duo prompt: Duo offers no call over RADIUS, said for the user and Duo', async () => {
    const { send } = duoFirst();
    const s1 = stateOf(await send(PASSWORD), 'code-requested');
    assert.deepEqual(whole(await send('CALL', s1)), {
      result: 'reject',
      reason: 'factor-not-enrolled',
      replyMessage: 'Duo does not offer CALL over RADIUS: use PUSH, SMS or a Duo passcode.',
      login: LOGIN,
      factor: 'duo',
    });
  });

  it('an SMS code awaited: PUSH is no Duo keyword there but a code that is not valid', async () => {
    const { send } = lab({ enrolled: true, oktaApp: 'radius' });
    const s1 = stateOf(await send(PASSWORD), 'factor-choice');
    const s2 = stateOf(await send('1', s1), 'code-requested');
    assert.deepEqual(whole(await send('PUSH', s2)), {
      result: 'reject',
      reason: 'passcode-invalid',
      replyMessage: 'The code is not valid. Start again.',
      login: LOGIN,
      factor: undefined,
    });
  });

  it('an Okta Verify code asked for on that app: no Duo words in the prompt', async () => {
    const { send, org, frank, clock } = lab({ oktaApp: 'radius' });
    const { factor, activation } = org.enrollFactor(frank.id, { factorType: 'token:software:totp', provider: 'OKTA' });
    org.activateFactor(frank.id, factor.id, totpAt(activation!.sharedSecret, clock.now()));
    const d = await send(PASSWORD);
    stateOf(d, 'code-requested');
    assert.equal(d.replyMessage, 'Enter your Okta Verify code.');
  });
});
