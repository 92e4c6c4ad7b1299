/**
 * The Cucumber configuration of a team's repository (`radius-mfa-harness init`
 * writes a cucumber.js that calls this): the harness's support code (World,
 * hooks, parameter types, step definitions) loaded from the installed package,
 * the team's own step files after it, and the harness's plug-in, which judges
 * and writes the reports — the same shape as the repository's own cucumber.js.
 *
 *   // cucumber.js of a team
 *   import { harnessConfig } from 'radius-mfa-harness/cucumber';
 *   export default harnessConfig({ steps: ['steps/**\/*.steps.ts'] });
 *
 * Paths into the package are absolute, so the config works from any working
 * directory; in the repository this module is .ts and points at the .ts
 * sources, in the package it is .js and points at dist/.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface PresetOptions {
  /** The team's own step files (globs relative to the working directory); default steps/**\/*.steps.ts. */
  steps?: string[];
  /** Environment (default process.env): RMH_PARALLEL, RMH_OUT, RMH_TARGET as in the repository's cucumber.js. */
  env?: NodeJS.ProcessEnv;
}

/** The package root: the folder above cli/ (the repository, or dist/ in an installed package). */
const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const EXT = import.meta.url.endsWith('.ts') ? 'ts' : 'js';

/** The harness's support code, as absolute globs (what the repository's cucumber.js names relative to itself). */
export function harnessSupportGlobs(): string[] {
  return [join(ROOT, 'steps', 'support', `**/!(*.test).${EXT}`), join(ROOT, 'steps', `**/*.steps.${EXT}`)];
}

/** The plug-in (reports/cucumber-plugin) as a file URL, which Cucumber imports as given. */
export function harnessPluginUrl(): string {
  return pathToFileURL(join(ROOT, 'reports', `cucumber-plugin.${EXT}`)).href;
}

export function harnessConfig(opts: PresetOptions = {}) {
  const env = opts.env ?? process.env;
  const parallel = Number.parseInt(env.RMH_PARALLEL ?? '0', 10);
  const out = env.RMH_OUT ?? 'reports/out';
  const target = env.RMH_TARGET ?? 'embedded';
  return {
    import: [...harnessSupportGlobs(), ...(opts.steps ?? ['steps/**/*.steps.ts'])],
    format: ['progress', `html:${out}/${target}/cucumber.html`, `message:${out}/${target}/messages.ndjson`],
    formatOptions: { snippetInterface: 'async-await' },
    plugin: [harnessPluginUrl()],
    pluginOptions: { rmh: {} },
    parallel: Number.isFinite(parallel) && parallel > 0 ? parallel : 0,
    // Undefined and pending steps fail the run (with Cucumber's snippet).
    strict: true,
  };
}
