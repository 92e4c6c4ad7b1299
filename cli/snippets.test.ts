import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import type { Envelope } from '@cucumber/messages';
import { catalogueSnippet, undefinedStepLines, undefinedSteps } from './snippets.ts';

test("Cucumber's snippet becomes a stepsFor registration with typed parameters, a description and the example line", () => {
  const code = "When('Alice waits {int} minutes for {string}', async function (int, string) {\n  // Write code here\n  return 'pending';\n});";
  assert.equal(
    catalogueSnippet(code, 'When', 'Alice waits 3 minutes for "the push"'),
    [
      'When(',
      "  'Alice waits {int} minutes for {string}',",
      '  { description: \'What it does, in the reader’s words.\', example: \'When Alice waits 3 minutes for "the push"\' },',
      '  async function (this: LabWorld, int: number, string: string) {',
      '    // …',
      '  },',
      ');',
    ].join('\n'),
  );
  assert.equal(catalogueSnippet('something else', 'Given', 'x'), undefined);
});

test('a real Cucumber run: each undefined step once, with where it is, the snippet and the catalogue', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rmh-snippet-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'features'));
  writeFileSync(
    join(dir, 'features', 'a.feature'),
    ['Feature: F', '  Scenario: one', '    Given a defined step', "    When Bob's phone buzzes 2 times", '  Scenario: two', "    When Bob's phone buzzes 2 times", ''].join('\n'),
  );
  // The temporary folder has no node_modules: the step file imports this project's Cucumber by URL (the same module instance).
  writeFileSync(join(dir, 'steps.mjs'), `import { Given } from '${import.meta.resolve('@cucumber/cucumber')}';\nGiven('a defined step', () => {});\n`);
  const { loadConfiguration, runCucumber } = await import('@cucumber/cucumber/api');
  const { runConfiguration } = await loadConfiguration({ provided: { import: [join(dir, 'steps.mjs')], paths: ['features/a.feature'], format: [] }, file: false }, { cwd: dir });
  const envelopes: Envelope[] = [];
  const sink = new Writable({ write: (_c, _e, done) => done() });
  await runCucumber(runConfiguration, { cwd: dir, stdout: sink, stderr: sink }, (e) => envelopes.push(e));
  const list = undefinedSteps(envelopes);
  assert.equal(list.length, 2, 'one per feature line');
  assert.deepEqual(
    list.map((u) => u.where),
    ['features/a.feature:4', 'features/a.feature:6'],
  );
  assert.equal(list[0]!.keyword, 'When');
  assert.match(list[0]!.snippet, /^When\(\n {2}'Bob\\'s phone buzzes \{int\} times',/);
  const lines = undefinedStepLines(list, 'reports/out/steps.html');
  assert.match(lines[0]!, /radius-mfa-harness steps` or reports\/out\/steps\.html/);
  assert.deepEqual(undefinedStepLines([], 'x'), []);
});

test("the suite's parameter types get their TypeScript types", () => {
  const code = "When('{user} juggles {int} phones', async function (user, int) {";
  assert.match(catalogueSnippet(code, 'When', 'Alice juggles 3 phones')!, /async function \(this: LabWorld, user: Person, int: number\)/);
});
