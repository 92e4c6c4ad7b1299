// Issue 17 item 9: a failed browser scenario leaves a screenshot and a
// Playwright trace, attached to the scenario (so the HTML report and the
// message stream carry them); a passing one leaves neither.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Envelope } from '@cucumber/messages';
import { chromiumMissing } from '../simulators/ad-connector/sign-in-page/browser.ts';

const root = new URL('../', import.meta.url).pathname;
const missing = chromiumMissing();

test('a failed browser scenario has a screenshot and a Playwright trace attached; a passing one has none', { skip: !process.env.CI && missing }, () => {
  assert.equal(missing, undefined, missing);
  const dir = mkdtempSync(join(tmpdir(), 'rmh-browser-artifacts-'));
  try {
    const feature = join(dir, 'page.feature');
    writeFileSync(
      feature,
      [
        '@area:browser @needs:okta-mock',
        'Feature: The page under test',
        '  Background:',
        '    Given Alice is a WorkSpaces user',
        '    And Alice has Okta Verify on her phone',
        '  Scenario: a page sign-in that the scenario wrongly expects to fail',
        '    When she signs in on the sign-in page with her current Okta Verify code',
        '    Then the page says she is refused',
        '  Scenario: a page sign-in that works',
        '    When she signs in on the sign-in page with her current Okta Verify code',
        '    Then the page says she is signed in',
      ].join('\n'),
    );
    const messages = join(dir, 'messages.ndjson');
    const r = spawnSync(process.execPath, [join(root, 'node_modules/@cucumber/cucumber/bin/cucumber.js'), feature, '--format', `message:${messages}`], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, RMH_TARGET: 'embedded', RMH_PARALLEL: '0' },
    });
    const envelopes = readFileSync(messages, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Envelope);
    const pickleName = new Map(envelopes.flatMap((e) => (e.pickle ? [[e.pickle.id, e.pickle.name] as const] : [])));
    const testCasePickle = new Map(envelopes.flatMap((e) => (e.testCase ? [[e.testCase.id, e.testCase.pickleId] as const] : [])));
    const startedCase = new Map(envelopes.flatMap((e) => (e.testCaseStarted ? [[e.testCaseStarted.id, e.testCaseStarted.testCaseId] as const] : [])));
    const byScenario = new Map<string, string[]>();
    for (const e of envelopes) {
      const a = e.attachment;
      if (!a?.testCaseStartedId) continue;
      const name = pickleName.get(testCasePickle.get(startedCase.get(a.testCaseStartedId) ?? '') ?? '') ?? '?';
      byScenario.set(name, [...(byScenario.get(name) ?? []), `${a.mediaType} ${a.fileName ?? ''}`]);
    }
    const failed = byScenario.get('a page sign-in that the scenario wrongly expects to fail') ?? [];
    assert.ok(failed.some((a) => a.startsWith('image/png')), `no screenshot attached: ${failed.join(', ')}\n${r.stderr}`);
    assert.ok(failed.some((a) => /^application\/zip .*playwright-trace\.zip$/.test(a)), `no Playwright trace attached: ${failed.join(', ')}`);
    const passed = byScenario.get('a page sign-in that works') ?? [];
    assert.ok(!passed.some((a) => a.startsWith('image/png') || a.startsWith('application/zip')), `a passing scenario got browser artifacts: ${passed.join(', ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
