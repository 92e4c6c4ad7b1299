/**
 * The expectations ledger: a reviewed YAML file per target
 * (steps/targets/ledgers/<target>.yaml; an external agent's profile may name its
 * own with `ledger:`) listing the scenarios the target is known to fail — and
 * exactly HOW it fails: which step, with which message.
 *
 *   target: freeradius
 *   deviations:
 *     - scenario: protocol/radius-hygiene.feature::Message-Authenticator is the first attribute of a reject too
 *       example: { protocol: CHAP }            # outline rows only: the row's values (header: value)
 *       step: the reply's first attribute is Message-Authenticator
 *       failure: first attribute is type undefined   # a regular expression, searched in the error message
 *       reason: FreeRADIUS 3.2.1 predates the BlastRADIUS fixes (3.2.5) ...
 *       link: https://www.freeradius.org/security/
 *
 * - `scenario` is the line-independent id `<path under features/>::<scenario name>`
 *   (what the matrix and `--dry-run` show); an outline's row is picked by
 *   `example`, the values of that row's Examples columns (all given columns must
 *   equal; give enough to pick one row).
 * - `step` is the failing step's text as written in the feature (after outline
 *   substitution), without its keyword.
 * - `failure` is a JavaScript regular expression (no flags) searched in the
 *   step's error message.
 *
 * A listed scenario that fails at that step with a matching message is an
 * "expected deviation"; any other failure of it is a fail (the verdict says
 * what the ledger expected); a pass is an "unexpected pass" and fails the run,
 * so the baseline can't quietly go stale. An entry that names no scenario, or
 * several, is found when the features load (see `checkLedgerAgainstScenarios`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';

export interface LedgerEntry {
  /** `<path under features/>::<scenario name>`. */
  scenario: string;
  /** For an outline row: the row's values by column header. */
  example?: Record<string, string>;
  /** The failing step's text (no keyword). */
  step: string;
  /** Source of the regular expression the error message must match. */
  failure: string;
  reason: string;
  link?: string;
}

export interface Ledger {
  target: string;
  /** Where it was read from (for messages); undefined for an absent ledger. */
  file?: string;
  entries: LedgerEntry[];
}

/** What a ledger entry is matched against: one scenario (pickle) of a run. */
export interface LedgerScenario {
  /** `<path under features/>::<name>` (the same for every row of an outline). */
  baseId: string;
  /** For an outline row: its values by column header. */
  example?: Record<string, string>;
}

export class LedgerError extends Error {
  readonly code = 'LEDGER_INVALID';
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'LedgerError';
    this.file = file;
  }
}

const FORMAT = '{ target, deviations: [{ scenario: <file>::<name>, example?: {column: value}, step, failure, reason, link? }] }';

const entrySchema = z
  .object({
    scenario: z
      .string()
      .trim()
      .regex(/^[^:]+\.feature::.+$/, 'scenario must be the id <path under features/>::<scenario name>, e.g. protocol/radius-hygiene.feature::Status-Server is answered'),
    example: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).optional(),
    step: z.string({ error: 'step must name the step that fails (its text as in the feature, without Given/When/Then)' }).trim().min(1, 'step must name the step that fails'),
    failure: z
      .string({ error: 'failure must be a regular expression the expected error message matches' })
      .min(1, 'failure must be a regular expression the expected error message matches'),
    reason: z.string({ error: 'reason must say why this target deviates (reviewers read it)' }).trim().min(1, 'reason must say why this target deviates (reviewers read it)'),
    link: z.string().trim().min(1).optional(),
  })
  .strict();

const ledgerSchema = z
  .object({
    target: z.string().trim().min(1).optional(),
    deviations: z.array(z.unknown()).nullable().optional(),
  })
  .strict();

/** The key that identifies an entry in messages: `file::name` plus the example, if any. */
export function entryKey(e: Pick<LedgerEntry, 'scenario' | 'example'>): string {
  if (!e.example) return e.scenario;
  return `${e.scenario} [${Object.entries(e.example)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')}]`;
}

/** Parses ledger YAML; every error names the file and the entry (index and scenario). */
export function parseLedger(text: string, file: string, target: string): Ledger {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) throw new LedgerError(file, `not valid YAML: ${doc.errors[0]!.message}`);
  const data: unknown = doc.toJS() ?? {};
  const top = ledgerSchema.safeParse(data);
  if (!top.success) {
    const issue = top.error.issues[0]!;
    const where = issue.path.length > 0 ? `"${issue.path.join('.')}"` : 'the top level';
    throw new LedgerError(file, `${where}: ${issue.message} (expected ${FORMAT})`);
  }
  // An external target's ledger may name the agent: 'external:my-agent'.
  if (top.data.target !== undefined && top.data.target !== target && !top.data.target.startsWith(`${target}:`)) {
    throw new LedgerError(file, `declares target "${top.data.target}" but is the ledger of target "${target}"`);
  }
  const entries: LedgerEntry[] = [];
  const seen = new Map<string, number>();
  (top.data.deviations ?? []).forEach((raw, i) => {
    const parsed = entrySchema.safeParse(raw);
    const named = typeof (raw as { scenario?: unknown })?.scenario === 'string' ? ` (scenario "${(raw as { scenario: string }).scenario}")` : '';
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      throw new LedgerError(file, `deviation #${i + 1}${named}: ${field}${issue.message} (each entry: ${FORMAT.slice(FORMAT.indexOf('{ scenario'), -3)})`);
    }
    try {
      new RegExp(parsed.data.failure);
    } catch (e) {
      throw new LedgerError(file, `deviation #${i + 1}${named}: failure: not a valid regular expression (${(e as Error).message})`);
    }
    const entry: LedgerEntry = { scenario: parsed.data.scenario, step: parsed.data.step, failure: parsed.data.failure, reason: parsed.data.reason };
    if (parsed.data.example !== undefined) entry.example = parsed.data.example;
    if (parsed.data.link !== undefined) entry.link = parsed.data.link;
    const key = entryKey(entry);
    const previous = seen.get(key);
    if (previous !== undefined) {
      throw new LedgerError(file, `deviation #${i + 1}${named}: duplicates deviation #${previous + 1}; keep one entry per scenario`);
    }
    seen.set(key, i);
    entries.push(entry);
  });
  return { target, file, entries };
}

/** Reads `<dir>/<target>.yaml` (or `file`); a target without a ledger file has no expected deviations. */
export function loadLedger(dir: string, target: string, file = `${dir}/${target}.yaml`): Ledger {
  if (!existsSync(file)) return { target, entries: [] };
  return parseLedger(readFileSync(file, 'utf8'), file, target);
}

/** Where the ledgers of the built-in targets live (relative to the project root). */
export const LEDGER_DIR = 'steps/targets/ledgers';

/**
 * The ledger of a run's target: an external agent's profile may name its own
 * (`ledger:`, relative to the profile); otherwise `<dir>/<target>.yaml`. The
 * profile is read only for that key (the target itself checks the rest).
 */
export function ledgerForTarget(target: string, profileFile: string | undefined, dir = LEDGER_DIR): Ledger {
  if (target === 'external' && profileFile && existsSync(profileFile)) {
    const doc = parseDocument(readFileSync(profileFile, 'utf8'));
    const named = doc.errors.length === 0 ? (doc.toJS() as { ledger?: unknown } | null)?.ledger : undefined;
    if (typeof named === 'string' && named.trim()) {
      const file = isAbsolute(named) ? named : resolve(dirname(profileFile), named);
      if (!existsSync(file)) throw new LedgerError(file, `the profile ${profileFile} names this ledger, which does not exist`);
      return loadLedger(dir, target, file);
    }
  }
  return loadLedger(dir, target);
}

function exampleMatches(want: Record<string, string> | undefined, row: Record<string, string> | undefined): boolean {
  if (!want) return true;
  if (!row) return false;
  return Object.entries(want).every(([k, v]) => row[k] === v);
}

/** The entry naming a scenario (its file::name and, for an outline row, its example values). */
export function ledgerEntryFor(ledger: Ledger | undefined, scenario: LedgerScenario): LedgerEntry | undefined {
  return ledger?.entries.find((e) => e.scenario === scenario.baseId && exampleMatches(e.example, scenario.example));
}

/** Whether a step's failure is the one the entry expects: the same step text and a message the pattern finds. */
export function isExpectedFailure(entry: LedgerEntry, stepText: string | undefined, message: string): boolean {
  return stepText !== undefined && stepText.trim() === entry.step && new RegExp(entry.failure).test(message);
}

/** What the entry expects, for a verdict's reason. */
export function describeExpectation(entry: LedgerEntry): string {
  return `step "${entry.step}" failing with /${entry.failure}/`;
}

export interface LedgerCheck {
  /** Entries that name no scenario that was loaded (stale, or outside the loaded features). */
  unmatched: LedgerEntry[];
  /** Entries that name more than one scenario (an outline without `example`, or one too vague). */
  ambiguous: Array<{ entry: LedgerEntry; count: number }>;
}

/** Checks every entry against the loaded scenarios: each must name exactly one. */
export function checkLedgerAgainstScenarios(ledger: Ledger, scenarios: readonly LedgerScenario[]): LedgerCheck {
  const unmatched: LedgerEntry[] = [];
  const ambiguous: LedgerCheck['ambiguous'] = [];
  for (const entry of ledger.entries) {
    const count = scenarios.filter((s) => s.baseId === entry.scenario && exampleMatches(entry.example, s.example)).length;
    if (count === 0) unmatched.push(entry);
    else if (count > 1) ambiguous.push({ entry, count });
  }
  return { unmatched, ambiguous };
}
