/**
 * Sharding test: a run split with `--shard i/n` and joined with `merge` equals
 * the same run unsharded, verdict for verdict (embedded, three areas — 48 agent
 * scenarios in 9 feature files — and the 26 @no-agent scenarios), with one exit
 * code and one JUnit file. The shards are split by the durations the unsharded
 * run recorded (as a team's CI splits by the durations.json `merge` wrote):
 * each shard runs exactly the scenarios the split assigns it, and the shards'
 * recorded totals differ by at most the longest scenario. Also: a missing
 * shard fails the merge, and a bad --shard is one line and exit 2.
 *
 *   node --test scripts/adoption/shard-merge.slow.ts      (scripts/test-adoption.sh)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { assignShards, durationsOf } from '../../cli/shard.ts';
import type { TargetRun } from '../../reports/matrix.ts';
import { type Ran, REPO, removeTree, run, timed } from './common.ts';

const work = mkdtempSync(join(tmpdir(), 'rmh-shard-'));
const AREAS = 'factors,secrets,connector-settings';
const SHARDS = 3;
const HARNESS = join(REPO, 'bin/radius-mfa-harness.js');

after(() => removeTree(work));

function harness(args: string[]): Ran {
  return run('node', [HARNESS, ...args], REPO, {}, 900_000);
}

function runsOf(out: string): TargetRun[] {
  return ['embedded', 'simulators'].flatMap((target) => {
    try {
      return [JSON.parse(readFileSync(join(out, target, 'verdicts.json'), 'utf8')) as TargetRun];
    } catch {
      return [];
    }
  });
}

function verdictsOf(out: string): Map<string, string> {
  return new Map(runsOf(out).flatMap((r) => r.verdicts.map((v) => [`${r.target} ${v.id}`, v.verdict] as const)));
}

test('a sharded run (split by recorded durations) merged equals the unsharded run, verdict for verdict', () => {
  const whole = join(work, 'whole');
  const unsharded = timed('unsharded run', () => harness(['run', '--target', 'embedded', '--area', AREAS, '--ci', '--out', whole]));
  assert.equal(unsharded.status, 0, unsharded.out.slice(-3000));
  const expected = verdictsOf(whole);
  assert.ok(expected.size > 60, `only ${expected.size} verdicts in the unsharded run`);

  // The unsharded run's durations, as `merge` would write them for the next CI run.
  const recorded = durationsOf(runsOf(whole).flatMap((r) => r.verdicts));
  const durationsFile = join(work, 'durations.json');
  writeFileSync(durationsFile, JSON.stringify({ durations: recorded }));
  assert.ok(Object.keys(recorded).length > 60, 'the unsharded run recorded too few durations');

  const shardDirs = Array.from({ length: SHARDS }, (_, i) => join(work, `shard-${i + 1}`));
  // One after another: each run starts Cucumber workers of its own (--parallel 2, the default a CI job
  // would use), and three at once on two cores take longer than three in a row.
  for (const [i, dir] of shardDirs.entries()) {
    const r = timed(`shard ${i + 1}/${SHARDS}`, () =>
      harness(['run', '--target', 'embedded', '--area', AREAS, '--shard', `${i + 1}/${SHARDS}`, '--durations', durationsFile, '--ci', '--out', dir]),
    );
    assert.equal(r.status, 0, r.out.slice(-3000));
  }

  // Each shard ran exactly what the split by recorded duration gives it, and the split is even to within one scenario.
  const assigned = assignShards(
    [...new Set(runsOf(whole).flatMap((r) => r.verdicts.map((v) => v.id)))],
    new Map(Object.entries(recorded)),
    SHARDS,
  );
  const totals = shardDirs.map((dir, i) => {
    const ids = [...new Set(runsOf(dir).flatMap((r) => r.verdicts.map((v) => v.id)))].sort();
    const want = [...assigned].filter(([, s]) => s === i + 1).map(([id]) => id).sort();
    assert.deepEqual(ids, want, `shard ${i + 1}/${SHARDS} did not run the scenarios the recorded durations assign it`);
    return ids.reduce((sum, id) => sum + (recorded[id] ?? 0), 0);
  });
  const longest = Math.max(...Object.values(recorded));
  assert.ok(Math.max(...totals) - Math.min(...totals) <= longest, `uneven shards by recorded duration: ${totals} ms (longest scenario ${longest} ms)`);
  process.stdout.write(`# shards' recorded totals: ${totals.map((t) => `${(t / 1000).toFixed(1)} s`).join(', ')}\n`);

  const merged = join(work, 'merged');
  const m = harness(['merge', ...shardDirs, '--out', merged]);
  assert.equal(m.status, 0, m.out);
  assert.deepEqual(new Map([...verdictsOf(merged)].sort()), new Map([...expected].sort()));
  const junit = readFileSync(join(merged, 'junit.xml'), 'utf8');
  assert.match(junit, new RegExp(`<testsuites name="radius-mfa-harness" tests="${expected.size}" failures="0">`));
  // The merged durations split the next run.
  const durations = JSON.parse(readFileSync(join(merged, 'durations.json'), 'utf8')) as { durations: Record<string, number> };
  assert.deepEqual(Object.keys(durations.durations).sort(), Object.keys(recorded).sort());

  // A merge missing a shard fails, and says which.
  const partial = harness(['merge', shardDirs[0]!, shardDirs[2]!, '--out', join(work, 'partial')]);
  assert.equal(partial.status, 1);
  assert.match(partial.out, new RegExp(`shard 2/${SHARDS} missing`));
});

test('--shard with recorded durations: deterministic, and a bad --shard is one line and exit 2', () => {
  const durations = join(work, 'durations-push.json');
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
