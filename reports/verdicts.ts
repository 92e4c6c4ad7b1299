/**
 * Verdicts: what each scenario's run against one target means for conformance,
 * and what the whole run means (its exit code). Pure — Cucumber's message
 * stream (envelopes) and the target's ledger in, verdicts out — so every rule
 * here is unit-tested with synthetic envelopes. The Cucumber plug-in
 * (reports/cucumber-plugin.ts) and `radius-mfa-harness run` both judge with it.
 *
 *   pass                a scenario that ran and passed
 *   fail                failed, undefined / pending / ambiguous steps, skipped
 *                       with no stated reason (a silent skip is never a pass),
 *                       failed otherwise than its ledger entry expects, or its
 *                       target became unavailable inside a worker
 *   not-applicable      skipped by the capability hook, with its marker saying
 *                       which capability the target lacks — or (only with
 *                       --allow-unavailable) the target could not be used
 *   expected-deviation  failed at the step and with a message its ledger entry
 *                       names (reported with the entry's reason)
 *   unexpected-pass     passed although the ledger lists it: as loud as a fail,
 *                       because the ledger (the reviewed baseline) is now wrong
 */
import type { Envelope, GherkinDocument, Pickle, TestStepResult } from '@cucumber/messages';
import { describeExpectation, entryKey, isExpectedFailure, type Ledger, type LedgerEntry, ledgerEntryFor } from './ledger.ts';
import { NO_AGENT_TAG } from './tags.ts';
import { TRACE_MEDIA_TYPE } from './trace.ts';

/** What a failure's reason names in place of a step's text when a hook failed (the zoo's judge reads it too). */
export const HOOK_FAILURE_STEP = 'a hook';

/** These must equal steps/support/verdict-markers.ts (the steps' side of the contract). */
export const NOT_APPLICABLE_MEDIA_TYPE = 'text/x.not-applicable';
export const TARGET_UNAVAILABLE_MEDIA_TYPE = 'text/x.target-unavailable';
export const EXPECTED_DEVIATION_MEDIA_TYPE = 'text/x.expected-deviation+json';
export const UNEXPECTED_PASS_MEDIA_TYPE = 'text/x.unexpected-pass';
const NOT_APPLICABLE_PREFIX = 'not applicable: ';

export type Verdict = 'pass' | 'fail' | 'not-applicable' | 'expected-deviation' | 'unexpected-pass';
export const VERDICTS: readonly Verdict[] = ['pass', 'fail', 'not-applicable', 'expected-deviation', 'unexpected-pass'];

/** The name under which scenarios tagged @no-agent are reported (apart from the targets). */
export const SIMULATORS = 'simulators';

/** A scenario (one pickle: an outline's example row is its own scenario). */
export interface ScenarioInfo {
  /** Line-independent id: `<path under features/>::<name>`, plus ` #n` when a file repeats a name. */
  id: string;
  /** `<path under features/>::<name>`, shared by an outline's rows. */
  baseId: string;
  /** For an outline row: the row's values by column header (what a ledger entry's `example` names). */
  example?: Record<string, string>;
  name: string;
  feature: string;
  /** As Cucumber has it, e.g. 'features/factors/push.feature'. */
  uri: string;
  line: number;
  /** First folder under features/ ('factors', 'protocol', …). */
  area: string;
  tags: string[];
  /** Tagged @no-agent: never touches the agent; judged once per run, under "simulators". */
  noAgent: boolean;
  pickleId: string;
}

export interface ScenarioVerdict extends ScenarioInfo {
  /** The target it ran against, or "simulators" for a @no-agent scenario. */
  target: string;
  verdict: Verdict;
  /** Why: the failure message, the missing capability, the ledger's reason. Never a secret. */
  reason?: string;
  /** For not-applicable: the capabilities the target lacks. */
  missing?: string[];
  /** Set when the target could not be used in the worker that ran this scenario: the reason. */
  unavailable?: string;
  ledger?: LedgerEntry;
  durationMs?: number;
}

/** A file attached to a scenario that the reports keep beside its trace (screenshots, Playwright traces). */
export interface KeptAttachment {
  fileName: string;
  mediaType: string;
  /** base64 */
  body: string;
}

export interface TargetVerdicts {
  target: string;
  verdicts: ScenarioVerdict[];
  /** The raw trace attachments (JSON) of each scenario's final attempt, by scenario id. */
  traces: Map<string, string[]>;
  /** Other files attached to each scenario's final attempt (screenshots, browser traces), by scenario id. */
  files: Map<string, KeptAttachment[]>;
  /** Ledger entries that matched no loaded scenario (stale, or outside the loaded features). */
  unmatchedLedgerEntries: LedgerEntry[];
  /** BeforeAll / AfterAll hooks that failed (one line each): the run fails. */
  hookFailures: string[];
}

export type Summary = Record<Verdict, number> & { total: number };

const STATUS_RANK: Record<string, number> = {
  PASSED: 0,
  SKIPPED: 1,
  UNKNOWN: 2,
  PENDING: 3,
  UNDEFINED: 4,
  AMBIGUOUS: 5,
  FAILED: 6,
};

// text/plain: agent.log, the last lines of an agent the harness started, on a failed scenario (steps/support/hooks.ts).
const KEPT_MEDIA_TYPES = new Set(['image/png', 'image/jpeg', 'application/zip', 'text/plain']);

function areaOf(uri: string): string {
  const rel = uri.replace(/^(\.\/)?features\//, '');
  const slash = rel.indexOf('/');
  return slash > 0 ? rel.slice(0, slash) : '(root)';
}

export function featurePath(uri: string): string {
  return uri.replace(/^(\.\/)?features\//, '');
}

function decodeBody(a: { body: string; contentEncoding: string }): string {
  return a.contentEncoding === 'BASE64' ? Buffer.from(a.body, 'base64').toString('utf8') : a.body;
}

/** Reads a not-applicable marker: its reason, and the capabilities named after "lacks". */
export function parseNotApplicable(body: string): { reason: string; missing: string[] } {
  const reason = body.startsWith(NOT_APPLICABLE_PREFIX) ? body.slice(NOT_APPLICABLE_PREFIX.length).trim() : body.trim();
  const m = /\blacks\s+(.+)$/.exec(reason);
  const missing = m
    ? m[1]!
        .split(/,\s*|\s+and\s+/)
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
  return { reason, missing };
}

/** Outline rows of a document: row id → { column header: value }. */
export function exampleRows(doc: GherkinDocument | undefined): Map<string, Record<string, string>> {
  const rows = new Map<string, Record<string, string>>();
  const children = doc?.feature?.children ?? [];
  const scenarios = children.flatMap((c) => [c.scenario, ...(c.rule?.children ?? []).map((r) => r.scenario)]);
  for (const s of scenarios) {
    for (const ex of s?.examples ?? []) {
      const header = ex.tableHeader?.cells.map((c) => c.value) ?? [];
      for (const row of ex.tableBody) rows.set(row.id, Object.fromEntries(row.cells.map((c, i) => [header[i] ?? `column ${i + 1}`, c.value])));
    }
  }
  return rows;
}

/** The example row of a pickle (an outline's row), if it is one. */
export function exampleOf(pickle: Pick<Pickle, 'astNodeIds'>, rows: Map<string, Record<string, string>>): Record<string, string> | undefined {
  for (const id of pickle.astNodeIds.slice(1)) {
    const row = rows.get(id);
    if (row) return row;
  }
  return undefined;
}

/** The scenarios (pickles) a stream describes, with stable ids, in file order. */
export function scenariosOf(envelopes: readonly Envelope[]): ScenarioInfo[] {
  const docs = new Map<string, GherkinDocument>();
  const locations = new Map<string, number>();
  const rows = new Map<string, Record<string, string>>();
  const pickles: Pickle[] = [];
  for (const e of envelopes) {
    if (e.gherkinDocument?.uri) {
      docs.set(e.gherkinDocument.uri, e.gherkinDocument);
      const children = e.gherkinDocument.feature?.children ?? [];
      const scenarios = children.flatMap((c) => [c.scenario, ...(c.rule?.children ?? []).map((r) => r.scenario)]);
      for (const s of scenarios) {
        if (!s) continue;
        locations.set(s.id, s.location.line);
        for (const ex of s.examples) for (const row of ex.tableBody) locations.set(row.id, row.location.line);
      }
      for (const [id, row] of exampleRows(e.gherkinDocument)) rows.set(id, row);
    }
    if (e.pickle) pickles.push(e.pickle);
  }
  const lineOf = (p: Pickle): number =>
    p.location?.line ?? locations.get(p.astNodeIds[p.astNodeIds.length - 1] ?? '') ?? locations.get(p.astNodeIds[0] ?? '') ?? 0;
  const ordered = [...pickles].sort((a, b) => a.uri.localeCompare(b.uri) || lineOf(a) - lineOf(b));
  const countByBase = new Map<string, number>();
  for (const p of ordered) {
    const base = `${featurePath(p.uri)}::${p.name}`;
    countByBase.set(base, (countByBase.get(base) ?? 0) + 1);
  }
  const seenByBase = new Map<string, number>();
  return ordered.map((p) => {
    const baseId = `${featurePath(p.uri)}::${p.name}`;
    const n = (seenByBase.get(baseId) ?? 0) + 1;
    seenByBase.set(baseId, n);
    const tags = p.tags.map((t) => t.name);
    const info: ScenarioInfo = {
      id: (countByBase.get(baseId) ?? 1) > 1 ? `${baseId} #${n}` : baseId,
      baseId,
      name: p.name,
      feature: docs.get(p.uri)?.feature?.name ?? featurePath(p.uri),
      uri: p.uri,
      line: lineOf(p),
      area: areaOf(p.uri),
      tags,
      noAgent: tags.includes(NO_AGENT_TAG),
      pickleId: p.id,
    };
    const example = exampleOf(p, rows);
    if (example) info.example = example;
    return info;
  });
}

function firstLine(s: string | undefined): string | undefined {
  if (!s) return undefined;
  const line = s.split('\n').find((l) => l.trim().length > 0);
  return line?.trim().slice(0, 500);
}

/** The message a failed step reports, without its stack. */
function messageOf(r: TestStepResult): string {
  const full = r.message ?? r.exception?.message ?? r.status.toLowerCase();
  const stack = full.search(/\n\s+at /);
  return (stack > 0 ? full.slice(0, stack) : full).trim();
}

interface StepOutcome {
  result: TestStepResult;
  /** The pickle step's text, or undefined for a hook. */
  text: string | undefined;
}

/** Verdicts of one target's Cucumber run. */
export function computeVerdicts(target: string, envelopes: readonly Envelope[], ledger?: Ledger): TargetVerdicts {
  const scenarios = scenariosOf(envelopes);
  const testCaseByPickle = new Map<string, string>();
  const startsByTestCase = new Map<string, string[]>();
  const finished = new Map<string, boolean>(); // testCaseStartedId -> willBeRetried
  const steps = new Map<string, StepOutcome[]>();
  const stepText = new Map<string, string | undefined>(); // testStepId -> step text (undefined: a hook)
  const pickleStepText = new Map<string, string>();
  const attachments = new Map<string, Array<{ mediaType: string; body: string; raw: string; encoding: string; fileName?: string }>>();
  const hookFailures: string[] = [];

  for (const e of envelopes) {
    if (e.pickle) for (const s of e.pickle.steps) pickleStepText.set(s.id, s.text);
    if (e.testCase) {
      testCaseByPickle.set(e.testCase.pickleId, e.testCase.id);
      for (const s of e.testCase.testSteps) stepText.set(s.id, s.pickleStepId ? (pickleStepText.get(s.pickleStepId) ?? 'a step') : undefined);
    }
    if (e.testCaseStarted) {
      const list = startsByTestCase.get(e.testCaseStarted.testCaseId) ?? [];
      list.push(e.testCaseStarted.id);
      startsByTestCase.set(e.testCaseStarted.testCaseId, list);
    }
    if (e.testCaseFinished) finished.set(e.testCaseFinished.testCaseStartedId, e.testCaseFinished.willBeRetried);
    if (e.testStepFinished) {
      const id = e.testStepFinished.testCaseStartedId;
      const list = steps.get(id) ?? [];
      list.push({ result: e.testStepFinished.testStepResult, text: stepText.get(e.testStepFinished.testStepId) });
      steps.set(id, list);
    }
    if (e.attachment?.testCaseStartedId) {
      const list = attachments.get(e.attachment.testCaseStartedId) ?? [];
      const a = e.attachment;
      list.push({ mediaType: a.mediaType, body: decodeBody(a), raw: a.body, encoding: a.contentEncoding, ...(a.fileName ? { fileName: a.fileName } : {}) });
      attachments.set(a.testCaseStartedId!, list);
    }
    const hook = e.testRunHookFinished;
    if (hook && hook.result.status !== 'PASSED' && hook.result.status !== 'SKIPPED') {
      hookFailures.push(`a BeforeAll/AfterAll hook ${hook.result.status.toLowerCase()}: ${firstLine(messageOf(hook.result)) ?? ''}`);
    }
  }

  const verdicts: ScenarioVerdict[] = [];
  const traces = new Map<string, string[]>();
  const files = new Map<string, KeptAttachment[]>();
  for (const s of scenarios) {
    const testCaseId = testCaseByPickle.get(s.pickleId);
    if (testCaseId === undefined) continue; // filtered out of this run
    const base: ScenarioVerdict = { ...s, target: s.noAgent ? SIMULATORS : target, verdict: 'pass' };
    // A @no-agent scenario never meets the target, so no ledger entry of a target applies to it.
    const entry = s.noAgent ? undefined : ledgerEntryFor(ledger, s);
    if (entry) base.ledger = entry;
    const starts = startsByTestCase.get(testCaseId) ?? [];
    const last = starts.find((id) => finished.get(id) === false) ?? starts[starts.length - 1];
    if (last === undefined) {
      verdicts.push({ ...base, verdict: 'fail', reason: 'did not run: the run ended before this scenario started' });
      continue;
    }
    const results = steps.get(last) ?? [];
    const atts = attachments.get(last) ?? [];
    traces.set(
      s.id,
      atts.filter((a) => a.mediaType === TRACE_MEDIA_TYPE).map((a) => a.body),
    );
    const kept = atts
      .filter((a) => KEPT_MEDIA_TYPES.has(a.mediaType))
      .map((a, i) => ({
        fileName: a.fileName ?? `attachment-${i + 1}.${a.mediaType === 'application/zip' ? 'zip' : a.mediaType.split('/')[1]}`,
        mediaType: a.mediaType,
        body: a.encoding === 'BASE64' ? a.raw : Buffer.from(a.raw, 'utf8').toString('base64'),
      }));
    if (kept.length > 0) files.set(s.id, kept);
    const durationMs = Math.round(results.reduce((ms, r) => ms + r.result.duration.seconds * 1000 + r.result.duration.nanos / 1e6, 0));
    const marker = (type: string) => atts.find((a) => a.mediaType === type);
    const worst = results.reduce<StepOutcome | undefined>(
      (w, r) => (w === undefined || (STATUS_RANK[r.result.status] ?? 2) > (STATUS_RANK[w.result.status] ?? 2) ? r : w),
      undefined,
    );
    const firstFailure = results.find((r) => r.result.status !== 'PASSED' && r.result.status !== 'SKIPPED');
    const clean = worst === undefined || worst.result.status === 'SKIPPED' || worst.result.status === 'PASSED';
    const unavailable = marker(TARGET_UNAVAILABLE_MEDIA_TYPE);
    const na = marker(NOT_APPLICABLE_MEDIA_TYPE);
    const deviation = marker(EXPECTED_DEVIATION_MEDIA_TYPE);
    const unexpected = marker(UNEXPECTED_PASS_MEDIA_TYPE);
    const at = { ...base, durationMs };
    let v: ScenarioVerdict;
    if (unavailable && !(na && clean)) {
      v = { ...at, verdict: 'fail', unavailable: unavailable.body.trim(), reason: `target ${target} is unavailable: ${unavailable.body.trim()}` };
    } else if (na && clean) {
      const { reason, missing } = parseNotApplicable(na.body);
      v = { ...at, verdict: 'not-applicable', reason, missing };
    } else if (!finished.has(last)) {
      v = { ...at, verdict: 'fail', reason: 'did not finish (the worker stopped or crashed)' };
    } else if (deviation && clean) {
      let observed: { step?: string; message?: string } = {};
      try {
        observed = JSON.parse(deviation.body) as typeof observed;
      } catch {
        // An unreadable marker is judged below as a deviation without its details.
      }
      if (entry && observed.step !== undefined && isExpectedFailure(entry, observed.step, observed.message ?? '')) {
        v = { ...at, verdict: 'expected-deviation', reason: `${entry.reason} (observed: "${observed.step}" failed: ${firstLine(observed.message) ?? ''})` };
      } else {
        v = { ...at, verdict: 'fail', reason: `marked as an expected deviation, but the ledger${ledger?.file ? ` ${ledger.file}` : ''} has no entry for this failure (step "${observed.step ?? '?'}")` };
      }
    } else if (unexpected || (entry && (worst === undefined || worst.result.status === 'PASSED'))) {
      v = {
        ...at,
        verdict: 'unexpected-pass',
        reason: `passes, but the ledger${ledger?.file ? ` ${ledger.file}` : ''} lists it as a deviation ("${entry?.reason ?? unexpected?.body.trim() ?? ''}"): if the target was fixed, remove the entry`,
      };
    } else if (worst === undefined || worst.result.status === 'PASSED') {
      v = { ...at, verdict: 'pass' };
    } else if (worst.result.status === 'SKIPPED') {
      v = { ...at, verdict: 'fail', reason: 'skipped without a not-applicable reason: declare what it needs with @needs:<capability> instead' };
    } else {
      const failing = firstFailure ?? worst;
      const message = messageOf(failing.result);
      const where = failing.text ?? HOOK_FAILURE_STEP;
      const said = `${failing.result.status.toLowerCase()}: ${where}: ${firstLine(message) ?? failing.result.status.toLowerCase()}`;
      if (entry && failing.result.status === 'FAILED' && isExpectedFailure(entry, failing.text, message)) {
        v = { ...at, verdict: 'expected-deviation', reason: `${entry.reason} (observed: "${where}" failed: ${firstLine(message) ?? ''})` };
      } else if (entry) {
        v = { ...at, verdict: 'fail', reason: `${said} — not the deviation the ledger expects (${describeExpectation(entry)})` };
      } else {
        v = { ...at, verdict: 'fail', reason: said };
      }
    }
    verdicts.push(v);
  }
  const all = scenariosOf(envelopes);
  const unmatchedLedgerEntries = (ledger?.entries ?? []).filter((e) => !all.some((s) => !s.noAgent && ledgerEntryFor({ target, entries: [e] }, s)));
  return { target, verdicts, traces, files, unmatchedLedgerEntries, hookFailures };
}

/** Every scenario not applicable because the target could not be used at all (only with --allow-unavailable). */
export function unavailableVerdicts(target: string, scenarios: readonly ScenarioInfo[], reason: string): ScenarioVerdict[] {
  return scenarios.map((s) => ({ ...s, target, verdict: 'not-applicable', reason: `target ${target} is unavailable: ${reason}`, missing: [], unavailable: reason }));
}

export function summarize(verdicts: readonly ScenarioVerdict[]): Summary {
  const s: Summary = { total: 0, pass: 0, fail: 0, 'not-applicable': 0, 'expected-deviation': 0, 'unexpected-pass': 0 };
  for (const v of verdicts) {
    s[v.verdict]++;
    s.total++;
  }
  return s;
}

/** 'N passed, N failed, N not applicable, N expected deviations, N unexpected passes'. */
export function formatSummary(s: Summary): string {
  return `${s.pass} passed, ${s.fail} failed, ${s['not-applicable']} not applicable, ${s['expected-deviation']} expected deviations, ${s['unexpected-pass']} unexpected passes`;
}

/** Non-zero when anything failed or passed unexpectedly (a ledger that no longer matches). */
export function exitCodeFor(all: readonly ScenarioVerdict[]): number {
  return all.some((v) => v.verdict === 'fail' || v.verdict === 'unexpected-pass') ? 1 : 0;
}

// ---------------------------------------------------------------------------
// The whole run

/** One target's part of a run, as the run's judgement sees it. */
export interface RunPart {
  target: string;
  /** Its agent scenarios (never @no-agent ones). */
  verdicts: readonly ScenarioVerdict[];
  /** Set when the target could not start at all. */
  unavailable?: string;
  unmatchedLedgerEntries?: readonly LedgerEntry[];
  ledgerFile?: string;
  hookFailures?: readonly string[];
}

export interface RunInput {
  targets: readonly RunPart[];
  /** The @no-agent scenarios, judged once. */
  simulators: readonly ScenarioVerdict[];
  /** Every feature was loaded and nothing was filtered out: stale ledger entries then fail the run. */
  fullSuite: boolean;
  /** --allow-unavailable / RMH_ALLOW_UNAVAILABLE=1: an unusable target is reported, not failed. */
  allowUnavailable: boolean;
}

export interface RunJudgement {
  exitCode: 0 | 1;
  /** Why the run fails, one line each (empty when it passes). */
  problems: string[];
  /** The problems that are not failing scenarios (those are already test cases in JUnit): unavailable, nothing checked, stale ledger entries, hook failures. */
  runProblems: string[];
  /** Worth saying, but not failing the run. */
  notes: string[];
}

function checked(v: ScenarioVerdict): boolean {
  return v.verdict !== 'not-applicable';
}

/**
 * The run's verdict. It fails (exit 1) when a scenario fails or passes
 * unexpectedly, a named target can't be used (at start or in a worker) unless
 * allowed, a target checked nothing (every selected agent scenario not
 * applicable), nothing at all was checked, a BeforeAll/AfterAll hook failed, or —
 * in a full-suite run — a ledger entry names no scenario.
 */
export function judgeRun(input: RunInput): RunJudgement {
  const problems: string[] = [];
  const scenarioProblems: string[] = [];
  const notes: string[] = [];
  for (const t of input.targets) {
    if (t.unavailable !== undefined) {
      if (input.allowUnavailable) notes.push(`${t.target}: unavailable — ${t.unavailable} (allowed by --allow-unavailable: its ${t.verdicts.length} scenarios are not applicable, nothing was checked on it)`);
      else problems.push(`${t.target}: unavailable — ${t.unavailable}`);
      continue;
    }
    const lost = t.verdicts.filter((v) => v.unavailable !== undefined);
    if (lost.length > 0) {
      const reasons = [...new Set(lost.map((v) => v.unavailable))];
      const line = `${t.target}: became unavailable during the run — ${reasons[0]}${reasons.length > 1 ? ` (and ${reasons.length - 1} other reasons)` : ''} (${lost.length} scenarios could not run)`;
      if (input.allowUnavailable && lost.every((v) => v.verdict === 'not-applicable')) notes.push(`${line}; allowed by --allow-unavailable`);
      else problems.push(line);
    }
    const bad = t.verdicts.filter((v) => (v.verdict === 'fail' && v.unavailable === undefined) || v.verdict === 'unexpected-pass');
    if (bad.length > 0) {
      const fails = bad.filter((v) => v.verdict === 'fail').length;
      const ups = bad.length - fails;
      const line = `${t.target}: ${[fails && `${fails} failed`, ups && `${ups} passed unexpectedly`].filter(Boolean).join(', ')}`;
      problems.push(line);
      scenarioProblems.push(line);
    }
    if (t.verdicts.length > 0 && !t.verdicts.some(checked) && lost.length === 0) {
      const reasons = new Map<string, number>();
      for (const v of t.verdicts) if (v.reason) reasons.set(v.reason, (reasons.get(v.reason) ?? 0) + 1);
      const top = [...reasons].sort((a, b) => b[1] - a[1])[0]?.[0];
      problems.push(`${t.target}: nothing was checked — all ${t.verdicts.length} selected agent scenarios are not applicable${top ? ` (e.g. ${top})` : ''}`);
    }
    for (const h of t.hookFailures ?? []) problems.push(`${t.target}: ${h}`);
    for (const e of t.unmatchedLedgerEntries ?? []) {
      const line = `${t.target}: ledger entry "${entryKey(e)}"${t.ledgerFile ? ` (${t.ledgerFile})` : ''} names no scenario: fix or remove it`;
      if (input.fullSuite) problems.push(line);
      else notes.push(`${line} (not failing: only part of the suite ran)`);
    }
  }
  const sim = input.simulators.filter((v) => v.verdict === 'fail' || v.verdict === 'unexpected-pass');
  if (sim.length > 0) {
    problems.push(`${SIMULATORS}: ${sim.length} failed`);
    scenarioProblems.push(problems.at(-1)!);
  }
  const anything = input.simulators.some(checked) || input.targets.some((t) => t.unavailable === undefined && t.verdicts.some(checked));
  // Said only when nothing else explains it (an unusable target already does).
  if (!anything && problems.length === 0) problems.push('nothing was checked: no scenario ran on any target or simulator');
  return { exitCode: problems.length > 0 ? 1 : 0, problems, runProblems: problems.filter((p) => !scenarioProblems.includes(p)), notes };
}
