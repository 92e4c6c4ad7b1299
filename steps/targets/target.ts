/**
 * A target is the agent under test. A scenario never changes for a target: the
 * target declares what it can do (capabilities) and how to reach it. Scenarios
 * state their needs with `@needs:<capability>` tags; a scenario whose needs a
 * target lacks is reported "not applicable, because …".
 */
export const CAPABILITIES = [
  // The agent's Okta is the lab's mock org itself: besides what okta-admin offers, what no
  // Management API does — push answers, SMS / voice / email inboxes, Okta faults and rate
  // limits, the org's clock and settings, locking a user by failures, Duo enrolment, and
  // counting the agent's Okta calls.
  'okta-mock',
  // The agent's Okta is an org the suite sets up through Okta's Management API (OktaAdmin,
  // simulators/okta/admin-api.ts): users and their states, app assignment, TOTP factors — the
  // lab's mock, or a real test org (`run --okta-org`).
  'okta-admin',
  'lab-codes', // the agent accepts the codes the lab's devices show now (through the mock Okta, or by asking the lab: AgentSpec.labPassword)
  'push-control', // the suite can approve / deny / ignore pushes
  'clock-control', // the agent runs on the lab's virtual clock (push timeouts etc. can be moved)
  'primary-auth', // password-first mode with Access-Challenge
  'message-authenticator', // verifies and sends Message-Authenticator (BlastRADIUS)
  'proxy-state', // copies Proxy-State in order
  'duplicate-cache', // RFC 5080 duplicate detection
  'status-server', // answers Status-Server (RFC 5997)
  'chap-reject-reason', // rejects CHAP / MS-CHAP with a Reply-Message
  'metrics', // exposes the reference agent's metrics (drop counters)
  'reference-rules', // behaviours the reference agent defines where Okta's docs are silent
  // Okta's agent accepts any source unless ragent.network.accept.allow_list is set (Okta_Radius_App-gen-addr-filtering.htm):
  'client-allow-list', // drops requests from source addresses it was not told about
  'requires-message-authenticator', // drops Access-Requests without a valid Message-Authenticator (BlastRADIUS hardening)
  'agent-settings', // the suite can set the reference agent's own settings for one scenario (AgentSpec.configure; embedded only)
  'two-client-addresses', // the AD Connector reaches the agent from two addresses, as AWS's does (an external target: when the machine has two)
] as const;

export type Capability = (typeof CAPABILITIES)[number];

/** What the reference agent offers when it runs on real time (process, container): all but the lab clock. */
export const REAL_TIME_AGENT_CAPABILITIES: readonly Capability[] = CAPABILITIES.filter((c) => c !== 'clock-control' && c !== 'agent-settings');

export interface TargetProfile {
  /** e.g. 'embedded', 'process', 'container', 'freeradius', 'external:my-agent'. */
  name: string;
  description: string;
  capabilities: ReadonlySet<Capability>;
}

/** Where a started agent listens and with which secret(s). */
export interface AgentEndpoint {
  host: string;
  port: number;
}

/** Why a target could not be used at all (e.g. no container runtime). */
export class TargetUnavailable extends Error {
  readonly code = 'TARGET_UNAVAILABLE';
  // Plain fields, not parameter properties: Node's type stripping can't run those.
  readonly reason: string;
  /** The specific cause, stable for scripts (e.g. EXTERNAL_WRONG_SECRET); TARGET_UNAVAILABLE when unspecified. */
  readonly causeCode: string;
  /** What to do about it, when the target knows (already part of `reason`). */
  readonly hint: string | undefined;
  constructor(reason: string, options: { causeCode?: string; hint?: string } = {}) {
    const full = options.hint ? `${reason} — ${options.hint}` : reason;
    super(options.causeCode ? `${options.causeCode}: ${full}` : full);
    this.reason = this.message;
    this.causeCode = options.causeCode ?? 'TARGET_UNAVAILABLE';
    this.hint = options.hint;
    this.name = 'TargetUnavailable';
  }
}

/**
 * What a scenario wants of the agent. Targets that start an agent (embedded,
 * process, container) turn it into the agent's configuration; targets that
 * reach an agent someone else runs (external, freeradius) ignore what they can't
 * honour and declare it in their capabilities instead.
 */
export interface AgentSpec {
  okta: {
    /** Real HTTP base URL of the lab's mock Okta (process / container targets). */
    baseUrl?: string;
    /** In-process route to the mock (embedded target): no sockets, parallel-safe. */
    fetch?: typeof fetch;
    apiToken: string;
    appId: string;
  };
  mode: 'mfa-only' | 'password-passcode' | 'primary-auth';
  /** Appended to a bare RADIUS User-Name to form the Okta login, e.g. '@corp.example.com'. */
  usernameSuffix?: string;
  clients: Array<{ name: string; address: string; secret: string; requireMessageAuthenticator: boolean }>;
  /** Requests the reference agent decides at once (its `requestThreads`); targets that start no reference agent ignore it. */
  requestThreads?: number;
  /** The reference agent's Okta call budget for all its calls (`okta.callsPerSecond`, default 20/s); targets that start no reference agent ignore it. */
  oktaCallsPerSecond?: number;
  timeouts?: { totalRequestMs?: number; pushMs?: number; responseModeOnTimeout?: 'reject-when-polling-mfa' | 'always-reject' | 'no-response' };
  /**
   * A scenario's own settings for the reference agent (factorMenu, oktaApp, Okta's secret model, …):
   * edits the validated configuration before the agent starts. Only targets with 'agent-settings' apply it.
   */
  configure?: (config: import('../../agent/src/config.ts').AgentConfig) => void;
  /**
   * The password that signs this RADIUS User-Name in right now, as the lab sees it
   * (e.g. the current code of the person's authenticator app, on the lab's clock);
   * undefined for a name the lab doesn't know. For agents that cannot ask the mock
   * Okta (FreeRADIUS): they ask this, at request time, and compare themselves.
   */
  labPassword?: (userName: string) => string | undefined;
  /** The lab's virtual clock; only the embedded target can run the agent on it. */
  clock?: import('../../agent/src/clock.ts').Clock;
}

/** A running agent as the scenario sees it. */
export interface AgentUnderTest {
  endpoint: AgentEndpoint;
  /** Secret the connector must use, when the target decides it (external, freeradius). */
  secret?: string;
  /** True when the agent runs on the lab's virtual clock (timeouts can be moved). */
  onVirtualClock: boolean;
  /** The agent's own packet events, when observable (embedded). */
  events?: import('../../agent/src/packet-events.ts').PacketEvents;
  /** Requests the agent is still working on, when observable: lets the driver know the world is idle. */
  inFlight?: () => number;
  /** Prometheus text of the agent's metrics, when it has them. */
  metrics?: () => Promise<string>;
  /** The agent's last log lines, when the harness started it as a process or container: a failed scenario's report keeps them (agent.log). */
  log?: () => Promise<string>;
  /**
   * Where the AD Connector and hand-made requests must send from, when the
   * target decides it (external: the profile's addresses, or the route's
   * choice); otherwise the agent's client list (AgentSpec.clients) is used.
   */
  sourceAddresses?: string[];
  /**
   * The target serves the scenario's org itself (external with the run's
   * stable okta-mock endpoint): the World hands the org over, and calls the
   * returned release when the scenario ends.
   */
  useOkta?: (org: import('../../simulators/okta/org.ts').OktaOrg, options: { observe?: (r: import('../../simulators/okta/handlers.ts').OktaResponseRecord) => void }) => () => void;
  stop(): Promise<void>;
}

export interface TargetDriver {
  readonly profile: TargetProfile;
  /** The target serves the scenario's mock Okta itself (AgentUnderTest.useOkta): the World starts no Okta server for it. */
  readonly servesOkta?: boolean;
  /** Start (or reach) an agent configured as `spec`. Throws TargetUnavailable when it can't. */
  start(spec: AgentSpec): Promise<AgentUnderTest>;
  /** Release what the target holds for the whole run (images, servers). */
  close(): Promise<void>;
}
