/**
 * The verdict of a zoo run, per variant: pure, no I/O.
 *
 * A variant is CAUGHT when at least one scenario failed on it with a failure
 * that matches one of its `caughtBy` patterns — the failure the defect it names
 * must cause. A scenario that fails for another reason (a crash, a time-out of
 * the lab) proves nothing about the defect and does not count; a variant that
 * no scenario catches fails the run, and says so by name.
 *
 * A failure reason is what reports/verdicts.ts writes for a failed scenario:
 *   "<status>: <step text>: <message>"   e.g.
 *   'failed: she is refused: AssertionError: Alice was signed in …'
 * `step` is matched against the step text, `message` against the message; a
 * pattern with both needs both.
 */

import { HOOK_FAILURE_STEP } from '../../../reports/verdicts.ts';

export interface CaughtBy {
  /** The failing step's text (e.g. /first attribute is Message-Authenticator/). */
  step?: RegExp;
  /** The failure message (e.g. /answered/). */
  message?: RegExp;
}

/** What the judge needs of a scenario's verdict (a subset of reports/verdicts.ts ScenarioVerdict). */
export interface JudgedScenario {
  id: string;
  verdict: string;
  reason?: string;
}

export interface ZooJudgement {
  variant: string;
  caught: boolean;
  /** Ids of the scenarios whose failure matches `caughtBy`, in run order. */
  caughtBy: string[];
  /** Ids of scenarios that failed for some other reason (shown, never counted as catching). */
  otherFailures: string[];
  /** One line for people: who caught it, or that nothing did. */
  reason: string;
}

/** Splits "<status>: <step text>: <message>" (status optional). */
export function splitFailure(reason: string): { step: string; message: string } {
  const rest = reason.replace(/^(failed|undefined|pending|ambiguous|unknown|skipped): /i, '');
  const at = rest.indexOf(': ');
  return at < 0 ? { step: rest, message: '' } : { step: rest.slice(0, at), message: rest.slice(at + 2) };
}

export function failureMatches(reason: string, pattern: CaughtBy): boolean {
  if (!pattern.step && !pattern.message) return false; // an empty pattern would catch anything
  const { step, message } = splitFailure(reason);
  return (pattern.step ? pattern.step.test(step) : true) && (pattern.message ? pattern.message.test(message) : true);
}

/**
 * Whether a scenario with these steps could catch the variant at all: a failure names the
 * step that failed (a step of the scenario's own), so a pattern with a `step` needs a step of
 * the scenario to match it; a pattern without one could match any scenario. The zoo runs a
 * variant on these scenarios only: the others cannot catch it under the rule above, and
 * running them proved nothing but cost a tenth of `npm test`.
 */
export function couldCatch(variant: { caughtBy: readonly CaughtBy[] }, stepTexts: readonly string[]): boolean {
  // A failure in a hook is named HOOK_FAILURE_STEP (reports/verdicts.ts): any scenario has hooks.
  return variant.caughtBy.some((p) => p.step === undefined || p.step.test(HOOK_FAILURE_STEP) || stepTexts.some((t) => p.step!.test(t)));
}

export function judgeZoo(variant: { name: string; caughtBy: readonly CaughtBy[] }, verdicts: readonly JudgedScenario[]): ZooJudgement {
  const caughtBy: string[] = [];
  const otherFailures: string[] = [];
  for (const v of verdicts) {
    if (v.verdict !== 'fail') continue;
    if (v.reason && variant.caughtBy.some((p) => failureMatches(v.reason!, p))) caughtBy.push(v.id);
    else otherFailures.push(v.id);
  }
  const caught = caughtBy.length > 0;
  const others = otherFailures.length > 0 ? ` (${otherFailures.length} other failure(s) did not match its caughtBy)` : '';
  const reason = caught
    ? `caught by ${caughtBy.length} scenario(s): ${caughtBy.slice(0, 3).join('; ')}${caughtBy.length > 3 ? '; …' : ''}`
    : variant.caughtBy.length === 0
      ? `zoo variant ${variant.name} declares no caughtBy pattern, so nothing can prove it caught`
      : verdicts.length === 0
        ? `zoo variant ${variant.name} was NOT caught: no scenario ran on it (none has a step its caughtBy names, or its run did not start: see the run's log)`
        : `zoo variant ${variant.name} was NOT caught: no scenario failed for the reason it names${others}`;
  return { variant: variant.name, caught, caughtBy, otherFailures, reason };
}

/** Exit code of a zoo run: 0 only when every variant was caught. */
export function zooExitCode(judgements: readonly ZooJudgement[]): number {
  return judgements.length > 0 && judgements.every((j) => j.caught) ? 0 : 1;
}

/** The control (the zoo's wrappers with no defect) must pass everything, or the zoo proves nothing. */
export function judgeControl(verdicts: readonly JudgedScenario[]): { ok: boolean; failed: string[]; reason: string } {
  const failed = verdicts.filter((v) => v.verdict === 'fail').map((v) => v.id);
  return failed.length === 0
    ? { ok: true, failed, reason: 'the zoo control (wrappers, no defect) passed every scenario' }
    : {
        ok: false,
        failed,
        reason: `the zoo control (wrappers, no defect) is broken: ${failed.length} scenario(s) failed (${failed.slice(0, 3).join('; ')}) — the zoo's wrappers change behaviour, so its catches prove nothing`,
      };
}
