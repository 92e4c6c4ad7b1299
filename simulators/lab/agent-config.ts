/**
 * `radius-mfa-harness lab --write-agent-config FILE`: a reference-agent
 * configuration (agent/src/config.ts's schema) wired to this served lab —
 * the mock Okta over HTTPS (trusting the lab's CA through
 * NODE_EXTRA_CA_CERTS), the lab's token and RADIUS app, a username suffix
 * matching the seed's username format, and a RADIUS client entry for this
 * machine with a secret derived from the seed.
 */
import { writeFile } from 'node:fs/promises';
import YAML from 'yaml';
import type { AgentConfigInput } from '../../agent/src/config.ts';
import { derivedRadiusSecret } from './derive.ts';
import type { Lab, LabEndpoints } from './lab.ts';

export interface AgentConfigOptions {
  /** Where the agent listens (default 127.0.0.1:1812). */
  listen?: { host: string; port: number };
  /** RADIUS clients the agent accepts (default: this machine's loopback, v4 and v6). */
  clientAddresses?: string[];
}

export interface ReferenceAgentConfigInput {
  orgUrl: string;
  apiToken: string;
  appId: string;
  secret: string;
  listen?: { host: string; port: number };
  /** RADIUS client addresses (IP or CIDR), one secret (default: loopback v4 and v6). */
  clientAddresses?: string[];
  /** Appended to a User-Name without "@" (e.g. "@corp.example.com"). */
  usernameSuffix?: string;
  appName?: string;
}

/**
 * A reference-agent config (agent/src/config.ts's schema) for any mock-Okta
 * endpoint: the lab's (below), or the stable okta-mock endpoint an agent run
 * by hand is pointed at (simulators/okta/stable-endpoint.ts).
 */
export function referenceAgentConfig(input: ReferenceAgentConfigInput): AgentConfigInput {
  return {
    okta: { orgUrl: input.orgUrl, apiToken: input.apiToken },
    apps: [
      {
        name: input.appName ?? 'lab',
        appId: input.appId,
        listen: input.listen ?? { host: '127.0.0.1', port: 1812 },
        mode: 'mfa-only',
        usernameFormat: { ...(input.usernameSuffix ? { suffix: input.usernameSuffix } : {}), stripDomain: true },
        clients: (input.clientAddresses ?? ['127.0.0.0/8', '::1']).map((address, i) => ({
          name: `${input.appName ?? 'lab'}-client-${i + 1}`,
          address,
          secret: input.secret,
          requireMessageAuthenticator: true,
        })),
      },
    ],
    logging: { level: 'info' },
  };
}

/** The config object for a served lab; `secret` is the RADIUS shared secret in it (derived from the seed). */
export function agentConfigFor(lab: Lab, endpoints: LabEndpoints, opts: AgentConfigOptions = {}): { config: AgentConfigInput; secret: string } {
  const secret = derivedRadiusSecret(lab.seed.seed ?? lab.seed.org.name);
  const suffix = usernameSuffix(lab);
  const config = referenceAgentConfig({
    orgUrl: endpoints.okta.httpsUrl ?? endpoints.okta.baseUrl,
    apiToken: endpoints.okta.apiToken,
    appId: endpoints.okta.appId,
    secret,
    ...(opts.listen ? { listen: opts.listen } : {}),
    ...(opts.clientAddresses ? { clientAddresses: opts.clientAddresses } : {}),
    ...(suffix ? { usernameSuffix: suffix } : {}),
  });
  return { config, secret };
}

/**
 * Okta's "username prefix" formats send `alice` for `alice@corp.example.com`:
 * the agent appends the domain the seed's logins share. Other formats send
 * the whole login (no suffix).
 */
function usernameSuffix(lab: Lab): string | undefined {
  if (lab.usernameFormat !== 'okta-username-prefix' && lab.usernameFormat !== 'email-prefix') return undefined;
  const domains = new Set(
    lab
      .users()
      .filter((u) => u.oktaUserId !== undefined && u.login.includes('@'))
      .map((u) => u.login.slice(u.login.lastIndexOf('@')).toLowerCase()),
  );
  return domains.size === 1 ? [...domains][0] : undefined;
}

/** Writes the config as YAML (mode 0600: it holds the lab's token and secret) with how to run it on top. */
export async function writeAgentConfig(file: string, lab: Lab, endpoints: LabEndpoints, opts: AgentConfigOptions = {}): Promise<void> {
  const { config } = agentConfigFor(lab, endpoints, opts);
  const header = [
    '# Reference-agent configuration for a served radius-mfa-harness lab (written by `lab --write-agent-config`).',
    '# The token and secret below are the lab\'s (derived from its seed): lab-only, never a real org\'s.',
    ...(endpoints.okta.caFile
      ? ['# The mock Okta answers over HTTPS with a certificate from the lab\'s own CA; run the agent as', `#   NODE_EXTRA_CA_CERTS=${endpoints.okta.caFile} node bin/radius-mfa-agent.js --config ${file}`]
      : [`#   node bin/radius-mfa-agent.js --config ${file}`]),
    '',
  ].join('\n');
  await writeFile(file, `${header}${YAML.stringify(config)}`, { mode: 0o600 });
}
