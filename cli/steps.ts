// `radius-mfa-harness steps`: the step catalogue. Loads the suite's support code
// the way a run does (cucumber.js, through Cucumber's API) and prints every
// registered step with its area, description and an example line.
import { loadConfiguration, loadSupport } from '@cucumber/cucumber/api';
import { type CatalogueEntry, catalogue } from '../steps/support/catalogue.ts';

export type StepsFormat = 'text' | 'markdown' | 'json';

/** Every catalogued step, grouped by area in registration order (for the CLI and the report's catalogue page). */
export async function loadStepCatalogue(cwd: string = process.cwd()): Promise<readonly CatalogueEntry[]> {
  if (catalogue().length === 0) {
    const { runConfiguration } = await loadConfiguration({ provided: { format: [] } }, { cwd });
    await loadSupport({ sources: runConfiguration.sources, support: runConfiguration.support }, { cwd });
  }
  return catalogue();
}


export function renderCatalogue(entries: readonly CatalogueEntry[], format: StepsFormat): string {
  if (format === 'json') return `${JSON.stringify(entries, null, 2)}\n`;
  const out: string[] = [];
  if (format === 'markdown') {
    out.push('# Step catalogue', '');
    out.push(
      'Every step a scenario can use. `{user}` is a person of the lab (Alice, Bob, …) or she/he/they for the last one named;',
      "`{whose}` is Alice's / her / his / their; `{duration}` is e.g. 31 seconds, 2 minutes; `{string}` is text in double quotes.",
      '',
    );
    for (const [area, list] of Map.groupBy(entries, (e) => e.area)) {
      out.push(`## ${area}`, '');
      for (const e of list) {
        out.push(`### ${e.keyword} ${e.pattern}`, '', e.description, '', '```gherkin', e.example, '```', '');
      }
    }
    return out.join('\n');
  }
  for (const [area, list] of Map.groupBy(entries, (e) => e.area)) {
    out.push(`== ${area} (${list.length})`);
    for (const e of list) {
      out.push(`  ${e.keyword} ${e.pattern}`, `      ${e.description}`, `      e.g. ${e.example}`);
    }
    out.push('');
  }
  out.push(`${entries.length} steps in ${Map.groupBy(entries, (e) => e.area).size} areas.`);
  return `${out.join('\n')}\n`;
}

export async function stepsCommand(opts: { format: StepsFormat | string }): Promise<number> {
  const format = opts.format;
  if (format !== 'text' && format !== 'markdown' && format !== 'json') {
    console.error(`steps: unknown format "${format}"; use text, markdown or json.`);
    return 2;
  }
  const entries = await loadStepCatalogue();
  process.stdout.write(renderCatalogue(entries, format));
  return 0;
}
