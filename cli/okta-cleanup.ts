// `radius-mfa-harness okta-cleanup --org-url URL [--token-env NAME] [--prefix rmh-…] [--ca FILE]`:
// removes from an Okta org every user a harness run created (logins starting with the run
// prefix; default every run's "rmh-") — what a run that crashed before its own cleanup left.
// Prints one JSON line {deleted, failed}; exit 0 when all went, 1 when some could not be
// removed or the org could not be reached, 2 for bad options. The token comes from an
// environment variable, never from the command line.
import { readFile } from 'node:fs/promises';
import { CodedError, isCodedError } from '../agent/src/errors.ts';
import { HttpOktaAdmin } from '../simulators/okta/admin-http.ts';

export interface OktaCleanupOptions {
  orgUrl: string;
  tokenEnv: string;
  prefix: string;
  ca?: string;
}

export async function oktaCleanupCommand(opts: OktaCleanupOptions): Promise<number> {
  const apiToken = process.env[opts.tokenEnv];
  if (!apiToken) {
    return fail(new CodedError('OKTA_ADMIN_NO_TOKEN', `Set ${opts.tokenEnv} to an SSWS API token of the org (or name another variable with --token-env).`), 2);
  }
  let ca: string | undefined;
  if (opts.ca) {
    try {
      ca = await readFile(opts.ca, 'utf8');
    } catch (e) {
      return fail(new CodedError('OKTA_CLEANUP_BAD_CA', `Cannot read the CA file ${opts.ca}: ${(e as Error).message}.`), 2);
    }
  }
  try {
    const report = await HttpOktaAdmin.cleanupByPrefix({ orgUrl: opts.orgUrl, apiToken, ...(ca ? { ca } : {}) }, opts.prefix);
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return report.failed.length === 0 ? 0 : 1;
  } catch (e) {
    const bad = isCodedError(e) && (e.code === 'OKTA_ADMIN_BAD_PREFIX' || e.code === 'OKTA_ADMIN_BAD_ORG_URL');
    return fail(e, bad ? 2 : 1);
  }
}


function fail(e: unknown, exitCode: number): number {
  const text = isCodedError(e) ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
  process.stderr.write(`radius-mfa-harness okta-cleanup: ${text.replace(/\s*\n\s*/g, ' ')}\n`);
  return exitCode;
}
