// The agent's password modes: how the RADIUS app reads User-Password, what a
// WorkSpaces user types for each, and the password-first dialogue through a
// RADIUS client that handles Access-Challenge (a VPN; the AD Connector does not).
import assert from 'node:assert/strict';
import { codeFrom, wrongCode } from './sign-in.steps.ts';
import { stepsFor } from './support/catalogue.ts';
import { answerRequest, type DialogueReply, dialogueOf, menuNumber, readReply, strangerState } from './support/challenge-dialogue.ts';
import type { AppName, Channel, Person } from './support/parameters.ts';
import type { LabWorld } from './support/world.ts';

const { Given, When, Then } = stepsFor<LabWorld>('modes');

/** Lab time a VPN waits for one answer: longer than the agent's push wait (half its 60 s total), so a push can be answered. */
const VPN_WAIT_MS = 65_000;

function setMode(world: LabWorld, mode: LabWorld['agentUnderTest']['mode']): void {
  assert.equal(world.agent, undefined, 'the agent has already started: set the RADIUS app’s mode before the first sign-in');
  world.agentUnderTest.mode = mode;
}

Given(
  'the RADIUS app asks for the password first',
  {
    description:
      'Runs the agent in password-first mode: the first Access-Request carries the password, the agent answers with an Access-Challenge listing the factors, and the client answers it (echoing the State).',
    example: 'Given the RADIUS app asks for the password first',
  },
  function (this: LabWorld) {
    setMode(this, 'primary-auth');
  },
);

Given(
  'the RADIUS app takes the password and code in one field',
  {
    description:
      'Runs the agent in password,passcode mode: User-Password is "password,answer" (split at the last comma); the password is checked by Okta, then the answer in the same Okta transaction.',
    example: 'Given the RADIUS app takes the password and code in one field',
  },
  function (this: LabWorld) {
    setMode(this, 'password-passcode');
  },
);

// ─── WorkSpaces (through the AD Connector) ───────────────────────────────────

When(
  '{user} signs in( to WorkSpaces) with {whose} password in the MFA field',
  {
    description: 'Signs in through the AD Connector with the right password, and types the same password in the MFA field too.',
    example: 'When she signs in to WorkSpaces with her password in the MFA field',
  },
  async function (this: LabWorld, person: Person, whose: Person) {
    await this.signIn(person, this.user(whose).password);
  },
);

When(
  '{user} signs in( to WorkSpaces) with {whose} password and current {factor} in the MFA field',
  {
    description: 'Signs in through the AD Connector with the right password, and types "password,code" in the MFA field: the password, a comma, the code the app shows now.',
    example: 'When she signs in to WorkSpaces with her password and current Okta Verify code in the MFA field',
  },
  async function (this: LabWorld, person: Person, whose: Person, app: AppName) {
    await this.signIn(person, `${this.user(whose).password},${codeFrom(this, whose, app)}`);
  },
);

When(
  '{user} signs in( to WorkSpaces) with {whose} password and a wrong {factor} in the MFA field',
  {
    description: 'Like the above, with a six-digit code the app would not show around now after the comma.',
    example: 'When she signs in to WorkSpaces with her password and a wrong Okta Verify code in the MFA field',
  },
  async function (this: LabWorld, person: Person, whose: Person, app: AppName) {
    await this.signIn(person, `${this.user(whose).password},${wrongCode(this, whose, app)}`);
  },
);

When(
  '{user} signs in( to WorkSpaces) with the password {string} and {whose} current {factor} in the MFA field',
  {
    description:
      'Signs in through the AD Connector with the right password in the password field, but types this other password before the comma in the MFA field (the code after it is right).',
    example: 'When she signs in to WorkSpaces with the password "not-her-password" and her current Okta Verify code in the MFA field',
  },
  async function (this: LabWorld, person: Person, password: string, whose: Person, app: AppName) {
    await this.signIn(person, `${password},${codeFrom(this, whose, app)}`);
  },
);

When(
  '{user} signs in( to WorkSpaces) with {whose} password and {string} in the MFA field',
  {
    description: 'Signs in through the AD Connector with the right password, and types "password,<text>" in the MFA field, e.g. a keyword: push, sms.',
    example: 'When she signs in to WorkSpaces with her password and "push" in the MFA field',
  },
  async function (this: LabWorld, person: Person, whose: Person, text: string) {
    await this.signIn(person, `${this.user(whose).password},${text}`);
  },
);

When(
  '{user} signs in( to WorkSpaces) with {whose} password and the code from the {channel} in the MFA field',
  {
    description: 'Signs in through the AD Connector with the right password, and types "password,code" in the MFA field with the latest code that arrived by SMS, voice call or email.',
    example: 'When he signs in to WorkSpaces with his password and the code from the SMS in the MFA field',
  },
  async function (this: LabWorld, person: Person, whose: Person, channel: Channel) {
    const code = this.signInCodes(whose, channel).at(-1);
    assert.ok(code, `no code reached ${whose} by ${channel} since enrolment`);
    await this.signIn(person, `${this.user(whose).password},${code}`);
  },
);

Then(
  '{whose} sign-in fails because the AD Connector does not support Access-Challenge',
  {
    description: "The agent answered the person's last sign-in with a verified Access-Challenge, which the AD Connector cannot answer: the sign-in failed (AWS documents that AD Connector does not support challenges).",
    example: 'Then her sign-in fails because the AD Connector does not support Access-Challenge',
  },
  function (this: LabWorld, person: Person) {
    const { result } = this.lastResult(person);
    assert.equal(result.signedIn, false, 'the sign-in succeeded');
    assert.equal(result.reason, 'challenge-unsupported', `expected challenge-unsupported, got ${result.reason}${result.replyMessage ? ` (Reply-Message: "${result.replyMessage}")` : ''}`);
  },
);

Then(
  'the WorkSpaces client tells {user} {string}',
  {
    description: 'What the WorkSpaces client shows after the last sign-in contains this text (case-insensitive).',
    example: 'Then the WorkSpaces client tells her "Contact your administrator"',
  },
  function (this: LabWorld, person: Person, text: string) {
    const { message } = this.lastResult(person).result;
    assert.ok(message.toLowerCase().includes(text.toLowerCase()), `the client shows "${message}", not "${text}"`);
  },
);

// ─── A RADIUS client that handles challenges (a VPN) ─────────────────────────

/** Sends one answer through the VPN (the World's raw client) and records the reply in the scenario's dialogue. */
export async function vpnSend(world: LabWorld, person: Person, answer: string, state?: Buffer): Promise<DialogueReply> {
  await world.ready();
  const userName = world.user(person).samAccountName;
  const secret = world.agentSecret();
  const request = answerRequest(state ? { userName, answer, state, secret } : { userName, answer, secret });
  const {
    replies: [bytes],
  } = await world.rawExchange([request], 1, VPN_WAIT_MS);
  assert.ok(bytes, `the agent did not answer ${person}'s request within ${VPN_WAIT_MS / 1000} s`);
  const reply = readReply(bytes, request, secret);
  dialogueOf(world).turns.push(state ? { userName, answer, sentState: state, reply } : { userName, answer, reply });
  return reply;
}

/** The last reply the person got through the VPN: a step that names a person checks that person's dialogue. */
export function lastVpnReply(world: LabWorld, person: Person): DialogueReply {
  const userName = world.user(person).samAccountName;
  const turn = dialogueOf(world).turns.findLast((t) => t.userName === userName);
  if (!turn) throw new Error(`${person} has sent nothing through the VPN in this scenario: check the name in this step.`);
  return turn.reply;
}

/** The State of the person's last challenge: what their next answer echoes. */
export function stateOf(world: LabWorld, person: Person): Buffer {
  const reply = lastVpnReply(world, person);
  if (reply.kind !== 'challenge' || !reply.state) {
    throw new Error(`${person}'s last reply was an ${KIND[reply.kind]}, not a challenge: there is nothing to answer ("${reply.message}").`);
  }
  return reply.state;
}

const KIND = { accept: 'Access-Accept', reject: 'Access-Reject', challenge: 'Access-Challenge' } as const;

function describe(reply: DialogueReply): string {
  return `${KIND[reply.kind]}${reply.message ? ` "${reply.message}"` : ''}`;
}

When(
  '{user} signs in to the VPN with {whose} password',
  {
    description:
      'A RADIUS client that handles Access-Challenge (a VPN gateway, from the AD Connector’s first address) sends the person’s user name and right password.',
    example: 'When she signs in to the VPN with her password',
  },
  async function (this: LabWorld, person: Person, whose: Person) {
    await vpnSend(this, person, this.user(whose).password);
  },
);

When(
  '{user} signs in to the VPN with the password {string}',
  {
    description: 'Like the above, with this password instead of the right one.',
    example: 'When she signs in to the VPN with the password "not-her-password"',
  },
  async function (this: LabWorld, person: Person, password: string) {
    await vpnSend(this, person, password);
  },
);

When(
  '{user} picks {string}',
  {
    description: 'Answers the factor menu of the last challenge with the number of the factor of that name (e.g. Okta Verify push, Okta Verify code, SMS code).',
    example: 'When she picks "Okta Verify push"',
  },
  async function (this: LabWorld, person: Person, name: string) {
    const state = stateOf(this, person);
    await vpnSend(this, person, String(menuNumber(lastVpnReply(this, person).message, name)), state);
  },
);

When(
  '{user} answers {string}',
  {
    description: 'Answers the last challenge with exactly this text (a factor number, a keyword or a code), echoing its State.',
    example: 'When she answers "2"',
  },
  async function (this: LabWorld, person: Person, text: string) {
    await vpnSend(this, person, text, stateOf(this, person));
  },
);

When(
  '{user} answers with {whose} current {factor}',
  {
    description: 'Answers the last challenge with the code the app on the person’s phone shows now, echoing its State.',
    example: 'When she answers with her current Okta Verify code',
  },
  async function (this: LabWorld, person: Person, whose: Person, app: AppName) {
    await vpnSend(this, person, codeFrom(this, whose, app), stateOf(this, person));
  },
);

When(
  '{user} answers with a wrong {factor}',
  {
    description: 'Answers the last challenge with a six-digit code the app would not show around now.',
    example: 'When she answers with a wrong Okta Verify code',
  },
  async function (this: LabWorld, person: Person, app: AppName) {
    await vpnSend(this, person, wrongCode(this, person, app), stateOf(this, person));
  },
);

When(
  '{user} answers with the code from the {channel}',
  {
    description: 'Answers the last challenge with the latest code that arrived by SMS, voice call or email.',
    example: 'When he answers with the code from the SMS',
  },
  async function (this: LabWorld, person: Person, channel: Channel) {
    const code = this.signInCodes(person, channel).at(-1);
    assert.ok(code, `no code reached ${person} by ${channel} since enrolment`);
    await vpnSend(this, person, code, stateOf(this, person));
  },
);

When(
  '{user} sends the same answer again with the same State',
  {
    description: 'Sends the last answer once more, echoing the State it already used (a new request, not a retransmission): a replayed State.',
    example: 'When she sends the same answer again with the same State',
  },
  async function (this: LabWorld, person: Person) {
    const previous = dialogueOf(this).lastAnswerWithState(this.user(person).samAccountName);
    await vpnSend(this, person, previous.answer, previous.sentState);
  },
);

When(
  '{user} answers {string} with a State the agent never sent',
  {
    description: 'Answers with this text and a State of 16 random bytes the agent never issued.',
    example: 'When she answers "1" with a State the agent never sent',
  },
  async function (this: LabWorld, person: Person, text: string) {
    await vpnSend(this, person, text, strangerState());
  },
);

When(
  '{user} answers {string} with the State of {whose} challenge',
  {
    description: 'Answers with this text under the person’s own user name, echoing the State of another person’s last challenge.',
    example: 'When Bob answers "1" with the State of Alice\'s challenge',
  },
  async function (this: LabWorld, person: Person, text: string, other: Person) {
    const otherName = this.user(other).samAccountName;
    const theirs = dialogueOf(this).turns.findLast((t) => t.userName === otherName);
    assert.ok(theirs, `${other} has sent nothing through the VPN, so there is no challenge of theirs to reuse`);
    assert.ok(theirs.reply.kind === 'challenge' && theirs.reply.state, `${other}'s last reply was not a challenge, so it has no State to reuse`);
    this.person(person); // "she / he" refers to the one answering again
    await vpnSend(this, person, text, theirs.reply.state);
  },
);

Then(
  '{user} is asked to choose a factor from {string}',
  {
    description: 'The last VPN reply is an Access-Challenge with a State whose text offers the factors listed, by number, in this order.',
    example: 'Then she is asked to choose a factor from "1 Okta Verify push, 2 Okta Verify code"',
  },
  function (this: LabWorld, person: Person, list: string) {
    const reply = lastVpnReply(this, person);
    assert.equal(reply.kind, 'challenge', `${person} got ${describe(reply)}`);
    assert.ok(reply.state && reply.state.length > 0, 'the challenge carries no State');
    assert.ok(reply.message.startsWith('Choose a factor: '), `the challenge says "${reply.message}"`);
    assert.ok(reply.message.includes(`: ${list}.`), `the menu is "${reply.message}", not "${list}"`);
  },
);

Then(
  '{user} is asked {string}',
  {
    description: 'The last VPN reply is an Access-Challenge with a State whose text contains this (case-insensitive).',
    example: 'Then she is asked "Enter your Okta Verify code"',
  },
  function (this: LabWorld, person: Person, text: string) {
    const reply = lastVpnReply(this, person);
    assert.equal(reply.kind, 'challenge', `${person} got ${describe(reply)}`);
    assert.ok(reply.state && reply.state.length > 0, 'the challenge carries no State');
    assert.ok(reply.message.toLowerCase().includes(text.toLowerCase()), `the challenge says "${reply.message}"`);
  },
);

Then(
  '{user} is signed in to the VPN',
  {
    description: 'The last VPN reply is an Access-Accept.',
    example: 'Then she is signed in to the VPN',
  },
  function (this: LabWorld, person: Person) {
    const reply = lastVpnReply(this, person);
    assert.equal(reply.kind, 'accept', `${person} got ${describe(reply)}`);
  },
);

Then(
  '{user} is refused by the VPN',
  {
    description: 'The last VPN reply is an Access-Reject.',
    example: 'Then she is refused by the VPN',
  },
  function (this: LabWorld, person: Person) {
    const reply = lastVpnReply(this, person);
    assert.equal(reply.kind, 'reject', `${person} got ${describe(reply)}`);
  },
);

Then(
  '{user} is refused by the VPN with a message containing {string}',
  {
    description: 'The last VPN reply is an Access-Reject whose Reply-Message contains this text (case-insensitive).',
    example: 'Then she is refused by the VPN with a message containing "expired"',
  },
  function (this: LabWorld, person: Person, text: string) {
    const reply = lastVpnReply(this, person);
    assert.equal(reply.kind, 'reject', `${person} got ${describe(reply)}`);
    assert.ok(reply.message.toLowerCase().includes(text.toLowerCase()), `Reply-Message "${reply.message}" does not contain "${text}"`);
  },
);
