import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JudgedScenario } from './judge.ts';
import { formatZooReport, judgeZooRun } from './report.ts';
import { ZOO_VARIANTS } from './variants.ts';

test('a zoo run passes only when every variant run is caught and the control passed; a missed one is named', () => {
  const [first, second] = ZOO_VARIANTS;
  const caught = (name: string): JudgedScenario[] => [{ id: `x::${name}`, verdict: 'fail', reason: `failed: ${caughtReason(name)}` }];
  const byTarget = new Map<string, JudgedScenario[]>([
    [`zoo:${first!.name}`, caught(first!.name)],
    [`zoo:${second!.name}`, [{ id: 'y::nothing', verdict: 'pass' }]],
    ['zoo:control', [{ id: 'z', verdict: 'pass' }]],
  ]);
  const r = judgeZooRun(byTarget);
  assert.equal(r.ok, false);
  assert.equal(r.variants.find((v) => v.variant === first!.name)?.caught, true);
  assert.equal(r.variants.find((v) => v.variant === second!.name)?.caught, false);
  assert.equal(r.missing.length, ZOO_VARIANTS.length - 2);
  assert.match(formatZooReport(r), new RegExp(`MISSED +${second!.name}`));
  byTarget.set(`zoo:${second!.name}`, caught(second!.name));
  assert.equal(judgeZooRun(byTarget).ok, true);
  byTarget.set('zoo:control', [{ id: 'z', verdict: 'fail', reason: 'failed: a: b' }]);
  assert.equal(judgeZooRun(byTarget).ok, false, 'a broken control fails the zoo run');
});

/** A failure text that matches the variant's first caughtBy pattern (the two variants the test uses). */
function caughtReason(name: string): string {
  if (name === 'ma-not-verified') return 'a RADIUS client sends a tampered Message-Authenticator: AssertionError: the agent answered';
  if (name === 'ma-not-required') return 'the agent does not answer: AssertionError: the agent answered';
  throw new Error(`no sample failure for ${name}`);
}
