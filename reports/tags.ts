/**
 * The tags a scenario may carry, checked when the features load (before
 * anything runs): a misspelt tag would otherwise change what runs without a
 * word (an unknown `@needs:` made a scenario "not applicable" everywhere).
 *
 *   @needs:<capability>   one of CAPABILITIES (steps/targets/target.ts)
 *   @area:<area>          a folder under features/, and the feature's own folder
 *   @no-agent             the scenario never touches the agent: it runs once per
 *                         run and is counted apart from the targets (simulators)
 *   PLAIN_TAGS            the other tags, listed here on purpose
 *
 * A scenario may not combine @no-agent with @needs: (a scenario that needs
 * something of the agent touches it).
 */
import { CAPABILITIES } from '../steps/targets/target.ts';

/** Tags without a value that scenarios may carry. Add a tag here, with what it means, before using it. */
export const PLAIN_TAGS: Readonly<Record<string, string>> = {
  '@slow': 'takes real seconds on real-time targets',
  '@browser': 'drives the sign-in page in headless Chromium',
  '@no-agent': 'never touches the agent: runs once per run, reported under "simulators"',
};

export const NO_AGENT_TAG = '@no-agent';

export interface TagProblem {
  tag: string;
  /** Where it was found, `features/x.feature:12`. */
  where: string;
  message: string;
}

/**
 * Edit distance (insertions, deletions, substitutions; Levenshtein). Hand-written
 * on purpose: ten lines for suggestions on a few dozen short words don't earn a
 * dependency (the npm options are unmaintained or pull in far more).
 */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** The closest allowed value, when it is close enough to be what was meant. */
export function didYouMean(word: string, allowed: readonly string[]): string | undefined {
  let best: { value: string; d: number } | undefined;
  for (const value of allowed) {
    const d = editDistance(word.toLowerCase(), value.toLowerCase());
    if (!best || d < best.d) best = { value, d };
  }
  if (!best) return undefined;
  return best.d <= Math.max(2, Math.floor(best.value.length / 3)) ? best.value : undefined;
}

function hint(word: string, allowed: readonly string[]): string {
  const guess = didYouMean(word, allowed);
  return guess ? ` Did you mean "${guess}"?` : '';
}

/** The area of a feature file: its first folder under features/. */
export function areaOfUri(uri: string): string | undefined {
  const m = /^(?:\.\/)?features\/([^/]+)\//.exec(uri);
  return m?.[1];
}

/**
 * Checks one scenario's tags. `areas` are the folders under features/; `uri`
 * is the feature file (the @area tag must name its own folder).
 */
export function checkTags(tags: readonly string[], uri: string, line: number, areas: readonly string[]): TagProblem[] {
  const where = `${uri}:${line}`;
  const problems: TagProblem[] = [];
  const capabilities: readonly string[] = CAPABILITIES;
  const plain = Object.keys(PLAIN_TAGS);
  for (const tag of tags) {
    if (tag.startsWith('@needs:')) {
      const cap = tag.slice('@needs:'.length);
      if (!capabilities.includes(cap)) {
        problems.push({ tag, where, message: `unknown capability "${cap}" in ${tag}.${hint(cap, capabilities)} Capabilities: ${capabilities.join(', ')}.` });
      }
    } else if (tag.startsWith('@area:')) {
      const area = tag.slice('@area:'.length);
      const own = areaOfUri(uri);
      if (!areas.includes(area)) {
        problems.push({ tag, where, message: `unknown area "${area}" in ${tag}.${hint(area, areas)} Areas are the folders under features/: ${areas.join(', ')}.` });
      } else if (own !== undefined && own !== area) {
        problems.push({ tag, where, message: `${tag} on a feature in features/${own}/: a feature's area is its folder, so write @area:${own} (or move the file).` });
      }
    } else if (!plain.includes(tag)) {
      const family = tag.includes(':') ? tag.slice(0, tag.indexOf(':') + 1) : undefined;
      const allowed = [...plain, '@needs:<capability>', '@area:<folder>'];
      const guess = didYouMean(tag, [...plain, ...capabilities.map((c) => `@needs:${c}`), ...areas.map((a) => `@area:${a}`)]);
      problems.push({
        tag,
        where,
        message: `unknown tag ${tag}${family ? ` (no tag family "${family}")` : ''}.${guess ? ` Did you mean "${guess}"?` : ''} Allowed: ${allowed.join(', ')} (plain tags are listed in reports/tags.ts).`,
      });
    }
  }
  if (tags.includes(NO_AGENT_TAG)) {
    const needs = tags.filter((t) => t.startsWith('@needs:'));
    if (needs.length > 0) {
      problems.push({ tag: NO_AGENT_TAG, where, message: `@no-agent with ${needs.join(' ')}: a scenario that never touches the agent needs nothing of it; drop one of them.` });
    }
  }
  return problems;
}

/** Words in a Cucumber tag expression that are tags (`@area:duo and not @slow` → ['@area:duo', '@slow']). */
export function tagsInExpression(expression: string): string[] {
  return [...expression.matchAll(/@[^\s()]+/g)].map((m) => m[0]);
}
