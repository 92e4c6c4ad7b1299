// The closing tally of `npm test` (scripts/test.sh): unit tests, simulator checks and
// agent scenarios apart, and a last line CI can read: `tests: N passed, N failed`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const script = readFileSync(new URL('./test.sh', import.meta.url), 'utf8');

function tally(log: string, adoptionLog?: string): string[] {
  const fn = /^tally\(\) \{[\s\S]*?^\}$/m.exec(script)?.[0];
  assert.ok(fn, 'scripts/test.sh defines tally()');
  const dir = mkdtempSync(join(tmpdir(), 'rmh-tally-'));
  try {
    writeFileSync(join(dir, 'features.log'), log);
    const files = [join(dir, 'features.log')];
    if (adoptionLog !== undefined) {
      writeFileSync(join(dir, 'adoption.log'), adoptionLog);
      files.push(join(dir, 'adoption.log'));
    }
    return execFileSync('bash', ['-c', `${fn}\ntally "$@"`, 'tally', ...files], { encoding: 'utf8' }).trimEnd().split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the tally keeps unit tests, simulator checks and agent scenarios apart; its last line is the total', () => {
  const lines = tally(
    [
      'ℹ pass 812',
      'ℹ fail 1',
      'Summary (100 s):',
      '  embedded: 111 passed, 0 failed, 0 not applicable, 0 expected deviations, 0 unexpected passes',
      '  simulators: 33 passed, 0 failed, 0 not applicable, 0 expected deviations, 0 unexpected passes (the @no-agent scenarios, which never reach an agent: run once, counted for no target)',
      '  freeradius: 20 passed, 1 failed, 60 not applicable, 1 expected deviations, 2 unexpected passes',
    ].join('\n'),
  );
  assert.deepEqual(lines, [
    'unit tests: 812 passed, 1 failed',
    'simulator checks (@no-agent scenarios, run once): 33 passed, 0 failed',
    'agent scenarios: 131 passed, 3 failed (embedded 111 passed, 0 failed, 0 n/a, 0 expected deviations; freeradius 20 passed, 3 failed, 60 n/a, 1 expected deviations)',
    'tests: 976 passed, 4 failed',
  ]);
  assert.match(lines.at(-1)!, /^tests: \d+ passed, \d+ failed$/);
});

test("the adoption stage counts by its own closing line, not by its node runs' lines", () => {
  const lines = tally('ℹ pass 10\nℹ fail 0\n', 'ℹ pass 3\nℹ fail 1\nadoption: 3 passed, 1 failed\n');
  assert.deepEqual(lines, [
    'unit tests: 10 passed, 0 failed',
    'simulator checks (@no-agent scenarios, run once): 0 passed, 0 failed',
    'agent scenarios: 0 passed, 0 failed (none ran)',
    'adoption tests: 3 passed, 1 failed',
    'tests: 13 passed, 1 failed',
  ]);
});

function failures(stage: string, log: string): string[] {
  const fn = /^failures\(\) \{[\s\S]*?^\}$/m.exec(script)?.[0];
  assert.ok(fn, 'scripts/test.sh defines failures()');
  const dir = mkdtempSync(join(tmpdir(), 'rmh-failures-'));
  try {
    writeFileSync(join(dir, `${stage}.log`), log);
    const out = execFileSync('bash', ['-c', `${fn}\nfailures "$1" "$2"`, 'failures', stage, join(dir, `${stage}.log`)], { encoding: 'utf8' });
    return out.trimEnd().split('\n').filter((l) => l !== '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a failed stage's failures are named at the end: node's failing-tests list with each error's first line", () => {
  const log = [
    '✖ a flaky thing (0.8ms)', // the run's own line, before the closing list: not repeated
    'ℹ fail 1',
    '',
    '✖ failing tests:',
    '',
    'test at agent/src/x.test.ts:1:33',
    '✖ a flaky thing (0.8ms)',
    '  Error: boom',
    '      at TestContext.<anonymous> (file:///x.test.ts:1:67)',
  ].join('\n');
  assert.deepEqual(failures('unit', log), ['  [unit] test at agent/src/x.test.ts:1:33', '  [unit] ✖ a flaky thing (0.8ms)', '  [unit]   Error: boom']);
});

test("the harness's FAIL lines, the zoo's MISSED lines and tsc errors are named too, at most 20 a stage", () => {
  const features = Array.from({ length: 25 }, (_, i) => `    FAIL  features/a.feature:${i + 1}  Scenario ${i} — no reply`).join('\n');
  const named = failures('features', `  embedded: 0 passed, 25 failed\n${features}\n`);
  assert.equal(named.length, 20);
  assert.equal(named[0], '  [features]     FAIL  features/a.feature:1  Scenario 0 — no reply');
  assert.deepEqual(failures('zoo', '  caught  a  1 scenario(s)\n  MISSED  push-not-awaited  no scenario failed\n'), ['  [zoo]   MISSED  push-not-awaited  no scenario failed']);
  assert.deepEqual(failures('typecheck', "agent/src/a.ts(3,7): error TS2322: Type 'string' is not assignable\n"), [
    "  [typecheck] agent/src/a.ts(3,7): error TS2322: Type 'string' is not assignable",
  ]);
  assert.deepEqual(failures('lint', 'all good\n'), []);
});
