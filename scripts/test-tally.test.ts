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
