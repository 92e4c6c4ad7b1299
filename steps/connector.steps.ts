// The AD Connector's RADIUS settings, status, retries and failover.
import assert from 'node:assert/strict';
import { isCodedError } from '../agent/src/errors.ts';
import type { AuthenticationProtocol } from '../simulators/ad-connector/index.ts';
import { stepsFor } from './support/catalogue.ts';
import type { Person } from './support/parameters.ts';
import type { LabWorld } from './support/world.ts';

const { Given, When, Then } = stepsFor<LabWorld>('ad-connector');

Given(
  'the AD Connector waits {duration} for each RADIUS answer',
  {
    description: 'RadiusTimeout: how long the AD Connector waits for each transmission (whole seconds).',
    example: 'Given the AD Connector waits 50 seconds for each RADIUS answer',
  },
  function (this: LabWorld, ms: number) {
    this.settings.RadiusTimeout = Math.round(ms / 1000);
  },
);

Given(
  'the AD Connector waits {duration} for each RADIUS answer and retries {int} time(s)',
  {
    description: 'RadiusTimeout and RadiusRetries together (retries after the first transmission).',
    example: 'Given the AD Connector waits 2 seconds for each RADIUS answer and retries 1 time',
  },
  function (this: LabWorld, ms: number, retries: number) {
    this.settings.RadiusTimeout = Math.round(ms / 1000);
    this.settings.RadiusRetries = retries;
  },
);

Given(
  'the AD Connector uses the {protocol} protocol',
  {
    description: 'AuthenticationProtocol: PAP, CHAP, MS-CHAPv1 or MS-CHAPv2.',
    example: 'Given the AD Connector uses the CHAP protocol',
  },
  function (this: LabWorld, protocol: string) {
    this.settings.AuthenticationProtocol = protocol as AuthenticationProtocol;
  },
);

Given(
  'the AD Connector is configured with a wrong shared secret',
  {
    description: 'The AD Connector signs its requests with another secret than the agent expects.',
    example: 'Given the AD Connector is configured with a wrong shared secret',
  },
  function (this: LabWorld) {
    this.settings.SharedSecret = 'not-the-agents-secret-42';
  },
);

Given(
  "the AD Connector's first RADIUS server does not answer",
  {
    description: 'Puts a RADIUS server that never answers before the agent in RadiusServers, so the connector must fail over.',
    example: "Given the AD Connector's first RADIUS server does not answer",
  },
  function (this: LabWorld) {
    // 127.0.0.9 on the agent's port: nothing listens there.
    this.adConnector.serversBefore = ['127.0.0.9'];
  },
);

Given(
  'the AD Connector alternates between its two addresses',
  {
    description: 'Successive sign-ins leave from 127.0.0.2 and 127.0.0.3 in turn (both share the secret), as AWS runs two connector instances.',
    example: 'Given the AD Connector alternates between its two addresses',
  },
  function (this: LabWorld) {
    this.adConnector.sourcePolicy = 'alternate';
  },
);

Given(
  'the network loses the first {int} packets from the AD Connector to the agent',
  {
    description: 'Drops that many datagrams on their way from the AD Connector to the agent; later ones pass.',
    example: 'Given the network loses the first 2 packets from the AD Connector to the agent',
  },
  async function (this: LabWorld, n: number) {
    // After the status probe, which must reach the agent for RadiusStatus to complete.
    await this.ready();
    this.adConnector.faults.add({ direction: 'outbound', kind: 'drop', count: n });
  },
);

Given(
  'the agent has moved to a new address',
  {
    description: "The agent's address changed and the AD Connector's settings still point at the old one: nothing answers there.",
    example: 'Given the agent has moved to a new address',
  },
  async function (this: LabWorld) {
    await this.ready();
    this.adConnector.movedAway = this.adConnector.faults.add({ direction: 'outbound', kind: 'drop', reason: 'server-address-changed' });
  },
);

When(
  "the administrator points the AD Connector at the agent's new address",
  {
    description: 'UpdateRadius with the agent\'s current address; the status goes back to Creating and is probed again.',
    example: "When the administrator points the AD Connector at the agent's new address",
  },
  async function (this: LabWorld) {
    this.adConnector.movedAway?.remove();
    this.adConnector.movedAway = undefined;
    await this.applyAndSettle();
  },
);

When(
  "the AD Connector's RADIUS settings are applied",
  {
    description: 'EnableRadius with the scenario\'s settings pointing at the agent, and wait for the status probe.',
    example: "When the AD Connector's RADIUS settings are applied",
  },
  async function (this: LabWorld) {
    await this.ready();
  },
);

Then(
  'RADIUS is not enabled on the AD Connector yet',
  {
    description: 'The AD Connector exists and has no RADIUS settings: DescribeDirectories shows no RadiusStatus, and it has sent no RADIUS datagram.',
    example: 'Given RADIUS is not enabled on the AD Connector yet',
  },
  async function (this: LabWorld) {
    const connector = await this.ensureConnector();
    assert.equal(connector.radiusStatus, undefined, `RadiusStatus is already ${connector.radiusStatus}`);
    const sent = this.trace.filter((e) => e.observer === 'ad-connector' && e.direction === 'sent').length;
    assert.equal(sent, 0, `the AD Connector already sent ${sent} RADIUS datagram(s)`);
  },
);

Then(
  "the AD Connector's RADIUS status is {radiusStatus}",
  {
    description: 'RadiusStatus as DescribeDirectories shows it: Creating, Completed or Failed (the settings are applied first if a step has not done it).',
    example: 'Then the AD Connector\'s RADIUS status is "Completed"',
  },
  async function (this: LabWorld, expected: string) {
    await this.ready();
    assert.equal(this.connector!.radiusStatus, expected, `RadiusStatus (reasons: ${this.connector!.radiusStatusReasons.join('; ')})`);
  },
);

Then(
  "the AD Connector's RADIUS status went through {radiusStatus} to {radiusStatus}",
  {
    description:
      "Right after the settings were last applied the status was the first value; the connector's status probe then went out to the agent, and the status settled on the second value — Completed only with a verified answer from the agent, Failed only without one.",
    example: 'Then the AD Connector\'s RADIUS status went through "Creating" to "Completed"',
  },
  function (this: LabWorld, first: string, last: string) {
    const probe = this.adConnector.statusProbe;
    assert.ok(probe, 'the RADIUS settings were never applied: use "When the AD Connector\'s RADIUS settings are applied" first');
    assert.equal(probe.after, first, `right after the settings were applied the status was ${probe.after}`);
    assert.equal(probe.settled, last, `the status settled on ${probe.settled} (reasons: ${this.connector!.radiusStatusReasons.join('; ')})`);
    assert.ok(probe.sent > 0, 'the AD Connector sent no status probe to the agent');
    if (last === 'Completed') assert.ok(probe.answered > 0, 'Completed without a verified answer to the status probe');
    if (last === 'Failed') assert.equal(probe.answered, 0, 'Failed although the probe got a verified answer');
  },
);

Then(
  'the AD Connector tried {int} servers',
  {
    description: "The AD Connector sent the last sign-in's request to this many different RADIUS servers (failover), counted from the datagrams it sent.",
    example: 'And the AD Connector tried 2 servers',
  },
  function (this: LabWorld, n: number) {
    const { result } = this.lastResult();
    const servers = new Set(result.trace.filter((e) => e.direction === 'sent').map((e) => `${e.remote.address}:${e.remote.port}`));
    assert.equal(servers.size, n, `the AD Connector sent to ${servers.size} server(s): ${[...servers].join(', ') || 'none'}`);
  },
);

// ─── RadiusSettings validation ─────────────────────────────────────────────

When(
  'the administrator sets the RADIUS {settingName} to {word}',
  {
    description:
      'Calls EnableRadius with valid settings except one: port, timeout, retries, protocol, shared secret length (a secret of that many characters), server name length.',
    example: 'When the administrator sets the RADIUS port to 1025',
  },
  function (this: LabWorld, setting: string, value: string) {
    const settings: Record<string, unknown> = {
      RadiusServers: ['127.0.0.1'],
      RadiusPort: 1812,
      RadiusTimeout: 30,
      RadiusRetries: 3,
      SharedSecret: 'a-valid-secret-1234',
      AuthenticationProtocol: 'PAP',
    };
    const n = Number(value);
    switch (setting) {
      case 'port':
        settings['RadiusPort'] = n;
        break;
      case 'timeout':
        settings['RadiusTimeout'] = n;
        break;
      case 'retries':
        settings['RadiusRetries'] = n;
        break;
      case 'protocol':
        settings['AuthenticationProtocol'] = value;
        break;
      case 'shared secret length':
        settings['SharedSecret'] = 's'.repeat(n);
        break;
      case 'server name length':
        settings['RadiusServers'] = [n === 0 ? '' : serverNameOfLength(n)];
        break;
      default:
        throw new Error(`Unknown setting "${setting}".`);
    }
    this.adConnector.validate(settings);
  },
);

When(
  'the administrator sets the RADIUS shared secret to {string}',
  {
    description: 'Calls EnableRadius with valid settings and this shared secret.',
    example: 'When the administrator sets the RADIUS shared secret to "tab\tin-the-secret"',
  },
  function (this: LabWorld, secret: string) {
    this.adConnector.validate({
      RadiusServers: ['127.0.0.1'],
      RadiusPort: 1812,
      RadiusTimeout: 30,
      RadiusRetries: 3,
      SharedSecret: secret,
      AuthenticationProtocol: 'PAP',
    });
    this.adConnector.rejectedSecret = secret;
  },
);

Then(
  'the settings are {verdict}',
  {
    description: 'Whether the last EnableRadius call was accepted or rejected with InvalidParameterException.',
    example: 'Then the settings are rejected',
  },
  function (this: LabWorld, verdict: 'accepted' | 'rejected') {
    const error = this.adConnector.settingsError;
    if (verdict === 'accepted') assert.equal(error, undefined, `rejected: ${error instanceof Error ? error.message : String(error)}`);
    else {
      assert.ok(error, 'the settings were accepted');
      assert.ok(isCodedError(error, 'InvalidParameterException'), `expected InvalidParameterException, got ${String(error)}`);
    }
  },
);

Then(
  'the error does not show the shared secret',
  {
    description: "The validation error's message never contains the secret that was typed.",
    example: 'And the error does not show the shared secret',
  },
  function (this: LabWorld) {
    const error = this.adConnector.settingsError;
    assert.ok(error instanceof Error);
    assert.ok(this.adConnector.rejectedSecret && !error.message.includes(this.adConnector.rejectedSecret), 'the error message shows the secret');
  },
);

/** A host name of exactly n characters: labels of 63 letters joined by dots (a trailing dot is allowed). */
function serverNameOfLength(n: number): string {
  let name = '';
  while (n - name.length > 63) name += `${'a'.repeat(63)}.`;
  return name + 'a'.repeat(n - name.length);
}

Then(
  '{whose} two sign-ins left from different addresses',
  {
    description: "The person's last two sign-ins reached the agent from the AD Connector's two client addresses.",
    example: 'And her two sign-ins left from different addresses',
  },
  function (this: LabWorld, person: Person) {
    const mine = this.signIns.filter((s) => s.person === person).slice(-2);
    assert.equal(mine.length, 2, 'fewer than two sign-ins');
    assert.notEqual(mine[0]!.result.sourceAddress, mine[1]!.result.sourceAddress);
  },
);
