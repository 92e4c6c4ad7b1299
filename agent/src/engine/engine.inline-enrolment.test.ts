/**
 * Inline MFA enrolment over RADIUS (Okta_Radius_App-gen-config-app.htm: "To permit inline
 * enrollment, check the box"; Okta_Radius_App.htm: "RADIUS doesn't support inline enrollment with
 * Email") and Duo push / SMS for the generic RADIUS app (Okta_Radius_App.htm: "Duo (Push, SMS, and
 * Passcode only)"): the engine with the real Okta client against the mock org, so the dialogue,
 * the HTTP calls and the mock's Authn API are checked together.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../../simulators/clock/virtual-clock.ts';
import { RecordingDelivery } from '../../../simulators/okta/delivery.ts';
import { OktaOrg } from '../../../simulators/okta/org.ts';
import { oktaFetch } from '../../../simulators/okta/serve.ts';
import { CachingOktaApi } from '../okta/cache.ts';
import { OktaClient } from '../okta/client.ts';
import type { Decision } from './reasons.ts';
import { type AppMode, Engine, type EngineAppConfig, inlineEnrollable } from './engine.ts';

const PASSWORD = 'Frank-pw-1';
const PHONE = '+15550100006';

function lab(opts: { mode?: AppMode; inline?: boolean; orgPermits?: boolean; oktaApp?: 'amazon-workspaces' | 'radius'; cache?: boolean } = {}) {
  const clock = new VirtualClock();
  const delivery = new RecordingDelivery();
  const org = new OktaOrg({ clock, delivery, seed: 12 });
  const token = org.createApiToken();
  const frank = org.createUser({ profile: { login: 'frank@example.com' }, password: PASSWORD });
  org.authn.requireMfa = true;
  org.authn.inlineEnrollment = opts.orgPermits ?? true;
  const client = new OktaClient({ orgUrl: org.orgUrl, apiToken: token, clock, fetch: oktaFetch(org), retryBackoffMs: 100, pushPollIntervalMs: 1_000 });
  // The agent's default: lookups remembered for 5 minutes.
  const okta = opts.cache ? new CachingOktaApi(client, { clock, ttlMs: 300_000, maxUsers: 100 }) : client;
  const app: EngineAppConfig = {
    name: 'vpn',
    mode: opts.mode ?? 'password-first',
    usernameFormat: {},
    timeouts: { totalRequestMs: 60_000, responseModeOnTimeout: 'reject-when-polling-mfa' },
    ...(opts.inline === false ? {} : { inlineEnrollment: true }),
    ...(opts.oktaApp ? { oktaApp: opts.oktaApp } : {}),
  };
  const engine = new Engine({ app, okta, clock });
  const send = (password: string, state?: Uint8Array): Promise<Decision> =>
    engine.authenticate({ userName: 'frank@example.com', password, protocol: 'pap', ...(state ? { state } : {}) });
  return { clock, delivery, org, frank, engine, send, okta };
}

function challenge(d: Decision, reason: string, text: string | RegExp): Uint8Array {
  assert.equal(d.result, 'challenge', `expected a challenge, got ${d.result} ${d.reason} "${d.replyMessage}"`);
  assert.equal(d.reason, reason);
  if (typeof text === 'string') assert.ok(d.replyMessage?.includes(text), `"${d.replyMessage}" lacks "${text}"`);
  else assert.match(d.replyMessage ?? '', text);
  assert.ok(d.state && d.state.length > 0);
  return d.state;
}

describe('inline enrolment over RADIUS (password-first)', () => {
  it('offers SMS and voice call only: email (documented) and authenticator apps (our rule) are left out', () => {
    const offered = [
      { factorType: 'sms', provider: 'OKTA' },
      { factorType: 'call', provider: 'OKTA' },
      { factorType: 'token:software:totp', provider: 'GOOGLE' },
      { factorType: 'token:software:totp', provider: 'OKTA' },
      { factorType: 'push', provider: 'OKTA' },
      { factorType: 'email', provider: 'OKTA' },
      { factorType: 'web', provider: 'DUO' },
    ];
    assert.deepEqual(
      inlineEnrollable(offered).map((f) => f.factorType),
      ['sms', 'call'],
    );
  });

  it('enrols SMS through challenges: menu, phone number, the code sent to it; then signs in with it', async () => {
    const { send, delivery, org, frank, clock } = lab();
    const menu = await send(PASSWORD);
    const s1 = challenge(menu, 'enrol-choice', 'Enroll one: 1 SMS, 2 Voice call. Reply with its number.');
    const s2 = challenge(await send('1', s1), 'phone-requested', 'Enter the phone number for SMS codes');
    assert.equal(delivery.codes.length, 0, 'no code before the number');
    const s3 = challenge(await send(PHONE, s2), 'code-requested', 'A code was sent by SMS to +1 XXX-XXX-0006. Enter it to finish enrolling.');
    const sent = delivery.codes.at(-1)!;
    assert.equal(sent.to, PHONE);
    const done = await send(sent.code, s3);
    assert.deepEqual([done.result, done.reason, done.factor], ['accept', 'factor-enrolled', 'sms']);
    assert.deepEqual(
      org.listFactors(frank.id).map((f) => `${f.factorType}/${f.status}/${f.phoneNumber}`),
      [`sms/ACTIVE/${PHONE}`],
    );
    // The next sign-in (past Okta's 30 s between SMS): the one factor is used at once, as for any user with one factor.
    await clock.advance(31_000);
    challenge(await send(PASSWORD), 'code-requested', 'A code was sent by SMS to +1 XXX-XXX-0006. Enter it.');
  });

  it("with the agent's lookup cache, the sign-in right after enrolling sees the new factor", async () => {
    const { send, delivery, clock, okta, frank } = lab({ cache: true });
    // A look-up before enrolling (another app's MFA-only sign-in would do it): the cache remembers no factors.
    assert.deepEqual(await okta.listFactors(frank.id), []);
    const s1 = challenge(await send(PASSWORD), 'enrol-choice', '1 SMS');
    const s2 = challenge(await send('1', s1), 'phone-requested', 'SMS');
    const s3 = challenge(await send(PHONE, s2), 'code-requested', 'SMS');
    assert.equal((await send(delivery.codes.at(-1)!.code, s3)).reason, 'factor-enrolled');
    await clock.advance(31_000);
    challenge(await send(PASSWORD), 'code-requested', 'A code was sent by SMS to +1 XXX-XXX-0006. Enter it.');
  });

  it('a voice call is picked by number; the code arrives by a call', async () => {
    const { send, delivery } = lab();
    const s1 = challenge(await send(PASSWORD), 'enrol-choice', '2 Voice call');
    const s2 = challenge(await send('2', s1), 'phone-requested', 'voice call codes');
    challenge(await send(PHONE, s2), 'code-requested', 'A code was sent by a voice call to +1 XXX-XXX-0006');
    assert.equal(delivery.codes.at(-1)?.channel, 'call');
  });

  it('one enrollable factor: the phone number is asked for at once', async () => {
    const { send, org } = lab();
    org.authn.enrollableFactors = [
      { factorType: 'sms', provider: 'OKTA' },
      { factorType: 'email', provider: 'OKTA' },
    ];
    challenge(await send(PASSWORD), 'phone-requested', 'Enter the phone number for SMS codes');
  });

  it('a number Okta refuses is asked for again; a wrong code refuses and leaves no active factor', async () => {
    const { send, delivery, org, frank } = lab();
    const s1 = challenge(await send(PASSWORD), 'enrol-choice', '1 SMS');
    const s2 = challenge(await send('1', s1), 'phone-requested', 'SMS');
    const s3 = challenge(await send('not a number', s2), 'phone-requested', 'Okta did not accept that phone number');
    const s4 = challenge(await send(PHONE, s3), 'code-requested', 'Enter it to finish enrolling');
    const wrong = delivery.codes.at(-1)!.code === '000000' ? '111111' : '000000';
    const refused = await send(wrong, s4);
    assert.deepEqual([refused.result, refused.reason, refused.replyMessage], ['reject', 'passcode-invalid', 'The code is not valid. Start again.']);
    assert.ok(org.listFactors(frank.id).every((f) => f.status !== 'ACTIVE'));
    // Starting again replaces the pending enrolment.
    const t1 = challenge(await send(PASSWORD), 'enrol-choice', '1 SMS');
    const t2 = challenge(await send('1', t1), 'phone-requested', 'SMS');
    const t3 = challenge(await send(PHONE, t2), 'code-requested', 'SMS');
    assert.equal((await send(delivery.codes.at(-1)!.code, t3)).reason, 'factor-enrolled');
    assert.equal(org.listFactors(frank.id).length, 1);
  });

  it('a menu answer that is no number of it refuses with the reason', async () => {
    const { send } = lab();
    const s1 = challenge(await send(PASSWORD), 'enrol-choice', '1 SMS');
    const d = await send('3', s1);
    assert.deepEqual([d.reason, d.replyMessage], ['answer-not-understood', 'Reply with the number of a factor to enroll. Start again.']);
  });

  it('a policy offering only what RADIUS cannot enrol (an authenticator app, email) refuses: enrol in Okta', async () => {
    const { send, org } = lab();
    org.authn.enrollableFactors = [
      { factorType: 'token:software:totp', provider: 'GOOGLE' },
      { factorType: 'email', provider: 'OKTA' },
    ];
    const d = await send(PASSWORD);
    assert.deepEqual([d.result, d.reason], ['reject', 'no-usable-factor']);
    assert.match(d.replyMessage ?? '', /cannot be enrolled over RADIUS\. Sign in to Okta to enroll one\./);
  });

  it('the box cleared (the default): refused, told to enrol in Okta, nothing enrolled', async () => {
    const { send, org, frank } = lab({ inline: false });
    const d = await send(PASSWORD);
    assert.deepEqual([d.result, d.reason, d.replyMessage], ['reject', 'no-usable-factor', 'Okta requires an MFA factor you have not enrolled. Sign in to Okta to enroll one.']);
    assert.equal(org.listFactors(frank.id).length, 0);
  });

  it('the agent permits it but Okta does not (403): refused with the reason, nothing enrolled', async () => {
    const { send, org, frank } = lab({ orgPermits: false });
    const s1 = challenge(await send(PASSWORD), 'enrol-choice', '1 SMS');
    const s2 = challenge(await send('1', s1), 'phone-requested', 'SMS');
    const d = await send(PHONE, s2);
    assert.deepEqual([d.result, d.reason], ['reject', 'enrol-refused']);
    assert.equal(org.listFactors(frank.id).length, 0);
  });

  for (const mode of ['mfa-only', 'password-passcode'] as const) {
    it(`${mode}: no Access-Challenge to enrol with, so the user is told to enrol in Okta`, async () => {
      const { send } = lab({ mode });
      const d = await send(mode === 'mfa-only' ? '123456' : `${PASSWORD},123456`);
      assert.equal(d.result, 'reject');
      assert.equal(d.reason, 'no-usable-factor');
    });
  }
});

describe('Duo push and SMS for the generic RADIUS app, against the mock org', () => {
  function duoLab(oktaApp: 'amazon-workspaces' | 'radius', mode: AppMode = 'mfa-only') {
    const l = lab({ mode, inline: false, oktaApp });
    l.org.authn.requireMfa = false;
    l.org.enrollFactor(l.frank.id, { factorType: 'web', provider: 'DUO', phoneNumber: PHONE, duoPasscodeChecker: () => false });
    return l;
  }

  it('PUSH reaches Duo; an approval signs in, a denial refuses', async () => {
    for (const answer of ['APPROVE', 'REJECT'] as const) {
      const { send, delivery, org, clock } = duoLab('radius');
      const pending = send('push');
      for (let i = 0; i < 20 && delivery.pushes.length === 0; i++) await new Promise((r) => setImmediate(r));
      const push = delivery.pushes.at(-1);
      assert.equal(push?.app, 'duo-mobile');
      org.answerPush(push!.transactionId, answer);
      await clock.advance(3_000);
      const d = await pending;
      assert.deepEqual([d.result, d.reason, d.factor], answer === 'APPROVE' ? ['accept', 'push-approved', 'duo'] : ['reject', 'push-rejected', 'duo']);
    }
  });

  it('SMS sends a Duo passcode to the phone; it signs in once', async () => {
    const { send, delivery } = duoLab('radius');
    const sent = await send('SMS');
    assert.deepEqual([sent.reason, sent.replyMessage], ['otp-sent', 'A Duo passcode was sent by SMS. Sign in again with the passcode.']);
    const sms = delivery.codes.at(-1)!;
    assert.deepEqual([sms.channel, sms.to], ['sms', PHONE]);
    assert.equal((await send(sms.code)).reason, 'passcode-accepted');
    assert.equal((await send(sms.code)).reason, 'passcode-invalid');
    // Okta sends one SMS per phone every 30 s: asked again at once, the answer says so.
    assert.equal((await send('sms')).reason, 'otp-recently-sent');
  });

  it('password first: the Duo prompt takes PUSH (a Duo push in the transaction) and SMS (a passcode asked for under a new State)', async () => {
    const { send, delivery, org, clock } = duoLab('radius', 'password-first');
    const s1 = challenge(await send(PASSWORD), 'code-requested', 'Enter your Duo passcode, or PUSH for a Duo push, or SMS for a Duo passcode by SMS.');
    const s2 = challenge(await send('sms', s1), 'code-requested', 'A Duo passcode was sent by SMS. Enter it.');
    const sms = delivery.codes.at(-1)!;
    assert.equal(sms.to, PHONE);
    const ok = await send(sms.code, s2);
    assert.deepEqual([ok.result, ok.reason, ok.factor], ['accept', 'passcode-accepted', 'duo']);
    const t1 = challenge(await send(PASSWORD), 'code-requested', 'or PUSH');
    const pending = send('PUSH', t1);
    for (let i = 0; i < 20 && delivery.pushes.length === 0; i++) await new Promise((r) => setImmediate(r));
    org.answerPush(delivery.pushes.at(-1)!.transactionId, 'APPROVE');
    await clock.advance(3_000);
    assert.deepEqual([(await pending).reason, delivery.pushes.at(-1)?.app], ['push-approved', 'duo-mobile']);
    const u1 = challenge(await send(PASSWORD), 'code-requested', 'or PUSH');
    assert.equal((await send('call', u1)).reason, 'factor-not-enrolled');
  });

  it('password first on the WorkSpaces app: the Duo prompt takes a passcode only', async () => {
    const { send, delivery } = duoLab('amazon-workspaces', 'password-first');
    const s1 = challenge(await send(PASSWORD), 'code-requested', 'Enter your Duo passcode.');
    assert.equal((await send('push', s1)).reason, 'passcode-invalid');
    assert.equal(delivery.pushes.length, 0);
  });

  it('the WorkSpaces app still refuses Duo keywords and sends nothing', async () => {
    const { send, delivery } = duoLab('amazon-workspaces');
    assert.equal((await send('push')).reason, 'duo-keyword-refused');
    assert.equal((await send('sms')).reason, 'duo-keyword-refused');
    assert.deepEqual([delivery.pushes.length, delivery.codes.length], [0, 0]);
  });
});
