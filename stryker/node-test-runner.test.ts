import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { expandGlobs, fileOfTestId } from './node-test-runner.ts';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

describe('stryker/node-test-runner', () => {
  it('expandGlobs keeps relative, sorted paths and applies "!" exclusions', () => {
    assert.deepEqual(expandGlobs(['*.ts', '!driver.ts', '!*.test.ts'], fixtures), ['sum.ts']);
    assert.deepEqual(expandGlobs(['*.test.ts'], fixtures), ['sum.test.ts', 'sync-only.test.ts', 'waits.test.ts']);
  });

  it('dry run gives per-file coverage; a mutant the test sees is killed, one it does not survives, one that hangs times out; sync-only files end', () => {
    // A process of its own: run() without isolation replaces node:test's root.
    const out = execFileSync(process.execPath, ['driver.ts'], { cwd: fixtures, encoding: 'utf8', timeout: 60_000 });
    const { dry, killed, survived, hung, hungMs } = JSON.parse(out.trim().split('\n').at(-1) ?? '{}');
    assert.equal(dry.status, 'complete');
    // Test ids are the file and a digest of its text, so an edited test file is a new test to Stryker's incremental mode.
    const ids = dry.tests.map((t: { id: string }) => t.id);
    assert.deepEqual(
      dry.tests.map((t: { id: string; name: string; status: number }) => [fileOfTestId(t.id), t.name === t.id, t.status]),
      [
        ['sum.test.ts', true, 0],
        ['sync-only.test.ts', true, 0],
        ['waits.test.ts', true, 0],
      ],
    );
    for (const id of ids) assert.match(id, /^[a-z-]+\.test\.ts#[0-9a-f]{12}$/);
    assert.deepEqual(dry.mutantCoverage.perTest[ids[0]], { 1: 1 });
    assert.equal(dry.mutantCoverage.perTest[ids[1]], undefined);
    assert.equal(killed.status, 'killed');
    assert.deepEqual(killed.killedBy, [ids[0]]);
    assert.match(killed.failureMessage, /adds/);
    assert.equal(survived.status, 'survived');
    assert.equal(survived.nrOfTests, 2);
    // A test inside describe() left waiting for ever: the watchdog (3 x dry run + 2 s) ends it as a timeout.
    assert.equal(hung.status, 'timeout');
    assert.ok(hungMs >= 2000 && hungMs < 30_000, `timed out after ${hungMs} ms`);
  });
});
