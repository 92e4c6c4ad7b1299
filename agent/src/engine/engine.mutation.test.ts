// Tests that kill mutants StrykerJS found alive in engine.ts (npm run mutation,
// MUTATION.md). The engine's main tests check result and reason; these pin the
// rest of each decision a person or a log sees: the Reply-Message the user reads
// (what went wrong and what to do) and the login and factor logged with it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../../simulators/clock/virtual-clock.ts';
import { type AppMode, Engine, type EngineAppConfig, type EngineRequest } from './engine.ts';
import { FakeOkta } from './fake-okta.test-helper.ts';
import type { Decision } from './reasons.ts';

function setup(opts: { mode?: AppMode; appId?: string; oktaApp?: 'amazon-workspaces' | 'radius'; groups?: string[] } = {}) {
  const clock = new VirtualClock();
  const okta = new FakeOkta();
  okta.now = () => clock.now();
  const app: EngineAppConfig = {
    name: 'ws',
    mode: opts.mode ?? 'mfa-only',
    usernameFormat: { suffix: '@corp.example.com' },
    timeouts: { totalRequestMs: 60_000, responseModeOnTimeout: 'reject-when-polling-mfa' },
    ...(opts.appId ? { appId: opts.appId } : {}),
    ...(opts.oktaApp ? { oktaApp: opts.oktaApp } : {}),
    ...(opts.groups ? { groups: { include: opts.groups } } : {}),
  };
  let n = 0;
  const engine = new Engine({ app, okta, clock, newState: () => Uint8Array.of(++n) });
  const pap = (userName: string, password: string, extra: Partial<EngineRequest> = {}) =>
    engine.authenticate({ userName, password, protocol: 'pap', ...extra });
  return { clock, okta, engine, pap };
}

/** What a decision shows outside the engine (the State is opaque). */
const shown = (d: Decision) => {
  const { state: _state, ...rest } = d;
  return rest;
};

const ALICE = 'alice@corp.example.com';
const OV_TOTP = { id: 'ov-totp', factorType: 'token:software:totp', provider: 'OKTA' };
const OV_PUSH = { id: 'ov-push', factorType: 'push', provider: 'OKTA' };
const SMS = { id: 'sms', factorType: 'sms', provider: 'OKTA', profile: { phoneNumber: '+15555551234' } };
const DUO = { id: 'duo', factorType: 'web', provider: 'DUO' };

const EXPECTED: Record<string, Record<string, string>> = {
  noName: { result: 'reject', reason: 'user-not-found', replyMessage: 'No user name was sent.' },
  chap: { result: 'reject', reason: 'protocol-not-supported', replyMessage: 'CHAP is not supported. Set the RADIUS client to PAP.' },
  none: { result: 'reject', reason: 'protocol-not-supported', replyMessage: 'The request has no password. Set the RADIUS client to PAP.' },
  wrongCode: { result: 'reject', reason: 'passcode-invalid', replyMessage: 'The code is not valid. Check it and try again.', login: ALICE },
  okCode: { result: 'accept', reason: 'passcode-accepted', login: ALICE, factor: 'okta-verify-totp' },
  gibberish: { result: 'reject', reason: 'answer-not-understood', replyMessage: 'Enter a code, or PUSH, SMS, CALL or EMAIL.', login: ALICE },
  smsMissing: { result: 'reject', reason: 'factor-not-enrolled', replyMessage: 'You have no SMS factor enrolled in Okta. Use another factor.', login: ALICE },
  codeNoTotp: { result: 'reject', reason: 'factor-not-enrolled', replyMessage: 'You have no factor that takes a code. Use PUSH, SMS, CALL or EMAIL.', login: 'bob@corp.example.com' },
  pushRejected: { result: 'reject', reason: 'push-rejected', replyMessage: 'The push was denied on your phone.', login: 'bob@corp.example.com', factor: 'okta-verify-push' },
  smsSent: { result: 'reject', reason: 'otp-sent', replyMessage: 'A code was sent by SMS to +1 XXX-XXX-1234. Sign in again with the code.', login: 'carol@corp.example.com', factor: 'sms' },
  smsAgain: { result: 'reject', reason: 'otp-recently-sent', replyMessage: 'A code was sent by SMS to +1 XXX-XXX-1234 less than 30 seconds ago. Sign in with that code, or wait 30 seconds for a new one.', login: 'carol@corp.example.com', factor: 'sms' },
  noFactor: { result: 'reject', reason: 'no-usable-factor', replyMessage: 'You have no MFA factor this sign-in can use. Enroll one in Okta first.', login: 'dave@corp.example.com' },
  unknown: { result: 'reject', reason: 'user-not-found', replyMessage: 'No Okta user erin@corp.example.com.', login: 'erin@corp.example.com' },
  suspended: { result: 'reject', reason: 'user-not-active', replyMessage: 'Your Okta account is not active. Contact your administrator.', login: 'frank@corp.example.com' },
  duoSms: { result: 'reject', reason: 'otp-sent', replyMessage: 'A Duo passcode was sent by SMS. Sign in again with the passcode.', login: ALICE, factor: 'duo' },
  duoCall: { result: 'reject', reason: 'factor-not-enrolled', replyMessage: 'Duo does not offer CALL over RADIUS: use PUSH, SMS or a Duo passcode.', login: ALICE, factor: 'duo' },
  duoPushWs: { result: 'reject', reason: 'duo-keyword-refused', replyMessage: 'Your account uses Duo: sign in with a Duo passcode from the Duo Mobile app.', login: ALICE, factor: 'duo' },
  notAssigned: { result: 'reject', reason: 'user-not-assigned', replyMessage: 'You are not assigned to this application in Okta. Contact your administrator.', login: ALICE },
  ppNoComma: { result: 'reject', reason: 'password-missing', replyMessage: 'Enter your password, a comma, then your code (password,code) or PUSH.', login: ALICE },
  ppEmptyPassword: { result: 'reject', reason: 'password-missing', replyMessage: 'Enter your password.', login: ALICE },
  ppWrongPassword: { result: 'reject', reason: 'password-invalid', replyMessage: 'Wrong user name or password.', login: ALICE },
  ppExpired: { result: 'reject', reason: 'password-expired', replyMessage: 'Your password has expired. Change it, then sign in again.', login: 'bob@corp.example.com' },
  ppEnroll: { result: 'reject', reason: 'no-usable-factor', replyMessage: 'Okta requires an MFA factor you have not enrolled. Sign in to Okta to enroll one.', login: 'carol@corp.example.com' },
  ppOther: { result: 'reject', reason: 'user-not-active', replyMessage: 'Okta could not sign you in (RECOVERY). Contact your administrator.', login: 'dave@corp.example.com' },
  ppLocked: { result: 'reject', reason: 'user-locked-out', replyMessage: 'Your Okta account is locked. Contact your administrator.', login: 'erin@corp.example.com' },
  ppNoMfa: { result: 'accept', reason: 'password-accepted', login: 'gus@corp.example.com' },
};

describe('engine decisions in full: Reply-Message, login and factor', () => {
  it('every way a sign-in ends shows the user what to do, and logs who and which factor', async () => {
    const out: Record<string, unknown> = {};
    const { pap, okta } = setup();
    out.noName = shown(await pap('', '123456'));
    out.chap = shown(await pap('alice', '123456', { protocol: 'chap' }));
    out.none = shown(await pap('alice', '', { protocol: 'none' }));
    okta.addUser('alice@corp.example.com', [OV_TOTP]);
    okta.validCodes.set('ov-totp', '123456');
    out.wrongCode = shown(await pap('alice', '000000'));
    out.okCode = shown(await pap('alice', ' 123456 '));
    out.gibberish = shown(await pap('alice', 'hello'));
    out.smsMissing = shown(await pap('alice', 'sms'));
    okta.addUser('bob@corp.example.com', [OV_PUSH]);
    out.codeNoTotp = shown(await pap('bob', '123456'));
    okta.pushes.set('ov-push', 'REJECTED');
    out.pushRejected = shown(await pap('bob', 'push'));
    okta.addUser('carol@corp.example.com', [SMS]);
    out.smsSent = shown(await pap('carol', 'sms'));
    okta.throttled.add('sms');
    out.smsAgain = shown(await pap('carol', 'sms'));
    okta.addUser('dave@corp.example.com', []);
    out.noFactor = shown(await pap('dave', '123456'));
    out.unknown = shown(await pap('erin', '123456'));
    okta.addUser('frank@corp.example.com', [OV_TOTP], { user: { id: 'u-frank', status: 'SUSPENDED', profile: { login: 'frank@corp.example.com' } } as never });
    out.suspended = shown(await pap('frank', '123456'));
    const duo = setup({ oktaApp: 'radius' });
    duo.okta.addUser(ALICE, [DUO]);
    out.duoSms = shown(await duo.pap('alice', 'sms'));
    out.duoCall = shown(await duo.pap('alice', 'call'));
    const ws = setup({ oktaApp: 'amazon-workspaces' });
    ws.okta.addUser(ALICE, [DUO]);
    out.duoPushWs = shown(await ws.pap('alice', 'push'));
    const assigned = setup({ appId: 'app-1' });
    assigned.okta.addUser(ALICE, [OV_TOTP], { assigned: false });
    out.notAssigned = shown(await assigned.pap('alice', '123456'));
    const pp = setup({ mode: 'password-passcode' });
    pp.okta.addUser(ALICE, [OV_TOTP], { password: 'pw' });
    out.ppNoComma = shown(await pp.pap('alice', '123456'));
    out.ppEmptyPassword = shown(await pp.pap('alice', ',123456'));
    out.ppWrongPassword = shown(await pp.pap('alice', 'nope,123456'));
    pp.okta.addUser('bob@corp.example.com', [OV_TOTP], { password: 'pw', authnStatus: 'PASSWORD_EXPIRED' });
    out.ppExpired = shown(await pp.pap('bob', 'pw,123456'));
    pp.okta.addUser('carol@corp.example.com', [OV_TOTP], { password: 'pw', authnStatus: 'MFA_ENROLL' });
    out.ppEnroll = shown(await pp.pap('carol', 'pw,123456'));
    pp.okta.addUser('dave@corp.example.com', [OV_TOTP], { password: 'pw', authnStatus: 'RECOVERY' });
    out.ppOther = shown(await pp.pap('dave', 'pw,123456'));
    pp.okta.addUser('erin@corp.example.com', [OV_TOTP], { password: 'pw', user: { id: 'u-erin', status: 'LOCKED_OUT', profile: { login: 'erin@corp.example.com' } } as never });
    out.ppLocked = shown(await pp.pap('erin', 'pw,123456'));
    pp.okta.addUser('gus@corp.example.com', [OV_TOTP], { password: 'pw', offered: [] });
    out.ppNoMfa = shown(await pp.pap('gus', 'pw,123456'));
    assert.deepEqual(Object.keys(out), Object.keys(EXPECTED));
    for (const [name, decision] of Object.entries(out)) assert.deepEqual(decision, EXPECTED[name], name);
  });
});

const EXPECTED_PASSWORD_FIRST: Record<string, Record<string, string>> = {
  menu: { result: 'challenge', reason: 'factor-choice', replyMessage: 'Choose a factor: 1 Okta Verify code, 2 SMS code (+1 XXX-XXX-1234). Reply with its number, or enter a code.', login: ALICE },
  pickOne: { result: 'challenge', reason: 'code-requested', replyMessage: 'Enter your Okta Verify code.', login: ALICE },
  pickTotp: { result: 'challenge', reason: 'code-requested', replyMessage: 'Enter your Okta Verify code.', login: ALICE },
  totpOtherDevice: { result: 'accept', reason: 'passcode-accepted', login: ALICE, factor: 'okta-verify-totp' },
  notACode: { result: 'reject', reason: 'passcode-invalid', replyMessage: 'The code is not valid. Start again.', login: ALICE },
  pickSms: { result: 'challenge', reason: 'code-requested', replyMessage: 'A code was sent by SMS to +1 XXX-XXX-1234. Enter it.', login: ALICE },
  pickCall: { result: 'reject', reason: 'factor-not-enrolled', replyMessage: 'You have no CALL factor enrolled in Okta. Use another factor.', login: ALICE },
  pickNonsense: { result: 'reject', reason: 'answer-not-understood', replyMessage: 'Reply with the number of a factor, or a code. Start again.', login: ALICE },
  pick12: { result: 'reject', reason: 'answer-not-understood', replyMessage: 'Reply with the number of a factor, or a code. Start again.', login: ALICE },
  pickCode: { result: 'accept', reason: 'passcode-accepted', login: ALICE, factor: 'okta-verify-totp' },
  staleState: { result: 'reject', reason: 'challenge-expired', replyMessage: 'The sign-in expired. Start again.', login: ALICE },
  internal: { result: 'reject', reason: 'internal-error', replyMessage: 'The MFA service failed to check your sign-in. Try again later.' },
  unavailable: { result: 'reject', reason: 'okta-unavailable', replyMessage: 'Okta could not be reached to check your sign-in. Try again later.' },
};

describe('engine decisions in full: password-first and failures', () => {
  it('the factor menu, each answer to it, a stale State, and Okta failing: what the user reads', async () => {
    const out: Record<string, unknown> = {};
    const pf = setup({ mode: 'password-first' });
    pf.okta.addUser(ALICE, [OV_TOTP, SMS, { ...OV_TOTP, id: 'ov-totp-2' }], { password: 'pw' });
    pf.okta.validCodes.set('ov-totp-2', '654321');
    const menu = await pf.pap('alice', 'pw');
    out.menu = shown(menu);
    const pick = (d: Decision, answer: string) => pf.pap('alice', answer, { ...(d.state ? { state: d.state } : {}) });
    out.pickOne = shown(await pick(menu, ' 1 '));
    const menu2 = await pf.pap('alice', 'pw');
    out.pickTotp = shown(await pick(menu2, '1'));
    const menu3 = await pf.pap('alice', 'pw');
    const askTotp = await pick(menu3, '1');
    out.totpOtherDevice = shown(await pick(askTotp, ' 654321 '));
    const menu4 = await pf.pap('alice', 'pw');
    const askTotp4 = await pick(menu4, '1');
    out.notACode = shown(await pick(askTotp4, 'push'));
    const menu5 = await pf.pap('alice', 'pw');
    out.pickSms = shown(await pick(menu5, '2'));
    const menu7 = await pf.pap('alice', 'pw');
    out.pickCall = shown(await pick(menu7, 'call'));
    const menu8 = await pf.pap('alice', 'pw');
    out.pickNonsense = shown(await pick(menu8, 'hello'));
    const menu9 = await pf.pap('alice', 'pw');
    out.pick12 = shown(await pick(menu9, '12'));
    const menu10 = await pf.pap('alice', 'pw');
    out.pickCode = shown(await pick(menu10, '654321'));
    out.staleState = shown(await pick(menu10, '654321'));
    const fail = setup();
    fail.okta.addUser(ALICE, [OV_TOTP]);
    fail.okta.failWith = new Error('boom');
    out.internal = shown(await fail.pap('alice', '123456'));
    fail.okta.failWith = Object.assign(new Error('down'), { reason: 'okta-unavailable' });
    out.unavailable = shown(await fail.pap('alice', '123456'));
    assert.deepEqual(Object.keys(out), Object.keys(EXPECTED_PASSWORD_FIRST));
    for (const [name, decision] of Object.entries(out)) assert.deepEqual(decision, EXPECTED_PASSWORD_FIRST[name], name);
  });
});
