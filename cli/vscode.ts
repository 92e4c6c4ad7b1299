/**
 * Editor support: the Cucumber extension for VS Code (CucumberOpen
 * `cucumber.cucumber-official`) finds step definitions by reading the glue
 * files' source for `Given('…')`-like calls with literal patterns, and learns
 * custom parameter types only from `cucumber.parameterTypes` in the settings —
 * ours are built from the closed vocabularies (steps/support/words.ts), which
 * it cannot evaluate. This module writes those settings from the loaded
 * support code, so autocomplete and "undefined step" squiggles match what a
 * run accepts:
 *
 *   node scripts/write-vscode-settings.ts      (.vscode/settings.json; keeps other keys)
 *
 * cli/vscode.test.ts fails when the settings no longer match the parameter
 * types, or a step's pattern is not a literal the extension can read.
 */
import { loadConfiguration, loadSupport } from '@cucumber/cucumber/api';
import { type CatalogueEntry, catalogue } from '../steps/support/catalogue.ts';

export interface EditorParameterType {
  name: string;
  regexp: string;
}

export const FEATURES_GLOB = ['features/**/*.feature'];
/** Where the extension reads step definitions: the step files and their support code. */
export const GLUE_GLOB = ['steps/**/*.ts'];

/** The suite's support code, loaded once: its catalogue and its custom parameter types (sorted by name). */
export async function loadEditorView(cwd: string = process.cwd()): Promise<{ steps: readonly CatalogueEntry[]; parameterTypes: EditorParameterType[] }> {
  const { runConfiguration } = await loadConfiguration({ provided: { format: [] } }, { cwd });
  const library = await loadSupport({ sources: runConfiguration.sources, support: runConfiguration.support }, { cwd });
  const parameterTypes: EditorParameterType[] = [];
  // The API types the library as opaque; at run time it is Cucumber's SupportCodeLibrary with its ParameterTypeRegistry.
  const registry = (library as unknown as { parameterTypeRegistry: { parameterTypes: Iterable<{ name: string | undefined; builtin: boolean; regexpStrings: readonly string[] }> } })
    .parameterTypeRegistry;
  for (const t of registry.parameterTypes) {
    if (t.builtin || !t.name) continue;
    const regexps = t.regexpStrings;
    parameterTypes.push({ name: t.name, regexp: regexps.length === 1 ? regexps[0]! : regexps.map((r) => `(?:${r})`).join('|') });
  }
  parameterTypes.sort((a, b) => a.name.localeCompare(b.name));
  return { steps: catalogue(), parameterTypes };
}

/** The settings, merged into what the file already has (other extensions' keys stay). */
export function editorSettings(parameterTypes: readonly EditorParameterType[], existing: Record<string, unknown> = {}, glue: readonly string[] = GLUE_GLOB): Record<string, unknown> {
  return {
    ...existing,
    'cucumber.features': FEATURES_GLOB,
    'cucumber.glue': glue,
    'cucumber.parameterTypes': parameterTypes,
  };
}

/** A team's repository (radius-mfa-harness init): the harness's compiled steps in the package, then the team's own. */
export const TEAM_GLUE_GLOB = ['node_modules/radius-mfa-harness/dist/steps/**/*.js', 'steps/**/*.ts'];

/** Catalogued steps whose pattern does not appear as a string literal in the glue source (the extension would not see them). */
export function unreadableSteps(steps: readonly CatalogueEntry[], glueSource: string): CatalogueEntry[] {
  const quoted = (p: string): string[] => [`'${p.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`, `"${p.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`, `\`${p}\``];
  return steps.filter((e) => !quoted(e.pattern).some((q) => glueSource.includes(q)));
}
