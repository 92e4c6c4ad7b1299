// The step catalogue and the suite's strictness, as a QA engineer relies on them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfiguration, loadSupport } from '@cucumber/cucumber/api';
import { renderCatalogue } from '../../cli/steps.ts';
import { catalogue } from './catalogue.ts';

interface StepDefinitionLike {
  pattern: string | RegExp;
  expression: { match(text: string): unknown[] | null };
}

const root = new URL('../../', import.meta.url).pathname;

async function load(): Promise<StepDefinitionLike[]> {
  const { runConfiguration } = await loadConfiguration({ provided: { format: [] } }, { cwd: root });
  const library = await loadSupport({ sources: runConfiguration.sources, support: runConfiguration.support }, { cwd: root });
  // ISupportCodeLibrary is a marker type; the instance carries the step definitions.
  return (library as unknown as { stepDefinitions: StepDefinitionLike[] }).stepDefinitions;
}

test('every catalogued example matches exactly its own step and no other', async () => {
  const definitions = await load();
  const entries = catalogue();
  assert.ok(entries.length >= 50, `only ${entries.length} steps catalogued`);
  assert.equal(entries.length, definitions.length, 'every step definition is catalogued');
  for (const e of entries) {
    const text = e.example.replace(/^(Given|When|Then|And|But) /, '');
    const matching = definitions.filter((d) => d.expression.match(text) !== null).map((d) => String(d.pattern));
    assert.deepEqual(matching, [e.pattern], `example "${e.example}"`);
    assert.ok(e.description.length > 10, `description of "${e.pattern}"`);
  }
});

test('the catalogue renders as text, markdown and json', () => {
  const entries = catalogue();
  assert.match(renderCatalogue(entries, 'text'), /steps in \d+ areas/);
  assert.match(renderCatalogue(entries, 'markdown'), /^# Step catalogue/);
  assert.equal(JSON.parse(renderCatalogue(entries, 'json')).length, entries.length);
});

test('an undefined step fails the run and prints Cucumber’s snippet', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rmh-undefined-'));
  try {
    const feature = join(dir, 'undefined.feature');
    writeFileSync(feature, 'Feature: x\n  Scenario: y\n    Given a step nobody has written yet\n');
    const r = spawnSync(process.execPath, [join(root, 'node_modules/@cucumber/cucumber/bin/cucumber.js'), feature], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.notEqual(r.status, 0, 'the run passed');
    assert.match(r.stdout, /Given\('a step nobody has written yet'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
