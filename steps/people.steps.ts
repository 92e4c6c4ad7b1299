// People and their accounts: who exists in AD and Okta, in what state.
import { stepsFor } from './support/catalogue.ts';
import type { Person } from './support/parameters.ts';
import type { LabWorld } from './support/world.ts';

const { Given, When } = stepsFor<LabWorld>('people');

Given(
  '{user} is a WorkSpaces user',
  {
    description:
      'The person has an AD account with a known password and an active Okta account assigned to the WorkSpaces RADIUS app. No MFA factor yet.',
    example: 'Given Alice is a WorkSpaces user',
  },
  async function (this: LabWorld, person: Person) {
    await this.addUser(person);
  },
);

Given(
  '{user} exists only in the directory',
  {
    description: 'The person has an AD account but no Okta account at all.',
    example: 'Given Heidi exists only in the directory',
  },
  async function (this: LabWorld, person: Person) {
    await this.addUser(person, { okta: false });
  },
);

Given(
  '{user} is not assigned to the WorkSpaces app in Okta',
  {
    description: "Removes the person's assignment to the RADIUS app in Okta (they stay active), through Okta's Management API.",
    example: 'Given Grace is not assigned to the WorkSpaces app in Okta',
  },
  async function (this: LabWorld, person: Person) {
    await this.oktaAdmin.unassignFromApp(this.appId, this.oktaUserId(person));
  },
);

Given(
  '{whose} Okta account is {oktaState}',
  {
    description:
      "Puts the person's Okta account in a state: suspended or deprovisioned through Okta's Management API (suspend, deactivate); locked out only on the lab's mock (Okta locks an account only after failed sign-ins: @needs:okta-mock).",
    example: "Given Grace's Okta account is suspended",
  },
  async function (this: LabWorld, person: Person, state: 'suspended' | 'locked out' | 'deprovisioned') {
    const id = this.oktaUserId(person);
    if (state === 'suspended') await this.oktaAdmin.suspendUser(id);
    else if (state === 'locked out') this.org.lockUser(id);
    else await this.oktaAdmin.deactivateUser(id);
  },
);

When(
  'an Okta admin reactivates {whose} account',
  {
    description:
      "Through Okta's Management API, by the account's state now: unsuspends a suspended account, unlocks a locked-out one, activates a staged or deactivated one.",
    example: "When an Okta admin reactivates Grace's account",
  },
  async function (this: LabWorld, person: Person) {
    const id = this.oktaUserId(person);
    const user = await this.oktaAdmin.getUser(id);
    if (!user) throw new Error(`${person} has no Okta account to reactivate.`);
    if (user.status === 'SUSPENDED') await this.oktaAdmin.unsuspendUser(id);
    else if (user.status === 'LOCKED_OUT') await this.oktaAdmin.unlockUser(id);
    else if (user.status === 'ACTIVE') throw new Error(`${person}'s Okta account is active already: nothing to reactivate.`);
    else await this.oktaAdmin.activateUser(id);
  },
);

Given(
  '{whose} AD account {adState}',
  {
    description:
      "Changes the person's AD account: is disabled, is locked out, has expired, must change its password, has an expired password.",
    example: "Given Grace's AD account is disabled",
  },
  async function (this: LabWorld, person: Person, state: string) {
    const dir = (await this.adConnector.ensureDirectory(this.lab)).directory;
    const sam = this.user(person).samAccountName;
    switch (state) {
      case 'is disabled':
        dir.disable(sam);
        break;
      case 'is locked out':
        dir.lock(sam);
        break;
      case 'has expired':
        dir.expire(sam, this.clock.now() - 86_400_000);
        break;
      case 'must change its password':
        dir.mustChange(sam);
        break;
      case 'has an expired password':
        dir.expirePassword(sam);
        break;
      default:
        throw new Error(`Unknown AD account state "${state}".`);
    }
  },
);

Given(
  'the directory is down',
  {
    description: 'The LDAP directory refuses connections, so the AD Connector cannot check passwords.',
    example: 'Given the directory is down',
  },
  async function (this: LabWorld) {
    await (await this.adConnector.ensureDirectory(this.lab)).goDown('refuse');
  },
);
