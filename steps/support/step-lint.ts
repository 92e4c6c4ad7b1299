/**
 * Explains a step that matches no definition: when a catalogued step would
 * match if one of its parameter words were spelt differently, it names that
 * word, the parameter it stands for and the allowed values (with a
 * did-you-mean); otherwise it points at the closest catalogued example. Pure
 * over the catalogue's patterns and the vocabularies of words.ts.
 */
import { CucumberExpression, ParameterType, ParameterTypeRegistry } from '@cucumber/cucumber-expressions';
import { allowedValuesHint, editDistance, WORD_SETS, type WordSet } from './words.ts';

export interface LintPattern {
  pattern: string;
  example: string;
}

interface Compiled {
  strict: CucumberExpression;
  loose: CucumberExpression;
  example: string;
}

function registry(kind: 'strict' | 'loose'): ParameterTypeRegistry {
  const r = new ParameterTypeRegistry();
  for (const set of WORD_SETS) {
    const source = kind === 'strict' ? set.regexp : set.loose;
    r.defineParameterType(new ParameterType(set.name, new RegExp(source), null, (...g: (string | null)[]) => g[0], false, false));
  }
  return r;
}

// The catalogue only grows while step files load; a length change means new steps.
const cache = new WeakMap<readonly LintPattern[], { length: number; compiled: Compiled[] }>();

function compile(patterns: readonly LintPattern[]): Compiled[] {
  const hit = cache.get(patterns);
  if (hit && hit.length === patterns.length) return hit.compiled;
  const strict = registry('strict');
  const loose = registry('loose');
  const compiled = patterns.map((p) => ({ strict: new CucumberExpression(p.pattern, strict), loose: new CucumberExpression(p.pattern, loose), example: p.example }));
  cache.set(patterns, { length: patterns.length, compiled });
  return compiled;
}

const BY_NAME = new Map<string, WordSet>(WORD_SETS.map((s) => [s.name, s]));

/** Why `text` matches no catalogued step, or undefined when one matches it. */
export function diagnoseStep(text: string, patterns: readonly LintPattern[]): string | undefined {
  const compiled = compile(patterns);
  if (compiled.some((c) => c.strict.match(text))) return undefined;
  let best: { problems: string[] } | undefined;
  for (const c of compiled) {
    const args = c.loose.match(text);
    if (!args) continue;
    const problems: string[] = [];
    for (const a of args) {
      const set = BY_NAME.get(a.parameterType.name ?? '');
      const value = a.group.value ?? '';
      if (!set || new RegExp(`^(?:${set.regexp})$`).test(value)) continue;
      const word = value.replace(/^"|"$/g, '');
      problems.push(`"${word}" is not a valid {${set.name}}: ${allowedValuesHint(word, set)}`);
    }
    if (problems.length > 0 && (!best || problems.length < best.problems.length)) best = { problems };
  }
  if (best) return `Step "${text}": ${best.problems.join('; ')}.`;
  const closest = [...compiled].map((c) => ({ example: c.example, d: editDistance(stripKeyword(c.example), text) })).sort((a, b) => a.d - b.d)[0];
  return `Step "${text}" matches no catalogued step${closest ? `; the closest is "${closest.example}"` : ''}. See the catalogue: npm run steps (or reports/out/steps.html).`;
}

function stripKeyword(example: string): string {
  return example.replace(/^(Given|When|Then|And|But) /, '');
}
