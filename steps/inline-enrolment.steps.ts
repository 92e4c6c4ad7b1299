/**
 * Steps for inline MFA enrolment over RADIUS (Okta_Radius_App-gen-config-app.htm: "To permit
 * inline enrollment, check the box"; Okta_Radius_App.htm: "RADIUS doesn't support inline
 * enrollment with Email"). The box is set on both sides: the mock org's Authn API (which otherwise
 * refuses to enrol in a transaction) and the reference agent (apps[].inlineEnrollment), so the
 * scenarios carry @needs:agent-settings and @needs:okta-mock. The dialogue runs through a RADIUS
 * client that handles Access-Challenge (the VPN of modes.steps.ts).
 */
import assert from 'node:assert/strict';
import type { EnrollableFactor } from '../simulators/okta/authn.ts';
import { configureAgent, theApp } from './fidelity.steps.ts';
import { lastVpnReply, stateOf, vpnSend } from './modes.steps.ts';
import { stepsFor } from './support/catalogue.ts';
import type { Channel, Person } from './support/parameters.ts';
import type { LabWorld } from './support/world.ts';

const { Given, When, Then } = stepsFor<LabWorld>('inline-enrolment');

/** What an administrator calls each factor type of the enrolment policy. */
const ENROLMENT_NAMES: Readonly<Record<string, EnrollableFactor>> = {
  SMS: { factorType: 'sms', provider: 'OKTA' },
  'voice call': { factorType: 'call', provider: 'OKTA' },
  'Google Authenticator': { factorType: 'token:software:totp', provider: 'GOOGLE' },
  'Okta Verify': { factorType: 'push', provider: 'OKTA' },
  email: { factorType: 'email', provider: 'OKTA' },
};

Given(
  'the RADIUS app permits inline enrolment',
  {
    description:
      "The RADIUS app's inline enrolment box checked: the mock org lets a user with no factor enrol one inside the sign-in (Authn API), and the reference agent (apps[].inlineEnrollment) leads the enrolment through Access-Challenges.",
    example: 'Given the RADIUS app permits inline enrolment',
  },
  function (this: LabWorld) {
    this.org.authn.inlineEnrollment = true;
    configureAgent(this, (config) => {
      theApp(config).inlineEnrollment = true;
    });
  },
);

Given(
  "the org's enrolment policy offers {string}",
  {
    description: `The factor types Okta offers a user with no factor (MFA_ENROLL), comma-separated, from: ${Object.keys(ENROLMENT_NAMES).join(', ')}.`,
    example: 'Given the org\'s enrolment policy offers "Google Authenticator, email"',
  },
  function (this: LabWorld, list: string) {
    const names = list.split(',').map((n) => n.trim());
    this.org.authn.enrollableFactors = names.map((n) => {
      const f = Object.entries(ENROLMENT_NAMES).find(([k]) => k.toLowerCase() === n.toLowerCase())?.[1];
      if (!f) throw new Error(`"${n}" is not a factor the enrolment policy can offer: use ${Object.keys(ENROLMENT_NAMES).join(', ')}.`);
      return f;
    });
  },
);

When(
  '{user} picks {string} to enrol',
  {
    description: 'Answers the enrolment menu of the last challenge ("Enroll one: 1 SMS, 2 Voice call.") with the number of the factor of that name.',
    example: 'When he picks "Voice call" to enrol',
  },
  async function (this: LabWorld, person: Person, name: string) {
    const text = lastVpnReply(this, person).message;
    const items = /Enroll one:\s*(.*?)\.\s*Reply with/s.exec(text)?.[1];
    assert.ok(items, `the last challenge is no enrolment menu: "${text}"`);
    const hit = items
      .split(/,\s*(?=\d+\s)/)
      .map((part) => /^(\d+)\s+(.+)$/.exec(part.trim()))
      .find((m) => m?.[2]?.toLowerCase() === name.toLowerCase());
    assert.ok(hit, `"${name}" is not in the enrolment menu "${text}"`);
    await vpnSend(this, person, hit[1]!, stateOf(this, person));
  },
);

When(
  '{user} answers with {whose} phone number',
  {
    description: "Answers the last challenge with the number of the person's (first) phone, in international form; the phone then receives what Okta sends to that number.",
    example: 'When he answers with his phone number',
  },
  async function (this: LabWorld, person: Person, whose: Person) {
    const phone = this.phone(whose, 0);
    if (!this.network.phones().includes(phone)) this.network.addPhone(phone);
    await vpnSend(this, person, phone.number, stateOf(this, person));
  },
);

Then(
  '{user} has an active {channel} factor in Okta',
  {
    description: "Okta lists an ACTIVE factor of that kind for the person, on their (first) phone's number (SMS, voice call) — e.g. after inline enrolment.",
    example: 'Then he has an active SMS factor in Okta',
  },
  function (this: LabWorld, person: Person, channel: Channel) {
    const active = this.org.listFactors(this.oktaUserId(person)).filter((f) => f.status === 'ACTIVE' && f.factorType === channel);
    assert.equal(active.length, 1, `${person} has ${active.length} active ${channel} factors`);
    if (channel !== 'email') assert.equal(active[0]!.phoneNumber, this.phone(person, 0).number, 'the factor is on another number');
  },
);

Then(
  '{user} has no active MFA factor in Okta',
  {
    description:
      "Okta lists no ACTIVE factor for the person (a pending enrolment does not count) — checked after the agent answered the person's last VPN request.",
    example: 'Then he has no active MFA factor in Okta',
  },
  function (this: LabWorld, person: Person) {
    // Nothing enrolled proves nothing when the agent never answered: a VPN turn is recorded only with the agent's answer.
    lastVpnReply(this, person);
    const active = this.org.listFactors(this.oktaUserId(person)).filter((f) => f.status === 'ACTIVE');
    assert.deepEqual(
      active.map((f) => f.factorType),
      [],
      `${person} has active factors`,
    );
  },
);
