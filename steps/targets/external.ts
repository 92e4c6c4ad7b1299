/**
 * The external target: an agent someone else runs (a real Okta RADIUS agent
 * wired to a test org, another vendor's server), reached at host:port with a
 * shared secret. Everything about it comes from a profile file (--profile, or
 * RMH_PROFILE in Cucumber workers), which also declares what the suite can do
 * with it — usually little: no mock Okta, no push control, no virtual clock.
 *
 *   name: my-agent                  # reported as external:my-agent
 *   description: Okta RADIUS agent 3.x on the test VM
 *   host: 192.0.2.10
 *   port: 1812
 *   secretEnv: MY_AGENT_SECRET      # or `secret:` (keep real secrets out of git)
 *   capabilities: [message-authenticator, proxy-state, status-server]
 *   probe: status-server            # or access-request / none; default by capabilities
 *   probeTimeoutMs: 3000
 *   probeSource: 127.0.0.2          # source address the agent knows as a client
 *   sourceAddresses: [192.0.2.50]   # where the AD Connector (and every probe) sends from;
 *                                   # default: what the OS uses to reach host, plus a second where there is one
 *   oktaMock:                       # the run serves one stable mock-Okta endpoint the agent is configured with
 *     host: 127.0.0.1               # address it listens on (reachable by the agent)
 *     httpsPort: 18443              # fixed, so the agent's org URL stays the same run after run
 *     tokenEnv: MY_OKTA_MOCK_TOKEN  # or token: — the SSWS token the agent sends
 *     caDir: .okta-mock-ca          # the CA the agent trusts (created once, reused)
 *   metricsUrl: http://127.0.0.1:9100/metrics   # the reference agent's drop counters (capability metrics)
 *   ledger: ledgers/my-agent.yaml   # known deviations (relative to this file)
 *
 * An external agent runs on its own clock and its operator's settings: a profile
 * claiming clock-control or agent-settings is refused; okta-mock, lab-codes and
 * push-control need the oktaMock section (the suite controls Okta only there),
 * metrics needs metricsUrl.
 *
 * Before the run the target is probed with a bounded timeout; nothing
 * answering is a TargetUnavailable with one clear line, never a hang. Each cause
 * has a stable code (TargetUnavailable.causeCode, also the line's prefix) and a
 * hint: EXTERNAL_PROFILE_MISSING, EXTERNAL_PROFILE_INVALID,
 * EXTERNAL_SECRET_MISSING, EXTERNAL_NOTHING_LISTENS (port unreachable),
 * EXTERNAL_NO_REPLY (silence: down, or dropping us for the secret or the source
 * address), EXTERNAL_WRONG_SECRET (replies that don't verify), EXTERNAL_UNREACHABLE.
 * An IPv6 host (e.g. ::1) is probed over udp6 from the OS's own source address.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { isIP } from 'node:net';
import { CodedError } from '../../agent/src/errors.ts';
import { chooseSourceAddresses, type SourceChoice } from '../../simulators/ad-connector/source-addresses.ts';
import { type StableOktaEndpoint, startStableOktaEndpoint } from '../../simulators/okta/stable-endpoint.ts';
import type { TargetOptions } from './index.ts';
import { type ProbeKind, probeRadius } from './radius-probe.ts';
import { type AgentUnderTest, CAPABILITIES, type Capability, type TargetDriver, type TargetProfile, TargetUnavailable } from './target.ts';

const profileSchema = z
  .object({
    name: z.string().trim().min(1).regex(/^[A-Za-z0-9._-]+$/, 'use letters, digits, dot, dash or underscore'),
    description: z.string().optional(),
    host: z.string().trim().min(1),
    port: z.number().int().min(1).max(65535),
    secret: z.string().min(1).optional(),
    secretEnv: z.string().min(1).optional(),
    capabilities: z.array(z.enum(CAPABILITIES)).default([]),
    probe: z.enum(['status-server', 'access-request', 'none']).optional(),
    probeTimeoutMs: z.number().int().min(100).max(60_000).default(3000),
    probeSource: z.string().optional(),
    sourceAddresses: z.array(z.string().refine((a) => isIP(a) !== 0, 'must be an IP address')).min(1).max(2).optional(),
    oktaMock: z
      .object({
        host: z.string().default('127.0.0.1'),
        httpsPort: z.number().int().min(1).max(65535),
        httpPort: z.number().int().min(1).max(65535).optional(),
        token: z.string().min(1).optional(),
        tokenEnv: z.string().min(1).optional(),
        caDir: z.string().min(1),
      })
      .strict()
      .optional(),
    metricsUrl: z.url().optional(),
    ledger: z.string().optional(),
  })
  .strict();

/** What no external agent can offer, and why. */
const NEVER_EXTERNAL: Partial<Record<Capability, string>> = {
  'clock-control': 'an external agent runs on its own clock, which the suite cannot move',
  'agent-settings': "an external agent's settings are its operator's, which the suite cannot change per scenario",
  'client-allow-list': "the allow-list scenarios change the agent's client list, which for an external agent is its operator's",
  'two-client-addresses': 'the run decides it from the source addresses (two where the machine has them toward the agent)',
};
/** What an external agent offers only with the run's okta-mock endpoint. */
const NEEDS_OKTA_MOCK: readonly Capability[] = ['okta-mock', 'lab-codes', 'push-control', 'okta-admin'];
/** …or, for these, a run against an Okta org (`run --okta-org`) the agent's operator pointed it at: the World sets that org up through its Management API. */
const WITH_OKTA_ORG: readonly Capability[] = ['okta-admin', 'lab-codes'];

export interface ExternalProfile {
  file: string;
  name: string;
  description: string;
  host: string;
  port: number;
  secret: string;
  capabilities: Capability[];
  probe: ProbeKind | 'none';
  probeTimeoutMs: number;
  probeSource?: string;
  sourceAddresses?: string[];
  oktaMock?: { host: string; httpsPort: number; httpPort?: number; token: string; caDir: string };
  metricsUrl?: string;
  /** Absolute path of the ledger file, when the profile names one. */
  ledger?: string;
}

/** Reads and checks a profile file; errors name the file and the field and say what to do. */
export function readExternalProfile(file: string, env: NodeJS.ProcessEnv = process.env): ExternalProfile {
  const invalid = (message: string): CodedError => new CodedError('EXTERNAL_PROFILE_INVALID', message, { file });
  if (!existsSync(file)) throw invalid(`external target profile ${file} does not exist (copy steps/targets/profiles/example-okta-agent.yaml and edit it)`);
  const doc = parseDocument(readFileSync(file, 'utf8'));
  if (doc.errors.length > 0) throw invalid(`${file}: not valid YAML: ${doc.errors[0]!.message}`);
  // toJS() throws (a ReferenceError) for an alias to an anchor that was never set: bad input, not a crash (found by fuzz/).
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (e) {
    throw invalid(`${file}: not valid YAML: ${(e as Error).message}`);
  }
  const parsed = profileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(`${file}: ${issue.path.join('.') || 'profile'}: ${issue.message}`);
  }
  const p = parsed.data;
  let secret = p.secret;
  if (p.secretEnv !== undefined) {
    secret = env[p.secretEnv];
    if (!secret) {
      throw new CodedError('EXTERNAL_SECRET_MISSING', `${file}: secretEnv names ${p.secretEnv}, but that environment variable is empty; export it before the run`, {
        file,
        variable: p.secretEnv,
      });
    }
  }
  if (!secret) {
    throw new CodedError('EXTERNAL_SECRET_MISSING', `${file}: give the agent's shared secret as secretEnv (an environment variable's name) or secret`, { file });
  }
  for (const c of p.capabilities) {
    const why = NEVER_EXTERNAL[c];
    if (why) throw invalid(`${file}: capabilities: ${c} can't be offered by an external agent (${why}); remove it`);
    if (NEEDS_OKTA_MOCK.includes(c) && !p.oktaMock && !(WITH_OKTA_ORG.includes(c) && env.RMH_OKTA_ORG)) {
      throw invalid(
        `${file}: capabilities: ${c} needs the run's mock Okta: add an oktaMock section (host, httpsPort, token or tokenEnv, caDir) and point the agent's Okta URL at it${WITH_OKTA_ORG.includes(c) ? ', or run with --okta-org (the org the agent uses)' : ''}`,
      );
    }
    if (c === 'metrics' && !p.metricsUrl) throw invalid(`${file}: capabilities: metrics needs metricsUrl (the agent's Prometheus /metrics with radius_mfa_dropped_packets_total)`);
  }
  let oktaMock: ExternalProfile['oktaMock'];
  if (p.oktaMock) {
    const token = p.oktaMock.tokenEnv !== undefined ? env[p.oktaMock.tokenEnv] : p.oktaMock.token;
    if (!token) {
      throw new CodedError('EXTERNAL_SECRET_MISSING', `${file}: oktaMock: give the token the agent sends as tokenEnv (an environment variable's name, set) or token`, { file });
    }
    const caDir = isAbsolute(p.oktaMock.caDir) ? p.oktaMock.caDir : resolve(dirname(file), p.oktaMock.caDir);
    oktaMock = { host: p.oktaMock.host, httpsPort: p.oktaMock.httpsPort, token, caDir, ...(p.oktaMock.httpPort ? { httpPort: p.oktaMock.httpPort } : {}) };
  }
  const probe = p.probe ?? (p.capabilities.includes('status-server') ? 'status-server' : 'access-request');
  const out: ExternalProfile = {
    file,
    name: p.name,
    description: p.description ?? `An agent at ${p.host}:${p.port} (profile ${file})`,
    host: p.host,
    port: p.port,
    secret,
    // The mock behind the okta-mock endpoint is set up through the same Management API calls: okta-mock implies okta-admin.
    capabilities: p.capabilities.includes('okta-mock') && !p.capabilities.includes('okta-admin') ? [...p.capabilities, 'okta-admin'] : p.capabilities,
    probe,
    probeTimeoutMs: p.probeTimeoutMs,
  };
  if (p.sourceAddresses) out.sourceAddresses = p.sourceAddresses;
  if (oktaMock) out.oktaMock = oktaMock;
  if (p.metricsUrl) out.metricsUrl = p.metricsUrl;
  // Probe from where the connector sends (given, or chosen from the route at start: see createTarget).
  const source = p.probeSource ?? p.sourceAddresses?.[0];
  if (source !== undefined) out.probeSource = source;
  if (p.ledger !== undefined) out.ledger = isAbsolute(p.ledger) ? p.ledger : resolve(dirname(file), p.ledger);
  return out;
}

/** The RADIUS app id every scenario's org has: what an agent on the okta-mock endpoint is configured with. */
async function scenarioAppId(): Promise<string> {
  const { SCENARIO_SEED } = await import('../support/fixtures/people.ts');
  return SCENARIO_SEED.app?.id ?? '(none: SCENARIO_SEED names no app id)';
}

/** What to do when the probe fails, by cause. */
const PROBE_FAILURE = {
  refused: { code: 'EXTERNAL_NOTHING_LISTENS', hint: 'start the agent, or check host and port in the profile' },
  silent: {
    code: 'EXTERNAL_NO_REPLY',
    hint: "check the secret and the agent's client list (is it running, and does it accept requests from the probe's source address?)",
  },
  'bad-secret': { code: 'EXTERNAL_WRONG_SECRET', hint: "check the secret and the agent's client list (the agent answers with another secret)" },
  error: { code: 'EXTERNAL_UNREACHABLE', hint: 'check host and port in the profile, and that this machine can reach the agent' },
} as const;

export async function createTarget(options: TargetOptions = {}): Promise<TargetDriver> {
  const file = options.profile ?? process.env.RMH_PROFILE;
  if (!file) {
    throw new TargetUnavailable('no profile for the external target', {
      causeCode: 'EXTERNAL_PROFILE_MISSING',
      hint: 'run with --profile FILE (host, port, secret, capabilities); see steps/targets/profiles/example-okta-agent.yaml',
    });
  }
  let profile: ExternalProfile;
  try {
    profile = readExternalProfile(resolve(file));
  } catch (e) {
    const code = e instanceof CodedError ? e.code : 'EXTERNAL_PROFILE_INVALID';
    throw new TargetUnavailable((e as Error).message, { causeCode: code });
  }
  // Where the AD Connector, the raw client and the probe send from: the profile's, or the route's choice.
  let sources: SourceChoice;
  try {
    sources = profile.sourceAddresses
      ? { addresses: profile.sourceAddresses, how: `given by the profile ${profile.file}` }
      : await chooseSourceAddresses(profile.host);
  } catch (e) {
    throw new TargetUnavailable((e as Error).message, { causeCode: e instanceof CodedError ? e.code : 'EXTERNAL_UNREACHABLE', hint: 'set sourceAddresses in the profile' });
  }
  const probeSource = profile.probeSource ?? sources.addresses[0];
  if (profile.probe !== 'none') {
    const result = await probeRadius({
      host: profile.host,
      port: profile.port,
      secret: profile.secret,
      kind: profile.probe,
      timeoutMs: profile.probeTimeoutMs,
      ...(probeSource ? { sourceAddress: probeSource } : {}),
    });
    if (!result.ok) {
      const what = PROBE_FAILURE[result.cause];
      const from = probeSource ? ` (probed from ${probeSource})` : '';
      throw new TargetUnavailable(`${result.reason}${from}`, { causeCode: what.code, hint: what.hint });
    }
  }
  // The run's one mock-Okta endpoint: fixed URL, token and CA for the whole run; each scenario's org is swapped in.
  let okta: StableOktaEndpoint | undefined;
  if (profile.oktaMock) {
    const m = profile.oktaMock;
    try {
      okta = await startStableOktaEndpoint({
        host: m.host,
        ports: { https: m.httpsPort, ...(m.httpPort ? { http: m.httpPort } : {}) },
        tls: { dir: m.caDir },
        apiToken: m.token,
      });
    } catch (e) {
      throw new TargetUnavailable(`the okta-mock endpoint could not listen on ${m.host}:${m.httpsPort}: ${(e as Error).message}`, {
        causeCode: 'EXTERNAL_OKTA_MOCK_UNAVAILABLE',
        hint: 'pick a free port in oktaMock.httpsPort, and run one scenario at a time (--parallel 1)',
      });
    }
  }
  const said = [
    `the AD Connector sends from ${sources.addresses.join(' and ')} (${sources.how})`,
    ...(okta ? [`okta-mock endpoint ${okta.url} (CA ${okta.caFile}; RADIUS app id ${await scenarioAppId()})`] : []),
  ];
  const targetProfile: TargetProfile = {
    name: `external:${profile.name}`,
    description: `${profile.description}; ${said.join('; ')}`,
    capabilities: new Set([...profile.capabilities, ...(sources.addresses.length >= 2 ? (['two-client-addresses'] as const) : [])]),
  };
  const metricsUrl = profile.metricsUrl;
  return {
    profile: targetProfile,
    servesOkta: okta !== undefined,
    // The agent runs already; a scenario's wishes (mode, timeouts, clients) are the
    // operator's configuration, declared through the capabilities instead.
    async start(): Promise<AgentUnderTest> {
      return {
        endpoint: { host: profile.host, port: profile.port },
        secret: profile.secret,
        onVirtualClock: false,
        sourceAddresses: sources.addresses,
        ...(okta ? { useOkta: (org, options) => okta.use(org, options) } : {}),
        ...(metricsUrl ? { metrics: async () => (await fetch(metricsUrl)).text() } : {}),
        async stop() {},
      };
    },
    async close(): Promise<void> {
      await okta?.close();
    },
  };
}
