import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { requiredTargets } from './run.ts';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const bin = join(repo, 'bin', 'radius-mfa-harness.js');

/** Runs the CLI outside CI unless `env` says otherwise (CI=true makes every target required). */
function run(args: string[], env: Record<string, string> = {}) {
  const base: NodeJS.ProcessEnv = { ...process.env, CI: 'false' };
  delete base.RMH_REQUIRE_TARGETS;
  return spawnSync(process.execPath, [bin, 'run', ...args], { cwd: repo, encoding: 'utf8', timeout: 60_000, env: { ...base, ...env } });
}

test('an external target where nothing listens: one line, every scenario not applicable, no hang', { skip: !existsSync(join(repo, 'features/protocol')) && 'no features yet' }, () => {
  const out = mkdtempSync(join(tmpdir(), 'rmh-run-'));
  try {
    const t0 = performance.now();
    const r = run(['--target', 'external', '--profile', 'steps/targets/profiles/nothing-listens.yaml', '--area', 'protocol', '--ci', '--out', out]);
    assert.ok(performance.now() - t0 < 30_000);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('external: unavailable'));
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^external: unavailable — nothing (listens|answers) at 127\.0\.0\.1:9 .*\(all \d+ scenarios not applicable\)$/);
    const matrix = JSON.parse(readFileSync(join(out, 'matrix.json'), 'utf8'));
    assert.equal(matrix.targets[0].summary['not-applicable'], matrix.targets[0].summary.total);
    assert.ok(matrix.targets[0].summary.total > 0);
    // CI can insist that a target really runs.
    const required = run(['--target', 'external', '--profile', 'steps/targets/profiles/nothing-listens.yaml', '--area', 'protocol', '--ci', '--out', out], {
      RMH_REQUIRE_TARGETS: 'external',
    });
    assert.equal(required.status, 1);
    assert.match(required.stdout, /RMH_REQUIRE_TARGETS: external could not start, so the run fails\./);
    // Under CI every target is required unless RMH_REQUIRE_TARGETS says otherwise.
    const underCi = run(['--target', 'external', '--profile', 'steps/targets/profiles/nothing-listens.yaml', '--area', 'protocol', '--ci', '--out', out], { CI: 'true' });
    assert.equal(underCi.status, 1);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('the main job writes every report: matrix, step catalogue, Cucumber HTML, JUnit, messages, a trace and pcap per scenario', () => {
  const out = mkdtempSync(join(tmpdir(), 'rmh-run-'));
  try {
    const r = run(['--target', 'embedded', '--area', 'duo', '--ci', '--out', out]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /embedded: (\d+) passed, 0 failed/);
    for (const f of ['matrix.html', 'matrix.json', 'steps.html', 'embedded/cucumber.html', 'embedded/junit.xml', 'embedded/messages.ndjson']) {
      assert.ok(existsSync(join(out, f)), `${f} is written`);
    }
    const matrix = JSON.parse(readFileSync(join(out, 'matrix.json'), 'utf8'));
    const total = matrix.targets[0].summary.total as number;
    assert.ok(total > 0);
    const files = readdirSync(join(out, 'embedded', 'scenarios'));
    assert.equal(files.filter((f) => f.endsWith('.pcap')).length, total, 'one pcap per scenario');
    assert.equal(files.filter((f) => f.endsWith('.trace.html')).length, total, 'one trace per scenario');
    assert.match(readFileSync(join(out, 'embedded', 'junit.xml'), 'utf8'), /<testsuite/);
    assert.match(readFileSync(join(out, 'steps.html'), 'utf8'), /Duo passcode|passcode/i);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('bad options are refused with a message that says what to do', () => {
  const unknownTarget = run(['--target', 'nope']);
  assert.equal(unknownTarget.status, 2);
  assert.match(unknownTarget.stderr, /Unknown target "nope"\. Choose from: embedded, process, container, freeradius, external\./);
  const unknownArea = run(['--area', 'no-such-area', '--dry-run']);
  assert.equal(unknownArea.status, 2);
  assert.match(unknownArea.stderr, /Unknown area "no-such-area"\. Areas are the folders under features\//);
  const noProfile = run(['--target', 'external', '--dry-run'], { RMH_PROFILE: '' });
  assert.equal(noProfile.status, 2);
  assert.match(noProfile.stderr, /external target needs --profile FILE/);
});

test('required targets: RMH_REQUIRE_TARGETS, else all under CI, else none', () => {
  assert.deepEqual([...requiredTargets({})], []);
  assert.deepEqual([...requiredTargets({ CI: 'false' })], []);
  assert.deepEqual([...requiredTargets({ CI: 'true' })], ['all']);
  assert.deepEqual([...requiredTargets({ CI: 'true', RMH_REQUIRE_TARGETS: 'container, freeradius' })], ['container', 'freeradius']);
  assert.deepEqual([...requiredTargets({ CI: 'true', RMH_REQUIRE_TARGETS: 'none' })], []);
});
