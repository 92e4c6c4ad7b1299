/**
 * The embedded target (default): the reference agent in the test process, on
 * the lab's virtual clock, talking to the mock Okta org through an in-process
 * fetch (no sockets for Okta, so parallel workers never collide), listening for
 * RADIUS on 127.0.0.1 with an ephemeral port. It offers every capability.
 */
import type { FetchLike } from '../../agent/src/index.ts';
import { createAgent } from '../../agent/src/index.ts';
import { PacketEvents } from '../../agent/src/packet-events.ts';
import { type AgentSpec, type AgentUnderTest, CAPABILITIES, type TargetDriver, type TargetProfile } from './target.ts';

export const embeddedProfile: TargetProfile = {
  name: 'embedded',
  description: 'The reference agent in the test process, on the lab clock, with the mock Okta org in-process.',
  capabilities: new Set(CAPABILITIES),
};

const MODE = { 'mfa-only': 'mfa-only', 'password-passcode': 'password-passcode', 'primary-auth': 'password-first' } as const;

export async function createTarget(): Promise<TargetDriver> {
  return {
    profile: embeddedProfile,
    async start(spec: AgentSpec): Promise<AgentUnderTest> {
      const events = new PacketEvents();
      const agent = createAgent({
        config: {
          okta: {
            orgUrl: spec.okta.baseUrl ?? 'https://mock.okta.example',
            apiToken: spec.okta.apiToken,
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
          logging: { level: 'silent' },
        },
        ...(spec.clock ? { clock: spec.clock } : {}),
        ...(spec.okta.fetch ? { fetch: spec.okta.fetch as FetchLike } : {}),
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
        stop: () => agent.stop(),
      };
    },
    async close(): Promise<void> {},
  };
}
