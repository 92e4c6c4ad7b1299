/**
 * Smoke test of `npm run bench -- --quick`: every benchmark runs (radclient may
 * be skipped when not installed), the summary line and the JSON results are
 * written, and a missed goal does not fail the run without --strict.
 * Quick figures are not representative; this checks the machinery only.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';

const dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface BenchJson {
  quick: boolean;
  met: number;
  missed: number;
  results: Array<{ name: string; status: string; reason?: string; metrics: Record<string, number>; goals: unknown[] }>;
}

it('npm run bench -- --quick runs every benchmark, prints the tally and writes the JSON', { timeout: 180_000 }, () => {
  const out = join(dir, 'bench.json');
  const run = spawnSync(process.execPath, ['bench/run.ts', '--quick', '--out', out], {
    cwd: new URL('..', import.meta.url),
    encoding: 'utf8',
    timeout: 170_000,
  });
  assert.equal(run.status, 0, `bench exited ${run.status}:\n${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /^bench: \d+ met, \d+ missed/m);
  const json = JSON.parse(readFileSync(out, 'utf8')) as BenchJson;
  assert.equal(json.quick, true);
  assert.deepEqual(
    json.results.map((r) => r.name),
    ['codec', 'transport', 'radclient', 'anchor', 'mfa', 'okta-mock', 'pushes', 'e2e'],
  );
  for (const r of json.results) {
    if ((r.name === 'radclient' || r.name === 'anchor') && r.status === 'skipped') continue;
    assert.equal(r.status, 'ran', `${r.name}: ${r.reason ?? ''}`);
    assert.ok(r.goals.length > 0, `${r.name} states goals`);
  }
  const transport = json.results.find((r) => r.name === 'transport')!;
  assert.equal(transport.metrics['lost'], 0, 'no request lost on loopback');
  assert.equal(transport.metrics['cache.afterTtl'], 0, 'the duplicate cache empties on the clock');
  const e2e = json.results.find((r) => r.name === 'e2e')!;
  assert.equal(e2e.metrics['accepted'], e2e.metrics['requests'], 'every TOTP passcode accepted');
});

it('--only and unknown names', () => {
  const run = spawnSync(process.execPath, ['bench/run.ts', '--only', 'nope'], {
    cwd: new URL('..', import.meta.url),
    encoding: 'utf8',
    timeout: 10_000,
  });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /unknown benchmark nope/);
});

it('--help lists every benchmark --only accepts', () => {
  const cwd = new URL('..', import.meta.url);
  const help = spawnSync(process.execPath, ['bench/run.ts', '--help'], { cwd, encoding: 'utf8', timeout: 10_000 });
  assert.equal(help.status, 0);
  const listed = /run only these: (.*)/.exec(help.stdout)?.[1];
  // The unknown-name error lists the benchmarks themselves (BENCHES); importing run.ts would run it.
  const unknown = spawnSync(process.execPath, ['bench/run.ts', '--only', 'nope'], { cwd, encoding: 'utf8', timeout: 10_000 });
  const accepted = /choose from (.*)/.exec(unknown.stderr)?.[1];
  assert.ok(accepted?.includes('pushes'), accepted);
  assert.equal(listed, accepted);
});
