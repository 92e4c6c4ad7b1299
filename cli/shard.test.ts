import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { isCodedError } from '../agent/src/errors.ts';
import { assignShards, durationsOf, parseShard, readDurations, shardSelection } from './shard.ts';

test('--shard is i/n with 1 ≤ i ≤ n; anything else says how to write it', () => {
  assert.deepEqual(parseShard('2/4'), { index: 2, total: 4 });
  assert.deepEqual(parseShard(' 1 / 1 '), { index: 1, total: 1 });
  for (const bad of ['0/3', '4/3', '1/0', '1', 'a/b', '1/2/3', '-1/2', '']) {
    assert.throws(() => parseShard(bad), (e: unknown) => isCodedError(e, 'SHARD_BAD') && /i\/n/.test((e as Error).message), bad);
  }
});

const ids = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 0, maxLength: 60 });

test('every scenario lands in exactly one shard, the same one whatever the input order', () => {
  fc.assert(
    fc.property(ids, fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 2 ** 31 }), (list, n, seed) => {
      const durations = new Map(list.map((id, i) => [id, ((seed + i * 7919) % 5000) + 1]));
      const a = assignShards(list, durations, n);
      const b = assignShards([...list].reverse(), durations, n);
      assert.equal(a.size, list.length);
      for (const id of list) {
        const s = a.get(id)!;
        assert.ok(s >= 1 && s <= n);
        assert.equal(b.get(id), s);
      }
      const union = Array.from({ length: n }, (_, i) => shardSelection(list.map((id) => ({ id })), durations, { index: i + 1, total: n })).flat();
      assert.deepEqual(union.map((x) => x.id).sort(), [...list].sort());
    }),
  );
});

test('shards are even by duration: no shard exceeds the average by more than the longest scenario', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 60_000 }), { minLength: 1, maxLength: 80 }), fc.integer({ min: 1, max: 6 }), (ms, n) => {
      const list = ms.map((_, i) => `s${i}`);
      const durations = new Map(list.map((id, i) => [id, ms[i]!]));
      const shards = assignShards(list, durations, n);
      const load = Array.from({ length: n }, () => 0);
      for (const [id, s] of shards) load[s - 1]! += durations.get(id)!;
      const total = ms.reduce((a, b) => a + b, 0);
      assert.ok(Math.max(...load) <= total / n + Math.max(...ms), `loads ${load} for ${ms}`);
    }),
  );
});

test('without recorded durations the split is by count (sizes differ by at most one)', () => {
  const list = Array.from({ length: 23 }, (_, i) => `features/a.feature::s${i}`);
  const shards = assignShards(list, new Map(), 4);
  const sizes = [1, 2, 3, 4].map((s) => [...shards.values()].filter((x) => x === s).length);
  assert.deepEqual(sizes.sort(), [5, 6, 6, 6]);
});

test('a scenario without a record weighs the median of the recorded ones', () => {
  // Two long known scenarios go to different shards; the unknown ones (median 100) fill in around them.
  const durations = new Map([
    ['long-a', 100],
    ['long-b', 100],
    ['short', 1],
  ]);
  const shards = assignShards(['long-a', 'long-b', 'short', 'new-1', 'new-2'], durations, 2);
  assert.notEqual(shards.get('long-a'), shards.get('long-b'));
  assert.notEqual(shards.get('new-1'), shards.get('new-2'));
});

test('durations are summed over targets, not-applicable ones left out; the file round-trips', (t) => {
  const d = durationsOf([
    { id: 'x', durationMs: 100.4, verdict: 'pass' },
    { id: 'x', durationMs: 200, verdict: 'fail' },
    { id: 'y', durationMs: 3, verdict: 'not-applicable' },
  ]);
  assert.deepEqual(d, { x: 300 });
  const dir = mkdtempSync(join(tmpdir(), 'rmh-shard-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'durations.json');
  writeFileSync(file, JSON.stringify({ durations: d }));
  assert.deepEqual([...readDurations(file)], [['x', 300]]);
  assert.deepEqual([...readDurations(join(dir, 'none.json'))], []);
  writeFileSync(file, '{"x": 1}');
  assert.throws(() => readDurations(file), (e: unknown) => isCodedError(e, 'SHARD_DURATIONS_INVALID'));
});
