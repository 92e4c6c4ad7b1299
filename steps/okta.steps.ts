// What the agent asked Okta, as the mock org saw it.
import assert from 'node:assert/strict';
import { stepsFor } from './support/catalogue.ts';
import type { Person } from './support/parameters.ts';
import type { LabWorld } from './support/world.ts';

const { Given, When, Then } = stepsFor<LabWorld>('okta');

Then(
  'the agent made exactly {count} Okta verify call(s)',
  {
    description: 'Counts factor verifications (POST …/verify) the agent sent to Okta during the scenario; push polls are not counted.',
    example: 'And the agent made exactly one Okta verify call',
  },
  function (this: LabWorld, n: number) {
    assert.equal(this.verifyCalls().length, n, 'Okta verify calls');
  },
);

Then(
  'the agent made no Okta verify call',
  {
    description: 'The agent never asked Okta to verify a factor (it refused before that).',
    example: 'And the agent made no Okta verify call',
  },
  function (this: LabWorld) {
    assert.equal(this.verifyCalls().length, 0, 'Okta verify calls');
  },
);

Given(
  'Okta takes {duration} to answer each request',
  {
    description: 'Every Okta API answer is delayed by this much lab time.',
    example: 'Given Okta takes 4 seconds to answer each request',
  },
  function (this: LabWorld, ms: number) {
    this.org.setLatency(ms);
  },
);

Given(
  'Okta answers every request with HTTP {int}',
  {
    description: 'Every Okta API call fails with this status and an Okta error body.',
    example: 'Given Okta answers every request with HTTP 503',
  },
  function (this: LabWorld, status: number) {
    this.org.failNextCalls(1_000_000, status);
  },
);

Given(
  'Okta allows only {int} request(s) per minute',
  {
    description: "Okta's rate limit for the agent's token: over it, Okta answers 429 with X-Rate-Limit-Reset.",
    example: 'Given Okta allows only 1 request per minute',
  },
  function (this: LabWorld, limit: number) {
    this.org.setRateLimit({ limit, windowMs: 60_000 });
  },
);

When(
  'Okta allows requests again',
  {
    description: 'Removes every fault and limit set on Okta.',
    example: 'When Okta allows requests again',
  },
  function (this: LabWorld) {
    this.org.resetFaults();
    this.org.setRateLimit({ limit: 600, windowMs: 60_000 });
  },
);

Given(
  'Okta locks an account after {int} wrong MFA codes',
  {
    description: "The org's lockout for failed factor verifications: after this many wrong codes in a row the user is LOCKED_OUT (the mock's default is 10).",
    example: 'Given Okta locks an account after 3 wrong MFA codes',
  },
  function (this: LabWorld, n: number) {
    if (n < 1) throw new Error(`A lockout needs at least 1 wrong code, not ${n}.`);
    this.org.factorLockoutThreshold = n;
  },
);

Then(
  '{whose} Okta account is now {oktaStatus}',
  {
    description: "The person's account status in Okta now: active, locked out, suspended or deprovisioned.",
    example: "Then Alice's Okta account is now locked out",
  },
  async function (this: LabWorld, person: Person, status: string) {
    const user = await this.oktaAdmin.getUser(this.oktaUserId(person));
    assert.ok(user, `${person} has no Okta account`);
    assert.equal(user.status, status, `${person}'s Okta account is ${user.status}`);
  },
);
