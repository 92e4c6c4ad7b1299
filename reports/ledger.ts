/**
 * The expectations ledger: a reviewed YAML file per target
 * (steps/targets/ledgers/<target>.yaml) listing the scenarios the target is known
 * to fail, each with the reason and, ideally, a link to the evidence. A ledgered
 * scenario that fails is an "expected deviation"; one that passes is an
 * "unexpected pass" and fails the run like a regression would, so the ledger
 * can't quietly go stale.
 *
 *   target: freeradius
 *   deviations:
 *     - scenario: protocol/message-authenticator.feature::Every response carries a Message-Authenticator
 *       reason: FreeRADIUS 3.2.1 predates the BlastRADIUS fixes (3.2.5) ...
 *       link: https://www.freeradius.org/security/
 *
 * `scenario` is either the exact scenario name, or a line-independent id
 * `<path under features/>::<scenario name>` (what the matrix shows), so moving
 * a scenario within its file never breaks an entry.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { z } from 'zod';

export interface LedgerEntry {
  scenario: string;
  reason: string;
  link?: string;
}

export interface Ledger {
  target: string;
  /** Where it was read from (for messages); undefined for an absent ledger. */
  file?: string;
  entries: LedgerEntry[];
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

const entrySchema = z
  .object({
    scenario: z.string().trim().min(1, 'scenario must be a non-empty scenario name or <file>::<name> id'),
    reason: z.string().trim().min(1, 'reason must say why this target deviates (reviewers read it)'),
    link: z.string().trim().min(1).optional(),
  })
  .strict();

const ledgerSchema = z
  .object({
    target: z.string().trim().min(1).optional(),
    deviations: z.array(z.unknown()).nullable().optional(),
  })
  .strict();

/** Parses ledger YAML; every error names the file and the entry (index and scenario). */
export function parseLedger(text: string, file: string, target: string): Ledger {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) throw new LedgerError(file, `not valid YAML: ${doc.errors[0]!.message}`);
  const data: unknown = doc.toJS() ?? {};
  const top = ledgerSchema.safeParse(data);
  if (!top.success) {
    const issue = top.error.issues[0]!;
    const where = issue.path.length > 0 ? `"${issue.path.join('.')}"` : 'the top level';
    throw new LedgerError(file, `${where}: ${issue.message} (expected { target, deviations: [{ scenario, reason, link? }] })`);
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
      throw new LedgerError(file, `deviation #${i + 1}${named}: ${field}${issue.message}`);
    }
    const entry: LedgerEntry = { scenario: parsed.data.scenario, reason: parsed.data.reason };
    if (parsed.data.link !== undefined) entry.link = parsed.data.link;
    const previous = seen.get(entry.scenario);
    if (previous !== undefined) {
      throw new LedgerError(file, `deviation #${i + 1}${named}: duplicates deviation #${previous + 1}; keep one entry per scenario`);
    }
    seen.set(entry.scenario, i);
    entries.push(entry);
  });
  return { target, file, entries };
}

/** Reads `<dir>/<target>.yaml` (or `file`); a target without a ledger file has no expected deviations. */
export function loadLedger(dir: string, target: string, file = `${dir}/${target}.yaml`): Ledger {
  if (!existsSync(file)) return { target, entries: [] };
  return parseLedger(readFileSync(file, 'utf8'), file, target);
}

/** The entry covering a scenario, by exact name or by line-independent id. */
export function ledgerEntryFor(ledger: Ledger, scenario: { id: string; name: string; baseId: string }): LedgerEntry | undefined {
  return ledger.entries.find((e) => e.scenario === scenario.id || e.scenario === scenario.baseId || e.scenario === scenario.name);
}
