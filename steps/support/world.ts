/**
 * The World: one scenario's lab and the parts around the agent, as fixtures
 * with their own set-up and tear-down (in the spirit of Playwright's):
 *
 *   people         the Lab (clock, mock Okta org, devices, directory data) and the people in it   fixtures/people.ts
 *   agentUnderTest the run's target, the agent it starts or reaches, its Okta route             fixtures/agent-under-test.ts
 *   adConnector    the directory over LDAP, the AD Connector, its RadiusSettings and faults      fixtures/ad-connector.ts
 *   radiusClient   hand-made RADIUS requests, replies verified independently of agent/         fixtures/radius-client.ts
 *
 * Each sets itself up on first use, so Given steps can still shape what it
 * starts with, and all are torn down after the scenario in reverse order
 * (hooks.ts). The World itself keeps only what spans them: who "she" is, the
 * sign-ins made, the packet trace, and the driver that moves the lab clock
 * (simulators/lab/driver.ts).
 */
import assert from 'node:assert/strict';
import { type IWorldOptions, setWorldConstructor, World } from '@cucumber/cucumber';
import type { PacketEvent } from '../../agent/src/packet-events.ts';
import { encodeAccessRequest, encodeStatusServer } from '../../simulators/ad-connector/radius-codec.ts';
import type { LabClock } from '../../simulators/clock/lab-clock.ts';
import { RealTimeClock } from '../../simulators/clock/real-time-clock.ts';
import { VirtualClock } from '../../simulators/clock/virtual-clock.ts';
import { ENROLMENT_SETTLE_MS } from '../../simulators/lab/lab.ts';
import type { OktaAdmin } from '../../simulators/okta/admin-api.ts';
import type { DeviceNetwork } from '../../simulators/devices/network.ts';
import type { Phone } from '../../simulators/devices/phone.ts';
import { DatagramLedger, type DriveBounds, drive } from '../../simulators/lab/driver.ts';
import type { Lab } from '../../simulators/lab/lab.ts';
import type { OktaOrg } from '../../simulators/okta/org.ts';
import type { AdConnector } from '../../simulators/ad-connector/index.ts';
import type { AgentSpec, AgentUnderTest, TargetDriver } from '../targets/target.ts';
import { ConnectorFixture } from './fixtures/ad-connector.ts';
import { AgentFixture, LAB_SECRET } from './fixtures/agent-under-test.ts';
import { type LabUser, PeopleFixture, runOktaOrg, type SignInRecord } from './fixtures/people.ts';
import { nextIdentifier, RadiusClientFixture, type RawExchange, type RawRequest } from './fixtures/radius-client.ts';
import type { Fixture, Scene } from './fixtures/scene.ts';
import { type AppName, type Channel, PEOPLE, type Person, PRONOUN_OF, pronounGender } from './words.ts';

export { closeCurrentTarget, currentTarget, LAB_SECRET } from './fixtures/agent-under-test.ts';
export { BASE_DN, DNS_DOMAIN, DOMAIN, type LabUser, SCENARIO_SEED, type SignInRecord } from './fixtures/people.ts';
export { nextIdentifier, type RawExchange, type RawRequest } from './fixtures/radius-client.ts';

/** Scenarios that never touch the agent (settings validation, directory-only refusals) carry this tag: they run once per run. */
export const NO_AGENT_TAG = '@no-agent';

export class LabWorld extends World implements Scene {
  /**
   * The lab clock. Against an org reached over the Management API
   * (`run --okta-org`) the org keeps real time, so the lab follows the wall
   * clock (it starts a settle period behind: building the lab moves it that
   * far) and lab time can't be made to pass (`pass` refuses).
   */
  readonly clock: LabClock = runOktaOrg() ? new RealTimeClock({ offsetMs: -ENROLMENT_SETTLE_MS }) : new VirtualClock();
  /** The connector's, the agent's and hand-made datagrams, for the trace attachment. */
  readonly trace: PacketEvent[] = [];
  /** The same datagrams as the driver counts them: sent by one side, not yet received or dropped by the other. */
  readonly datagrams = new DatagramLedger();

  readonly people = new PeopleFixture(this);
  readonly agentUnderTest = new AgentFixture(this);
  readonly adConnector = new ConnectorFixture(this);
  readonly radiusClient = new RadiusClientFixture(this);
  /** In tear-down order: the client side first, the lab last. */
  readonly #fixtures: Fixture[] = [this.radiusClient, this.adConnector, this.agentUnderTest, this.people];

  /** The person "she / he / they" refers to. */
  current: Person | undefined;
  /** Whether the step being matched named its subject already (reset before each step). */
  subjectNamedInStep = false;
  /** The scenario's tags (set before the first step): a @no-agent scenario uses the embedded agent as scenery. */
  scenarioTags: readonly string[] = [];
  readonly signIns: SignInRecord[] = [];
  lastSignIn: SignInRecord | undefined;
  /** What the sign-in page showed after the last browser sign-in. */
  pageOutcome: { person: Person; signedIn: boolean; error: string } | undefined;

  /** Where the last sign-in or hand-made exchange began: trace index, lab time, the agent's drop counters (metrics). */
  exchangeStart = 0;
  exchangeStartedAt = 0;
  dropsAtExchangeStart = new Map<string, number>();
  #activity = 0;

  constructor(options: IWorldOptions) {
    super(options);
  }

  touch(): void {
    this.#activity++;
  }

  // ─── the lab and its people ──────────────────────────────────────────────

  /** Builds the scenario's lab (the Before hook calls it, so a scenario found not applicable builds nothing). */
  buildLab(): Promise<Lab> {
    return this.people.build({ localOkta: this.scenarioTags.includes(NO_AGENT_TAG) });
  }

  get lab(): Lab {
    return this.people.lab;
  }

  get org(): OktaOrg {
    return this.people.org;
  }

  get network(): DeviceNetwork {
    return this.people.network;
  }

  /** The RADIUS app the agent serves (the lab org's; with --okta-org, --okta-app-id). */
  get appId(): string {
    return this.people.appId;
  }

  /** How the scenario sets Okta up: the Management API (in-process mock, or HTTP with --okta-org). */
  get oktaAdmin(): OktaAdmin {
    return this.people.admin;
  }

  get apiToken(): string {
    return this.lab.apiToken;
  }

  /**
   * Resolves a name or a pronoun (she / he / they / her / his / their) to a
   * person. A name as the subject of a step ({user}) becomes the person later
   * pronouns refer to; a possessive name ({whose}, "Alice's") does so only when
   * the step has no subject of its own, so "Bob signs in with Alice's code.
   * Then he is …" still means Bob. A pronoun that doesn't fit the person it
   * points at ("she" for Bob) is an authoring mistake, reported as such.
   */
  person(word: string, role: 'subject' | 'possessive' = 'subject'): Person {
    const named = PEOPLE.find((p) => p === word);
    if (named) {
      if (role === 'subject' || !this.subjectNamedInStep) this.current = named;
      if (role === 'subject') this.subjectNamedInStep = true;
      return named;
    }
    if (!this.current) throw new Error(`"${word}" refers to nobody yet: name the person first (e.g. "Alice").`);
    const gender = pronounGender(word);
    if (gender && PRONOUN_OF[this.current] !== gender) {
      const fits = PRONOUN_OF[this.current] === 'she' ? 'she / her' : 'he / him / his';
      throw new Error(`"${word}" refers to ${this.current} (the person last named), for whom the step should say ${fits}: name the person you mean, or fix the pronoun.`);
    }
    if (role === 'subject') this.subjectNamedInStep = true;
    return this.current;
  }

  user(person: Person): LabUser {
    return this.people.user(person);
  }

  oktaUserId(person: Person): string {
    return this.people.oktaUserId(person);
  }

  /** A person in AD and, unless `okta` is false, in Okta (assigned to the RADIUS app unless `assigned` is false); she is "she" from now on. */
  async addUser(person: Person, options: { okta?: boolean; assigned?: boolean } = {}): Promise<LabUser> {
    const u = await this.people.add(person, options);
    this.current = person;
    return u;
  }

  phone(person: Person, n = 0): Phone {
    return this.people.phone(person, n);
  }

  /** Installs and enrols an app on the person's phone; lab time moves on as after a user's enrolment. */
  async enrolApp(person: Person, app: AppName, phoneIndex = 0, options: { pending?: boolean } = {}): Promise<void> {
    const { settle } = await this.people.enrolApp(person, app, phoneIndex, options);
    if (settle > 0) await this.pass(settle);
  }

  /** Enrols SMS, voice call or email; lab time moves on (Okta sends no second code within 30 s), then sign-in codes begin. */
  async enrolChannel(person: Person, channel: Channel): Promise<void> {
    const { settle } = this.people.enrolChannel(person, channel);
    await this.pass(settle);
    this.people.enrolled(person, channel);
  }

  signInCodes(person: Person, channel: Channel): string[] {
    return this.people.signInCodes(person, channel);
  }

  setPassword(person: Person, password: string): Promise<void> {
    return this.people.setPassword(person, password);
  }

  /** The codes that reached the person on a channel since the last sign-in or exchange began (a call only when answered). */
  codesSentSinceExchangeStart(person: Person, channel: Channel): string[] {
    return this.people
      .messages(person, channel)
      .filter((m) => m.sentAt >= this.exchangeStartedAt && m.answered !== false)
      .map((m) => m.code);
  }

  /** Everything that rang or arrived on a channel since the last exchange began, answered or not. */
  messagesSinceExchangeStart(person: Person, channel: Channel): number {
    return this.people.messages(person, channel).filter((m) => m.sentAt >= this.exchangeStartedAt).length;
  }

  // ─── the agent and the connector ─────────────────────────────────────────

  /** The run's target (for a @no-agent scenario, the embedded agent as scenery). */
  get target(): TargetDriver | undefined {
    return this.agentUnderTest.target;
  }

  set target(t: TargetDriver | undefined) {
    this.agentUnderTest.target = t;
  }

  get agent(): AgentUnderTest | undefined {
    return this.agentUnderTest.agent;
  }

  get connector(): AdConnector | undefined {
    return this.adConnector.connector;
  }

  /** The RADIUS clients the agent is started with (Given steps change them before it starts). */
  get agentClients(): AgentSpec['clients'] {
    return this.agentUnderTest.clients;
  }

  set agentClients(clients: AgentSpec['clients']) {
    this.agentUnderTest.clients = clients;
  }

  get agentTimeouts(): NonNullable<AgentSpec['timeouts']> {
    return this.agentUnderTest.timeouts;
  }

  /** The connector's RadiusSettings (Given steps change them before they are applied). */
  get settings(): ConnectorFixture['settings'] {
    return this.adConnector.settings;
  }

  get radiusApplied(): boolean {
    return this.adConnector.applied;
  }

  get lastRaw(): RawExchange | undefined {
    return this.radiusClient.last;
  }

  /** Starts the agent (current target); a target that decides the secret makes the connector use it, unless a step gave it another. */
  async ensureAgent(): Promise<AgentUnderTest> {
    const agent = await this.agentUnderTest.start(this.lab, this.scenarioTags.includes(NO_AGENT_TAG), (userName) => this.people.currentCode(userName));
    if (agent.secret !== undefined && this.adConnector.settings.SharedSecret === LAB_SECRET) {
      this.adConnector.settings.SharedSecret = agent.secret;
    }
    return agent;
  }

  /** The AD Connector (after the agent, whose target may decide where the connector sends from). */
  async ensureConnector(): Promise<AdConnector> {
    await this.ensureAgent();
    return this.adConnector.ensure(this.lab, this.agentUnderTest.sourceAddresses());
  }

  /** Starts the agent and the AD Connector, and applies the RADIUS settings (once, unless a step re-applies them). */
  async ready(options: { applySettings?: boolean } = {}): Promise<void> {
    const agent = await this.ensureAgent();
    await this.ensureConnector();
    if (options.applySettings !== false && !this.adConnector.applied) await this.adConnector.applyAndSettle(agent.endpoint);
  }

  /** UpdateRadius (or EnableRadius) with the scenario's settings, waiting for the status probe. */
  async applyAndSettle(): Promise<void> {
    await this.adConnector.applyAndSettle(this.agentUnderTest.started.endpoint);
  }

  /** Secret the agent expects from the AD Connector's addresses. */
  agentSecret(): string {
    return this.agentUnderTest.secret();
  }

  // ─── driving ─────────────────────────────────────────────────────────────

  /** Resolves `promise` by letting I/O happen and moving the lab clock (see simulators/lab/driver.ts). */
  drive<T>(promise: Promise<T>, bounds: DriveBounds = {}): Promise<T> {
    return drive(
      promise,
      {
        clock: this.clock,
        agentOnVirtualClock: () => this.agent?.onVirtualClock ?? true,
        // Only an agent on the lab clock can be outrun by time; one on real time is waited for in real time anyway.
        datagramsInFlight: () => (this.agent?.onVirtualClock ? this.datagrams.inFlight : 0),
        realIoInFlight: () => this.adConnector.passwordChecksInFlight,
        busy: () => this.agent?.inFlight?.(),
        activity: () => this.#activity,
      },
      bounds,
    );
  }

  /** Lets lab time pass (devices answer, codes expire); the agent's own time too when it is on the lab clock. */
  async pass(ms: number): Promise<void> {
    if (this.people.remoteOrg) {
      throw new Error(
        `Lab time can't be made to pass by ${ms / 1000} s: the agent's Okta is an org reached over its Management API (--okta-org), whose clock the lab can't move; tag the scenario @needs:okta-mock.`,
      );
    }
    const until = this.clock.now() + ms;
    if (this.agent && !this.agent.onVirtualClock) {
      // The agent keeps its own (real) time; only the lab's moves.
      await this.clock.advanceTo(until);
      return;
    }
    await this.drive(
      new Promise<void>((resolve) => {
        this.clock.setTimeout(resolve, ms);
      }),
      { maxVirtualMs: ms + 1_000, what: `letting ${ms / 1000} s pass` },
    );
    if (this.clock.now() < until) await this.clock.advanceTo(until);
  }

  async markExchangeStart(): Promise<void> {
    this.exchangeStart = this.trace.length;
    this.exchangeStartedAt = this.clock.now();
    if (!this.agent?.events && this.agent?.metrics) this.dropsAtExchangeStart = await this.agentUnderTest.dropCounts();
  }

  // ─── hand-made RADIUS ────────────────────────────────────────────────────

  /** An address the agent knows as a client: hand-made requests leave from it (the connector's first). */
  rawSourceAddress(): string {
    const known = this.agentUnderTest.knownSourceAddress();
    if (!known) throw new Error('The agent knows none of the AD Connector\'s addresses, so no hand-made request could reach it.');
    return known;
  }

  /** Sends hand-made requests to the agent and verifies the replies with its secret (fixtures/radius-client.ts). */
  async rawExchange(requests: RawRequest[], expectReplies: number, waitMs = 5_000, options: { oneAtATime?: boolean } = {}): Promise<RawExchange> {
    await this.ready();
    await this.markExchangeStart();
    const agent = this.agentUnderTest.started;
    this.radiusClient.last = await this.radiusClient.exchange(agent.endpoint, this.rawSourceAddress(), this.agentSecret(), requests, expectReplies, waitMs, options);
    return this.radiusClient.last;
  }

  /**
   * Proof of life after a silence: the agent must answer a known-good request
   * (a Status-Server where the target answers those, else an Access-Request
   * for a user nobody has) with a verified reply. Silence alone proves nothing:
   * a crashed or wedged agent is silent too.
   */
  async proveAgentAlive(): Promise<void> {
    // The probe is not part of the exchange under test: what steps count since its start stays as it was.
    const saved = { last: this.radiusClient.last, start: this.exchangeStart, at: this.exchangeStartedAt, drops: this.dropsAtExchangeStart };
    const identifier = nextIdentifier();
    const secret = this.agentSecret();
    const request: RawRequest = this.target?.profile.capabilities.has('status-server')
      ? encodeStatusServer({ identifier, secret })
      : encodeAccessRequest({ identifier, secret, userName: 'rmh-proof-of-life', password: '000000', protocol: 'PAP', messageAuthenticator: true });
    const { verified } = await this.rawExchange([request], 1, 10_000);
    this.radiusClient.last = saved.last;
    this.exchangeStart = saved.start;
    this.exchangeStartedAt = saved.at;
    this.dropsAtExchangeStart = saved.drops;
    const answer = verified[0];
    assert.ok(answer, 'the agent did not answer a known-good request afterwards either: it looks dead or wedged, so its silence proves nothing');
    assert.ok(answer.ok, `the agent's answer to a known-good request failed verification (${answer.ok ? '' : `${answer.reason}: ${answer.detail}`}), so its silence proves nothing`);
  }

  // ─── sign-in ─────────────────────────────────────────────────────────────

  /**
   * One sign-in through the AD Connector. `atSignIn` runs in the same synchronous turn as the
   * connector's sign-in starts, after every wait of the set-up (a step that must catch the
   * connector in a passing state, such as RadiusStatus Creating, does its change there: any
   * await in between lets the status probe finish). `applySettings: false` leaves the
   * connector's RADIUS settings to the step (see ready()).
   */
  async signIn(
    person: Person,
    mfaCode: string,
    options: { password?: string; username?: string; applySettings?: false; atSignIn?: () => void } = {},
  ): Promise<SignInRecord> {
    await this.ready(options.applySettings === false ? { applySettings: false } : {});
    const u = this.user(person);
    await this.markExchangeStart();
    const startedAt = this.clock.now();
    options.atSignIn?.();
    const result = await this.drive(
      this.adConnector.started.signIn({ username: options.username ?? u.samAccountName, password: options.password ?? u.password, mfaCode }),
      { what: `${person}'s sign-in` },
    );
    const record: SignInRecord = { person, mfaCode, result, startedAt, endedAt: this.clock.now() };
    this.lastSignIn = record;
    this.signIns.push(record);
    return record;
  }

  /** Several people sign in at once: every request is in flight together; each gets its own record. */
  async signInTogether(attempts: Array<{ person: Person; mfaCode: string }>): Promise<SignInRecord[]> {
    await this.ready();
    await this.markExchangeStart();
    const startedAt = this.clock.now();
    const connector = this.adConnector.started;
    const results = await this.drive(
      Promise.all(attempts.map((a) => connector.signIn({ username: this.user(a.person).samAccountName, password: this.user(a.person).password, mfaCode: a.mfaCode }))),
      { what: `${attempts.map((a) => `${a.person}'s`).join(' and ')} sign-ins` },
    );
    const records = results.map((result, i): SignInRecord => ({ ...attempts[i]!, result, startedAt, endedAt: this.clock.now() }));
    this.signIns.push(...records);
    this.lastSignIn = records.at(-1);
    return records;
  }

  /**
   * Why a @no-agent scenario did in fact involve an agent, if it did: a
   * sign-in that sent RADIUS requests, or a hand-made RADIUS exchange.
   */
  agentContact(): string | undefined {
    const reached = this.signIns.filter((s) => s.result.attempts > 0);
    if (reached.length > 0) return `${reached.map((s) => `${s.person}'s sign-in`).join(', ')} sent RADIUS requests`;
    if (this.radiusClient.used) return 'a hand-made RADIUS request was sent';
    return undefined;
  }

  /**
   * The last sign-in `person` made. A step that names a person checks that
   * person's sign-in, never someone else's that happened to come last.
   */
  lastResult(person?: Person): SignInRecord {
    if (!this.lastSignIn) throw new Error('No sign-in yet: use a "When … signs in …" step first.');
    if (person === undefined) return this.lastSignIn;
    const mine = this.signIns.filter((s) => s.person === person).at(-1);
    if (!mine) {
      const who = [...new Set(this.signIns.map((s) => s.person))].join(', ');
      throw new Error(`${person} has not signed in in this scenario (sign-ins so far: ${who}): check the name in this step.`);
    }
    return mine;
  }

  /** Okta factor verifications the agent asked for (POST …/factors/{id}/verify, not push polls). */
  verifyCalls(): ReturnType<AgentFixture['verifyCalls']> {
    return this.agentUnderTest.verifyCalls();
  }

  /**
   * Drops by the agent since the last sign-in or hand-made exchange began: from
   * its packet events when observable, else from its metrics (Prometheus text).
   */
  async agentDrops(reason: string): Promise<number> {
    if (!this.agent?.events && this.agent?.metrics) {
      const now = await this.agentUnderTest.dropCounts();
      return (now.get(reason) ?? 0) - (this.dropsAtExchangeStart.get(reason) ?? 0);
    }
    return this.trace.slice(this.exchangeStart).filter((e) => e.observer === 'agent' && e.direction === 'dropped' && e.reason === reason).length;
  }

  /** Tears every fixture down, the client side first; the first error is rethrown after all have run. */
  async teardown(): Promise<void> {
    const errors: unknown[] = [];
    for (const f of this.#fixtures) await f.teardown().catch((e: unknown) => errors.push(e));
    if (errors.length > 0) throw errors[0];
  }
}

setWorldConstructor(LabWorld);
