/**
 * Adoption test (c): every command of the example pipelines in docs/ci/ runs,
 * in the order the CI system would run it, in a team repository made by
 * `init` with the packed harness as its dependency — a small emulation of each
 * runner, strict about what it does not know:
 *
 *   GitHub Actions: workflow `env`, jobs in `needs` order, `strategy.matrix`
 *     expanded, every `run:` through `bash -eo pipefail`, `$GITHUB_ENV`,
 *     `${{ matrix.* }}`, `${{ env.* }}`, `${{ strategy.job-total }}`; the four
 *     `uses:` actions the example names are emulated (checkout = copy of the
 *     team repository, setup-node = the Node 24 on PATH, upload/download-artifact
 *     = a folder); any other action or expression fails the test. `sudo` is a
 *     pass-through (this runs as root, as hosted runners' sudo does).
 *   GitLab CI: `variables`, jobs by stage, `parallel: n` (CI_NODE_INDEX/TOTAL),
 *     `before_script` + `script` as one `bash -eo pipefail` shell, artifacts
 *     handed to jobs that `need` them at the same paths. The `image:` is not
 *     pulled (no registry here): the commands run on this Debian machine with
 *     Node 24 first on PATH, which is what that image provides.
 *
 * npm uses the machine's cache (npm_config_prefer_offline), as setup-node's
 * `cache: npm` would. Each job gets a free port as AGENT_PORT (the pipelines'
 * own value, 1812, may be taken on this shared machine). Publishing is only ever to a local artifacts folder. The
 * merged result must pass: the team's suite against the reference agent, split
 * in three shards and joined by `merge`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import { childEnv, killGroups, REPO, run, tarballIn, timed } from './common.ts';

const work = mkdtempSync(join(tmpdir(), 'rmh-ci-'));
const skeleton = join(work, 'team');
const groups: number[] = [];

before(() => {
  const tarball = tarballIn(work);
  const init = run('node', [join(REPO, 'bin/radius-mfa-harness.js'), 'init', '--dir', skeleton, '--name', 'my-agent'], REPO);
  assert.equal(init.status, 0, init.out);
  const pkgFile = join(skeleton, 'package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as Record<string, unknown>;
  // Job folders sit beside the tarball, so the lock file's relative path holds in each of them.
  pkg.dependencies = { 'radius-mfa-harness': `file:../${basename(tarball)}` };
  writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
  const lock = timed('npm install --package-lock-only', () =>
    run('npm', ['install', '--package-lock-only', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], skeleton, {}, 600_000),
  );
  assert.equal(lock.status, 0, lock.out);
  // Hosted runners have sudo; here we are root already.
  mkdirSync(join(work, 'shim'));
  writeFileSync(join(work, 'shim', 'sudo'), '#!/bin/sh\nexec "$@"\n', { mode: 0o755 });
});

after(() => {
  killGroups(groups);
  rmSync(work, { recursive: true, force: true });
});

/** Runs a shell script as the CI system would, in its own process group (its background processes are ended after the job). */
function shell(script: string, cwd: string, env: Record<string, string>, log: string): number {
  const out = join(cwd, '..', `${basename(cwd)}.${basename(log)}`);
  writeFileSync(out, '');
  // setsid: the step leads its own process group (spawnSync has no `detached`), so its background processes can be ended with it.
  const r = spawnSync('setsid', ['bash', '--noprofile', '--norc', '-eo', 'pipefail', '-c', `exec >>"${out}" 2>&1\n${script}`], {
    cwd,
    env: childEnv({ ...env, PATH: `${join(work, 'shim')}:${join(REPO, 'node_modules/.bin')}:${process.env.PATH ?? ''}`, npm_config_prefer_offline: 'true' }),
    stdio: 'ignore',
    timeout: 900_000,
  });
  if (r.pid) groups.push(r.pid);
  if (r.status !== 0) process.stdout.write(`# ${basename(cwd)}: exited ${r.status}; its output:\n${readFileSync(out, 'utf8').split('\n').slice(-40).join('\n')}\n`);
  return r.status ?? 1;
}

/** A UDP port free right now on 127.0.0.1 (bound and released by a child, so this stays synchronous). */
function freeUdpPort(): string {
  const r = spawnSync(
    process.execPath,
    ['-e', "const s = require('node:dgram').createSocket('udp4'); s.bind(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })"],
    { encoding: 'utf8' },
  );
  assert.match(r.stdout, /^\d+\s*$/, `could not find a free UDP port: ${r.stderr}`);
  return r.stdout.trim();
}

function copyInto(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  cpSync(from, to, { recursive: true });
}

// ─── GitHub Actions ─────────────────────────────────────────────────────────

interface GhStep {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string | number | boolean>;
  if?: string;
}
interface GhJob {
  needs?: string | string[];
  strategy?: { matrix?: Record<string, unknown[]> };
  steps: GhStep[];
}

function expand(text: string, ctx: { matrix: Record<string, unknown>; env: Record<string, string>; jobTotal: number }): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
    const [scope, key] = expr.split('.', 2) as [string, string | undefined];
    if (scope === 'matrix' && key && key in ctx.matrix) return String(ctx.matrix[key]);
    if (scope === 'env' && key && key in ctx.env) return ctx.env[key]!;
    if (expr === 'strategy.job-total') return String(ctx.jobTotal);
    throw new Error(`the GitHub emulation does not know the expression \${{ ${expr} }}: teach scripts/adoption/ci-commands.slow.ts, or don't use it in docs/ci`);
  });
}

function matrixOf(job: GhJob): Record<string, unknown>[] {
  const m = job.strategy?.matrix;
  if (!m) return [{}];
  return Object.entries(m).reduce<Record<string, unknown>[]>((acc, [k, values]) => acc.flatMap((row) => values.map((v) => ({ ...row, [k]: v }))), [{}]);
}

function runGithub(file: string): { merged: string; results: Map<string, number> } {
  const wf = parse(readFileSync(file, 'utf8')) as { env?: Record<string, string>; jobs: Record<string, GhJob> };
  const artifacts = join(work, 'gh-artifacts');
  const results = new Map<string, number>();
  const done = new Set<string>();
  const order: string[] = [];
  while (order.length < Object.keys(wf.jobs).length) {
    const next = Object.keys(wf.jobs).find((j) => !done.has(j) && [wf.jobs[j]!.needs ?? []].flat().every((n) => done.has(n)));
    assert.ok(next, 'the jobs need each other in a circle');
    order.push(next);
    done.add(next);
  }
  let merged = '';
  for (const jobName of order) {
    const job = wf.jobs[jobName]!;
    const rows = matrixOf(job);
    rows.forEach((matrix, i) => {
      const id = `gh-${jobName}-${i + 1}`;
      const ws = join(work, id);
      const githubEnv = join(work, `${id}.github-env`);
      const env: Record<string, string> = { ...(wf.env ?? {}), AGENT_PORT: freeUdpPort(), GITHUB_ENV: githubEnv, GITHUB_WORKSPACE: ws, GITHUB_ACTIONS: 'true' };
      writeFileSync(githubEnv, '');
      let failed = false;
      for (const step of job.steps) {
        if (failed && step.if !== 'always()') continue;
        const ctx = { matrix, env, jobTotal: rows.length };
        const w = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, expand(String(v), ctx)]));
        let status = 0;
        if (step.uses?.startsWith('actions/checkout@')) {
          copyInto(skeleton, ws);
        } else if (step.uses?.startsWith('actions/setup-node@')) {
          const major = run('node', ['-p', 'process.versions.node.split(".")[0]'], REPO).out.trim();
          assert.equal(major, String(w['node-version']), `setup-node asks for Node ${w['node-version']}; the PATH has ${major}`);
        } else if (step.uses?.startsWith('actions/upload-artifact@')) {
          const from = join(ws, w.path!);
          if (existsSync(from)) copyInto(from, join(artifacts, w.name!));
        } else if (step.uses?.startsWith('actions/download-artifact@')) {
          const pattern = new RegExp(`^${w.pattern!.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
          for (const name of existsSync(artifacts) ? readdirSync(artifacts) : []) {
            if (pattern.test(name)) copyInto(join(artifacts, name), join(ws, w.path!, name));
          }
        } else if (step.uses) {
          throw new Error(`the GitHub emulation does not know the action ${step.uses}`);
        } else if (step.run) {
          status = timed(`${id}: ${step.name ?? step.run.split('\n')[0]!.slice(0, 60)}`, () => shell(expand(step.run!, ctx), ws, env, 'log'));
          for (const line of readFileSync(githubEnv, 'utf8').split('\n')) {
            const eq = line.indexOf('=');
            if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
          }
          writeFileSync(githubEnv, '');
        }
        if (status !== 0) failed = true;
      }
      results.set(id, failed ? 1 : 0);
      killGroups(groups.splice(0));
      if (jobName === order.at(-1)) merged = ws;
    });
  }
  return { merged, results };
}

// ─── GitLab CI ──────────────────────────────────────────────────────────────

interface GlJob {
  stage: string;
  parallel?: number;
  needs?: string[];
  before_script?: string[];
  script: string[];
  artifacts?: { paths?: string[] };
}

function runGitlab(file: string): { merged: string; results: Map<string, number> } {
  const doc = parse(readFileSync(file, 'utf8')) as Record<string, unknown> & { stages: string[]; variables?: Record<string, string> };
  const jobs = Object.entries(doc).filter(([k, v]) => !['stages', 'variables', 'default', 'workflow', 'include'].includes(k) && typeof v === 'object' && v !== null && 'script' in v) as [
    string,
    GlJob,
  ][];
  const store = join(work, 'gl-artifacts');
  mkdirSync(store, { recursive: true });
  const results = new Map<string, number>();
  let merged = '';
  for (const stage of doc.stages) {
    for (const [name, job] of jobs.filter(([, j]) => j.stage === stage)) {
      const total = job.parallel ?? 1;
      for (let index = 1; index <= total; index++) {
        const id = `gl-${name}-${index}`;
        const ws = join(work, id);
        copyInto(skeleton, ws);
        if (job.needs) copyInto(store, ws);
        const env: Record<string, string> = { ...(doc.variables ?? {}), AGENT_PORT: freeUdpPort(), GITLAB_CI: 'true', ...(job.parallel ? { CI_NODE_INDEX: String(index), CI_NODE_TOTAL: String(total) } : {}) };
        const script = [...(job.before_script ?? []), ...job.script].join('\n');
        const status = timed(`${id}`, () => shell(script, ws, env, 'log'));
        results.set(id, status);
        killGroups(groups.splice(0));
        for (const p of job.artifacts?.paths ?? []) {
          const rel = p.replace(/\$\{?CI_NODE_INDEX\}?/g, String(index)).replace(/\/$/, '');
          if (existsSync(join(ws, rel))) copyInto(join(ws, rel), join(store, rel));
        }
        merged = ws;
      }
    }
  }
  return { merged, results };
}

function assertMergedRun(ws: string, results: Map<string, number>): void {
  for (const [job, status] of results) assert.equal(status, 0, `${job} failed (its output is above)`);
  const junit = readFileSync(join(ws, 'reports/out/junit.xml'), 'utf8');
  // The team suite: 3 scenarios pass on the hand-started agent, 1 needs the lab's mock Okta (skipped as not applicable).
  assert.match(junit, /<testsuites name="radius-mfa-harness" tests="4" failures="0">/);
  const matrix = JSON.parse(readFileSync(join(ws, 'reports/out/matrix.json'), 'utf8')) as object;
  assert.ok(matrix);
  assert.ok(existsSync(join(ws, 'reports/out/durations.json')));
}

test('every command of docs/ci/github-actions.yml runs: three shards, then one merged report that passes', () => {
  const { merged, results } = runGithub(join(REPO, 'docs/ci/github-actions.yml'));
  assert.deepEqual([...results.keys()], ['gh-suite-1', 'gh-suite-2', 'gh-suite-3', 'gh-merge-1']);
  assertMergedRun(merged, results);
});

test('every command of docs/ci/gitlab-ci.yml runs: parallel: 3, then one merged report that passes', () => {
  const { merged, results } = runGitlab(join(REPO, 'docs/ci/gitlab-ci.yml'));
  assert.deepEqual([...results.keys()], ['gl-mfa-suite-1', 'gl-mfa-suite-2', 'gl-mfa-suite-3', 'gl-mfa-merge-1']);
  assertMergedRun(merged, results);
});
