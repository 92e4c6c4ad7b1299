// Issue 7: "a new scenario made only of catalogued steps runs without new code".
// A QA engineer's brand-new feature file, written only from the catalogue's
// example lines (several areas mixed), runs green against the embedded agent
// with the suite's support code as it is. (That a step nobody wrote fails the
// run with Cucumber's snippet is checked in catalogue.test.ts.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadStepCatalogue } from '../../cli/steps.ts';

const root = new URL('../../', import.meta.url).pathname;

/** Two scenarios as a QA engineer would put them together from the catalogue page: each line is some step's example. */
const SCENARIOS: ReadonlyArray<{ name: string; lines: string[] }> = [
  {
    name: 'Alice signs in to WorkSpaces with the code her phone shows',
    lines: [
      'Given Alice is a WorkSpaces user',
      'Given Alice has Okta Verify on her phone',
      'When she signs in to WorkSpaces with her current Okta Verify code',
      'Then she is signed in',
    ],
  },
  {
    name: 'Alice answers the password-first menu of a VPN with her code',
    lines: [
      'Given the RADIUS app asks for the password first',
      'Given Alice is a WorkSpaces user',
      'Given Alice has Okta Verify on her phone',
      'When she signs in to the VPN with her password',
      'Then she is asked to choose a factor from "1 Okta Verify push, 2 Okta Verify code"',
      'When she answers with her current Okta Verify code',
      'Then she is signed in to the VPN',
    ],
  },
];

test('a new feature file made only of catalogued example steps runs green, without new code', async () => {
  const catalogue = await loadStepCatalogue(root);
  const examples = new Map(catalogue.map((e) => [e.example, e]));
  const areas = new Set<string>();
  for (const line of SCENARIOS.flatMap((s) => s.lines)) {
    const entry = examples.get(line);
    assert.ok(entry, `"${line}" is not the example of any catalogued step`);
    areas.add(entry.area);
  }
  assert.ok(areas.size >= 4, `the scenarios mix steps of several areas (${[...areas].join(', ')})`);

  const dir = mkdtempSync(join(tmpdir(), 'rmh-authoring-'));
  try {
    const feature = join(dir, 'written-from-the-catalogue.feature');
    const text = [
      '@area:modes @needs:okta-mock @needs:primary-auth',
      'Feature: Written from the step catalogue only',
      '',
      ...SCENARIOS.flatMap((s) => [`  Scenario: ${s.name}`, ...s.lines.map((l) => `    ${l}`), '']),
    ].join('\n');
    writeFileSync(feature, text);
    const r = spawnSync(process.execPath, [join(root, 'node_modules/@cucumber/cucumber/bin/cucumber.js'), feature, '--format', 'summary'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, RMH_TARGET: 'embedded', RMH_PARALLEL: '0' },
    });
    const output = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.status, 0, `the run failed:\n${output}`);
    assert.match(r.stdout, new RegExp(`${SCENARIOS.length} scenarios \\(${SCENARIOS.length} passed\\)`), output);
    // Every step (and hook) passed: none undefined, pending, skipped or failed.
    const counts = /(\d+) steps \((\d+) passed\)/.exec(r.stdout);
    assert.ok(counts && counts[1] === counts[2], output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
