import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { LedgerEntry } from './ledger.ts';
import type { TargetRun } from './matrix.ts';
import { mergeParts, mergeShardDirs, SHARD_META, type ShardMeta, type ShardPart } from './merge.ts';
import { markOwned } from './run-output.ts';
import type { ScenarioVerdict, Verdict } from './verdicts.ts';

function verdict(target: string, n: number, v: Verdict = 'pass'): ScenarioVerdict {
  return {
    id: `a/x.feature::s${n}`,
    baseId: `a/x.feature::s${n}`,
    name: `s${n}`,
    feature: 'X',
    uri: 'features/a/x.feature',
    line: 10 + n,
    area: 'a',
    tags: [],
    noAgent: false,
    pickleId: `p${n}`,
    target,
    verdict: v,
    durationMs: 100 * n,
    ...(v === 'fail' ? { reason: 'boom' } : {}),
  };
}

const entry = (scenario: string): LedgerEntry => ({ scenario, step: 'x', failure: 'y', reason: 'z' });

function part(index: number, total: number, runs: TargetRun[], fullSuite = true): ShardPart {
  const meta: ShardMeta = { index, total, fullSuite, allowUnavailable: false, scenarios: runs.flatMap((r) => r.verdicts.map((v) => v.id)) };
  return { dir: `shard-${index}`, meta, runs };
}

test('shards join by target into one run, verdicts in file order', () => {
  const m = mergeParts([
    part(2, 2, [{ target: 'embedded', verdicts: [verdict('embedded', 2)] }]),
    part(1, 2, [{ target: 'embedded', verdicts: [verdict('embedded', 3), verdict('embedded', 1)] }]),
  ]);
  assert.deepEqual(m.problems, []);
  assert.equal(m.fullSuite, true);
  assert.deepEqual(
    m.runs[0]!.verdicts.map((v) => v.name),
    ['s1', 's2', 's3'],
  );
});

test('a missing, doubled or foreign shard, and a scenario in two shards, are problems (and not a full suite)', () => {
  const one = [{ target: 'embedded', verdicts: [verdict('embedded', 1)] }];
  assert.match(mergeParts([part(1, 3, one), part(3, 3, [])]).problems.join('\n'), /shard 2\/3 missing/);
  assert.match(mergeParts([part(1, 2, one), part(1, 2, []), part(2, 2, [])]).problems.join('\n'), /shard 1\/2 appears twice/);
  assert.match(mergeParts([part(1, 2, one), part(2, 3, [])]).problems.join('\n'), /different splits/);
  const twice = mergeParts([part(1, 2, one), part(2, 2, one)]);
  assert.match(twice.problems.join('\n'), /ran in two shards/);
  assert.equal(twice.fullSuite, false);
  assert.match(mergeParts([{ dir: 'plain', meta: undefined, runs: one }]).problems.join('\n'), /no shard\.json/);
  assert.match(mergeParts([]).problems.join('\n'), /no shard output/);
});

test('a ledger entry is stale only when no shard matched it; unavailable anywhere is unavailable', () => {
  const m = mergeParts([
    part(1, 2, [{ target: 'external', verdicts: [], unmatchedLedgerEntries: [entry('a/x.feature::gone'), entry('a/x.feature::s2')] }]),
    part(2, 2, [{ target: 'external', verdicts: [verdict('external', 2)], unmatchedLedgerEntries: [entry('a/x.feature::gone')], unavailable: 'EXTERNAL_NO_REPLY' }]),
  ]);
  assert.deepEqual(
    m.runs[0]!.unmatchedLedgerEntries!.map((e) => e.scenario),
    ['a/x.feature::gone'],
  );
  assert.equal(m.runs[0]!.unavailable, 'EXTERNAL_NO_REPLY');
});

test('merge writes one JUnit, the matrix, per-target folders with artifacts, durations; exit code from the joined verdicts', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'rmh-merge-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const write = (name: string, index: number, verdicts: ScenarioVerdict[]) => {
    const dir = join(root, name);
    markOwned(join(dir, 'embedded'));
    mkdirSync(join(dir, 'embedded', 'scenarios'), { recursive: true });
    writeFileSync(join(dir, 'embedded', 'scenarios', `${name}.pcap`), 'x');
    writeFileSync(join(dir, 'embedded', 'cucumber.html'), '<html></html>');
    writeFileSync(join(dir, 'embedded', 'verdicts.json'), JSON.stringify({ target: 'embedded', kind: 'target', verdicts }));
    const meta: ShardMeta = { index, total: 2, fullSuite: false, allowUnavailable: false, scenarios: verdicts.map((v) => v.id) };
    writeFileSync(join(dir, SHARD_META), JSON.stringify(meta));
    return dir;
  };
  const a = write('a', 1, [verdict('embedded', 1)]);
  const b = write('b', 2, [verdict('embedded', 2, 'fail')]);
  const out = join(root, 'merged');
  const r = mergeShardDirs([a, b], out, '2026-01-01T00:00:00.000Z', (runs) => Object.fromEntries(runs.flatMap((x) => x.verdicts).map((v) => [v.id, v.durationMs ?? 0])));
  assert.equal(r.judgement.exitCode, 1);
  const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
  assert.match(junit, /tests="2" failures="1"/);
  for (const f of ['matrix.html', 'matrix.json', 'embedded/junit.xml', 'embedded/verdicts.json', 'embedded/scenarios/a.pcap', 'embedded/scenarios/b.pcap', 'embedded/cucumber.shard-2-of-2.html']) {
    assert.ok(existsSync(join(out, f)), f);
  }
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'durations.json'), 'utf8')).durations, { 'a/x.feature::s1': 100, 'a/x.feature::s2': 200 });
  const passing = mergeShardDirs([write('c', 1, [verdict('embedded', 1)]), write('d', 2, [verdict('embedded', 2)])], out, '2026-01-01T00:00:00.000Z', () => ({}));
  assert.equal(passing.judgement.exitCode, 0);
  assert.ok(!existsSync(join(out, 'embedded/scenarios/a.pcap')), 'the earlier merge into the same folder is cleared first');
});
