/**
 * @stryker-mutator/cucumber-runner 9.6.1 with Cucumber 13: the runner adds its
 * formatter as `file:///…/stryker-formatter.cjs`, and Cucumber 13 reads a bare
 * format as "name:target" (split at the colon) unless the name is quoted, so it
 * took "file" as the formatter and overwrote the runner's own formatter file
 * with its output. This plug-in quotes such a format before Cucumber sees it,
 * then hands over the runner's plug-ins unchanged.
 *
 * The runner imports its CommonJS wrapper (cucumber-wrapper.cjs) by name; it is
 * loaded and patched here first, so the runner's import gets the patched
 * exports from Node's module cache.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

type LoadConfiguration = (options: { provided?: { format?: string[] } & Record<string, unknown> } & Record<string, unknown>) => Promise<unknown>;

const require = createRequire(import.meta.url);
const runnerDir = dirname(require.resolve('@stryker-mutator/cucumber-runner/package.json'));
const wrapper = require(join(runnerDir, 'dist/src/cucumber-wrapper.cjs')) as { loadConfiguration: LoadConfiguration };
const original = wrapper.loadConfiguration;

/** `file:///x` → `"file:///x"`: a quoted name may hold colons (Cucumber 13). */
export function quoteUrlFormat(format: string): string {
  return format.startsWith('file:') && !format.startsWith('"') ? `"${format}"` : format;
}

wrapper.loadConfiguration = (options) =>
  original({ ...options, provided: { ...options.provided, format: options.provided?.format?.map(quoteUrlFormat) } });

const runner = await import('@stryker-mutator/cucumber-runner');
export const strykerPlugins = runner.strykerPlugins;
export const strykerValidationSchema = runner.strykerValidationSchema;
