/**
 * Adoption test (c): every command of the example pipelines in docs/ci/ runs,
 * in the order the CI system would run it, in a team repository made by
 * `init` with the packed harness as its dependency — a small emulation of each
 * runner, strict about what it does not know:
 *
 *   GitHub Actions: workflow `env`, jobs in `needs` order, `strategy.matrix`
 *     expanded and its rows run at the same time (as a runner pool would),
 *     every `run:` through `bash -eo pipefail`, `$GITHUB_ENV`,
 *     `${{ matrix.* }}`, `${{ env.* }}`, `${{ strategy.job-total }}`; the four
 *     `uses:` actions the example names are emulated (checkout = copy of the
 *     team repository, setup-node = the Node 24 on PATH, upload/download-artifact
 *     = a folder); any other action or expression fails the test. `sudo` is a
 *     pass-through (this runs as root, as hosted runners' sudo does).
 *   GitLab CI: `variables`, stages in order, a stage's jobs and `parallel: n`
 *     indexes (CI_NODE_INDEX/TOTAL) at the same time, `before_script` +
 *     `script` as one `bash -eo pipefail` shell, artifacts handed to jobs that
 *     `need` them at the same paths. The `image:` is not pulled (no registry
 *     here): the commands run on this Debian machine with Node 24 first on
 *     PATH, which is what that image provides.
 *
 * The emulated jobs share this machine, so apt-get runs one job at a time
 * (its lock) and `apt-get update` fetches the indexes for real once per test
 * run (a shim says so in the job's log when it skips a repeat); every other
 * command runs as written. npm uses the machine's cache
 * (npm_config_prefer_offline), as setup-node's `cache: npm` would; each job's
 * `npm ci` installs from the lock file of the one install all adoption tests
 * share (common.ts sharedInstall). Each job gets a free port as AGENT_PORT
 * (the pipelines' own value, 1812, may be taken on this shared machine).
 * Publishing is only ever to a local artifacts folder. The merged result must
 * pass: the team's suite against the reference agent, split in three shards
 * and joined by `merge`.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import { childEnv, killGroups, REPO, removeTree, run, scratchDir, sharedInstall, TEAM_PACKAGE, timed } from './common.ts';

// Eight jobs each npm ci a node_modules of ~130 MB: 4 GB free in memory, or the disk.
const work = mkdtempSync(join(scratchDir(4 * 1024 ** 3), 'rmh-ci-'));
const skeleton = join(work, 'team');
const groups: number[] = [];
/** One apt-get at a time on this machine, across runs of this test. */
const APT_LOCK = '/tmp/rmh-adoption-apt.lock';

before(() => timed('the team repository', prepareTeam));

function prepareTeam(): void {
  // The team repository: init's layout, the packed harness as its dependency, and the
  // lock file of the one install all adoption tests share (common.ts sharedInstall).
  const shared = sharedInstall();
  const tarball = join(work, basename(shared.tarball));
  // Job folders sit beside the tarball, so the lock file's relative path holds in each of them.
  copyFileSync(shared.tarball, tarball);
  const init = run('node', [join(REPO, 'bin/radius-mfa-harness.js'), 'init', '--dir', skeleton, '--name', 'my-agent'], REPO);
  assert.equal(init.status, 0, init.out);
  const pkgFile = join(skeleton, 'package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as Record<string, unknown>;
  pkg.name = TEAM_PACKAGE;
  pkg.dependencies = { 'radius-mfa-harness': `file:../${basename(tarball)}` };
  writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
  copyFileSync(join(shared.dir, 'package-lock.json'), join(skeleton, 'package-lock.json'));
  mkdirSync(join(work, 'shim'));
  // Hosted runners have sudo; here we are root already.
  writeFileSync(join(work, 'shim', 'sudo'), '#!/bin/sh\nexec "$@"\n', { mode: 0o755 });
  // The emulated jobs share this machine: apt-get runs one at a time (concurrent
  // jobs — of this test or of another run of it — would trip over its lock), and `apt-get update` fetches the package
  // indexes for real once per test run; later jobs find them fresh (a hosted
  // runner would fetch them again). Every other apt-get command runs as written.
  writeFileSync(
    join(work, 'shim', 'apt-get'),
    `#!/bin/sh
exec 9>"${APT_LOCK}"
flock 9
command=""
for a in "$@"; do case "$a" in -*) ;; *) command=$a; break ;; esac; done
if [ "$command" = update ] && [ -e "${work}/apt-updated" ]; then
  echo "apt-get update: the package indexes were fetched earlier in this test run (scripts/adoption/ci-commands.slow.ts)"
  exit 0
fi
/usr/bin/apt-get "$@" || exit $?
if [ "$command" = update ]; then touch "${work}/apt-updated"; fi
`,
    { mode: 0o755 },
  );
}

after(() => {
  killGroups(groups);
  timed("removing the jobs' folders (eight node_modules)", () => removeTree(work));
});

/** Largest time one job's script may take. */
const JOB_TIMEOUT_MS = 900_000;

/**
 * Runs a shell script as the CI system would, in its own process group (its
 * background processes — the lab, the agent — are ended with the job's
 * `groups`). Resolves with the exit status; the output goes to a log beside
 * the job's folder and its tail is printed when the script fails.
 */
function shell(script: string, cwd: string, env: Record<string, string>, jobGroups: number[]): Promise<number> {
  const out = join(cwd, '..', `${basename(cwd)}.log`);
  return new Promise((resolvePromise) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', `exec >>"${out}" 2>&1\n${script}`], {
      cwd,
      env: childEnv({ ...env, PATH: `${join(work, 'shim')}:${join(REPO, 'node_modules/.bin')}:${process.env.PATH ?? ''}`, npm_config_prefer_offline: 'true' }),
      stdio: 'ignore',
      // Its own process group, so its background processes can be ended with it.
      detached: true,
    });
    if (child.pid) {
      groups.push(child.pid);
      jobGroups.push(child.pid);
    }
    const timer = setTimeout(() => killGroups(child.pid ? [child.pid] : []), JOB_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const status = code ?? 1;
      if (status !== 0) {
        const tail = existsSync(out) ? readFileSync(out, 'utf8').split('\n').slice(-40).join('\n') : '';
        process.stdout.write(`# ${basename(cwd)}: exited ${code ?? signal}; its output:\n${tail}\n`);
      }
      resolvePromise(status);
    });
  });
}

/** Times an asynchronous step. */
async function timedAsync<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    process.stdout.write(`# ${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
}

const handedOut = new Set<string>();
/** A UDP port free right now on 127.0.0.1 and not given to another job of this test (bound and released by a child, so this stays synchronous). */
function freeUdpPort(): string {
  for (let attempt = 0; attempt < 20; attempt++) {
    const r = spawnSync(
      process.execPath,
      ['-e', "const s = require('node:dgram').createSocket('udp4'); s.bind(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })"],
      { encoding: 'utf8' },
    );
    assert.match(r.stdout, /^\d+\s*$/, `could not find a free UDP port: ${r.stderr}`);
    const port = r.stdout.trim();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no fresh free UDP port in 20 attempts');
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

/** One row of a GitHub job (one matrix combination): its steps in order, on its own workspace. Resolves with its exit status. */
async function runGithubRow(
  id: string,
  job: GhJob,
  matrix: Record<string, unknown>,
  jobTotal: number,
  wfEnv: Record<string, string>,
  artifacts: string,
): Promise<number> {
  const ws = join(work, id);
  const githubEnv = join(work, `${id}.github-env`);
  const env: Record<string, string> = { ...wfEnv, AGENT_PORT: freeUdpPort(), GITHUB_ENV: githubEnv, GITHUB_WORKSPACE: ws, GITHUB_ACTIONS: 'true' };
  writeFileSync(githubEnv, '');
  const rowGroups: number[] = [];
  let failed = false;
  try {
    for (const step of job.steps) {
      if (failed && step.if !== 'always()') continue;
      const ctx = { matrix, env, jobTotal };
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
        status = await timedAsync(`${id}: ${step.name ?? step.run.split('\n')[0]!.slice(0, 60)}`, () => shell(expand(step.run!, ctx), ws, env, rowGroups));
        for (const line of readFileSync(githubEnv, 'utf8').split('\n')) {
          const eq = line.indexOf('=');
          if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
        }
        writeFileSync(githubEnv, '');
      }
      if (status !== 0) failed = true;
    }
  } finally {
    // The job is over: its background processes (lab, agent) go with it.
    killGroups(rowGroups);
  }
  return failed ? 1 : 0;
}

/** The workflow's jobs in `needs` order, each job's matrix rows at the same time (as a runner pool would). */
async function runGithub(file: string): Promise<{ merged: string; results: Map<string, number> }> {
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
    const ids = rows.map((_, i) => `gh-${jobName}-${i + 1}`);
    const statuses = await Promise.all(rows.map((matrix, i) => runGithubRow(ids[i]!, job, matrix, rows.length, wf.env ?? {}, artifacts)));
    for (const [i, id] of ids.entries()) results.set(id, statuses[i]!);
    if (jobName === order.at(-1)) merged = join(work, ids.at(-1)!);
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

/** The pipeline's stages in order; in a stage, every job and every `parallel:` index at the same time (as a runner pool would). */
async function runGitlab(file: string): Promise<{ merged: string; results: Map<string, number> }> {
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
    const runs = jobs
      .filter(([, j]) => j.stage === stage)
      .flatMap(([name, job]) => Array.from({ length: job.parallel ?? 1 }, (_, i) => ({ name, job, index: i + 1, total: job.parallel ?? 1 })));
    const statuses = await Promise.all(
      runs.map(async ({ name, job, index, total }) => {
        const id = `gl-${name}-${index}`;
        const ws = join(work, id);
        copyInto(skeleton, ws);
        if (job.needs) copyInto(store, ws);
        const env: Record<string, string> = {
          ...(doc.variables ?? {}),
          AGENT_PORT: freeUdpPort(),
          GITLAB_CI: 'true',
          ...(job.parallel ? { CI_NODE_INDEX: String(index), CI_NODE_TOTAL: String(total) } : {}),
        };
        const script = [...(job.before_script ?? []), ...job.script].join('\n');
        const jobGroups: number[] = [];
        const status = await timedAsync(id, () => shell(script, ws, env, jobGroups));
        killGroups(jobGroups);
        for (const p of job.artifacts?.paths ?? []) {
          const rel = p.replace(/\$\{?CI_NODE_INDEX\}?/g, String(index)).replace(/\/$/, '');
          if (existsSync(join(ws, rel))) copyInto(join(ws, rel), join(store, rel));
        }
        return { id, ws, status };
      }),
    );
    for (const r of statuses) {
      results.set(r.id, r.status);
      merged = r.ws;
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

test('every command of docs/ci/github-actions.yml runs: three shards, then one merged report that passes', async () => {
  const { merged, results } = await runGithub(join(REPO, 'docs/ci/github-actions.yml'));
  assert.deepEqual([...results.keys()], ['gh-suite-1', 'gh-suite-2', 'gh-suite-3', 'gh-merge-1']);
  assertMergedRun(merged, results);
});

test('every command of docs/ci/gitlab-ci.yml runs: parallel: 3, then one merged report that passes', async () => {
  const { merged, results } = await runGitlab(join(REPO, 'docs/ci/gitlab-ci.yml'));
  assert.deepEqual([...results.keys()], ['gl-mfa-suite-1', 'gl-mfa-suite-2', 'gl-mfa-suite-3', 'gl-mfa-merge-1']);
  assertMergedRun(merged, results);
});
