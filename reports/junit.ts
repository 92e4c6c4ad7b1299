/**
 * JUnit XML from verdicts, so that CI reads a run the way its exit code does.
 * Cucumber's own JUnit formatter knows nothing of ledgers or of "not
 * applicable" (it wrote a ledgered deviation as <failure> while the run passed,
 * and a bare <skipped/>).
 *
 *   pass                 <testcase/>
 *   fail                 <failure message="…" type="fail">…</failure>
 *   unexpected pass      <failure message="unexpected pass: …" type="unexpected-pass">
 *   not applicable       <skipped message="not applicable: <reason>"/>
 *   expected deviation   <skipped message="expected deviation: <reason>"/>
 *
 * Every test case carries <properties> with `verdict` (and `ledger` / `link`),
 * for tools that read them. Skipped is the one non-failing, non-passing state
 * both common readers show: GitLab's unit test reports count <failure> and
 * <error> as failed and <skipped> as skipped
 * (https://docs.gitlab.com/ci/testing/unit_test_reports, and
 * https://gitlab.com/gitlab-org/gitlab/-/merge_requests/28053 for skipped);
 * GitHub has no reader of its own and the usual actions (dorny/test-reporter,
 * mikepenz/action-junit-report) do the same. A run-level problem (a target
 * that could not be used, nothing checked, a stale ledger entry in a full run)
 * is one more test case with a <failure>, so a JUnit reader fails the run
 * exactly when the exit code does.
 */
import type { ScenarioVerdict } from './verdicts.ts';

export interface JunitSuite {
  /** e.g. 'radius-mfa-harness (freeradius)'. */
  name: string;
  verdicts: readonly ScenarioVerdict[];
  /** Run-level problems of this suite (each becomes a failing test case). */
  problems?: readonly string[];
  /** Run-level notes (each becomes a skipped test case saying so), e.g. an allowed unavailable target. */
  notes?: readonly string[];
}

/** XML 1.0 text: escapes markup and drops characters XML can't carry. */
export function xmlEscape(s: string): string {
  return (
    s
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing exactly the characters XML 1.0 forbids
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
  );
}

function attr(name: string, value: string | number): string {
  return ` ${name}="${xmlEscape(String(value))}"`;
}

function testcase(v: ScenarioVerdict): string {
  const props = [`<property${attr('name', 'verdict')}${attr('value', v.verdict)}/>`];
  if (v.ledger) {
    props.push(`<property${attr('name', 'ledger')}${attr('value', v.ledger.reason)}/>`);
    if (v.ledger.link) props.push(`<property${attr('name', 'link')}${attr('value', v.ledger.link)}/>`);
  }
  const open = `<testcase${attr('classname', v.feature)}${attr('name', `${v.name}${v.example ? ` [${Object.values(v.example).join(', ')}]` : ''}`)}${attr('file', v.uri)}${attr('line', v.line)}${attr('time', ((v.durationMs ?? 0) / 1000).toFixed(3))}>`;
  const reason = v.reason ?? '';
  let body = '';
  if (v.verdict === 'fail') body = `<failure${attr('message', reason)}${attr('type', 'fail')}>${xmlEscape(reason)}</failure>`;
  else if (v.verdict === 'unexpected-pass') body = `<failure${attr('message', `unexpected pass: ${reason}`)}${attr('type', 'unexpected-pass')}>${xmlEscape(reason)}</failure>`;
  else if (v.verdict === 'not-applicable') body = `<skipped${attr('message', `not applicable: ${reason}`)}/>`;
  else if (v.verdict === 'expected-deviation') body = `<skipped${attr('message', `expected deviation: ${reason}`)}/>`;
  return `    ${open}<properties>${props.join('')}</properties>${body}</testcase>`;
}

/** One <testsuites> document with a suite per entry. */
export function renderJunit(suites: readonly JunitSuite[]): string {
  const parts = suites.map((s) => {
    const problems = s.problems ?? [];
    const notes = s.notes ?? [];
    const failures = s.verdicts.filter((v) => v.verdict === 'fail' || v.verdict === 'unexpected-pass').length + problems.length;
    const skipped = s.verdicts.filter((v) => v.verdict === 'not-applicable' || v.verdict === 'expected-deviation').length + notes.length;
    const tests = s.verdicts.length + problems.length + notes.length;
    const time = s.verdicts.reduce((t, v) => t + (v.durationMs ?? 0), 0) / 1000;
    const cases = s.verdicts.map(testcase);
    for (const p of problems) {
      cases.push(`    <testcase${attr('classname', 'run')}${attr('name', p)}${attr('time', '0.000')}><failure${attr('message', p)}${attr('type', 'run')}>${xmlEscape(p)}</failure></testcase>`);
    }
    for (const n of notes) cases.push(`    <testcase${attr('classname', 'run')}${attr('name', n)}${attr('time', '0.000')}><skipped${attr('message', n)}/></testcase>`);
    return `  <testsuite${attr('name', s.name)}${attr('tests', tests)}${attr('failures', failures)}${attr('errors', 0)}${attr('skipped', skipped)}${attr('time', time.toFixed(3))}>\n${cases.join('\n')}\n  </testsuite>`;
  });
  const all = suites.flatMap((s) => s.verdicts);
  const failures = all.filter((v) => v.verdict === 'fail' || v.verdict === 'unexpected-pass').length + suites.reduce((n, s) => n + (s.problems?.length ?? 0), 0);
  const tests = all.length + suites.reduce((n, s) => n + (s.problems?.length ?? 0) + (s.notes?.length ?? 0), 0);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${attr('name', 'radius-mfa-harness')}${attr('tests', tests)}${attr('failures', failures)}>\n${parts.join('\n')}\n</testsuites>\n`;
}
