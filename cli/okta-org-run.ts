// `radius-mfa-harness run --okta-org URL [--okta-token-env NAME] [--okta-app-id ID] [--okta-ca FILE]`:
// the options checked and the org tried once before anything runs (every problem one line
// with a stable OKTA_ORG_* code and what to do; the runner exits 2), the environment that
// carries the choice to the Cucumber workers (steps/targets/okta-org.ts), and the sweep at
// the end of the run of whatever the run's prefix still holds.
import { resolve } from 'node:path';
import { CodedError, isCodedError } from '../agent/src/errors.ts';
import { HttpOktaAdmin } from '../simulators/okta/admin-http.ts';
import { adminOptions, DEFAULT_OKTA_TOKEN_ENV, type OktaOrgConfig, oktaOrgEnv, resolveOktaOrg, runPrefixOf } from '../steps/targets/okta-org.ts';

export interface OktaOrgRunOptions {
  oktaOrg?: string;
  oktaTokenEnv?: string;
  oktaAppId?: string;
  oktaCa?: string;
}

export interface PreparedOktaOrg {
  config: OktaOrgConfig;
  /** One line for the run's output (no token). */
  describe: string;
  /** Puts the org in the environment the workers copy (and NODE_EXTRA_CA_CERTS for agent processes); returns the undo. */
  applyEnv(): () => void;
  /** Removes whatever the run's prefix still holds (scenarios remove their own users); one line, and whether some could not be removed. */
  sweep(): Promise<{ line: string; failed: boolean }>;
}

/** undefined without --okta-org; else the checked configuration, after one call that proves the URL and the token. */
export async function prepareOktaOrg(opts: OktaOrgRunOptions, env: NodeJS.ProcessEnv = process.env): Promise<PreparedOktaOrg | undefined> {
  if (!opts.oktaOrg) {
    const stray = [opts.oktaAppId !== undefined && '--okta-app-id', opts.oktaCa !== undefined && '--okta-ca'].filter(Boolean);
    if (stray.length > 0) throw new CodedError('OKTA_ORG_OPTION_WITHOUT_ORG', `${stray.join(' and ')} go with --okta-org URL (the org the agent uses); add it or drop them.`);
    return undefined;
  }
  const config = resolveOktaOrg(
    {
      url: opts.oktaOrg,
      tokenEnv: opts.oktaTokenEnv ?? DEFAULT_OKTA_TOKEN_ENV,
      ...(opts.oktaAppId !== undefined ? { appId: opts.oktaAppId } : {}),
      ...(opts.oktaCa !== undefined ? { ca: resolve(opts.oktaCa) } : {}),
    },
    env,
  );
  await tryOrg(config);
  const prefix = runPrefixOf(config);
  const cleanup = `radius-mfa-harness okta-cleanup --org-url ${config.url} --token-env ${config.tokenEnv} --prefix ${prefix}${config.caFile ? ` --ca ${config.caFile}` : ''}`;
  return {
    config,
    describe:
      `okta-org: ${config.url} (token from ${config.tokenEnv}, RADIUS app ${config.appId}${config.caFile ? `, CA ${config.caFile}` : ''}), set up through its Management API; ` +
      `logins under ${prefix}…, removed after each scenario (after a crash: ${cleanup})`,
    applyEnv() {
      const vars: Record<string, string> = { ...oktaOrgEnv(config), ...(config.caFile ? { NODE_EXTRA_CA_CERTS: config.caFile } : {}) };
      const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, env[k]]));
      Object.assign(env, vars);
      return () => {
        for (const [k, v] of Object.entries(saved)) {
          if (v === undefined) delete env[k];
          else env[k] = v;
        }
      };
    },
    async sweep() {
      try {
        const r = await HttpOktaAdmin.cleanupByPrefix(adminOptions(config), prefix);
        const left = r.deleted.length > 0 ? `${r.deleted.length} user(s) a scenario left were removed` : 'nothing left behind';
        if (r.failed.length === 0) return { line: `okta-org: ${prefix}…: ${left}`, failed: false };
        return { line: `okta-org: ${prefix}…: ${left}; ${r.failed.length} could not be removed (${r.failed.map((f) => f.login).join(', ')}): run ${cleanup}`, failed: true };
      } catch (e) {
        return { line: `okta-org: the end-of-run sweep of ${prefix}… failed (${(e as Error).message}); run ${cleanup}`, failed: true };
      }
    },
  };
}

/** GET /api/v1/users?limit=1 with the token: a refused token or an unreachable org is a CodedError saying what to check. */
async function tryOrg(config: OktaOrgConfig): Promise<void> {
  const admin = new HttpOktaAdmin({ ...adminOptions(config), runPrefix: `${runPrefixOf(config)}-`, maxRateLimitWaitMs: 10_000, requestTimeoutMs: 15_000 });
  try {
    await admin.checkAccess();
  } catch (e) {
    if (isCodedError(e, 'OKTA_ADMIN_REQUEST_FAILED') && (e.details.status === 401 || e.details.status === 403)) {
      throw new CodedError(
        'OKTA_ORG_TOKEN_REFUSED',
        `${config.url} refused the token in ${config.tokenEnv} (${e.details.status} ${String(e.details.errorCode ?? '')} ${String(e.details.errorSummary ?? '')}): set ${config.tokenEnv} to a current SSWS API token of this org (Admin Console → Security → API → Tokens) whose admin may manage users, apps and factors.`,
        { status: e.details.status },
      );
    }
    if (isCodedError(e)) {
      throw new CodedError('OKTA_ORG_UNREACHABLE', `${config.url} did not answer as an Okta org (${e.message}); check the URL, the network and, for a lab's certificate, --okta-ca.`);
    }
    throw e;
  } finally {
    await admin.close();
  }
}
