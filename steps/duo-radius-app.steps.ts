/**
 * Steps for Duo on Okta's generic RADIUS app (Okta_Radius_App.htm, "Supported factors":
 * "Duo (Push, SMS, and Passcode only)" over PAP), where the Amazon WorkSpaces app takes Duo
 * passcodes only (aws-radius-intg-config-mfa.htm). The reference agent's `apps[].oktaApp` says
 * which app it stands for; the mock org sends Duo pushes to the virtual Duo Mobile app and Duo
 * passcodes by SMS to the phone.
 */
import assert from 'node:assert/strict';
import type { DuoMobile } from '../simulators/devices/duo-mobile.ts';
import { configureAgent, theApp } from './fidelity.steps.ts';
import { lastVpnReply, vpnSend } from './modes.steps.ts';
import { stepsFor } from './support/catalogue.ts';
import type { Channel, Person, PushAnswer } from './support/parameters.ts';
import type { LabWorld } from './support/world.ts';

const { Given, When, Then } = stepsFor<LabWorld>('duo');

/** The person's activated Duo Mobile (on their first phone). */
function duoMobileOf(world: LabWorld, person: Person): DuoMobile {
  const duo = world.phone(person, 0).duoMobile;
  assert.ok(duo?.activated, `${person} has no Duo Mobile: start with "Given ${person} has Duo Mobile on her phone"`);
  return duo;
}

Given(
  "the RADIUS app is Okta's generic RADIUS app",
  {
    description:
      "The reference agent stands for Okta's generic RADIUS app (apps[].oktaApp: radius), where Duo push, SMS and passcode work over PAP, instead of the Amazon WorkSpaces app (Duo passcode only).",
    example: "Given the RADIUS app is Okta's generic RADIUS app",
  },
  function (this: LabWorld) {
    configureAgent(this, (config) => {
      theApp(config).oktaApp = 'radius';
    });
  },
);

Given(
  '{whose} Duo Mobile will {pushAnswer} the push',
  {
    description: 'How the person reacts, at once, to every Duo push on the Duo Mobile app of their (first) phone.',
    example: "Given Erin's Duo Mobile will approve the push",
  },
  function (this: LabWorld, person: Person, action: PushAnswer) {
    duoMobileOf(this, person).setPushBehaviour({ action });
  },
);

When(
  '{user} signs in to the VPN by typing {string}',
  {
    description:
      'MFA-only: a RADIUS client (a VPN) sends the person’s user name with this text as the password — a keyword (push, sms) or a code — and the reply is recorded for the VPN Then steps.',
    example: 'When she signs in to the VPN by typing "push"',
  },
  async function (this: LabWorld, person: Person, text: string) {
    await vpnSend(this, person, text);
  },
);

When(
  '{user} signs in to the VPN with the code from the {channel}',
  {
    description: 'MFA-only: the VPN sends the person’s user name with the latest code that reached them by SMS, voice call or email.',
    example: 'When she signs in to the VPN with the code from the SMS',
  },
  async function (this: LabWorld, person: Person, channel: Channel) {
    const code = this.signInCodes(person, channel).at(-1);
    assert.ok(code, `no code reached ${person} by ${channel}`);
    await vpnSend(this, person, code);
  },
);

Then(
  '{whose} Duo Mobile received {count} push(es)',
  {
    description:
      "Counts the Duo pushes that reached the Duo Mobile app on the person's (first) phone — checked after the agent answered the person's last VPN request, so none means none was sent.",
    example: "Then Erin's Duo Mobile received 1 push",
  },
  function (this: LabWorld, person: Person, count: number) {
    // No push from a dead or silent agent proves nothing: the person's last VPN request must have had its answer
    // (a VPN turn is recorded only when the agent answered; lastVpnReply names the step to check otherwise).
    lastVpnReply(this, person);
    const pushes = duoMobileOf(this, person).pushes();
    assert.equal(pushes.length, count, `Duo Mobile received ${pushes.length} pushes`);
  },
);

Then(
  'a Duo passcode reached {whose} phone by SMS',
  {
    description: "The latest SMS on the person's phone is a Duo passcode (Duo SMS, sent when the user typed sms).",
    example: 'Then a Duo passcode reached her phone by SMS',
  },
  function (this: LabWorld, person: Person) {
    const last = this.network.smsFor(this.user(person).login).at(-1);
    assert.ok(last, `no SMS reached ${person}`);
    assert.match(last.text, /^Duo passcode: \d+$/, `the latest SMS says "${last.text}"`);
  },
);
