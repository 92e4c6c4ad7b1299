// Phones, apps and factors: what each person carries and how they react to pushes.
import assert from 'node:assert/strict';
import { stepsFor } from './support/catalogue.ts';
import type { AppName, Channel, Person } from './support/parameters.ts';
import type { LabWorld } from './support/world.ts';

const { Given, When, Then } = stepsFor<LabWorld>('devices');

Given(
  '{user} has {app} on {whose} phone',
  {
    description:
      "Installs the app on the person's own phone and enrols it in Okta (active), as if the QR code had been scanned earlier. The phone must be the person's own (\"Alice has … on her phone\").",
    example: 'Given Alice has Okta Verify on her phone',
  },
  async function (this: LabWorld, person: Person, app: AppName, whose: Person) {
    if (whose !== person) {
      throw new Error(`${person}'s authenticator goes on ${person}'s own phone in this lab, not ${whose}'s: write "on her / his phone" (to use another person's code, say so in the sign-in step: "with ${whose}'s current … code").`);
    }
    await this.enrolApp(person, app, 0);
  },
);

Given(
  '{user} has {app} on a second phone',
  {
    description: 'Gives the person a second phone with the app, enrolled in Okta.',
    example: 'Given Frank has Google Authenticator on a second phone',
  },
  async function (this: LabWorld, person: Person, app: AppName) {
    await this.enrolApp(person, app, 1);
  },
);

Given(
  '{user} has {app} on {int} phones',
  {
    description: 'Gives the person that many phones, each with the app enrolled in Okta, the first enrolled first.',
    example: 'Given Frank has Okta Verify on 2 phones',
  },
  async function (this: LabWorld, person: Person, app: AppName, n: number) {
    for (let i = 0; i < n; i++) {
      await this.enrolApp(person, app, i);
      // Enrolments one second apart, so "most recently enrolled" is well defined.
      await this.clock.advance(1_000);
    }
  },
);

Given(
  '{user} can receive codes by {channel}',
  {
    description: 'Enrols SMS or voice call (to the first phone) or email (to their address) as an active Okta factor.',
    example: 'Given Dave can receive codes by SMS',
  },
  async function (this: LabWorld, person: Person, channel: Channel) {
    await this.enrolChannel(person, channel);
  },
);

Given(
  '{user} has no MFA factor enrolled',
  {
    description: 'States that the person has no factor in Okta (checks it).',
    example: 'Given Frank has no MFA factor enrolled',
  },
  async function (this: LabWorld, person: Person) {
    assert.equal((await this.oktaAdmin.listFactors(this.oktaUserId(person))).length, 0, `${person} already has factors`);
  },
);

Given(
  '{user} has started enrolling {app} but not finished',
  {
    description: 'The app scanned the QR code but the enrolment was never activated: the factor stays pending activation.',
    example: 'Given Frank has started enrolling Okta Verify but not finished',
  },
  async function (this: LabWorld, person: Person, app: AppName) {
    await this.enrolApp(person, app, 0, { pending: true });
  },
);

When(
  '{user} enrols {app} by scanning the QR code Okta shows',
  {
    description: "Starts an enrolment in Okta and scans the otpauth:// QR code with the app on the person's phone.",
    example: 'When Frank enrols Google Authenticator by scanning the QR code Okta shows',
  },
  async function (this: LabWorld, person: Person, app: AppName) {
    await this.enrolApp(person, app, 0, { pending: true });
  },
);

When(
  '{user} activates it with the code it shows',
  {
    description: "Finishes the pending enrolment by typing the code the app shows into Okta (Okta's Management API: activate the factor).",
    example: 'When he activates it with the code it shows',
  },
  async function (this: LabWorld, person: Person) {
    const userId = this.oktaUserId(person);
    const pending = (await this.oktaAdmin.listFactors(userId)).find((f) => f.status === 'PENDING_ACTIVATION');
    assert.ok(pending, `${person} has no enrolment waiting for activation`);
    const phone = this.phone(person, 0);
    const app = pending.provider === 'GOOGLE' ? phone.googleAuthenticator : phone.oktaVerify;
    assert.ok(app, `${person}'s phone has no app for the pending ${pending.provider} enrolment`);
    await this.oktaAdmin.activateFactor(userId, pending.id, app.currentCode());
    const u = this.user(person);
    u.totpStepUsed = Math.max(u.totpStepUsed ?? 0, Math.floor(this.clock.now() / 30_000));
  },
);

Given(
  '{whose} phone will {pushAnswer} the push',
  {
    description: "How the person reacts to every push on their (first) phone's Okta Verify, at once.",
    example: "Given Carol's phone will approve the push",
  },
  function (this: LabWorld, person: Person, action: 'approve' | 'deny' | 'ignore') {
    oktaVerifyOf(this, person, 0).setPushBehaviour({ action });
  },
);

Given(
  '{whose} phone will {pushAnswer} the push after {duration}',
  {
    description: "How the person reacts to every push on their (first) phone's Okta Verify, after a delay of lab time.",
    example: "Given Carol's phone will approve the push after 10 seconds",
  },
  function (this: LabWorld, person: Person, action: 'approve' | 'deny' | 'ignore', ms: number) {
    oktaVerifyOf(this, person, 0).setPushBehaviour(action === 'ignore' ? { action } : { action, afterSeconds: ms / 1000 });
  },
);

Given(
  '{whose} {ordinal} phone will {pushAnswer} the push after {duration}',
  {
    description: 'Push reaction on one of several phones (first, second, third).',
    example: "Given Frank's second phone will approve the push after 2 seconds",
  },
  function (this: LabWorld, person: Person, n: number, action: 'approve' | 'deny' | 'ignore', ms: number) {
    oktaVerifyOf(this, person, n).setPushBehaviour(action === 'ignore' ? { action } : { action, afterSeconds: ms / 1000 });
  },
);

Then(
  '{whose} phone received {count} push(es)',
  {
    description: "Counts the pushes that reached the person's (first) phone.",
    example: 'Then her phone received 1 push',
  },
  function (this: LabWorld, person: Person, n: number) {
    assert.equal(oktaVerifyOf(this, person, 0).pushes().length, n, `pushes on ${person}'s phone`);
  },
);

Then(
  '{whose} {ordinal} phone received {count} push(es)',
  {
    description: "Counts the pushes that reached one of the person's phones.",
    example: 'Then his second phone received 1 push',
  },
  function (this: LabWorld, person: Person, i: number, n: number) {
    assert.equal(oktaVerifyOf(this, person, i).pushes().length, n, `pushes on ${person}'s phone ${i + 1}`);
  },
);

Then(
  'a code was sent to {user} by {channel}',
  {
    description: 'Checks that a one-time code reached the person in the SMS inbox, on the voice line (an answered call) or in the email inbox since the last sign-in began (activation codes do not count).',
    example: 'Then a code was sent to him by SMS',
  },
  function (this: LabWorld, person: Person, channel: Channel) {
    const codes = this.codesSentSinceExchangeStart(person, channel);
    assert.ok(codes.length > 0, `no code reached ${person} by ${channel} since the last sign-in began`);
  },
);

Then(
  'no code was sent to {user} by {channel}',
  {
    description:
      'Nothing arrived for the person by SMS, voice call (answered or not) or email since the last sign-in began — checked after that sign-in got its answer, so a code on its way would be there.',
    example: 'Then no code was sent to her by SMS',
  },
  function (this: LabWorld, person: Person, channel: Channel) {
    // Only after the agent answered the person's sign-in is "nothing arrived" proof of anything: a silent or dead agent sends nothing either.
    const { result } = this.lastResult(person);
    assert.ok(
      result.attempts > 0 && result.reason !== 'mfa-timeout',
      `${person}'s last sign-in got no answer from the agent (${result.reason}), so no code proves nothing: check that sign-in first`,
    );
    const n = this.messagesSinceExchangeStart(person, channel);
    assert.equal(n, 0, `${n} message(s) reached ${person} by ${channel} since the last sign-in began`);
  },
);

Given(
  '{whose} phone is offline',
  {
    description: "The person's (first) phone has no network: pushes and SMS wait until it is back, calls are missed.",
    example: "Given Dave's phone is offline",
  },
  function (this: LabWorld, person: Person) {
    this.phone(person, 0).goOffline();
  },
);

When(
  '{whose} phone comes back online',
  {
    description: 'The phone has network again: held SMS arrive, held pushes that have not expired appear.',
    example: 'When his phone comes back online',
  },
  function (this: LabWorld, person: Person) {
    this.phone(person, 0).goOnline();
  },
);

Given(
  '{user} does not answer voice calls',
  {
    description: "The person's (first) phone rings but nobody picks up: the code in the call is never heard.",
    example: 'Given Dave does not answer voice calls',
  },
  function (this: LabWorld, person: Person) {
    this.phone(person, 0).voice.answering = false;
  },
);

Then(
  '{user} missed {count} voice call(s)',
  {
    description: 'Counts the calls that rang on the person\'s phone without being answered since the last sign-in began.',
    example: 'Then she missed 1 voice call',
  },
  function (this: LabWorld, person: Person, n: number) {
    const heard = this.codesSentSinceExchangeStart(person, 'call').length;
    const rang = this.messagesSinceExchangeStart(person, 'call');
    assert.equal(rang - heard, n, `${person} missed ${rang - heard} call(s) (${rang} rang)`);
  },
);

function oktaVerifyOf(world: LabWorld, person: Person, n: number) {
  const ov = world.phone(person, n).oktaVerify;
  if (!ov) throw new Error(`${person}'s phone ${n + 1} has no Okta Verify: add "Given ${person} has Okta Verify on …" first.`);
  return ov;
}
