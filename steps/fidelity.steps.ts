/**
 * Steps for what Okta and AWS document about the parts around the agent
 * (issue 12; FIDELITY.md has one row per behaviour with its source): the
 * reference agent's documented settings (Okta's one-secret model and allow
 * list, the single-factor prompt), and the AD Connector's settings AWS leaves
 * open or documents (Message-Authenticator, order of checks, sign-ins while the
 * RADIUS status is Creating, RadiusServersIpv6, source addresses from the route).
 *
 * Agent settings reach the agent through AgentSpec.configure, which only
 * targets with the 'agent-settings' capability apply: scenarios that use them
 * carry @needs:agent-settings. Connector settings are the simulator's own and
 * apply on every target.
 */
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { After } from '@cucumber/cucumber';
import { type AgentConfig, clientsForOktaModel } from '../agent/src/config.ts';
import { encodeAccessRequest, verifyReply } from '../simulators/ad-connector/radius-codec.ts';
import { startUdpLoadBalancer, type UdpLoadBalancer } from '../simulators/load-balancer/udp-load-balancer.ts';
import { codeFrom } from './sign-in.steps.ts';
import { stepsFor } from './support/catalogue.ts';
import type { AppName, Person } from './support/parameters.ts';
import { RawRadiusClient } from './support/raw-radius.ts';
import { type LabWorld, nextIdentifier } from './support/world.ts';
import type { AgentSpec, AgentUnderTest, TargetDriver } from './targets/target.ts';

const { Given, When, Then } = stepsFor<LabWorld>('fidelity');

// ─── agent settings (AgentSpec.configure) ──────────────────────────────────

const SETTINGS = new WeakMap<LabWorld, Array<(config: AgentConfig) => void>>();
/** Per scenario: the target as it was before wrapping, and the spec the World started the agent with. */
const STARTED = new WeakMap<LabWorld, { inner: TargetDriver; spec?: AgentSpec }>();
/** Second agents a scenario started (stopped in the After hook below). */
const EXTRA_AGENTS = new WeakMap<LabWorld, AgentUnderTest[]>();

/**
 * Queue an edit of the reference agent's configuration for this scenario. The
 * World starts the agent through `this.target.start(spec)`; the target is
 * wrapped once so that spec carries every queued edit (targets without
 * 'agent-settings' never get here: the scenario is not applicable there).
 */
export function configureAgent(world: LabWorld, edit: (config: AgentConfig) => void): void {
  assert.equal(world.agent, undefined, 'the agent has already started: put agent settings before the first sign-in or request');
  const target = world.target;
  if (!target?.profile.capabilities.has('agent-settings')) {
    throw new Error("this target cannot take the reference agent's settings: tag the scenario @needs:agent-settings");
  }
  let edits = SETTINGS.get(world);
  if (!edits) {
    edits = [];
    SETTINGS.set(world, edits);
    const all = edits;
    const started: { inner: TargetDriver; spec?: AgentSpec } = { inner: target };
    STARTED.set(world, started);
    const wrapped: TargetDriver = {
      profile: target.profile,
      close: () => target.close(),
      start: (spec) => {
        started.spec = spec;
        return target.start({
          ...spec,
          configure: (config) => {
            for (const edit of all) edit(config);
          },
        });
      },
    };
    world.target = wrapped;
  }
  edits.push(edit);
}

/** The one app the harness configures, and the secret its clients use (the lab's). */
export function theApp(config: AgentConfig): AgentConfig['apps'][number] {
  const app = config.apps[0];
  assert.ok(app, 'the agent configuration has no app');
  return app;
}

Given(
  "the RADIUS app takes one shared secret from any source address, as Okta's agent does by default",
  {
    description:
      "The agent runs Okta's address model: one secret for the app and no client list, so requests from any source address are answered (Okta help, RADIUS service address filtering: ragent.network.accept.allow_list is optional).",
    example: "Given the RADIUS app takes one shared secret from any source address, as Okta's agent does by default",
  },
  function (this: LabWorld) {
    configureAgent(this, (config) => {
      const app = theApp(config);
      app.clients = clientsForOktaModel(app.clients[0]!.secret, undefined, true);
    });
  },
);

Given(
  'the RADIUS app accepts requests only from {string}, as ragent.network.accept.allow_list says',
  {
    description: "Okta's address model with an allow list: one secret for the app, and only the listed source addresses (comma-separated) are answered.",
    example: 'Given the RADIUS app accepts requests only from "127.0.0.2", as ragent.network.accept.allow_list says',
  },
  function (this: LabWorld, list: string) {
    const addresses = list.split(',').map((a) => a.trim());
    configureAgent(this, (config) => {
      const app = theApp(config);
      app.clients = clientsForOktaModel(app.clients[0]!.secret, addresses, true);
    });
  },
);

Given(
  'the agent shows the factor menu even when only one factor is offered',
  {
    description: "Password-first: the agent's factorMenu setting 'always' (the documented default prompts for a single factor directly).",
    example: 'Given the agent shows the factor menu even when only one factor is offered',
  },
  function (this: LabWorld) {
    configureAgent(this, (config) => {
      theApp(config).factorMenu = 'always';
    });
  },
);

Given(
  'the agent listens on {string}',
  {
    description: "The agent's RADIUS listener binds this address (e.g. ::1 for IPv6) instead of the target's default; the AD Connector is told the address the agent reports.",
    example: 'Given the agent listens on "::1"',
  },
  function (this: LabWorld, host: string) {
    configureAgent(this, (config) => {
      theApp(config).listen.host = host;
    });
  },
);

// ─── AD Connector settings ─────────────────────────────────────────────────

Given(
  'the AD Connector does not send Message-Authenticator',
  {
    description:
      "The connector's Message-Authenticator setting off: its Access-Requests carry none (AWS documents neither way; the lab's default sends it, as RFC 3579 and the BlastRADIUS guidance ask).",
    example: 'Given the AD Connector does not send Message-Authenticator',
  },
  async function (this: LabWorld) {
    (await this.ensureConnector()).configure({ messageAuthenticator: false });
  },
);

Given(
  'the AD Connector checks the MFA code before the password',
  {
    description:
      "The connector's order of checks 'radius-first': the RADIUS request goes out before the password is checked against the directory, the order AWS documents for Managed Microsoft AD (ms_ad_mfa.md). The default is password first.",
    example: 'Given the AD Connector checks the MFA code before the password',
  },
  async function (this: LabWorld) {
    (await this.ensureConnector()).configure({ checkOrder: 'radius-first' });
  },
);

Given(
  'the AD Connector chooses its source addresses from its route to the agent',
  {
    description:
      'The connector binds what the OS uses to reach the agent, plus a second address where the machine has one (issue 11): starts the agent first to learn its address.',
    example: 'Given the AD Connector chooses its source addresses from its route to the agent',
  },
  async function (this: LabWorld) {
    const agent = await this.ensureAgent();
    await (await this.ensureConnector()).rebindSources({ reach: agent.endpoint.host });
  },
);

When(
  "the administrator enters the agent's address under RadiusServersIpv6",
  {
    description: "EnableRadius with RadiusServers empty and the agent's (IPv6) address in RadiusServersIpv6, then waits for the status probe.",
    example: "When the administrator enters the agent's address under RadiusServersIpv6",
  },
  async function (this: LabWorld) {
    await this.ready({ applySettings: false });
    await this.adConnector.applyAndSettle(this.agentUnderTest.started.endpoint, { ipv6: true });
  },
);

When(
  '{user} signs in( to WorkSpaces) with {whose} current {factor} while the RADIUS status is still Creating',
  {
    description: 'EnableRadius, then at once (before the status probe has settled) a sign-in through the AD Connector with the current code.',
    example: 'When she signs in to WorkSpaces with her current Okta Verify code while the RADIUS status is still Creating',
  },
  async function (this: LabWorld, person: Person, whose: Person, app: AppName) {
    await this.ready({ applySettings: false });
    const code = codeFrom(this, whose, app);
    // EnableRadius in the sign-in's own turn: the agent answers the status probe within
    // milliseconds, so any wait between the two (a metrics scrape of a process agent) can
    // let the status reach Completed first.
    await this.signIn(person, code, {
      applySettings: false,
      atSignIn: () => {
        this.adConnector.apply(this.agentUnderTest.started.endpoint);
        assert.equal(this.connector!.radiusStatus, 'Creating', 'the status should still be Creating right after EnableRadius');
      },
    });
  },
);

Then(
  "{whose} sign-in is refused because multi-factor authentication is being set up",
  {
    description: 'The AD Connector refused the last sign-in while RadiusStatus was Creating, and sent no RADIUS request for it (AWS connect-mfa).',
    example: 'Then her sign-in is refused because multi-factor authentication is being set up',
  },
  function (this: LabWorld, person: Person) {
    const { result } = this.lastResult(person);
    assert.equal(result.reason, 'mfa-being-set-up', `${person}: got ${result.reason}`);
    assert.equal(result.trace.filter((e) => e.direction === 'sent').length, 0, 'a RADIUS request was sent for it');
  },
);

Then(
  "the AD Connector's RADIUS status is {string} with a reason containing {string}",
  {
    description: 'RadiusStatus as DescribeDirectories shows it, and one of the reasons the connector gives for it contains this text.',
    example: 'Then the AD Connector\'s RADIUS status is "Failed" with a reason containing "Message-Authenticator"',
  },
  async function (this: LabWorld, status: string, text: string) {
    await this.ready();
    const reasons = this.connector!.radiusStatusReasons;
    assert.equal(this.connector!.radiusStatus, status, `RadiusStatus (reasons: ${reasons.join('; ')})`);
    assert.ok(
      reasons.some((r) => r.includes(text)),
      `no reason contains "${text}": ${reasons.join('; ') || '(none)'}`,
    );
  },
);

Then(
  '{whose} sign-in left from {string}',
  {
    description: "The last sign-in's RADIUS requests left from this client address of the AD Connector.",
    example: 'Then her sign-in left from "::1"',
  },
  function (this: LabWorld, person: Person, address: string) {
    const { result } = this.lastResult(person);
    assert.equal(result.sourceAddress, address);
    const sent = result.trace.filter((e) => e.direction === 'sent');
    assert.ok(sent.length > 0, 'no RADIUS request was sent');
    assert.ok(
      sent.every((e) => e.local.address === address),
      `requests left from ${[...new Set(sent.map((e) => e.local.address))].join(', ')}`,
    );
  },
);

Then(
  "the AD Connector's source addresses are {string}",
  {
    description: 'The client addresses the connector bound, comma-separated, in order; the reason for the choice is shown on failure.',
    example: 'Then the AD Connector\'s source addresses are "127.0.0.1, 127.0.0.2"',
  },
  async function (this: LabWorld, list: string) {
    const choice = (await this.ensureConnector()).sourceChoice;
    assert.deepEqual(
      choice.addresses,
      list.split(',').map((a) => a.trim()),
      `chosen because ${choice.how}`,
    );
  },
);

// ─── hand-made requests from a chosen address ──────────────────────────────

When(
  'a RADIUS client at {string} sends {whose} current {factor}',
  {
    description:
      "Sends one Access-Request (PAP, Message-Authenticator first, the target's secret) from this source address straight to the agent; the reply is checked as other hand-made requests are (then use \"the agent answers with …\" or \"the agent does not answer\").",
    example: 'When a RADIUS client at "127.0.0.9" sends Alice\'s current Okta Verify code',
  },
  async function (this: LabWorld, address: string, person: Person, app: AppName) {
    await this.ready();
    const secret = this.agentSecret();
    const request = encodeAccessRequest({
      identifier: nextIdentifier(),
      secret,
      userName: this.user(person).samAccountName,
      password: codeFrom(this, person, app),
      protocol: 'PAP',
      messageAuthenticator: true,
    });
    await sendRaw(this, address, request, secret);
  },
);

/** One hand-made request from `address` straight to the agent; the verified reply becomes the last exchange. */
async function sendRaw(world: LabWorld, address: string, request: ReturnType<typeof encodeAccessRequest>, secret: string): Promise<void> {
  const client = await RawRadiusClient.bind(address, world.clock, (e) => {
    world.trace.push(e);
    world.datagrams.client(e);
  });
  try {
    await world.markExchangeStart();
    const to = { address: world.agent!.endpoint.host, port: world.agent!.endpoint.port };
    const replies = await world.drive(
      (async () => {
        await client.send(request.bytes, to);
        return client.waitForReplies(1, 5_000);
      })(),
      { what: `the RADIUS exchange from ${address}` },
    );
    world.radiusClient.last = { requests: [request], replies, verified: replies.map((r) => verifyReply(request, r, secret)) };
  } finally {
    client.close();
  }
}

// ─── Report Client IP ──────────────────────────────────────────────────────

Given(
  'the RADIUS app reports the client IP from Calling-Station-Id',
  {
    description: 'Okta\'s "Report Client IP" with attribute 31 Calling-Station-Id: the agent passes that IP to Okta\'s Authn API (password modes), so network-zone rules apply.',
    example: 'Given the RADIUS app reports the client IP from Calling-Station-Id',
  },
  function (this: LabWorld) {
    configureAgent(this, (config) => {
      theApp(config).reportClientIp = { attribute: 'Calling-Station-Id' };
    });
  },
);

Given(
  "the org's sign-on policy denies access from the network zone {string}",
  {
    description: 'A network zone (CIDR, e.g. "203.0.113.0/24") whose sign-ins the mock org\'s sign-on policy denies, by the client IP the agent reports.',
    example: 'Given the org\'s sign-on policy denies access from the network zone "203.0.113.0/24"',
  },
  function (this: LabWorld, cidr: string) {
    const [ip = '', prefix] = cidr.split('/');
    const family = isIP(ip);
    if (family === 0) throw new Error(`"${cidr}" is not a network zone: write an IP block such as "203.0.113.0/24".`);
    this.org.authn.deniedZones.addSubnet(ip, Number(prefix ?? (family === 4 ? 32 : 128)), family === 4 ? 'ipv4' : 'ipv6');
  },
);

When(
  'a RADIUS client sends {whose} password and current {factor} from the user IP {string}',
  {
    description:
      'Sends one Access-Request from a client address the agent knows, with "password,code" in User-Password (the password,passcode mode) and the user\'s IP in Calling-Station-Id.',
    example: 'When a RADIUS client sends Alice\'s password and current Okta Verify code from the user IP "203.0.113.7"',
  },
  async function (this: LabWorld, person: Person, app: AppName, userIp: string) {
    await this.ready();
    const secret = this.agentSecret();
    const request = encodeAccessRequest({
      identifier: nextIdentifier(),
      secret,
      userName: this.user(person).samAccountName,
      password: `${this.user(person).password},${codeFrom(this, person, app)}`,
      protocol: 'PAP',
      messageAuthenticator: true,
      extraAttributes: [['Calling-Station-Id', userIp]],
    });
    await sendRaw(this, this.agentClients[0]!.address, request, secret);
  },
);

Then(
  'Okta was told the client IP {string}',
  {
    description: "The last primary authentication the mock org received carried this client IP (X-Forwarded-For from the agent); \"none\" for none.",
    example: 'And Okta was told the client IP "203.0.113.7"',
  },
  function (this: LabWorld, ip: string) {
    const seen = this.org.authn.reportedClientIps;
    assert.ok(seen.length > 0, 'the agent made no primary authentication');
    assert.equal(seen.at(-1) ?? 'none', ip);
  },
);

// ─── the agent's timeouts, in Okta's words ─────────────────────────────────

/** ragent.request.timeout.response.mode values (Agent_install_linux-conf-properties.htm) → the reference agent's. */
const RESPONSE_MODES = {
  SEND_REJECT_ON_POLL_MFA: 'reject-when-polling-mfa',
  SEND_REJECT_ALWAYS: 'always-reject',
  NO_RESPONSE: 'no-response',
} as const;

Given(
  "the agent's timeout response mode is {word}",
  {
    description:
      "Sets ragent.request.timeout.response.mode: SEND_REJECT_ON_POLL_MFA (Okta's default: reject only while polling for the user's answer), SEND_REJECT_ALWAYS or NO_RESPONSE.",
    example: "Given the agent's timeout response mode is NO_RESPONSE",
  },
  function (this: LabWorld, mode: string) {
    const ours = RESPONSE_MODES[mode as keyof typeof RESPONSE_MODES];
    if (!ours) throw new Error(`Unknown response mode "${mode}". Use one of: ${Object.keys(RESPONSE_MODES).join(', ')}.`);
    this.agentTimeouts.responseModeOnTimeout = ours;
  },
);

Given(
  "the agent's total request timeout is {duration}",
  {
    description: 'Sets ragent.request.timeout.millisecond (total time the agent may spend on one request; a push waits half of it).',
    example: "Given the agent's total request timeout is 5 seconds",
  },
  function (this: LabWorld, ms: number) {
    this.agentTimeouts.totalRequestMs = ms;
  },
);

Then(
  '{whose} sign-in is refused at the password check after the RADIUS server accepted the code',
  {
    description: 'The last sign-in sent the code over RADIUS first (it was accepted), then failed the password check: the RADIUS-first order.',
    example: 'Then her sign-in is refused at the password check after the RADIUS server accepted the code',
  },
  function (this: LabWorld, person: Person) {
    const { result } = this.lastResult(person);
    assert.equal(result.reason, 'password-rejected', `${person}: got ${result.reason}`);
    assert.ok(result.attempts >= 1, 'no RADIUS request was sent before the password check');
    assert.ok(
      result.trace.some((e) => e.direction === 'received' && e.code === 2),
      'the RADIUS server did not accept the code first',
    );
  },
);

// ─── concurrency, as Okta sizes it ─────────────────────────────────────────

Given(
  'the agent decides at most {int} request(s) at once',
  {
    description: "Sets the reference agent's requestThreads, as Okta's ragent.num_request_threads (default 15): with all busy, a request is rejected at once.",
    example: 'Given the agent decides at most 1 request at once',
  },
  function (this: LabWorld, n: number) {
    configureAgent(this, (config) => {
      config.requestThreads = n;
    });
  },
);

Then(
  'one of {user} and {user} is signed in and the other is rejected by the agent with a message containing {string}',
  {
    description: 'Of two sign-ins made at the same time, exactly one was accepted and the other got an Access-Reject whose Reply-Message contains the text.',
    example: 'Then one of Alice and Bob is signed in and the other is rejected by the agent with a message containing "busy"',
  },
  function (this: LabWorld, first: Person, second: Person, text: string) {
    const results = [first, second].map((p) => this.lastResult(p).result);
    const accepted = results.filter((r) => r.signedIn);
    const rejected = results.filter((r) => r.reason === 'mfa-rejected');
    assert.equal(accepted.length, 1, `signed in: ${accepted.length} (reasons: ${results.map((r) => r.reason).join(', ')})`);
    assert.equal(rejected.length, 1, `rejected by the agent: ${rejected.length}`);
    assert.ok(rejected[0]!.replyMessage?.includes(text), `the Reply-Message is "${rejected[0]!.replyMessage ?? ''}"`);
  },
);

Then(
  'the agent counted {int} request(s) as {string}',
  {
    description: "The agent's metrics count this many decisions with this reason code (radius_mfa_requests_total{reason=…}).",
    example: 'And the agent counted 1 request as "request-queue-full"',
  },
  async function (this: LabWorld, n: number, reason: string) {
    const text = await this.agent?.metrics?.();
    assert.ok(text, 'this agent exposes no metrics');
    let total = 0;
    for (const m of text.matchAll(/^radius_mfa_requests_total\{([^}]*)\}\s+(\S+)$/gm)) {
      if (m[1]!.includes(`reason="${reason}"`)) total += Number(m[2]);
    }
    assert.equal(total, n, `radius_mfa_requests_total{reason="${reason}"}`);
  },
);

// ─── Okta org settings ──────────────────────────────────────────────────────

Given(
  "the org's Okta Verify asks for a number challenge on pushes",
  {
    description:
      "The mock org's Okta Verify authenticator uses number challenge: a push can only be approved with the number shown at sign-in, which a RADIUS user never sees (Okta_Radius_App.htm: not supported over RADIUS).",
    example: "Given the org's Okta Verify asks for a number challenge on pushes",
  },
  function (this: LabWorld) {
    this.org.setNumberChallenge({ oktaVerify: true });
  },
);

Given(
  'the org has turned on "Disable number matching challenge for RADIUS"',
  {
    description: "Okta's Early Access flag: RADIUS sign-ins get plain pushes even though Okta Verify uses number challenge elsewhere.",
    example: 'Given the org has turned on "Disable number matching challenge for RADIUS"',
  },
  function (this: LabWorld) {
    this.org.setNumberChallenge({ oktaVerify: true, disabledForRadius: true });
  },
);

// ─── groups in the Access-Accept ───────────────────────────────────────────

/** RADIUS attribute names the group settings use, as Okta's console lists them. */
const GROUP_ATTRIBUTES = { 'Filter-Id': { key: 'filter-id', type: 11 }, Class: { key: 'class', type: 25 } } as const;

function groupAttribute(name: string): (typeof GROUP_ATTRIBUTES)[keyof typeof GROUP_ATTRIBUTES] {
  const a = GROUP_ATTRIBUTES[name as keyof typeof GROUP_ATTRIBUTES];
  if (!a) throw new Error(`"${name}" is not a group attribute these steps know. Use one of: ${Object.keys(GROUP_ATTRIBUTES).join(', ')}.`);
  return a;
}

const csv = (list: string): string[] =>
  list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

Given(
  '{user} is in the Okta groups {string}',
  {
    description: 'Adds the person to these Okta groups (comma-separated), creating any group the org does not have yet.',
    example: 'Given Alice is in the Okta groups "Everyone, WorkSpaces-Users, VPN-Admins"',
  },
  function (this: LabWorld, person: Person, list: string) {
    const userId = this.oktaUserId(person);
    for (const name of csv(list)) {
      const group = this.org.getGroup(name) ?? this.org.createGroup({ name });
      this.org.addToGroup(group.id, userId);
    }
  },
);

Given(
  'the RADIUS app includes the groups {string} in {string} attributes',
  {
    description:
      'Okta\'s "Include groups in RADIUS response": on an Access-Accept the agent passes the listed Okta groups the user is in (only those), one attribute per group: "Filter-Id" (11) or "Class" (25).',
    example: 'Given the RADIUS app includes the groups "VPN-Admins, WorkSpaces-Users" in "Class" attributes',
  },
  function (this: LabWorld, list: string, attribute: string) {
    const { key } = groupAttribute(attribute);
    const include = csv(list);
    configureAgent(this, (config) => {
      theApp(config).groups = { attribute: key, include, responseFormat: 'one-per-group', separator: ',' };
    });
  },
);

/** The attributes of a RADIUS packet (RFC 2865 §5: type, length, value), read here rather than by the agent's codec. */
function attributesOf(packet: Buffer): Array<{ type: number; value: Buffer }> {
  const out: Array<{ type: number; value: Buffer }> = [];
  const end = Math.min(packet.length, packet.readUInt16BE(2));
  for (let i = 20; i + 2 <= end; ) {
    const length = packet[i + 1]!;
    if (length < 2 || i + length > end) throw new Error(`the reply has a malformed attribute at octet ${i}`);
    out.push({ type: packet[i]!, value: packet.subarray(i + 2, i + length) });
    i += length;
  }
  return out;
}

Then(
  'the reply carries the {string} attributes {string}',
  {
    description: 'The verified reply to the last hand-made request carries exactly these attributes of that kind, in this order (comma-separated; "" for none).',
    example: 'Then the reply carries the "Class" attributes "WorkSpaces-Users, VPN-Admins"',
  },
  function (this: LabWorld, attribute: string, list: string) {
    const { type } = groupAttribute(attribute);
    const reply = this.lastRaw?.replies[0];
    assert.ok(reply, 'the agent did not answer');
    const check = this.lastRaw!.verified[0];
    assert.ok(check?.ok, `the reply failed verification with the target's secret${check && !check.ok ? `: ${check.reason}` : ''}`);
    const values = attributesOf(reply)
      .filter((a) => a.type === type)
      .map((a) => a.value.toString('utf8'));
    assert.deepEqual(values, csv(list), `${attribute} attributes in the reply`);
  },
);

// ─── a second agent: failover while a push is pending ──────────────────────

Given(
  "a second agent on {string} is the AD Connector's first RADIUS server",
  {
    description:
      "Starts another reference agent, configured like the first, on this address and the first agent's port, and lists it before the first agent in RadiusServers (one RadiusPort serves both, as AWS's settings have one port).",
    example: "Given a second agent on \"127.0.0.5\" is the AD Connector's first RADIUS server",
  },
  async function (this: LabWorld, host: string) {
    const second = await startAnotherAgent(this, (first) => ({ host, port: first.endpoint.port }));
    this.adConnector.serversBefore = [second.endpoint.host, ...this.adConnector.serversBefore];
  },
);

/** Another reference agent configured like the scenario's (same spec and settings), listening where `listen` says. */
async function startAnotherAgent(world: LabWorld, where: (first: AgentUnderTest) => { host: string; port: number }): Promise<AgentUnderTest> {
  if (!STARTED.has(world)) configureAgent(world, () => {}); // wraps the target, so the World's spec is seen
  const first = await world.ensureAgent();
  const listen = where(first);
  const started = STARTED.get(world);
  assert.ok(started?.spec, "the first agent's spec was not seen");
  const edits = SETTINGS.get(world) ?? [];
  const agent = await started.inner.start({
    ...started.spec,
    configure: (config) => {
      for (const edit of edits) edit(config);
      theApp(config).listen = { ...theApp(config).listen, ...listen };
    },
  });
  const list = EXTRA_AGENTS.get(world) ?? [];
  list.push(agent);
  EXTRA_AGENTS.set(world, list);
  if (agent.events) {
    const arrived = world.datagrams.server(agent.endpoint);
    agent.events.on('packet', (e) => {
      world.trace.push(e);
      arrived(e);
    });
  }
  return agent;
}

const BALANCERS = new WeakMap<LabWorld, UdpLoadBalancer[]>();

Given(
  'two agents sit behind a load balancer on {string} {word} session persistence',
  {
    description:
      'The AD Connector talks to a UDP load balancer in front of the scenario\'s agent and a second one like it: "without" session persistence each datagram goes to the next agent, "with" it every datagram of a client goes to the same agent (by client address).',
    example: 'Given two agents sit behind a load balancer on "127.0.0.6" without session persistence',
  },
  async function (this: LabWorld, host: string, withOrWithout: string) {
    if (withOrWithout !== 'with' && withOrWithout !== 'without') throw new Error(`Write "with" or "without" session persistence, not "${withOrWithout}".`);
    const second = await startAnotherAgent(this, () => ({ host: '127.0.0.5', port: 0 }));
    const first = this.agentUnderTest.started;
    const lb = await startUdpLoadBalancer({
      host,
      port: first.endpoint.port, // the connector has one RadiusPort for all its servers
      backends: [first.endpoint, second.endpoint].map((e) => ({ address: e.host, port: e.port })),
      stickiness: withOrWithout === 'with' ? 'client-address' : 'none',
    });
    const list = BALANCERS.get(this) ?? [];
    list.push(lb);
    BALANCERS.set(this, list);
    this.adConnector.serversBefore = [host, ...this.adConnector.serversBefore];
  },
);

After({ name: 'stop second agents and load balancers' }, async function (this: LabWorld) {
  for (const lb of BALANCERS.get(this) ?? []) await lb.close();
  for (const agent of EXTRA_AGENTS.get(this) ?? []) await agent.stop();
});

Given(
  "the org's sign-on policy offers Okta Verify push only",
  {
    description:
      'Okta Verify set to push notifications only: an Authn transaction (password modes) offers the push and no Okta Verify code, whatever else the user enrolled.',
    example: "Given the org's sign-on policy offers Okta Verify push only",
  },
  function (this: LabWorld) {
    this.org.authn.offeredFactorTypes = new Set(['push']);
  },
);

Given(
  "the org's sign-on policy requires MFA",
  {
    description: 'The mock org\'s sign-on policy requires a second factor: a user who has none enrolled gets MFA_ENROLL from the Authn API (password modes) instead of being signed in by the password alone.',
    example: "Given the org's sign-on policy requires MFA",
  },
  function (this: LabWorld) {
    this.org.authn.requireMfa = true;
  },
);
