import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderJunit } from './junit.ts';
import type { ScenarioVerdict } from './verdicts.ts';

function v(name: string, verdict: ScenarioVerdict['verdict'], reason?: string): ScenarioVerdict {
  return {
    target: 'freeradius',
    verdict,
    id: `protocol/x.feature::${name}`,
    baseId: `protocol/x.feature::${name}`,
    name,
    feature: 'RADIUS hygiene',
    uri: 'features/protocol/x.feature',
    line: 3,
    area: 'protocol',
    tags: [],
    noAgent: false,
    pickleId: name,
    ...(reason ? { reason } : {}),
  };
}

/** The elements inside each <testcase>, by name: what a JUnit reader (GitLab, the GitHub actions) decides on. */
function outcomes(xml: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of xml.matchAll(/<testcase [^>]*name="([^"]*)"[^>]*>(.*?)<\/testcase>/g)) {
    out[m[1]!] = /<failure/.test(m[2]!) ? 'failure' : /<skipped/.test(m[2]!) ? 'skipped' : 'passed';
  }
  return out;
}

test('JUnit agrees with the exit code: a ledgered deviation and not-applicable are skipped with their reasons, fails and unexpected passes are failures', () => {
  const xml = renderJunit([
    {
      name: 'radius-mfa-harness (freeradius)',
      verdicts: [
        v('passes', 'pass'),
        v('deviates', 'expected-deviation', 'FreeRADIUS 3.2.1 predates BlastRADIUS & has no MA (observed: "x" failed: <no MA>)'),
        v('not for it', 'not-applicable', 'target freeradius lacks okta-mock'),
        v('fails', 'fail', 'failed: the agent answers with Access-Accept: got Access-Reject'),
        v('passes unexpectedly', 'unexpected-pass', 'passes, but the ledger lists it'),
      ],
    },
  ]);
  assert.deepEqual(outcomes(xml), {
    passes: 'passed',
    deviates: 'skipped',
    'not for it': 'skipped',
    fails: 'failure',
    'passes unexpectedly': 'failure',
  });
  assert.match(xml, /<skipped message="expected deviation: FreeRADIUS 3\.2\.1 predates BlastRADIUS &amp; has no MA \(observed: &quot;x&quot; failed: &lt;no MA&gt;\)"\/>/);
  assert.match(xml, /<skipped message="not applicable: target freeradius lacks okta-mock"\/>/);
  assert.match(xml, /<property name="verdict" value="expected-deviation"\/>/);
  assert.match(xml, /<testsuite name="radius-mfa-harness \(freeradius\)" tests="5" failures="2" errors="0" skipped="2"/);
  // A reader that counts <failure> elements sees exactly the run's failures.
  assert.equal([...xml.matchAll(/<failure /g)].length, 2);
});

test('a run-level problem is a failing test case, so a run that exits 1 never has an all-green JUnit', () => {
  const xml = renderJunit([{ name: 'radius-mfa-harness (external)', verdicts: [v('n/a', 'not-applicable', 'target external is unavailable: nothing answers')], problems: ['external: unavailable — nothing answers'] }]);
  assert.equal(outcomes(xml)['external: unavailable — nothing answers'], 'failure');
  assert.match(xml, /failures="1"/);
  const noted = renderJunit([{ name: 's', verdicts: [v('a', 'pass')], notes: ['external: unavailable (allowed by --allow-unavailable)'] }]);
  assert.equal(outcomes(noted)['external: unavailable (allowed by --allow-unavailable)'], 'skipped');
});
