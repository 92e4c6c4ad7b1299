import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cleanOutDir, markOwned, readRuns, writeBucket } from './run-output.ts';
import type { ScenarioVerdict } from './verdicts.ts';

test('a run removes what earlier runs wrote into its folder, and nothing else', () => {
  const root = mkdtempSync(join(tmpdir(), 'rmh-out-'));
  const elsewhere = mkdtempSync(join(tmpdir(), 'rmh-elsewhere-'));
  try {
    const out = join(root, 'out');
    // An earlier run: a marked per-target folder, an unmarked one of an older version, top-level reports.
    markOwned(join(out, 'container'));
    writeFileSync(join(out, 'container', 'junit.xml'), '<testsuites/>');
    mkdirSync(join(out, 'freeradius', 'scenarios'), { recursive: true });
    writeFileSync(join(out, 'freeradius', 'junit.xml'), '<testsuites/>');
    writeFileSync(join(out, 'freeradius', 'messages.ndjson'), '');
    writeFileSync(join(out, 'matrix.json'), '{}');
    // Not ours: a user's file and folder, and a link to a folder outside.
    writeFileSync(join(out, 'notes.txt'), 'mine');
    mkdirSync(join(out, 'keep'));
    writeFileSync(join(out, 'keep', 'data.csv'), '1');
    markOwned(elsewhere);
    symlinkSync(elsewhere, join(out, 'linked'));
    const removed = cleanOutDir(out).sort();
    assert.deepEqual(removed, ['container', 'freeradius', 'matrix.json']);
    assert.ok(existsSync(join(out, 'notes.txt')));
    assert.ok(existsSync(join(out, 'keep', 'data.csv')));
    assert.ok(existsSync(join(elsewhere, '.radius-mfa-harness-run')), 'never follows a link out of the folder');
    assert.deepEqual(cleanOutDir(join(root, 'missing')), []);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  }
});

test("a part's folder: verdicts.json, junit.xml and the files a failed scenario kept", () => {
  const out = mkdtempSync(join(tmpdir(), 'rmh-out-'));
  try {
    const v: ScenarioVerdict = { id: 'browser/a.feature::Sign in', baseId: 'browser/a.feature::Sign in', name: 'Sign in', feature: 'F', uri: 'features/browser/a.feature', line: 3, area: 'browser', tags: ['@browser'], noAgent: false, pickleId: 'p', target: 'embedded', verdict: 'fail', reason: 'failed' };
    const files = new Map([[v.id, [{ fileName: 'screenshot.png', mediaType: 'image/png', body: Buffer.from('png').toString('base64') }, { fileName: 'playwright-trace.zip', mediaType: 'application/zip', body: Buffer.from('zip').toString('base64') }]]]);
    const run = writeBucket(out, { name: 'embedded', verdicts: [v], traces: new Map(), files, startedAt: 1 });
    const kept = run.verdicts[0]!.artifacts!.files!;
    assert.deepEqual(kept.map((f) => f.name), ['screenshot.png', 'playwright-trace.zip']);
    assert.equal(readFileSync(join(out, kept[0]!.path), 'utf8'), 'png');
    assert.match(readFileSync(join(out, 'embedded', 'junit.xml'), 'utf8'), /<failure /);
    assert.deepEqual(readRuns(out).map((r) => r.target), ['embedded']);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
