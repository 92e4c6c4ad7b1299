/**
 * The undefined-step message of `run`: for each step no definition matches,
 * where it is, Cucumber's own snippet rewritten the way this suite registers
 * steps (stepsFor, with the description and example the catalogue needs), and
 * where the catalogue is, since the step most often exists in other words.
 * Pure over Cucumber's message envelopes.
 */
import type { Envelope } from '@cucumber/messages';

export interface UndefinedStep {
  /** `features/x.feature:12` of the step. */
  where: string;
  text: string;
  /** Given / When / Then as the suite would register it. */
  keyword: 'Given' | 'When' | 'Then';
  snippet: string;
}

/** What each parameter type gives a step function (Cucumber's built-ins and the suite's, steps/support/parameters.ts). */
const TS_TYPES: Record<string, string> = {
  int: 'number',
  float: 'number',
  string: 'string',
  word: 'string',
  user: 'Person',
  whose: 'Person',
  app: 'AppName',
  factor: 'AppName',
  channel: 'Channel',
  duration: 'number',
  count: 'number',
  ordinal: 'number',
};

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * Cucumber's snippet (`When('a {int} b', async function (int) {…})`) as a
 * stepsFor registration; undefined when the snippet has an unknown shape.
 */
export function catalogueSnippet(cucumberCode: string, keyword: UndefinedStep['keyword'], text: string): string | undefined {
  const m = /^(?:Given|When|Then)\((['"])(.*)\1, (?:async )?function \(([^)]*)\) \{/.exec(cucumberCode.split('\n')[0] ?? '');
  if (!m) return undefined;
  const pattern = m[2]!.replace(/\\(['"\\])/g, '$1');
  const types = [...pattern.matchAll(/\{([^}]*)\}/g)].map((x) => x[1]!);
  const names = m[3]!
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .filter((p) => p !== 'dataTable' && p !== 'docString');
  const params = names.map((name, i) => `${name}: ${TS_TYPES[types[i] ?? ''] ?? 'unknown'}`);
  return [
    `${keyword}(`,
    `  ${quote(pattern)},`,
    `  { description: 'What it does, in the reader’s words.', example: ${quote(`${keyword} ${text}`)} },`,
    `  async function (${['this: LabWorld', ...params].join(', ')}) {`,
    '    // …',
    '  },',
    ');',
  ].join('\n');
}

/** The run's undefined steps, once per feature line, in file order. */
export function undefinedSteps(envelopes: readonly Envelope[]): UndefinedStep[] {
  const steps = new Map<string, { uri: string; astNodeId: string; text: string; type: string | undefined }>();
  const lines = new Map<string, { line: number; keyword: string }>();
  for (const e of envelopes) {
    if (e.pickle) for (const s of e.pickle.steps) steps.set(s.id, { uri: e.pickle.uri, astNodeId: s.astNodeIds[0] ?? '', text: s.text, type: s.type });
    const children = e.gherkinDocument?.feature?.children ?? [];
    for (const c of children) {
      const all = [...(c.background?.steps ?? []), ...(c.scenario?.steps ?? []), ...(c.rule?.children ?? []).flatMap((r) => [...(r.background?.steps ?? []), ...(r.scenario?.steps ?? [])])];
      for (const s of all) lines.set(s.id, { line: s.location.line, keyword: s.keyword.trim() });
    }
  }
  const out = new Map<string, UndefinedStep>();
  for (const e of envelopes) {
    const suggestion = e.suggestion;
    if (!suggestion) continue;
    const step = steps.get(suggestion.pickleStepId);
    if (!step) continue;
    const where = `${step.uri}:${lines.get(step.astNodeId)?.line ?? 0}`;
    if (out.has(where)) continue;
    const keyword = step.type === 'Outcome' ? 'Then' : step.type === 'Action' ? 'When' : 'Given';
    const code = suggestion.snippets[0]?.code ?? '';
    out.set(where, { where, text: step.text, keyword, snippet: catalogueSnippet(code, keyword, step.text) ?? code });
  }
  return [...out.values()].sort((a, b) => a.where.localeCompare(b.where, undefined, { numeric: true }));
}

/** The lines `run` prints after its summary. */
export function undefinedStepLines(list: readonly UndefinedStep[], cataloguePage: string): string[] {
  if (list.length === 0) return [];
  const lines = [
    `Undefined steps (${list.length}): no step definition matches them. The step you need may exist in other words: \`radius-mfa-harness steps\` or ${cataloguePage} list every step with an example.`,
    'Otherwise add it with stepsFor in a steps/<area>.steps.ts file (it then joins the catalogue):',
  ];
  for (const u of list) {
    lines.push('', `  ${u.where}  ${u.keyword} ${u.text}`, ...u.snippet.split('\n').map((l) => `    ${l}`));
  }
  return lines;
}
