/**
 * `radius-mfa-harness run --okta-org URL`: the agent's Okta is an org the
 * harness reaches only through Okta's Management API — a real test org, or
 * the lab's mock served over HTTP(S). The runner puts the choice in the
 * environment (RMH_OKTA_ORG …; Cucumber's worker threads copy it), and:
 *
 * - the World sets people up with an HttpOktaAdmin against that org (every
 *   login under a prefix `rmh-<run><worker><n>-`, everything removed when the
 *   scenario ends, the run's prefix swept at the end of the run);
 * - every target is wrapped (`withOktaOrg`): the agent it starts is pointed
 *   at the org (URL, token, RADIUS app id, the CA), and its profile loses what
 *   only the lab's mock gives — `okta-mock` (push answers, inboxes, faults,
 *   the org's clock), `push-control` (a real org pushes to real phones) and
 *   `clock-control` (a real org keeps real time) — so those scenarios are
 *   reported not applicable, with the reason. `okta-admin` stays where the
 *   target had it (embedded, process, container, zoo; an external profile
 *   declares it).
 *
 * An agent someone else runs (external) is pointed at the same org by its
 * operator; embedded and process agents are pointed at it by the harness.
 */
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, fetch as undiciFetch } from 'undici';
import { CodedError } from '../../agent/src/errors.ts';
import type { FetchLike } from '../../agent/src/okta/client.ts';
import { type HttpOktaAdminOptions, RUN_PREFIX_ROOT } from '../../simulators/okta/admin-http.ts';
import type { AgentSpec, AgentUnderTest, Capability, TargetDriver } from './target.ts';

/** What only the lab's mock Okta gives: not offered when the agent's Okta is an org reached through the Management API. */
export const MOCK_ONLY_CAPABILITIES: readonly Capability[] = ['okta-mock', 'push-control', 'clock-control'];

/** Environment variables the runner sets for its workers. */
export const OKTA_ORG_ENV = {
  url: 'RMH_OKTA_ORG',
  tokenEnv: 'RMH_OKTA_TOKEN_ENV',
  ca: 'RMH_OKTA_CA',
  appId: 'RMH_OKTA_APP_ID',
  runId: 'RMH_OKTA_RUN_ID',
} as const;

export const DEFAULT_OKTA_TOKEN_ENV = 'OKTA_API_TOKEN';

export interface OktaOrgConfig {
  /** The org's base URL (origin only). */
  url: string;
  /** Name of the environment variable holding the SSWS token (the value never travels in options or files). */
  tokenEnv: string;
  /** The token itself (never log it). */
  token: string;
  /** The RADIUS app the agent serves, whose users the World assigns. */
  appId: string;
  /** PEM file of an extra CA the org's certificate chains to (the lab's own), if any. */
  caFile?: string;
  caPem?: string;
  /** 4 base-36 characters naming this run in every login prefix (`rmh-<runId>…`). */
  runId: string;
}

export interface OktaOrgInput {
  url: string;
  tokenEnv?: string;
  ca?: string;
  appId?: string;
  runId?: string;
}

/**
 * Checks the --okta-org options: a URL (http(s), no path), a token in the
 * named environment variable, a readable CA file, a RADIUS app id. Every
 * problem is one CodedError whose message says what to do.
 */
export function resolveOktaOrg(input: OktaOrgInput, env: NodeJS.ProcessEnv = process.env): OktaOrgConfig {
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    throw new CodedError('OKTA_ORG_BAD_URL', `--okta-org "${input.url}" is not a URL; give the org's base URL, e.g. https://dev-123456.okta.com (or the lab's https://127.0.0.1:PORT).`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new CodedError('OKTA_ORG_BAD_URL', `--okta-org must be an https:// (or, for a local mock, http://) URL, not ${url.protocol}//…`);
  }
  if (url.pathname !== '/' || url.search || url.hash) {
    throw new CodedError('OKTA_ORG_BAD_URL', `--okta-org takes the org's base URL without a path (${url.origin}), not "${input.url}".`);
  }
  const tokenEnv = input.tokenEnv ?? DEFAULT_OKTA_TOKEN_ENV;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(tokenEnv)) {
    throw new CodedError('OKTA_ORG_BAD_TOKEN_ENV', `--okta-token-env takes the NAME of an environment variable (letters, digits, _), not "${tokenEnv}"; never put the token itself on the command line.`);
  }
  const token = env[tokenEnv];
  if (!token) {
    throw new CodedError(
      'OKTA_ORG_NO_TOKEN',
      `--okta-org needs an SSWS API token of the org in the environment variable ${tokenEnv}, which is empty: export ${tokenEnv}=… (a token of an admin who may manage users, apps and factors), or name another variable with --okta-token-env.`,
    );
  }
  const appId = input.appId ?? '';
  if (!/^[A-Za-z0-9]{1,64}$/.test(appId)) {
    throw new CodedError(
      'OKTA_ORG_NO_APP_ID',
      appId
        ? `--okta-app-id "${appId}" is not an Okta app id (letters and digits, e.g. 0oa1b2c3d4E5f6G7h8i9).`
        : "--okta-org needs --okta-app-id: the id of the org's RADIUS app the agent serves (Admin Console → Applications → the app; the id is in its URL).",
    );
  }
  let caPem: string | undefined;
  if (input.ca) {
    try {
      caPem = readFileSync(input.ca, 'utf8');
    } catch (e) {
      throw new CodedError('OKTA_ORG_BAD_CA', `--okta-ca ${input.ca}: cannot read it (${(e as Error).message}); give the PEM file of the CA the org's certificate chains to.`);
    }
    if (!caPem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new CodedError('OKTA_ORG_BAD_CA', `--okta-ca ${input.ca} holds no PEM certificate (-----BEGIN CERTIFICATE-----).`);
    }
  }
  const runId = input.runId ?? randomInt(36 ** 4).toString(36).padStart(4, '0');
  if (!/^[a-z0-9]{4}$/.test(runId)) throw new CodedError('OKTA_ORG_BAD_RUN_ID', `The run id "${runId}" must be 4 characters a–z, 0–9.`);
  return { url: url.origin, tokenEnv, token, appId, runId, ...(input.ca ? { caFile: input.ca } : {}), ...(caPem ? { caPem } : {}) };
}

/** The run's --okta-org, as the runner left it in the environment; undefined for a run on the lab's mock. */
export function oktaOrgFromEnv(env: NodeJS.ProcessEnv = process.env): OktaOrgConfig | undefined {
  const url = env[OKTA_ORG_ENV.url];
  if (!url) return undefined;
  return resolveOktaOrg(
    {
      url,
      ...(env[OKTA_ORG_ENV.tokenEnv] ? { tokenEnv: env[OKTA_ORG_ENV.tokenEnv] } : {}),
      ...(env[OKTA_ORG_ENV.ca] ? { ca: env[OKTA_ORG_ENV.ca] } : {}),
      ...(env[OKTA_ORG_ENV.appId] ? { appId: env[OKTA_ORG_ENV.appId] } : {}),
      ...(env[OKTA_ORG_ENV.runId] ? { runId: env[OKTA_ORG_ENV.runId] } : {}),
    },
    env,
  );
}

/** The environment a run with this org gives its workers. */
export function oktaOrgEnv(c: OktaOrgConfig): Record<string, string> {
  return {
    [OKTA_ORG_ENV.url]: c.url,
    [OKTA_ORG_ENV.tokenEnv]: c.tokenEnv,
    [OKTA_ORG_ENV.appId]: c.appId,
    [OKTA_ORG_ENV.runId]: c.runId,
    ...(c.caFile ? { [OKTA_ORG_ENV.ca]: c.caFile } : {}),
  };
}

/** `rmh-<run>`: what every login of this run starts with (okta-cleanup --prefix takes it). */
export function runPrefixOf(c: OktaOrgConfig): string {
  return `${RUN_PREFIX_ROOT}${c.runId}`;
}

let scenarioCount = 0;
/**
 * `rmh-<run 4><worker 1><n 2>-`: a fresh prefix per scenario (36² per worker
 * before it wraps), 12 characters, so a person's sAMAccountName (at most
 * `rmh-xxxxxxx-alice`, 17) stays within AD's 20. Fresh per scenario within a
 * worker, and parallel workers (CUCUMBER_WORKER_ID) never share one. The
 * next target of the same run starts its workers' counts again: a prefix is
 * then reused only after the scenario that had it deleted its users for good
 * (tear-down waits for Okta's second DELETE), which frees their logins.
 */
export function scenarioPrefix(c: OktaOrgConfig, workerId = process.env.CUCUMBER_WORKER_ID ?? '0'): string {
  const n = scenarioCount++ % 36 ** 2;
  const worker = (Number.parseInt(workerId, 10) || 0) % 36;
  return `${runPrefixOf(c)}${worker.toString(36)}${n.toString(36).padStart(2, '0')}-`;
}

/** HttpOktaAdmin options for this org (token, CA). */
export function adminOptions(c: OktaOrgConfig): Omit<HttpOktaAdminOptions, 'runPrefix'> {
  return { orgUrl: c.url, apiToken: c.token, ...(c.caPem ? { ca: c.caPem } : {}) };
}

/**
 * The target, pointed at the org: its profile without MOCK_ONLY_CAPABILITIES,
 * and every agent it starts configured with the org's URL, token and app id
 * (an in-process agent also gets a fetch that trusts the org's CA; an agent
 * process gets NODE_EXTRA_CA_CERTS from the runner). An external agent is
 * configured by its operator: only its profile changes, and the lab's stable
 * okta-mock endpoint, if it has one, is not used.
 */
export function withOktaOrg(driver: TargetDriver, c: OktaOrgConfig): TargetDriver {
  const capabilities = new Set([...driver.profile.capabilities].filter((x) => !MOCK_ONLY_CAPABILITIES.includes(x)));
  let dispatcher: Agent | undefined;
  const fetchWithCa = (): FetchLike | undefined => {
    if (!c.caPem) return undefined;
    dispatcher ??= new Agent({ connect: { ca: c.caPem } });
    const d = dispatcher;
    return ((input: string, init: RequestInit) => undiciFetch(input, { ...(init as object), dispatcher: d })) as unknown as FetchLike;
  };
  return {
    profile: {
      name: driver.profile.name,
      description: `${driver.profile.description} With --okta-org its Okta is instead the org at ${c.url}, set up through its Management API, on real time.`,
      capabilities,
    },
    // The World starts no mock-Okta server for the agent: its Okta is the org.
    servesOkta: true,
    async start(spec: AgentSpec): Promise<AgentUnderTest> {
      const f = fetchWithCa();
      const okta: AgentSpec['okta'] = { baseUrl: c.url, apiToken: c.token, appId: c.appId, ...(f ? { fetch: f as typeof fetch } : {}) };
      const { clock: _labClock, ...rest } = spec;
      const agent = await driver.start({ ...rest, okta });
      const { useOkta: _mockEndpoint, ...withoutMock } = agent;
      return withoutMock;
    },
    async close(): Promise<void> {
      await driver.close();
      await dispatcher?.close();
    },
  };
}
