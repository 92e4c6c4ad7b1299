/**
 * The fuzzing in `npm test`: the engine finds what it should (a bug behind a
 * chain of branches, reached only by following coverage), and each target
 * replays its whole corpus and fuzzes briefly (RMH_FUZZ_TEST_SECONDS, default
 * 3 s each, fixed seed, nothing written) with no finding.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type FuzzTarget, fuzz, mutate, prng } from './engine.ts';
import { allTargets } from './targets.ts';

const CORPUS = fileURLToPath(new URL('corpus/', import.meta.url));
const SECONDS = Number(process.env.RMH_FUZZ_TEST_SECONDS ?? 3);

/**
 * A bug three bytes deep, each byte its own branch. Blind mutation of "AAAA"
 * would need ~10^11 runs to hit all three at once; following coverage, each
 * byte is found on its own (~10^4 runs each).
 */
function magicTarget(): FuzzTarget {
  return {
    name: 'magic',
    description: 'throws a TypeError for "R?D!"',
    maxLen: 4,
    cover: ['/fuzz/fuzz.test.ts'],
    dictionary: [],
    run(data) {
      if (data.length < 4) throw Object.assign(new Error('short'), { code: 'SHORT' });
      if (data[0] === 0x52) {
        if (data[2] === 0x44) {
          if (data[3] === 0x21) throw new TypeError('reached the bug');
        }
      }
    },
    expected: (e) => (e as { code?: string }).code === 'SHORT',
  };
}

describe('fuzz engine', () => {
  it('finds a bug behind three nested branches by following coverage, and reports it once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rmh-fuzz-engine-'));
    try {
      mkdirSync(join(dir, 'corpus'));
      writeFileSync(join(dir, 'corpus', 'seed'), 'AAAA');
      const report = await fuzz(magicTarget(), {
        seconds: 90,
        seed: 7,
        corpusDir: join(dir, 'corpus'),
        writeCorpus: true,
        findingsDir: join(dir, 'findings'),
        batch: 16,
        stopAfterFindings: 1,
      });
      assert.equal(report.findings.length, 1, JSON.stringify(report.findings.map((f) => f.summary)));
      assert.match(report.findings[0]!.summary, /^TypeError: reached the bug/);
      assert.match(report.findings[0]!.input.toString('latin1'), /^R.D!$/s);
      assert.ok(report.newInputs >= 3, `the corpus grew along the branches (${report.newInputs} new inputs)`);
      assert.equal(readdirSync(join(dir, 'findings')).length, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('mutations stay within maxLen and are reproducible from the seed', () => {
    const a = prng(42);
    const b = prng(42);
    const seed = Buffer.from('okta:\n  orgUrl: https://x\n');
    for (let i = 0; i < 500; i++) {
      const x = mutate(seed, [seed], ['apps:'], 40, a);
      const y = mutate(seed, [seed], ['apps:'], 40, b);
      assert.ok(x.length <= 40);
      assert.deepEqual(x, y);
    }
  });
});

describe('fuzz targets: corpus replay and a short run find nothing', () => {
  for (const target of allTargets()) {
    it(`${target.name}: ${target.description}`, async () => {
      const corpusDir = join(CORPUS, target.name);
      assert.ok(readdirSync(corpusDir).length > 0, `fuzz/corpus/${target.name} has inputs (node fuzz/seed-corpus.ts writes the seeds)`);
      const report = await fuzz(target, { seconds: SECONDS, seed: 1, corpusDir, writeCorpus: false });
      assert.deepEqual(
        report.findings.map((f) => `${f.kind}: ${f.summary} — input (base64) ${f.input.toString('base64')}`),
        [],
        'no finding (a finding becomes a regression input in the corpus and a fix)',
      );
      assert.ok(report.executions > report.corpusStart, `it ran mutated inputs (${report.executions} runs)`);
    });
  }
});

describe('fuzz findings, kept fixed', () => {
  it('an alias to an anchor never set is a coded error, not a ReferenceError, in the seed and profile loaders', async () => {
    const seed = allTargets().find((t) => t.name === 'lab-seed')!;
    const profile = allTargets().find((t) => t.name === 'external-profile')!;
    for (const [target, input] of [
      [seed, 'seed: regression\norg: *never-set\nusers: []\n'],
      [profile, 'name: *never-set\nhost: 127.0.0.1\nport: 9\nsecret: not-a-real-secret\n'],
    ] as const) {
      const thrown = await Promise.resolve()
        .then(() => target.run(Buffer.from(input)))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(target.expected(thrown), `${target.name}: ${String(thrown)}`);
      assert.match(String((thrown as Error).message), /Unresolved alias/);
    }
  });
});
