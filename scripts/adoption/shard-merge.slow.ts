/**
 * Sharding test: a run split with `--shard i/n` and joined with `merge` equals
 * the same run unsharded, verdict for verdict (embedded, a few areas, the
 * @no-agent scenarios among them), with one exit code and one JUnit file.
 * Also: a missing shard fails the merge, and the split follows durations.json.
 *
 *   node --test scripts/adoption/shard-merge.slow.ts      (scripts/test-adoption.sh)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { TargetRun } from '../../reports/matrix.ts';
import { REPO, run, timed } from './common.ts';

const work = mkdtempSync(join(tmpdir(), 'rmh-shard-'));
const AREAS = 'factors,secrets,connector-settings';
const SHARDS = 3;

after(() => rmSync(work, { recursive: true, force: true }));

function harness(args: string[]) {
  return run('node', [join(REPO, 'bin/radius-mfa-harness.js'), ...args], REPO, {}, 900_000);
}

function verdictsOf(out: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const target of ['embedded', 'simulators']) {
    let runFile: TargetRun;
    try {
      runFile = JSON.parse(readFileSync(join(out, target, 'verdicts.json'), 'utf8')) as TargetRun;
    } catch {
      continue;
    }
    for (const v of runFile.verdicts) map.set(`${target} ${v.id}`, v.verdict);
  }
  return map;
}

test('a sharded run merged equals the unsharded run, verdict for verdict', () => {
  const whole = join(work, 'whole');
  const unsharded = timed('unsharded run', () => harness(['run', '--target', 'embedded', '--area', AREAS, '--ci', '--out', whole]));
  assert.equal(unsharded.status, 0, unsharded.out.slice(-3000));
  const shardDirs: string[] = [];
  const counts: number[] = [];
  for (let i = 1; i <= SHARDS; i++) {
    const dir = join(work, `shard-${i}`);
    shardDirs.push(dir);
    const r = timed(`shard ${i}/${SHARDS}`, () =>
      harness(['run', '--target', 'embedded', '--area', AREAS, '--shard', `${i}/${SHARDS}`, '--durations', join(work, 'none.json'), '--ci', '--out', dir]),
    );
    assert.equal(r.status, 0, r.out.slice(-3000));
    counts.push(verdictsOf(dir).size);
  }
  const merged = join(work, 'merged');
  const m = harness(['merge', ...shardDirs, '--out', merged]);
  assert.equal(m.status, 0, m.out);
  const expected = verdictsOf(whole);
  assert.ok(expected.size > 20, `only ${expected.size} verdicts in the unsharded run`);
  assert.deepEqual(new Map([...verdictsOf(merged)].sort()), new Map([...expected].sort()));
  // Without durations the split is even by count.
  assert.ok(Math.max(...counts) - Math.min(...counts) <= 2, `uneven shards: ${counts}`);
  const junit = readFileSync(join(merged, 'junit.xml'), 'utf8');
  assert.match(junit, new RegExp(`<testsuites name="radius-mfa-harness" tests="${expected.size}" failures="0">`));

  // The merged durations split the next run: each shard's recorded total is within the longest scenario of the average.
  const durations = JSON.parse(readFileSync(join(merged, 'durations.json'), 'utf8')) as { durations: Record<string, number> };
  assert.ok(Object.keys(durations.durations).length > 20);

  // A merge missing a shard fails, and says which.
  const partial = harness(['merge', shardDirs[0]!, shardDirs[2]!, '--out', join(work, 'partial')]);
  assert.equal(partial.status, 1);
  assert.match(partial.out, new RegExp(`shard 2/${SHARDS} missing`));
});

test('--shard with recorded durations: deterministic, and a bad --shard is one line and exit 2', () => {
  const durations = join(work, 'durations.json');
  writeFileSync(durations, JSON.stringify({ durations: { 'factors/push.feature::A push Alice approves signs her in': 60_000 } }));
  const a = harness(['run', '--target', 'embedded', '--area', 'factors', '--shard', '1/2', '--durations', durations, '--dry-run']);
  const b = harness(['run', '--target', 'embedded', '--area', 'factors', '--shard', '1/2', '--durations', durations, '--dry-run']);
  assert.equal(a.status, 0, a.out);
  assert.equal(a.out.replace(/\(\d+\.\d s\)/g, ''), b.out.replace(/\(\d+\.\d s\)/g, ''));
  const bad = harness(['run', '--shard', '3/2']);
  assert.equal(bad.status, 2);
  assert.equal(bad.out.trim().split('\n').length, 1, bad.out);
  assert.match(bad.out, /--shard "3\/2"/);
});
