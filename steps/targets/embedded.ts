/**
 * The embedded target (default): the reference agent in the test process, on
 * the lab's virtual clock, talking to the mock Okta org through an in-process
 * fetch (no sockets for Okta, so parallel workers never collide), listening for
 * RADIUS on 127.0.0.1 with an ephemeral port. It offers every capability.
 *
 * `startEmbeddedAgent` takes optional hooks the zoo (steps/targets/zoo/) uses to
 * give the same real agent one defect from outside: its configuration, its
 * Okta client (wrapped, never reimplemented) or the fetch under it.
 */
import type { FetchLike } from '../../agent/src/index.ts';
import { type AgentConfig, createAgent, OktaClient, validateConfig } from '../../agent/src/index.ts';
import type { OktaApi } from '../../agent/src/okta/types.ts';
import { PacketEvents } from '../../agent/src/packet-events.ts';
import { type AgentSpec, type AgentUnderTest, CAPABILITIES, type TargetDriver, type TargetProfile } from './target.ts';

export const embeddedProfile: TargetProfile = {
  name: 'embedded',
  description: 'The reference agent in the test process, on the lab clock, with the mock Okta org in-process.',
  capabilities: new Set(CAPABILITIES),
};

const MODE = { 'mfa-only': 'mfa-only', 'password-passcode': 'password-passcode', 'primary-auth': 'password-first' } as const;

/** Ways to bend the real agent from outside (the zoo's defects); all optional. */
export interface EmbeddedHooks {
  /** Edits the validated configuration before the agent is built. */
  config?(config: AgentConfig): void;
  /** Wraps the fetch the agent's Okta client uses. */
  fetch?(inner: FetchLike): FetchLike;
  /** Wraps the agent's real Okta client. */
  okta?(real: OktaApi): OktaApi;
}

/** The reference agent's configuration for a scenario's AgentSpec (defaults filled, validated). */
export function embeddedConfig(spec: AgentSpec): AgentConfig {
  return validateConfig({
    okta: {
      orgUrl: spec.okta.baseUrl ?? 'https://mock.okta.example',
      apiToken: spec.okta.apiToken,
      ...(spec.oktaCallsPerSecond !== undefined ? { callsPerSecond: spec.oktaCallsPerSecond } : {}),
    },
    apps: [
      {
        name: 'workspaces',
        appId: spec.okta.appId,
        listen: { host: '127.0.0.1', port: 0 },
        mode: MODE[spec.mode],
        usernameFormat: spec.usernameSuffix ? { suffix: spec.usernameSuffix, stripDomain: true } : { stripDomain: true },
        clients: spec.clients.map((c) => ({ ...c })),
        ...(spec.timeouts ? { timeouts: { ...spec.timeouts } } : {}),
      },
    ],
    ...(spec.requestThreads !== undefined ? { requestThreads: spec.requestThreads } : {}),
    logging: { level: 'silent' },
  });
}

export async function startEmbeddedAgent(spec: AgentSpec, hooks: EmbeddedHooks = {}): Promise<AgentUnderTest> {
  const events = new PacketEvents();
  const config = embeddedConfig(spec);
  spec.configure?.(config); // the scenario's own agent settings ('agent-settings'), before any zoo defect
  hooks.config?.(config);
  const baseFetch = spec.okta.fetch as FetchLike | undefined;
  const fetch = baseFetch && hooks.fetch ? hooks.fetch(baseFetch) : baseFetch;
  let okta: OktaApi | undefined;
  let real: OktaClient | undefined;
  if (hooks.okta) {
    // The agent's own client, built from the same configuration createAgent would use.
    real = new OktaClient({
      orgUrl: config.okta.orgUrl,
      apiToken: config.okta.apiToken,
      ...(spec.clock ? { clock: spec.clock } : {}),
      ...(fetch ? { fetch } : {}),
      requestTimeoutMs: config.okta.requestTimeoutMs,
      maxRetries: config.okta.maxRetries,
      retryBackoffMs: config.okta.retryBackoffMs,
      maxRateLimitWaitMs: config.okta.maxRateLimitWaitMs,
      pushPollIntervalMs: config.okta.pushPollIntervalMs,
      maxConnections: config.okta.maxConnections,
    });
    okta = hooks.okta(real);
  }
  const agent = createAgent({
    config,
    ...(spec.clock ? { clock: spec.clock } : {}),
    ...(okta ? { okta } : fetch ? { fetch } : {}),
    events,
  });
  const [first] = await agent.start();
  if (!first) throw new Error('The embedded agent started without a RADIUS listener.');
  return {
    endpoint: { host: first.endpoint.address, port: first.endpoint.port },
    onVirtualClock: spec.clock !== undefined,
    events,
    inFlight: () => agent.inFlight,
    metrics: () => agent.metrics.text(),
    stop: async () => {
      await agent.stop();
      await real?.close();
    },
  };
}

export async function createTarget(): Promise<TargetDriver> {
  return {
    profile: embeddedProfile,
    start: (spec) => startEmbeddedAgent(spec),
    async close(): Promise<void> {},
  };
}
