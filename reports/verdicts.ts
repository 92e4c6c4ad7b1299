/**
 * Verdicts: what each scenario's run against one target means for conformance.
 * Pure — Cucumber's message stream (envelopes) and the target's ledger in,
 * verdicts out — so every rule here is unit-tested with synthetic envelopes.
 *
 *   pass                a scenario that ran and passed
 *   fail                failed, undefined / pending / ambiguous steps, or skipped
 *                       with no stated reason (a silent skip is never a pass)
 *   not-applicable      skipped by the capability hook, with its marker saying
 *                       which capability the target lacks — or the target could
 *                       not start at all
 *   expected-deviation  failed, and the target's ledger lists it (with a reason)
 *   unexpected-pass     passed although the ledger lists it: as loud as a fail,
 *                       because the ledger (the reviewed baseline) is now wrong
 */
import type { Envelope, GherkinDocument, Pickle, TestStepResult } from '@cucumber/messages';
import { type Ledger, type LedgerEntry, ledgerEntryFor } from './ledger.ts';
import { TRACE_MEDIA_TYPE } from './trace.ts';

/** Must equal steps/support/verdict-markers.ts (the steps' side of the contract). */
export const NOT_APPLICABLE_MEDIA_TYPE = 'text/x.not-applicable';
const NOT_APPLICABLE_PREFIX = 'not applicable: ';

export type Verdict = 'pass' | 'fail' | 'not-applicable' | 'expected-deviation' | 'unexpected-pass';
export const VERDICTS: readonly Verdict[] = ['pass', 'fail', 'not-applicable', 'expected-deviation', 'unexpected-pass'];

/** A scenario (one pickle: an outline's example row is its own scenario). */
export interface ScenarioInfo {
  /** Line-independent id: `<path under features/>::<name>`, plus ` #n` when a file repeats a name. */
  id: string;
  /** `<path under features/>::<name>`, shared by an outline's rows (a ledger entry may cover them all). */
  baseId: string;
  name: string;
  feature: string;
  /** As Cucumber has it, e.g. 'features/factors/push.feature'. */
  uri: string;
  line: number;
  /** First folder under features/ ('factors', 'protocol', …). */
  area: string;
  tags: string[];
  pickleId: string;
}

export interface ScenarioVerdict extends ScenarioInfo {
  target: string;
  verdict: Verdict;
  /** Why: the failure message, the missing capability, the ledger's reason. Never a secret. */
  reason?: string;
  /** For not-applicable: the capabilities the target lacks. */
  missing?: string[];
  ledger?: LedgerEntry;
  durationMs?: number;
}

export interface TargetVerdicts {
  target: string;
  verdicts: ScenarioVerdict[];
  /** The raw trace attachments (JSON) of each scenario's final attempt, by scenario id. */
  traces: Map<string, string[]>;
  /** Ledger entries that matched no scenario of this run (stale, or outside the selection). */
  unmatchedLedgerEntries: LedgerEntry[];
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

function areaOf(uri: string): string {
  const rel = uri.replace(/^(\.\/)?features\//, '');
  const slash = rel.indexOf('/');
  return slash > 0 ? rel.slice(0, slash) : '(root)';
}

function featurePath(uri: string): string {
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

/** The scenarios (pickles) a stream describes, with stable ids, in file order. */
export function scenariosOf(envelopes: readonly Envelope[]): ScenarioInfo[] {
  const docs = new Map<string, GherkinDocument>();
  const locations = new Map<string, number>();
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
    return {
      id: (countByBase.get(baseId) ?? 1) > 1 ? `${baseId} #${n}` : baseId,
      baseId,
      name: p.name,
      feature: docs.get(p.uri)?.feature?.name ?? featurePath(p.uri),
      uri: p.uri,
      line: lineOf(p),
      area: areaOf(p.uri),
      tags: p.tags.map((t) => t.name),
      pickleId: p.id,
    };
  });
}

function firstLine(s: string | undefined): string | undefined {
  if (!s) return undefined;
  const line = s.split('\n').find((l) => l.trim().length > 0);
  return line?.trim().slice(0, 500);
}

function applyLedger(v: ScenarioVerdict, ledger: Ledger | undefined): ScenarioVerdict {
  const entry = ledger ? ledgerEntryFor(ledger, v) : undefined;
  if (!entry) return v;
  if (v.verdict === 'fail') {
    const failure = v.reason;
    return { ...v, verdict: 'expected-deviation', ledger: entry, reason: entry.reason + (failure ? ` (observed: ${failure})` : '') };
  }
  if (v.verdict === 'pass') {
    return {
      ...v,
      verdict: 'unexpected-pass',
      ledger: entry,
      reason: `passes, but the ledger${ledger?.file ? ` ${ledger.file}` : ''} lists it as a deviation ("${entry.reason}"): if the target was fixed, remove the entry`,
    };
  }
  return { ...v, ledger: entry };
}

/** Verdicts of one target's Cucumber run. */
export function computeVerdicts(target: string, envelopes: readonly Envelope[], ledger?: Ledger): TargetVerdicts {
  const scenarios = scenariosOf(envelopes);
  const testCaseByPickle = new Map<string, string>();
  const startsByTestCase = new Map<string, string[]>();
  const finished = new Map<string, boolean>(); // testCaseStartedId -> willBeRetried
  const steps = new Map<string, TestStepResult[]>();
  const stepText = new Map<string, string>(); // testStepId -> step text
  const pickleStepText = new Map<string, string>();
  const attachments = new Map<string, Array<{ mediaType: string; body: string }>>();

  for (const e of envelopes) {
    if (e.pickle) for (const s of e.pickle.steps) pickleStepText.set(s.id, s.text);
    if (e.testCase) {
      testCaseByPickle.set(e.testCase.pickleId, e.testCase.id);
      for (const s of e.testCase.testSteps) {
        stepText.set(s.id, s.pickleStepId ? (pickleStepText.get(s.pickleStepId) ?? 'a step') : 'a hook');
      }
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
      const result = e.testStepFinished.testStepResult;
      const text = stepText.get(e.testStepFinished.testStepId);
      list.push(text && result.status !== 'PASSED' && result.status !== 'SKIPPED' ? { ...result, message: `${text}: ${result.message ?? result.exception?.message ?? result.status.toLowerCase()}` } : result);
      steps.set(id, list);
    }
    if (e.attachment?.testCaseStartedId) {
      const list = attachments.get(e.attachment.testCaseStartedId) ?? [];
      list.push({ mediaType: e.attachment.mediaType, body: decodeBody(e.attachment) });
      attachments.set(e.attachment.testCaseStartedId, list);
    }
  }

  const verdicts: ScenarioVerdict[] = [];
  const traces = new Map<string, string[]>();
  for (const s of scenarios) {
    const testCaseId = testCaseByPickle.get(s.pickleId);
    if (testCaseId === undefined) continue; // filtered out of this run
    const starts = startsByTestCase.get(testCaseId) ?? [];
    const last = starts.find((id) => finished.get(id) === false) ?? starts[starts.length - 1];
    const base = { ...s, target };
    if (last === undefined) {
      verdicts.push(applyLedger({ ...base, verdict: 'fail', reason: 'did not run: the run ended before this scenario started' }, ledger));
      continue;
    }
    const results = steps.get(last) ?? [];
    const atts = attachments.get(last) ?? [];
    traces.set(
      s.id,
      atts.filter((a) => a.mediaType === TRACE_MEDIA_TYPE).map((a) => a.body),
    );
    const durationMs = Math.round(results.reduce((ms, r) => ms + r.duration.seconds * 1000 + r.duration.nanos / 1e6, 0));
    const marker = atts.find((a) => a.mediaType === NOT_APPLICABLE_MEDIA_TYPE);
    const worst = results.reduce<TestStepResult | undefined>(
      (w, r) => (w === undefined || (STATUS_RANK[r.status] ?? 2) > (STATUS_RANK[w.status] ?? 2) ? r : w),
      undefined,
    );
    let v: ScenarioVerdict;
    if (marker && (worst === undefined || worst.status === 'SKIPPED' || worst.status === 'PASSED')) {
      const { reason, missing } = parseNotApplicable(marker.body);
      v = { ...base, verdict: 'not-applicable', reason, missing, durationMs };
    } else if (!finished.has(last)) {
      v = { ...base, verdict: 'fail', reason: 'did not finish (the worker stopped or crashed)', durationMs };
    } else if (worst === undefined || worst.status === 'PASSED') {
      v = { ...base, verdict: 'pass', durationMs };
    } else if (worst.status === 'SKIPPED') {
      v = {
        ...base,
        verdict: 'fail',
        reason: 'skipped without a not-applicable reason: declare what it needs with @needs:<capability> instead',
        durationMs,
      };
    } else {
      const msg = firstLine(worst.message) ?? firstLine(worst.exception?.message) ?? worst.status.toLowerCase();
      v = { ...base, verdict: 'fail', reason: `${worst.status.toLowerCase()}: ${msg}`, durationMs };
    }
    verdicts.push(applyLedger(v, ledger));
  }
  const matched = new Set(verdicts.filter((v) => v.ledger).map((v) => v.ledger!.scenario));
  return { target, verdicts, traces, unmatchedLedgerEntries: (ledger?.entries ?? []).filter((e) => !matched.has(e.scenario)) };
}

/** Every scenario not applicable because the target could not be used at all. */
export function unavailableVerdicts(target: string, scenarios: readonly ScenarioInfo[], reason: string): TargetVerdicts {
  return {
    target,
    verdicts: scenarios.map((s) => ({ ...s, target, verdict: 'not-applicable', reason: `target ${target} is unavailable: ${reason}`, missing: [] })),
    traces: new Map(),
    unmatchedLedgerEntries: [],
  };
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
