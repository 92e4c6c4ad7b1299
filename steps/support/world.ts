/**
 * The World: one lab per scenario. The lab itself — a VirtualClock, the mock
 * Okta org with its RADIUS app and API token, the virtual devices (phones,
 * apps, inboxes) on a DeviceNetwork, an AD-like directory — is a
 * simulators/lab `Lab` built from a minimal seed (`buildLab()`, in a Before
 * hook); Given steps add the people to it and enrol their devices the way a
 * user does (simulators/devices/enrol.ts). On top: the AD Connector
 * simulator and the agent under test from the current target.
 *
 * The directory is served over LDAP on the first step that needs it; the
 * agent and the AD Connector start lazily on the first step that
 * needs them (`ready()`), so Given steps can still shape their configuration
 * (clients, secret, timeouts, protocol, faults). Everything is torn down in the
 * After hook (hooks.ts). Time moves through the lab's driver
 * (simulators/lab/driver.ts).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setWorldConstructor, World, type IWorldOptions } from '@cucumber/cucumber';
import type { PacketEvent } from '../../agent/src/packet-events.ts';
import { PacketEvents } from '../../agent/src/packet-events.ts';
import {
  AdConnector,
  type FaultHandle,
  ldapPasswordChecker,
  NetworkFaults,
  type PasswordChecker,
  type RadiusSettings,
  type SignInResult,
  validateRadiusSettings,
} from '../../simulators/ad-connector/index.ts';
import { enrolDuo, enrolEmail, enrolGoogleAuthenticator, enrolOktaVerify, enrolPhoneNumber } from '../../simulators/devices/enrol.ts';
import type { DeviceNetwork } from '../../simulators/devices/network.ts';
import { Phone } from '../../simulators/devices/phone.ts';
import { type DirectoryServer, startDirectory } from '../../simulators/directory/ldap-server.ts';
import { ENROLMENT_SETTLE_MS, Lab } from '../../simulators/lab/lab.ts';
import type { SeedInput } from '../../simulators/lab/seed.ts';
import type { OktaResponseRecord } from '../../simulators/okta/handlers.ts';
import type { OktaOrg } from '../../simulators/okta/org.ts';
import { oktaFetch, type RunningOktaServer, startOktaServer } from '../../simulators/okta/serve.ts';
import { currentTargetName, loadTarget } from '../targets/index.ts';
import type { AgentSpec, AgentUnderTest, TargetDriver } from '../targets/target.ts';
import { VirtualClock } from '../../simulators/clock/virtual-clock.ts';
import { DatagramLedger, type DriveBounds, drive } from '../../simulators/lab/driver.ts';
import { type EncodedRequest, encodeAccessRequest, encodeStatusServer, type VerifyResult, verifyReply } from '../../simulators/ad-connector/radius-codec.ts';
import { RawRadiusClient } from './raw-radius.ts';
import { type AppName, type Channel, PEOPLE, type Person, PRONOUN_OF, pronounGender } from './words.ts';

export const DOMAIN = 'CORP';
export const DNS_DOMAIN = 'corp.example.com';
export const BASE_DN = 'DC=corp,DC=example,DC=com';
/** The shared secret of the lab (client side and agent side), unless a step changes one. */
export const LAB_SECRET = 'lab-shared-secret-1234';

/** One person of the lab: the same name in AD and Okta. */
export interface LabUser {
  person: Person;
  samAccountName: string;
  login: string;
  email: string;
  password: string;
  oktaId?: string;
  phones: Phone[];
  /** How many messages each channel held when its enrolment finished (activation codes are not sign-in codes). */
  messagesAtEnrolment: Partial<Record<Channel, number>>;
}

/** The last sign-in a step made, for Then steps. */
export interface SignInRecord {
  person: Person;
  mfaCode: string;
  result: SignInResult;
  startedAt: number;
  endedAt: number;
}

/**
 * Targets are expensive to set up (an image, a FreeRADIUS): one per test run
 * per worker, loaded by the first scenario that needs it and closed by the
 * AfterAll hook (`closeCurrentTarget`), so a second run in the same process
 * (the runner runs one target after another) loads its own.
 */
let targetPromise: Promise<TargetDriver> | undefined;
export function currentTarget(): Promise<TargetDriver> {
  targetPromise ??= loadTarget(currentTargetName(), process.env.RMH_PROFILE ? { profile: process.env.RMH_PROFILE } : {});
  return targetPromise;
}

let sceneryPromise: Promise<TargetDriver> | undefined;
/** The embedded reference agent, as scenery for @no-agent scenarios (it holds nothing to release). */
function sceneryTarget(): Promise<TargetDriver> {
  sceneryPromise ??= loadTarget('embedded');
  return sceneryPromise;
}

/** Releases the run's target (its servers, containers) and forgets it; a target that never loaded has nothing to release. */
export async function closeCurrentTarget(): Promise<void> {
  const loading = targetPromise;
  targetPromise = undefined;
  if (!loading) return;
  const driver = await loading.catch(() => undefined);
  await driver?.close();
}

/**
 * The lab every scenario starts from: the org, its RADIUS app and token, the
 * directory — and no people yet (the seed format wants one: a disabled AD
 * service account nobody signs in with). The people come from Given steps.
 */
export const SCENARIO_SEED: SeedInput = {
  seed: 'scenario-lab',
  org: { name: 'CORP Okta', apiToken: { name: 'radius-agent' } },
  app: { label: 'Amazon WorkSpaces', name: 'radius' },
  directory: { domain: DOMAIN, baseDn: BASE_DN },
  users: [{ login: `svc-lab@${DNS_DOMAIN}`, password: 'Svc-Lab-Unused-1!', oktaStatus: 'NONE', adState: 'disabled' }],
};

export class LabWorld extends World {
  readonly clock = new VirtualClock();
  /** The scenario's lab (clock, org, devices, directory); built by `buildLab()` before the first step. */
  #lab: Lab | undefined;
  readonly users = new Map<Person, LabUser>();
  /** Every Okta API answer the agent got (verify calls are counted from it). */
  readonly oktaCalls: OktaResponseRecord[] = [];
  /** The connector's and the agent's datagrams, for the trace attachment. */
  readonly trace: PacketEvent[] = [];
  /** The same datagrams as the driver counts them: sent by one side, not yet received or dropped by the other. */
  readonly datagrams = new DatagramLedger();
  readonly faults = new NetworkFaults(this.clock);

  target: TargetDriver | undefined;
  directory: DirectoryServer | undefined;
  connector: AdConnector | undefined;
  agent: AgentUnderTest | undefined;
  oktaServer: RunningOktaServer | undefined;

  /** What the agent is started with; Given steps adjust it before `ready()`. */
  agentClients: AgentSpec['clients'];
  agentTimeouts: NonNullable<AgentSpec['timeouts']> = {};
  /** How the agent reads User-Password; Given steps change it before the agent starts. */
  agentMode: AgentSpec['mode'] = 'mfa-only';
  /** What the connector is configured with; Given steps adjust it before `ready()`. */
  settings: Omit<RadiusSettings, 'RadiusServers' | 'RadiusPort'> = {
    RadiusTimeout: 30,
    RadiusRetries: 3,
    SharedSecret: LAB_SECRET,
    AuthenticationProtocol: 'PAP',
  };
  /** Extra servers before the agent (a dead first server for failover). */
  serversBefore: string[] = [];
  sourcePolicy: 'first' | 'alternate' = 'first';
  radiusApplied = false;
  /** RadiusStatus right after the settings were last applied. */
  statusAfterApply: string | undefined;
  /** The last apply-and-probe: status right after the call and once settled, probe datagrams sent and verified replies received. */
  statusProbe: { after: string | undefined; settled: string | undefined; sent: number; answered: number } | undefined;
  /** A fault standing for "the agent moved away", removed when the settings are updated. */
  movedAway: FaultHandle | undefined;
  /** Outcome of the last RadiusSettings validation step. */
  settingsError: unknown;
  rejectedSecret: string | undefined;

  /** The raw RADIUS client of protocol scenarios, and its last exchange. */
  rawClient: RawRadiusClient | undefined;
  lastRaw: RawExchange | undefined;

  /** What the sign-in page showed after the last browser sign-in. */
  pageOutcome: { person: Person; signedIn: boolean; error: string } | undefined;
  /** Index in `trace` where the last sign-in or hand-made exchange began. */
  exchangeStart = 0;
  /** Lab time at which the last sign-in or hand-made exchange began. */
  exchangeStartedAt = 0;
  /** The agent's drop counters (metrics) when the last exchange began, for agents without observable events. */
  dropsAtExchangeStart = new Map<string, number>();

  /** The person "she / he / they" refers to. */
  current: Person | undefined;
  /** Whether the step being matched named its subject already (reset before each step). */
  subjectNamedInStep = false;
  /** The scenario's tags (set before the first step), e.g. to refuse an agent in a @no-agent scenario. */
  scenarioTags: readonly string[] = [];
  lastSignIn: SignInRecord | undefined;
  readonly signIns: SignInRecord[] = [];
  /** Password checks in flight (real LDAP I/O the driver waits for). */
  passwordChecksInFlight = 0;
  #activity = 0;

  constructor(options: IWorldOptions) {
    super(options);
    this.agentClients = [
      { name: 'ad-connector-a', address: '127.0.0.2', secret: LAB_SECRET, requireMessageAuthenticator: true },
      { name: 'ad-connector-b', address: '127.0.0.3', secret: LAB_SECRET, requireMessageAuthenticator: true },
    ];
  }

  /** Builds the scenario's lab from SCENARIO_SEED on the World's clock (once). */
  async buildLab(): Promise<Lab> {
    if (this.#lab) return this.#lab;
    this.#lab = await Lab.fromSeed(SCENARIO_SEED, { clock: this.clock, source: 'the scenario seed' });
    this.#lab.org.events.subscribe(() => this.#activity++);
    return this.#lab;
  }

  get lab(): Lab {
    if (!this.#lab) throw new Error('The lab is not built yet (the Before hook builds it).');
    return this.#lab;
  }

  get org(): OktaOrg {
    return this.lab.org;
  }

  get network(): DeviceNetwork {
    return this.lab.network;
  }

  get appId(): string {
    return this.lab.app.id;
  }

  get apiToken(): string {
    return this.lab.apiToken;
  }

  // ─── people ──────────────────────────────────────────────────────────────

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
    const u = this.users.get(person);
    if (!u) throw new Error(`${person} is not in the lab yet: start with "Given ${person} is a WorkSpaces user".`);
    return u;
  }

  oktaUserId(person: Person): string {
    const id = this.user(person).oktaId;
    if (!id) throw new Error(`${person} has no Okta account in this scenario.`);
    return id;
  }

  /** A person in AD (password set) and, unless `oktaToo` is false, in Okta, assigned to the RADIUS app. */
  async addUser(person: Person, options: { okta?: boolean; assigned?: boolean } = {}): Promise<LabUser> {
    const existing = this.users.get(person);
    if (existing) return existing;
    const sam = person.toLowerCase();
    const index = PEOPLE.indexOf(person) + 1;
    const u: LabUser = {
      person,
      samAccountName: sam,
      login: `${sam}@${DNS_DOMAIN}`,
      email: `${sam}@${DNS_DOMAIN}`,
      password: `Correct-Horse-${person}-${index}!`,
      phones: [],
      messagesAtEnrolment: {},
    };
    this.lab.directory.add({
      dn: `CN=${person} Example,OU=Users,${BASE_DN}`,
      sAMAccountName: sam,
      userPrincipalName: u.login,
      displayName: `${person} Example`,
      mail: u.email,
      password: u.password,
    });
    if (options.okta !== false) {
      const rec = this.org.createUser({
        profile: { login: u.login, email: u.email, firstName: person, lastName: 'Example', mobilePhone: phoneNumber(index, 1) },
        password: u.password,
      });
      u.oktaId = rec.id;
      if (options.assigned !== false) this.org.assignUserToApp(this.appId, rec.id);
    }
    this.users.set(person, u);
    this.current = person;
    return u;
  }

  /** The person's n-th phone (0-based), created when first needed. */
  phone(person: Person, n = 0): Phone {
    const u = this.user(person);
    while (u.phones.length <= n) {
      const k = u.phones.length + 1;
      const phone = new Phone({
        owner: u.login,
        number: phoneNumber(PEOPLE.indexOf(person) + 1, k),
        name: `${u.samAccountName}-phone-${k}`,
        clock: this.clock,
      });
      u.phones.push(phone);
    }
    return u.phones[n]!;
  }

  /**
   * Installs an app on a phone and enrols it in Okta as the user does (scan,
   * type the first code; not if `pending`). Typing the code spends its TOTP
   * step, so lab time then moves on by ENROLMENT_SETTLE_MS, as in a seeded lab.
   */
  async enrolApp(person: Person, app: AppName, phoneIndex = 0, options: { pending?: boolean } = {}): Promise<void> {
    const userId = this.oktaUserId(person);
    const phone = this.phone(person, phoneIndex);
    this.#connectPhone(phone);
    const activate = !options.pending;
    if (app === 'okta-verify') {
      enrolOktaVerify(this.org, userId, phone.oktaVerify ?? phone.installOktaVerify(), { activate });
    } else if (app === 'google-authenticator') {
      enrolGoogleAuthenticator(this.org, userId, phone.googleAuthenticator ?? phone.installGoogleAuthenticator(), { activate });
    } else {
      const duo = phone.duoMobile ?? phone.installDuoMobile();
      enrolDuo(this.org, userId, duo, { secret: base32(randomBytes(10)), label: this.user(person).login, activate });
      return;
    }
    if (activate) await this.pass(ENROLMENT_SETTLE_MS);
  }

  /**
   * SMS / voice: to the person's first phone; email: to their address.
   * Activated with the code the org sends; lab time then moves on by
   * ENROLMENT_SETTLE_MS (Okta won't send another SMS within 30 s).
   */
  async enrolChannel(person: Person, channel: Channel): Promise<void> {
    const u = this.user(person);
    const userId = this.oktaUserId(person);
    if (channel === 'email') {
      enrolEmail(this.org, userId, this.network.emailInbox(u.email, u.login));
    } else {
      const phone = this.phone(person, 0);
      this.#connectPhone(phone);
      enrolPhoneNumber(this.org, userId, phone, channel);
    }
    await this.pass(ENROLMENT_SETTLE_MS);
    u.messagesAtEnrolment[channel] = this.#messages(person, channel).length;
  }

  /** Every message a channel brought the person (calls: answered or not). */
  #messages(person: Person, channel: Channel): Array<{ code: string; sentAt: number; answered?: boolean }> {
    const login = this.user(person).login;
    return channel === 'sms' ? this.network.smsFor(login) : channel === 'call' ? this.network.callsFor(login) : this.network.emailsFor(login);
  }

  /** The codes that reached the person on a channel since its enrolment, oldest first (a call counts only when answered). */
  signInCodes(person: Person, channel: Channel): string[] {
    const since = this.user(person).messagesAtEnrolment[channel] ?? 0;
    return this.#messages(person, channel)
      .slice(since)
      .filter((m) => m.answered !== false)
      .map((m) => m.code);
  }

  /** A new password for the person, in AD and in Okta. */
  async setPassword(person: Person, password: string): Promise<void> {
    const u = this.user(person);
    this.lab.directory.setPassword(u.samAccountName, password);
    if (u.oktaId) this.org.setPassword(u.oktaId, password);
    u.password = password;
  }

  /** The codes that reached the person on a channel since the last sign-in or exchange began (a call only when answered). */
  codesSentSinceExchangeStart(person: Person, channel: Channel): string[] {
    return this.#messages(person, channel)
      .filter((m) => m.sentAt >= this.exchangeStartedAt && m.answered !== false)
      .map((m) => m.code);
  }

  /** Everything that rang or arrived on a channel since the last exchange began, answered or not. */
  messagesSinceExchangeStart(person: Person, channel: Channel): number {
    return this.#messages(person, channel).filter((m) => m.sentAt >= this.exchangeStartedAt).length;
  }

  #connectPhone(phone: Phone): void {
    if (!this.network.phones().includes(phone)) this.network.addPhone(phone);
  }

  // ─── the parts ───────────────────────────────────────────────────────────

  /** Serves the lab's directory over LDAP (once). */
  async ensureDirectory(): Promise<DirectoryServer> {
    this.directory ??= await startDirectory({ directory: this.lab.directory, clock: this.clock, domain: this.lab.domain, baseDn: this.lab.baseDn });
    return this.directory;
  }

  /** Starts the agent (current target) and the AD Connector, and applies the RADIUS settings. */
  async ready(options: { applySettings?: boolean } = {}): Promise<void> {
    await this.ensureAgent();
    await this.ensureConnector();
    if (options.applySettings !== false && !this.radiusApplied) await this.applyAndSettle();
  }

  /**
   * EnableRadius (or UpdateRadius) with the scenario's settings, then waits for
   * the status probe to settle, recording what a status step needs to prove:
   * the status right after the call, the status at the end, and the probe's
   * datagrams the connector sent and the verified replies it got.
   */
  async applyAndSettle(): Promise<void> {
    const from = this.trace.length;
    this.applyRadiusSettings();
    await this.drive(this.connector!.whenStatusSettled(), { what: 'the RADIUS status probe' });
    const probe = this.trace.slice(from).filter((e) => e.observer === 'ad-connector');
    this.statusProbe = {
      after: this.statusAfterApply,
      settled: this.connector!.radiusStatus,
      sent: probe.filter((e) => e.direction === 'sent').length,
      answered: probe.filter((e) => e.direction === 'received').length,
    };
  }

  async ensureAgent(): Promise<AgentUnderTest> {
    if (this.agent) return this.agent;
    // A @no-agent scenario checks the simulators, not an agent: the embedded reference agent is scenery
    // (the connector needs a RADIUS server to enable MFA), and an After hook proves nothing reached it.
    this.target ??= this.scenarioTags.includes(NO_AGENT_TAG) ? await sceneryTarget() : await currentTarget();
    const virtual = this.target.profile.capabilities.has('clock-control');
    const spec: AgentSpec = {
      okta: { apiToken: this.apiToken, appId: this.appId },
      mode: this.agentMode,
      usernameSuffix: `@${DNS_DOMAIN}`,
      clients: this.agentClients.map((c) => ({ ...c })),
      timeouts: { ...this.agentTimeouts },
    };
    const observe = (r: OktaResponseRecord): void => {
      this.oktaCalls.push(r);
      this.#activity++;
    };
    if (virtual) {
      spec.okta.fetch = oktaFetch(this.org, { observe }) as typeof fetch;
      spec.clock = this.clock;
    } else if (this.target.profile.capabilities.has('okta-mock')) {
      this.oktaServer = await startOktaServer(this.org, { observe });
      spec.okta.baseUrl = this.oktaServer.url;
    }
    this.agent = await this.target.start(spec);
    // A target that decides the secret (external, freeradius): the connector uses it, unless a step
    // deliberately gave the connector another one (a wrong shared secret).
    if (this.agent.secret !== undefined && this.settings.SharedSecret === LAB_SECRET) this.settings.SharedSecret = this.agent.secret;
    if (this.agent.events) {
      const arrived = this.datagrams.server(this.agent.endpoint);
      this.agent.events.on('packet', (e) => {
        this.trace.push(e);
        arrived(e);
        this.#activity++;
      });
    }
    return this.agent;
  }

  async ensureConnector(): Promise<AdConnector> {
    if (this.connector) return this.connector;
    const dir = await this.ensureDirectory();
    const ldap = ldapPasswordChecker({ url: dir.url, domain: DOMAIN, timeoutMs: 5_000 });
    const tracked: PasswordChecker = {
      check: async (input) => {
        this.passwordChecksInFlight++;
        try {
          return await ldap.check(input);
        } finally {
          this.passwordChecksInFlight--;
          this.#activity++;
        }
      },
    };
    const events = new PacketEvents();
    events.on('packet', (e) => {
      this.trace.push(e);
      this.datagrams.client(e);
      this.#activity++;
    });
    this.connector = await AdConnector.create({
      clock: this.clock,
      passwordChecker: tracked,
      events,
      faults: this.faults,
      sourcePolicy: this.sourcePolicy,
      directoryId: 'd-9067a1b2c3',
    });
    return this.connector;
  }

  /** The RADIUS settings the connector gets: the agent's endpoint after any extra servers. */
  radiusSettings(): RadiusSettings {
    const agent = this.agent;
    if (!agent) throw new Error('The agent has not started yet.');
    return { ...this.settings, RadiusServers: [...this.serversBefore, agent.endpoint.host], RadiusPort: agent.endpoint.port };
  }

  applyRadiusSettings(): void {
    const connector = this.connector!;
    if (connector.radiusStatus === undefined) connector.enableRadius(this.radiusSettings());
    else connector.updateRadius(this.radiusSettings());
    this.radiusApplied = true;
    this.statusAfterApply = connector.radiusStatus;
  }

  /** EnableRadius on a fresh connector's validation only: records the error, if any. */
  validateSettings(settings: unknown): void {
    this.settingsError = undefined;
    try {
      validateRadiusSettings(settings);
    } catch (e) {
      this.settingsError = e;
    }
  }

  // ─── driving ─────────────────────────────────────────────────────────────

  /** Resolves `promise` by letting I/O happen and moving the lab clock (see simulators/lab/driver.ts). */
  drive<T>(promise: Promise<T>, bounds: DriveBounds = {}): Promise<T> {
    return drive(promise, {
      clock: this.clock,
      agentOnVirtualClock: () => this.agent?.onVirtualClock ?? true,
      // Only an agent on the lab clock can be outrun by time; one on real time is waited for in real time anyway.
      datagramsInFlight: () => (this.agent?.onVirtualClock ? this.datagrams.inFlight : 0),
      realIoInFlight: () => this.passwordChecksInFlight,
      busy: () => this.agent?.inFlight?.(),
      activity: () => this.#activity,
    }, bounds);
  }

  /** Lets lab time pass (devices answer, codes expire); the agent's own time too when it is on the lab clock. */
  async pass(ms: number): Promise<void> {
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

  /** Secret the agent expects from the AD Connector's addresses. */
  agentSecret(): string {
    return this.agent?.secret ?? LAB_SECRET;
  }

  /** An address the agent knows as a client: hand-made requests leave from it. */
  rawSourceAddress(): string {
    const known = this.agentClients[0];
    if (!known) throw new Error('The agent knows no client address, so no hand-made request could reach it.');
    return known.address;
  }

  /**
   * Sends requests from a client address the agent knows straight to the
   * agent and waits (lab time) for `expectReplies` replies or `waitMs`. Every
   * reply is checked — identifier, Response Authenticator, and
   * Message-Authenticator when present — with the target's secret by the
   * connector's codec (the npm `radius` package, wrapped), never by the agent's.
   * `oneAtATime`: each datagram after the first is sent only once the previous
   * one was answered (or `waitMs` passed), as a client retransmits: a copy that
   * arrives while the agent still works on the first is rightly dropped (RFC 5080).
   */
  async rawExchange(requests: RawRequest[], expectReplies: number, waitMs = 5_000, options: { oneAtATime?: boolean } = {}): Promise<RawExchange> {
    await this.ready();
    this.rawClient ??= await RawRadiusClient.bind(this.rawSourceAddress(), this.clock, (e) => {
      this.trace.push(e);
      this.datagrams.client(e);
      this.#activity++;
    });
    const client = this.rawClient;
    client.replies.length = 0;
    await this.markExchangeStart();
    const to = { address: this.agent!.endpoint.host, port: this.agent!.endpoint.port };
    const replies = await this.drive(
      (async () => {
        if (options.oneAtATime) {
          for (const [i, r] of requests.entries()) {
            await client.send(r.bytes, to);
            await client.waitForReplies(Math.min(i + 1, expectReplies), waitMs);
          }
          return [...client.replies];
        }
        for (const r of requests) await client.send(r.bytes, to);
        return client.waitForReplies(expectReplies, waitMs);
      })(),
      { what: 'the RADIUS exchange' },
    );
    const secret = this.agentSecret();
    const verified = replies.map((reply) => {
      const request = requests.find((r) => r.identifier === reply[1]) ?? requests[0];
      return request ? verifyReply(request, reply, secret) : ({ ok: false, reason: 'identifier-mismatch', detail: 'no request was sent' } as const);
    });
    this.lastRaw = { requests, replies, verified };
    return this.lastRaw;
  }

  /**
   * Proof of life after a silence: the agent must answer a known-good request
   * (a Status-Server where the target answers those, else an Access-Request
   * for a user nobody has) with a verified reply. Silence alone proves nothing:
   * a crashed or wedged agent is silent too.
   */
  async proveAgentAlive(): Promise<void> {
    // The probe is not part of the exchange under test: what steps count since its start stays as it was.
    const saved = { lastRaw: this.lastRaw, start: this.exchangeStart, at: this.exchangeStartedAt, drops: this.dropsAtExchangeStart };
    const identifier = nextIdentifier();
    const secret = this.agentSecret();
    const request: RawRequest = this.target?.profile.capabilities.has('status-server')
      ? encodeStatusServer({ identifier, secret })
      : encodeAccessRequest({ identifier, secret, userName: 'rmh-proof-of-life', password: '000000', protocol: 'PAP', messageAuthenticator: true });
    const { verified } = await this.rawExchange([request], 1, 10_000);
    this.lastRaw = saved.lastRaw;
    this.exchangeStart = saved.start;
    this.exchangeStartedAt = saved.at;
    this.dropsAtExchangeStart = saved.drops;
    const answer = verified[0];
    assert.ok(answer, 'the agent did not answer a known-good request afterwards either: it looks dead or wedged, so its silence proves nothing');
    assert.ok(answer.ok, `the agent's answer to a known-good request failed verification (${answer.ok ? '' : `${answer.reason}: ${answer.detail}`}), so its silence proves nothing`);
  }

  async markExchangeStart(): Promise<void> {
    this.exchangeStart = this.trace.length;
    this.exchangeStartedAt = this.clock.now();
    if (!this.agent?.events && this.agent?.metrics) this.dropsAtExchangeStart = dropCounts(await this.agent.metrics());
  }

  // ─── sign-in ─────────────────────────────────────────────────────────────

  async signIn(person: Person, mfaCode: string, options: { password?: string; username?: string } = {}): Promise<SignInRecord> {
    await this.ready();
    const u = this.user(person);
    await this.markExchangeStart();
    const startedAt = this.clock.now();
    const result = await this.drive(
      this.connector!.signIn({ username: options.username ?? u.samAccountName, password: options.password ?? u.password, mfaCode }),
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
    const results = await this.drive(
      Promise.all(attempts.map((a) => this.connector!.signIn({ username: this.user(a.person).samAccountName, password: this.user(a.person).password, mfaCode: a.mfaCode }))),
      { what: attempts.map((a) => `${a.person}'s`).join(' and ') + ' sign-ins' },
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
    if (this.rawClient) return 'a hand-made RADIUS request was sent';
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
  verifyCalls(): OktaResponseRecord[] {
    return this.oktaCalls.filter((r) => r.method === 'POST' && /\/verify$/.test(r.path));
  }

  /**
   * Drops by the agent since the last sign-in or hand-made exchange began: from
   * its packet events when observable, else from its metrics (Prometheus text).
   */
  async agentDrops(reason: string): Promise<number> {
    if (!this.agent?.events && this.agent?.metrics) {
      const now = dropCounts(await this.agent.metrics());
      return (now.get(reason) ?? 0) - (this.dropsAtExchangeStart.get(reason) ?? 0);
    }
    return this.trace.slice(this.exchangeStart).filter((e) => e.observer === 'agent' && e.direction === 'dropped' && e.reason === reason).length;
  }

  async teardown(): Promise<void> {
    const errors: unknown[] = [];
    const attempt = async (fn: (() => Promise<void>) | undefined): Promise<void> => {
      try {
        await fn?.();
      } catch (e) {
        errors.push(e);
      }
    };
    this.rawClient?.close();
    await attempt(this.connector ? () => this.connector!.close() : undefined);
    await attempt(this.agent ? () => this.agent!.stop() : undefined);
    await attempt(this.oktaServer ? () => this.oktaServer!.close() : undefined);
    await attempt(this.directory ? () => this.directory!.close() : undefined);
    if (errors.length > 0) throw errors[0];
  }
}

/** Scenarios that never touch the agent (settings validation, directory-only refusals) carry this tag: they run once per run. */
export const NO_AGENT_TAG = '@no-agent';

/** A hand-made request: its bytes, and what a reply to it must match. */
export type RawRequest = EncodedRequest;

export interface RawExchange {
  requests: RawRequest[];
  replies: Buffer[];
  /** Each reply checked against the request it answers, with the target's secret (independent of agent/). */
  verified: VerifyResult[];
}

let identifierCounter = 17;
/** Identifiers for hand-made requests: distinct within a run, so replies are matched to requests. */
export function nextIdentifier(): number {
  identifierCounter = (identifierCounter + 1) % 256;
  return identifierCounter;
}

/** `radius_mfa_dropped_packets_total{reason="…"} n` lines of the agent's metrics, by reason. */
function dropCounts(metricsText: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of metricsText.matchAll(/^radius_mfa_dropped_packets_total\{[^}]*reason="([^"]*)"[^}]*\}\s+(\S+)$/gm)) {
    counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + Number(m[2]));
  }
  return counts;
}

function phoneNumber(personIndex: number, phoneIndex: number): string {
  return `+1555${String(personIndex).padStart(3, '0')}${String(phoneIndex).padStart(4, '0')}`;
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

setWorldConstructor(LabWorld);
