import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCodedError } from '../agent/src/errors.ts';
import type { TargetRun } from '../reports/matrix.ts';
import type { ScenarioVerdict } from '../reports/verdicts.ts';
import { checkNamePattern, checkTagSyntax, failedPaths, featurePathArgs, shardPaths } from './selection.ts';

const cwd = process.cwd();
const oneLine = (code: string, pattern: RegExp) => (e: unknown) => isCodedError(e, code) && !(e as Error).message.includes('\n') && pattern.test((e as Error).message);

test('feature paths and file:line are taken as cucumber-js takes them', () => {
  assert.deepEqual(featurePathArgs(['features/factors/push.feature:11', 'features/duo', './features/factors/push.feature:11:15'], cwd), [
    'features/factors/push.feature:11',
    'features/duo',
    'features/factors/push.feature:11:15',
  ]);
});

test('a path that names nothing is one line with what to give', () => {
  assert.throws(() => featurePathArgs(['features/nope.feature'], cwd), oneLine('RUN_BAD_PATH', /no such feature file/));
  assert.throws(() => featurePathArgs(['package.json'], cwd), oneLine('RUN_BAD_PATH', /not a \.feature file/));
  assert.throws(() => featurePathArgs(['features/duo:3'], cwd), oneLine('RUN_BAD_PATH', /needs a feature file/));
  assert.throws(() => featurePathArgs(['features/factors/push.feature:99999'], cwd), oneLine('RUN_BAD_PATH', /names nothing/));
});

test('a bad --tags or --name is one line that says how to write it', () => {
  assert.doesNotThrow(() => checkTagSyntax('@area:factors and not (@slow or @browser)'));
  assert.throws(() => checkTagSyntax('@area:factors and'), oneLine('RUN_BAD_TAGS', /Expected operand\)\. Write tags/));
  assert.throws(() => checkTagSyntax('(@slow'), oneLine('RUN_BAD_TAGS', /Unmatched/));
  assert.doesNotThrow(() => checkNamePattern('Alice .* signs in'));
  assert.throws(() => checkNamePattern('push (pending'), oneLine('RUN_BAD_NAME', /Unterminated group\)\. Escape/));
});

function v(uri: string, line: number, verdict: ScenarioVerdict['verdict'], target = 'embedded'): ScenarioVerdict {
  return { id: `${uri}::${line}`, baseId: '', name: '', feature: '', uri, line, area: '', tags: [], noAgent: false, pickleId: '', target, verdict };
}

test('--rerun takes the scenarios that failed or passed unexpectedly on any target, once each, in file order', () => {
  const runs: TargetRun[] = [
    { target: 'embedded', verdicts: [v('features/b.feature', 3, 'fail'), v('features/a.feature', 9, 'pass'), v('features/a.feature', 4, 'unexpected-pass')] },
    { target: 'process', verdicts: [v('features/b.feature', 3, 'fail', 'process'), v('features/c.feature', 1, 'not-applicable', 'process')] },
  ];
  assert.deepEqual(failedPaths(runs), ['features/a.feature:4', 'features/b.feature:3']);
  assert.deepEqual(failedPaths([]), []);
});

test('a shard is file:line paths of its scenarios', () => {
  const scenarios = [1, 2, 3, 4].map((n) => ({ id: `s${n}`, uri: 'features/a.feature', line: n * 10 }));
  const all = [1, 2].flatMap((i) => shardPaths(scenarios, new Map(), { index: i, total: 2 }));
  assert.deepEqual(all.sort(), ['features/a.feature:10', 'features/a.feature:20', 'features/a.feature:30', 'features/a.feature:40']);
});
