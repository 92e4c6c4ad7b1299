/**
 * The zoo target: `zoo:<variant>` is the embedded reference agent (on the lab
 * clock, mock Okta in-process) with one injected defect (zoo/variants.ts);
 * `zoo` names all variants at once (the runner expands it: expandTargetNames in
 * index.ts). The profile is embedded's, so every scenario applies and nothing
 * can hide a defect as "not applicable".
 */
import { systemClock } from '../../agent/src/clock.ts';
import { PacketEvents } from '../../agent/src/packet-events.ts';
import { ClientTable } from '../../agent/src/transport/client-table.ts';
import { startEmbeddedAgent } from './embedded.ts';
import type { AgentSpec, AgentUnderTest, TargetDriver, TargetProfile } from './target.ts';
import { CAPABILITIES } from './target.ts';
import { RadiusFront } from './zoo/front.ts';
import { type ZooVariant, zooVariant } from './zoo/variants.ts';
import { ZOO_TARGET_NAMES } from './index.ts';

export const ZOO_PREFIX = 'zoo:';


export function zooProfile(variant: ZooVariant): TargetProfile {
  return {
    name: `${ZOO_PREFIX}${variant.name}`,
    description: `Zoo: the reference agent with one defect — ${variant.description}`,
    capabilities: new Set(CAPABILITIES),
  };
}

export async function startZooAgent(variant: ZooVariant, spec: AgentSpec): Promise<AgentUnderTest> {
  const injection = variant.inject();
  // The agent's effective client list (after the scenario's own settings and the defect), for the front's secrets.
  let clients: ClientTable<{ address: string; secret: string }> | undefined;
  const agent = await startEmbeddedAgent(spec, {
    ...injection,
    config: (config) => {
      injection.config?.(config);
      clients = new ClientTable(config.apps.flatMap((a) => a.clients.map((c) => ({ address: c.address, secret: c.secret }))));
    },
  });
  if (!injection.front) return agent;
  const front = new RadiusFront({
    agent: { address: agent.endpoint.host, port: agent.endpoint.port },
    agentEvents: agent.events ?? new PacketEvents(),
    clock: spec.clock ?? systemClock,
    hooks: injection.front,
    secretFor: (address) => clients?.match(address)?.secret,
  });
  const endpoint = await front.listen();
  return {
    ...agent,
    endpoint: { host: endpoint.address, port: endpoint.port },
    events: front.events,
    stop: async () => {
      await front.close();
      await agent.stop();
    },
  };
}

export async function createTarget(options: { variant?: string }): Promise<TargetDriver> {
  const name = options.variant ?? '';
  const variant = zooVariant(name);
  if (!variant) {
    throw new Error(`Unknown zoo variant "${name}". Choose one of: ${ZOO_TARGET_NAMES.join(', ')} (or "zoo" for all of them).`);
  }
  return {
    profile: zooProfile(variant),
    start: (spec) => startZooAgent(variant, spec),
    async close(): Promise<void> {},
  };
}
