/**
 * What the adoption tests share: the packed tarball (made once per
 * scripts/test-adoption.sh run and handed over in RMH_ADOPTION_TARBALL, or
 * packed here), child processes with Node 24 first on PATH, and clean-up of
 * the process groups they started.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
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
