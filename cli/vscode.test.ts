import assert from 'node:assert/strict';
import { globSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { editorSettings, GLUE_GLOB, loadEditorView, unreadableSteps } from './vscode.ts';

const view = await loadEditorView();
const settings = JSON.parse(readFileSync('.vscode/settings.json', 'utf8')) as Record<string, unknown>;

test('.vscode/settings.json lists the suite’s parameter types as they are now (else: node scripts/write-vscode-settings.ts)', () => {
  assert.deepEqual(settings['cucumber.parameterTypes'], view.parameterTypes);
  assert.deepEqual(editorSettings(view.parameterTypes, settings), settings);
  for (const t of view.parameterTypes) assert.doesNotThrow(() => new RegExp(t.regexp), t.name);
  assert.ok(view.parameterTypes.some((t) => t.name === 'user'), 'the {user} type is missing');
});

test('every catalogued step is a literal pattern in the glue files, so the extension sees it', () => {
  const files = GLUE_GLOB.flatMap((g) => globSync(g)).filter((f) => !f.endsWith('.test.ts'));
  const source = files.map((f) => readFileSync(f, 'utf8')).join('\n');
  assert.ok(view.steps.length > 100);
  assert.deepEqual(
    unreadableSteps(view.steps, source).map((e) => e.pattern),
    [],
  );
  // The check can fail: a pattern built at run time is not in the source.
  assert.equal(unreadableSteps([{ ...view.steps[0]!, pattern: `${view.steps[0]!.pattern} (built)` }], source).length, 1);
});

test('every step a feature uses matches one of the editor’s patterns with its parameter types', async () => {
  const { CucumberExpression, ParameterType, ParameterTypeRegistry } = await import('@cucumber/cucumber-expressions');
  const registry = new ParameterTypeRegistry();
  for (const t of view.parameterTypes) registry.defineParameterType(new ParameterType(t.name, new RegExp(t.regexp), null, (s: string) => s, false, false));
  const expressions = view.steps.map((e) => new CucumberExpression(e.pattern, registry));
  const lines = globSync('features/**/*.feature').flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /^(Given|When|Then|And|But) /.test(l) && !l.includes('<'))
      .map((l) => ({ f, text: l.replace(/^\S+ /, '') })),
  );
  assert.ok(lines.length > 100);
  const unmatched = lines.filter((l) => !expressions.some((x) => x.match(l.text)));
  assert.deepEqual(unmatched, []);
});
