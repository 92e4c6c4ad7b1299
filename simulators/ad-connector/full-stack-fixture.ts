/**
 * The whole sign-in path for the full-stack tests, in one process, on one
 * virtual clock: a real LDAP directory (password step) → the AD Connector
 * (two client addresses, 127.0.0.2 and 127.0.0.3, sharing one secret) → real
 * UDP on loopback → the reference agent (embedded, createAgent) → the mock
 * Okta org through oktaFetch → the users' phones (a FactorDelivery that
 * answers pushes and keeps SMS / voice / email codes).
 *
 * `stack.drive(promise)` resolves a promise by letting real I/O happen and
 * moving the virtual clock to the next due timer only when the world is
 * waiting on time (the lab's driver, simulators/lab/driver.ts). Nothing here
 * sleeps on the wall clock for time the virtual clock could skip.
 */
import { createAgent, type RadiusMfaAgent } from '../../agent/src/agent.ts';
import type { AgentConfigInput } from '../../agent/src/config.ts';
import { type Endpoint, type PacketEvent, PacketEvents } from '../../agent/src/packet-events.ts';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { type DirectoryServer, startDirectory } from '../directory/ldap-server.ts';
import { DatagramLedger, type DriveBounds, drive as driveLab } from '../lab/driver.ts';
import type { FactorDelivery, OneTimeCodeMessage, PushAnswer, PushNotification } from '../okta/delivery.ts';
import { OktaOrg } from '../okta/org.ts';
import { oktaFetch } from '../okta/serve.ts';
import { totpAt } from '../okta/totp.ts';
import { AdConnector, type SignInInput, type SignInResult, type StatusReport } from './connector.ts';
import { NetworkFaults } from './faults.ts';
import { ldapPasswordChecker, type PasswordChecker } from './password-checker.ts';
import type { RadiusSettings } from './settings.ts';

export const SHARED_SECRET = 'full-stack shared secret 2026';
export const DOMAIN = 'CORP';
export const UPN_SUFFIX = '@corp.example.com';
export const DUO_PASSCODE = '731904';
export const SOURCE_ADDRESSES = ['127.0.0.2', '127.0.0.3'] as const;

/** The people: a directory account each (password) and an Okta user with the factor the name says. */
export const PEOPLE = {
  alice: { password: 'Alice-Pa55', factor: 'Okta Verify (push + TOTP)' },
  gina: { password: 'Gina-Pa55', factor: 'Google Authenticator' },
  sam: { password: 'Sam-Pa55', factor: 'SMS' },
  vic: { password: 'Vic-Pa55', factor: 'voice call' },
  emma: { password: 'Emma-Pa55', factor: 'email' },
  dan: { password: 'Dan-Pa55', factor: 'Duo' },
} as const;
export type Person = keyof typeof PEOPLE;

/**
 * The users' phones and mailboxes. Pushes are answered when they arrive
 * (`pushAnswer`), or held until the test answers them ('hold': the user is
 * looking at the phone; the driver doesn't move time meanwhile).
 */
export class Phones implements FactorDelivery {
  readonly pushes: PushNotification[] = [];
  readonly codes: OneTimeCodeMessage[] = [];
  pushAnswer: PushAnswer | 'hold' = 'APPROVE';
  /** Lab time the user takes to answer (0: at once). */
  pushDelayMs = 0;
  readonly #held: PushNotification[] = [];
  readonly #org: () => OktaOrg;
  readonly #clock: VirtualClock;
  #answering = 0;

  constructor(org: () => OktaOrg, clock: VirtualClock) {
    this.#org = org;
    this.#clock = clock;
  }

  push(notification: PushNotification): void {
    this.pushes.push(notification);
    const answer = this.pushAnswer;
    if (answer === 'hold') {
      this.#held.push(notification);
      return;
    }
    if (this.pushDelayMs > 0) {
      this.#clock.setTimeout(() => this.#org().answerPush(notification.transactionId, answer), this.pushDelayMs);
      return;
    }
    // The user taps the notification a moment after it arrives (not inside Okta's own call).
    this.#answering++;
    setImmediate(() => {
      this.#answering--;
      this.#org().answerPush(notification.transactionId, answer);
    });
  }

  oneTimeCode(message: OneTimeCodeMessage): void {
    this.codes.push(message);
  }

  /** Pushes being answered on the next turn of the event loop (real work that ends by itself). */
  get answering(): number {
    return this.#answering;
  }

  get held(): readonly PushNotification[] {
    return this.#held;
  }

  /** Answer the oldest held push. */
  answerHeld(answer: PushAnswer): void {
    const n = this.#held.shift();
    if (!n) throw new Error('no push is waiting on a phone');
    this.#org().answerPush(n.transactionId, answer);
  }

  /** The last code sent to `login` by `channel`. */
  lastCode(login: string, channel: OneTimeCodeMessage['channel']): OneTimeCodeMessage | undefined {
    return this.codes.filter((c) => c.login === login && c.channel === channel).at(-1);
  }
}

export interface OktaCall {
  method: string;
  path: string;
  status?: number;
}

export interface FullStackOptions {
  /** RADIUS settings the connector is enabled with (default: the agent, 10 s timeout, 2 retries, PAP). */
  radius?: Partial<RadiusSettings>;
  /** Servers by role instead of address: 'agent' = the first agent, 'agent2' = the second, anything else verbatim. */
  servers?: string[];
  /** Start a second agent (same org, same port) on this address, for failover. */
  secondAgentHost?: string;
}

export interface AgentUnderTest {
  agent: RadiusMfaAgent;
  endpoint: Endpoint;
  /** The agent's datagrams (received, sent, dropped) since the status probe settled. */
  events: PacketEvent[];
}

export interface FullStack {
  clock: VirtualClock;
  org: OktaOrg;
  phones: Phones;
  directory: DirectoryServer;
  agents: AgentUnderTest[];
  connector: AdConnector;
  faults: NetworkFaults;
  /** Every datagram the connector saw (sent, received, dropped), in order, since the status probe settled. */
  connectorEvents: PacketEvent[];
  /** Every call the agents made to Okta since the status probe settled. */
  oktaCalls: OktaCall[];
  /** Okta Verify / Google Authenticator secrets by person (what their authenticator app holds). */
  totpSecret: Partial<Record<Person, string>>;
  status: StatusReport | undefined;
  login(person: Person): string;
  /** The person's current TOTP code on the lab clock. */
  totp(person: Person): string;
  /** The agent's address as RadiusServers lists it. */
  serverOf(role: 'agent' | 'agent2'): string;
  /** Resolve `promise` on the lab clock (simulators/lab/driver.ts); held pushes keep time still. */
  drive<T>(promise: Promise<T>, bounds?: DriveBounds): Promise<T>;
  /** connector.signIn, driven. */
  signIn(input: SignInInput): Promise<SignInResult>;
  /** Okta factor verify calls (POST …/factors/{id}/verify) made so far. */
  verifyCalls(): OktaCall[];
  close(): Promise<void>;
}

export async function startFullStack(options: FullStackOptions = {}): Promise<FullStack> {
  const clock = new VirtualClock();
  let org: OktaOrg | undefined;
  const phones = new Phones(() => org!, clock);
  org = new OktaOrg({ clock, delivery: phones, seed: 42, orgUrl: 'https://corp.okta.example' });
  const activity = { count: 0 };
  org.events.subscribe(() => activity.count++);

  // ── Okta: users, their factors, the app ─────────────────────────────────
  const token = org.createApiToken();
  const app = org.createApp({ label: 'Amazon WorkSpaces' });
  const totpSecret: Partial<Record<Person, string>> = {};
  const user = (person: Person, extra: { mobilePhone?: string } = {}) => {
    const u = org.createUser({ profile: { login: `${person}${UPN_SUFFIX}`, email: `${person}@mail.example.com`, ...extra }, password: 'okta-only' });
    org.assignUserToApp(app.id, u.id);
    return u;
  };
  const alice = user('alice');
  totpSecret.alice = org.enrollFactor(alice.id, { factorType: 'push', deviceId: 'alice-iphone', activate: true }).activation?.sharedSecret ?? '';
  const gina = user('gina');
  totpSecret.gina = org.enrollFactor(gina.id, { factorType: 'token:software:totp', provider: 'GOOGLE', activate: true }).activation?.sharedSecret ?? '';
  org.enrollFactor(user('sam', { mobilePhone: '+15551230101' }).id, { factorType: 'sms', activate: true });
  org.enrollFactor(user('vic', { mobilePhone: '+15551230102' }).id, { factorType: 'call', activate: true });
  org.enrollFactor(user('emma').id, { factorType: 'email', activate: true });
  org.enrollFactor(user('dan').id, { factorType: 'web', provider: 'DUO', duoPasscodeChecker: (code) => code === DUO_PASSCODE });

  // ── the agent's way to Okta, observed ───────────────────────────────────
  const oktaCalls: OktaCall[] = [];
  let fetchesInFlight = 0;
  const inner = oktaFetch(org);
  const fetch = async (input: string, init: RequestInit): Promise<Response> => {
    const call: OktaCall = { method: (init.method ?? 'GET').toUpperCase(), path: new URL(input).pathname };
    oktaCalls.push(call);
    fetchesInFlight++;
    activity.count++;
    try {
      const res = await inner(input, init);
      call.status = res.status;
      return res;
    } finally {
      fetchesInFlight--;
      activity.count++;
    }
  };

  // ── the directory, and the connector's password check, observed ─────────
  const directory = await startDirectory({
    clock,
    domain: DOMAIN,
    entries: Object.entries(PEOPLE).map(([name, p]) => ({
      dn: `CN=${name},CN=Users,DC=corp,DC=example,DC=com`,
      sAMAccountName: name,
      userPrincipalName: `${name}${UPN_SUFFIX}`,
      userAccountControl: 512,
      password: p.password,
    })),
  });
  const ldap = ldapPasswordChecker({ url: directory.url, domain: DOMAIN, clock });
  let checksInFlight = 0;
  const passwordChecker: PasswordChecker = {
    async check(input) {
      checksInFlight++;
      activity.count++;
      try {
        return await ldap.check(input);
      } finally {
        checksInFlight--;
        activity.count++;
      }
    },
  };

  // ── the agents ───────────────────────────────────────────────────────────
  const agents: AgentUnderTest[] = [];
  const startAgent = async (host: string, port: number): Promise<AgentUnderTest> => {
    const config: AgentConfigInput = {
      okta: { orgUrl: org.orgUrl, apiToken: token },
      apps: [
        {
          name: 'workspaces',
          appId: app.id,
          listen: { host, port },
          usernameFormat: { suffix: UPN_SUFFIX, stripDomain: true },
          clients: SOURCE_ADDRESSES.map((address, i) => ({ name: `ad-connector-${i + 1}`, address, secret: SHARED_SECRET })),
        },
      ],
      logging: { level: 'silent' },
    };
    const events = new PacketEvents();
    const agent = createAgent({ config, clock, fetch, events });
    const [bound] = await agent.start();
    if (!bound) throw new Error('the agent started without a RADIUS listener');
    const seen: PacketEvent[] = [];
    events.on('packet', (e) => seen.push(e));
    return { agent, endpoint: bound.endpoint, events: seen };
  };
  const cleanups: Array<() => Promise<void>> = [() => directory.close()];
  let connector: AdConnector | undefined;
  try {
    agents.push(await startAgent('127.0.0.1', 0));
    cleanups.unshift(() => agents[0]!.agent.stop());
    if (options.secondAgentHost) {
      agents.push(await startAgent(options.secondAgentHost, agents[0]!.endpoint.port));
      cleanups.unshift(() => agents[1]!.agent.stop());
    }

    // ── the connector ──────────────────────────────────────────────────────
    const faults = new NetworkFaults(clock);
    const connectorPackets = new PacketEvents();
    const connectorEvents: PacketEvent[] = [];
    connectorPackets.on('packet', (e) => connectorEvents.push(e));
    connector = await AdConnector.create({
      clock,
      faults,
      passwordChecker,
      events: connectorPackets,
      sourceAddresses: [...SOURCE_ADDRESSES],
      directoryId: 'd-9067a1b2c3',
    });
    const c = connector;
    cleanups.unshift(() => c.close());

    // ── what the driver watches: datagrams, real I/O, held pushes, busy requests ──
    const datagrams = new DatagramLedger();
    connectorPackets.on('packet', (e) => {
      activity.count++;
      datagrams.client(e);
    });
    for (const a of agents) {
      const arrived = datagrams.server(a.endpoint);
      a.agent.events.on('packet', (e) => {
        activity.count++;
        arrived(e);
      });
    }
    const drive = <T>(promise: Promise<T>, bounds: DriveBounds = {}): Promise<T> =>
      driveLab(
        promise,
        {
          clock,
          datagramsInFlight: () => datagrams.inFlight,
          realIoInFlight: () => checksInFlight + fetchesInFlight + phones.answering,
          held: () => phones.held.length,
          busy: () => agents.reduce((n, a) => n + a.agent.inFlight, 0) + c.pendingRequests,
          activity: () => activity.count + phones.pushes.length + phones.codes.length,
        },
        bounds,
      );

    const serverOf = (role: 'agent' | 'agent2'): string => {
      const a = agents[role === 'agent' ? 0 : 1];
      if (!a) throw new Error(`no ${role} in this stack`);
      return a.endpoint.address;
    };
    const servers = (options.servers ?? ['agent']).map((s) => (s === 'agent' || s === 'agent2' ? serverOf(s) : s));
    connector.enableRadius({
      RadiusServers: servers,
      RadiusPort: agents[0]!.endpoint.port,
      RadiusTimeout: 10,
      RadiusRetries: 2,
      SharedSecret: SHARED_SECRET,
      AuthenticationProtocol: 'PAP',
      ...options.radius,
    });
    const status = await drive(connector.whenStatusSettled(), { what: 'the RADIUS status probe' });
    // From here on the logs hold what the tests do, not the status probe.
    connectorEvents.length = 0;
    oktaCalls.length = 0;
    for (const a of agents) a.events.length = 0;

    return {
      clock,
      org,
      phones,
      directory,
      agents,
      connector,
      faults,
      connectorEvents,
      oktaCalls,
      totpSecret,
      status,
      login: (person) => `${person}${UPN_SUFFIX}`,
      totp: (person) => {
        const secret = totpSecret[person];
        if (!secret) throw new Error(`${person} has no TOTP authenticator`);
        return totpAt(secret, clock.now());
      },
      serverOf,
      drive,
      signIn: (input) => drive(c.signIn(input), { what: `${input.username}'s sign-in` }),
      verifyCalls: () => oktaCalls.filter((call) => call.method === 'POST' && /\/factors\/[^/]+\/verify$/.test(call.path)),
      close: async () => {
        for (const cleanup of cleanups) await cleanup().catch(() => {});
      },
    };
  } catch (e) {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
    throw e;
  }
}
