// Signing in to WorkSpaces through the AD Connector, and what the user sees.
import assert from 'node:assert/strict';
import { stepsFor } from './support/catalogue.ts';
import type { AppName, Channel, Person } from './support/parameters.ts';
import type { LabWorld } from './support/world.ts';

const { Given, When, Then } = stepsFor<LabWorld>('sign-in');

/** The code an app on the person's phone shows, `offset` time steps from now (TOTP) or the current Duo passcode. */
export function codeFrom(world: LabWorld, person: Person, app: AppName, offset = 0, phoneIndex?: number): string {
  const u = world.user(person);
  const phones = phoneIndex === undefined ? u.phones : [world.phone(person, phoneIndex)];
  for (const phone of phones) {
    if (app === 'duo-mobile' && phone.duoMobile?.activated) return phone.duoMobile.currentPasscode();
    const totp = app === 'okta-verify' ? phone.oktaVerify : app === 'google-authenticator' ? phone.googleAuthenticator : undefined;
    if (totp && totp.accounts().length > 0) return totp.code(undefined, offset);
  }
  throw new Error(`${person} has no ${app} with an account: add "Given ${person} has … on her phone" first.`);
}

/** A six-digit code that is none of the codes the app could accept around now. */
export function wrongCode(world: LabWorld, person: Person, app: AppName): string {
  const valid = new Set<string>();
  if (app === 'duo-mobile') {
    valid.add(codeFrom(world, person, app));
  } else {
    for (let k = -3; k <= 3; k++) valid.add(codeFrom(world, person, app, k));
  }
  for (let n = 123456; ; n = (n + 111_111) % 1_000_000) {
    const candidate = String(n).padStart(6, '0');
    if (!valid.has(candidate)) return candidate;
  }
}

When(
  '{user} signs in( to WorkSpaces) with {whose} current {factor}',
  {
    description:
      "Signs in through the AD Connector with the person's user name and password and, as MFA code, what the app on their phone shows now.",
    example: 'When she signs in to WorkSpaces with her current Okta Verify code',
  },
  async function (this: LabWorld, person: Person, _whose: Person, app: AppName) {
    await this.signIn(person, codeFrom(this, person, app));
  },
);

When(
  '{user} signs in( to WorkSpaces) with the current {factor} of {whose} {ordinal} phone',
  {
    description: 'Like the above, with the code of one of several phones.',
    example: 'When he signs in to WorkSpaces with the current Okta Verify code of his second phone',
  },
  async function (this: LabWorld, person: Person, app: AppName, _whose: Person, n: number) {
    await this.signIn(person, codeFrom(this, person, app, 0, n));
  },
);

When(
  '{user} signs in( to WorkSpaces) with {whose} {factor} from {timeStep}',
  {
    description: 'Signs in with the code the app showed (or will show) in another 30-second time step: clock drift and late typing.',
    example: 'When she signs in to WorkSpaces with her Okta Verify code from the previous time step',
  },
  async function (this: LabWorld, person: Person, _whose: Person, app: AppName, offset: number) {
    await this.signIn(person, codeFrom(this, person, app, offset));
  },
);

When(
  '{user} signs in( to WorkSpaces) with a wrong {factor}',
  {
    description: 'Signs in with a six-digit code that the app would not show around now.',
    example: 'When she signs in to WorkSpaces with a wrong Okta Verify code',
  },
  async function (this: LabWorld, person: Person, app: AppName) {
    await this.signIn(person, wrongCode(this, person, app));
  },
);

When(
  '{user} signs in( to WorkSpaces) with {string} as {whose} MFA code',
  {
    description: 'Signs in typing exactly this text in the MFA field: a keyword (push, sms, call, email in any case) or any code.',
    example: 'When she signs in to WorkSpaces with "push" as her MFA code',
  },
  async function (this: LabWorld, person: Person, text: string, _whose: Person) {
    await this.signIn(person, text);
  },
);

When(
  '{user} signs in( to WorkSpaces) with a push',
  {
    description: 'Signs in typing "push": the agent sends an Okta Verify push and waits for the answer on the phone.',
    example: 'When she signs in to WorkSpaces with a push',
  },
  async function (this: LabWorld, person: Person) {
    await this.signIn(person, 'push');
  },
);

When(
  '{user} signs in( to WorkSpaces) with the code from the {channel}',
  {
    description: 'Signs in with the latest code that arrived by SMS, voice call or email.',
    example: 'When he signs in to WorkSpaces with the code from the SMS',
  },
  async function (this: LabWorld, person: Person, channel: Channel) {
    const code = this.network.latestCode(this.user(person).login, channel);
    assert.ok(code, `no code reached ${person} by ${channel}`);
    await this.signIn(person, code);
  },
);

When(
  '{user} signs in again with the same code',
  {
    description: 'Repeats the previous sign-in with exactly the same MFA code (a replay).',
    example: 'When she signs in again with the same code',
  },
  async function (this: LabWorld, person: Person) {
    await this.signIn(person, this.lastResult().mfaCode);
  },
);

When(
  '{user} signs in( to WorkSpaces) with the password {string} and {whose} current {factor}',
  {
    description: 'Signs in with another password than the right one (the MFA code is right).',
    example: 'When she signs in to WorkSpaces with the password "not-her-password" and her current Okta Verify code',
  },
  async function (this: LabWorld, person: Person, password: string, _whose: Person, app: AppName) {
    await this.signIn(person, codeFrom(this, person, app), { password });
  },
);

When(
  '{user} signs in( to WorkSpaces) as {string} with {whose} current {factor}',
  {
    description: 'Signs in typing this user name (another form of the name, another case) with the right password and code.',
    example: 'When she signs in to WorkSpaces as "GRACE" with her current Okta Verify code',
  },
  async function (this: LabWorld, person: Person, username: string, _whose: Person, app: AppName) {
    await this.signIn(person, codeFrom(this, person, app), { username });
  },
);

When(
  '{user} reads {whose} {factor} and types it {duration} later',
  {
    description: 'Reads the code now, lets lab time pass, then signs in with the code as read.',
    example: 'When she reads her Okta Verify code and types it 10 seconds later',
  },
  async function (this: LabWorld, person: Person, _whose: Person, app: AppName, ms: number) {
    const code = codeFrom(this, person, app);
    await this.pass(ms);
    await this.signIn(person, code);
  },
);

Given(
  '{int} seconds of the current time step have passed',
  {
    description: 'Moves lab time to that many seconds into the current 30-second TOTP step.',
    example: 'Given 25 seconds of the current time step have passed',
  },
  async function (this: LabWorld, seconds: number) {
    const now = this.clock.now();
    const stepStart = Math.floor(now / 30_000) * 30_000;
    let target = stepStart + seconds * 1000;
    if (target < now) target += 30_000;
    await this.pass(target - now);
  },
);

When(
  '{duration} pass(es)',
  {
    description: 'Lets lab time pass: devices answer, codes and pushes expire, TOTP steps move on.',
    example: 'When 1 minute passes',
  },
  async function (this: LabWorld, ms: number) {
    await this.pass(ms);
  },
);

Then(
  '{user} is {outcome}',
  {
    description:
      'The last sign-in had this outcome: "signed in" (WorkSpaces starts) or "refused" (for any reason, at the password check or after it).',
    example: 'Then she is signed in',
  },
  function (this: LabWorld, person: Person, outcome: 'signed-in' | 'refused') {
    const { result } = this.lastResult();
    const expected = outcome === 'signed-in';
    assert.equal(
      result.signedIn,
      expected,
      `${person}: expected ${expected ? 'signed in' : 'refused'}, got ${result.reason} — "${result.message}"${reply(result.replyMessage)}`,
    );
  },
);

Then(
  '{user} is refused with a message containing {string}',
  {
    description: "The last sign-in failed and the agent's Reply-Message contains this text (case-insensitive).",
    example: 'Then he is refused with a message containing "SMS"',
  },
  function (this: LabWorld, person: Person, text: string) {
    const { result } = this.lastResult();
    assert.equal(result.signedIn, false, `${person} was signed in`);
    const message = result.replyMessage ?? '';
    assert.ok(message.toLowerCase().includes(text.toLowerCase()), `Reply-Message "${message}" does not contain "${text}"`);
  },
);

Then(
  '{user} is refused at the password check because {string}',
  {
    description:
      'The AD Connector refused the password step; the reason is one of: wrong password, account disabled, account locked out, account expired, must change password, password expired, directory unavailable.',
    example: 'Then she is refused at the password check because "account disabled"',
  },
  function (this: LabWorld, person: Person, why: string) {
    const expected = PASSWORD_REASONS[why];
    assert.ok(expected, `unknown reason "${why}"; use one of: ${Object.keys(PASSWORD_REASONS).join(', ')}`);
    const { result } = this.lastResult();
    assert.equal(result.reason, expected, `${person}: expected ${expected}, got ${result.reason} — "${result.message}"`);
  },
);

Then(
  'the sign-in fails because the RADIUS server did not answer',
  {
    description: 'The AD Connector got no verified answer from any RADIUS server within its timeouts and retries.',
    example: 'Then the sign-in fails because the RADIUS server did not answer',
  },
  function (this: LabWorld) {
    const { result } = this.lastResult();
    assert.equal(result.reason, 'mfa-timeout', `expected mfa-timeout, got ${result.reason}${reply(result.replyMessage)}`);
  },
);

Then(
  'the sign-in took at least {duration}',
  {
    description: 'Lab time between the start and the end of the last sign-in.',
    example: 'Then the sign-in took at least 25 seconds',
  },
  function (this: LabWorld, ms: number) {
    const { startedAt, endedAt } = this.lastResult();
    assert.ok(endedAt - startedAt >= ms, `the sign-in took ${(endedAt - startedAt) / 1000} s`);
  },
);

Then(
  'the sign-in took at most {duration}',
  {
    description: 'Lab time between the start and the end of the last sign-in.',
    example: 'Then the sign-in took at most 5 seconds',
  },
  function (this: LabWorld, ms: number) {
    const { startedAt, endedAt } = this.lastResult();
    assert.ok(endedAt - startedAt <= ms, `the sign-in took ${(endedAt - startedAt) / 1000} s`);
  },
);

Then(
  'no RADIUS request was sent',
  {
    description: 'The last sign-in ended before the AD Connector sent anything to a RADIUS server.',
    example: 'And no RADIUS request was sent',
  },
  function (this: LabWorld) {
    assert.equal(this.lastResult().result.attempts, 0, 'RADIUS requests were sent');
  },
);

Then(
  'the AD Connector sent {int} copies of the request',
  {
    description: 'How many times the AD Connector transmitted the last sign-in (first transmission plus retries).',
    example: 'And the AD Connector sent 3 copies of the request',
  },
  function (this: LabWorld, n: number) {
    assert.equal(this.lastResult().result.attempts, n);
  },
);

const PASSWORD_REASONS: Record<string, string> = {
  'wrong password': 'password-rejected',
  'account disabled': 'account-disabled',
  'account locked out': 'account-locked',
  'account expired': 'account-expired',
  'must change password': 'password-must-change',
  'password expired': 'password-expired',
  'directory unavailable': 'directory-unreachable',
};

function reply(text: string | undefined): string {
  return text ? ` (Reply-Message: "${text}")` : '';
}
