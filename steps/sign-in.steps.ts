// Signing in to WorkSpaces through the AD Connector, and what the user sees.
import assert from 'node:assert/strict';
import { stepsFor } from './support/catalogue.ts';
import type { AppName, Channel, Person } from './support/parameters.ts';
import { PASSWORD_REASONS } from './support/words.ts';
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

/**
 * codeFrom, once that code can sign in at all: against an org reached over
 * the API (--okta-org) a TOTP step an enrolment typed is spent, and only real
 * time moves past it (PeopleFixture.codeUsable); on the mock nothing waits.
 */
export async function usableCode(world: LabWorld, person: Person, app: AppName, offset = 0, phoneIndex?: number): Promise<string> {
  if (app !== 'duo-mobile') await world.people.codeUsable(person, offset);
  return codeFrom(world, person, app, offset, phoneIndex);
}

/** A six-digit code that is none of the codes the app could accept around now. */
export function wrongCode(world: LabWorld, person: Person, app: AppName): string {
  const valid = new Set<string>();
  if (app === 'duo-mobile') {
    valid.add(codeFrom(world, person, app));
  } else {
    for (let k = -3; k <= 3; k++) valid.add(codeFrom(world, person, app, k));
  }
  return unlike(valid);
}

/** The MFA field is the signing-in person's own: "Bob signs in with … as Alice's MFA code" names the wrong person. */
function ownField(person: Person, whose: Person): void {
  if (whose !== person) throw new Error(`${person} types into ${person}'s own MFA field, not ${whose}'s: write "as her / his MFA code" or name ${person}.`);
}

When(
  '{user} signs in( to WorkSpaces) with {whose} current {factor}',
  {
    description:
      "Signs in through the AD Connector with the person's user name and password and, as MFA code, what the app on the named person's phone shows now (another person's code is allowed: it is what the step says).",
    example: 'When she signs in to WorkSpaces with her current Okta Verify code',
  },
  async function (this: LabWorld, person: Person, whose: Person, app: AppName) {
    await this.signIn(person, await usableCode(this, whose, app));
  },
);

When(
  '{user} signs in( to WorkSpaces) with the current {factor} of {whose} {ordinal} phone',
  {
    description: 'Like the above, with the code of one of several phones (first, second, third) of the named person.',
    example: 'When he signs in to WorkSpaces with the current Okta Verify code of his second phone',
  },
  async function (this: LabWorld, person: Person, app: AppName, whose: Person, n: number) {
    await this.signIn(person, await usableCode(this, whose, app, 0, n));
  },
);

When(
  '{user} signs in( to WorkSpaces) with {whose} {factor} from {timeStep}',
  {
    description: 'Signs in with the code the app showed (or will show) in another 30-second time step: clock drift and late typing.',
    example: 'When she signs in to WorkSpaces with her Okta Verify code from the previous time step',
  },
  async function (this: LabWorld, person: Person, whose: Person, app: AppName, offset: number) {
    await this.signIn(person, await usableCode(this, whose, app, offset));
  },
);

When(
  '{user} signs in( to WorkSpaces) with a wrong {factor}',
  {
    description: "Signs in with a six-digit code that the person's app would not show around now.",
    example: 'When she signs in to WorkSpaces with a wrong Okta Verify code',
  },
  async function (this: LabWorld, person: Person, app: AppName) {
    await this.signIn(person, wrongCode(this, person, app));
  },
);

When(
  '{user} signs in( to WorkSpaces) with a wrong {factor} {int} times',
  {
    description: 'Signs in that many times in a row, each time with a six-digit code the app would not show around now (Okta counts failed attempts).',
    example: 'When she signs in to WorkSpaces with a wrong Okta Verify code 3 times',
  },
  async function (this: LabWorld, person: Person, app: AppName, n: number) {
    for (let i = 0; i < n; i++) await this.signIn(person, wrongCode(this, person, app));
  },
);

When(
  '{user} signs in( to WorkSpaces) with {string} as {whose} MFA code',
  {
    description: 'Signs in typing exactly this text in the MFA field: a keyword (push, sms, call, email in any case) or any code.',
    example: 'When she signs in to WorkSpaces with "push" as her MFA code',
  },
  async function (this: LabWorld, person: Person, text: string, whose: Person) {
    ownField(person, whose);
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
    description: 'Signs in with the latest code that reached the person by SMS, voice call (an answered one) or email.',
    example: 'When he signs in to WorkSpaces with the code from the SMS',
  },
  async function (this: LabWorld, person: Person, channel: Channel) {
    const code = this.signInCodes(person, channel).at(-1);
    assert.ok(code, `no code reached ${person} by ${channel} since enrolment`);
    await this.signIn(person, code);
  },
);

When(
  '{user} signs in( to WorkSpaces) with the code from the {ordinal} {channel}',
  {
    description:
      'Signs in with the code of the first, second or third message that reached the person by SMS, voice call or email since enrolment — e.g. the code of an earlier SMS after a second one was sent.',
    example: 'When he signs in to WorkSpaces with the code from the first SMS',
  },
  async function (this: LabWorld, person: Person, n: number, channel: Channel) {
    const codes = this.signInCodes(person, channel);
    const code = codes[n];
    assert.ok(code, `only ${codes.length} code(s) reached ${person} by ${channel} since enrolment`);
    await this.signIn(person, code);
  },
);

When(
  '{user} signs in( to WorkSpaces) with the code from {whose} {channel}',
  {
    description: "Signs in with the latest code that reached the named person by SMS, voice call or email — another person's code is allowed.",
    example: "When Bob signs in to WorkSpaces with the code from Alice's SMS",
  },
  async function (this: LabWorld, person: Person, whose: Person, channel: Channel) {
    const code = this.signInCodes(whose, channel).at(-1);
    assert.ok(code, `no code reached ${whose} by ${channel} since enrolment`);
    await this.signIn(person, code);
  },
);

When(
  '{user} signs in( to WorkSpaces) with a wrong {channel} code',
  {
    description: 'Signs in with a six-digit code that is none of the codes sent to the person by that channel.',
    example: 'When he signs in to WorkSpaces with a wrong SMS code',
  },
  async function (this: LabWorld, person: Person, channel: Channel) {
    const sent = new Set(this.signInCodes(person, channel));
    await this.signIn(person, unlike(sent));
  },
);

When(
  '{user} signs in again with the same code',
  {
    description: "Repeats the person's previous sign-in with exactly the same MFA code (a replay).",
    example: 'When she signs in again with the same code',
  },
  async function (this: LabWorld, person: Person) {
    await this.signIn(person, this.lastResult(person).mfaCode);
  },
);

When(
  '{user} signs in( to WorkSpaces) with the password {string} and {whose} current {factor}',
  {
    description: 'Signs in with another password than the right one (the MFA code is right).',
    example: 'When she signs in to WorkSpaces with the password "not-her-password" and her current Okta Verify code',
  },
  async function (this: LabWorld, person: Person, password: string, whose: Person, app: AppName) {
    await this.signIn(person, codeFrom(this, whose, app), { password });
  },
);

When(
  '{user} signs in( to WorkSpaces) as {string} with {whose} current {factor}',
  {
    description: 'Signs in typing this user name (another form of the name, another case) with the right password and code.',
    example: 'When she signs in to WorkSpaces as "GRACE" with her current Okta Verify code',
  },
  async function (this: LabWorld, person: Person, username: string, whose: Person, app: AppName) {
    await this.signIn(person, codeFrom(this, whose, app), { username });
  },
);

When(
  '{user} reads {whose} {factor} and types it {duration} later',
  {
    description: 'Reads the code now, lets lab time pass, then signs in with the code as read.',
    example: 'When she reads her Okta Verify code and types it 10 seconds later',
  },
  async function (this: LabWorld, person: Person, whose: Person, app: AppName, ms: number) {
    const code = codeFrom(this, whose, app);
    await this.pass(ms);
    await this.signIn(person, code);
  },
);

When(
  '{user} and {user} sign in( to WorkSpaces) at the same time with their current {factor}s',
  {
    description: 'Both people sign in at once, each with the code their own app shows now: two Access-Requests in flight together.',
    example: 'When Alice and Bob sign in to WorkSpaces at the same time with their current Okta Verify codes',
  },
  async function (this: LabWorld, first: Person, second: Person, app: AppName) {
    if (first === second) throw new Error(`"${first} and ${second}": name two different people.`);
    await this.signInTogether([
      { person: first, mfaCode: codeFrom(this, first, app) },
      { person: second, mfaCode: codeFrom(this, second, app) },
    ]);
  },
);

Given(
  '{whose} password is {string}',
  {
    description: "Gives the person this password, in AD and in Okta (e.g. one with a comma, for the password,passcode mode).",
    example: 'Given Alice\'s password is "Pass,word-1!"',
  },
  async function (this: LabWorld, person: Person, password: string) {
    await this.setPassword(person, password);
  },
);

Given(
  '{int} seconds of the current time step have passed',
  {
    description: 'Moves lab time to that many seconds into the current 30-second TOTP step.',
    example: 'Given 25 seconds of the current time step have passed',
  },
  async function (this: LabWorld, seconds: number) {
    if (seconds < 0 || seconds > 29) throw new Error(`A TOTP time step is 30 seconds long: use 0 to 29 seconds, not ${seconds}.`);
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

// ─── outcomes ────────────────────────────────────────────────────────────

Then(
  '{user} is signed in',
  {
    description: "The person's last sign-in succeeded: the password check passed and the agent answered with an Access-Accept (WorkSpaces starts).",
    example: 'Then she is signed in',
  },
  function (this: LabWorld, person: Person) {
    const { result } = this.lastResult(person);
    assert.equal(result.signedIn, true, `${person} was not signed in: ${result.reason} — "${result.message}"${reply(result.replyMessage)}`);
  },
);

Then(
  '{user} is rejected by the agent',
  {
    description: "The person's last sign-in passed the password check and the agent answered it with a verified Access-Reject (not silence, not a time-out).",
    example: 'Then she is rejected by the agent',
  },
  function (this: LabWorld, person: Person) {
    rejectedByAgent(this, person);
  },
);

Then(
  '{user} is rejected by the agent with a Reply-Message',
  {
    description: 'Like the above, and the Access-Reject carries a Reply-Message that says why (whatever its words).',
    example: 'Then she is rejected by the agent with a Reply-Message',
  },
  function (this: LabWorld, person: Person) {
    const message = rejectedByAgent(this, person);
    assert.ok(message.trim().length > 0, `${person} was rejected without a Reply-Message: the reason was not said`);
  },
);

Then(
  '{user} is rejected by the agent with a message containing {string}',
  {
    description: "Like the above, and the Access-Reject's Reply-Message contains this text (case-insensitive).",
    example: 'Then he is rejected by the agent with a message containing "SMS"',
  },
  function (this: LabWorld, person: Person, text: string) {
    const message = rejectedByAgent(this, person);
    assert.ok(message.toLowerCase().includes(text.toLowerCase()), `${person}'s Reply-Message "${message}" does not contain "${text}"`);
  },
);

Then(
  '{user} is refused at the password check because {passwordReason}',
  {
    description:
      'The AD Connector refused the password step, for this reason: wrong password, account disabled, account locked out, account expired, must change password, password expired, directory unavailable. No RADIUS request was needed.',
    example: 'Then she is refused at the password check because "account disabled"',
  },
  function (this: LabWorld, person: Person, expected: string) {
    const { result } = this.lastResult(person);
    const words = Object.entries(PASSWORD_REASONS).find(([, code]) => code === result.reason)?.[0] ?? result.reason;
    assert.equal(result.reason, expected, `${person}: expected a refusal at the password check because "${wordsFor(expected)}", got ${words} — "${result.message}"`);
    assert.equal(result.attempts, 0, `${person}'s sign-in reached RADIUS (${result.attempts} request(s)), so it was not refused at the password check`);
  },
);

Then(
  '{whose} sign-in fails because the RADIUS server did not answer',
  {
    description:
      "The AD Connector got no verified answer from any RADIUS server within its timeouts and retries for the person's last sign-in; the agent is then shown to be alive (it answers a known-good request), so silence was its choice.",
    example: 'Then her sign-in fails because the RADIUS server did not answer',
  },
  async function (this: LabWorld, person: Person) {
    const { result } = this.lastResult(person);
    assert.equal(result.reason, 'mfa-timeout', `${person}: expected no answer from the RADIUS server, got ${result.reason}${reply(result.replyMessage)}`);
    await this.proveAgentAlive();
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

/** Asserts that the person's last sign-in ended in a verified Access-Reject; returns its Reply-Message. */
function rejectedByAgent(world: LabWorld, person: Person): string {
  const { result } = world.lastResult(person);
  assert.equal(
    result.reason,
    'mfa-rejected',
    `${person}: expected an Access-Reject from the agent, got ${result.reason} — "${result.message}"${reply(result.replyMessage)}`,
  );
  return result.replyMessage ?? '';
}

function wordsFor(code: string): string {
  return Object.entries(PASSWORD_REASONS).find(([, c]) => c === code)?.[0] ?? code;
}

/** A six-digit code none of `taken` (111111 and 10^6 are coprime, so the walk visits every code). */
function unlike(taken: ReadonlySet<string>): string {
  for (let n = 123456; ; n = (n + 111_111) % 1_000_000) {
    const candidate = String(n).padStart(6, '0');
    if (!taken.has(candidate)) return candidate;
  }
}

function reply(text: string | undefined): string {
  return text ? ` (Reply-Message: "${text}")` : '';
}
